//! WebCodecs pixel formats and the FFmpeg formats behind them.

use ffmpeg_next::ffi::AVPixelFormat::{self, *};

/// A `VideoPixelFormat` of the specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    I420, I420P10, I420P12, I420A, I420AP10, I420AP12,
    I422, I422P10, I422P12, I422A, I422AP10, I422AP12,
    I444, I444P10, I444P12, I444A, I444AP10, I444AP12,
    NV12, RGBA, RGBX, BGRA, BGRX,
}

use PixelFormat::*;

/// (WebCodecs name, format, FFmpeg format). The first match wins when going
/// from FFmpeg to WebCodecs.
const TABLE: [(&str, PixelFormat, AVPixelFormat); 23] = [
    ("I420", I420, AV_PIX_FMT_YUV420P),
    ("I420P10", I420P10, AV_PIX_FMT_YUV420P10LE),
    ("I420P12", I420P12, AV_PIX_FMT_YUV420P12LE),
    ("I420A", I420A, AV_PIX_FMT_YUVA420P),
    ("I420AP10", I420AP10, AV_PIX_FMT_YUVA420P10LE),
    // FFmpeg has no 12-bit 4:2:0 with alpha: held as 16-bit (see storage_shift).
    ("I420AP12", I420AP12, AV_PIX_FMT_YUVA420P16LE),
    ("I422", I422, AV_PIX_FMT_YUV422P),
    ("I422P10", I422P10, AV_PIX_FMT_YUV422P10LE),
    ("I422P12", I422P12, AV_PIX_FMT_YUV422P12LE),
    ("I422A", I422A, AV_PIX_FMT_YUVA422P),
    ("I422AP10", I422AP10, AV_PIX_FMT_YUVA422P10LE),
    ("I422AP12", I422AP12, AV_PIX_FMT_YUVA422P12LE),
    ("I444", I444, AV_PIX_FMT_YUV444P),
    ("I444P10", I444P10, AV_PIX_FMT_YUV444P10LE),
    ("I444P12", I444P12, AV_PIX_FMT_YUV444P12LE),
    ("I444A", I444A, AV_PIX_FMT_YUVA444P),
    ("I444AP10", I444AP10, AV_PIX_FMT_YUVA444P10LE),
    ("I444AP12", I444AP12, AV_PIX_FMT_YUVA444P12LE),
    ("NV12", NV12, AV_PIX_FMT_NV12),
    ("RGBA", RGBA, AV_PIX_FMT_RGBA),
    ("RGBX", RGBX, AV_PIX_FMT_RGB0),
    ("BGRA", BGRA, AV_PIX_FMT_BGRA),
    ("BGRX", BGRX, AV_PIX_FMT_BGR0),
];

impl PixelFormat {
    pub fn from_name(name: &str) -> Option<PixelFormat> {
        TABLE.iter().find(|row| row.0 == name).map(|row| row.1)
    }

    pub fn name(self) -> &'static str {
        TABLE.iter().find(|row| row.1 == self).map(|row| row.0).unwrap_or("I420")
    }

    pub fn to_av(self) -> AVPixelFormat {
        TABLE.iter().find(|row| row.1 == self).map(|row| row.2).unwrap_or(AV_PIX_FMT_NONE)
    }

    /// The WebCodecs format that holds an FFmpeg format's samples unchanged, if
    /// any. The JPEG ("full range") YUV formats differ from the plain ones only in
    /// their range, which travels in the colour space instead.
    pub fn from_av(format: AVPixelFormat) -> Option<PixelFormat> {
        let format = match format {
            AV_PIX_FMT_YUVJ420P => AV_PIX_FMT_YUV420P,
            AV_PIX_FMT_YUVJ422P => AV_PIX_FMT_YUV422P,
            AV_PIX_FMT_YUVJ444P => AV_PIX_FMT_YUV444P,
            other => other,
        };
        TABLE.iter().find(|row| row.2 == format).map(|row| row.1)
    }

    /// How far each 16-bit sample is scaled up in the FFmpeg frame that holds
    /// this format: I420AP12 lives in a 16-bit frame (FFmpeg has no 12-bit
    /// 4:2:0 with alpha), so that conversions read it at its true level;
    /// constructing and copyTo() scale between the two exactly.
    pub fn storage_shift(self) -> u32 {
        if self == I420AP12 { 4 } else { 0 }
    }

    pub fn is_rgb(self) -> bool {
        matches!(self, RGBA | RGBX | BGRA | BGRX)
    }

    pub fn plane_count(self) -> usize {
        match self {
            RGBA | RGBX | BGRA | BGRX => 1,
            NV12 => 2,
            I420A | I420AP10 | I420AP12 | I422A | I422AP10 | I422AP12 | I444A | I444AP10 | I444AP12 => 4,
            _ => 3,
        }
    }
}

/// Maps a raw `AVFrame::format` value to the enum, without transmuting
/// values FFmpeg might add later.
pub(crate) fn av_format_from_raw(raw: i32) -> AVPixelFormat {
    const CANDIDATES: [AVPixelFormat; 3] = [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P];
    TABLE
        .iter()
        .map(|row| row.2)
        .chain(CANDIDATES)
        .find(|f| *f as i32 == raw)
        .unwrap_or(AV_PIX_FMT_NONE)
}

/// Any raw `AVFrame::format` a decoder produced (image decoders output
/// formats WebCodecs has no name for, such as PAL8 or GBRP, to be converted).
/// The bindings come from the headers of the FFmpeg linked, so every value
/// in 0..AV_PIX_FMT_NB is one of the enum's variants.
pub(crate) fn av_format_any(raw: i32) -> AVPixelFormat {
    if (0..AV_PIX_FMT_NB as i32).contains(&raw) {
        // Safety: in range of the contiguous C enum (see above).
        unsafe { std::mem::transmute::<i32, AVPixelFormat>(raw) }
    } else {
        AV_PIX_FMT_NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (name, format, av) in TABLE {
            assert_eq!(PixelFormat::from_name(name), Some(format));
            assert_eq!(format.name(), name);
            assert_eq!(PixelFormat::from_av(av), Some(format));
            assert_eq!(av_format_from_raw(av as i32), av);
        }
        assert_eq!(PixelFormat::from_av(AV_PIX_FMT_YUVJ420P), Some(I420));
        assert_eq!(PixelFormat::from_name("NV21"), None);
    }
}
