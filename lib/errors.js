'use strict';
// Exceptions in the specification's vocabulary. Stack traces start at the
// caller's frame, not inside this library.

function withStack(error, from) {
  if (from && Error.captureStackTrace) Error.captureStackTrace(error, from);
  return error;
}

const typeError = (message, from) => withStack(new TypeError(message), from);
const rangeError = (message, from) => withStack(new RangeError(message), from);
const domException = (message, name, from) => withStack(new DOMException(message, name), from);

/** A DOMException (or TypeError/RangeError) from a `{name, message}` the addon reported. */
function fromNative({ name, message }) {
  if (name === 'TypeError') return new TypeError(message);
  if (name === 'RangeError') return new RangeError(message);
  return new DOMException(message, name);
}

/** Reports an exception thrown by a user callback the way an event listener's would be. */
function reportError(error) {
  process.nextTick(() => {
    throw error;
  });
}

module.exports = { typeError, rangeError, domException, fromNative, reportError };
