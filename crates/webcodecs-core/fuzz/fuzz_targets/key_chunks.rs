//! decode()'s key-chunk check for every codec, with and without a
//! description (the first byte chooses the codec, the second how much of the
//! rest is the description).
#![no_main]
use libfuzzer_sys::fuzz_target;
use webcodecs_core::video::decoder::VideoDecoder;
use webcodecs_core::video::keyframe;

const CODECS: [&str; 6] = ["avc1.42001e", "avc3.64001f", "hvc1.1.6.L93.B0", "vp8", "vp09.00.10.08", "av01.0.04M.08"];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let codec = CODECS[data[0] as usize % CODECS.len()];
    let rest = &data[2..];
    let split = (data[1] as usize).min(rest.len());
    let (description, chunk) = rest.split_at(split);
    let _ = VideoDecoder::is_key_chunk(codec, Some(description), chunk);
    let _ = VideoDecoder::is_key_chunk(codec, None, rest);
    let _ = keyframe::vp8(rest);
    let _ = keyframe::vp9(rest);
    let _ = keyframe::av1(rest);
});
