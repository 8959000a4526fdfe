//! Crop, scale, rotate and flip a frame into a new picture: what a canvas
//! `drawImage` does for libraries that resize or reorient video (Mediabunny's
//! `VideoSample.transform`), done with libswscale and plane copies instead.
//!
//! The source region is scaled (bicubic, as the ffmpeg CLI's `scale` filter)
//! to the size it takes in the output before rotation, then rotated clockwise
//! and mirrored into its place. Whatever the region does not cover is black,
//! or transparent when the output keeps alpha.

use std::sync::Mutex;

use ffmpeg_next::ffi;

use super::frame::{Frame, Rect};
use super::pixel::{av_format_any, PixelFormat};
use crate::error::{Error, Result};

/// What to make of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transform {
    /// The source region, in the frame's (coded) samples.
    pub crop: Rect,
    /// The output picture's size.
    pub width: u32,
    pub height: u32,
    /// Where the region lands in the output, after rotation.
    pub place: Rect,
    /// Clockwise quarter turns in degrees (0, 90, 180, 270), applied before `flip`.
    pub rotation: u32,
    /// A horizontal mirror, applied after the rotation.
    pub flip: bool,
    /// Keep the source's alpha (and leave uncovered parts transparent).
    pub keep_alpha: bool,
    /// The source's YUV range, for the black around the region.
    pub full_range: bool,
}

/// The format a transform of `source` produces: the same family and depth,
/// 4:2:0 for every subsampled or semi-planar YUV (4:2:2 cannot turn a quarter),
/// and alpha only when kept and present.
pub fn output_format(source: PixelFormat, keep_alpha: bool) -> PixelFormat {
    use PixelFormat::*;
    match source {
        RGBA | RGBX => if keep_alpha && source == RGBA { RGBA } else { RGBX },
        BGRA | BGRX => if keep_alpha && source == BGRA { BGRA } else { BGRX },
        NV12 => I420,
        _ => {
            let name = source.name();
            let alpha = keep_alpha && name.as_bytes().get(4) == Some(&b'A');
            let depth = name.find('P').map_or("", |at| &name[at..]);
            let sampling = if name.starts_with("I444") { "444" } else { "420" };
            PixelFormat::from_name(&format!("I{sampling}{}{depth}", if alpha { "A" } else { "" })).unwrap_or(I420)
        }
    }
}

/// Per plane: (horizontal shift, vertical shift, bytes per sample).
fn planes(format: PixelFormat) -> Vec<(u32, u32, usize)> {
    if format.is_rgb() {
        return vec![(0, 0, 4)];
    }
    let bytes = if format.name().contains('P') { 2 } else { 1 };
    let sub = if format.name().starts_with("I444") { 0 } else { 1 };
    (0..format.plane_count()).map(|p| if p == 1 || p == 2 { (sub, sub, bytes) } else { (0, 0, bytes) }).collect()
}

/// Samples of `size` luma samples in a plane shifted by `shift`.
fn plane_len(size: u32, shift: u32) -> usize {
    size.div_ceil(1 << shift) as usize
}

/// The value that paints each plane black (or transparent) in `format`.
fn fill_values(format: PixelFormat, full_range: bool, keep_alpha: bool) -> Vec<u32> {
    if format.is_rgb() {
        let alpha = if keep_alpha && matches!(format, PixelFormat::RGBA | PixelFormat::BGRA) { 0 } else { 255 };
        return vec![u32::from_le_bytes([0, 0, 0, alpha])];
    }
    let name = format.name();
    let up = if name.ends_with("P10") { 2 } else if name.ends_with("P12") { 4 } else { 0 } + format.storage_shift();
    let y = if full_range { 0 } else { 16 << up };
    let mut values = vec![y, 128 << up, 128 << up];
    if format.plane_count() == 4 {
        values.push(0);
    }
    values
}

/// Crops, scales, rotates and flips `frame` as `t` says, into a new frame of
/// [`output_format`]. Errors: RangeError for regions or sizes that do not
/// fit, NotSupportedError for a source libswscale cannot read.
pub fn transform(frame: &Frame, t: &Transform) -> Result<Frame> {
    let source = frame.format().ok_or_else(|| Error::NotSupported("This frame's pixel format cannot be transformed".into()))?;
    if ![0, 90, 180, 270].contains(&t.rotation) {
        return Err(Error::Range(format!("Rotation {} is not a quarter turn", t.rotation)));
    }
    let format = output_format(source, t.keep_alpha);
    let mut out = Frame::alloc(format, t.width, t.height)?;
    let layout = planes(format);
    let subsampled = layout.iter().any(|&(h, v, _)| h + v > 0);
    // Chroma samples cover two luma ones: the region starts on an even sample.
    let mut place = t.place;
    if subsampled {
        place.x &= !1;
        place.y &= !1;
    }
    if place.width == 0 || place.height == 0 || place.x + place.width > t.width || place.y + place.height > t.height {
        return Err(Error::Range(format!("Placement {:?} does not fit in {}x{}", t.place, t.width, t.height)));
    }
    let src = frame.cropped(t.crop)?;
    if (place.width, place.height) != (t.width, t.height) {
        fill(&mut out, &layout, &fill_values(format, t.full_range, t.keep_alpha));
    }
    let (scaled_w, scaled_h) = if t.rotation % 180 == 0 { (place.width, place.height) } else { (place.height, place.width) };
    if t.rotation == 0 && !t.flip {
        // Straight into place.
        let (data, linesize) = plane_pointers(&mut out, &layout, place.x, place.y);
        scale(&src, format, scaled_w, scaled_h, data, linesize)?;
    } else {
        // A region already at its size and in the output's format turns as it is.
        let as_is = (src.width(), src.height()) == (scaled_w, scaled_h) && readable_as(&src) == format.to_av();
        let scaled = if as_is {
            src.new_ref()
        } else {
            let mut scaled = Frame::alloc(format, scaled_w, scaled_h)?;
            let (data, linesize) = plane_pointers(&mut scaled, &layout, 0, 0);
            scale(&src, format, scaled_w, scaled_h, data, linesize)?;
            scaled
        };
        for (p, &(hs, vs, bytes)) in layout.iter().enumerate() {
            let (w, h) = (plane_len(scaled_w, hs), plane_len(scaled_h, vs));
            let (from, from_stride) = plane_slice(&scaled, p, h, w * bytes);
            let (ow, oh) = if t.rotation % 180 == 0 { (w, h) } else { (h, w) };
            let (x, y) = ((place.x >> hs) as usize, (place.y >> vs) as usize);
            let (into, into_stride) = plane_slice_mut(&mut out, p, y + oh, (x + ow) * bytes);
            let into = &mut into[y * into_stride + x * bytes..];
            match bytes {
                1 => orient::<1>(from, from_stride, w, h, into, into_stride, t.rotation, t.flip),
                2 => orient::<2>(from, from_stride, w, h, into, into_stride, t.rotation, t.flip),
                _ => orient::<4>(from, from_stride, w, h, into, into_stride, t.rotation, t.flip),
            }
        }
    }
    unsafe { ffi::av_frame_copy_props(out.as_mut_ptr(), src.as_ptr()) };
    Ok(out)
}

/// Each plane's address at luma sample (x, y), and its stride.
fn plane_pointers(frame: &mut Frame, layout: &[(u32, u32, usize)], x: u32, y: u32) -> ([*mut u8; 4], [i32; 4]) {
    let f = unsafe { &mut *frame.as_mut_ptr() };
    let mut data = [std::ptr::null_mut(); 4];
    let mut linesize = [0i32; 4];
    for (p, &(hs, vs, bytes)) in layout.iter().enumerate() {
        let offset = (y >> vs) as usize * f.linesize[p] as usize + (x >> hs) as usize * bytes;
        data[p] = unsafe { f.data[p].add(offset) };
        linesize[p] = f.linesize[p];
    }
    (data, linesize)
}

/// Plane `p` of a frame as `rows` rows of at least `row` bytes, and its stride.
fn plane_slice(frame: &Frame, p: usize, rows: usize, row: usize) -> (&[u8], usize) {
    let f = unsafe { &*frame.as_ptr() };
    let stride = f.linesize[p] as usize;
    // Safety: the frame holds `rows` rows of `stride` bytes in plane `p`, the last at least `row` long.
    (unsafe { std::slice::from_raw_parts(f.data[p], stride * (rows - 1) + row) }, stride)
}

fn plane_slice_mut(frame: &mut Frame, p: usize, rows: usize, row: usize) -> (&mut [u8], usize) {
    let f = unsafe { &mut *frame.as_mut_ptr() };
    let stride = f.linesize[p] as usize;
    // Safety: as plane_slice, and the frame's buffers are its own (just allocated).
    (unsafe { std::slice::from_raw_parts_mut(f.data[p], stride * (rows - 1) + row) }, stride)
}

/// Paints every plane with its value.
fn fill(frame: &mut Frame, layout: &[(u32, u32, usize)], values: &[u32]) {
    let (w, h) = (frame.width(), frame.height());
    for (p, &(hs, vs, bytes)) in layout.iter().enumerate() {
        let (pw, ph) = (plane_len(w, hs), plane_len(h, vs));
        let (plane, stride) = plane_slice_mut(frame, p, ph, pw * bytes);
        let sample = values[p].to_le_bytes();
        for row in 0..ph {
            for px in plane[row * stride..row * stride + pw * bytes].chunks_exact_mut(bytes) {
                px.copy_from_slice(&sample[..bytes]);
            }
        }
    }
}

/// Writes the `w`x`h` plane `from` (samples of `N` bytes) into `into`, turned
/// clockwise by `rotation` and then mirrored if `flip`.
#[allow(clippy::too_many_arguments)]
fn orient<const N: usize>(from: &[u8], from_stride: usize, w: usize, h: usize, into: &mut [u8], into_stride: usize, rotation: u32, flip: bool) {
    let (ow, oh) = if rotation % 180 == 0 { (w, h) } else { (h, w) };
    for y in 0..oh {
        let row = &mut into[y * into_stride..y * into_stride + ow * N];
        for (x, out) in row.chunks_exact_mut(N).enumerate() {
            let x = if flip { ow - 1 - x } else { x };
            let (sx, sy) = match rotation {
                0 => (x, y),
                90 => (y, h - 1 - x),
                180 => (w - 1 - x, h - 1 - y),
                _ => (w - 1 - y, x),
            };
            let at = sy * from_stride + sx * N;
            out.copy_from_slice(&from[at..at + N]);
        }
    }
}

/// Scaling contexts by (source format, size, output format, size): building
/// one for a 1080p bicubic downscale costs about what scaling a frame does.
struct Context {
    key: (i32, i32, i32, i32, i32, i32),
    ctx: *mut ffi::SwsContext,
}

// A context is used by one thread at a time: taken out of the cache while in use.
unsafe impl Send for Context {}

impl Drop for Context {
    fn drop(&mut self) {
        unsafe { ffi::sws_freeContext(self.ctx) };
    }
}

static CONTEXTS: Mutex<Vec<Context>> = Mutex::new(Vec::new());
const CACHED_CONTEXTS: usize = 4;

/// The format `frame`'s samples are read as: the full-range ("J") formats
/// hold the same samples as the plain ones, and reading them as such keeps
/// libswscale from converting the range.
fn readable_as(frame: &Frame) -> ffi::AVPixelFormat {
    let raw = av_format_any(unsafe { (*frame.as_ptr()).format });
    PixelFormat::from_av(raw).map_or(raw, PixelFormat::to_av)
}

/// Scales all of `src` to `width`x`height` of `format`, written at `data`.
fn scale(src: &Frame, format: PixelFormat, width: u32, height: u32, data: [*mut u8; 4], linesize: [i32; 4]) -> Result<()> {
    let s = unsafe { &*src.as_ptr() };
    let from = readable_as(src);
    if from == ffi::AVPixelFormat::AV_PIX_FMT_NONE {
        return Err(Error::NotSupported(format!("Cannot scale from pixel format {}", s.format)));
    }
    let key = (from as i32, s.width, s.height, format.to_av() as i32, width as i32, height as i32);
    let cached = CONTEXTS.lock().ok().and_then(|mut all| {
        let at = all.iter().position(|c| c.key == key)?;
        Some(all.remove(at))
    });
    let context = match cached {
        Some(context) => context,
        None => {
            let ctx = unsafe {
                ffi::sws_getContext(
                    s.width, s.height, from, width as i32, height as i32, format.to_av(),
                    ffi::SWS_BICUBIC as i32, std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null(),
                )
            };
            if ctx.is_null() {
                return Err(Error::NotSupported(format!("No scaling from {from:?} {}x{} to {} {width}x{height}", s.width, s.height, format.name())));
            }
            Context { key, ctx }
        }
    };
    let ret = unsafe {
        ffi::sws_scale(context.ctx, s.data.as_ptr() as *const *const u8, s.linesize.as_ptr(), 0, s.height, data.as_ptr(), linesize.as_ptr())
    };
    if let Ok(mut all) = CONTEXTS.lock() {
        if all.len() >= CACHED_CONTEXTS {
            all.remove(0);
        }
        all.push(context);
    }
    if ret <= 0 {
        return Err(Error::Encoding(format!("sws_scale failed ({ret})")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::frame::PlaneLayout;

    /// A `w`x`h` RGBA frame whose pixel (x, y) is [x, y, x + y, 255].
    fn coordinates(w: u32, h: u32) -> Frame {
        let bytes: Vec<u8> = (0..h).flat_map(|y| (0..w).flat_map(move |x| [x as u8, y as u8, (x + y) as u8, 255])).collect();
        Frame::from_bytes(PixelFormat::RGBA, w, h, &bytes, &[PlaneLayout { offset: 0, stride: w as usize * 4 }]).unwrap()
    }

    fn pixels(frame: &Frame) -> Vec<[u8; 4]> {
        let (w, h) = (frame.width(), frame.height());
        let mut out = vec![0u8; (w * h * 4) as usize];
        frame.copy_to(&mut out, Rect { x: 0, y: 0, width: w, height: h }, &[PlaneLayout { offset: 0, stride: w as usize * 4 }]).unwrap();
        out.chunks_exact(4).map(|p| [p[0], p[1], p[2], p[3]]).collect()
    }

    fn whole(w: u32, h: u32) -> Rect {
        Rect { x: 0, y: 0, width: w, height: h }
    }

    fn plain(crop: Rect, width: u32, height: u32) -> Transform {
        Transform { crop, width, height, place: whole(width, height), rotation: 0, flip: false, keep_alpha: true, full_range: false }
    }

    #[test]
    fn quarter_turns_and_mirrors_move_every_pixel_where_a_canvas_puts_it() {
        let (w, h) = (5u32, 3u32);
        let src = coordinates(w, h);
        for rotation in [0, 90, 180, 270] {
            for flip in [false, true] {
                let (ow, oh) = if rotation % 180 == 0 { (w, h) } else { (h, w) };
                let t = Transform { rotation, flip, ..plain(whole(w, h), ow, oh) };
                let out = pixels(&transform(&src, &t).unwrap());
                for y in 0..oh {
                    for x in 0..ow {
                        // Undo the mirror, then the clockwise turn.
                        let xm = if flip { ow - 1 - x } else { x };
                        let (sx, sy) = match rotation { 0 => (xm, y), 90 => (y, h - 1 - xm), 180 => (w - 1 - xm, h - 1 - y), _ => (w - 1 - y, xm) };
                        assert_eq!(out[(y * ow + x) as usize], [sx as u8, sy as u8, (sx + sy) as u8, 255], "{rotation} {flip} at {x},{y}");
                    }
                }
            }
        }
        // A turn of 90 puts the bottom-left corner at the top left.
        let turned = pixels(&transform(&src, &Transform { rotation: 90, ..plain(whole(w, h), h, w) }).unwrap());
        assert_eq!(turned[0], [0, 2, 2, 255]);
        // A turn of 270 puts the top-right corner there; a mirror, the top right.
        let back = pixels(&transform(&src, &Transform { rotation: 270, ..plain(whole(w, h), h, w) }).unwrap());
        assert_eq!(back[0], [4, 0, 4, 255]);
        let mirrored = pixels(&transform(&src, &Transform { flip: true, ..plain(whole(w, h), w, h) }).unwrap());
        assert_eq!(mirrored[0], [4, 0, 4, 255]);
        // Turned, then mirrored: the top-left corner stays.
        let both = pixels(&transform(&src, &Transform { rotation: 90, flip: true, ..plain(whole(w, h), h, w) }).unwrap());
        assert_eq!(both[0], [0, 0, 0, 255]);
    }

    #[test]
    fn a_crop_at_its_own_size_copies_the_region() {
        let src = coordinates(16, 8);
        let out = pixels(&transform(&src, &plain(Rect { x: 3, y: 2, width: 6, height: 4 }, 6, 4)).unwrap());
        assert_eq!(out[0], [3, 2, 5, 255]);
        assert_eq!(out[23], [8, 5, 13, 255]);
    }

    #[test]
    fn letterboxing_leaves_black_or_transparent_around_the_region() {
        let src = Frame::from_bytes(PixelFormat::I420, 8, 8, &[200u8; 96], &[
            PlaneLayout { offset: 0, stride: 8 }, PlaneLayout { offset: 64, stride: 4 }, PlaneLayout { offset: 80, stride: 4 },
        ]).unwrap();
        let t = Transform { place: Rect { x: 4, y: 0, width: 8, height: 8 }, ..plain(whole(8, 8), 16, 8) };
        let out = transform(&src, &t).unwrap();
        assert_eq!(out.format(), Some(PixelFormat::I420));
        let mut bytes = vec![0u8; 16 * 8 + 2 * 8 * 4];
        let layout = [PlaneLayout { offset: 0, stride: 16 }, PlaneLayout { offset: 128, stride: 8 }, PlaneLayout { offset: 160, stride: 8 }];
        out.copy_to(&mut bytes, whole(16, 8), &layout).unwrap();
        assert_eq!(&bytes[16 * 3..16 * 4], &[16, 16, 16, 16, 200, 200, 200, 200, 200, 200, 200, 200, 16, 16, 16, 16]);
        assert_eq!(&bytes[128..136], &[128, 128, 200, 200, 200, 200, 128, 128]);
        // Full range: black is 0.
        let out = transform(&src, &Transform { full_range: true, ..t }).unwrap();
        out.copy_to(&mut bytes, whole(16, 8), &layout).unwrap();
        assert_eq!(bytes[0], 0);

        let rgba = coordinates(4, 4);
        let boxed = |keep_alpha| pixels(&transform(&rgba, &Transform { keep_alpha, place: Rect { x: 0, y: 2, width: 4, height: 4 }, ..plain(whole(4, 4), 4, 8) }).unwrap());
        assert_eq!(boxed(true)[0], [0, 0, 0, 0]);
        assert_eq!(boxed(false)[0][..3], [0, 0, 0]);
        assert_eq!(boxed(true)[8], [0, 0, 0, 255]);
    }

    #[test]
    fn scaling_keeps_a_flat_picture_flat_and_the_sources_depth() {
        let flat = Frame::from_bytes(PixelFormat::I420P10, 64, 36, &[0x2c, 0x01].repeat(64 * 36 * 3 / 2), &[
            PlaneLayout { offset: 0, stride: 128 }, PlaneLayout { offset: 64 * 36 * 2, stride: 64 }, PlaneLayout { offset: 64 * 36 * 2 + 32 * 18 * 2, stride: 64 },
        ]).unwrap();
        let out = transform(&flat, &plain(whole(64, 36), 30, 18)).unwrap();
        assert_eq!((out.format(), out.width(), out.height()), (Some(PixelFormat::I420P10), 30, 18));
        let mut bytes = vec![0u8; 30 * 18 * 2 * 3 / 2];
        out.copy_to(&mut bytes, whole(30, 18), &[PlaneLayout { offset: 0, stride: 60 }, PlaneLayout { offset: 1080, stride: 30 }, PlaneLayout { offset: 1350, stride: 30 }]).unwrap();
        assert!(bytes.chunks_exact(2).all(|s| u16::from_le_bytes([s[0], s[1]]) == 300), "a flat 300 stays 300");
    }

    #[test]
    fn formats_follow_the_source() {
        use PixelFormat::*;
        for (source, keep, expected) in [
            (NV12, true, I420), (I422, true, I420), (I420A, true, I420A), (I420A, false, I420), (I444AP12, true, I444AP12),
            (I422AP10, true, I420AP10), (I444P10, false, I444P10), (RGBA, false, RGBX), (BGRA, true, BGRA), (BGRX, true, BGRX),
        ] {
            assert_eq!(output_format(source, keep), expected, "{source:?} keep alpha {keep}");
        }
    }

    #[test]
    fn regions_and_placements_outside_the_pictures_are_range_errors() {
        let src = coordinates(8, 8);
        let outside = transform(&src, &plain(Rect { x: 4, y: 4, width: 8, height: 4 }, 8, 8)).err().unwrap();
        assert_eq!(outside.name(), "RangeError");
        let misplaced = transform(&src, &Transform { place: Rect { x: 4, y: 0, width: 8, height: 8 }, ..plain(whole(8, 8), 8, 8) }).err().unwrap();
        assert_eq!(misplaced.name(), "RangeError");
        let huge = transform(&src, &plain(whole(8, 8), 20000, 8)).err().unwrap();
        assert_eq!(huge.name(), "RangeError");
        let skew = transform(&src, &Transform { rotation: 45, ..plain(whole(8, 8), 8, 8) }).err().unwrap();
        assert_eq!(skew.name(), "RangeError");
    }
}
