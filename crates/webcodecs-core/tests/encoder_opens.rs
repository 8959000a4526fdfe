//! How often the video encoder is opened: a configuration that opened once
//! (isConfigSupported) is not opened again for another support check or for
//! configure(); the first frame opens it with its own colour space. Its own
//! test binary, so that no other test opens encoders meanwhile.

use webcodecs_core::video::color::ColorSpace;
use webcodecs_core::video::encoder::{encoder_opens, BitrateMode, EncodeInput, EncoderConfig, VideoEncoder};
use webcodecs_core::video::frame::{Frame, Rect};
use webcodecs_core::video::pixel::PixelFormat;
use webcodecs_core::worker::Processor;

fn config(width: u32, height: u32) -> EncoderConfig {
    EncoderConfig {
        codec: "vp8".into(),
        width,
        height,
        display_width: width,
        display_height: height,
        bitrate: Some(300_000),
        framerate: Some(30.0),
        bitrate_mode: BitrateMode::Variable,
        realtime: true,
        annexb: false,
        prefer_hardware: false,
        keep_alpha: false,
        scalability_mode: None,
        content_hint: None,
    }
}

fn frame(width: u32, height: u32) -> EncodeInput {
    EncodeInput {
        frame: Frame::alloc(PixelFormat::I420, width, height).unwrap(),
        visible: Rect { x: 0, y: 0, width, height },
        color: ColorSpace::from_names(Some("bt709"), Some("bt709"), Some("bt709"), Some(false)),
        timestamp: 0,
        duration: None,
        key_frame: true,
        quantizer: None,
    }
}

#[test]
fn a_configuration_known_to_open_is_opened_once_more_by_its_first_frame_only() {
    let known = config(352, 288);
    let start = encoder_opens();
    VideoEncoder::check_support(&known).unwrap();
    assert_eq!(encoder_opens(), start + 1);
    VideoEncoder::check_support(&known).unwrap();
    VideoEncoder::check_support(&known).unwrap();
    assert_eq!(encoder_opens(), start + 1, "support checks of a known configuration open nothing");

    let mut encoder = VideoEncoder::default();
    encoder.configure(known.clone()).unwrap();
    assert_eq!(encoder_opens(), start + 1, "configure() of a known configuration opens nothing");
    let mut chunks = Vec::new();
    encoder.process(frame(352, 288), &mut |c| chunks.push(c)).unwrap();
    encoder.flush(&mut |c| chunks.push(c)).unwrap();
    assert_eq!(encoder_opens(), start + 2, "the first frame opens the encoder");
    assert_eq!(chunks.len(), 1);
    assert!(chunks[0].key && chunks[0].decoder_config.is_some());

    // An unknown configuration is opened (and so checked) at configure().
    let other = config(176, 144);
    encoder.configure(other).unwrap();
    assert_eq!(encoder_opens(), start + 3);
    let mut bad = config(176, 144);
    bad.codec = "vp8.bogus".into();
    assert_eq!(encoder.configure(bad).unwrap_err().name(), "NotSupportedError");
}
