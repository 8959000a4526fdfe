//! HEVC at a QP per frame (`bitrateMode: "quantizer"`) from x265 called
//! directly, in development builds.
//!
//! x265 takes a frame's QP only in its own picture structure (`forceqp`),
//! which FFmpeg's libx265 wrapper fills itself. The static builds patch the
//! wrapper (scripts/build-ffmpeg's "frame-qp"); Debian's FFmpeg is not
//! patched, so there this module drives x265 through its API table
//! (`x265_api_get`), with the same settings the wrapper would be given
//! (preset, tune, profile, `x265-params`, QP), taken from the encoder's
//! AVCodecContext and options.
//!
//! The table and `x265_picture` are laid out per x265 build (X265_BUILD, its
//! soname); this module knows build 199 (x265 3.5, Debian 12's), which
//! build.rs checks before compiling it, and the table the library returns
//! must say the same build and picture size.

use std::ffi::{c_char, c_int, c_void, CString};

use ffmpeg_next::ffi;

use super::frame::Frame;
use crate::error::{Error, Result};

/// X265_BUILD of the layouts below.
const BUILD: c_int = 199;
/// sizeof(x265_picture) in build 199.
const PICTURE_SIZE: c_int = 16816;

/// x265_api of build 199, up to the last entry used.
#[repr(C)]
struct Api {
    api_major_version: c_int,
    api_build_number: c_int,
    sizeof_param: c_int,
    sizeof_picture: c_int,
    _sizeof_analysis_data: c_int,
    _sizeof_zone: c_int,
    _sizeof_stats: c_int,
    bit_depth: c_int,
    _version_str: *const c_char,
    _build_info_str: *const c_char,
    param_alloc: unsafe extern "C" fn() -> *mut c_void,
    param_free: unsafe extern "C" fn(*mut c_void),
    _param_default: usize,
    param_parse: unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> c_int,
    param_apply_profile: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
    param_default_preset: unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> c_int,
    picture_alloc: unsafe extern "C" fn() -> *mut c_void,
    picture_free: unsafe extern "C" fn(*mut c_void),
    picture_init: unsafe extern "C" fn(*mut c_void, *mut c_void),
    encoder_open: unsafe extern "C" fn(*mut c_void) -> *mut c_void,
    _encoder_parameters: usize,
    _encoder_reconfig: usize,
    _encoder_reconfig_zone: usize,
    _encoder_headers: usize,
    encoder_encode: unsafe extern "C" fn(*mut c_void, *mut *mut Nal, *mut u32, *mut c_void, *mut c_void) -> c_int,
    _encoder_get_stats: usize,
    _encoder_log: usize,
    encoder_close: unsafe extern "C" fn(*mut c_void),
}

/// x265_nal.
#[repr(C)]
struct Nal {
    _kind: u32,
    size: u32,
    payload: *const u8,
}

extern "C" {
    /// x265_api_get, versioned by build as x265.h's macro names it.
    #[link_name = "x265_api_get_199"]
    fn x265_api_get(bit_depth: c_int) -> *const Api;
}

/// Byte offsets in x265_picture (build 199).
mod picture {
    pub const PTS: usize = 0;
    pub const PLANES: usize = 24;
    pub const STRIDES: usize = 48;
    pub const BIT_DEPTH: usize = 60;
    pub const SLICE_TYPE: usize = 64;
    pub const COLOR_SPACE: usize = 72;
    pub const FORCE_QP: usize = 76;
}

/// X265_TYPE_IDR.
const SLICE_IDR: c_int = 1;

/// One access unit out of the encoder.
pub struct Output {
    pub data: Vec<u8>,
    pub pts: i64,
    pub key: bool,
}

/// An open x265 encoder.
pub struct Encoder {
    api: &'static Api,
    param: *mut c_void,
    encoder: *mut c_void,
    input: *mut c_void,
    output: *mut c_void,
    /// Bit depth and X265_CSP_* of the frames it takes.
    depth: u32,
    csp: c_int,
    format: ffi::AVPixelFormat,
}

// SAFETY: the encoder is used only by the codec thread that owns it.
unsafe impl Send for Encoder {}

/// Bit depth and x265 colour space of a pixel format.
fn layout(format: ffi::AVPixelFormat) -> Option<(u32, c_int, &'static str)> {
    use ffi::AVPixelFormat::*;
    Some(match format {
        AV_PIX_FMT_YUV420P => (8, 1, "i420"),
        AV_PIX_FMT_YUV422P => (8, 2, "i422"),
        AV_PIX_FMT_YUV444P => (8, 3, "i444"),
        AV_PIX_FMT_YUV420P10LE => (10, 1, "i420"),
        AV_PIX_FMT_YUV422P10LE => (10, 2, "i422"),
        AV_PIX_FMT_YUV444P10LE => (10, 3, "i444"),
        AV_PIX_FMT_YUV420P12LE => (12, 1, "i420"),
        AV_PIX_FMT_YUV422P12LE => (12, 2, "i422"),
        AV_PIX_FMT_YUV444P12LE => (12, 3, "i444"),
        _ => return None,
    })
}

fn text(value: &str) -> Result<CString> {
    CString::new(value).map_err(|_| Error::NotSupported(format!("x265 setting {value:?} has a NUL")))
}

/// x265's names for FFmpeg's colour values (x265_source_csp_names and friends).
fn color_names(c: &ffi::AVCodecContext) -> Vec<(&'static str, &'static str)> {
    use ffi::AVColorPrimaries::*;
    use ffi::AVColorSpace::*;
    use ffi::AVColorTransferCharacteristic::*;
    let mut names = Vec::new();
    let primaries = match c.color_primaries {
        AVCOL_PRI_BT709 => Some("bt709"),
        AVCOL_PRI_BT470BG => Some("bt470bg"),
        AVCOL_PRI_SMPTE170M => Some("smpte170m"),
        AVCOL_PRI_BT2020 => Some("bt2020"),
        AVCOL_PRI_SMPTE432 => Some("smpte432"),
        _ => None,
    };
    let transfer = match c.color_trc {
        AVCOL_TRC_BT709 => Some("bt709"),
        AVCOL_TRC_SMPTE170M => Some("smpte170m"),
        AVCOL_TRC_IEC61966_2_1 => Some("iec61966-2-1"),
        AVCOL_TRC_LINEAR => Some("linear"),
        AVCOL_TRC_SMPTE2084 => Some("smpte2084"),
        AVCOL_TRC_ARIB_STD_B67 => Some("arib-std-b67"),
        _ => None,
    };
    let matrix = match c.colorspace {
        AVCOL_SPC_RGB => Some("gbr"),
        AVCOL_SPC_BT709 => Some("bt709"),
        AVCOL_SPC_BT470BG => Some("bt470bg"),
        AVCOL_SPC_SMPTE170M => Some("smpte170m"),
        AVCOL_SPC_BT2020_NCL => Some("bt2020nc"),
        _ => None,
    };
    names.extend(primaries.map(|v| ("colorprim", v)));
    names.extend(transfer.map(|v| ("transfer", v)));
    names.extend(matrix.map(|v| ("colormatrix", v)));
    match c.color_range {
        ffi::AVColorRange::AVCOL_RANGE_JPEG => names.push(("range", "full")),
        ffi::AVColorRange::AVCOL_RANGE_MPEG => names.push(("range", "limited")),
        _ => {}
    }
    names
}

impl Encoder {
    /// Opens x265 as FFmpeg's wrapper would open it for `c` (size, frame
    /// rate, pixel format, aspect ratio, colour) and `options` (preset,
    /// tune, profile, qp and x265-params), in constant-QP mode.
    pub fn open(c: &ffi::AVCodecContext, options: &[(&str, String)]) -> Result<Encoder> {
        let (depth, csp, csp_name) = layout(c.pix_fmt).ok_or_else(|| Error::NotSupported("x265 does not take this pixel format".into()))?;
        // SAFETY: returns a static table or NULL when the library has no such depth.
        let api = unsafe { x265_api_get(depth as c_int).as_ref() }.ok_or_else(|| Error::NotSupported(format!("This x265 has no {depth}-bit encoder")))?;
        if api.api_build_number != BUILD || api.sizeof_picture != PICTURE_SIZE || api.bit_depth != depth as c_int || api.sizeof_param <= 0 {
            return Err(Error::NotSupported(format!("x265 {} (build {}) is not the build this module knows ({BUILD})", api.api_major_version, api.api_build_number)));
        }
        let option = |name: &str| options.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
        // SAFETY: x265's own allocation; freed in Drop.
        let param = unsafe { (api.param_alloc)() };
        if param.is_null() {
            return Err(Error::Encoding("x265 could not allocate its parameters".into()));
        }
        let mut encoder = Encoder { api, param, encoder: std::ptr::null_mut(), input: std::ptr::null_mut(), output: std::ptr::null_mut(), depth, csp, format: c.pix_fmt };
        let preset = text(option("preset").unwrap_or("medium"))?;
        let tune = option("tune").map(text).transpose()?;
        // SAFETY: a live x265_param and NUL-terminated names.
        let status = unsafe { (api.param_default_preset)(param, preset.as_ptr(), tune.as_ref().map_or(std::ptr::null(), |t| t.as_ptr())) };
        if status < 0 {
            return Err(Error::NotSupported(format!("x265 has no preset {preset:?}")));
        }
        let mut settings: Vec<(String, String)> = vec![
            ("input-res".into(), format!("{}x{}", c.width, c.height)),
            ("fps".into(), format!("{}/{}", c.framerate.num, c.framerate.den)),
            ("input-csp".into(), csp_name.into()),
            // Parameter sets in band with each key frame, start codes, no B-frames.
            ("repeat-headers".into(), "1".into()),
            ("annexb".into(), "1".into()),
            ("bframes".into(), "0".into()),
        ];
        if c.sample_aspect_ratio.num > 0 && c.sample_aspect_ratio.den > 0 && c.sample_aspect_ratio.num != c.sample_aspect_ratio.den {
            settings.push(("sar".into(), format!("{}:{}", c.sample_aspect_ratio.num, c.sample_aspect_ratio.den)));
        }
        settings.extend(color_names(c).into_iter().map(|(k, v)| (k.to_string(), v.to_string())));
        if let Some(qp) = option("qp") {
            settings.push(("qp".into(), qp.into()));
        }
        for pair in option("x265-params").unwrap_or("").split(':').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, "1"));
            settings.push((k.into(), v.into()));
        }
        for (name, value) in &settings {
            let (n, v) = (text(name)?, text(value)?);
            // SAFETY: as above.
            if unsafe { (api.param_parse)(param, n.as_ptr(), v.as_ptr()) } != 0 {
                return Err(Error::NotSupported(format!("x265 refused {name}={value}")));
            }
        }
        if let Some(profile) = option("profile") {
            let p = text(profile)?;
            // SAFETY: as above.
            if unsafe { (api.param_apply_profile)(param, p.as_ptr()) } != 0 {
                return Err(Error::NotSupported(format!("x265 cannot encode profile {profile} with these settings")));
            }
        }
        // SAFETY: a complete x265_param; the pictures are x265's own allocations.
        unsafe {
            encoder.encoder = (api.encoder_open)(param);
            if encoder.encoder.is_null() {
                return Err(Error::NotSupported("x265 refused these settings".into()));
            }
            encoder.input = (api.picture_alloc)();
            encoder.output = (api.picture_alloc)();
            if encoder.input.is_null() || encoder.output.is_null() {
                return Err(Error::Encoding("x265 could not allocate a picture".into()));
            }
        }
        Ok(encoder)
    }

    /// Encodes `frame` (the opened size and pixel format) as picture `pts`,
    /// an IDR picture if `key`, at `qp` if given. Returns the access units
    /// that came out (x265 may hold a few frames in quality mode).
    pub fn encode(&mut self, frame: &Frame, pts: i64, key: bool, qp: Option<u32>) -> Result<Vec<Output>> {
        let f = frame.as_ptr();
        // SAFETY: `frame` is a live AVFrame; it is checked to be of the
        // opened format before x265 reads its planes, which it copies during
        // the call.
        unsafe {
            if (*f).format != self.format as i32 {
                return Err(Error::Encoding("x265 was given a frame of another pixel format".into()));
            }
            (self.api.picture_init)(self.param, self.input);
            let picture = self.input as *mut u8;
            picture.add(picture::PTS).cast::<i64>().write_unaligned(pts);
            for plane in 0..3 {
                picture.add(picture::PLANES + 8 * plane).cast::<*mut u8>().write_unaligned((*f).data[plane]);
                picture.add(picture::STRIDES + 4 * plane).cast::<c_int>().write_unaligned((*f).linesize[plane]);
            }
            picture.add(picture::BIT_DEPTH).cast::<c_int>().write_unaligned(self.depth as c_int);
            picture.add(picture::COLOR_SPACE).cast::<c_int>().write_unaligned(self.csp);
            if key {
                picture.add(picture::SLICE_TYPE).cast::<c_int>().write_unaligned(SLICE_IDR);
            }
            if let Some(qp) = qp {
                // forceqp is the QP plus one (0: the encoder decides).
                picture.add(picture::FORCE_QP).cast::<c_int>().write_unaligned(qp.min(51) as c_int + 1);
            }
        }
        let mut outputs = Vec::new();
        self.call(self.input, &mut outputs)?;
        Ok(outputs)
    }

    /// Every access unit still inside the encoder; it takes no frames after.
    pub fn flush(&mut self) -> Result<Vec<Output>> {
        let mut outputs = Vec::new();
        while self.call(std::ptr::null_mut(), &mut outputs)? {}
        Ok(outputs)
    }

    /// One x265_encoder_encode call; true if it returned an access unit.
    fn call(&mut self, input: *mut c_void, outputs: &mut Vec<Output>) -> Result<bool> {
        let mut nals: *mut Nal = std::ptr::null_mut();
        let mut count = 0u32;
        // SAFETY: an open encoder, x265's pictures, and out-parameters for its NAL list.
        let status = unsafe { (self.api.encoder_encode)(self.encoder, &mut nals, &mut count, input, self.output) };
        if status < 0 {
            return Err(Error::Encoding(format!("x265 could not encode a frame (status {status})")));
        }
        if status == 0 || count == 0 || nals.is_null() {
            return Ok(false);
        }
        let mut data = Vec::new();
        // SAFETY: x265 owns `count` NALs with their payloads until the next call.
        unsafe {
            for nal in std::slice::from_raw_parts(nals, count as usize) {
                data.extend_from_slice(std::slice::from_raw_parts(nal.payload, nal.size as usize));
            }
            let picture = self.output as *const u8;
            let pts = picture.add(picture::PTS).cast::<i64>().read_unaligned();
            let key = picture.add(picture::SLICE_TYPE).cast::<c_int>().read_unaligned() == SLICE_IDR;
            outputs.push(Output { data, pts, key });
        }
        Ok(true)
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: each is x265's own allocation, used by nothing else.
        unsafe {
            if !self.encoder.is_null() {
                (self.api.encoder_close)(self.encoder);
            }
            for picture in [self.input, self.output] {
                if !picture.is_null() {
                    (self.api.picture_free)(picture);
                }
            }
            (self.api.param_free)(self.param);
        }
    }
}

/// Whether this library has an encoder of `depth` bits of the known build.
pub fn available(depth: u32) -> bool {
    // SAFETY: as in open().
    unsafe { x265_api_get(depth as c_int).as_ref() }.is_some_and(|api| api.api_build_number == BUILD && api.sizeof_picture == PICTURE_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::av::{find_encoder, CodecContext};
    use crate::video::pixel::PixelFormat;

    fn encoder(qp: u32) -> (CodecContext, Encoder) {
        let ctx = CodecContext::new(find_encoder("libx265").expect("libx265")).expect("context");
        let c = ctx.raw();
        (c.width, c.height, c.pix_fmt) = (160, 96, ffi::AVPixelFormat::AV_PIX_FMT_YUV420P);
        c.framerate = ffi::AVRational { num: 30, den: 1 };
        let options = [("preset", "ultrafast".to_string()), ("tune", "zerolatency".into()), ("profile", "main".into()), ("qp", qp.to_string()), ("x265-params", "log-level=error:aq-mode=0:cutree=0".into())];
        let encoder = Encoder::open(c, &options).expect("x265 opens");
        (ctx, encoder)
    }

    fn picture(index: u8) -> Frame {
        let frame = Frame::alloc(PixelFormat::I420, 160, 96).expect("frame");
        // SAFETY: a freshly allocated 160x96 4:2:0 frame.
        unsafe {
            let f = &*frame.as_ptr();
            for plane in 0..3 {
                let (w, h) = if plane == 0 { (160, 96) } else { (80, 48) };
                for y in 0..h {
                    let row = f.data[plane].add(y * f.linesize[plane] as usize);
                    for x in 0..w {
                        *row.add(x) = if plane == 0 { ((x * 3 + y * 7) as u8).wrapping_add(index.wrapping_mul(9)) } else { 128 };
                    }
                }
            }
        }
        frame
    }

    #[test]
    fn each_frame_comes_out_once_with_idr_only_where_asked_and_a_higher_qp_is_smaller() {
        let (_ctx, mut encoder) = encoder(32);
        let mut outputs = Vec::new();
        for (i, qp) in [10, 30, 51, 20].into_iter().enumerate() {
            outputs.extend(encoder.encode(&picture(0), i as i64, i == 0 || i == 2, Some(qp)).expect("encodes"));
        }
        outputs.extend(encoder.flush().expect("flushes"));
        let pts: Vec<i64> = outputs.iter().map(|o| o.pts).collect();
        assert_eq!(pts, [0, 1, 2, 3]);
        assert_eq!(outputs.iter().map(|o| o.key).collect::<Vec<_>>(), [true, false, true, false]);
        // The same picture again: the P frames are small, but QP 51's IDR is far smaller than QP 10's.
        assert!(outputs[2].data.len() < outputs[0].data.len(), "IDR at QP 10: {} bytes, at 51: {}", outputs[0].data.len(), outputs[2].data.len());
    }

    #[test]
    fn another_pixel_format_is_refused() {
        let (_ctx, mut encoder) = encoder(32);
        let other = Frame::alloc(PixelFormat::I444, 160, 96).expect("frame");
        assert!(matches!(encoder.encode(&other, 0, true, None), Err(Error::Encoding(_))));
    }
}
