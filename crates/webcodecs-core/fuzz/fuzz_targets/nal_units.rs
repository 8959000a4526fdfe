//! H.264 and HEVC bitstream parsing: Annex B and length-prefixed splitting,
//! SPS parsing, key-picture detection and the avcC/hvcC length-size readers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use webcodecs_core::video::{h264, hevc};

fuzz_target!(|data: &[u8]| {
    let annexb = h264::split_annexb(data);
    for nal in &annexb {
        let _ = h264::nal_type(nal);
        let _ = hevc::nal_type(nal);
        let _ = h264::parse_sps(nal);
        let _ = hevc::parse_sps(nal);
    }
    let _ = h264::is_key(&annexb);
    let _ = hevc::is_key(&annexb);
    for size in 1..=4 {
        if let Some(nals) = h264::split_avc(data, size) {
            let _ = h264::is_key(&nals);
            let _ = hevc::is_key(&nals);
            // What we write back splits into the same units.
            let written = h264::write_avc(&nals);
            assert_eq!(h264::split_avc(&written, 4).map(|n| n.len()), Some(nals.len()));
        }
    }
    let _ = h264::avcc_length_size(data);
    let _ = hevc::hvcc_length_size(data);
    if annexb.len() >= 2 {
        if let Some(avcc) = h264::build_avcc(&annexb[..1], &annexb[1..2]) {
            let _ = h264::avcc_length_size(&avcc);
        }
    }
    if annexb.len() >= 3 {
        if let Some(hvcc) = hevc::build_hvcc(&annexb[..1], &annexb[1..2], &annexb[2..3]) {
            let _ = hevc::hvcc_length_size(&hvcc);
        }
    }
});
