//! Tells V8 how much native memory VideoFrames hold, so that its GC collects
//! forgotten frames as the memory they pin grows, not by their few bytes of
//! JavaScript object (napi_adjust_external_memory). Neon has no binding for
//! it; the symbol is looked up in the host process at first use.

use neon::prelude::*;
use once_cell::sync::Lazy;

type Adjust = unsafe extern "C" fn(env: neon::sys::bindings::Env, change: i64, result: *mut i64) -> i32;

static ADJUST: Lazy<Option<Adjust>> = Lazy::new(lookup);

#[cfg(unix)]
fn lookup() -> Option<Adjust> {
    extern "C" {
        fn dlsym(handle: *mut std::ffi::c_void, symbol: *const std::ffi::c_char) -> *mut std::ffi::c_void;
    }
    // RTLD_DEFAULT: every object loaded in the process, node (or Electron) included.
    #[cfg(any(target_os = "macos", target_os = "ios"))]
    let default = -2isize as *mut std::ffi::c_void;
    #[cfg(not(any(target_os = "macos", target_os = "ios")))]
    let default = std::ptr::null_mut();
    let f = unsafe { dlsym(default, c"napi_adjust_external_memory".as_ptr()) };
    (!f.is_null()).then(|| unsafe { std::mem::transmute::<*mut std::ffi::c_void, Adjust>(f) })
}

#[cfg(windows)]
fn lookup() -> Option<Adjust> {
    extern "system" {
        fn GetModuleHandleW(name: *const u16) -> *mut std::ffi::c_void;
        fn GetProcAddress(module: *mut std::ffi::c_void, name: *const std::ffi::c_char) -> *mut std::ffi::c_void;
    }
    let f = unsafe { GetProcAddress(GetModuleHandleW(std::ptr::null()), c"napi_adjust_external_memory".as_ptr()) };
    (!f.is_null()).then(|| unsafe { std::mem::transmute::<*mut std::ffi::c_void, Adjust>(f) })
}

/// Adds `bytes` (negative: releases) to the memory V8 counts as external.
pub fn adjust<'a>(cx: &mut impl Context<'a>, bytes: i64) {
    if bytes != 0 {
        change(cx, bytes);
    }
}

/// Changes V8's count by `bytes`; returns the count (None without the call).
fn change<'a>(cx: &mut impl Context<'a>, bytes: i64) -> Option<i64> {
    let adjust = (*ADJUST)?;
    let mut total = 0i64;
    // SAFETY: called on the JavaScript thread with its live environment.
    let status = unsafe { adjust(cx.to_raw(), bytes, &mut total) };
    (status == 0).then_some(total)
}

/// `externalMemory()`: the external memory V8 counts (ours and everything
/// else's), or -1 where the host has no such count. For tests and diagnostics:
/// `process.memoryUsage().external` does not include it in Node 20.
pub fn external_memory(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let total = change(&mut cx, 0).unwrap_or(-1);
    Ok(cx.number(total as f64))
}
