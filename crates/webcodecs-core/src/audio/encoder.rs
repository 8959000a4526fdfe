//! The audio encoder behind `AudioEncoder`: libopus, FFmpeg's AAC (LC), LAME,
//! FFmpeg's FLAC, libvorbis and FFmpeg's PCM, mu-law and A-law encoders.
//!
//! Input arrives as f32-planar buffers of any length; a FIFO cuts them into
//! the encoder's frame size. Output timestamps count the samples of the
//! emitted packets from the first input's timestamp, as Chrome's do, so
//! consecutive chunks abut exactly. Opus input at a rate Opus does not run at
//! (44.1 kHz, say) is resampled to 48 kHz, and the decoder config says
//! 48000, as Chrome does.

use ffmpeg_next::ffi;

use super::codec::{self, AudioCodec};
use super::samples::{self, SampleFormat};
use crate::av::{CodecContext, Packet};
use crate::error::{Error, Result};
use crate::recycle::Bytes;
use crate::worker::Processor;

#[derive(Debug, Clone, PartialEq)]
pub struct OpusOptions {
    /// Frame duration in microseconds (2500 to 120000).
    pub frame_duration: u64,
    pub complexity: Option<u32>,
    pub packet_loss_perc: u32,
    pub in_band_fec: bool,
    pub dtx: bool,
    /// "voip", "audio" or "lowdelay".
    pub application: String,
    /// format "ogg" (Ogg pages rather than raw packets).
    pub ogg: bool,
}

impl Default for OpusOptions {
    fn default() -> Self {
        OpusOptions { frame_duration: 20_000, complexity: None, packet_loss_perc: 0, in_band_fec: false, dtx: false, application: "audio".into(), ogg: false }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EncoderConfig {
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    pub bitrate: Option<u64>,
    /// bitrateMode "constant" (the default is "variable").
    pub constant_bitrate: bool,
    pub opus: OpusOptions,
    /// aac.format "adts": each chunk carries an ADTS header and there is no description.
    pub aac_adts: bool,
    pub flac_block_size: Option<u32>,
    pub flac_compress_level: Option<u32>,
}

/// One AudioData's samples as they are in it (planes one after another when
/// planar); the codec thread converts them.
pub struct EncodeInput {
    pub data: Bytes,
    pub format: SampleFormat,
    pub frames: usize,
    pub channels: u32,
    pub sample_rate: f64,
    pub timestamp: i64,
}

/// The AudioDecoderConfig that decodes the output.
#[derive(Debug, Clone, PartialEq)]
pub struct DecoderConfigOut {
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    pub description: Option<Vec<u8>>,
}

pub struct EncodedAudio {
    pub timestamp: i64,
    pub duration: i64,
    pub data: Vec<u8>,
    pub decoder_config: Option<DecoderConfigOut>,
}

struct Open {
    ctx: CodecContext,
    /// The rate the codec runs at (the configured one unless resampled).
    rate: u32,
    resampler: Option<Resampler>,
    format: ffi::AVSampleFormat,
    /// Samples per frame the encoder needs (0: any number).
    frame_size: usize,
    /// The encoder takes a short last frame (else it is padded with silence).
    small_last_frame: bool,
    /// Every packet's duration in samples, where the codec has one: Opus
    /// chunks last a whole frame even when the last is padded, as Chrome's.
    packet_duration: Option<i64>,
    description: Option<Vec<u8>>,
    /// ADTS header fields (profile, sampling frequency index, channel configuration).
    adts: Option<(u8, u8, u8)>,
    /// Samples sent to the encoder (the next frame's pts).
    sent: i64,
    /// Samples covered by the packets emitted so far.
    emitted: i64,
    /// The timestamp of the first sample sent.
    base: Option<i64>,
    /// Opus discontinuous transmission: packets of two bytes or less need not
    /// be transmitted (libopus's words), and are not output, as in Chrome.
    dtx: bool,
}

#[derive(Default)]
pub struct AudioEncoder {
    config: Option<EncoderConfig>,
    open: Option<Open>,
    /// Samples waiting for a whole frame, per channel.
    fifo: Vec<Vec<f32>>,
    /// The last input as f32-planar (kept for its allocation).
    scratch: Vec<f32>,
    /// The description of the last decoder config emitted.
    last_description: Option<Option<Vec<u8>>>,
    packet: Option<Packet>,
}

impl AudioEncoder {
    /// "Check Configuration Support" for encoders: the encoder opens.
    pub fn check_support(config: &EncoderConfig) -> Result<()> {
        open_encoder(config).map(|_| ())
    }

    fn ensure_open(&mut self) -> Result<&mut Open> {
        if self.open.is_none() {
            let config = self.config.as_ref().ok_or_else(|| Error::InvalidState("Encoder is not configured".into()))?;
            self.open = Some(open_encoder(config)?);
        }
        Ok(self.open.as_mut().expect("opened above"))
    }

    /// Sends `frames` samples from the front of the FIFO (padding with silence
    /// up to `pad_to`), then emits the packets that are ready.
    fn send(&mut self, frames: usize, pad_to: usize, emit: &mut dyn FnMut(EncodedAudio)) -> Result<()> {
        let channels = self.fifo.len();
        let open = self.open.as_mut().expect("open");
        let n = frames.max(pad_to);
        let mut frame = AudioFrame::new(open, n)?;
        if n > frames {
            // Only the last samples are padded: nothing follows them.
            for c in &mut self.fifo {
                debug_assert_eq!(c.len(), frames);
                c.resize(n, 0.0);
            }
        }
        {
            let mut planes = frame.planes_mut(open.format, channels, n);
            samples::from_f32_planar(open.format, &self.fifo, 0, n, &mut planes);
        }
        for c in &mut self.fifo {
            c.drain(..n);
        }
        unsafe { (*frame.0).pts = open.sent };
        open.sent += n as i64;
        let ret = unsafe { ffi::avcodec_send_frame(open.ctx.as_ptr(), frame.0) };
        if ret < 0 {
            return Err(Error::ffmpeg("avcodec_send_frame", ret));
        }
        self.drain(emit)
    }

    fn drain(&mut self, emit: &mut dyn FnMut(EncodedAudio)) -> Result<()> {
        let packet = self.packet.get_or_insert_with(Packet::empty);
        let Some(open) = self.open.as_mut() else { return Ok(()) };
        let config = self.config.as_ref().expect("configured");
        let rate = open.rate as i64;
        loop {
            if !open.ctx.receive_packet(packet)? {
                return Ok(());
            }
            // FLAC ends with an empty packet that only updates STREAMINFO.
            if packet.data().is_empty() {
                packet.unref();
                continue;
            }
            let samples = open.packet_duration.unwrap_or_else(|| unsafe { (*packet.as_ptr()).duration }.max(0));
            let base = open.base.unwrap_or(0);
            let timestamp = base + rescale(open.emitted, rate);
            let duration = rescale(open.emitted + samples, rate) - rescale(open.emitted, rate);
            open.emitted += samples;
            if open.dtx && packet.data().len() <= 2 {
                packet.unref();
                continue;
            }
            let mut data = Vec::with_capacity(packet.data().len() + 7);
            if let Some((profile, freq, channels)) = open.adts {
                data.extend_from_slice(&adts_header(profile, freq, channels, packet.data().len()));
            }
            data.extend_from_slice(packet.data());
            packet.unref();
            let decoder_config = (self.last_description.as_ref() != Some(&open.description)).then(|| {
                self.last_description = Some(open.description.clone());
                DecoderConfigOut { codec: config.codec.clone(), sample_rate: open.rate, channels: config.channels, description: open.description.clone() }
            });
            emit(EncodedAudio { timestamp, duration, data, decoder_config });
        }
    }
}

/// `samples` at `rate` in microseconds, rounded to nearest.
fn rescale(samples: i64, rate: i64) -> i64 {
    ((samples as i128 * 1_000_000 + rate as i128 / 2) / rate as i128) as i64
}

/// The 7-byte ADTS header (no CRC) of a raw AAC frame of `payload` bytes.
fn adts_header(profile: u8, freq: u8, channels: u8, payload: usize) -> [u8; 7] {
    let len = payload + 7;
    [
        0xff,
        0xf1,
        (profile << 6) | (freq << 2) | (channels >> 2),
        ((channels & 3) << 6) | ((len >> 11) as u8 & 3),
        (len >> 3) as u8,
        ((len as u8 & 7) << 5) | 0x1f,
        0xfc,
    ]
}

/// An AVFrame with sample buffers, freed on drop.
struct AudioFrame(*mut ffi::AVFrame);

impl Drop for AudioFrame {
    fn drop(&mut self) {
        unsafe { ffi::av_frame_free(&mut self.0) };
    }
}

impl AudioFrame {
    fn new(open: &Open, samples: usize) -> Result<AudioFrame> {
        let frame = AudioFrame(unsafe { ffi::av_frame_alloc() });
        if frame.0.is_null() {
            return Err(Error::Encoding("av_frame_alloc failed".into()));
        }
        unsafe {
            let f = &mut *frame.0;
            let c = open.ctx.raw();
            f.nb_samples = samples as i32;
            f.format = open.format as i32;
            f.sample_rate = c.sample_rate;
            let ret = ffi::av_channel_layout_copy(&mut f.ch_layout, &c.ch_layout);
            if ret < 0 {
                return Err(Error::ffmpeg("av_channel_layout_copy", ret));
            }
            let ret = ffi::av_frame_get_buffer(frame.0, 0);
            if ret < 0 {
                return Err(Error::ffmpeg("av_frame_get_buffer", ret));
            }
        }
        Ok(frame)
    }

    fn planes_mut(&mut self, format: ffi::AVSampleFormat, channels: usize, samples: usize) -> Vec<&mut [u8]> {
        let bytes = samples::bytes_per_sample(format).unwrap_or(4);
        let (count, len) = if samples::is_planar(format) { (channels, samples * bytes) } else { (1, samples * bytes * channels) };
        (0..count).map(|i| unsafe { std::slice::from_raw_parts_mut(*(*self.0).extended_data.add(i), len) }).collect()
    }
}

/// libswresample converting f32-planar from one rate to another, freed on drop.
struct Resampler {
    swr: *mut ffi::SwrContext,
    channels: usize,
}

unsafe impl Send for Resampler {}

impl Drop for Resampler {
    fn drop(&mut self) {
        unsafe { ffi::swr_free(&mut self.swr) };
    }
}

impl Resampler {
    fn new(channels: u32, in_rate: u32, out_rate: u32) -> Result<Resampler> {
        let mut swr: *mut ffi::SwrContext = std::ptr::null_mut();
        unsafe {
            let mut layout: ffi::AVChannelLayout = std::mem::zeroed();
            ffi::av_channel_layout_default(&mut layout, channels as i32);
            let fmt = ffi::AVSampleFormat::AV_SAMPLE_FMT_FLTP;
            let ret = ffi::swr_alloc_set_opts2(&mut swr, &mut layout, fmt, out_rate as i32, &mut layout, fmt, in_rate as i32, 0, std::ptr::null_mut());
            ffi::av_channel_layout_uninit(&mut layout);
            if ret < 0 || swr.is_null() {
                return Err(Error::NotSupported(format!("Cannot resample {in_rate} Hz to {out_rate} Hz")));
            }
            let resampler = Resampler { swr, channels: channels as usize };
            let ret = ffi::swr_init(swr);
            if ret < 0 {
                return Err(Error::NotSupported(format!("Cannot resample {in_rate} Hz to {out_rate} Hz")));
            }
            Ok(resampler)
        }
    }

    /// Converts `frames` f32-planar samples (None drains the filter), appending to `fifo`.
    fn convert(&mut self, input: Option<(&[f32], usize)>, fifo: &mut [Vec<f32>]) -> Result<()> {
        let frames = input.map_or(0, |(_, n)| n);
        let room = unsafe { ffi::swr_get_out_samples(self.swr, frames as i32) }.max(0) as usize + 16;
        let mut out: Vec<Vec<f32>> = vec![vec![0.0; room]; self.channels];
        let mut out_ptrs: Vec<*mut u8> = out.iter_mut().map(|c| c.as_mut_ptr() as *mut u8).collect();
        let mut in_ptrs: Vec<*const u8> = match input {
            Some((samples, n)) => (0..self.channels).map(|ch| samples[ch * n..].as_ptr() as *const u8).collect(),
            None => Vec::new(),
        };
        let got = unsafe {
            ffi::swr_convert(
                self.swr,
                out_ptrs.as_mut_ptr(),
                room as i32,
                if input.is_some() { in_ptrs.as_mut_ptr() } else { std::ptr::null_mut() },
                frames as i32,
            )
        };
        if got < 0 {
            return Err(Error::ffmpeg("swr_convert", got));
        }
        for (ch, samples) in out.iter().enumerate() {
            fifo[ch].extend_from_slice(&samples[..got as usize]);
        }
        Ok(())
    }
}

/// The sample format an encoder is fed: float where it takes it (libopus
/// lists 16-bit first, LAME 32-bit integer), as AudioData's samples are
/// commonly f32 and the ffmpeg CLI feeds those encoders float too; otherwise
/// (and for the lossless encoders) the encoder's first choice.
fn input_format(codec: *const ffi::AVCodec) -> Option<ffi::AVSampleFormat> {
    let formats = sample_formats(codec);
    let float = [ffi::AVSampleFormat::AV_SAMPLE_FMT_FLT, ffi::AVSampleFormat::AV_SAMPLE_FMT_FLTP];
    formats.iter().find(|f| float.contains(f) && !is_lossless(codec)).or_else(|| formats.first()).copied()
}

/// FLAC and PCM keep their integer formats: their output is the samples.
fn is_lossless(codec: *const ffi::AVCodec) -> bool {
    let name = crate::av::codec_name(codec);
    name == "flac" || name.starts_with("pcm_")
}

/// The encoder's sample formats (FFmpeg 7.1 still lists them on the codec).
#[allow(deprecated)]
fn sample_formats(codec: *const ffi::AVCodec) -> Vec<ffi::AVSampleFormat> {
    let mut out = Vec::new();
    unsafe {
        let mut p = (*codec).sample_fmts;
        while !p.is_null() && *p != ffi::AVSampleFormat::AV_SAMPLE_FMT_NONE {
            out.push(*p);
            p = p.add(1);
        }
    }
    out
}

/// The sample rates the encoder takes, or None for any.
#[allow(deprecated)]
fn sample_rates(codec: *const ffi::AVCodec) -> Option<Vec<i32>> {
    let mut p = unsafe { (*codec).supported_samplerates };
    if p.is_null() {
        return None;
    }
    let mut out = Vec::new();
    unsafe {
        while *p != 0 {
            out.push(*p);
            p = p.add(1);
        }
    }
    Some(out)
}

const OPUS_MIN_BITRATE: u64 = 6000;
const OPUS_MIN_INPUT_RATE: u32 = 3000;

fn open_encoder(config: &EncoderConfig) -> Result<Open> {
    let codec = AudioCodec::parse(&config.codec)?;
    let found = codec::find(codec.encoder_names(), true).ok_or_else(|| Error::NotSupported(format!("This build has no encoder for {:?}", config.codec)))?;
    if config.sample_rate == 0 || config.channels == 0 {
        return Err(Error::NotSupported("The sample rate and channel count must be non-zero".into()));
    }
    // As Chrome answers: no encoder takes a zero bitrate, and Opus none under
    // 6 kbit/s nor input under 3 kHz (test/oracle/audio-exactness.js).
    if config.bitrate == Some(0) {
        return Err(Error::NotSupported("A bitrate of 0 cannot be encoded".into()));
    }
    if codec == AudioCodec::Opus && config.bitrate.is_some_and(|b| b < OPUS_MIN_BITRATE) {
        return Err(Error::NotSupported(format!("Opus encodes at {OPUS_MIN_BITRATE} bit/s or more")));
    }
    if codec == AudioCodec::Opus && config.sample_rate < OPUS_MIN_INPUT_RATE {
        return Err(Error::NotSupported(format!("Opus takes input at {OPUS_MIN_INPUT_RATE} Hz or more, not {}", config.sample_rate)));
    }
    let mut rate = config.sample_rate;
    if let Some(rates) = sample_rates(found) {
        if !rates.contains(&(rate as i32)) {
            if codec != AudioCodec::Opus {
                return Err(Error::NotSupported(format!("{} encodes at {:?} Hz, not {}", codec.name(), rates, config.sample_rate)));
            }
            rate = 48_000;
        }
    }
    let resampler = if rate != config.sample_rate { Some(Resampler::new(config.channels, config.sample_rate, rate)?) } else { None };
    let format = input_format(found).ok_or_else(|| Error::NotSupported("The encoder lists no sample format".into()))?;
    if samples::bytes_per_sample(format).is_none() {
        return Err(Error::NotSupported("The encoder's sample format is not supported".into()));
    }
    let ctx = CodecContext::new(found)?;
    let mut options: Vec<(&str, String)> = Vec::new();
    unsafe {
        let c = ctx.raw();
        c.sample_rate = rate as i32;
        c.sample_fmt = format;
        ffi::av_channel_layout_default(&mut c.ch_layout, config.channels as i32);
        c.time_base = ffi::AVRational { num: 1, den: rate as i32 };
        c.bit_rate = config.bitrate.unwrap_or(0).min(i64::MAX as u64) as i64;
        // Out-of-band headers: the AAC AudioSpecificConfig, the Opus and Vorbis headers.
        c.flags |= ffi::AV_CODEC_FLAG_GLOBAL_HEADER as i32;
    }
    match codec {
        AudioCodec::Opus => {
            let o = &config.opus;
            if o.ogg {
                return Err(Error::NotSupported("Opus in Ogg pages (opus.format \"ogg\") is not supported".into()));
            }
            options.push(("application", o.application.clone()));
            // The Opus registration's channel mapping families: 0 for mono and
            // stereo, 1 (Vorbis order) up to 8 channels, 255 (no defined
            // order, one uncoupled stream a channel) up to 255.
            let channels = config.channels as i32;
            if channels > 255 {
                return Err(Error::NotSupported(format!("Opus carries at most 255 channels, not {channels}")));
            }
            if (3..=8).contains(&channels) {
                // libopus's family 1 wants FFmpeg's layout for each Vorbis order.
                let mask = [
                    ffi::AV_CH_LAYOUT_SURROUND,
                    ffi::AV_CH_LAYOUT_QUAD,
                    ffi::AV_CH_LAYOUT_5POINT0_BACK,
                    ffi::AV_CH_LAYOUT_5POINT1_BACK,
                    ffi::AV_CH_LAYOUT_6POINT1,
                    ffi::AV_CH_LAYOUT_7POINT1,
                ][channels as usize - 3];
                unsafe {
                    let c = ctx.raw();
                    ffi::av_channel_layout_uninit(&mut c.ch_layout);
                    ffi::av_channel_layout_from_mask(&mut c.ch_layout, mask);
                }
                options.push(("mapping_family", "1".into()));
            } else if channels > 8 {
                options.push(("mapping_family", "255".into()));
            }
            options.push(("frame_duration", format!("{}", o.frame_duration as f64 / 1000.0)));
            // Only what differs from libopus's defaults: older FFmpeg builds
            // (Debian 12's 5.1) have no "dtx" option, which then reads as unsupported.
            if o.packet_loss_perc > 0 {
                options.push(("packet_loss", o.packet_loss_perc.to_string()));
            }
            if o.in_band_fec {
                options.push(("fec", "1".into()));
            }
            if o.dtx {
                options.push(("dtx", "1".into()));
            }
            options.push(("vbr", if config.constant_bitrate { "off" } else { "on" }.into()));
            if let Some(complexity) = o.complexity {
                ctx.raw().compression_level = complexity as i32;
            }
        }
        AudioCodec::Mp3 if !config.constant_bitrate && config.bitrate.is_some() => options.push(("abr", "1".into())),
        AudioCodec::Flac => {
            let c = ctx.raw();
            // The registration's levels are libFLAC's, 0 to 8; a higher one is
            // valid but unsupported, as Chrome answers.
            let level = config.flac_compress_level.unwrap_or(5);
            if level > 8 {
                return Err(Error::NotSupported(format!("FLAC compression levels run from 0 to 8, not {level}")));
            }
            c.compression_level = level as i32;
            c.frame_size = config.flac_block_size.unwrap_or(0) as i32;
        }
        _ => {}
    }
    ctx.open(found, &options)?;
    let c = ctx.raw();
    let extradata = (!c.extradata.is_null() && c.extradata_size > 0).then(|| unsafe { std::slice::from_raw_parts(c.extradata, c.extradata_size as usize) }.to_vec());
    let mut adts = None;
    let description = match codec {
        AudioCodec::Opus | AudioCodec::Vorbis => extradata,
        AudioCodec::Aac { .. } => {
            let asc = extradata.ok_or_else(|| Error::NotSupported("The AAC encoder gave no AudioSpecificConfig".into()))?;
            if config.aac_adts {
                let (object, freq, channels) = (asc[0] >> 3, ((asc[0] & 7) << 1) | (asc.get(1).copied().unwrap_or(0) >> 7), (asc.get(1).copied().unwrap_or(0) >> 3) & 15);
                adts = Some((object - 1, freq, channels));
                None
            } else {
                Some(asc)
            }
        }
        // "fLaC", then the STREAMINFO block marked as the last metadata block.
        AudioCodec::Flac => extradata.map(|info| [b"fLaC".as_slice(), &[0x80, 0, 0, info.len() as u8], &info].concat()),
        _ => None,
    };
    let capabilities = unsafe { (*found).capabilities } as u32;
    let variable = capabilities & ffi::AV_CODEC_CAP_VARIABLE_FRAME_SIZE != 0;
    let frame_size = if variable { 0 } else { c.frame_size.max(0) as usize };
    Ok(Open {
        rate,
        resampler,
        packet_duration: (codec == AudioCodec::Opus && frame_size > 0).then_some(frame_size as i64),
        frame_size,
        small_last_frame: capabilities & ffi::AV_CODEC_CAP_SMALL_LAST_FRAME != 0,
        format,
        description,
        adts,
        sent: 0,
        emitted: 0,
        base: None,
        dtx: codec == AudioCodec::Opus && config.opus.dtx,
        ctx,
    })
}

impl Processor for AudioEncoder {
    type Config = EncoderConfig;
    type Input = EncodeInput;
    type Output = EncodedAudio;

    fn configure(&mut self, config: EncoderConfig) -> Result<()> {
        // A reconfigure starts a new stream: its first chunk carries a decoder config.
        self.reset();
        self.config = Some(config);
        self.ensure_open().map(|_| ())
    }

    fn process(&mut self, input: EncodeInput, emit: &mut dyn FnMut(EncodedAudio)) -> Result<()> {
        let config = self.config.as_ref().ok_or_else(|| Error::InvalidState("Encoder is not configured".into()))?;
        if input.channels != config.channels || input.sample_rate != config.sample_rate as f64 {
            return Err(Error::Encoding(format!(
                "The AudioData has {} channels at {} Hz; the encoder is configured for {} at {} Hz",
                input.channels, input.sample_rate, config.channels, config.sample_rate
            )));
        }
        let channels = config.channels as usize;
        self.ensure_open()?;
        self.fifo.resize_with(channels, Vec::new);
        let open = self.open.as_mut().expect("opened above");
        open.base.get_or_insert(input.timestamp);
        let frame_size = open.frame_size;
        let samples = &mut self.scratch;
        samples.clear();
        input.format.append_f32_planar(&input.data, channels, input.frames, samples);
        if let Some(resampler) = open.resampler.as_mut() {
            resampler.convert(Some((samples, input.frames)), &mut self.fifo)?;
        } else {
            for (ch, fifo) in self.fifo.iter_mut().enumerate() {
                fifo.extend_from_slice(&samples[ch * input.frames..(ch + 1) * input.frames]);
            }
        }
        if frame_size == 0 {
            let n = self.fifo[0].len();
            return if n > 0 { self.send(n, 0, emit) } else { Ok(()) };
        }
        while self.fifo[0].len() >= frame_size {
            self.send(frame_size, 0, emit)?;
        }
        Ok(())
    }

    fn flush(&mut self, emit: &mut dyn FnMut(EncodedAudio)) -> Result<()> {
        let Some(open) = self.open.as_mut() else { return Ok(()) };
        // The resampler's last samples.
        if let Some(resampler) = open.resampler.as_mut() {
            if !self.fifo.is_empty() {
                resampler.convert(None, &mut self.fifo)?;
            }
        }
        let open = self.open.as_ref().expect("open");
        let frame_size = open.frame_size;
        while frame_size > 0 && self.fifo.first().map_or(0, Vec::len) >= frame_size {
            self.send(frame_size, 0, emit)?;
        }
        let open = self.open.as_ref().expect("open");
        let left = self.fifo.first().map_or(0, Vec::len);
        if left > 0 {
            let pad_to = if open.small_last_frame { 0 } else { open.frame_size };
            self.send(left, pad_to, emit)?;
        }
        let open = self.open.as_ref().expect("open");
        if open.sent == 0 {
            return Ok(());
        }
        open.ctx.end_encoder_input()?;
        self.drain(emit)?;
        // A drained encoder takes no more input: the next AudioData reopens it
        // (same headers, so no new decoder config) and starts a new timeline.
        self.open = None;
        Ok(())
    }

    fn reset(&mut self) {
        self.config = None;
        self.open = None;
        self.fifo.clear();
        self.last_description = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ffi::AVSampleFormat::*;

    #[test]
    fn lossy_encoders_are_fed_float_and_lossless_ones_their_own_format() {
        let format = |name: &str| crate::av::find_encoder(name).and_then(input_format);
        if crate::av::find_encoder("libopus").is_some() {
            assert_eq!(format("libopus"), Some(AV_SAMPLE_FMT_FLT));
        }
        if crate::av::find_encoder("libmp3lame").is_some() {
            assert_eq!(format("libmp3lame"), Some(AV_SAMPLE_FMT_FLTP));
        }
        assert_eq!(format("aac"), Some(AV_SAMPLE_FMT_FLTP));
        assert_eq!(format("flac"), Some(AV_SAMPLE_FMT_S16));
        assert_eq!(format("pcm_s16le"), Some(AV_SAMPLE_FMT_S16));
    }
}
