//! The video encoder behind `VideoEncoder`: H.264 through libx264 (or
//! libopenh264 where x264 is absent, and OpenH264 itself for temporal layers
//! and, where x264 takes no per-frame QP, quantizer mode), HEVC through libx265, VP8 and VP9
//! through libvpx, AV1 through libaom (real-time). H.264 and HEVC come out as
//! Annex B or length-prefixed with their decoder configuration record (avcC,
//! hvcC), which the first chunk and every change carry.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ffmpeg_next::ffi::{self, AVPixelFormat::*};

use super::color::ColorSpace;
use super::convert::{Colorimetry, Scaler};
use super::frame::{Frame, Rect};
use super::library::{Av1Layers, FrameQuantizer, LayerReferences, Library, LibraryEncoder, DEFAULT_QUANTIZER, OPEN_BOUNDS};
use super::{h264, hevc};
use crate::av::{codec_name, find_encoder, has_private_option, CodecContext, Packet};
use crate::codec_string::{Av1Codec, H264Codec, HevcCodec, VideoCodec, Vp9Codec};
use crate::error::{Error, Result};
use crate::worker::Processor;

/// Quality-mode look-ahead and frame threads of x264: it holds one frame more
/// than look-ahead + frame threads - 1 (measured), so at most 3 + 3 + 1 = 7
/// before the first chunk comes out.
const QUALITY_LOOKAHEAD: usize = 3;
const QUALITY_FRAME_THREADS: usize = 4;
/// x265 holds three frames more than its look-ahead and frame threads (measured):
/// 2 + 3 - 1 + 3 = 7.
const X265_QUALITY_LOOKAHEAD: usize = 2;
const X265_QUALITY_FRAME_THREADS: usize = 3;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// H.264 encoders in order of preference.
const H264_ENCODERS: [&str; 2] = ["libx264", "libopenh264"];
/// x264's and x265's default constant QP (their `qp` defaults), for frames
/// before the first per-frame quantizer.
const X264_DEFAULT_QP: u32 = 23;
const X265_DEFAULT_QP: u32 = 32;
/// OpenH264's default layer QP (SVC_QUALITY_BASE_QP).
const OPENH264_DEFAULT_QP: u32 = 26;
/// The smallest width and height OpenH264 encodes (found by trying: 16x14 fails on every frame).
const OPENH264_MIN_SIZE: u32 = 16;

/// Whether this build's x264 takes a QP per frame (the static builds'
/// FFmpeg has a "frame-qp" option for it; Debian's has not).
fn x264_frame_qp() -> bool {
    find_encoder("libx264").is_some_and(|c| has_private_option(c, "frame-qp"))
}

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
    /// `avc.format == "annexb"` (H.264) or `hevc.format == "annexb"` (HEVC).
    pub annexb: bool,
    /// `hardwareAcceleration == "prefer-hardware"` (this build has none).
    pub prefer_hardware: bool,
    /// `alpha == "keep"` (H.264 carries no alpha).
    pub keep_alpha: bool,
    pub scalability_mode: Option<String>,
    /// `contentHint`: "text" tunes VP9 and AV1 for screen content, as Chrome does.
    pub content_hint: Option<String>,
}

/// One `encode()` call: a reference to the caller's frame and its options.
pub struct EncodeInput {
    pub frame: Frame,
    pub visible: Rect,
    pub color: ColorSpace,
    pub timestamp: i64,
    pub duration: Option<i64>,
    pub key_frame: bool,
    /// The per-frame quantizer of this codec's encode options
    /// (`vp9.quantizer`, `av1.quantizer`), used in `bitrateMode: "quantizer"`.
    pub quantizer: Option<u32>,
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
    /// `metadata.svc.temporalLayerId`, when the scalability mode has several layers.
    pub temporal_layer: Option<u32>,
    /// `metadata.alphaSideData` (`alpha: "keep"`): the alpha plane coded as a
    /// frame of its own, as WebM's BlockAdditional carries it.
    pub alpha: Option<Vec<u8>>,
}

/// Temporal layer ids of each frame of a pattern's period, as Chrome gives
/// them (a requested key frame starts the pattern again).
fn temporal_pattern(mode: Option<&str>) -> Result<Option<&'static [u32]>> {
    Ok(match mode {
        None | Some("L1T1") => None,
        Some("L1T2") => Some(&[0, 1]),
        Some("L1T3") => Some(&[0, 2, 1, 2]),
        Some(other) => return Err(Error::NotSupported(format!("Scalability mode {other} is not supported"))),
    })
}

/// libvpx's reference flags (VP8_EFLAG_*) for the frame at `position` in a
/// period of `period` frames: every layer reads only lower layers (the base
/// layer only itself), and only the base layer and, in L1T3, the middle one
/// refresh a buffer, so dropping upper layers leaves the rest decodable.
/// Upper layers also leave the entropy contexts alone (VP8 carries them over).
fn temporal_flags(period: usize, position: usize) -> u32 {
    const NO_REF_LAST: u32 = 1 << 16;
    const NO_REF_GF: u32 = 1 << 17;
    const NO_UPD_LAST: u32 = 1 << 18;
    const NO_UPD_ENTROPY: u32 = 1 << 20;
    const NO_REF_ARF: u32 = 1 << 21;
    const NO_UPD_GF: u32 = 1 << 22;
    const NO_UPD_ARF: u32 = 1 << 23;
    let base = NO_REF_GF | NO_REF_ARF | NO_UPD_GF | NO_UPD_ARF;
    let top_on_last = NO_REF_GF | NO_REF_ARF | NO_UPD_LAST | NO_UPD_GF | NO_UPD_ARF | NO_UPD_ENTROPY;
    match (period, position) {
        (_, 0) => base,
        (2, _) | (4, 1) => top_on_last,
        // L1T3's middle layer: reads the base (LAST), keeps itself in GOLDEN.
        (4, 2) => NO_REF_GF | NO_REF_ARF | NO_UPD_LAST | NO_UPD_ARF | NO_UPD_ENTROPY,
        // L1T3's last top-layer frame reads the middle layer (GOLDEN).
        _ => NO_REF_LAST | NO_REF_ARF | NO_UPD_LAST | NO_UPD_GF | NO_UPD_ARF | NO_UPD_ENTROPY,
    }
}

/// The same structure for VP9's and AV1's reference configuration: buffer
/// slots 0 (LAST, the base layer) and 1 (GOLDEN, L1T3's middle layer);
/// which the frame reads and which slots it refreshes.
fn layer_references(period: usize, position: usize) -> LayerReferences {
    let (refresh, last, golden) = match (period, position) {
        (_, 0) => (1, true, false),
        (2, _) | (4, 1) => (0, true, false),
        (4, 2) => (2, true, false),
        _ => (0, false, true),
    };
    LayerReferences { last, golden, refresh }
}

/// [`layer_references`] as libvpx's VP9 reference frame config (FFmpeg's
/// per-frame `ref-frame-config`).
fn vp9_reference_config(period: usize, position: usize) -> String {
    let LayerReferences { last, golden, refresh } = layer_references(period, position);
    let (last, golden) = (last as u8, golden as u8);
    format!(
        "rfc_update_buffer_slot={refresh}:rfc_lst_fb_idx=0:rfc_gld_fb_idx=1:rfc_alt_fb_idx=2:\
         rfc_reference_last={last}:rfc_reference_golden={golden}:rfc_reference_alt_ref=0:rfc_reference_duration=1"
    )
}

/// Where a frame inside the encoder came from: its timestamp, duration and
/// temporal layer.
#[derive(Clone, Copy)]
struct Pending {
    timestamp: i64,
    duration: Option<i64>,
    layer: Option<u32>,
}

/// What encodes the frames.
enum Backend {
    Ffmpeg(CodecContext),
    /// OpenH264 called directly (openh264.rs): it returns each frame's access unit at once.
    #[cfg(openh264)]
    OpenH264(super::openh264::Encoder),
    /// x265 called directly (x265.rs), for HEVC's per-frame QP in development builds.
    #[cfg(x265_direct)]
    X265(super::x265::Encoder),
}

struct Open {
    backend: Backend,
    /// The pixel format the encoder takes.
    pix_fmt: ffi::AVPixelFormat,
    codec: VideoCodec,
    color: ColorSpace,
    /// Frames sent since the context was opened.
    sent: u64,
    /// The temporal layer pattern and the position of the next frame in it
    /// (libvpx's: FFmpeg steps through the same pattern).
    layers: Option<&'static [u32]>,
    layer_index: usize,
    /// `bitrateMode: "quantizer"`: the library encoder's quantizer bounds.
    quantizer: Option<FrameQuantizer>,
    /// `bitrateMode: "quantizer"` for x264, x265 and OpenH264: the QP of the
    /// next frame (the last one given; before any, the encoder's default).
    frame_qp: Option<u32>,
    /// AV1's temporal layers, set through libaom itself.
    av1_layers: Option<Av1Layers>,
}

#[derive(Default)]
pub struct VideoEncoder {
    config: Option<EncoderConfig>,
    open: Option<Open>,
    scaler: Scaler,
    packet: Option<Packet>,
    next_pts: i64,
    /// pts → where each frame inside the encoder came from.
    pending: BTreeMap<i64, Pending>,
    /// Parameter sets of the last decoder config sent, to spot changes
    /// ("active output config").
    last_parameter_sets: Option<Vec<Vec<u8>>>,
}

impl VideoEncoder {
    /// "Check Configuration Support": can this build encode with `config`?
    /// Opening a large encoder costs tens of milliseconds (60 ms for 1080p
    /// VP9), and libraries such as Mediabunny ask several times before
    /// configuring: a configuration that opened once is remembered, and
    /// libvpx's answer is asked of a small encoder (see [`probe`]).
    pub fn check_support(config: &EncoderConfig) -> Result<()> {
        if supported_before(config) {
            return Ok(());
        }
        open_encoder(&probe(config), &ColorSpace::default())?;
        remember_supported(config);
        Ok(())
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

    fn prepare(&mut self, input: &EncodeInput, format: ffi::AVPixelFormat, colorimetry: Colorimetry) -> Result<Frame> {
        let config = self.config.as_ref().expect("configured");
        let v = input.visible;
        let frame = input.frame.cropped(v).map_err(|e| Error::Encoding(e.to_string()))?;
        let same_format = unsafe { (*frame.as_ptr()).format } == format as i32;
        if same_format && (v.width, v.height) == (config.width, config.height) {
            return Ok(frame);
        }
        self.scaler.convert_with(&frame, format, config.width, config.height, colorimetry)
    }

    fn drain(&mut self, emit: &mut dyn FnMut(EncodedChunk)) -> Result<()> {
        let packet = self.packet.get_or_insert_with(Packet::empty);
        let Some(open) = self.open.as_ref() else { return Ok(()) };
        // The directly called encoders hand their output over at once (process, flush).
        let Backend::Ffmpeg(ctx) = &open.backend else { return Ok(()) };
        loop {
            if !ctx.receive_packet(packet)? {
                return Ok(());
            }
            let (pts, flags) = unsafe { ((*packet.as_ptr()).pts, (*packet.as_ptr()).flags) };
            let from = self.pending.remove(&pts).unwrap_or(Pending { timestamp: pts, duration: None, layer: None });
            let config = self.config.as_ref().expect("configured");
            let key = flags & ffi::AV_PKT_FLAG_KEY as i32 != 0;
            let mut chunk = package(config, open, packet.data(), key, from.timestamp, from.duration, &mut self.last_parameter_sets);
            chunk.temporal_layer = from.layer;
            if config.keep_alpha {
                chunk.alpha = alpha_side_data(packet);
            }
            packet.unref();
            emit(chunk);
        }
    }
}

#[cfg(x265_direct)]
impl VideoEncoder {
    /// Emits the access units x265 gave, each with the frame it came from.
    fn deliver(&mut self, outputs: Vec<super::x265::Output>, emit: &mut dyn FnMut(EncodedChunk)) {
        let (Some(config), Some(open)) = (self.config.as_ref(), self.open.as_ref()) else { return };
        for output in outputs {
            let from = self.pending.remove(&output.pts).unwrap_or(Pending { timestamp: output.pts, duration: None, layer: None });
            let mut chunk = package(config, open, &output.data, output.key, from.timestamp, from.duration, &mut self.last_parameter_sets);
            chunk.temporal_layer = from.layer;
            emit(chunk);
        }
    }
}

/// Frames the encoder's packet as the configuration asks and attaches the
/// decoder config to the first chunk and whenever the parameter sets change.
fn package(
    config: &EncoderConfig,
    open: &Open,
    data: &[u8],
    key: bool,
    timestamp: i64,
    duration: Option<i64>,
    last_parameter_sets: &mut Option<Vec<Vec<u8>>>,
) -> EncodedChunk {
    let output_config = |description| OutputConfig {
        // "Assign encoderConfig.codec to outputConfig.codec."
        codec: config.codec.clone(),
        description,
        coded_width: config.width,
        coded_height: config.height,
        display_aspect_width: config.display_width,
        display_aspect_height: config.display_height,
        color: open.color.clone(),
    };
    // NAL type of parameter sets (in record order), access unit delimiters,
    // and whether parameter sets stay in band (avc3 / hev1).
    let (nal_type, parameter_sets, aud, in_band): (fn(&[u8]) -> u8, &[u8], u8, bool) = match open.codec {
        VideoCodec::H264(c) => (h264::nal_type, &[h264::NAL_SPS, h264::NAL_PPS], h264::NAL_AUD, c.avc3),
        VideoCodec::Hevc(c) => (hevc::nal_type, &[hevc::NAL_VPS, hevc::NAL_SPS, hevc::NAL_PPS], hevc::NAL_AUD, c.hev1),
        // VP8, VP9 and AV1 chunks stand alone; their config changes only on configure().
        _ => {
            let decoder_config = last_parameter_sets.is_none().then(|| output_config(None));
            *last_parameter_sets = Some(Vec::new());
            return EncodedChunk { key, timestamp, duration, data: data.to_vec(), decoder_config, temporal_layer: None, alpha: None };
        }
    };
    let nals = h264::split_annexb(data);
    let sets: Vec<Vec<&[u8]>> = parameter_sets.iter().map(|t| nals.iter().copied().filter(|n| nal_type(n) == *t).collect()).collect();
    let mut decoder_config = None;
    if sets.iter().all(|s| !s.is_empty()) {
        let flat: Vec<Vec<u8>> = sets.iter().flatten().map(|n| n.to_vec()).collect();
        if last_parameter_sets.as_ref() != Some(&flat) {
            let description = match (config.annexb, open.codec) {
                (true, _) => None,
                (false, VideoCodec::H264(_)) => h264::build_avcc(&sets[0], &sets[1]),
                (false, _) => hevc::build_hvcc(&sets[0], &sets[1], &sets[2]),
            };
            decoder_config = Some(output_config(description));
            *last_parameter_sets = Some(flat);
        }
    }
    let data = if config.annexb {
        data.to_vec()
    } else {
        // avc1/hvc1 keep parameter sets out of band (in the record); avc3/hev1 may repeat them in band.
        let keep: Vec<&[u8]> = nals
            .iter()
            .copied()
            .filter(|n| {
                let t = nal_type(n);
                t != aud && (in_band || !parameter_sets.contains(&t))
            })
            .collect();
        h264::write_avc(&keep)
    };
    EncodedChunk { key, timestamp, duration, data, decoder_config, temporal_layer: None, alpha: None }
}

/// The alpha frame libvpx's second encoder made for this packet: FFmpeg puts
/// it in Matroska BlockAdditional side data, after the 8-byte BlockAddID.
fn alpha_side_data(packet: &Packet) -> Option<Vec<u8>> {
    let mut size = 0usize;
    let data = unsafe { ffi::av_packet_get_side_data(packet.as_ptr(), ffi::AVPacketSideDataType::AV_PKT_DATA_MATROSKA_BLOCKADDITIONAL, &mut size as *mut usize as *mut _) };
    if data.is_null() || size <= 8 {
        return None;
    }
    Some(unsafe { std::slice::from_raw_parts(data.add(8), size - 8) }.to_vec())
}

fn h264_settings(codec: &H264Codec) -> Result<(&'static str, ffi::AVPixelFormat)> {
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

fn hevc_settings(codec: &HevcCodec) -> Result<(&'static str, ffi::AVPixelFormat)> {
    Ok(match codec.profile_idc {
        1 => ("main", AV_PIX_FMT_YUV420P),
        2 => ("main10", AV_PIX_FMT_YUV420P10LE),
        3 => ("mainstillpicture", AV_PIX_FMT_YUV420P),
        // Format range extensions: the constraint flags max_12bit, max_10bit,
        // max_8bit, max_422chroma, max_420chroma (bits 7 to 3) say which of
        // its profiles (H.265 table A.2) the string means; x265 has these.
        4 => match codec.constraints.map(|c| c & 0xF8) {
            Some(0xE0) => ("main444-8", AV_PIX_FMT_YUV444P),
            Some(0xD0) => ("main422-10", AV_PIX_FMT_YUV422P10LE),
            Some(0xC0) => ("main444-10", AV_PIX_FMT_YUV444P10LE),
            Some(0x98) => ("main12", AV_PIX_FMT_YUV420P12LE),
            Some(0x90) => ("main422-12", AV_PIX_FMT_YUV422P12LE),
            Some(0x80) => ("main444-12", AV_PIX_FMT_YUV444P12LE),
            Some(c) => return Err(Error::NotSupported(format!("HEVC range extensions profile with constraint flags {c:#04x} cannot be encoded"))),
            None => return Err(Error::NotSupported("An HEVC range extensions string needs its constraint flags to name a format".into())),
        },
        other => return Err(Error::NotSupported(format!("HEVC profile {other} cannot be encoded"))),
    })
}

fn vp9_format(codec: &Vp9Codec) -> Result<ffi::AVPixelFormat> {
    // Profiles 0 and 2 hold 4:2:0 only, 1 and 3 anything but. The string's
    // default chroma (4:2:0, when the field is absent) may not fit its
    // profile, as in "vp09.01.10.08": such a string cannot be encoded.
    if (codec.profile % 2 == 0) != matches!(codec.chroma_subsampling, 0 | 1) {
        return Err(Error::NotSupported(format!(
            "VP9 profile {} cannot hold chroma subsampling {:02} (the codec string's default)",
            codec.profile, codec.chroma_subsampling
        )));
    }
    Ok(match (codec.bit_depth, codec.chroma_subsampling) {
        (8, 0 | 1) => AV_PIX_FMT_YUV420P,
        (8, 2) => AV_PIX_FMT_YUV422P,
        (8, 3) => AV_PIX_FMT_YUV444P,
        (10, 0 | 1) => AV_PIX_FMT_YUV420P10LE,
        (10, 2) => AV_PIX_FMT_YUV422P10LE,
        (10, 3) => AV_PIX_FMT_YUV444P10LE,
        (12, 0 | 1) => AV_PIX_FMT_YUV420P12LE,
        (12, 2) => AV_PIX_FMT_YUV422P12LE,
        (12, 3) => AV_PIX_FMT_YUV444P12LE,
        _ => return Err(Error::NotSupported("Unsupported VP9 sampling".into())),
    })
}

fn av1_format(codec: &Av1Codec) -> Result<ffi::AVPixelFormat> {
    Ok(match (codec.profile, codec.bit_depth, codec.monochrome, codec.subsampling) {
        (0, 8, false, (1, 1)) => AV_PIX_FMT_YUV420P,
        (0, 10, false, (1, 1)) => AV_PIX_FMT_YUV420P10LE,
        (0, 8, true, _) => AV_PIX_FMT_GRAY8,
        (1, 8, false, (0, 0)) => AV_PIX_FMT_YUV444P,
        (1, 10, false, (0, 0)) => AV_PIX_FMT_YUV444P10LE,
        // Professional: 4:2:2 at every depth, and 12-bit 4:2:0 and 4:4:4.
        (2, 8, false, (1, 0)) => AV_PIX_FMT_YUV422P,
        (2, 10, false, (1, 0)) => AV_PIX_FMT_YUV422P10LE,
        (2, 12, false, (1, 0)) => AV_PIX_FMT_YUV422P12LE,
        (2, 12, false, (1, 1)) => AV_PIX_FMT_YUV420P12LE,
        (2, 12, false, (0, 0)) => AV_PIX_FMT_YUV444P12LE,
        _ => return Err(Error::NotSupported("This AV1 profile, bit depth and sampling cannot be encoded".into())),
    })
}

/// Bits per pixel for libvpx and libaom when the config names no bitrate
/// (they have no constant-quality default in real-time mode).
fn default_bitrate(codec: &VideoCodec, config: &EncoderConfig, fps: f64) -> i64 {
    let bits_per_pixel = match codec {
        VideoCodec::Vp8 => 0.1,
        VideoCodec::Vp9(_) => 0.07,
        _ => 0.05,
    };
    ((config.width as f64 * config.height as f64 * fps * bits_per_pixel) as i64).max(100_000)
}

/// The encoder, pixel format and private options for a parsed codec string.
struct Setup {
    /// None: OpenH264 directly.
    encoder: Option<*const ffi::AVCodec>,
    pix_fmt: ffi::AVPixelFormat,
    options: Vec<(&'static str, String)>,
    profile: Option<i32>,
    level: Option<i32>,
}

fn find_first(names: &[&str], codec: &VideoCodec) -> Result<*const ffi::AVCodec> {
    names
        .iter()
        .find_map(|name| find_encoder(name))
        .ok_or_else(|| Error::NotSupported(format!("This build has no {} encoder", codec.name())))
}

fn setup(codec: &VideoCodec, config: &EncoderConfig) -> Result<Setup> {
    let (w, h) = (config.width, config.height);
    let realtime = config.realtime;
    let mut options: Vec<(&'static str, String)> = Vec::new();
    match codec {
        VideoCodec::H264(h264) => {
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
            let (profile, pix_fmt) = h264_settings(h264)?;
            // Temporal layers: OpenH264 only (x264 has none); per-frame QP:
            // x264 where it takes one, else OpenH264.
            // OpenH264 initialises for smaller pictures, then fails on each frame.
            let openh264_too_small = || (w < OPENH264_MIN_SIZE || h < OPENH264_MIN_SIZE).then(|| Error::NotSupported(format!("OpenH264 encodes pictures of at least {OPENH264_MIN_SIZE}x{OPENH264_MIN_SIZE}, not {w}x{h}")));
            if openh264_direct(codec, config) {
                if let Some(error) = openh264_too_small() {
                    return Err(error);
                }
                if pix_fmt != AV_PIX_FMT_YUV420P {
                    return Err(Error::NotSupported("OpenH264 encodes only 8-bit 4:2:0".into()));
                }
                return Ok(Setup { encoder: None, pix_fmt, options, profile: Some(h264.profile_idc as i32), level: Some(h264.level_idc as i32) });
            }
            let encoder = find_first(&H264_ENCODERS, codec)?;
            if codec_name(encoder) == "libx264" {
                let level = match h264.level_idc {
                    9 => "1b".to_string(),
                    l => format!("{}.{}", l / 10, l % 10),
                };
                options.push(("profile", profile.into()));
                options.push(("level", level));
                options.push(("preset", if realtime { "veryfast" } else { "medium" }.into()));
                if realtime {
                    options.push(("tune", "zerolatency".into()));
                } else {
                    // Quality mode keeps the preset's tools but bounds how many
                    // frames are held (look-ahead + frame threads - 1), as
                    // browsers' encoders do: callers wait for an output per input.
                    options.push(("rc-lookahead", QUALITY_LOOKAHEAD.to_string()));
                    options.push(("x264-params", "sync-lookahead=0".into()));
                    options.push(("threads", QUALITY_FRAME_THREADS.min(cores()).to_string()));
                }
                options.push(("forced-idr", "1".into()));
                if config.bitrate.is_some() && config.bitrate_mode == BitrateMode::Constant {
                    options.push(("nal-hrd", "cbr".into()));
                }
                return Ok(Setup { encoder: Some(encoder), pix_fmt, options, profile: None, level: None });
            }
            if pix_fmt != AV_PIX_FMT_YUV420P {
                return Err(Error::NotSupported(format!("{} encodes only 8-bit 4:2:0", codec_name(encoder))));
            }
            if let Some(error) = openh264_too_small() {
                return Err(error);
            }
            Ok(Setup { encoder: Some(encoder), pix_fmt, options, profile: Some(h264.profile_idc as i32), level: Some(h264.level_idc as i32) })
        }
        VideoCodec::Hevc(hevc) => {
            if w % 2 != 0 || h % 2 != 0 {
                return Err(Error::NotSupported(format!("HEVC 4:2:0 needs an even width and height, got {w}x{h}")));
            }
            let (profile, pix_fmt) = hevc_settings(hevc)?;
            let encoder = find_first(&["libx265"], codec)?;
            options.push(("preset", if realtime { "ultrafast" } else { "medium" }.into()));
            if realtime {
                options.push(("tune", "zerolatency".into()));
            }
            options.push(("profile", profile.into()));
            options.push(("forced-idr", "1".into()));
            let level = format!("{}.{}", hevc.level_idc / 30, hevc.level_idc % 30 / 3);
            let tier = if hevc.high_tier { 1 } else { 0 };
            let mut params = format!("log-level=error:bframes=0:level-idc={level}:high-tier={tier}");
            if !realtime {
                // As for x264: the preset's tools with a bounded delay.
                let threads = X265_QUALITY_FRAME_THREADS.min(cores());
                params.push_str(&format!(":rc-lookahead={X265_QUALITY_LOOKAHEAD}:frame-threads={threads}"));
            }
            options.push(("x265-params", params));
            Ok(Setup { encoder: Some(encoder), pix_fmt, options, profile: None, level: None })
        }
        VideoCodec::Vp8 | VideoCodec::Vp9(_) => {
            let (encoder, pix_fmt, speed) = match codec {
                VideoCodec::Vp9(vp9) => (find_first(&["libvpx-vp9"], codec)?, vp9_format(vp9)?, if realtime { 8 } else { 5 }),
                // VP8 in real-time mode takes a positive speed as a starting point
                // it adjusts by the time each frame took, so identical input gave
                // different bytes from run to run; a negative one is fixed (-6 in
                // quality mode, the speed WebRTC's VP8 encoder uses on desktops).
                _ => (find_first(&["libvpx"], codec)?, AV_PIX_FMT_YUV420P, if realtime { -10 } else { -6 }),
            };
            // One frame in, one chunk out: no look-ahead and no hidden alt-ref frames.
            options.push(("deadline", "realtime".into()));
            options.push(("cpu-used", speed.to_string()));
            options.push(("lag-in-frames", "0".into()));
            options.push(("auto-alt-ref", "0".into()));
            let mut profile = None;
            if let VideoCodec::Vp9(vp9) = codec {
                // libvpx built with a size limit of 16384 (Debian's, as
                // Chromium's) opens VP9 up to 65535 a side but fails every
                // frame beyond ("Failed to allocate last frame buffer"). Every
                // build keeps to it, as no frame is larger anyway.
                if w > VP9_MAX_SIDE || h > VP9_MAX_SIDE {
                    return Err(Error::NotSupported(format!("libvpx encodes VP9 up to {VP9_MAX_SIDE} a side, got {w}x{h}")));
                }
                options.push(("row-mt", "1".into()));
                profile = Some(vp9.profile as i32);
                if config.content_hint.as_deref() == Some("text") {
                    options.push(("tune-content", "screen".into()));
                }
            }
            Ok(Setup { encoder: Some(encoder), pix_fmt, options, profile, level: None })
        }
        VideoCodec::Av1(av1) => {
            let pix_fmt = av1_format(av1)?;
            let encoder = find_first(&["libaom-av1"], codec)?;
            options.push(("usage", "realtime".into()));
            options.push(("cpu-used", if realtime { 8 } else { 7 }.to_string()));
            options.push(("lag-in-frames", "0".into()));
            options.push(("row-mt", "1".into()));
            if config.content_hint.as_deref() == Some("text") {
                // Screen-content tools (palette, intra block copy where the
                // speed allows). libaom before 3.12 (3.6 in Debian 12) crashes
                // tuning for screen content at high bit depth with temporal
                // layers (seen: SIGSEGV and an AVX2 alignment assertion); the
                // palette alone is safe there.
                let layered = temporal_pattern(config.scalability_mode.as_deref()).ok().flatten().is_some();
                let tune = !(layered && av1.bit_depth > 8 && super::library::aom_version() < (3, 12, 0));
                options.push(("aom-params", if tune { "tune-content=screen:enable-palette=1" } else { "enable-palette=1" }.into()));
            }
            Ok(Setup { encoder: Some(encoder), pix_fmt, options, profile: Some(av1.profile as i32), level: None })
        }
    }
}

/// Configurations an encoder opened with in this process (the most recent 32).
static SUPPORTED: std::sync::Mutex<Vec<EncoderConfig>> = std::sync::Mutex::new(Vec::new());

/// Encoders opened by this process (for tests of how often that happens).
static OPENS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The size of the last encoder opened (for the same tests).
static LAST_OPEN: std::sync::Mutex<(u32, u32)> = std::sync::Mutex::new((0, 0));

/// How many times this process has opened (or tried to open) a video encoder.
pub fn encoder_opens() -> usize {
    OPENS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The width and height of the last video encoder this process opened (or tried to).
pub fn last_encoder_open() -> (u32, u32) {
    LAST_OPEN.lock().map_or((0, 0), |size| *size)
}

/// The largest width or height VP9 is encoded at (see `setup`).
const VP9_MAX_SIDE: u32 = 16384;

/// The configuration a support check opens: for libvpx, a small encoder of
/// the same parity. libvpx judges a size only by its range (1 to 16383 per
/// side for VP8; VP9's is checked in `setup`) before it allocates anything, and what
/// it allocates is what makes an open slow: a 1080p VP9 encoder zeroes about
/// 100 MB (24,000 page faults, 60 ms). Sizes outside the range are left as
/// they are, to be refused. A full-size open can still fail where the
/// small one did not, for want of memory; then the first frame's open
/// reports it, as an encoder that fails later would.
fn probe(config: &EncoderConfig) -> Cow<'_, EncoderConfig> {
    const SIDE: u32 = 64;
    let limit = match VideoCodec::parse(&config.codec) {
        Ok(VideoCodec::Vp8) => 16383,
        Ok(VideoCodec::Vp9(_)) => VP9_MAX_SIDE,
        _ => return Cow::Borrowed(config),
    };
    let (w, h) = (config.width, config.height);
    if w > limit || h > limit || (w <= SIDE + 1 && h <= SIDE + 1) {
        return Cow::Borrowed(config);
    }
    let small = |side: u32| if side <= SIDE + 1 { side } else { SIDE + (side & 1) };
    let (width, height) = (small(w), small(h));
    Cow::Owned(EncoderConfig { width, height, display_width: width, display_height: height, ..config.clone() })
}

fn supported_before(config: &EncoderConfig) -> bool {
    SUPPORTED.lock().is_ok_and(|list| list.contains(config))
}

fn remember_supported(config: &EncoderConfig) {
    if let Ok(mut list) = SUPPORTED.lock() {
        if !list.contains(config) {
            if list.len() == 32 {
                list.remove(0);
            }
            list.push(config.clone());
        }
    }
}

fn open_encoder(config: &EncoderConfig, color: &ColorSpace) -> Result<Open> {
    OPENS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Ok(mut size) = LAST_OPEN.lock() {
        *size = (config.width, config.height);
    }
    let codec = VideoCodec::parse(&config.codec)?;
    let name = codec.name();
    if config.prefer_hardware {
        return Err(Error::NotSupported("This build has no hardware encoders".into()));
    }
    if config.keep_alpha && !matches!(codec, VideoCodec::Vp8 | VideoCodec::Vp9(Vp9Codec { profile: 0, bit_depth: 8, .. })) {
        // libvpx codes alpha as a second 8-bit 4:2:0 stream; the other encoders have no alpha at all.
        return Err(Error::NotSupported(format!("This build's {name} encoder cannot keep alpha for {}", config.codec)));
    }
    let layers = temporal_pattern(config.scalability_mode.as_deref()).map_err(|e| Error::NotSupported(format!("{e} for {name}")))?;
    // H.264's layers come from OpenH264 (see openh264.rs); x264 has none.
    let h264_layers = cfg!(openh264) && matches!(codec, VideoCodec::H264(_));
    if layers.is_some() && !h264_layers && !matches!(codec, VideoCodec::Vp8 | VideoCodec::Vp9(_) | VideoCodec::Av1(_)) {
        return Err(Error::NotSupported(format!("Scalability mode {} is not supported for {name} in this build", config.scalability_mode.as_deref().unwrap_or(""))));
    }
    if config.framerate.is_some_and(|f| !(f > 0.0)) {
        return Err(Error::NotSupported(format!("framerate {} is not positive", config.framerate.unwrap_or(0.0))));
    }
    // x264 and x265 take a frame's QP only in their own picture structures,
    // which FFmpeg's wrappers fill themselves: the static builds' FFmpeg has
    // a "frame-qp" option for it (scripts/build-ffmpeg); Debian's has not,
    // and there OpenH264 codes H.264 at a QP per frame.
    let frame_qp_default = match (&codec, config.bitrate_mode) {
        (VideoCodec::H264(_), BitrateMode::Quantizer) if x264_frame_qp() => Some(X264_DEFAULT_QP),
        (VideoCodec::H264(_), BitrateMode::Quantizer) if cfg!(openh264) => Some(OPENH264_DEFAULT_QP),
        (VideoCodec::Hevc(_), BitrateMode::Quantizer) if cfg!(x265_direct) || has_private_option(find_encoder("libx265").unwrap_or(std::ptr::null()), "frame-qp") => Some(X265_DEFAULT_QP),
        _ => None,
    };
    let quantizer_library = match (&codec, config.bitrate_mode) {
        (_, BitrateMode::Constant | BitrateMode::Variable) => None,
        (VideoCodec::Vp9(_), BitrateMode::Quantizer) => Some(Library::Vpx),
        (VideoCodec::Av1(_), BitrateMode::Quantizer) => Some(Library::Aom),
        _ if frame_qp_default.is_some() => None,
        _ => return Err(Error::NotSupported(format!("bitrateMode \"quantizer\" is not supported for {name} in this build"))),
    };
    if (quantizer_library.is_some() || frame_qp_default.is_some()) && (layers.is_some() || config.keep_alpha) {
        // Temporal layers and the alpha encoder each carry bounds of their own.
        return Err(Error::NotSupported(format!("bitrateMode \"quantizer\" cannot be combined with scalabilityMode or alpha \"keep\" for {name}")));
    }
    let Setup { encoder, mut pix_fmt, mut options, profile, level } = setup(&codec, config)?;
    let Some(encoder) = encoder else {
        #[cfg(openh264)]
        return open_openh264(config, codec, color, layers, frame_qp_default, (profile.unwrap_or(66) as u8, level.unwrap_or(0) as u8));
        #[cfg(not(openh264))]
        return Err(Error::NotSupported(format!("This build has no OpenH264 for {}", config.codec)));
    };
    if config.keep_alpha {
        // libvpx encodes the A plane of 4:2:0 with alpha with a second encoder.
        pix_fmt = AV_PIX_FMT_YUVA420P;
    }
    let ctx = CodecContext::new(encoder)?;
    let mut av1_plan: Option<(Vec<i64>, &[i32])> = None;
    let fps = config.framerate.filter(|f| *f > 0.0).unwrap_or(30.0);
    let rate = unsafe { ffi::av_d2q(fps, 1 << 20) };
    {
        let c = ctx.raw();
        c.width = config.width as i32;
        c.height = config.height as i32;
        c.pix_fmt = pix_fmt;
        c.framerate = rate;
        c.time_base = ffi::AVRational { num: rate.den, den: rate.num };
        c.sample_aspect_ratio = sample_aspect(config);
        // No B-frames: chunks come out in presentation order, as browsers emit them.
        c.max_b_frames = 0;
        c.thread_count = 0;
        let bitrate = match (config.bitrate, &codec) {
            // Constant quality (libvpx's and libaom's Q mode): each frame's
            // quantizer is set before it is encoded.
            _ if quantizer_library.is_some() => {
                c.qmin = OPEN_BOUNDS.0;
                c.qmax = OPEN_BOUNDS.1;
                c.bit_rate = 0;
                options.push(("crf", DEFAULT_QUANTIZER.to_string()));
                None
            }
            // Each frame's QP given through "frame-qp", with adaptive
            // quantisation and MB-tree/CU-tree off so that it is every
            // block's QP. x264 runs in CRF mode, which a forced QP bypasses
            // (its constant-QP mode would clamp the QP to the range of its
            // I/P/B constants, qp ± 3). x265 runs at constant QP, which it
            // refuses with a level to enforce (and with a level in CRF mode
            // it turns VBV on, which may move a row's QP and is not
            // deterministic): the level is left to x265.
            _ if frame_qp_default.is_some() => {
                c.bit_rate = 0;
                if matches!(codec, VideoCodec::H264(_)) {
                    options.push(("aq-mode", "0".into()));
                    options.push(("mbtree", "0".into()));
                } else if let Some((_, params)) = options.iter_mut().find(|(k, _)| *k == "x265-params") {
                    let kept: Vec<&str> = params.split(':').filter(|p| !p.starts_with("level-idc=") && !p.starts_with("high-tier=")).collect();
                    *params = format!("{}:aq-mode=0:cutree=0", kept.join(":"));
                    options.push(("qp", frame_qp_default.unwrap_or_default().to_string()));
                }
                options.push(("frame-qp", "1".into()));
                None
            }
            (Some(b), _) => Some(b.min(i64::MAX as u64) as i64),
            (None, VideoCodec::Vp8 | VideoCodec::Vp9(_) | VideoCodec::Av1(_)) => Some(default_bitrate(&codec, config, fps)),
            (None, _) => None,
        };
        if let (Some(bitrate), Some(pattern)) = (bitrate, layers) {
            // Temporal layers: cumulative per-layer targets in kbit/s (the
            // base layer taking the larger share), each layer's frame rate
            // divisor, and the layer of each frame in the period.
            let (shares, decimators): (&[i64], &[i32]) = if pattern.len() == 2 { (&[60, 100], &[2, 1]) } else { (&[40, 60, 100], &[4, 2, 1]) };
            let targets: Vec<i64> = shares.iter().map(|p| ((bitrate * p / 100) / 1000).max(1)).collect();
            let ids: Vec<String> = pattern.iter().map(|id| id.to_string()).collect();
            let list = |values: &[String]| values.join(",");
            if matches!(codec, VideoCodec::Av1(_)) {
                // libaom's layers are set once it is open (Av1Layers).
                av1_plan = Some((targets.clone(), decimators));
            } else if matches!(codec, VideoCodec::Vp9(_)) {
                // VP9 carries probability contexts from frame to frame: without
                // error-resilient frames an upper layer's context update would
                // be missing when only the lower layers are decoded.
                options.push(("error-resilient", "default".into()));
                // FFmpeg copies the quantizer bounds into each layer's SVC
                // parameters; left at libvpx's defaults they arrive as 0 (every
                // inter frame lossless, far over the bitrate).
                c.qmin = 2;
                c.qmax = 56;
            }
            if matches!(codec, VideoCodec::Vp8 | VideoCodec::Vp9(_)) {
                let targets: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
                let decimators: Vec<String> = decimators.iter().map(|d| d.to_string()).collect();
                options.push((
                    "ts-parameters",
                    format!(
                        "ts_number_layers={}:ts_target_bitrate={}:ts_rate_decimator={}:ts_periodicity={}:ts_layer_id={}",
                        shares.len(),
                        list(&targets),
                        list(&decimators),
                        pattern.len(),
                        list(&ids)
                    ),
                ));
            }
        }
        if let Some(bitrate) = bitrate {
            c.bit_rate = bitrate;
            if config.bitrate_mode == BitrateMode::Constant && config.bitrate.is_some() {
                c.rc_max_rate = c.bit_rate;
                c.rc_min_rate = c.bit_rate;
                c.rc_buffer_size = c.bit_rate.min(i32::MAX as i64) as i32;
            }
        }
        if let Some(p) = profile {
            c.profile = p;
        }
        if let Some(l) = level {
            c.level = l;
        }
        color.apply_to_codec(c);
    }
    #[cfg(x265_direct)]
    if frame_qp_default.is_some() && matches!(codec, VideoCodec::Hevc(_)) && !has_private_option(encoder, "frame-qp") {
        // FFmpeg's wrapper cannot take a frame's QP: x265 itself, as the wrapper would set it up.
        let direct = crate::exit::opening(|| super::x265::Encoder::open(ctx.raw(), &options))?;
        let open = Open { backend: Backend::X265(direct), pix_fmt, codec, color: color.clone(), sent: 0, layers, layer_index: 0, quantizer: None, frame_qp: frame_qp_default, av1_layers: None };
        return Ok(open);
    }
    ctx.open(encoder, &options)?;
    let quantizer = quantizer_library.map(|library| FrameQuantizer::new(LibraryEncoder::find(ctx.as_ptr(), library)?)).transpose()?;
    // The same quantizer bounds as VP9's layers (see above).
    let av1_layers = av1_plan
        .map(|(targets, decimators)| Av1Layers::new(LibraryEncoder::find(ctx.as_ptr(), Library::Aom)?, &targets, decimators, (2, 56)))
        .transpose()?;
    Ok(Open { backend: Backend::Ffmpeg(ctx), pix_fmt, codec, color: color.clone(), sent: 0, layers, layer_index: 0, quantizer, frame_qp: frame_qp_default, av1_layers })
}

/// H.264 that OpenH264 encodes directly: temporal layers, or quantizer mode
/// where x264 takes no QP per frame.
fn openh264_direct(codec: &VideoCodec, config: &EncoderConfig) -> bool {
    let layered = temporal_pattern(config.scalability_mode.as_deref()).is_ok_and(|p| p.is_some());
    cfg!(openh264) && matches!(codec, VideoCodec::H264(_)) && (layered || (config.bitrate_mode == BitrateMode::Quantizer && !x264_frame_qp()))
}

#[cfg(openh264)]
fn open_openh264(config: &EncoderConfig, codec: VideoCodec, color: &ColorSpace, layers: Option<&'static [u32]>, qp: Option<u32>, (profile_idc, level_idc): (u8, u8)) -> Result<Open> {
    let fps = config.framerate.filter(|f| *f > 0.0).unwrap_or(30.0);
    let sar = sample_aspect(config);
    let settings = super::openh264::Settings {
        width: config.width,
        height: config.height,
        fps,
        // OpenH264 divides the bitrate among its layers itself.
        bitrate: qp.is_none().then(|| config.bitrate.map_or_else(|| default_bitrate(&codec, config, fps), |b| b.min(i64::MAX as u64) as i64)),
        constant: config.bitrate_mode == BitrateMode::Constant && config.bitrate.is_some(),
        temporal_layers: layers.map_or(1, |pattern| if pattern.len() == 2 { 2 } else { 3 }),
        qp,
        profile_idc,
        level_idc,
        color: color.clone(),
        sample_aspect: (sar.num as u16, sar.den as u16),
    };
    let encoder = crate::exit::opening(|| super::openh264::Encoder::open(&settings))?;
    Ok(Open {
        backend: Backend::OpenH264(encoder),
        pix_fmt: AV_PIX_FMT_YUV420P,
        codec,
        color: color.clone(),
        sent: 0,
        layers,
        layer_index: 0,
        quantizer: None,
        frame_qp: qp,
        av1_layers: None,
    })
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
        // A configuration known to open is opened by the first frame, with
        // that frame's colour space. Another one is checked now, so that an
        // unsupported one fails at configure(): by a small encoder where that
        // gives the same answer, else by the encoder itself, which is kept if
        // the first frame's colour fits.
        self.config = None;
        if !supported_before(&config) {
            match probe(&config) {
                Cow::Owned(small) => drop(open_encoder(&small, &ColorSpace::default())?),
                Cow::Borrowed(_) => self.open = Some(open_encoder(&config, &ColorSpace::default())?),
            }
            remember_supported(&config);
        }
        self.config = Some(config);
        Ok(())
    }

    fn process(&mut self, input: EncodeInput, emit: &mut dyn FnMut(EncodedChunk)) -> Result<()> {
        // RGB input becomes full-range BT.709 YUV (Colorimetry::RGB_TO_FULL_BT709)
        // that keeps the source's sRGB transfer: the stream says exactly that,
        // as Chrome's does.
        let rgb = input.frame.format().is_some_and(|f| f.is_rgb());
        let color = if rgb { ColorSpace::from_names(Some("bt709"), Some("iec61966-2-1"), Some("bt709"), Some(true)) } else { input.color.clone() };
        let format = self.ensure_open(&color)?.pix_fmt;
        let mut frame = self.prepare(&input, format, if rgb { Colorimetry::RGB_TO_FULL_BT709 } else { Colorimetry::BT709 })?;
        let pts = self.next_pts;
        self.next_pts += 1;
        unsafe {
            let f = &mut *frame.as_mut_ptr();
            f.pts = pts;
            f.pict_type = if input.key_frame { ffi::AVPictureType::AV_PICTURE_TYPE_I } else { ffi::AVPictureType::AV_PICTURE_TYPE_NONE };
            color.apply_to_frame(f);
        }
        let open = self.open.as_mut().expect("opened above");
        // Temporal layers: the pattern restarts at a requested key frame.
        let position = open.layers.map(|pattern| {
            if input.key_frame {
                open.layer_index = 0;
            }
            let at = open.layer_index % pattern.len();
            open.layer_index = (at + 1) % pattern.len();
            at
        });
        let layer = open.layers.zip(position).map(|(pattern, at)| pattern[at]);
        if let (Some(av1), Some(pattern), Some(at), Some(id)) = (open.av1_layers.as_ref(), open.layers, position, layer) {
            av1.set(id, layer_references(pattern.len(), at))?;
        } else if let (false, Some(pattern), Some(at), Some(id)) = (matches!(open.codec, VideoCodec::H264(_)), open.layers, position, layer) {
            // Which buffers this frame may read and refresh, and its layer,
            // reach libvpx through FFmpeg's per-frame metadata.
            let references = if matches!(open.codec, VideoCodec::Vp9(_)) {
                ("ref-frame-config", vp9_reference_config(pattern.len(), at))
            } else {
                ("vp8-flags", temporal_flags(pattern.len(), at).to_string())
            };
            unsafe {
                let f = &mut *frame.as_mut_ptr();
                for (key, value) in [references, ("temporal_id", id.to_string())] {
                    let (k, v) = (crate::av::cstring(key), crate::av::cstring(&value));
                    ffi::av_dict_set(&mut f.metadata, k.as_ptr(), v.as_ptr(), 0);
                }
            }
        }
        if let Some(qp) = open.frame_qp.as_mut() {
            // The registrations' range is 0-51; a missing quantizer keeps the last.
            if let Some(q) = input.quantizer {
                *qp = q.min(51);
            }
            if let Backend::Ffmpeg(_) = open.backend {
                unsafe { (*frame.as_mut_ptr()).quality = (*qp * ffi::FF_QP2LAMBDA as u32) as i32 };
            }
        }
        let ctx = match &mut open.backend {
            Backend::Ffmpeg(ctx) => ctx.as_ptr(),
            #[cfg(openh264)]
            Backend::OpenH264(encoder) => {
                // The frame's access unit comes back at once.
                let Some(data) = encoder.encode(&frame, input.key_frame, open.frame_qp)? else { return Ok(()) };
                open.sent += 1;
                let key = h264::split_annexb(&data).iter().any(|nal| h264::nal_type(nal) == h264::NAL_IDR);
                let config = self.config.as_ref().expect("configured");
                let mut chunk = package(config, open, &data, key, input.timestamp, input.duration, &mut self.last_parameter_sets);
                chunk.temporal_layer = layer;
                emit(chunk);
                return Ok(());
            }
            #[cfg(x265_direct)]
            Backend::X265(encoder) => {
                let outputs = encoder.encode(&frame, pts, input.key_frame, open.frame_qp)?;
                open.sent += 1;
                self.pending.insert(pts, Pending { timestamp: input.timestamp, duration: input.duration, layer });
                self.deliver(outputs, emit);
                return Ok(());
            }
        };
        if let Some(quantizer) = open.quantizer.as_mut() {
            // FFmpeg's libvpx and libaom wrappers encode inside send_frame:
            // the bounds set now apply to this frame alone.
            quantizer.set(ctx, input.quantizer)?;
        }
        let ret = unsafe { ffi::avcodec_send_frame(ctx, frame.as_ptr()) };
        if ret < 0 {
            return Err(Error::ffmpeg("avcodec_send_frame", ret));
        }
        open.sent += 1;
        self.pending.insert(pts, Pending { timestamp: input.timestamp, duration: input.duration, layer });
        self.drain(emit)
    }

    fn flush(&mut self, emit: &mut dyn FnMut(EncodedChunk)) -> Result<()> {
        // An encoder that holds no frame (every frame's chunk is out, as with
        // real-time settings) has nothing to drain: it goes on as it is, and
        // the stream continues without the key frame a reopen would start
        // with, as in Chrome.
        if self.pending.is_empty() {
            return Ok(());
        }
        #[cfg(x265_direct)]
        if let Some(Open { backend: Backend::X265(encoder), sent, .. }) = self.open.as_mut() {
            if *sent == 0 {
                return Ok(());
            }
            let outputs = encoder.flush()?;
            self.deliver(outputs, emit);
            // A drained x265 takes no more frames either (see below).
            self.open = None;
            self.pending.clear();
            return Ok(());
        }
        // OpenH264 holds no frames: nothing to drain, and it goes on as it is.
        let Some(Open { backend: Backend::Ffmpeg(ctx), sent, .. }) = self.open.as_ref() else { return Ok(()) };
        if *sent == 0 {
            return Ok(());
        }
        ctx.end_encoder_input()?;
        self.drain(emit)?;
        // A drained FFmpeg encoder takes no more input: the next frame reopens it
        // with the same configuration (same parameter sets, so no new decoder
        // config; a key frame first). FFmpeg's encoder flush (x264's, in
        // FFmpeg 7) is no way out: it drops the frames held, and x264 takes no
        // frame after its end of input.
        self.open = None;
        self.pending.clear();
        Ok(())
    }

    fn reset(&mut self) {
        *self = VideoEncoder { scaler: std::mem::take(&mut self.scaler), ..VideoEncoder::default() };
    }
}
