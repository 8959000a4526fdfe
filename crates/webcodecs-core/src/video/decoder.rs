//! The video decoder behind `VideoDecoder`: FFmpeg's H.264, HEVC, VP8 and
//! VP9 decoders (frame and slice threads) and dav1d for AV1. For H.264 and
//! HEVC a description (avcC / hvcC) means length-prefixed chunks and no
//! description means Annex B; an AV1 description (av1C) is optional.

use std::collections::HashMap;

use ffmpeg_next::ffi;

use super::convert::Scaler;
use super::frame::{Frame, FrameInfo};
use super::pixel::PixelFormat;
use super::{h264, hevc, keyframe};
use crate::av::{codec_name, has_private_option, CodecContext, Packet};
use crate::codec_string::VideoCodec;
use crate::error::{Error, Result};
use crate::worker::Processor;

#[derive(Debug, Clone, PartialEq)]
pub struct DecoderConfig {
    /// The codec string as given; parsed when the decoder opens.
    pub codec: String,
    pub description: Option<Vec<u8>>,
    pub optimize_for_latency: bool,
    /// `hardwareAcceleration == "prefer-hardware"` (this build has none).
    pub prefer_hardware: bool,
}

pub struct DecodeInput {
    pub data: Vec<u8>,
    pub timestamp: i64,
    pub duration: Option<i64>,
}

pub struct DecodedFrame {
    pub frame: Frame,
    pub info: FrameInfo,
    pub timestamp: i64,
    pub duration: Option<i64>,
}

#[derive(Default)]
pub struct VideoDecoder {
    ctx: Option<CodecContext>,
    /// Some(is VP9) for VP8 and VP9, whose headers signal colour in their own way.
    vpx: Option<bool>,
    /// NAL length size when H.264/HEVC chunks are length-prefixed (a description was given).
    length_size: Option<usize>,
    /// timestamp → durations of chunks inside the decoder (FIFO per timestamp).
    durations: HashMap<i64, Vec<Option<i64>>>,
    scaler: Scaler,
}

impl VideoDecoder {
    /// "Check Configuration Support" for decoders.
    pub fn check_support(config: &DecoderConfig) -> Result<()> {
        open_decoder(config).map(|_| ())
    }

    /// Whether a chunk's bitstream can start decoding ("SHOULD inspect ... to
    /// verify that it is truly a key chunk", as Chrome does for every codec).
    /// Annex B data without a single NAL unit is not; length-prefixed data
    /// whose lengths do not add up is left for the decoder to judge (Chrome
    /// too reports that later, as an EncodingError).
    pub fn is_key_chunk(codec: &str, description: Option<&[u8]>, data: &[u8]) -> bool {
        let key = |length_size: Option<usize>, is_key: fn(&[&[u8]]) -> bool| match length_size {
            Some(size) => h264::split_avc(data, size).is_none_or(|n| n.is_empty() || is_key(&n)),
            None => is_key(&h264::split_annexb(data)),
        };
        match VideoCodec::parse(codec) {
            Ok(VideoCodec::H264(_)) => key(description.and_then(h264::avcc_length_size), h264::is_key),
            Ok(VideoCodec::Hevc(_)) => key(description.and_then(hevc::hvcc_length_size), hevc::is_key),
            Ok(VideoCodec::Vp8) => keyframe::vp8(data),
            Ok(VideoCodec::Vp9(_)) => keyframe::vp9(data),
            Ok(VideoCodec::Av1(_)) => keyframe::av1(data),
            Err(_) => true,
        }
    }

    fn output(&mut self, emit: &mut dyn FnMut(DecodedFrame)) -> Result<()> {
        let Some(ctx) = self.ctx.as_ref() else { return Ok(()) };
        loop {
            let mut frame = Frame::empty();
            if !ctx.receive_frame(frame.as_mut_ptr())? {
                return Ok(());
            }
            let (pts, best) = unsafe { ((*frame.as_ptr()).pts, (*frame.as_ptr()).best_effort_timestamp) };
            let timestamp = if pts != ffi::AV_NOPTS_VALUE { pts } else { best };
            let duration = self.durations.get_mut(&timestamp).and_then(|d| if d.is_empty() { None } else { d.remove(0) });
            if self.durations.get(&timestamp).is_some_and(|d| d.is_empty()) {
                self.durations.remove(&timestamp);
            }
            // Formats WebCodecs has no name for (e.g. 4:0:0) become I420.
            if frame.format().is_none() {
                let (w, h) = (frame.width(), frame.height());
                frame = self.scaler.convert(&frame, PixelFormat::I420.to_av(), w, h)?;
            }
            let mut info = frame.info().ok_or_else(|| Error::Encoding("Decoded frame has no usable format".into()))?;
            if let Some(vp9) = self.vpx {
                info.color = info.color.of_vpx_stream(vp9);
            }
            emit(DecodedFrame { frame, info, timestamp, duration });
        }
    }
}

/// FFmpeg decoders for a codec, in order of preference.
fn decoder_names(codec: &VideoCodec) -> &'static [&'static str] {
    match codec {
        VideoCodec::H264(_) => &["h264"],
        VideoCodec::Hevc(_) => &["hevc"],
        VideoCodec::Vp8 => &["vp8", "libvpx"],
        VideoCodec::Vp9(_) => &["vp9", "libvpx-vp9"],
        // FFmpeg's own AV1 decoder needs a hardware accelerator.
        VideoCodec::Av1(_) => &["libdav1d", "libaom-av1"],
    }
}

fn open_decoder(config: &DecoderConfig) -> Result<(CodecContext, Option<usize>)> {
    let codec = VideoCodec::parse(&config.codec)?;
    if config.prefer_hardware {
        return Err(Error::NotSupported("This build has no hardware decoders".into()));
    }
    let description = config.description.as_deref().filter(|d| !d.is_empty());
    let length_size = match (&codec, description) {
        (VideoCodec::H264(_), Some(d)) => Some(h264::avcc_length_size(d).ok_or_else(|| Error::NotSupported("The description is not an AVCDecoderConfigurationRecord".into()))?),
        (VideoCodec::Hevc(_), Some(d)) => Some(hevc::hvcc_length_size(d).ok_or_else(|| Error::NotSupported("The description is not an HEVCDecoderConfigurationRecord".into()))?),
        _ => None,
    };
    let found = decoder_names(&codec).iter().find_map(|name| {
        let name = crate::av::cstring(name);
        let found = unsafe { ffi::avcodec_find_decoder_by_name(name.as_ptr()) };
        (!found.is_null()).then_some(found)
    });
    let found = found.ok_or_else(|| Error::NotSupported(format!("This build has no {} decoder", codec.name())))?;
    let ctx = CodecContext::new(found)?;
    // VP8 and VP9 take no description; an AV1 one is the av1C record.
    if let (Some(d), VideoCodec::H264(_) | VideoCodec::Hevc(_) | VideoCodec::Av1(_)) = (description, &codec) {
        ctx.set_extradata(d)?;
    }
    {
        let c = ctx.raw();
        c.pkt_timebase = ffi::AVRational { num: 1, den: 1_000_000 };
        c.thread_count = 0;
        // Frame threads add a frame of latency per thread; slices do not.
        c.thread_type = if config.optimize_for_latency { ffi::FF_THREAD_SLICE as i32 } else { (ffi::FF_THREAD_FRAME | ffi::FF_THREAD_SLICE) as i32 };
        // Keep the coded size and report the crop as the visible rect.
        c.apply_cropping = 0;
    }
    let mut options: Vec<(&str, String)> = Vec::new();
    // optimizeForLatency: dav1d's low-delay setting (FFmpeg 6+ names it
    // max_frame_delay; older ones only have frame threads, one of which is
    // the same thing). FFmpeg's own decoders take slice threads only (above).
    if config.optimize_for_latency && codec_name(found) == "libdav1d" {
        let option = if has_private_option(found, "max_frame_delay") { "max_frame_delay" } else { "framethreads" };
        options.push((option, "1".into()));
    }
    ctx.open(found, &options)?;
    Ok((ctx, length_size))
}

impl Processor for VideoDecoder {
    type Config = DecoderConfig;
    type Input = DecodeInput;
    type Output = DecodedFrame;

    fn configure(&mut self, config: DecoderConfig) -> Result<()> {
        self.reset();
        let (ctx, length_size) = open_decoder(&config)?;
        self.ctx = Some(ctx);
        self.vpx = match VideoCodec::parse(&config.codec) {
            Ok(VideoCodec::Vp8) => Some(false),
            Ok(VideoCodec::Vp9(_)) => Some(true),
            _ => None,
        };
        self.length_size = length_size;
        Ok(())
    }

    fn process(&mut self, input: DecodeInput, emit: &mut dyn FnMut(DecodedFrame)) -> Result<()> {
        let ctx = self.ctx.as_ref().ok_or_else(|| Error::InvalidState("Decoder is not configured".into()))?;
        if let Some(size) = self.length_size {
            if h264::split_avc(&input.data, size).is_none() {
                return Err(Error::Encoding("Chunk is not length-prefixed as the description says".into()));
            }
        }
        let packet = Packet::copy_of(&input.data)?;
        unsafe {
            let p = &mut *packet.as_ptr();
            p.pts = input.timestamp;
            p.dts = ffi::AV_NOPTS_VALUE;
        }
        self.durations.entry(input.timestamp).or_default().push(input.duration);
        ctx.send_packet(Some(&packet))?;
        self.output(emit)
    }

    fn flush(&mut self, emit: &mut dyn FnMut(DecodedFrame)) -> Result<()> {
        let Some(ctx) = self.ctx.as_ref() else { return Ok(()) };
        ctx.send_packet(None)?;
        let raw = ctx.as_ptr();
        self.output(emit)?;
        // A drained decoder takes packets again after this.
        unsafe { ffi::avcodec_flush_buffers(raw) };
        self.durations.clear();
        Ok(())
    }

    fn reset(&mut self) {
        self.ctx = None;
        self.length_size = None;
        self.durations.clear();
    }
}
