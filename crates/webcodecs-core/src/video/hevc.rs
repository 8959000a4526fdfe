//! HEVC bitstream plumbing: NAL unit types, key-chunk detection and the
//! HEVCDecoderConfigurationRecord (hvcC). Framing (Annex B and
//! length-prefixed) is the same as H.264's, in `h264`.

use super::h264::{unescape, BitReader};

pub const NAL_VPS: u8 = 32;
pub const NAL_SPS: u8 = 33;
pub const NAL_PPS: u8 = 34;
pub const NAL_AUD: u8 = 35;
pub const NAL_PREFIX_SEI: u8 = 39;
pub const NAL_SUFFIX_SEI: u8 = 40;

pub fn nal_type(nal: &[u8]) -> u8 {
    nal.first().map(|b| (b >> 1) & 0x3f).unwrap_or(0)
}

/// Whether a chunk's NAL units can start decoding: an IRAP picture (BLA,
/// IDR, CRA) or parameter sets.
pub fn is_key(nals: &[&[u8]]) -> bool {
    nals.iter().any(|nal| matches!(nal_type(nal), 16..=23 | NAL_VPS | NAL_SPS | NAL_PPS))
}

/// The fields of a sequence parameter set the hvcC record repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpsInfo {
    /// general_profile_space .. general_level_idc: 12 bytes, as in the SPS.
    pub profile_tier_level: [u8; 12],
    pub max_sub_layers: u8,
    pub temporal_id_nesting: bool,
    pub chroma_format_idc: u32,
    pub bit_depth_luma: u32,
    pub bit_depth_chroma: u32,
}

pub fn parse_sps(nal: &[u8]) -> Option<SpsInfo> {
    if nal_type(nal) != NAL_SPS || nal.len() < 16 {
        return None;
    }
    let rbsp = unescape(&nal[2..]);
    let mut bits = BitReader { data: &rbsp, pos: 0 };
    bits.bits(4)?; // sps_video_parameter_set_id
    let max_sub_layers_minus1 = bits.bits(3)?;
    let temporal_id_nesting = bits.bit()? == 1;
    let profile_tier_level: [u8; 12] = rbsp.get(1..13)?.try_into().ok()?;
    bits.pos += 96;
    let mut present = Vec::new();
    for _ in 0..max_sub_layers_minus1 {
        present.push((bits.bit()?, bits.bit()?));
    }
    if max_sub_layers_minus1 > 0 {
        bits.pos += 2 * (8 - max_sub_layers_minus1 as usize);
    }
    for (profile, level) in present {
        bits.pos += 88 * profile as usize + 8 * level as usize;
    }
    bits.ue()?; // sps_seq_parameter_set_id
    let chroma_format_idc = bits.ue()?;
    if chroma_format_idc == 3 {
        bits.bit()?; // separate_colour_plane_flag
    }
    bits.ue()?; // pic_width_in_luma_samples
    bits.ue()?; // pic_height_in_luma_samples
    if bits.bit()? == 1 {
        for _ in 0..4 {
            bits.ue()?; // conformance window offsets
        }
    }
    let bit_depth_luma = bits.ue()? + 8;
    let bit_depth_chroma = bits.ue()? + 8;
    Some(SpsInfo {
        profile_tier_level,
        max_sub_layers: max_sub_layers_minus1 as u8 + 1,
        temporal_id_nesting,
        chroma_format_idc,
        bit_depth_luma,
        bit_depth_chroma,
    })
}

/// Builds an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1) with
/// 4-byte NAL lengths from the stream's parameter sets (and SEI, if any
/// precede the first picture, they stay in band).
pub fn build_hvcc(vps: &[&[u8]], sps: &[&[u8]], pps: &[&[u8]]) -> Option<Vec<u8>> {
    let info = parse_sps(sps.first()?)?;
    let mut out = vec![1];
    out.extend_from_slice(&info.profile_tier_level);
    out.extend_from_slice(&[0xf0, 0x00]); // min_spatial_segmentation_idc 0
    out.push(0xfc); // parallelismType unknown
    out.push(0xfc | (info.chroma_format_idc as u8 & 3));
    out.push(0xf8 | ((info.bit_depth_luma - 8) as u8 & 7));
    out.push(0xf8 | ((info.bit_depth_chroma - 8) as u8 & 7));
    out.extend_from_slice(&[0, 0]); // avgFrameRate unspecified
    // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3.
    out.push((info.max_sub_layers & 7) << 3 | (info.temporal_id_nesting as u8) << 2 | 3);
    let arrays = [(NAL_VPS, vps), (NAL_SPS, sps), (NAL_PPS, pps)];
    out.push(arrays.iter().filter(|(_, nals)| !nals.is_empty()).count() as u8);
    for (kind, nals) in arrays.iter().filter(|(_, nals)| !nals.is_empty()) {
        out.push(0x80 | kind); // array_completeness: every set of this type is here
        out.extend_from_slice(&(nals.len() as u16).to_be_bytes());
        for nal in nals.iter() {
            out.extend_from_slice(&(nal.len() as u16).to_be_bytes());
            out.extend_from_slice(nal);
        }
    }
    Some(out)
}

/// The NAL length size an hvcC record declares, if it is one.
pub fn hvcc_length_size(hvcc: &[u8]) -> Option<usize> {
    if hvcc.len() < 23 || hvcc[0] != 1 {
        return None;
    }
    match (hvcc[21] & 3) + 1 {
        3 => None,
        n => Some(n as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Main profile, level 3.1 (93), 4:2:0 8-bit, 1280x720: x265's SPS.
    const SPS: [u8; 43] = [
        0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x5d, 0xa0, 0x02,
        0x80, 0x80, 0x2d, 0x16, 0x59, 0x59, 0xa4, 0x93, 0x2b, 0xc0, 0x5a, 0x02, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03,
        0x00, 0x32, 0x10,
    ];

    #[test]
    fn reads_the_sps_head() {
        let info = parse_sps(&SPS).unwrap();
        assert_eq!(info.profile_tier_level[0], 0x01); // space 0, main tier, profile 1
        assert_eq!(info.profile_tier_level[11], 93);
        assert_eq!((info.max_sub_layers, info.chroma_format_idc, info.bit_depth_luma), (1, 1, 8));
    }

    #[test]
    fn hvcc_has_the_record_layout() {
        let vps = [0x40, 0x01, 0x0c];
        let pps = [0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40];
        let hvcc = build_hvcc(&[&vps], &[&SPS], &[&pps]).unwrap();
        assert_eq!(hvcc[0], 1);
        assert_eq!(hvcc[12], 93);
        assert_eq!(hvcc_length_size(&hvcc), Some(4));
        assert_eq!(hvcc[22], 3);
        assert_eq!(&hvcc[23..26], &[0x80 | NAL_VPS, 0, 1]);
        assert_eq!(hvcc.len(), 23 + 3 * 5 + vps.len() + SPS.len() + pps.len());
        assert!(is_key(&[&SPS]));
        assert!(!is_key(&[&[0x02, 0x01, 0xd0][..]]));
    }
}
