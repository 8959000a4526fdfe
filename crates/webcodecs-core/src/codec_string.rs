//! Codec strings from the WebCodecs codec registry.
//!
//! A string that does not parse, or names a codec this build has no
//! implementation for, is *unsupported* (NotSupportedError / `supported:
//! false`), never a TypeError: the specification reserves TypeError for an
//! empty codec string, which the JavaScript layer rejects before we get here.

use crate::error::{Error, Result};

/// H.264 profile_idc values the avc1 registration allows.
const H264_PROFILES: [u8; 7] = [0x42, 0x4D, 0x58, 0x64, 0x6E, 0x7A, 0xF4];
/// H.264 level_idc values (Table A-1); 9 is level 1b in some High-profile streams.
const H264_LEVELS: [u8; 20] = [
    9, 10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62,
];

/// A video codec string, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoCodec {
    H264(H264Codec),
}

/// `avc1.PPCCLL` / `avc3.PPCCLL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct H264Codec {
    pub profile_idc: u8,
    pub constraint_flags: u8,
    pub level_idc: u8,
    /// avc3: parameter sets may travel in-band; avc1: out of band only.
    pub avc3: bool,
}

impl H264Codec {
    /// Largest frame area in macroblocks for the level (Table A-1, MaxFS).
    pub fn max_frame_macroblocks(&self) -> u32 {
        match self.level_idc {
            9 | 10 | 11 => 99,
            12 | 13 | 20 => 396,
            21 => 792,
            22 | 30 => 1620,
            31 => 3600,
            32 => 5120,
            40 | 41 => 8192,
            42 => 8704,
            50 => 22080,
            51 | 52 => 36864,
            _ => 139264,
        }
    }
}

impl VideoCodec {
    pub fn parse(codec: &str) -> Result<VideoCodec> {
        let unsupported = || Error::NotSupported(format!("Unsupported codec string '{codec}'"));
        let (family, rest) = codec.split_once('.').ok_or_else(unsupported)?;
        match family {
            "avc1" | "avc3" => {
                if rest.len() != 6 || !rest.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(unsupported());
                }
                let byte = |i: usize| u8::from_str_radix(&rest[i..i + 2], 16).map_err(|_| unsupported());
                let h264 = H264Codec {
                    profile_idc: byte(0)?,
                    constraint_flags: byte(2)?,
                    level_idc: byte(4)?,
                    avc3: family == "avc3",
                };
                // The two low bits of the constraint byte are reserved_zero_2bits.
                if !H264_PROFILES.contains(&h264.profile_idc)
                    || !H264_LEVELS.contains(&h264.level_idc)
                    || h264.constraint_flags & 0x03 != 0
                {
                    return Err(unsupported());
                }
                Ok(VideoCodec::H264(h264))
            }
            _ => Err(unsupported()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_avc1_and_avc3() {
        let VideoCodec::H264(c) = VideoCodec::parse("avc1.64001F").unwrap();
        assert_eq!((c.profile_idc, c.constraint_flags, c.level_idc, c.avc3), (0x64, 0, 31, false));
        let VideoCodec::H264(c) = VideoCodec::parse("avc3.42e01e").unwrap();
        assert_eq!((c.profile_idc, c.constraint_flags, c.level_idc, c.avc3), (0x42, 0xe0, 30, true));
    }

    #[test]
    fn rejects_ambiguous_and_invalid_strings() {
        for s in ["avc1", "avc1.", "avc1.64001", "avc1.64001f0", "avc1.zz001f", "avc1.12001f", "avc1.640099", "avc1.64011f", "vp9", "h264", "", "AVC1.64001f"] {
            let err = VideoCodec::parse(s).unwrap_err();
            assert_eq!(err.name(), "NotSupportedError", "{s}");
        }
    }
}
