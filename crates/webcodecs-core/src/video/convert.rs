//! Pixel format and size conversion with libswscale. A [`Scaler`] lives on a
//! codec's worker thread (SwsContext is not thread-safe) and is rebuilt only
//! when the input geometry changes.

use std::ptr;

use ffmpeg_next::ffi;

use super::frame::Frame;
use super::pixel::av_format_from_raw;
use crate::error::{Error, Result};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Geometry {
    format: ffi::AVPixelFormat,
    width: i32,
    height: i32,
}

pub struct Scaler {
    ctx: *mut ffi::SwsContext,
    src: Option<Geometry>,
}

// The context is only ever used by the thread that owns the Scaler.
unsafe impl Send for Scaler {}

impl Default for Scaler {
    fn default() -> Self {
        Scaler { ctx: ptr::null_mut(), src: None }
    }
}

impl Drop for Scaler {
    fn drop(&mut self) {
        unsafe { ffi::sws_freeContext(self.ctx) };
    }
}

impl Scaler {
    /// Converts `src` to a new frame of the given format and size. RGB input is
    /// converted with BT.709 limited-range coefficients, the colour space the
    /// output is then tagged with.
    pub fn convert(&mut self, src: &Frame, format: ffi::AVPixelFormat, width: u32, height: u32) -> Result<Frame> {
        let s = unsafe { &*src.as_ptr() };
        let from = Geometry { format: av_format_from_raw(s.format), width: s.width, height: s.height };
        let to = Geometry { format, width: width as i32, height: height as i32 };
        if from.format == ffi::AVPixelFormat::AV_PIX_FMT_NONE {
            return Err(Error::NotSupported(format!("Cannot convert from pixel format {}", s.format)));
        }
        if self.src != Some(from) || self.ctx.is_null() {
            self.ctx = unsafe {
                ffi::sws_getCachedContext(
                    self.ctx, from.width, from.height, from.format, to.width, to.height, to.format,
                    ffi::SWS_BILINEAR as i32, ptr::null_mut(), ptr::null_mut(), ptr::null(),
                )
            };
            if self.ctx.is_null() {
                self.src = None;
                return Err(Error::NotSupported(format!("No conversion from {from:?} to {to:?}")));
            }
            unsafe {
                let table = ffi::sws_getCoefficients(ffi::SWS_CS_ITU709 as i32);
                ffi::sws_setColorspaceDetails(self.ctx, table, 0, table, 0, 0, 1 << 16, 1 << 16);
            }
            self.src = Some(from);
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
