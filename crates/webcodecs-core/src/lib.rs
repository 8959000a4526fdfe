//! webcodecs-core: the FFmpeg side of webcodecs-native. Nothing here knows about
//! JavaScript; the Node layer (webcodecs-node) drives these types through
//! [`worker::Worker`] threads.

pub mod audio;
pub mod av;
pub mod codec_string;
pub mod error;
pub mod exit;
pub mod image;
pub mod pool;
pub mod recycle;
pub mod starvation;
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

/// What this binary was built with.
#[derive(Debug, Clone)]
pub struct BuildInfo {
    /// FFmpeg's version string, e.g. "7.1.5" or "5.1.6-0+deb12u1".
    pub ffmpeg: String,
    /// libavcodec's version, e.g. "61.19.101".
    pub libavcodec: String,
    /// libavcodec's licence, e.g. "LGPL version 2.1 or later".
    pub license: String,
    /// The FFmpeg encoders and decoders WebCodecs can use that are present.
    pub encoders: Vec<&'static str>,
    pub decoders: Vec<&'static str>,
    /// Encoder libraries called without FFmpeg, for what FFmpeg's wrappers
    /// cannot do: OpenH264 (H.264 temporal layers and per-frame QP; always in
    /// release builds), x265 (HEVC per-frame QP) in development builds on x265
    /// build 199.
    pub direct_encoders: Vec<&'static str>,
    /// The libraries linked into this binary, as (name, version, SPDX
    /// licence): what scripts/prebuild passes in from scripts/build-ffmpeg's
    /// libraries.txt (`name|version|licence` entries separated by `;`). A
    /// development build links the system's FFmpeg dynamically: none.
    pub libraries: Vec<(&'static str, &'static str, &'static str)>,
}

/// FFmpeg encoders and decoders the codecs here may use, by FFmpeg name: the
/// video ones, then the audio ones the release builds carry for the audio
/// interfaces (see scripts/build-ffmpeg).
const PCM: [&str; 7] = ["pcm_u8", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_alaw", "pcm_mulaw"];
const KNOWN_ENCODERS: [&str; 11] = [
    "libx264", "libopenh264", "libx265", "libvpx", "libvpx-vp9", "libaom-av1",
    "libopus", "aac", "flac", "libmp3lame", "libvorbis",
];
const KNOWN_DECODERS: [&str; 15] = [
    "h264", "hevc", "vp8", "vp9", "libdav1d", "libopus", "opus", "aac", "flac", "mp3float", "vorbis",
    // ImageDecoder's (GIF is decoded by webcodecs-core itself).
    "mjpeg", "png", "webp", "bmp",
];

pub fn build_info() -> BuildInfo {
    use ffmpeg_next::ffi;
    let text = |p: *const std::os::raw::c_char| unsafe { std::ffi::CStr::from_ptr(p) }.to_string_lossy().into_owned();
    let v = unsafe { ffi::avcodec_version() };
    BuildInfo {
        ffmpeg: text(unsafe { ffi::av_version_info() }),
        libavcodec: format!("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff),
        license: text(unsafe { ffi::avcodec_license() }),
        encoders: KNOWN_ENCODERS.into_iter().chain(PCM).filter(|n| av::find_encoder(n).is_some()).collect(),
        decoders: KNOWN_DECODERS
            .into_iter()
            .chain(PCM)
            .filter(|n| {
                let name = av::cstring(n);
                !unsafe { ffi::avcodec_find_decoder_by_name(name.as_ptr()) }.is_null()
            })
            .collect(),
        direct_encoders: [("openh264", cfg!(openh264)), ("x265", cfg!(x265_direct))].into_iter().filter(|l| l.1).map(|l| l.0).collect(),
        libraries: option_env!("WEBCODECS_LIBRARIES")
            .unwrap_or("")
            .split(';')
            .filter_map(|entry| {
                let mut fields = entry.split('|');
                Some((fields.next().filter(|n| !n.is_empty())?, fields.next()?, fields.next()?))
            })
            .collect(),
    }
}
