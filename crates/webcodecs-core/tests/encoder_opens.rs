//! How often the video encoder is opened: a configuration that opened once
//! (isConfigSupported) is not opened again for another support check or for
//! configure(); the first frame opens it with its own colour space. Its own
//! test binary, so that no other test opens encoders meanwhile; its tests
//! take turns (`ONE_AT_A_TIME`).

use webcodecs_core::video::color::ColorSpace;
use webcodecs_core::video::encoder::{encoder_opens, last_encoder_open, BitrateMode, EncodeInput, EncoderConfig, VideoEncoder};
use webcodecs_core::video::frame::{Frame, Rect};
use webcodecs_core::video::pixel::PixelFormat;
use webcodecs_core::worker::Processor;

static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

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
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
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

/// Opens `config` at its own size (its first frame does) and encodes one
/// frame: whether this build can encode with it.
fn encodes_at_full_size(config: &EncoderConfig) -> bool {
    let mut encoder = VideoEncoder::default();
    if encoder.configure(config.clone()).is_err() {
        return false;
    }
    let mut chunks = 0;
    let opened = encoder.process(frame(16, 16), &mut |_| chunks += 1).and_then(|_| encoder.flush(&mut |_| chunks += 1));
    assert_eq!(last_encoder_open(), (config.width, config.height), "the first frame opens at the configured size");
    opened.is_ok() && chunks == 1
}

#[test]
fn libvpx_support_is_asked_of_a_small_encoder_with_the_same_answer() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let vp9 = |width, height| EncoderConfig { codec: "vp09.00.10.08".into(), ..config(width, height) };
    let cases = [
        (vp9(1920, 1080), true),
        (vp9(1921, 1081), true),
        (vp9(16384, 16), true),
        (vp9(16, 16384), true),
        (vp9(16385, 16), false),
        (vp9(16, 16385), false),
        (EncoderConfig { codec: "vp09.02.10.10".into(), ..config(1280, 720) }, true),
        (EncoderConfig { codec: "vp09.01.10.08".into(), ..config(1280, 720) }, false),
        (EncoderConfig { keep_alpha: true, ..vp9(640, 480) }, true),
        (EncoderConfig { scalability_mode: Some("L1T3".into()), ..vp9(640, 480) }, true),
        (EncoderConfig { scalability_mode: Some("L2T2".into()), ..vp9(640, 480) }, false),
        (EncoderConfig { bitrate_mode: BitrateMode::Quantizer, bitrate: None, ..vp9(640, 480) }, true),
        (EncoderConfig { content_hint: Some("text".into()), bitrate: None, ..vp9(640, 481) }, true),
        (config(16383, 16), true),
        (config(16, 16383), true),
        (config(16384, 16), false),
        (EncoderConfig { scalability_mode: Some("L1T2".into()), ..config(641, 479) }, true),
    ];
    for (config, supported) in cases {
        let label = format!("{} {}x{} {:?}", config.codec, config.width, config.height, config.scalability_mode);
        let checked = VideoEncoder::check_support(&config).is_ok();
        let (w, h) = last_encoder_open();
        if checked {
            assert!(w <= 65 && h <= 65 && w % 2 == config.width % 2 && h % 2 == config.height % 2, "{label}: checked at {w}x{h}");
        }
        assert_eq!(checked, supported, "{label}: support check");
        assert_eq!(encodes_at_full_size(&config), supported, "{label}: encoding");
    }
}
