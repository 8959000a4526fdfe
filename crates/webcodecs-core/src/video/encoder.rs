//! The video encoder behind `VideoEncoder`: H.264 through libx264 (or
//! libopenh264 where x264 is absent), Annex B or length-prefixed output, and
//! the decoder configuration (avcC) the first chunk and every change carry.

use std::collections::BTreeMap;

use ffmpeg_next::ffi::{self, AVPixelFormat::*};

use super::color::ColorSpace;
use super::convert::Scaler;
use super::frame::{Frame, Rect};
use super::h264;
use crate::av::{codec_name, eagain, find_encoder, CodecContext, Packet};
use crate::codec_string::{H264Codec, VideoCodec};
use crate::error::{Error, Result};
use crate::worker::Processor;

/// H.264 encoders in order of preference.
const H264_ENCODERS: [&str; 2] = ["libx264", "libopenh264"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitrateMode {
    Variable,
    Constant,
    Quantizer,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncoderConfig {
    /// The codec string as given; parsed when the encoder opens, so a bad one
    /// is reported like any other unsupported configuration.
    pub codec: String,
    pub width: u32,
    pub height: u32,
    pub display_width: u32,
    pub display_height: u32,
    pub bitrate: Option<u64>,
    pub framerate: Option<f64>,
    pub bitrate_mode: BitrateMode,
    pub realtime: bool,
    /// `avc.format == "annexb"`.
    pub annexb: bool,
    /// `hardwareAcceleration == "prefer-hardware"` (this build has none).
    pub prefer_hardware: bool,
    /// `alpha == "keep"` (H.264 carries no alpha).
    pub keep_alpha: bool,
    pub scalability_mode: Option<String>,
}

/// One `encode()` call: a reference to the caller's frame and its options.
pub struct EncodeInput {
    pub frame: Frame,
    pub visible: Rect,
    pub color: ColorSpace,
    pub timestamp: i64,
    pub duration: Option<i64>,
    pub key_frame: bool,
}

/// The active output configuration (`EncodedVideoChunkMetadata.decoderConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputConfig {
    pub codec: String,
    pub description: Option<Vec<u8>>,
    pub coded_width: u32,
    pub coded_height: u32,
    pub display_aspect_width: u32,
    pub display_aspect_height: u32,
    pub color: ColorSpace,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncodedChunk {
    pub key: bool,
    pub timestamp: i64,
    pub duration: Option<i64>,
    pub data: Vec<u8>,
    pub decoder_config: Option<OutputConfig>,
}

struct Open {
    ctx: CodecContext,
    h264: H264Codec,
    color: ColorSpace,
    /// Frames sent since the context was opened.
    sent: u64,
}

#[derive(Default)]
pub struct VideoEncoder {
    config: Option<EncoderConfig>,
    open: Option<Open>,
    scaler: Scaler,
    packet: Option<Packet>,
    next_pts: i64,
    /// pts → (timestamp, duration) of frames inside the encoder.
    pending: BTreeMap<i64, (i64, Option<i64>)>,
    /// Parameter sets of the last decoder config sent, to spot changes
    /// ("active output config").
    last_parameter_sets: Option<Vec<Vec<u8>>>,
}

impl VideoEncoder {
    /// "Check Configuration Support": can this build encode with `config`?
    pub fn check_support(config: &EncoderConfig) -> Result<()> {
        open_encoder(config, &ColorSpace::default()).map(|_| ())
    }

    fn ensure_open(&mut self, color: &ColorSpace) -> Result<&mut Open> {
        let config = self.config.as_ref().ok_or_else(|| Error::InvalidState("Encoder is not configured".into()))?;
        // The colour tags go into the stream headers, so the first frame's
        // colour space may reopen the (still unused) encoder once.
        let reopen = match &self.open {
            None => true,
            Some(open) => open.sent == 0 && open.color != *color && *color != ColorSpace::default(),
        };
        if reopen {
            self.open = None;
            self.open = Some(open_encoder(config, color)?);
        }
        Ok(self.open.as_mut().expect("opened above"))
    }

    fn prepare(&mut self, input: &EncodeInput, format: ffi::AVPixelFormat) -> Result<Frame> {
        let config = self.config.as_ref().expect("configured");
        let v = input.visible;
        let frame = input.frame.cropped(v).map_err(|e| Error::Encoding(e.to_string()))?;
        let same_format = unsafe { (*frame.as_ptr()).format } == format as i32;
        if same_format && (v.width, v.height) == (config.width, config.height) {
            return Ok(frame);
        }
        self.scaler.convert(&frame, format, config.width, config.height)
    }

    fn drain(&mut self, emit: &mut dyn FnMut(EncodedChunk)) -> Result<()> {
        let packet = self.packet.get_or_insert_with(Packet::empty);
        let Some(open) = self.open.as_ref() else { return Ok(()) };
        loop {
            let ret = unsafe { ffi::avcodec_receive_packet(open.ctx.as_ptr(), packet.as_ptr()) };
            if ret == eagain() || ret == ffi::AVERROR_EOF {
                return Ok(());
            }
            if ret < 0 {
                return Err(Error::ffmpeg("avcodec_receive_packet", ret));
            }
            let (pts, flags) = unsafe { ((*packet.as_ptr()).pts, (*packet.as_ptr()).flags) };
            let (timestamp, duration) = self.pending.remove(&pts).unwrap_or((pts, None));
            let config = self.config.as_ref().expect("configured");
            let chunk = package(open.h264, config, open, packet.data(), flags & ffi::AV_PKT_FLAG_KEY as i32 != 0, timestamp, duration, &mut self.last_parameter_sets);
            packet.unref();
            emit(chunk);
        }
    }
}

/// Frames the encoder's Annex B packet as the configuration asks and attaches
/// the decoder config when the parameter sets are new.
fn package(
    requested: H264Codec,
    config: &EncoderConfig,
    open: &Open,
    data: &[u8],
    key: bool,
    timestamp: i64,
    duration: Option<i64>,
    last_parameter_sets: &mut Option<Vec<Vec<u8>>>,
) -> EncodedChunk {
    let nals = h264::split_annexb(data);
    let sps: Vec<&[u8]> = nals.iter().copied().filter(|n| h264::nal_type(n) == h264::NAL_SPS).collect();
    let pps: Vec<&[u8]> = nals.iter().copied().filter(|n| h264::nal_type(n) == h264::NAL_PPS).collect();
    let mut decoder_config = None;
    if !sps.is_empty() {
        let sets: Vec<Vec<u8>> = sps.iter().chain(pps.iter()).map(|n| n.to_vec()).collect();
        if last_parameter_sets.as_ref() != Some(&sets) {
            // "Assign encoderConfig.codec to outputConfig.codec."
            decoder_config = Some(OutputConfig {
                codec: config.codec.clone(),
                description: if config.annexb { None } else { h264::build_avcc(&sps, &pps) },
                coded_width: config.width,
                coded_height: config.height,
                display_aspect_width: config.display_width,
                display_aspect_height: config.display_height,
                color: open.color.clone(),
            });
            *last_parameter_sets = Some(sets);
        }
    }
    let data = if config.annexb {
        data.to_vec()
    } else {
        // avc1 keeps parameter sets out of band (in the avcC); avc3 may repeat them in band.
        let keep: Vec<&[u8]> = nals
            .iter()
            .copied()
            .filter(|n| match h264::nal_type(n) {
                h264::NAL_AUD => false,
                h264::NAL_SPS | h264::NAL_PPS => requested.avc3,
                _ => true,
            })
            .collect();
        h264::write_avc(&keep)
    };
    EncodedChunk { key, timestamp, duration, data, decoder_config }
}

fn profile_settings(codec: &H264Codec) -> Result<(&'static str, ffi::AVPixelFormat)> {
    Ok(match codec.profile_idc {
        0x42 => ("baseline", AV_PIX_FMT_YUV420P),
        0x4D => ("main", AV_PIX_FMT_YUV420P),
        0x64 => ("high", AV_PIX_FMT_YUV420P),
        0x6E => ("high10", AV_PIX_FMT_YUV420P10LE),
        0x7A => ("high422", AV_PIX_FMT_YUV422P),
        0xF4 => ("high444", AV_PIX_FMT_YUV444P),
        other => return Err(Error::NotSupported(format!("H.264 profile_idc {other:#04x} cannot be encoded"))),
    })
}

fn open_encoder(config: &EncoderConfig, color: &ColorSpace) -> Result<Open> {
    let VideoCodec::H264(h264) = VideoCodec::parse(&config.codec)?;
    if config.prefer_hardware {
        return Err(Error::NotSupported("This build has no hardware encoders".into()));
    }
    if config.keep_alpha {
        return Err(Error::NotSupported("H.264 cannot carry alpha".into()));
    }
    if let Some(mode) = config.scalability_mode.as_deref().filter(|m| *m != "L1T1") {
        return Err(Error::NotSupported(format!("Scalability mode {mode} is not supported for H.264")));
    }
    if config.framerate.is_some_and(|f| !(f > 0.0)) {
        return Err(Error::NotSupported(format!("framerate {} is not positive", config.framerate.unwrap_or(0.0))));
    }
    if config.bitrate_mode == BitrateMode::Quantizer {
        return Err(Error::NotSupported("bitrateMode \"quantizer\" is not supported for H.264 yet".into()));
    }
    let (w, h) = (config.width, config.height);
    if w % 2 != 0 || h % 2 != 0 {
        return Err(Error::NotSupported(format!("H.264 needs an even width and height, got {w}x{h}")));
    }
    let macroblocks = w.div_ceil(16) * h.div_ceil(16);
    if macroblocks > h264.max_frame_macroblocks() {
        return Err(Error::NotSupported(format!(
            "{w}x{h} is {macroblocks} macroblocks, more than level {}.{} allows ({})",
            h264.level_idc / 10, h264.level_idc % 10, h264.max_frame_macroblocks()
        )));
    }
    let (profile, pix_fmt) = profile_settings(&h264)?;
    let codec = H264_ENCODERS
        .iter()
        .find_map(|name| find_encoder(name))
        .ok_or_else(|| Error::NotSupported("This build has no H.264 encoder".into()))?;
    let ctx = CodecContext::new(codec)?;
    let fps = config.framerate.filter(|f| *f > 0.0).unwrap_or(30.0);
    let rate = unsafe { ffi::av_d2q(fps, 1 << 20) };
    {
        let c = ctx.raw();
        c.width = w as i32;
        c.height = h as i32;
        c.pix_fmt = pix_fmt;
        c.framerate = rate;
        c.time_base = ffi::AVRational { num: rate.den, den: rate.num };
        c.sample_aspect_ratio = sample_aspect(config);
        // No B-frames: chunks come out in presentation order, as browsers emit them.
        c.max_b_frames = 0;
        c.thread_count = 0;
        if let Some(bitrate) = config.bitrate {
            c.bit_rate = bitrate.min(i64::MAX as u64) as i64;
            if config.bitrate_mode == BitrateMode::Constant {
                c.rc_max_rate = c.bit_rate;
                c.rc_min_rate = c.bit_rate;
                c.rc_buffer_size = c.bit_rate.min(i32::MAX as i64) as i32;
            }
        }
        color.apply_to_codec(c);
    }
    let mut options: Vec<(&str, String)> = Vec::new();
    let name = codec_name(codec);
    if name == "libx264" {
        let level = match h264.level_idc {
            9 => "1b".to_string(),
            l => format!("{}.{}", l / 10, l % 10),
        };
        options.push(("profile", profile.into()));
        options.push(("level", level));
        options.push(("preset", if config.realtime { "veryfast" } else { "medium" }.into()));
        if config.realtime {
            options.push(("tune", "zerolatency".into()));
        }
        options.push(("forced-idr", "1".into()));
        if config.bitrate.is_some() && config.bitrate_mode == BitrateMode::Constant {
            options.push(("nal-hrd", "cbr".into()));
        }
    } else {
        if pix_fmt != AV_PIX_FMT_YUV420P {
            return Err(Error::NotSupported(format!("{name} encodes only 8-bit 4:2:0")));
        }
        ctx.raw().profile = h264.profile_idc as i32;
        ctx.raw().level = h264.level_idc as i32;
    }
    ctx.open(codec, &options)?;
    Ok(Open { ctx, h264, color: color.clone(), sent: 0 })
}

fn sample_aspect(config: &EncoderConfig) -> ffi::AVRational {
    // SAR = (display width / width) / (display height / height).
    let num = config.display_width as i64 * config.height as i64;
    let den = config.display_height as i64 * config.width as i64;
    if num == den || num == 0 || den == 0 {
        return ffi::AVRational { num: 1, den: 1 };
    }
    let (mut n, mut d) = (0, 0);
    unsafe { ffi::av_reduce(&mut n, &mut d, num, den, 65535) };
    ffi::AVRational { num: n, den: d }
}

impl Processor for VideoEncoder {
    type Config = EncoderConfig;
    type Input = EncodeInput;
    type Output = EncodedChunk;

    fn configure(&mut self, config: EncoderConfig) -> Result<()> {
        // A reconfigure starts a new stream: its first chunk carries a decoder config.
        self.open = None;
        self.last_parameter_sets = None;
        self.config = Some(config);
        self.ensure_open(&ColorSpace::default()).map(|_| ())
    }

    fn process(&mut self, input: EncodeInput, emit: &mut dyn FnMut(EncodedChunk)) -> Result<()> {
        // RGB input is converted with BT.709 coefficients (see convert.rs).
        let color = match input.frame.format() {
            Some(f) if f.is_rgb() => ColorSpace::from_names(Some("bt709"), Some("bt709"), Some("bt709"), Some(false)),
            _ => input.color.clone(),
        };
        let format = self.ensure_open(&color)?.ctx.raw().pix_fmt;
        let mut frame = self.prepare(&input, format)?;
        let pts = self.next_pts;
        self.next_pts += 1;
        unsafe {
            let f = &mut *frame.as_mut_ptr();
            f.pts = pts;
            f.pict_type = if input.key_frame { ffi::AVPictureType::AV_PICTURE_TYPE_I } else { ffi::AVPictureType::AV_PICTURE_TYPE_NONE };
            color.apply_to_frame(f);
        }
        let open = self.open.as_mut().expect("opened above");
        let ret = unsafe { ffi::avcodec_send_frame(open.ctx.as_ptr(), frame.as_ptr()) };
        if ret < 0 {
            return Err(Error::ffmpeg("avcodec_send_frame", ret));
        }
        open.sent += 1;
        self.pending.insert(pts, (input.timestamp, input.duration));
        self.drain(emit)
    }

    fn flush(&mut self, emit: &mut dyn FnMut(EncodedChunk)) -> Result<()> {
        let Some(open) = self.open.as_ref() else { return Ok(()) };
        if open.sent == 0 {
            return Ok(());
        }
        let ret = unsafe { ffi::avcodec_send_frame(open.ctx.as_ptr(), std::ptr::null()) };
        if ret < 0 {
            return Err(Error::ffmpeg("avcodec_send_frame(NULL)", ret));
        }
        self.drain(emit)?;
        // A drained FFmpeg encoder takes no more input: the next frame reopens it
        // with the same configuration (same parameter sets, so no new decoder config).
        self.open = None;
        self.pending.clear();
        Ok(())
    }

    fn reset(&mut self) {
        *self = VideoEncoder { scaler: std::mem::take(&mut self.scaler), ..VideoEncoder::default() };
    }
}
