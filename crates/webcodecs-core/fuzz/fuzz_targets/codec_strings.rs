//! Video and audio codec strings: parse() must answer Ok or Err for any
//! string, and what it accepts must answer its own questions without panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use webcodecs_core::audio::codec::AudioCodec;
use webcodecs_core::codec_string::VideoCodec;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(codec) = VideoCodec::parse(s) {
        let _ = codec.name();
        if let VideoCodec::H264(h264) = &codec {
            let _ = h264.max_frame_macroblocks();
        }
    }
    let _ = AudioCodec::parse(s);
});
