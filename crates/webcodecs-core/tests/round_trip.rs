//! Encoder → decoder through the worker threads for every codec, checked by
//! PSNR, key flags against the bitstream and timestamps; and the H.264
//! decoder on a real Annex B stream.

use std::sync::mpsc;

use webcodecs_core::video::color::ColorSpace;
use webcodecs_core::video::decoder::{DecodeInput, DecodedFrame, DecoderConfig, VideoDecoder};
use webcodecs_core::video::encoder::{BitrateMode, EncodeInput, EncodedChunk, EncoderConfig, VideoEncoder};
use webcodecs_core::video::frame::{Frame, PlaneLayout, Rect};
use webcodecs_core::video::h264;
use webcodecs_core::video::pixel::PixelFormat;
use webcodecs_core::worker::{Command, Worker};

mod common;
use common::{until_flushed, ToChannel};

const W: u32 = 320;
const H: u32 = 240;

/// A moving gradient with a bright square, I420, tightly packed.
fn pattern(i: u32) -> Vec<u8> {
    let mut buf = vec![0u8; (W * H * 3 / 2) as usize];
    for y in 0..H {
        for x in 0..W {
            let inside = (x + 4 * i) % W < 64 && y > 80 && y < 144;
            buf[(y * W + x) as usize] = if inside { 235 } else { (16 + (x + y + 2 * i) % 200) as u8 };
        }
    }
    for y in 0..H / 2 {
        for x in 0..W / 2 {
            buf[(W * H + y * W / 2 + x) as usize] = (64 + (x + i) % 128) as u8;
            buf[(W * H * 5 / 4 + y * W / 2 + x) as usize] = (64 + (y + i) % 128) as u8;
        }
    }
    buf
}

fn i420_layout() -> [PlaneLayout; 3] {
    [PlaneLayout { offset: 0, stride: W as usize }, PlaneLayout { offset: (W * H) as usize, stride: (W / 2) as usize }, PlaneLayout { offset: (W * H * 5 / 4) as usize, stride: (W / 2) as usize }]
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a.iter().zip(b).map(|(x, y)| (*x as f64 - *y as f64).powi(2)).sum::<f64>() / a.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-10)).log10()
}

fn encode(annexb: bool, frames: u32) -> Vec<EncodedChunk> {
    encode_with("avc1.42001f", annexb, frames)
}

fn encode_with(codec: &str, annexb: bool, frames: u32) -> Vec<EncodedChunk> {
    let (tx, rx) = mpsc::channel();
    let worker = Worker::spawn("enc", VideoEncoder::default(), ToChannel(tx)).unwrap();
    let config = EncoderConfig {
        codec: codec.into(),
        width: W, height: H, display_width: W, display_height: H,
        bitrate: Some(2_000_000), framerate: Some(30.0),
        bitrate_mode: BitrateMode::Variable, realtime: false, annexb,
        prefer_hardware: false, keep_alpha: false, scalability_mode: None, content_hint: None,
    };
    worker.send(Command::Configure(config)).unwrap();
    for i in 0..frames {
        let frame = Frame::from_bytes(PixelFormat::I420, W, H, &pattern(i), &i420_layout()).unwrap();
        worker.send(Command::Process(EncodeInput {
            frame, visible: Rect { x: 0, y: 0, width: W, height: H }, color: ColorSpace::default(),
            timestamp: i as i64 * 33_333, duration: Some(33_333), key_frame: i == 10, quantizer: None,
        })).unwrap();
    }
    worker.send(Command::Flush(1)).unwrap();
    until_flushed(&rx, 1)
}

fn decode(description: Option<Vec<u8>>, chunks: Vec<(Vec<u8>, i64, Option<i64>)>) -> Vec<DecodedFrame> {
    decode_with("avc1.64000d", description, chunks)
}

fn decode_with(codec: &str, description: Option<Vec<u8>>, chunks: Vec<(Vec<u8>, i64, Option<i64>)>) -> Vec<DecodedFrame> {
    let (tx, rx) = mpsc::channel();
    let worker = Worker::spawn("dec", VideoDecoder::default(), ToChannel(tx)).unwrap();
    let codec = codec.into();
    worker.send(Command::Configure(DecoderConfig { codec, description, optimize_for_latency: false, prefer_hardware: false })).unwrap();
    for (data, timestamp, duration) in chunks {
        worker.send(Command::Process(DecodeInput { data, timestamp, duration })).unwrap();
    }
    worker.send(Command::Flush(9)).unwrap();
    until_flushed(&rx, 9)
}

#[test]
fn avc_round_trip_keeps_timestamps_and_pixels() {
    let chunks = encode(false, 30);
    assert_eq!(chunks.len(), 30);
    let config = chunks[0].decoder_config.clone().expect("first chunk carries the decoder config");
    assert_eq!(config.codec, "avc1.42001f", "the configured codec string");
    assert!(chunks[1..].iter().all(|c| c.decoder_config.is_none()));
    assert!(chunks[0].key && chunks[10].key, "frame 10 was asked to be a key frame");
    let description = config.description.expect("avc format has an avcC");
    assert_eq!(h264::avcc_length_size(&description), Some(4));
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c.timestamp, i as i64 * 33_333);
        assert_eq!(c.duration, Some(33_333));
        let nals = h264::split_avc(&c.data, 4).expect("length-prefixed");
        assert!(nals.iter().all(|n| h264::nal_type(n) != h264::NAL_SPS), "avc1 keeps SPS out of band");
    }
    let frames = decode(Some(description), chunks.iter().map(|c| (c.data.clone(), c.timestamp, c.duration)).collect());
    assert_eq!(frames.len(), 30);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.timestamp, i as i64 * 33_333);
        assert_eq!(f.duration, Some(33_333));
        assert_eq!((f.info.format, f.info.visible.width, f.info.visible.height), (PixelFormat::I420, W, H));
        let mut out = vec![0u8; (W * H * 3 / 2) as usize];
        f.frame.copy_to(&mut out, f.info.visible, &i420_layout()).unwrap();
        let db = psnr(&out, &pattern(i as u32));
        assert!(db >= 35.0, "frame {i}: PSNR {db:.1} dB");
    }
}

/// Encodes 20 frames with `codec` (frame 10 a requested key frame), decodes
/// them, and checks keys, timestamps, the decoder config and PSNR.
fn round_trip(codec: &str, annexb: bool) -> Option<Vec<u8>> {
    let chunks = encode_with(codec, annexb, 20);
    assert_eq!(chunks.len(), 20, "{codec}");
    let config = chunks[0].decoder_config.clone().expect("first chunk carries the decoder config");
    assert_eq!(config.codec, codec);
    assert!(chunks[1..].iter().all(|c| c.decoder_config.is_none()), "{codec}: one decoder config");
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c.key, i == 0 || i == 10, "{codec}: chunk {i} key flag");
        assert_eq!(c.key, VideoDecoder::is_key_chunk(codec, config.description.as_deref(), &c.data), "{codec}: chunk {i} bitstream");
        assert_eq!(c.timestamp, i as i64 * 33_333);
    }
    let description = config.description.clone();
    let frames = decode_with(codec, description, chunks.iter().map(|c| (c.data.clone(), c.timestamp, c.duration)).collect());
    assert_eq!(frames.len(), 20, "{codec}");
    let mut total = 0.0;
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.timestamp, i as i64 * 33_333);
        assert_eq!(f.duration, Some(33_333));
        assert_eq!((f.info.format, f.info.visible.width, f.info.visible.height), (PixelFormat::I420, W, H), "{codec}");
        let mut out = vec![0u8; (W * H * 3 / 2) as usize];
        f.frame.copy_to(&mut out, f.info.visible, &i420_layout()).unwrap();
        let db = psnr(&out, &pattern(i as u32));
        assert!(db >= 30.0, "{codec} frame {i}: PSNR {db:.1} dB");
        total += db;
    }
    assert!(total / 20.0 >= 35.0, "{codec}: mean PSNR {:.1} dB", total / 20.0);
    config.description
}

#[test]
fn vp8_vp9_av1_round_trip() {
    for codec in ["vp8", "vp09.00.10.08", "av01.0.04M.08"] {
        assert_eq!(round_trip(codec, false), None, "{codec} has no description");
    }
}

#[test]
fn hevc_round_trips_with_hvcc_and_annexb() {
    // The LGPL build has no HEVC encoder; it must then say so.
    if webcodecs_core::av::find_encoder("libx265").is_none() {
        let config = EncoderConfig {
            codec: "hvc1.1.6.L93.B0".into(), width: W, height: H, display_width: W, display_height: H, bitrate: None,
            framerate: None, bitrate_mode: BitrateMode::Variable, realtime: false, annexb: false,
            prefer_hardware: false, keep_alpha: false, scalability_mode: None, content_hint: None,
        };
        assert_eq!(VideoEncoder::check_support(&config).unwrap_err().name(), "NotSupportedError");
        return;
    }
    let hvcc = round_trip("hvc1.1.6.L93.B0", false).expect("hevc format has an hvcC");
    assert_eq!(webcodecs_core::video::hevc::hvcc_length_size(&hvcc), Some(4));
    assert_eq!(hvcc[1] & 0x1f, 1, "Main profile");
    assert_eq!(round_trip("hev1.1.6.L93.B0", true), None);
}

#[test]
fn annexb_output_carries_parameter_sets_in_band() {
    let chunks = encode(true, 5);
    assert_eq!(chunks.len(), 5);
    assert!(chunks[0].decoder_config.as_ref().unwrap().description.is_none());
    let nals = h264::split_annexb(&chunks[0].data);
    assert!(nals.iter().any(|n| h264::nal_type(n) == h264::NAL_SPS));
    let frames = decode(None, chunks.into_iter().map(|c| (c.data, c.timestamp, c.duration)).collect());
    assert_eq!(frames.len(), 5);
}

/// Splits an Annex B stream into access units: a new one starts at an AUD,
/// SPS, or a slice whose first_mb_in_slice is 0 after a slice was seen.
fn access_units(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut units: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut has_slice = false;
    for nal in h264::split_annexb(stream) {
        let t = h264::nal_type(nal);
        let first_slice = matches!(t, 1 | 5) && nal.get(1).is_some_and(|b| b & 0x80 != 0);
        if has_slice && (first_slice || matches!(t, 6..=9)) {
            units.push(std::mem::take(&mut current));
            has_slice = false;
        }
        has_slice |= matches!(t, 1 | 5);
        current.extend_from_slice(&[0, 0, 0, 1]);
        current.extend_from_slice(nal);
    }
    if !current.is_empty() {
        units.push(current);
    }
    units
}

#[test]
fn decodes_the_reference_annexb_clip() {
    let stream = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/fixtures/h264.annexb")).unwrap();
    let units = access_units(&stream);
    assert_eq!(units.len(), 10);
    assert!(VideoDecoder::is_key_chunk("avc1.42001e", None, &units[0]));
    assert!(!VideoDecoder::is_key_chunk("avc1.42001e", None, &units[1]));
    let frames = decode(None, units.into_iter().enumerate().map(|(i, u)| (u, i as i64 * 100_000, Some(100_000))).collect());
    assert_eq!(frames.len(), 10);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!((f.info.coded_width, f.info.coded_height), (320, 240));
        assert_eq!(f.timestamp, i as i64 * 100_000);
    }
}
