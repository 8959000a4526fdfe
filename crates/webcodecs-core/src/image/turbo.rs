//! libjpeg-turbo's TurboJPEG API: JPEG decoding at several times the speed of
//! FFmpeg's mjpeg decoder (SIMD Huffman decoding, IDCT and upsampling). Only
//! the calls ImageDecoder needs; FFmpeg stays the decoder of partial data.

use std::os::raw::{c_char, c_int, c_uchar, c_ulong, c_void};

use crate::error::{Error, Result};
use crate::video::frame::Frame;
use crate::video::pixel::PixelFormat;

type Handle = *mut c_void;

extern "C" {
    fn tjInitDecompress() -> Handle;
    fn tjDestroy(handle: Handle) -> c_int;
    fn tjDecompressHeader3(handle: Handle, jpeg: *const c_uchar, size: c_ulong, width: *mut c_int, height: *mut c_int, subsamp: *mut c_int, colorspace: *mut c_int) -> c_int;
    fn tjDecompress2(handle: Handle, jpeg: *const c_uchar, size: c_ulong, dst: *mut c_uchar, width: c_int, pitch: c_int, height: c_int, pixel_format: c_int, flags: c_int) -> c_int;
    fn tjDecompressToYUVPlanes(handle: Handle, jpeg: *const c_uchar, size: c_ulong, planes: *mut *mut c_uchar, width: c_int, strides: *mut c_int, height: c_int, flags: c_int) -> c_int;
    fn tjGetErrorStr2(handle: Handle) -> *mut c_char;
    fn tjGetErrorCode(handle: Handle) -> c_int;
}

const TJSAMP_420: c_int = 2;
const TJCS_YCBCR: c_int = 1;
const TJPF_BGRX: c_int = 3;
const TJERR_WARNING: c_int = 0;

/// One decompressor; freed on drop.
struct Decompressor(Handle);

impl Drop for Decompressor {
    fn drop(&mut self) {
        unsafe { tjDestroy(self.0) };
    }
}

impl Decompressor {
    fn new() -> Result<Decompressor> {
        let handle = unsafe { tjInitDecompress() };
        if handle.is_null() {
            return Err(Error::Encoding("tjInitDecompress failed".into()));
        }
        Ok(Decompressor(handle))
    }

    /// Success, or a warning (damaged data decoded as far as it goes, as
    /// browsers show it); a fatal error is an EncodingError.
    fn check(&self, ret: c_int) -> Result<()> {
        if ret == 0 || unsafe { tjGetErrorCode(self.0) } == TJERR_WARNING {
            return Ok(());
        }
        let text = unsafe { std::ffi::CStr::from_ptr(tjGetErrorStr2(self.0)) }.to_string_lossy().into_owned();
        Err(Error::Encoding(format!("The JPEG could not be decoded: {text}")))
    }
}

/// Decodes a whole JPEG: 4:2:0 YCbCr to I420 (as Chrome gives it), anything
/// else to BGRX.
pub(super) fn decode(data: &[u8]) -> Result<Frame> {
    let d = Decompressor::new()?;
    let (mut w, mut h, mut subsamp, mut colorspace) = (0, 0, 0, 0);
    let size = data.len() as c_ulong;
    d.check(unsafe { tjDecompressHeader3(d.0, data.as_ptr(), size, &mut w, &mut h, &mut subsamp, &mut colorspace) })?;
    super::check_size(w as u32, h as u32)?;
    if subsamp == TJSAMP_420 && colorspace == TJCS_YCBCR {
        let mut frame = Frame::alloc(PixelFormat::I420, w as u32, h as u32)?;
        let f = unsafe { &mut *frame.as_mut_ptr() };
        let mut planes = [f.data[0], f.data[1], f.data[2]];
        let mut strides = [f.linesize[0], f.linesize[1], f.linesize[2]];
        d.check(unsafe { tjDecompressToYUVPlanes(d.0, data.as_ptr(), size, planes.as_mut_ptr(), w, strides.as_mut_ptr(), h, 0) })?;
        return Ok(frame);
    }
    let mut frame = Frame::alloc(PixelFormat::BGRX, w as u32, h as u32)?;
    let f = unsafe { &mut *frame.as_mut_ptr() };
    d.check(unsafe { tjDecompress2(d.0, data.as_ptr(), size, f.data[0], w, f.linesize[0], h, TJPF_BGRX, 0) })?;
    Ok(frame)
}
