//! The one place core errors become JavaScript exceptions.

use neon::prelude::*;
use webcodecs_core::Error;

/// Throws `error` as the exception its name calls for: TypeError and
/// RangeError as themselves, everything else as a DOMException.
pub fn throw<'a, T>(cx: &mut impl Context<'a>, error: Error) -> NeonResult<T> {
    let message = error.to_string();
    match error.name() {
        "TypeError" => cx.throw_type_error(message),
        "RangeError" => cx.throw_range_error(message),
        name => {
            let exception = dom_exception(cx, &message, name)?;
            cx.throw(exception)
        }
    }
}

pub fn dom_exception<'a>(cx: &mut impl Context<'a>, message: &str, name: &str) -> JsResult<'a, JsObject> {
    let ctor = cx.global::<JsFunction>("DOMException")?;
    let args = [cx.string(message).upcast::<JsValue>(), cx.string(name).upcast()];
    ctor.construct(cx, args)
}

/// `{name, message}` for errors that reach JavaScript asynchronously; lib/
/// turns it into the exception so its stack starts in JavaScript.
pub fn describe<'a>(cx: &mut impl Context<'a>, error: &Error) -> JsResult<'a, JsObject> {
    let obj = cx.empty_object();
    let name = cx.string(error.name());
    let message = cx.string(error.to_string());
    obj.set(cx, "name", name)?;
    obj.set(cx, "message", message)?;
    Ok(obj)
}

/// Unwraps a core result or throws it.
pub trait OrThrow<T> {
    fn or_throw<'a>(self, cx: &mut impl Context<'a>) -> NeonResult<T>;
}

impl<T> OrThrow<T> for Result<T, Error> {
    fn or_throw<'a>(self, cx: &mut impl Context<'a>) -> NeonResult<T> {
        match self {
            Ok(v) => Ok(v),
            Err(e) => throw(cx, e),
        }
    }
}
