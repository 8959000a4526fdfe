//! The one error type of the core. Each variant knows the DOMException (or
//! ECMAScript error) name the WebCodecs specification gives it, so the Node
//! layer converts errors in exactly one place.

use std::fmt;

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is valid but cannot be honoured here ("Check
    /// Configuration Support" answered false).
    #[error("{0}")]
    NotSupported(String),
    /// The codec failed while encoding or decoding.
    #[error("{0}")]
    Encoding(String),
    /// The data does not match what the codec requires (e.g. a delta chunk
    /// where a key chunk is required).
    #[error("{0}")]
    Data(String),
    /// A value out of the allowed range, e.g. a rect outside the frame.
    #[error("{0}")]
    Range(String),
    /// A dictionary or argument the WebIDL layer should have rejected.
    #[error("{0}")]
    Type(String),
    /// The operation is not allowed in the object's current state.
    #[error("{0}")]
    InvalidState(String),
}

impl Error {
    /// The name JavaScript sees: a DOMException name, or `TypeError`/`RangeError`.
    pub fn name(&self) -> &'static str {
        match self {
            Error::NotSupported(_) => "NotSupportedError",
            Error::Encoding(_) => "EncodingError",
            Error::Data(_) => "DataError",
            Error::Range(_) => "RangeError",
            Error::Type(_) => "TypeError",
            Error::InvalidState(_) => "InvalidStateError",
        }
    }

    /// An FFmpeg failure while coding, with the call that failed.
    pub(crate) fn ffmpeg(what: &str, code: i32) -> Error {
        Error::Encoding(format!("{what} failed: {}", AvError(code)))
    }
}

/// Formats an FFmpeg error code with FFmpeg's own text.
pub(crate) struct AvError(pub i32);

impl fmt::Display for AvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", ffmpeg_next::Error::from(self.0), self.0)
    }
}
