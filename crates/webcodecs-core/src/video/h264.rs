//! H.264 bitstream plumbing: Annex B and length-prefixed ("avc") framing, the
//! AVCDecoderConfigurationRecord (avcC), and key-chunk detection.

pub const NAL_SLICE: u8 = 1;
pub const NAL_IDR: u8 = 5;
pub const NAL_SEI: u8 = 6;
pub const NAL_SPS: u8 = 7;
pub const NAL_PPS: u8 = 8;
pub const NAL_AUD: u8 = 9;
const SEI_RECOVERY_POINT: u8 = 6;

pub fn nal_type(nal: &[u8]) -> u8 {
    nal.first().map(|b| b & 0x1f).unwrap_or(0)
}

/// The NAL units of an Annex B byte stream, without start codes.
pub fn split_annexb(data: &[u8]) -> Vec<&[u8]> {
    let mut nals = Vec::new();
    let mut i = 0;
    let mut start = None;
    while i + 2 < data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            if let Some(s) = start {
                nals.push(trim_trailing_zeros(&data[s..i]));
            }
            i += 3;
            start = Some(i);
        } else {
            i += 1;
        }
    }
    if let Some(s) = start {
        nals.push(trim_trailing_zeros(&data[s..]));
    }
    nals.retain(|n| !n.is_empty());
    nals
}

fn trim_trailing_zeros(mut nal: &[u8]) -> &[u8] {
    while let [rest @ .., 0] = nal {
        nal = rest;
    }
    nal
}

/// The NAL units of a length-prefixed sample; `None` if a length overruns.
pub fn split_avc(data: &[u8], length_size: usize) -> Option<Vec<&[u8]>> {
    let mut nals = Vec::new();
    let mut i = 0;
    while i < data.len() {
        if i + length_size > data.len() {
            return None;
        }
        let len = data[i..i + length_size].iter().fold(0usize, |acc, b| acc << 8 | *b as usize);
        i += length_size;
        if i + len > data.len() {
            return None;
        }
        nals.push(&data[i..i + len]);
        i += len;
    }
    Some(nals)
}

/// Writes NAL units with 4-byte big-endian lengths.
pub fn write_avc(nals: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nals.iter().map(|n| n.len() + 4).sum());
    for nal in nals {
        out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
        out.extend_from_slice(nal);
    }
    out
}

/// Whether a chunk's NAL units can start decoding: an IDR slice, parameter
/// sets, or a recovery-point SEI (open-GOP key frames).
pub fn is_key(nals: &[&[u8]]) -> bool {
    nals.iter().any(|nal| match nal_type(nal) {
        NAL_IDR | NAL_SPS | NAL_PPS => true,
        NAL_SEI => nal.get(1) == Some(&SEI_RECOVERY_POINT),
        _ => false,
    })
}

/// The fields of a sequence parameter set the avcC record repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpsInfo {
    pub profile_idc: u8,
    pub constraint_flags: u8,
    pub level_idc: u8,
    pub chroma_format_idc: u32,
    pub bit_depth_luma: u32,
    pub bit_depth_chroma: u32,
}

fn has_chroma_info(profile_idc: u8) -> bool {
    matches!(profile_idc, 100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135)
}

/// Reads the head of an SPS NAL unit (header byte included).
pub fn parse_sps(nal: &[u8]) -> Option<SpsInfo> {
    if nal_type(nal) != NAL_SPS || nal.len() < 4 {
        return None;
    }
    let rbsp = unescape(&nal[1..]);
    // Emulation-prevention bytes removed, fewer than the three head bytes
    // may be left.
    let &[profile_idc, constraint_flags, level_idc, ..] = rbsp.as_slice() else { return None };
    let mut bits = BitReader { data: &rbsp, pos: 24 };
    bits.ue()?; // seq_parameter_set_id
    let mut info = SpsInfo { profile_idc, constraint_flags, level_idc, chroma_format_idc: 1, bit_depth_luma: 8, bit_depth_chroma: 8 };
    if has_chroma_info(profile_idc) {
        info.chroma_format_idc = bits.ue()?;
        if info.chroma_format_idc == 3 {
            bits.bit()?; // separate_colour_plane_flag
        }
        info.bit_depth_luma = bits.ue()? + 8;
        info.bit_depth_chroma = bits.ue()? + 8;
    }
    Some(info)
}

/// Removes emulation-prevention bytes (00 00 03 → 00 00).
pub(crate) fn unescape(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut zeros = 0;
    for &b in data {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

pub(crate) struct BitReader<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

impl BitReader<'_> {
    pub fn bits(&mut self, n: u32) -> Option<u32> {
        let mut value = 0;
        for _ in 0..n {
            value = value << 1 | self.bit()?;
        }
        Some(value)
    }

    pub fn bit(&mut self) -> Option<u32> {
        let byte = *self.data.get(self.pos / 8)?;
        let bit = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Some(bit as u32)
    }

    pub fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let mut value = 1u64;
        for _ in 0..zeros {
            value = value << 1 | self.bit()? as u64;
        }
        Some((value - 1) as u32)
    }
}

/// Builds an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) with
/// 4-byte NAL lengths.
pub fn build_avcc(sps: &[&[u8]], pps: &[&[u8]]) -> Option<Vec<u8>> {
    let info = parse_sps(sps.first()?)?;
    let mut out = vec![1, info.profile_idc, info.constraint_flags, info.level_idc, 0xfc | 3, 0xe0 | sps.len() as u8];
    for s in sps {
        out.extend_from_slice(&(s.len() as u16).to_be_bytes());
        out.extend_from_slice(s);
    }
    out.push(pps.len() as u8);
    for p in pps {
        out.extend_from_slice(&(p.len() as u16).to_be_bytes());
        out.extend_from_slice(p);
    }
    if has_chroma_info(info.profile_idc) {
        out.push(0xfc | info.chroma_format_idc as u8 & 3);
        out.push(0xf8 | (info.bit_depth_luma - 8) as u8 & 7);
        out.push(0xf8 | (info.bit_depth_chroma - 8) as u8 & 7);
        out.push(0); // no SPS extensions
    }
    Some(out)
}

/// The NAL length size an avcC record declares, if it is one.
pub fn avcc_length_size(avcc: &[u8]) -> Option<usize> {
    if avcc.len() < 7 || avcc[0] != 1 {
        return None;
    }
    match (avcc[4] & 3) + 1 {
        3 => None,
        n => Some(n as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The head of a High-profile, level 3.1, 4:2:0 8-bit SPS and a PPS.
    const SPS: [u8; 25] = [0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x6a, 0x02, 0x02, 0x02, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x1e, 0x07];
    const PPS: [u8; 6] = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];

    #[test]
    fn splits_annexb_with_three_and_four_byte_start_codes() {
        let mut stream = vec![0, 0, 0, 1];
        stream.extend_from_slice(&SPS);
        stream.extend_from_slice(&[0, 0, 1]);
        stream.extend_from_slice(&PPS);
        stream.extend_from_slice(&[0, 0, 0, 1, 0x65, 0x88, 0x00]);
        let nals = split_annexb(&stream);
        assert_eq!(nals.len(), 3);
        assert_eq!(nals[0], &SPS);
        assert_eq!(nals[1], &PPS);
        assert_eq!(nals[2], &[0x65, 0x88]);
        assert!(is_key(&nals[2..]));
        assert!(!is_key(&[&[0x41, 0x9a][..]]));
    }

    #[test]
    fn sps_shorter_than_its_head_after_unescaping_is_refused() {
        // From cargo-fuzz (nal_units): 00 00 03 unescapes to two bytes, and
        // the head read indexed past them.
        assert_eq!(parse_sps(&[0x67, 0, 0, 3]).map(|i| i.profile_idc), None);
        let stream = [0, 0, 0, 1, 0x67, 0, 0, 3, 0, 0, 1, 0x65, 0x88];
        assert!(split_annexb(&stream).iter().all(|nal| parse_sps(nal).is_none()));
    }

    #[test]
    fn avc_framing_round_trips() {
        let avc = write_avc(&[&SPS, &PPS]);
        assert_eq!(split_avc(&avc, 4).unwrap(), vec![&SPS[..], &PPS[..]]);
        assert_eq!(split_avc(&avc[..avc.len() - 1], 4), None);
    }

    #[test]
    fn avcc_carries_high_profile_fields() {
        let info = parse_sps(&SPS).unwrap();
        assert_eq!((info.profile_idc, info.level_idc, info.chroma_format_idc, info.bit_depth_luma), (100, 31, 1, 8));
        let avcc = build_avcc(&[&SPS], &[&PPS]).unwrap();
        assert_eq!(&avcc[..6], &[1, 0x64, 0x00, 0x1f, 0xff, 0xe1]);
        assert_eq!(avcc_length_size(&avcc), Some(4));
        assert_eq!(&avcc[avcc.len() - 4..], &[0xfd, 0xf8, 0xf8, 0]);
    }

    #[test]
    fn emulation_prevention_is_removed() {
        assert_eq!(unescape(&[0, 0, 3, 1, 0, 0, 3]), vec![0, 0, 1, 0, 0]);
    }
}
