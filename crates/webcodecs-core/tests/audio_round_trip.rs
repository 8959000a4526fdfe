//! Audio encoder → decoder through the worker threads for every audio codec:
//! sample counts, abutting timestamps, the description each codec needs, and
//! the signal-to-noise ratio of what comes back (exact for the lossless ones).

use std::sync::mpsc;

use webcodecs_core::audio::decoder::{AudioDecoder, DecodeInput, DecodedAudio, DecoderConfig};
use webcodecs_core::audio::encoder::{AudioEncoder, EncodeInput, EncodedAudio, EncoderConfig};
use webcodecs_core::audio::samples::SampleFormat;
use webcodecs_core::worker::{Command, Processor, Worker};

mod common;
use common::{until_flushed, ToChannel};

const RATE: u32 = 48_000;

/// Two channels of tones (440 Hz and 660 Hz at half scale), f32-planar, `frames` long from sample `start`.
fn tone(start: usize, frames: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(frames * 2);
    for (ch, hz) in [440.0f64, 660.0].iter().enumerate() {
        let _ = ch;
        out.extend((start..start + frames).map(|i| (0.5 * (2.0 * std::f64::consts::PI * hz * i as f64 / RATE as f64).sin()) as f32));
    }
    out
}

/// Best SNR (dB) of `got` against `want` over lags 0..max_lag (codec delay).
fn snr(want: &[f32], got: &[f32], max_lag: usize) -> (f64, usize) {
    let mut best = (f64::MIN, 0);
    let n = want.len().min(got.len().saturating_sub(max_lag)).min(RATE as usize / 2);
    let skip = 2048.min(n / 4);
    for lag in 0..=max_lag {
        let (mut signal, mut noise) = (0.0f64, 0.0f64);
        for i in skip..n {
            let (w, g) = (want[i] as f64, got[i + lag] as f64);
            signal += w * w;
            noise += (w - g) * (w - g);
        }
        let db = if noise == 0.0 { 200.0 } else { 10.0 * (signal / noise).log10() };
        if db > best.0 {
            best = (db, lag);
        }
    }
    best
}

/// Encodes one second in uneven buffers, decodes it, returns (chunks, decoded channel 0, SNR).
fn round_trip(codec: &str, bitrate: Option<u64>) -> (Vec<EncodedAudio>, Vec<f32>, f64) {
    let (tx, rx) = mpsc::channel();
    let encoder = Worker::spawn("test-aenc", AudioEncoder::default(), ToChannel(tx)).unwrap();
    let config = EncoderConfig { codec: codec.into(), sample_rate: RATE, channels: 2, bitrate, ..Default::default() };
    encoder.send(Command::Configure(config)).unwrap();
    let mut start = 0;
    for len in [1000, 480, 4000, 7000, 333, 35187] {
        let samples = tone(start, len);
        let data = samples.iter().flat_map(|v| v.to_ne_bytes()).collect::<Vec<u8>>().into();
        encoder.send(Command::Process(EncodeInput { data, format: SampleFormat::parse("f32-planar").unwrap(), frames: len, channels: 2, sample_rate: RATE as f64, timestamp: 1_000_000 + (start as i64 * 1_000_000 / RATE as i64) })).unwrap();
        start += len;
    }
    encoder.send(Command::Flush(1)).unwrap();
    let chunks = until_flushed(&rx, 1);
    assert!(!chunks.is_empty(), "{codec}: no chunks");
    let config = chunks[0].decoder_config.clone().expect("first chunk has a decoder config");
    assert!(chunks[1..].iter().all(|c| c.decoder_config.is_none()), "{codec}: one decoder config");
    assert_eq!(chunks[0].timestamp, 1_000_000, "{codec}: first timestamp");
    for pair in chunks.windows(2) {
        assert_eq!(pair[0].timestamp + pair[0].duration, pair[1].timestamp, "{codec}: chunks abut");
    }

    let (tx, rx) = mpsc::channel();
    let decoder = Worker::spawn("test-adec", AudioDecoder::default(), ToChannel(tx)).unwrap();
    decoder
        .send(Command::Configure(DecoderConfig { codec: codec.into(), sample_rate: config.sample_rate, channels: config.channels, description: config.description.clone() }))
        .unwrap();
    for c in &chunks {
        decoder.send(Command::Process(DecodeInput { data: c.data.clone().into(), timestamp: c.timestamp })).unwrap();
    }
    decoder.send(Command::Flush(2)).unwrap();
    let decoded: Vec<DecodedAudio> = until_flushed(&rx, 2);
    let mut left = Vec::new();
    for d in &decoded {
        assert_eq!((d.channels, d.sample_rate), (2, RATE), "{codec}");
        left.extend_from_slice(&d.to_f32_planar()[..d.frames]);
    }
    let (db, _) = snr(&tone(0, start)[..start], &left, 4096);
    (chunks, left, db)
}

#[test]
fn lossless_codecs_return_the_samples() {
    for codec in ["flac", "pcm-s16", "pcm-s24", "pcm-s32", "pcm-f32"] {
        let (_, decoded, db) = round_trip(codec, None);
        assert_eq!(decoded.len(), 48_000, "{codec}: sample count");
        assert!(db > 80.0, "{codec}: SNR {db:.1} dB");
    }
    let (_, _, db) = round_trip("pcm-u8", None);
    assert!(db > 35.0, "pcm-u8: SNR {db:.1} dB");
    for codec in ["ulaw", "alaw"] {
        let (_, _, db) = round_trip(codec, None);
        assert!(db > 30.0, "{codec}: SNR {db:.1} dB");
    }
}

#[test]
fn lossy_codecs_keep_the_tones() {
    for (codec, description) in [("opus", true), ("mp4a.40.2", true), ("mp3", false), ("vorbis", true)] {
        let (chunks, decoded, db) = round_trip(codec, Some(128_000));
        assert_eq!(chunks[0].decoder_config.as_ref().unwrap().description.is_some(), description, "{codec}: description");
        assert!(decoded.len() >= 48_000, "{codec}: {} samples", decoded.len());
        assert!(db > 20.0, "{codec}: SNR {db:.1} dB");
    }
}

#[test]
fn flac_description_is_flac_marker_and_streaminfo() {
    let (chunks, _, _) = round_trip("flac", None);
    let d = chunks[0].decoder_config.as_ref().unwrap().description.clone().unwrap();
    assert_eq!(&d[..8], b"fLaC\x80\0\0\x22");
    assert_eq!(d.len(), 42);
}

#[test]
fn unsupported_rates_and_strings_are_not_supported() {
    let mp3_96k = EncoderConfig { codec: "mp3".into(), sample_rate: 96_000, channels: 2, ..Default::default() };
    assert_eq!(AudioEncoder::check_support(&mp3_96k).unwrap_err().name(), "NotSupportedError");
    // Opus resamples what it does not run at.
    assert!(AudioEncoder::check_support(&EncoderConfig { codec: "opus".into(), sample_rate: 44_100, channels: 2, ..Default::default() }).is_ok());
    let he_aac = EncoderConfig { codec: "mp4a.40.5".into(), sample_rate: 48_000, channels: 2, ..Default::default() };
    assert_eq!(AudioEncoder::check_support(&he_aac).unwrap_err().name(), "NotSupportedError");
    // Vorbis without its headers: supported, as Chrome answers; configure() refuses it.
    let vorbis_no_description = DecoderConfig { codec: "vorbis".into(), sample_rate: 48_000, channels: 2, description: None };
    assert!(AudioDecoder::check_support(&vorbis_no_description).is_ok());
    let mut decoder = AudioDecoder::default();
    assert_eq!(decoder.configure(vorbis_no_description).unwrap_err().name(), "NotSupportedError");
    assert!(AudioDecoder::check_support(&DecoderConfig { codec: "mp4a.40.5".into(), sample_rate: 44_100, channels: 2, description: None }).is_ok());
}
