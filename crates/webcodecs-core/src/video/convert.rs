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
