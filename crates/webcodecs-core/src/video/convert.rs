//! Pixel format and size conversion with libswscale. A [`Scaler`] lives on a
//! codec's worker thread (SwsContext is not thread-safe) and is rebuilt only
//! when the input geometry changes.

use std::ptr;

use ffmpeg_next::ffi;

use super::color::ColorSpace;
use super::frame::Frame;
use super::pixel::av_format_any;
use crate::error::{Error, Result};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Geometry {
    format: ffi::AVPixelFormat,
    width: i32,
    height: i32,
}

/// How YUV samples are read and written: the YUV matrix (SWS_CS_*) and
/// whether each side uses full range. RGB is always full range.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Colorimetry {
    pub matrix: i32,
    pub src_full: bool,
    pub dst_full: bool,
}

impl Colorimetry {
    /// Limited-range BT.709 on both sides: what encoder input is converted to.
    pub const BT709: Colorimetry = Colorimetry { matrix: ffi::SWS_CS_ITU709 as i32, src_full: false, dst_full: false };

    /// RGB encoder input to full-range BT.709 YUV: what Chrome does, so that
    /// no RGB value is clipped (test/oracle/encoder-exactness.js).
    pub const RGB_TO_FULL_BT709: Colorimetry = Colorimetry { matrix: ffi::SWS_CS_ITU709 as i32, src_full: true, dst_full: true };

    /// Reading a frame of colour space `color` into RGB.
    pub fn to_rgb(color: &ColorSpace) -> Colorimetry {
        let matrix = match color.matrix {
            Some("smpte170m") | Some("bt470bg") => ffi::SWS_CS_ITU601,
            Some("bt2020-ncl") => ffi::SWS_CS_BT2020,
            _ => ffi::SWS_CS_ITU709,
        } as i32;
        Colorimetry { matrix, src_full: color.full_range == Some(true), dst_full: true }
    }
}

pub struct Scaler {
    ctx: *mut ffi::SwsContext,
    /// What the context was made for; any change rebuilds it.
    key: Option<(Geometry, Geometry, Colorimetry)>,
}

// The context is only ever used by the thread that owns the Scaler.
unsafe impl Send for Scaler {}

impl Default for Scaler {
    fn default() -> Self {
        Scaler { ctx: ptr::null_mut(), key: None }
    }
}

impl Drop for Scaler {
    fn drop(&mut self) {
        unsafe { ffi::sws_freeContext(self.ctx) };
    }
}

impl Scaler {
    /// Converts `src` to a new frame of the given format and size, with
    /// limited-range BT.709 YUV (the colour space encoder input is tagged with).
    pub fn convert(&mut self, src: &Frame, format: ffi::AVPixelFormat, width: u32, height: u32) -> Result<Frame> {
        self.convert_with(src, format, width, height, Colorimetry::BT709)
    }

    pub fn convert_with(&mut self, src: &Frame, format: ffi::AVPixelFormat, width: u32, height: u32, colorimetry: Colorimetry) -> Result<Frame> {
        let s = unsafe { &*src.as_ptr() };
        let from = Geometry { format: av_format_any(s.format), width: s.width, height: s.height };
        let to = Geometry { format, width: width as i32, height: height as i32 };
        if from.format == ffi::AVPixelFormat::AV_PIX_FMT_NONE {
            return Err(Error::NotSupported(format!("Cannot convert from pixel format {}", s.format)));
        }
        let key = (from, to, colorimetry);
        if self.key != Some(key) || self.ctx.is_null() {
            self.ctx = unsafe {
                ffi::sws_getCachedContext(
                    self.ctx, from.width, from.height, from.format, to.width, to.height, to.format,
                    (ffi::SWS_BILINEAR | ffi::SWS_ACCURATE_RND | ffi::SWS_FULL_CHR_H_INT) as i32, ptr::null_mut(), ptr::null_mut(), ptr::null(),
                )
            };
            if self.ctx.is_null() {
                self.key = None;
                return Err(Error::NotSupported(format!("No conversion from {from:?} to {to:?}")));
            }
            unsafe {
                let table = ffi::sws_getCoefficients(colorimetry.matrix);
                ffi::sws_setColorspaceDetails(self.ctx, table, colorimetry.src_full as i32, table, colorimetry.dst_full as i32, 0, 1 << 16, 1 << 16);
            }
            self.key = Some(key);
        }
        let mut dst = Frame::empty();
        unsafe {
            let d = dst.as_mut_ptr();
            (*d).format = format as i32;
            (*d).width = to.width;
            (*d).height = to.height;
            let ret = ffi::av_frame_get_buffer(d, 0);
            if ret < 0 {
                return Err(Error::ffmpeg("av_frame_get_buffer", ret));
            }
            let ret = ffi::sws_scale(
                self.ctx, s.data.as_ptr() as *const *const u8, s.linesize.as_ptr(), 0, s.height,
                (*d).data.as_ptr(), (*d).linesize.as_ptr(),
            );
            if ret <= 0 {
                return Err(Error::Encoding(format!("sws_scale failed ({ret})")));
            }
            ffi::av_frame_copy_props(d, s);
        }
        Ok(dst)
    }
}

/// Frees a one-off SwsContext.
struct OwnedSws(*mut ffi::SwsContext);

impl Drop for OwnedSws {
    fn drop(&mut self) {
        unsafe { ffi::sws_freeContext(self.0) };
    }
}

/// The buffer free function for caller memory: the caller owns it.
unsafe extern "C" fn keep(_opaque: *mut std::os::raw::c_void, _data: *mut u8) {}

/// Pictures this large convert on libswscale's own slice threads.
const PARALLEL_PIXELS: u64 = 1 << 20;

/// Converts `src` once, as [`Scaler::convert_with`] does, but on libswscale's
/// slice threads (one per core) when the picture is large, and writing
/// straight into `into` (one packed plane, `stride` bytes a row) when given,
/// instead of a new frame.
pub fn convert_once(src: &Frame, format: ffi::AVPixelFormat, width: u32, height: u32, colorimetry: Colorimetry, into: Option<(&mut [u8], usize)>) -> Result<Frame> {
    use std::ffi::CString;
    let s = unsafe { &*src.as_ptr() };
    let from = av_format_any(s.format);
    if from == ffi::AVPixelFormat::AV_PIX_FMT_NONE {
        return Err(Error::NotSupported(format!("Cannot convert from pixel format {}", s.format)));
    }
    let pixels = (s.width as u64 * s.height as u64).max(width as u64 * height as u64);
    let threads = if pixels >= PARALLEL_PIXELS { std::thread::available_parallelism().map_or(1, |n| n.get().min(8)) } else { 1 };
    let ctx = OwnedSws(unsafe { ffi::sws_alloc_context() });
    if ctx.0.is_null() {
        return Err(Error::Encoding("sws_alloc_context failed".into()));
    }
    let flags = (ffi::SWS_BILINEAR | ffi::SWS_ACCURATE_RND | ffi::SWS_FULL_CHR_H_INT) as i64;
    let options: [(&str, i64); 8] = [
        ("srcw", s.width as i64),
        ("srch", s.height as i64),
        ("src_format", from as i64),
        ("dstw", width as i64),
        ("dsth", height as i64),
        ("dst_format", format as i64),
        ("sws_flags", flags),
        ("threads", threads as i64),
    ];
    for (name, value) in options {
        let name = CString::new(name).expect("no NUL");
        let ret = unsafe { ffi::av_opt_set_int(ctx.0 as *mut std::os::raw::c_void, name.as_ptr(), value, 0) };
        if ret < 0 {
            return Err(Error::ffmpeg("av_opt_set_int", ret));
        }
    }
    let ret = unsafe { ffi::sws_init_context(ctx.0, std::ptr::null_mut(), std::ptr::null_mut()) };
    if ret < 0 {
        return Err(Error::NotSupported(format!("No conversion from {from:?} to {format:?} ({})", crate::error::AvError(ret))));
    }
    unsafe {
        let table = ffi::sws_getCoefficients(colorimetry.matrix);
        ffi::sws_setColorspaceDetails(ctx.0, table, colorimetry.src_full as i32, table, colorimetry.dst_full as i32, 0, 1 << 16, 1 << 16);
    }
    let mut dst = Frame::empty();
    unsafe {
        let d = &mut *dst.as_mut_ptr();
        d.format = format as i32;
        d.width = width as i32;
        d.height = height as i32;
        if let Some((memory, stride)) = into {
            let need = stride * (height as usize).saturating_sub(1) + width as usize * 4;
            if memory.len() < need || stride < width as usize * 4 {
                return Err(Error::Type(format!("{} bytes cannot hold {width}x{height} at {stride} bytes a row", memory.len())));
            }
            d.buf[0] = ffi::av_buffer_create(memory.as_mut_ptr(), memory.len(), Some(keep), std::ptr::null_mut(), 0);
            if d.buf[0].is_null() {
                return Err(Error::Encoding("av_buffer_create failed".into()));
            }
            d.data[0] = memory.as_mut_ptr();
            d.linesize[0] = stride as i32;
        }
        let ret = ffi::sws_scale_frame(ctx.0, d, s);
        if ret < 0 {
            return Err(Error::ffmpeg("sws_scale_frame", ret));
        }
        ffi::av_frame_copy_props(d, s);
    }
    Ok(dst)
}
