//! The audio decoder behind `AudioDecoder`. Output keeps the decoder's own
//! sample format where WebCodecs has a name for it, as Chrome's AudioData
//! does (f32-planar from AAC, MP3, Vorbis and PCM f32, f32 from Opus, s16
//! from 16-bit FLAC and PCM, s32 from 24- and 32-bit PCM, u8 from PCM u8);
//! anything else becomes f32-planar.
//!
//! Descriptions, per the codec registrations: AAC's is the
//! AudioSpecificConfig (without one, chunks are ADTS frames); FLAC's is "fLaC"
//! and the metadata blocks (FFmpeg also decodes FLAC frames without it, and
//! Chrome calls that supported); Vorbis's the Xiph-laced headers (required:
//! nothing decodes without them); Opus's the identification header (needed
//! beyond two channels).

use ffmpeg_next::ffi;

use super::codec::{self, AudioCodec};
use super::samples::{self, SampleFormat};
use crate::av::{CodecContext, Packet};
use crate::error::{Error, Result};
use crate::recycle::{Bytes, Spares};
use crate::worker::Processor;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecoderConfig {
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    pub description: Option<Vec<u8>>,
}

pub struct DecodeInput {
    pub data: Bytes,
    pub timestamp: i64,
}

/// Decoded samples in `format` (a WebCodecs AudioSampleFormat name): planar
/// formats hold channel after channel.
pub struct DecodedAudio {
    pub format: &'static str,
    pub data: Bytes,
    pub frames: usize,
    pub channels: u32,
    pub sample_rate: u32,
    pub timestamp: i64,
}

/// Output timestamps, as Chrome's: the first chunk's timestamp after a
/// configure or flush, plus the samples output since, so outputs abut even
/// where a codec drops its priming samples (Opus pre-skip) or outputs nothing
/// for a first packet (Vorbis).
#[derive(Default)]
pub struct AudioDecoder {
    ctx: Option<CodecContext>,
    frame: Option<Frame>,
    base: Option<i64>,
    opus: bool,
    /// Samples still to drop from the start of the next outputs: Opus's
    /// pre-skip again after a flush, as Chrome's decoder starts over then
    /// (FFmpeg drops it only at the start).
    discard: usize,
    /// Samples output since `base`, and their rate.
    output_samples: i64,
    rate: i64,
    /// Output buffers back from JavaScript, for the next outputs.
    spares: Spares,
}

/// An AVFrame, freed on drop.
struct Frame(*mut ffi::AVFrame);

unsafe impl Send for Frame {}

impl Drop for Frame {
    fn drop(&mut self) {
        unsafe { ffi::av_frame_free(&mut self.0) };
    }
}

impl DecodedAudio {
    /// The samples as f32-planar (channel after channel).
    pub fn to_f32_planar(&self) -> Vec<f32> {
        let format = SampleFormat::parse(self.format).expect("a WebCodecs format");
        format.to_f32_planar(&self.data, self.channels as usize, self.frames)
    }
}

impl AudioDecoder {
    pub fn check_support(config: &DecoderConfig) -> Result<()> {
        // Without its headers a Vorbis decoder does not open; configure()
        // refuses that (check_description), but the answer here is Chrome's:
        // the codec is supported.
        let headers_missing = config.description.as_deref().is_none_or(|d| d.is_empty());
        if headers_missing && AudioCodec::parse(&config.codec) == Ok(AudioCodec::Vorbis) {
            let codec = AudioCodec::Vorbis;
            return codec::find(codec.decoder_names(), false).map(|_| ()).ok_or_else(|| Error::NotSupported("This build has no Vorbis decoder".into()));
        }
        open_decoder(config).map(|_| ())
    }

    fn output(&mut self, emit: &mut dyn FnMut(DecodedAudio)) -> Result<()> {
        let Some(ctx) = self.ctx.as_ref() else { return Ok(()) };
        let frame = self.frame.get_or_insert_with(|| Frame(unsafe { ffi::av_frame_alloc() }));
        if frame.0.is_null() {
            return Err(Error::Encoding("av_frame_alloc failed".into()));
        }
        loop {
            if !ctx.receive_frame(frame.0)? {
                return Ok(());
            }
            let f = unsafe { &*frame.0 };
            let unsupported = || Error::Encoding("The decoder output an unsupported sample format".into());
            let format = samples::from_raw(f.format).ok_or_else(unsupported)?;
            let bytes = samples::bytes_per_sample(format).ok_or_else(unsupported)?;
            let channels = f.ch_layout.nb_channels.max(0) as usize;
            let skip = self.discard.min(f.nb_samples.max(0) as usize);
            self.discard -= skip;
            let frames = f.nb_samples.max(0) as usize - skip;
            let rate = f.sample_rate.max(1) as i64;
            if rate != self.rate {
                // A new rate (e.g. HE-AAC's implicit doubling) restarts the count here.
                self.base = Some(self.base.unwrap_or(0) + rescale(self.output_samples, self.rate.max(1)));
                self.output_samples = 0;
                self.rate = rate;
            }
            let timestamp = self.base.unwrap_or(0) + rescale(self.output_samples, rate);
            self.output_samples += frames as i64;
            if frames > 0 && channels > 0 {
                let (count, width) = if samples::is_planar(format) { (channels, bytes) } else { (1, bytes * channels) };
                let planes: Vec<&[u8]> = (0..count).map(|i| unsafe { std::slice::from_raw_parts((*f.extended_data.add(i)).add(skip * width), frames * width) }).collect();
                // Chrome's decoders give interleaved floats only from Opus; FFmpeg's
                // PCM f32 decoder's interleaved floats become planar there.
                let native = SampleFormat::from_av(format).filter(|f| f.name() != "f32" || self.opus);
                let mut data = self.spares.empty();
                let format = match native {
                    // FFmpeg's own Opus decoder (the faster one) gives planar floats.
                    _ if self.opus && format == ffi::AVSampleFormat::AV_SAMPLE_FMT_FLTP => {
                        samples::interleave_into(&planes, bytes, frames, data.vec_mut());
                        "f32"
                    }
                    Some(f) => {
                        planes.iter().for_each(|p| data.extend_from_slice(p));
                        f.name()
                    }
                    // Doubles and 64-bit integers: f32-planar.
                    None => {
                        let mut out = Vec::new();
                        samples::to_f32_planar(format, &planes, channels, frames, &mut out);
                        out.iter().for_each(|v| data.extend_from_slice(&v.to_ne_bytes()));
                        "f32-planar"
                    }
                };
                emit(DecodedAudio { format, data, frames, channels: channels as u32, sample_rate: f.sample_rate as u32, timestamp });
            }
            unsafe { ffi::av_frame_unref(frame.0) };
        }
    }
}

/// `samples` at `rate` in whole microseconds, rounded down as Chrome does
/// (1024 samples at 48 kHz after -21334 µs give -1, not 0).
fn rescale(samples: i64, rate: i64) -> i64 {
    (samples as i128 * 1_000_000).div_euclid(rate as i128) as i64
}

const FLAC_STREAMINFO_SIZE: usize = 34;

/// Vorbis cannot start without its headers, and Chrome refuses FLAC without
/// its description too, but only when configuring: isConfigSupported says
/// true for both (test/oracle/audio-exactness.js).
fn check_description(config: &DecoderConfig) -> Result<()> {
    let missing = config.description.as_deref().is_none_or(|d| d.is_empty());
    match AudioCodec::parse(&config.codec) {
        Ok(AudioCodec::Vorbis) if missing => Err(Error::NotSupported("Vorbis needs a description (its three headers)".into())),
        Ok(AudioCodec::Flac) if missing => Err(Error::NotSupported("FLAC needs a description (\"fLaC\" and STREAMINFO)".into())),
        _ => Ok(()),
    }
}

fn open_decoder(config: &DecoderConfig) -> Result<CodecContext> {
    let codec = AudioCodec::parse(&config.codec)?;
    codec::find(codec.decoder_names(), false).ok_or_else(|| Error::NotSupported(format!("This build has no decoder for {:?}", config.codec)))?;
    if config.sample_rate == 0 || config.channels == 0 {
        return Err(Error::NotSupported("The sample rate and channel count must be non-zero".into()));
    }
    let description = config.description.as_deref().filter(|d| !d.is_empty());
    match (codec, description) {
        // The registration's form ("fLaC" and metadata blocks) or the bare
        // STREAMINFO that demuxers commonly hand over; Chrome takes both.
        (AudioCodec::Flac, Some(d)) if !(d.len() == FLAC_STREAMINFO_SIZE || (d.len() >= 8 + FLAC_STREAMINFO_SIZE && d.starts_with(b"fLaC"))) => {
            return Err(Error::NotSupported("The FLAC description must be \"fLaC\" and its metadata blocks, or a bare STREAMINFO".into()))
        }
        (AudioCodec::Opus, None) if config.channels > 2 => return Err(Error::NotSupported("Opus with more than two channels needs a description".into())),
        _ => {}
    }
    // The first decoder this build has that opens: FFmpeg's own Opus
    // decoder refuses an identification header shorter than OpusHead's 19
    // bytes, which libopus (and Chrome) take, ignoring it.
    let mut failure = None;
    for name in codec.decoder_names() {
        let Some(found) = codec::find(&[name], false) else { continue };
        match open_one(found, codec, config, description) {
            Ok(ctx) => return Ok(ctx),
            Err(e) => failure = Some(e),
        }
    }
    Err(failure.unwrap_or_else(|| Error::NotSupported(format!("This build has no decoder for {:?}", config.codec))))
}

fn open_one(found: *const ffi::AVCodec, codec: AudioCodec, config: &DecoderConfig, description: Option<&[u8]>) -> Result<CodecContext> {
    let ctx = CodecContext::new(found)?;
    unsafe {
        let c = ctx.raw();
        c.sample_rate = config.sample_rate as i32;
        ffi::av_channel_layout_default(&mut c.ch_layout, config.channels as i32);
        // libopus decodes to floats when asked (else to s16); Chrome's Opus
        // decoder outputs f32. (FFmpeg's own decodes to planar floats only.)
        if codec == AudioCodec::Opus {
            c.request_sample_fmt = ffi::AVSampleFormat::AV_SAMPLE_FMT_FLT;
        }
    }
    if let Some(d) = description {
        // PCM, mu-law, A-law and MP3 take none; ignore one given anyway.
        if matches!(codec, AudioCodec::Opus | AudioCodec::Aac { .. } | AudioCodec::Flac | AudioCodec::Vorbis) {
            ctx.set_extradata(d)?;
        }
    }
    ctx.open(found, &[])?;
    Ok(ctx)
}

impl Processor for AudioDecoder {
    type Config = DecoderConfig;
    type Input = DecodeInput;
    type Output = DecodedAudio;

    fn configure(&mut self, config: DecoderConfig) -> Result<()> {
        self.reset();
        check_description(&config)?;
        self.ctx = Some(open_decoder(&config)?);
        self.rate = config.sample_rate as i64;
        self.opus = AudioCodec::parse(&config.codec) == Ok(AudioCodec::Opus);
        Ok(())
    }

    fn process(&mut self, input: DecodeInput, emit: &mut dyn FnMut(DecodedAudio)) -> Result<()> {
        let ctx = self.ctx.as_ref().ok_or_else(|| Error::InvalidState("Decoder is not configured".into()))?;
        if input.data.is_empty() {
            return Err(Error::Encoding("The chunk is empty".into()));
        }
        self.base.get_or_insert(input.timestamp);
        let packet = Packet::copy_of(&input.data)?;
        unsafe {
            let p = &mut *packet.as_ptr();
            p.pts = input.timestamp;
            p.dts = input.timestamp;
        }
        ctx.send_packet(Some(&packet))?;
        self.output(emit)
    }

    fn flush(&mut self, emit: &mut dyn FnMut(DecodedAudio)) -> Result<()> {
        let Some(ctx) = self.ctx.as_ref() else { return Ok(()) };
        ctx.send_packet(None)?;
        let raw = ctx.as_ptr();
        self.output(emit)?;
        // A drained decoder takes packets again after this.
        unsafe { ffi::avcodec_flush_buffers(raw) };
        self.base = None;
        self.output_samples = 0;
        if self.opus {
            self.discard = unsafe { (*raw).delay }.max(0) as usize;
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.ctx = None;
        self.base = None;
        self.output_samples = 0;
        self.discard = 0;
    }
}
