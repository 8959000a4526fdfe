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
    Hevc(HevcCodec),
    Vp8,
    Vp9(Vp9Codec),
    Av1(Av1Codec),
}

/// `hvc1.[A|B|C]P.FLAGS.(L|H)LEVEL[.CC...]` / `hev1....` (ISO/IEC 14496-15 Annex E).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HevcCodec {
    pub profile_space: u8,
    pub profile_idc: u8,
    pub compatibility_flags: u32,
    pub high_tier: bool,
    pub level_idc: u8,
    /// hev1: parameter sets may travel in-band; hvc1: out of band only.
    pub hev1: bool,
    /// The first constraint byte (general_max_12bit … general_max_monochrome
    /// flags, from bit 7 down), when the string gives one: what tells the
    /// format extensions profiles (RExt) apart.
    pub constraints: Option<u8>,
}

/// `vp09.PP.LL.DD[.CC.cp.tc.mc.FF]` (VP9 in ISO-BMFF, "Codecs Parameter String").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vp9Codec {
    pub profile: u8,
    pub level: u8,
    pub bit_depth: u8,
    /// 0/1: 4:2:0, 2: 4:2:2, 3: 4:4:4 (1 when absent).
    pub chroma_subsampling: u8,
}

/// `av01.P.LLT.DD[.M.CCC.cp.tc.mc.F]` (AV1 in ISO-BMFF, "Codecs Parameter String").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Av1Codec {
    pub profile: u8,
    pub level: u8,
    pub high_tier: bool,
    pub bit_depth: u8,
    pub monochrome: bool,
    /// subsampling_x, subsampling_y (1, 1 when absent).
    pub subsampling: (u8, u8),
}

impl VideoCodec {
    /// The family's name in messages.
    pub fn name(&self) -> &'static str {
        match self {
            VideoCodec::H264(_) => "H.264",
            VideoCodec::Hevc(_) => "HEVC",
            VideoCodec::Vp8 => "VP8",
            VideoCodec::Vp9(_) => "VP9",
            VideoCodec::Av1(_) => "AV1",
        }
    }
}

/// `n` decimal digits, exactly.
fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

fn parse_vp9(rest: &str) -> Option<Vp9Codec> {
    let f: Vec<&str> = rest.split('.').collect();
    if f.len() != 3 && f.len() != 8 {
        return None;
    }
    let n: Vec<u32> = f.iter().map(|x| digits(x, 2)).collect::<Option<_>>()?;
    let (profile, level, bit_depth) = (n[0] as u8, n[1] as u8, n[2] as u8);
    const LEVELS: [u8; 14] = [10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 52, 60, 61, 62];
    if profile > 3 || !LEVELS.contains(&level) || ![8, 10, 12].contains(&bit_depth) {
        return None;
    }
    // Profiles 0 and 1 are 8-bit; 2 and 3 are 10/12-bit.
    if (profile < 2) != (bit_depth == 8) {
        return None;
    }
    let mut chroma_subsampling = 1;
    if f.len() == 8 {
        chroma_subsampling = n[3] as u8;
        // Profiles 0 and 2 are 4:2:0 only; 1 and 3 are not 4:2:0.
        let four_two_zero = chroma_subsampling <= 1;
        if chroma_subsampling > 3 || (profile % 2 == 0) != four_two_zero {
            return None;
        }
        if n[4] == 0 || n[4] > 22 || n[5] == 0 || n[5] > 18 || n[6] > 14 || n[7] > 1 {
            return None;
        }
    }
    Some(Vp9Codec { profile, level, bit_depth, chroma_subsampling })
}

fn parse_av1(rest: &str) -> Option<Av1Codec> {
    let f: Vec<&str> = rest.split('.').collect();
    // The optional fields are "mutually inclusive (all or none)".
    if f.len() != 3 && f.len() != 9 {
        return None;
    }
    let profile = digits(f[0], 1)? as u8;
    if f[1].len() != 3 || !f[1].is_ascii() {
        return None;
    }
    let level = digits(&f[1][..2], 2)? as u8;
    let high_tier = match &f[1][2..] {
        "M" => false,
        "H" => true,
        _ => return None,
    };
    let bit_depth = digits(f[2], 2)? as u8;
    if profile > 2 || level > 31 || ![8, 10, 12].contains(&bit_depth) || (bit_depth == 12 && profile != 2) {
        return None;
    }
    // Without the optional fields, 4:2:0 is the default; the High profile has
    // no 4:2:0, so there (as Chrome does) it means 4:4:4.
    let subsampling = if profile == 1 { (0, 0) } else { (1, 1) };
    let mut codec = Av1Codec { profile, level, high_tier, bit_depth, monochrome: false, subsampling };
    if let Some(m) = f.get(3) {
        codec.monochrome = match digits(m, 1)? {
            0 => false,
            1 => true,
            _ => return None,
        };
    }
    if let Some(c) = f.get(4) {
        let _ = digits(c, 3)?;
        let b = c.as_bytes();
        codec.subsampling = (b[0] - b'0', b[1] - b'0');
        let position = b[2] - b'0';
        if codec.subsampling.0 > 1 || codec.subsampling.1 > codec.subsampling.0 || position > 3 {
            return None;
        }
        if position != 0 && codec.subsampling != (1, 1) {
            return None;
        }
    }
    for (i, max) in [(5, 22), (6, 18), (7, 14)] {
        if let Some(x) = f.get(i) {
            if digits(x, 2)? > max {
                return None;
            }
        }
    }
    if let Some(r) = f.get(8) {
        if digits(r, 1)? > 1 {
            return None;
        }
    }
    Some(codec)
}

fn parse_hevc(rest: &str, hev1: bool) -> Option<HevcCodec> {
    let f: Vec<&str> = rest.split('.').collect();
    if !(3..=9).contains(&f.len()) {
        return None;
    }
    let (profile_space, profile) = match f[0].as_bytes().first()? {
        b'A' => (1, &f[0][1..]),
        b'B' => (2, &f[0][1..]),
        b'C' => (3, &f[0][1..]),
        _ => (0, f[0]),
    };
    if profile.is_empty() || profile.len() > 2 || !profile.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let profile_idc: u8 = profile.parse().ok()?;
    // The flags are written bit-reversed, in hex, leading zeros omitted.
    if f[1].is_empty() || f[1].len() > 8 || !f[1].bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let compatibility_flags = u32::from_str_radix(f[1], 16).ok()?.reverse_bits();
    let high_tier = match f[2].as_bytes().first()? {
        b'L' => false,
        b'H' => true,
        _ => return None,
    };
    let level = &f[2][1..];
    if level.is_empty() || level.len() > 3 || !level.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let level_idc: u8 = level.parse().ok()?;
    for c in &f[3..] {
        if c.is_empty() || c.len() > 2 || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
    }
    if profile_idc > 31 || level_idc == 0 {
        return None;
    }
    let constraints = f.get(3).map(|c| u8::from_str_radix(c, 16)).transpose().ok()?;
    Some(HevcCodec { profile_space, profile_idc, compatibility_flags, high_tier, level_idc, hev1, constraints })
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
        // Every registered codec string is ASCII; the field parsers below
        // slice by byte and rely on it.
        if !codec.is_ascii() {
            return Err(unsupported());
        }
        if codec == "vp8" {
            return Ok(VideoCodec::Vp8);
        }
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
            "hvc1" | "hev1" => parse_hevc(rest, family == "hev1").map(VideoCodec::Hevc).ok_or_else(unsupported),
            "vp09" => parse_vp9(rest).map(VideoCodec::Vp9).ok_or_else(unsupported),
            "av01" => parse_av1(rest).map(VideoCodec::Av1).ok_or_else(unsupported),
            _ => Err(unsupported()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_codec_strings_are_unsupported_not_a_panic() {
        // From cargo-fuzz (codec_strings): "1̲" is three bytes, so the level
        // field's byte slice cut a character in two.
        for codec in ["av01.0.1\u{332}.08", "avc1.42001\u{e9}", "vp09.0\u{e9}.10.08", "hvc1.1.6.L9\u{332}.B0"] {
            assert!(matches!(VideoCodec::parse(codec), Err(Error::NotSupported(_))), "{codec}");
        }
    }

    #[test]
    fn parses_avc1_and_avc3() {
        let Ok(VideoCodec::H264(c)) = VideoCodec::parse("avc1.64001F") else { panic!() };
        assert_eq!((c.profile_idc, c.constraint_flags, c.level_idc, c.avc3), (0x64, 0, 31, false));
        let Ok(VideoCodec::H264(c)) = VideoCodec::parse("avc3.42e01e") else { panic!() };
        assert_eq!((c.profile_idc, c.constraint_flags, c.level_idc, c.avc3), (0x42, 0xe0, 30, true));
    }

    #[test]
    fn parses_vp8_vp9_av1_hevc() {
        assert_eq!(VideoCodec::parse("vp8").unwrap(), VideoCodec::Vp8);
        let Ok(VideoCodec::Vp9(c)) = VideoCodec::parse("vp09.00.10.08") else { panic!() };
        assert_eq!((c.profile, c.level, c.bit_depth, c.chroma_subsampling), (0, 10, 8, 1));
        let Ok(VideoCodec::Vp9(c)) = VideoCodec::parse("vp09.02.10.10.01.09.16.09.01") else { panic!() };
        assert_eq!((c.profile, c.bit_depth), (2, 10));
        let Ok(VideoCodec::Av1(c)) = VideoCodec::parse("av01.0.04M.08") else { panic!() };
        assert_eq!((c.profile, c.level, c.high_tier, c.bit_depth), (0, 4, false, 8));
        let Ok(VideoCodec::Av1(c)) = VideoCodec::parse("av01.1.08M.08") else { panic!() };
        assert_eq!(c.subsampling, (0, 0), "High profile defaults to 4:4:4");
        let Ok(VideoCodec::Av1(c)) = VideoCodec::parse("av01.1.08H.10.0.000.01.01.01.0") else { panic!() };
        assert_eq!((c.profile, c.high_tier, c.bit_depth, c.subsampling), (1, true, 10, (0, 0)));
        let Ok(VideoCodec::Hevc(c)) = VideoCodec::parse("hvc1.1.6.L93.B0") else { panic!() };
        assert_eq!((c.profile_space, c.profile_idc, c.compatibility_flags, c.high_tier, c.level_idc, c.hev1), (0, 1, 0x6000_0000, false, 93, false));
        let Ok(VideoCodec::Hevc(c)) = VideoCodec::parse("hev1.A2.4.H120.B0.00") else { panic!() };
        assert_eq!((c.profile_space, c.profile_idc, c.high_tier, c.level_idc, c.hev1, c.constraints), (1, 2, true, 120, true, Some(0xB0)));
        let Ok(VideoCodec::Hevc(c)) = VideoCodec::parse("hvc1.4.10.L93") else { panic!() };
        assert_eq!((c.profile_idc, c.constraints), (4, None));
    }

    #[test]
    fn rejects_ambiguous_and_invalid_strings() {
        for s in ["avc1", "avc1.", "avc1.64001", "avc1.64001f0", "avc1.zz001f", "avc1.12001f", "avc1.640099", "avc1.64011f", "vp9", "h264", "", "AVC1.64001f",
            "vp8.0", "VP8", "vp09", "vp09.00.10", "vp09.04.10.08", "vp09.00.10.10", "vp09.02.10.08", "vp09.00.13.08",
            "vp09.00.10.08.01", "vp09.01.10.08.01.01.01.01.00", "vp09.0.10.08", "av01", "av01.0.04M", "av01.3.04M.08",
            "av01.0.04X.08", "av01.0.4M.08", "av01.0.04M.12", "av01.0.04M.08.2", "av01.0.04M.08.0.112", "hvc1", "hvc1.1.6",
            "hvc1.D1.6.L93", "hvc1.1.6.X93", "hvc1.1.6.L", "hvc1.1.6.L93.B0.0.0.0.0.0.0", "hvc1.1.G.L93"] {
            let err = VideoCodec::parse(s).unwrap_err();
            assert_eq!(err.name(), "NotSupportedError", "{s}");
        }
    }
}
