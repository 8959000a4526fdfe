//! Staying alive while a worker_thread is terminated.
//!
//! `worker.terminate()` stops a worker's JavaScript from another thread at any
//! moment. From then on, Node-API calls that could run JavaScript fail, and
//! Neon treats several such failures (creating a JsBox, reading an array's
//! length, throwing an error) as impossible: it panics, and a panic it cannot
//! turn into a JavaScript exception aborts the whole process. Every function
//! the addon exports therefore runs through [`ExportGuarded::export_guarded`]
//! (and every Channel callback through [`on_js_thread`]),
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

/// Runs `f` on the JavaScript thread of `channel`'s environment.
///
/// A worker_thread can be terminated while `f` runs: from then on every
/// JavaScript call fails, and Neon would turn that failure into a fatal
/// error of the whole process. A failure while JavaScript can no longer run is
/// therefore dropped here (nobody is listening any more). An exception thrown
/// while JavaScript still runs (a user's callback threw) propagates as before,
/// as an uncaught exception.
pub fn on_js_thread<F>(channel: &Channel, f: F)
where
    F: for<'a> FnOnce(&mut Cx<'a>) -> NeonResult<()> + Send + 'static,
{
    // try_send fails only once the environment is gone; nothing is listening.
    let _ = channel.try_send(move |mut cx| {
        let env = cx.to_raw();
        let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut cx))) {
            Ok(result) => result,
            // Neon panics on some failures it thinks impossible (creating a
            // JsBox) once JavaScript cannot run; then nothing is left to tell.
            Err(_) if !can_run_js(env) => return Ok(()),
            Err(panic) => std::panic::resume_unwind(panic),
        };
        if result.is_ok() || can_run_js(env) {
            return result;
        }
        // SAFETY: `env` is this thread's live environment; clearing the
        // exception the failed call left is what lets Neon return quietly.
        unsafe {
            let mut exception = std::ptr::null_mut();
            let _ = neon::sys::bindings::get_and_clear_last_exception(env, &mut exception);
        }
        Ok(())
    });
}
