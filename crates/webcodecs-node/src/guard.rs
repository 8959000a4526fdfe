//! Staying alive while a worker_thread is terminated.
//!
//! `worker.terminate()` stops a worker's JavaScript from another thread at any
//! moment. From then on, Node-API calls that could run JavaScript fail, and
//! Neon treats several such failures (creating a JsBox, reading an array's
//! length, throwing an error) as impossible: it panics, and a panic it cannot
//! turn into a JavaScript exception aborts the whole process. Every function
//! the addon exports therefore runs through [`ExportGuarded::export_guarded`],
//! which returns at once when JavaScript can no longer run and swallows a
//! panic that happens once it cannot (nobody is left to see the result).

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use neon::prelude::*;
use neon::result::Throw;

/// Whether the environment `env` can still call into JavaScript. napi_throw
/// checks that before it looks at its argument, so a null argument answers
/// without throwing anything.
pub fn can_run_js(env: neon::sys::bindings::Env) -> bool {
    // SAFETY: `env` is the current thread's environment; a null value is
    // rejected by napi_throw's argument check.
    unsafe { neon::sys::bindings::throw(env, std::ptr::null_mut()) == Err(neon::sys::bindings::Status::InvalidArg) }
}

/// The "JavaScript is unwinding" result, for when it can no longer run.
fn gone<T>() -> NeonResult<T> {
    // SAFETY: only returned once the environment cannot run JavaScript, where
    // Neon (and Node) treat the call as having thrown.
    Err(unsafe { Throw::new() })
}

pub trait ExportGuarded {
    fn export_guarded<V, F>(&mut self, name: &str, f: F) -> NeonResult<()>
    where
        V: Value,
        F: for<'a> Fn(FunctionContext<'a>) -> JsResult<'a, V> + 'static;
}

impl ExportGuarded for ModuleContext<'_> {
    fn export_guarded<V, F>(&mut self, name: &str, f: F) -> NeonResult<()>
    where
        V: Value,
        F: for<'a> Fn(FunctionContext<'a>) -> JsResult<'a, V> + 'static,
    {
        self.export_function(name, move |cx: FunctionContext| {
            let env = cx.to_raw();
            if !can_run_js(env) {
                return gone();
            }
            match catch_unwind(AssertUnwindSafe(|| f(cx))) {
                Ok(result) => result,
                Err(_) if !can_run_js(env) => gone(),
                // Still alive: a real bug, which Neon reports as an exception.
                Err(panic) => resume_unwind(panic),
            }
        })
    }
}
