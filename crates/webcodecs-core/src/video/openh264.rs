//! H.264 from OpenH264, called directly: temporal layers (`scalabilityMode`
//! L1T2 and L1T3, from the encoder Chrome uses for them) and a QP per frame
//! (`bitrateMode: "quantizer"` where x264 takes none).
//!
//! FFmpeg's libopenh264 wrapper has no option for either, and Debian's
//! FFmpeg has no wrapper at all, so this module drives the library through
//! its C interface (codec_api.h): one `SEncParamExt` from the library's own
//! defaults with the fields below set, then one `EncodeFrame` per frame,
//! which returns that frame's access unit at once (OpenH264 holds no frames).
//!
//! The structures are OpenH264 2.x's (codec_app_def.h). Their fields up to
//! the ones used here have kept their offsets from 2.0 to 2.6; 2.6 appended
//! PSNR fields to `SEncParamExt`, `SSourcePicture` and `SLayerBSInfo`, the
//! last of which moves `SFrameBSInfo`'s frame size. The running library's
//! version picks those, and the parameters the encoder reports back after
//! initialising are checked against what was asked before any frame.

use std::ffi::{c_int, c_void};

use ffmpeg_next::ffi;

use super::color::ColorSpace;
use super::frame::Frame;
use super::h264;
use crate::error::{Error, Result};

/// OpenH264Version (codec_app_def.h).
#[repr(C)]
#[derive(Default)]
struct Version {
    major: u32,
    minor: u32,
    revision: u32,
    reserved: u32,
}

/// ISVCEncoderVtbl (codec_api.h), in order.
#[repr(C)]
struct Vtbl {
    _initialize: usize,
    initialize_ext: unsafe extern "C" fn(*mut *const Vtbl, *const c_void) -> c_int,
    get_default_params: unsafe extern "C" fn(*mut *const Vtbl, *mut c_void) -> c_int,
    uninitialize: unsafe extern "C" fn(*mut *const Vtbl) -> c_int,
    encode_frame: unsafe extern "C" fn(*mut *const Vtbl, *const c_void, *mut c_void) -> c_int,
    _encode_parameter_sets: usize,
    force_intra_frame: unsafe extern "C" fn(*mut *const Vtbl, bool) -> c_int,
    set_option: unsafe extern "C" fn(*mut *const Vtbl, c_int, *mut c_void) -> c_int,
    get_option: unsafe extern "C" fn(*mut *const Vtbl, c_int, *mut c_void) -> c_int,
}

extern "C" {
    fn WelsCreateSVCEncoder(encoder: *mut *mut *const Vtbl) -> c_int;
    fn WelsDestroySVCEncoder(encoder: *mut *const Vtbl);
    fn WelsGetCodecVersionEx(version: *mut Version);
}

/// ENCODER_OPTION values (codec_app_def.h).
const OPTION_PARAM_EXT: c_int = 3;
const OPTION_TRACE_LEVEL: c_int = 25;
/// WELS_LOG_QUIET: the library prints nothing; failures come back as status codes.
const LOG_QUIET: c_int = 0;

/// Byte offsets in SEncParamExt.
mod param {
    pub const WIDTH: usize = 4;
    pub const HEIGHT: usize = 8;
    pub const TARGET_BITRATE: usize = 12;
    pub const RC_MODE: usize = 16;
    pub const MAX_FRAME_RATE: usize = 20;
    pub const TEMPORAL_LAYERS: usize = 24;
    pub const SPATIAL_LAYERS: usize = 28;
    /// sSpatialLayers[0]: an SSpatialLayerConfig (offsets in `layer`).
    pub const LAYER0: usize = 32;
    pub const INTRA_PERIOD: usize = 836;
    pub const SPS_PPS_ID_STRATEGY: usize = 844;
    pub const ENTROPY_CODING: usize = 856;
    pub const FRAME_SKIP: usize = 860;
    pub const MAX_BITRATE: usize = 864;
    pub const THREADS: usize = 892;
    /// sizeof(SEncParamExt) is 920 bytes up to 2.5 and 924 in 2.6.
    pub const SIZE: usize = 1024;
}

/// Byte offsets in SSpatialLayerConfig.
mod layer {
    pub const WIDTH: usize = 0;
    pub const HEIGHT: usize = 4;
    pub const FRAME_RATE: usize = 8;
    pub const BITRATE: usize = 12;
    pub const MAX_BITRATE: usize = 16;
    pub const PROFILE: usize = 20;
    pub const LEVEL: usize = 24;
    pub const QP: usize = 28;
    pub const VIDEO_SIGNAL_TYPE: usize = 184;
    pub const VIDEO_FORMAT: usize = 185;
    pub const FULL_RANGE: usize = 186;
    pub const COLOR_DESCRIPTION: usize = 187;
    pub const PRIMARIES: usize = 188;
    pub const TRANSFER: usize = 189;
    pub const MATRIX: usize = 190;
    pub const ASPECT_RATIO: usize = 191;
    pub const ASPECT_RATIO_IDC: usize = 192;
    pub const SAR_WIDTH: usize = 196;
    pub const SAR_HEIGHT: usize = 198;
}

/// RC_MODES: quality-driven, bitrate-driven, and off (every frame at the layer's QP).
const RC_QUALITY: i32 = 0;
const RC_BITRATE: i32 = 1;
const RC_OFF: i32 = -1;
/// EVideoFormatType: videoFormatI420.
const FORMAT_I420: i32 = 23;
/// EVideoFrameType: videoFrameTypeSkip (the encoder dropped the frame).
const FRAME_SKIP: i32 = 4;
/// EVideoFormatSPS: VF_UNDEF.
const VIDEO_FORMAT_UNDEFINED: u8 = 5;
/// ESampleAspectRatio: ASP_EXT_SAR.
const EXTENDED_SAR: i32 = 255;
/// MAX_LAYER_NUM_OF_FRAME: SFrameBSInfo's array of SLayerBSInfo.
const MAX_LAYERS: usize = 128;

/// The running library's version as (major, minor).
fn version() -> (u32, u32) {
    let mut v = Version::default();
    // SAFETY: fills the four fields of the struct passed.
    unsafe { WelsGetCodecVersionEx(&mut v) };
    (v.major, v.minor)
}

/// What the encoder is opened with.
pub struct Settings {
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    /// Bits per second; None in quantizer mode.
    pub bitrate: Option<i64>,
    /// Hold the bitrate (constant) rather than aim at it (variable).
    pub constant: bool,
    /// 1, 2 or 3 temporal layers.
    pub temporal_layers: u32,
    /// Quantizer mode: rate control off, every frame at its own QP, this one
    /// until the first frame says otherwise.
    pub qp: Option<u32>,
    pub profile_idc: u8,
    pub level_idc: u8,
    pub color: ColorSpace,
    /// Sample aspect ratio, 1:1 when square.
    pub sample_aspect: (u16, u16),
}

/// An open OpenH264 encoder.
pub struct Encoder {
    raw: *mut *const Vtbl,
    /// The parameters it was initialised with, as given (QP changes set
    /// them again with the QP changed).
    params: Vec<u8>,
    qp: Option<u32>,
    /// An SSourcePicture and an SFrameBSInfo of the running library's sizes,
    /// filled for each frame.
    picture: Vec<u8>,
    info: Vec<u8>,
    frames: u64,
    fps: f64,
}

// SAFETY: the encoder is used only by the codec thread that owns it.
unsafe impl Send for Encoder {}

fn put_i32(buffer: &mut [u8], at: usize, value: i32) {
    buffer[at..at + 4].copy_from_slice(&value.to_ne_bytes());
}

fn get_i32(buffer: &[u8], at: usize) -> i32 {
    i32::from_ne_bytes(buffer[at..at + 4].try_into().expect("four bytes"))
}

fn refused(what: &str, status: c_int) -> Error {
    Error::NotSupported(format!("OpenH264 refused {what} (status {status})"))
}

impl Encoder {
    pub fn open(s: &Settings) -> Result<Encoder> {
        let (major, minor) = version();
        if major != 2 {
            return Err(Error::NotSupported(format!("OpenH264 {major}.{minor} is not a 2.x release this build knows")));
        }
        // 2.6 appended rPsnr[3] to SLayerBSInfo and three flags to SSourcePicture.
        let (layer_size, picture_size) = if minor >= 6 { (56, 80) } else { (40, 72) };
        let mut raw: *mut *const Vtbl = std::ptr::null_mut();
        // SAFETY: WelsCreateSVCEncoder writes an encoder pointer or fails.
        let status = unsafe { WelsCreateSVCEncoder(&mut raw) };
        if status != 0 || raw.is_null() {
            return Err(Error::Encoding(format!("OpenH264 could not create an encoder (status {status})")));
        }
        let info = vec![0; 8 + MAX_LAYERS * layer_size + 16];
        let mut encoder = Encoder { raw, params: vec![0; param::SIZE], qp: s.qp, picture: vec![0; picture_size], info, frames: 0, fps: s.fps };
        let mut quiet = LOG_QUIET;
        encoder.call_set_option(OPTION_TRACE_LEVEL, &mut quiet as *mut c_int as *mut c_void, "quiet logging")?;
        // SAFETY: the buffer is larger than any 2.x SEncParamExt.
        let status = unsafe { ((**raw).get_default_params)(raw, encoder.params.as_mut_ptr().cast()) };
        if status != 0 {
            return Err(refused("to report its defaults", status));
        }
        let p = &mut encoder.params;
        put_i32(p, param::WIDTH, s.width as i32);
        put_i32(p, param::HEIGHT, s.height as i32);
        let fps = s.fps as f32;
        p[param::MAX_FRAME_RATE..param::MAX_FRAME_RATE + 4].copy_from_slice(&fps.to_ne_bytes());
        let bitrate = s.bitrate.unwrap_or(0).clamp(0, i32::MAX as i64) as i32;
        let rc = match (s.qp, s.constant) {
            (Some(_), _) => RC_OFF,
            (None, true) => RC_BITRATE,
            (None, false) => RC_QUALITY,
        };
        put_i32(p, param::TARGET_BITRATE, bitrate);
        put_i32(p, param::RC_MODE, rc);
        put_i32(p, param::TEMPORAL_LAYERS, s.temporal_layers as i32);
        put_i32(p, param::SPATIAL_LAYERS, 1);
        // Key frames only where asked for (the first one and encode()'s keyFrame).
        put_i32(p, param::INTRA_PERIOD, 0);
        // The same parameter sets for the whole stream: one decoder config.
        put_i32(p, param::SPS_PPS_ID_STRATEGY, 0);
        // CABAC for Main and High.
        put_i32(p, param::ENTROPY_CODING, (s.profile_idc != 66) as i32);
        // Every frame gives a chunk: rate control never drops one.
        p[param::FRAME_SKIP] = 0;
        put_i32(p, param::MAX_BITRATE, if s.constant { bitrate } else { 0 });
        // One thread: OpenH264 threads by slices, and one slice keeps the
        // output identical from run to run.
        p[param::THREADS..param::THREADS + 2].copy_from_slice(&1u16.to_ne_bytes());
        let l = param::LAYER0;
        put_i32(p, l + layer::WIDTH, s.width as i32);
        put_i32(p, l + layer::HEIGHT, s.height as i32);
        p[l + layer::FRAME_RATE..l + layer::FRAME_RATE + 4].copy_from_slice(&fps.to_ne_bytes());
        put_i32(p, l + layer::BITRATE, bitrate);
        put_i32(p, l + layer::MAX_BITRATE, if s.constant { bitrate } else { 0 });
        put_i32(p, l + layer::PROFILE, s.profile_idc as i32);
        put_i32(p, l + layer::LEVEL, s.level_idc as i32);
        if let Some(qp) = s.qp {
            put_i32(p, l + layer::QP, qp as i32);
        }
        let (primaries, transfer, matrix, range) = s.color.av_values();
        if primaries.is_some() || transfer.is_some() || matrix.is_some() || range.is_some() {
            // The values are H.264's VUI codes, as FFmpeg's are; 2 is "unspecified".
            p[l + layer::VIDEO_SIGNAL_TYPE] = 1;
            p[l + layer::VIDEO_FORMAT] = VIDEO_FORMAT_UNDEFINED;
            p[l + layer::FULL_RANGE] = (range == Some(ffi::AVColorRange::AVCOL_RANGE_JPEG)) as u8;
            p[l + layer::COLOR_DESCRIPTION] = (primaries.is_some() || transfer.is_some() || matrix.is_some()) as u8;
            p[l + layer::PRIMARIES] = primaries.map_or(2, |v| v as u8);
            p[l + layer::TRANSFER] = transfer.map_or(2, |v| v as u8);
            p[l + layer::MATRIX] = matrix.map_or(2, |v| v as u8);
        }
        if s.sample_aspect != (1, 1) {
            p[l + layer::ASPECT_RATIO] = 1;
            put_i32(p, l + layer::ASPECT_RATIO_IDC, EXTENDED_SAR);
            p[l + layer::SAR_WIDTH..l + layer::SAR_WIDTH + 2].copy_from_slice(&s.sample_aspect.0.to_ne_bytes());
            p[l + layer::SAR_HEIGHT..l + layer::SAR_HEIGHT + 2].copy_from_slice(&s.sample_aspect.1.to_ne_bytes());
        }
        // SAFETY: a created encoder and a complete SEncParamExt.
        let status = unsafe { ((**raw).initialize_ext)(raw, encoder.params.as_ptr().cast()) };
        if status != 0 {
            return Err(refused(&format!("{}x{} at profile {} level {}", s.width, s.height, s.profile_idc, s.level_idc), status));
        }
        // What it runs with must be what was asked: a layout this module
        // misreads would show here, before any frame. (The layer's size is
        // kept in whole macroblocks; the stream crops it.)
        let actual = encoder.current()?;
        let macroblocks = |n: u32| n.next_multiple_of(16) as i32;
        let expected = [
            (param::WIDTH, s.width as i32),
            (param::HEIGHT, s.height as i32),
            (param::RC_MODE, rc),
            (param::TEMPORAL_LAYERS, s.temporal_layers as i32),
            (param::SPATIAL_LAYERS, 1),
            (l + layer::WIDTH, macroblocks(s.width)),
            (l + layer::HEIGHT, macroblocks(s.height)),
        ];
        if let Some(&(at, _)) = expected.iter().find(|&&(at, value)| get_i32(&actual, at) != value) {
            return Err(Error::NotSupported(format!("OpenH264 {major}.{minor} reports parameters laid out differently (at byte {at})")));
        }
        if get_i32(&actual, l + layer::PROFILE) != s.profile_idc as i32 {
            return Err(Error::NotSupported(format!("OpenH264 {major}.{minor} cannot encode H.264 profile {} with these settings", s.profile_idc)));
        }
        if s.qp.is_some_and(|qp| get_i32(&actual, l + layer::QP) != qp as i32) {
            return Err(Error::NotSupported(format!("OpenH264 {major}.{minor} did not take a fixed QP")));
        }
        Ok(encoder)
    }

    fn call_set_option(&self, option: c_int, value: *mut c_void, what: &str) -> Result<()> {
        // SAFETY: a created encoder; `value` is what `option` takes.
        let status = unsafe { ((**self.raw).set_option)(self.raw, option, value) };
        if status != 0 {
            return Err(refused(what, status));
        }
        Ok(())
    }

    /// The parameters the encoder runs with.
    fn current(&self) -> Result<Vec<u8>> {
        let mut params = vec![0u8; param::SIZE];
        // SAFETY: an initialised encoder; the buffer is larger than SEncParamExt.
        let status = unsafe { ((**self.raw).get_option)(self.raw, OPTION_PARAM_EXT, params.as_mut_ptr().cast()) };
        if status != 0 {
            return Err(refused("to report its parameters", status));
        }
        Ok(params)
    }

    /// Codes the next frames at `qp` (quantizer mode only; a QP change alone
    /// is taken without re-initialising).
    fn set_qp(&mut self, qp: u32) -> Result<()> {
        if self.qp == Some(qp) {
            return Ok(());
        }
        let at = param::LAYER0 + layer::QP;
        put_i32(&mut self.params, at, qp as i32);
        let params = self.params.as_mut_ptr().cast();
        self.call_set_option(OPTION_PARAM_EXT, params, &format!("QP {qp}"))?;
        self.qp = Some(qp);
        Ok(())
    }

    /// Encodes one 8-bit 4:2:0 frame of the opened size, a key frame if
    /// `key`, at `qp` in quantizer mode. Returns its access unit in Annex B
    /// form, or None if the encoder dropped the frame.
    pub fn encode(&mut self, frame: &Frame, key: bool, qp: Option<u32>) -> Result<Option<Vec<u8>>> {
        if let (Some(qp), Some(_)) = (qp, self.qp) {
            self.set_qp(qp)?;
        }
        let f = frame.as_ptr();
        let picture = &mut self.picture;
        // SAFETY: `frame` is a live YUV420P AVFrame of the opened size (the
        // caller converts); OpenH264 reads its planes during EncodeFrame only.
        unsafe {
            if (*f).format != ffi::AVPixelFormat::AV_PIX_FMT_YUV420P as i32 {
                return Err(Error::Encoding("OpenH264 takes 8-bit 4:2:0 frames".into()));
            }
            put_i32(picture, 0, FORMAT_I420);
            for plane in 0..3 {
                put_i32(picture, 4 + 4 * plane, (*f).linesize[plane]);
                let at = 24 + 8 * plane;
                picture[at..at + 8].copy_from_slice(&((*f).data[plane] as usize).to_ne_bytes());
            }
            put_i32(picture, 56, (*f).width);
            put_i32(picture, 60, (*f).height);
        }
        // Milliseconds, for rate control.
        let millis = (self.frames as f64 * 1000.0 / self.fps).round() as i64;
        picture[64..72].copy_from_slice(&millis.to_ne_bytes());
        self.frames += 1;
        if key {
            // SAFETY: an initialised encoder.
            let status = unsafe { ((**self.raw).force_intra_frame)(self.raw, true) };
            if status != 0 {
                return Err(refused("a key frame", status));
            }
        }
        let info = &mut self.info;
        info.fill(0);
        // SAFETY: `picture` is an SSourcePicture and `info` an SFrameBSInfo of the running library's sizes.
        let status = unsafe { ((**self.raw).encode_frame)(self.raw, self.picture.as_ptr().cast(), info.as_mut_ptr().cast()) };
        if status != 0 {
            return Err(Error::Encoding(format!("OpenH264 could not encode a frame (status {status})")));
        }
        // The frame type and size follow the layer array.
        let tail = info.len() - 16;
        let (frame_type, size) = (get_i32(info, tail), get_i32(info, tail + 4));
        let layers = get_i32(info, 0);
        if frame_type == FRAME_SKIP || size <= 0 || layers <= 0 {
            return Ok(None);
        }
        // The layers' bitstreams follow one another in one buffer, starting
        // at the first layer's.
        let start = usize::from_ne_bytes(info[8 + 32..8 + 40].try_into().expect("a pointer")) as *const u8;
        if start.is_null() {
            return Ok(None);
        }
        // SAFETY: OpenH264 owns `size` bytes at `start` until the next call.
        let data = unsafe { std::slice::from_raw_parts(start, size as usize) };
        if h264::split_annexb(data).is_empty() {
            return Err(Error::Encoding("OpenH264 returned a frame without NAL units".into()));
        }
        Ok(Some(data.to_vec()))
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: created by WelsCreateSVCEncoder and used by nothing else.
        unsafe {
            ((**self.raw).uninitialize)(self.raw);
            WelsDestroySVCEncoder(self.raw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::pixel::PixelFormat;

    /// A moving diagonal pattern (8-bit 4:2:0).
    fn picture(width: u32, height: u32, index: u32, format: PixelFormat) -> Frame {
        let frame = Frame::alloc(format, width, height).expect("frame");
        // SAFETY: a freshly allocated frame of this size and format.
        unsafe {
            let f = &*frame.as_ptr();
            for plane in 0..3 {
                let (w, h) = if plane == 0 { (width, height) } else { (f.width as u32 / 2, f.height as u32 / 2) };
                for y in 0..h as usize {
                    let row = f.data[plane].add(y * f.linesize[plane] as usize);
                    for x in 0..w as usize {
                        *row.add(x) = if plane == 0 { ((x * 3 + y * 5) as u32 + index * 7) as u8 } else { 128 };
                    }
                }
            }
        }
        frame
    }

    fn settings(layers: u32, qp: Option<u32>) -> Settings {
        Settings {
            width: 168,
            height: 120,
            fps: 30.0,
            bitrate: qp.is_none().then_some(300_000),
            constant: false,
            temporal_layers: layers,
            qp,
            profile_idc: 77,
            level_idc: 31,
            color: ColorSpace::default(),
            sample_aspect: (1, 1),
        }
    }

    fn has_idr(data: &[u8]) -> bool {
        h264::split_annexb(data).iter().any(|nal| h264::nal_type(nal) == h264::NAL_IDR)
    }

    #[test]
    fn every_frame_gives_its_access_unit_with_key_frames_only_where_asked() {
        let mut encoder = Encoder::open(&settings(3, None)).expect("OpenH264 opens");
        let keys: Vec<bool> = (0..10)
            .map(|i| {
                let data = encoder.encode(&picture(168, 120, i, PixelFormat::I420), i == 6, None).expect("encodes").expect("not dropped");
                has_idr(&data)
            })
            .collect();
        assert_eq!(keys, (0..10).map(|i| i == 0 || i == 6).collect::<Vec<_>>());
    }

    #[test]
    fn a_higher_qp_gives_a_smaller_key_frame() {
        let mut encoder = Encoder::open(&settings(1, Some(26))).expect("OpenH264 opens");
        let sizes: Vec<usize> = [10, 25, 40, 51]
            .iter()
            .map(|&qp| encoder.encode(&picture(168, 120, 0, PixelFormat::I420), true, Some(qp)).expect("encodes").expect("not dropped").len())
            .collect();
        assert!(sizes.windows(2).all(|w| w[1] < w[0]), "key frame sizes {sizes:?}");
    }

    #[test]
    fn another_pixel_format_is_refused() {
        let mut encoder = Encoder::open(&settings(1, None)).expect("OpenH264 opens");
        let error = encoder.encode(&picture(168, 120, 0, PixelFormat::I422), false, None).err().expect("refused");
        assert!(matches!(error, Error::Encoding(_)), "{error:?}");
    }
}
