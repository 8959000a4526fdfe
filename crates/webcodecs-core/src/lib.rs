//! webcodecs-core: the FFmpeg side of node-webcodecs. Nothing here knows about
//! JavaScript; the Node layer (webcodecs-node) drives these types through
//! [`worker::Worker`] threads.

pub mod av;
pub mod codec_string;
pub mod error;
pub mod video;
pub mod worker;

pub use error::{Error, Result};

use once_cell::sync::OnceCell;

/// Process-wide FFmpeg set-up: quiet logging unless `WEBCODECS_LOG` names a
/// level (`error`, `warning`, `info`, `debug`). Idempotent.
pub fn init() {
    static DONE: OnceCell<()> = OnceCell::new();
    DONE.get_or_init(|| {
        let level = match std::env::var("WEBCODECS_LOG").as_deref() {
            Ok("error") => ffmpeg_next::ffi::AV_LOG_ERROR,
            Ok("warning") => ffmpeg_next::ffi::AV_LOG_WARNING,
            Ok("info") => ffmpeg_next::ffi::AV_LOG_INFO,
            Ok("debug") => ffmpeg_next::ffi::AV_LOG_DEBUG,
            _ => ffmpeg_next::ffi::AV_LOG_QUIET,
        };
        unsafe { ffmpeg_next::ffi::av_log_set_level(level as i32) };
    });
}

/// The FFmpeg libavcodec version this binary runs with, e.g. "59.37.100".
pub fn ffmpeg_version() -> String {
    let v = unsafe { ffmpeg_next::ffi::avcodec_version() };
    format!("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff)
}
