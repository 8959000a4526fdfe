//! A reference-counted picture: one `AVFrame` reference. Cloning a [`Frame`]
//! takes another reference to the same buffers; pixels are never copied
//! except into or out of caller memory.

use std::ptr::NonNull;

use ffmpeg_next::ffi;

use super::color::ColorSpace;
use super::convert::{convert_once, Colorimetry};
use super::pixel::{av_format_from_raw, PixelFormat};
use crate::error::{Error, Result};

/// A rectangle in samples of the luma (or only) plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Where one plane sits in caller memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaneLayout {
    pub offset: usize,
    pub stride: usize,
}

/// What a decoder (or the constructor) knows about a frame besides its pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameInfo {
    pub format: PixelFormat,
    pub coded_width: u32,
    pub coded_height: u32,
    pub visible: Rect,
    pub color: ColorSpace,
}

pub struct Frame {
    ptr: NonNull<ffi::AVFrame>,
}

// An AVFrame whose buffers are reference counted may be read from any thread;
// nothing here writes to a frame after it is shared.
unsafe impl Send for Frame {}
unsafe impl Sync for Frame {}

impl Drop for Frame {
    fn drop(&mut self) {
        let mut ptr = self.ptr.as_ptr();
        unsafe { ffi::av_frame_free(&mut ptr) };
    }
}

/// One plane's rows within a rect: (first row, rows, first byte, bytes per row).
struct PlaneSpan {
    top: usize,
    rows: usize,
    left: usize,
    width: usize,
}

impl Frame {
    /// Takes ownership of an AVFrame that holds a reference to its buffers.
    ///
    /// # Safety
    /// `ptr` must come from `av_frame_alloc` and not be freed elsewhere.
    pub(crate) unsafe fn from_raw(ptr: *mut ffi::AVFrame) -> Option<Frame> {
        NonNull::new(ptr).map(|ptr| Frame { ptr })
    }

    pub(crate) fn as_ptr(&self) -> *const ffi::AVFrame {
        self.ptr.as_ptr()
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut ffi::AVFrame {
        self.ptr.as_ptr()
    }

    /// An empty AVFrame for a decoder or scaler to fill.
    pub(crate) fn empty() -> Frame {
        let ptr = unsafe { ffi::av_frame_alloc() };
        // Allocation failure of a few hundred bytes: nothing sensible remains.
        unsafe { Frame::from_raw(ptr) }.expect("av_frame_alloc returned NULL")
    }

    /// A new frame with its own buffers of the given size.
    pub fn alloc(format: PixelFormat, width: u32, height: u32) -> Result<Frame> {
        if width == 0 || height == 0 || width > 16384 || height > 16384 {
            return Err(Error::Range(format!("Frame size {width}x{height} is outside 1..16384")));
        }
        let mut frame = Frame::empty();
        let av = format.to_av();
        // Rows 64-byte aligned (as av_frame_get_buffer makes them, for SIMD),
        // planes in one pooled buffer with FFmpeg's padding after the last row.
        let mut linesize = [0i32; 4];
        let ret = unsafe { ffi::av_image_fill_linesizes(linesize.as_mut_ptr(), av, width.next_multiple_of(64) as i32) };
        if ret < 0 {
            return Err(Error::ffmpeg("av_image_fill_linesizes", ret));
        }
        let strides: [isize; 4] = linesize.map(|l| (l as isize + 63) & !63);
        let mut sizes = [0usize; 4];
        let ret = unsafe { ffi::av_image_fill_plane_sizes(sizes.as_mut_ptr(), av, height.next_multiple_of(32) as i32, strides.as_ptr()) };
        if ret < 0 {
            return Err(Error::ffmpeg("av_image_fill_plane_sizes", ret));
        }
        let buf = crate::pool::buffer(sizes.iter().sum::<usize>() + 64);
        if buf.is_null() {
            return Err(Error::ffmpeg("av_buffer_alloc", ffi::AVERROR(ffi::ENOMEM)));
        }
        unsafe {
            let f = &mut *frame.as_mut_ptr();
            f.format = av as i32;
            f.width = width as i32;
            f.height = height as i32;
            f.buf[0] = buf;
            let mut at = (*buf).data;
            for plane in 0..format.plane_count() {
                f.data[plane] = at;
                f.linesize[plane] = strides[plane] as i32;
                at = at.add(sizes[plane]);
            }
            f.extended_data = f.data.as_mut_ptr();
        }
        Ok(frame)
    }

    /// Bytes of the buffers this frame references (shared with its clones).
    pub fn byte_size(&self) -> usize {
        let f = unsafe { &*self.as_ptr() };
        f.buf.iter().filter(|b| !b.is_null()).map(|&b| unsafe { (*b).size }).sum()
    }

    /// A new reference to the same pixels, with its own (copied) properties.
    pub fn new_ref(&self) -> Frame {
        let ptr = unsafe { ffi::av_frame_clone(self.as_ptr()) };
        unsafe { Frame::from_raw(ptr) }.expect("av_frame_clone returned NULL")
    }

    /// Builds a frame from caller memory laid out as `layout` says (one entry a plane).
    pub fn from_bytes(format: PixelFormat, width: u32, height: u32, src: &[u8], layout: &[PlaneLayout]) -> Result<Frame> {
        if layout.len() != format.plane_count() {
            return Err(Error::Type(format!("Expected {} plane layouts, got {}", format.plane_count(), layout.len())));
        }
        let mut frame = Frame::alloc(format, width, height)?;
        let full = Rect { x: 0, y: 0, width, height };
        for (plane, place) in layout.iter().enumerate() {
            let span = frame.span(plane, full);
            check_fits(src.len(), place, &span, "source")?;
            let f = frame.as_mut_ptr();
            let (data, linesize) = unsafe { ((*f).data[plane], (*f).linesize[plane] as usize) };
            let shift = format.storage_shift();
            for row in 0..span.rows {
                let from = &src[place.offset + row * place.stride..][..span.width];
                // Safety: the row lies inside the buffer av_frame_get_buffer made.
                let to = unsafe { std::slice::from_raw_parts_mut(data.add(row * linesize), span.width) };
                if shift == 0 {
                    to.copy_from_slice(from);
                } else {
                    // 12 bits to 16, the top bits repeated below: full scale stays full.
                    for (t, f) in to.chunks_exact_mut(2).zip(from.chunks_exact(2)) {
                        let v = u16::from_le_bytes([f[0], f[1]]) & 0x0fff;
                        t.copy_from_slice(&((v << shift) | (v >> (12 - shift))).to_le_bytes());
                    }
                }
            }
        }
        Ok(frame)
    }

    /// Copies `rect` of every plane into `dst` at the given places.
    pub fn copy_to(&self, dst: &mut [u8], rect: Rect, layout: &[PlaneLayout]) -> Result<()> {
        let (w, h) = (self.width(), self.height());
        if rect.width == 0 || rect.height == 0 || rect.x + rect.width > w || rect.y + rect.height > h {
            return Err(Error::Range(format!("Rect {rect:?} does not fit in {w}x{h}")));
        }
        // A frame read without its alpha (alpha "discard") copies the leading
        // planes only: the opaque format's planes come first in every format.
        let planes = self.format().map(|f| f.plane_count()).unwrap_or(0);
        if layout.is_empty() || layout.len() > planes {
            return Err(Error::Type(format!("Expected up to {planes} plane layouts, got {}", layout.len())));
        }
        for (plane, place) in layout.iter().enumerate() {
            let span = self.span(plane, rect);
            check_fits(dst.len(), place, &span, "destination")?;
            let f = self.as_ptr();
            let (data, linesize) = unsafe { ((*f).data[plane], (*f).linesize[plane] as isize) };
            let shift = self.format().map_or(0, PixelFormat::storage_shift);
            for row in 0..span.rows {
                let to = &mut dst[place.offset + row * place.stride..][..span.width];
                // Safety: the span lies inside the plane (checked against the frame size above).
                let from = unsafe { std::slice::from_raw_parts(data.offset((span.top + row) as isize * linesize).add(span.left), span.width) };
                if shift == 0 {
                    to.copy_from_slice(from);
                } else {
                    for (t, f) in to.chunks_exact_mut(2).zip(from.chunks_exact(2)) {
                        t.copy_from_slice(&(u16::from_le_bytes([f[0], f[1]]) >> shift).to_le_bytes());
                    }
                }
            }
        }
        Ok(())
    }

    fn span(&self, plane: usize, rect: Rect) -> PlaneSpan {
        let fmt = av_format_from_raw(unsafe { (*self.as_ptr()).format });
        let desc = unsafe { &*ffi::av_pix_fmt_desc_get(fmt) };
        let chroma = plane == 1 || plane == 2;
        // Column offsets come from av_image_get_linesize, which applies the
        // horizontal subsampling itself; rows are shifted here.
        let sh = if chroma { desc.log2_chroma_h } else { 0 };
        let bytes = |x: u32| unsafe { ffi::av_image_get_linesize(fmt, x as i32, plane as i32) }.max(0) as usize;
        let shift_up = |v: u32, s: u8| ((v + (1 << s) - 1) >> s) as usize;
        let top = (rect.y >> sh) as usize;
        PlaneSpan {
            top,
            rows: shift_up(rect.y + rect.height, sh) - top,
            left: if rect.x == 0 { 0 } else { bytes(rect.x) },
            width: bytes(rect.x + rect.width) - if rect.x == 0 { 0 } else { bytes(rect.x) },
        }
    }

    /// A new reference showing only `rect` (no pixels are copied).
    pub fn cropped(&self, rect: Rect) -> Result<Frame> {
        let (w, h) = (self.width(), self.height());
        if rect.width == 0 || rect.height == 0 || rect.x + rect.width > w || rect.y + rect.height > h {
            return Err(Error::Range(format!("Rect {rect:?} does not fit in {w}x{h}")));
        }
        let mut frame = self.new_ref();
        if (rect.width, rect.height) != (w, h) {
            unsafe {
                let f = &mut *frame.as_mut_ptr();
                f.crop_left = rect.x as usize;
                f.crop_top = rect.y as usize;
                f.crop_right = (w - rect.x - rect.width) as usize;
                f.crop_bottom = (h - rect.y - rect.height) as usize;
                let ret = ffi::av_frame_apply_cropping(f, ffi::AV_FRAME_CROP_UNALIGNED as i32);
                if ret < 0 {
                    return Err(Error::ffmpeg("av_frame_apply_cropping", ret));
                }
            }
        }
        Ok(frame)
    }

    /// `rect` converted to a packed RGB `format` (RGBA, RGBX, BGRA, BGRX),
    /// reading YUV as `color` says, in the sRGB gamut or (`display_p3`) the
    /// Display P3 one; tightly packed rows of `rect.width * 4` bytes. The
    /// padding byte of RGBX and BGRX is 255.
    pub fn to_rgb(&self, format: PixelFormat, rect: Rect, color: &ColorSpace, display_p3: bool) -> Result<Vec<u8>> {
        if !format.is_rgb() {
            return Err(Error::NotSupported(format!("Conversion to {} is not supported", format.name())));
        }
        let mut src = self.cropped(rect)?;
        if color.matrix == Some("rgb") {
            // Identity-matrix 4:4:4 (AVIF, say) holds G, B, R in the Y, U, V planes.
            use ffi::AVPixelFormat::*;
            let gbr = match self.format() {
                Some(PixelFormat::I444) => Some(AV_PIX_FMT_GBRP),
                Some(PixelFormat::I444P10) => Some(AV_PIX_FMT_GBRP10LE),
                Some(PixelFormat::I444P12) => Some(AV_PIX_FMT_GBRP12LE),
                _ => None,
            };
            if let Some(gbr) = gbr {
                unsafe { (*src.as_mut_ptr()).format = gbr as i32 };
            }
        }
        let stride = rect.width as usize * 4;
        let mut out = rgb_buffer(stride * rect.height as usize);
        if self.to_rgb_fast(format, rect, color, &mut out, stride) {
            if display_p3 {
                let bgr = matches!(format, PixelFormat::BGRA | PixelFormat::BGRX);
                super::gamut::to_display_p3(&mut out, if bgr { [2, 1, 0] } else { [0, 1, 2] }, color.primaries);
            }
            return Ok(out);
        }
        // The rest by libswscale, straight into `out`, on every core for large pictures.
        drop(convert_once(&src, format.to_av(), rect.width, rect.height, Colorimetry::to_rgb(color), Some((&mut out, stride)))?);
        if display_p3 {
            let bgr = matches!(format, PixelFormat::BGRA | PixelFormat::BGRX);
            super::gamut::to_display_p3(&mut out, if bgr { [2, 1, 0] } else { [0, 1, 2] }, color.primaries);
        }
        if matches!(format, PixelFormat::RGBX | PixelFormat::BGRX) {
            out.chunks_exact_mut(4).for_each(|px| px[3] = 255);
        }
        Ok(out)
    }

    /// Whether [`Frame::to_rgb_fast`] covers this frame read as `color`: 8-bit
    /// YUV (not identity-matrix) and packed 8-bit RGB.
    pub fn has_fast_rgb(&self, color: &ColorSpace) -> bool {
        use PixelFormat::*;
        match self.format() {
            Some(I420 | I420A | I422 | I422A | I444 | I444A | NV12) => color.matrix != Some("rgb"),
            Some(RGBA | RGBX | BGRA | BGRX) => true,
            _ => false,
        }
    }

    /// `rect` to a packed RGB `format` in the sRGB gamut, written into `out`
    /// (rows `stride` apart) by the fixed-point converter or the byte
    /// reordering, on every core for large pictures; false, writing nothing,
    /// where neither applies (see [`Frame::has_fast_rgb`]).
    pub fn to_rgb_fast(&self, format: PixelFormat, rect: Rect, color: &ColorSpace, out: &mut [u8], stride: usize) -> bool {
        if !format.is_rgb() {
            return false;
        }
        let bgr = matches!(format, PixelFormat::BGRA | PixelFormat::BGRX);
        let opaque = matches!(format, PixelFormat::RGBX | PixelFormat::BGRX);
        if super::yuv_rgb::convert(self, rect, color, bgr, out, stride) {
            // The converter copies an alpha plane; RGBX and BGRX read as opaque.
            if opaque && matches!(self.format(), Some(PixelFormat::I420A | PixelFormat::I422A | PixelFormat::I444A)) {
                for row in out.chunks_mut(stride).take(rect.height as usize) {
                    row[..rect.width as usize * 4].chunks_exact_mut(4).for_each(|px| px[3] = 255);
                }
            }
            return true;
        }
        // Swizzling writes 255 as alpha unless the source carries it and `opaque` is false.
        super::yuv_rgb::swizzle(self, rect, bgr, opaque, out, stride)
    }

    pub fn format(&self) -> Option<PixelFormat> {
        PixelFormat::from_av(av_format_from_raw(unsafe { (*self.as_ptr()).format }))
    }

    pub fn width(&self) -> u32 {
        unsafe { (*self.as_ptr()).width as u32 }
    }

    pub fn height(&self) -> u32 {
        unsafe { (*self.as_ptr()).height as u32 }
    }

    /// Format, size, visible rect (from FFmpeg's crop fields) and colour space.
    pub fn info(&self) -> Option<FrameInfo> {
        let f = unsafe { &*self.as_ptr() };
        let format = self.format()?;
        let (w, h) = (f.width as u32, f.height as u32);
        let (left, right, top, bottom) = (f.crop_left as u32, f.crop_right as u32, f.crop_top as u32, f.crop_bottom as u32);
        let visible = if left + right < w && top + bottom < h {
            Rect { x: left, y: top, width: w - left - right, height: h - top - bottom }
        } else {
            Rect { x: 0, y: 0, width: w, height: h }
        };
        Some(FrameInfo { format, coded_width: w, coded_height: h, visible, color: ColorSpace::of_frame(f) })
    }
}

/// Recently used conversion buffers. A large Vec is fresh memory from the
/// kernel every time (glibc maps it and unmaps it on free), and touching its
/// pages the first time costs as much as converting into it; copyTo reuses
/// the last ones instead.
static RGB_BUFFERS: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// A buffer of `len` bytes for [`Frame::to_rgb`], reused when one is spare.
fn rgb_buffer(len: usize) -> Vec<u8> {
    let spare = RGB_BUFFERS.lock().ok().and_then(|mut pool| {
        let i = pool.iter().position(|b| b.capacity() >= len && b.capacity() <= len * 2)?;
        Some(pool.swap_remove(i))
    });
    let mut buffer = spare.unwrap_or_default();
    buffer.clear();
    buffer.resize(len, 0);
    buffer
}

/// Gives a buffer [`Frame::to_rgb`] returned back for reuse (two at most, of a megabyte or more).
pub fn recycle_rgb_buffer(buffer: Vec<u8>) {
    if buffer.capacity() < 1 << 20 {
        return;
    }
    if let Ok(mut pool) = RGB_BUFFERS.lock() {
        if pool.len() >= 2 {
            pool.remove(0);
        }
        pool.push(buffer);
    }
}

fn check_fits(len: usize, place: &PlaneLayout, span: &PlaneSpan, what: &str) -> Result<()> {
    let need = place.offset as u128 + (span.rows.saturating_sub(1) as u128) * place.stride as u128 + span.width as u128;
    if place.stride < span.width || need > len as u128 {
        return Err(Error::Type(format!(
            "Plane layout {{offset: {}, stride: {}}} needs {need} bytes and {} per row, but the {what} has {len}",
            place.offset, place.stride, span.width
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::convert::Scaler;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn i420_round_trip_through_custom_layout() {
        let (w, h) = (6u32, 4u32);
        // Y stride 8, U and V stride 4, with padding between planes.
        let layout = [PlaneLayout { offset: 2, stride: 8 }, PlaneLayout { offset: 40, stride: 4 }, PlaneLayout { offset: 60, stride: 4 }];
        let src = pattern(80);
        let frame = Frame::from_bytes(PixelFormat::I420, w, h, &src, &layout).unwrap();
        let tight = [PlaneLayout { offset: 0, stride: 6 }, PlaneLayout { offset: 24, stride: 3 }, PlaneLayout { offset: 30, stride: 3 }];
        let mut out = vec![0u8; 36];
        frame.copy_to(&mut out, Rect { x: 0, y: 0, width: w, height: h }, &tight).unwrap();
        for row in 0..4 {
            assert_eq!(&out[row * 6..row * 6 + 6], &src[2 + row * 8..2 + row * 8 + 6]);
        }
        for row in 0..2 {
            assert_eq!(&out[24 + row * 3..27 + row * 3], &src[40 + row * 4..43 + row * 4]);
            assert_eq!(&out[30 + row * 3..33 + row * 3], &src[60 + row * 4..63 + row * 4]);
        }
    }

    #[test]
    fn sub_rect_of_nv12_and_rgba() {
        let src = pattern(8 * 4 + 8 * 2);
        let nv12 = Frame::from_bytes(PixelFormat::NV12, 8, 4, &src, &[PlaneLayout { offset: 0, stride: 8 }, PlaneLayout { offset: 32, stride: 8 }]).unwrap();
        let mut out = vec![0u8; 4 * 2 + 4];
        nv12.copy_to(&mut out, Rect { x: 2, y: 2, width: 4, height: 2 }, &[PlaneLayout { offset: 0, stride: 4 }, PlaneLayout { offset: 8, stride: 4 }]).unwrap();
        assert_eq!(&out[0..4], &src[18..22]);
        assert_eq!(&out[4..8], &src[26..30]);
        assert_eq!(&out[8..12], &src[32 + 8 + 2..32 + 8 + 6]);

        let rgba = Frame::from_bytes(PixelFormat::RGBA, 3, 2, &pattern(24), &[PlaneLayout { offset: 0, stride: 12 }]).unwrap();
        let mut px = vec![0u8; 4];
        rgba.copy_to(&mut px, Rect { x: 2, y: 1, width: 1, height: 1 }, &[PlaneLayout { offset: 0, stride: 4 }]).unwrap();
        assert_eq!(px, pattern(24)[20..24]);
    }

    #[test]
    fn yuv_converts_to_rgb_with_the_frames_matrix_and_range() {
        // BT.709 limited-range red (Y 63, Cb 102, Cr 240) and BT.601 full-range green (Y 150, Cb 44, Cr 21).
        let solid = |y: u8, u: u8, v: u8| {
            let mut b = vec![y; 16];
            b.extend_from_slice(&[u; 4]);
            b.extend_from_slice(&[v; 4]);
            Frame::from_bytes(PixelFormat::I420, 4, 4, &b, &[PlaneLayout { offset: 0, stride: 4 }, PlaneLayout { offset: 16, stride: 2 }, PlaneLayout { offset: 20, stride: 2 }]).unwrap()
        };
        let red = solid(63, 102, 240).to_rgb(PixelFormat::RGBA, Rect { x: 0, y: 0, width: 4, height: 4 }, &ColorSpace::from_names(None, None, Some("bt709"), Some(false)), false).unwrap();
        assert_eq!(red.len(), 64);
        let px = &red[20..24];
        assert!(px[0] >= 250 && px[1] <= 6 && px[2] <= 6 && px[3] == 255, "{px:?}");
        let green = solid(150, 44, 21).to_rgb(PixelFormat::BGRA, Rect { x: 2, y: 2, width: 2, height: 2 }, &ColorSpace::from_names(None, None, Some("smpte170m"), Some(true)), false).unwrap();
        assert_eq!(green.len(), 16);
        let px = &green[0..4];
        assert!(px[1] >= 250 && px[0] <= 6 && px[2] <= 6, "BGRA order: {px:?}");
        let err = solid(0, 0, 0).to_rgb(PixelFormat::I420, Rect { x: 0, y: 0, width: 4, height: 4 }, &ColorSpace::default(), false).unwrap_err();
        assert_eq!(err.name(), "NotSupportedError");
    }

    #[test]
    fn a_scaler_rebuilds_when_only_the_output_changes() {
        let src = Frame::alloc(PixelFormat::I420, 64, 48).unwrap();
        let mut scaler = Scaler::default();
        let a = scaler.convert(&src, PixelFormat::I420.to_av(), 32, 24).unwrap();
        let b = scaler.convert(&src, PixelFormat::I420.to_av(), 16, 12).unwrap();
        assert_eq!((a.width(), a.height(), b.width(), b.height()), (32, 24, 16, 12));
    }

    #[test]
    fn rejects_short_buffers_and_bad_rects() {
        let small = vec![0u8; 10];
        let err = Frame::from_bytes(PixelFormat::RGBA, 4, 4, &small, &[PlaneLayout { offset: 0, stride: 16 }]).err().unwrap();
        assert_eq!(err.name(), "TypeError");
        let frame = Frame::alloc(PixelFormat::RGBA, 4, 4).unwrap();
        let mut out = vec![0u8; 64];
        let err = frame.copy_to(&mut out, Rect { x: 2, y: 0, width: 4, height: 4 }, &[PlaneLayout { offset: 0, stride: 16 }]).unwrap_err();
        assert_eq!(err.name(), "RangeError");
        assert!(Frame::alloc(PixelFormat::I420, 0, 4).is_err());
    }
}
