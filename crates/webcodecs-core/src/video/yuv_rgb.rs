//! 8-bit YUV to packed RGB for `copyTo({format: 'RGBA' | ...})`: fixed-point
//! arithmetic (16 fractional bits, rounded to nearest), each chroma sample
//! used for the pixels it covers (as Chrome's libyuv conversion does), rows
//! split over the cores for large pictures. libswscale's accurate path gives
//! the same values (within 1) at several times the cost; this covers the
//! formats decoders and image decoders produce, and everything else still
//! goes through libswscale.

use super::color::ColorSpace;
use super::frame::{Frame, Rect};
use super::pixel::PixelFormat;

/// The conversion constants of one matrix and range, in 1/65536.
#[derive(Clone, Copy)]
struct Coefficients {
    y_offset: i32,
    y_scale: i32,
    r_from_v: i32,
    g_from_u: i32,
    g_from_v: i32,
    b_from_u: i32,
}

impl Coefficients {
    fn of(color: &ColorSpace) -> Coefficients {
        let (kr, kb) = match color.matrix {
            Some("smpte170m") | Some("bt470bg") => (0.299, 0.114),
            Some("bt2020-ncl") => (0.2627, 0.0593),
            _ => (0.2126, 0.0722),
        };
        let kg = 1.0 - kr - kb;
        let full = color.full_range == Some(true);
        let (y_scale, c_scale) = if full { (1.0, 1.0) } else { (255.0 / 219.0, 255.0 / 224.0) };
        let fixed = |v: f64| (v * 65536.0).round() as i32;
        Coefficients {
            y_offset: if full { 0 } else { 16 },
            y_scale: fixed(y_scale),
            r_from_v: fixed(2.0 * (1.0 - kr) * c_scale),
            g_from_u: fixed(2.0 * kb * (1.0 - kb) / kg * c_scale),
            g_from_v: fixed(2.0 * kr * (1.0 - kr) / kg * c_scale),
            b_from_u: fixed(2.0 * (1.0 - kb) * c_scale),
        }
    }
}

/// One plane: its first byte, bytes a row, and the subsampling shifts.
#[derive(Clone, Copy)]
struct Plane {
    data: *const u8,
    stride: isize,
    shift_x: u32,
    shift_y: u32,
}

// The planes are only read, while the Frame that owns them is borrowed.
unsafe impl Send for Plane {}
unsafe impl Sync for Plane {}

impl Plane {
    #[inline(always)]
    unsafe fn row(&self, y: u32) -> *const u8 {
        self.data.offset((y >> self.shift_y) as isize * self.stride)
    }
}

/// One channel from its 16.16 fixed-point value, rounded (the 0.5 is in the
/// luma term) and clamped: min/max, no branches, so rows vectorise.
#[inline(always)]
fn channel(v: i32) -> u32 {
    (v.clamp(0, 0xFF_FFFF) >> 16) as u32
}

/// One pixel as the little-endian u32 of its four bytes: R, G, B, 255 (or B,
/// G, R, 255 for `BGR`).
#[inline(always)]
fn pack<const BGR: bool>(l: i32, r: i32, g: i32, b: i32) -> u32 {
    let (r, g, b) = (channel(l + r), channel(l + g), channel(l + b));
    let (first, third) = if BGR { (b, r) } else { (r, b) };
    first | g << 8 | third << 16 | 0xFF00_0000
}

/// The chroma terms of one row's samples (`u` and `v` read `step` bytes apart).
#[inline(always)]
fn chroma_terms(c: &Coefficients, u: &[u8], v: &[u8], step: usize, terms: (&mut [i32], &mut [i32], &mut [i32])) {
    let (rv, guv, bu) = terms;
    for (((r, g), b), (u, v)) in rv.iter_mut().zip(guv.iter_mut()).zip(bu.iter_mut()).zip(u.iter().step_by(step).zip(v.iter().step_by(step))) {
        let (u, v) = (*u as i32 - 128, *v as i32 - 128);
        *r = c.r_from_v * v;
        *g = -c.g_from_u * u - c.g_from_v * v;
        *b = c.b_from_u * u;
    }
}

/// One output row of RGBA (or BGRA); chroma terms per sample, a sample
/// covering `1 << SX` pixels, the first term being that of pixel `x0`'s sample.
#[inline(always)]
fn fill_row<const BGR: bool, const SX: u32>(line: &mut [u8], luma: &[u8], x0: usize, rv: &[i32], guv: &[i32], bu: &[i32], y: (i32, i32)) {
    let (offset, scale) = y;
    let luma_term = |l: u8| (l as i32 - offset) * scale + 32768;
    let first = x0 >> SX;
    let (rv, guv, bu) = (&rv[first..], &guv[first..], &bu[first..]);
    if SX == 1 && x0 % 2 == 0 {
        // Two pixels a chroma sample, written as one u64: straight-line code
        // the compiler vectorises.
        let pairs = line.chunks_exact_mut(8).zip(luma.chunks_exact(2)).zip(rv.iter().zip(guv).zip(bu));
        for ((px, l), ((&r, &g), &b)) in pairs {
            let two = pack::<BGR>(luma_term(l[0]), r, g, b) as u64 | (pack::<BGR>(luma_term(l[1]), r, g, b) as u64) << 32;
            px.copy_from_slice(&two.to_le_bytes());
        }
        if luma.len() % 2 == 1 {
            let i = luma.len() - 1;
            let one = pack::<BGR>(luma_term(luma[i]), rv[i / 2], guv[i / 2], bu[i / 2]);
            line[i * 4..i * 4 + 4].copy_from_slice(&one.to_le_bytes());
        }
        return;
    }
    if SX == 0 {
        for (px, (&l, ((&r, &g), &b))) in line.chunks_exact_mut(4).zip(luma.iter().zip(rv.iter().zip(guv).zip(bu))) {
            px.copy_from_slice(&pack::<BGR>(luma_term(l), r, g, b).to_le_bytes());
        }
        return;
    }
    for (i, (px, &l)) in line.chunks_exact_mut(4).zip(luma).enumerate() {
        let cx = ((x0 + i) >> SX) - first;
        px.copy_from_slice(&pack::<BGR>(luma_term(l), rv[cx], guv[cx], bu[cx]).to_le_bytes());
    }
}

/// `fill_row` for each layout, compiled twice on x86-64: for the baseline
/// (SSE2) and for AVX2, chosen at run time.
#[inline(always)]
fn fill_row_any(bgr: bool, sx: u32, line: &mut [u8], luma: &[u8], x0: usize, rv: &[i32], guv: &[i32], bu: &[i32], y: (i32, i32)) {
    match (bgr, sx) {
        (false, 1) => fill_row::<false, 1>(line, luma, x0, rv, guv, bu, y),
        (false, _) => fill_row::<false, 0>(line, luma, x0, rv, guv, bu, y),
        (true, 1) => fill_row::<true, 1>(line, luma, x0, rv, guv, bu, y),
        (true, _) => fill_row::<true, 0>(line, luma, x0, rv, guv, bu, y),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fill_row_avx2(bgr: bool, sx: u32, line: &mut [u8], luma: &[u8], x0: usize, rv: &[i32], guv: &[i32], bu: &[i32], y: (i32, i32)) {
    fill_row_any(bgr, sx, line, luma, x0, rv, guv, bu, y)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn chroma_terms_avx2(c: &Coefficients, u: &[u8], v: &[u8], step: usize, terms: (&mut [i32], &mut [i32], &mut [i32])) {
    chroma_terms(c, u, v, step, terms)
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static AVX2: once_cell::sync::Lazy<bool> = once_cell::sync::Lazy::new(|| std::is_x86_feature_detected!("avx2"));
        *AVX2
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Converts `rect` of an 8-bit YUV `frame` into `out` (rows of `rect.width * 4`
/// bytes, `stride` apart) as RGBA, or (`bgr`) BGRA; alpha from the frame's
/// alpha plane, else 255. Returns false, converting nothing, for formats it
/// does not cover.
pub fn convert(frame: &Frame, rect: Rect, color: &ColorSpace, bgr: bool, out: &mut [u8], stride: usize) -> bool {
    let Some(format) = frame.format() else { return false };
    let (sx, sy, alpha, nv12) = match format {
        PixelFormat::I420 => (1, 1, false, false),
        PixelFormat::I420A => (1, 1, true, false),
        PixelFormat::I422 => (1, 0, false, false),
        PixelFormat::I422A => (1, 0, true, false),
        PixelFormat::I444 => (0, 0, false, false),
        PixelFormat::I444A => (0, 0, true, false),
        PixelFormat::NV12 => (1, 1, false, true),
        _ => return false,
    };
    // Identity (GBR) samples are converted by libswscale.
    if color.matrix == Some("rgb") {
        return false;
    }
    let f = unsafe { &*frame.as_ptr() };
    if rect.width == 0 || rect.height == 0 || rect.x + rect.width > frame.width() || rect.y + rect.height > frame.height() {
        return false;
    }
    let row_bytes = rect.width as usize * 4;
    let span = stride * (rect.height as usize - 1) + row_bytes;
    if stride < row_bytes || out.len() < span {
        return false;
    }
    let plane = |i: usize, shift_x: u32, shift_y: u32| Plane { data: f.data[i], stride: f.linesize[i] as isize, shift_x, shift_y };
    let luma = plane(0, 0, 0);
    let (u, v) = if nv12 { (plane(1, 1, 1), plane(1, 1, 1)) } else { (plane(1, sx, sy), plane(2, sx, sy)) };
    let a = alpha.then(|| plane(3, 0, 0));
    let c = Coefficients::of(color);
    let avx2 = has_avx2();
    let width = rect.width as usize;
    let chroma_width = ((rect.x + rect.width - 1) >> u.shift_x) as usize + 1;
    let convert_rows = |first: u32, rows: &mut [u8]| {
        let (mut rv, mut guv, mut bu) = (vec![0i32; chroma_width], vec![0i32; chroma_width], vec![0i32; chroma_width]);
        for (n, line) in rows.chunks_mut(stride).enumerate() {
            let line = &mut line[..row_bytes];
            let y = rect.y + first + n as u32;
            // Safety: rows and columns inside the rect, which lies inside the frame (checked above).
            let (luma_row, u_row, v_row, a_row) = unsafe {
                let chroma = |p: &Plane, step: usize, at: usize| std::slice::from_raw_parts(p.row(y).add(at), (chroma_width - 1) * step + 1);
                (
                    std::slice::from_raw_parts(luma.row(y).add(rect.x as usize), width),
                    if nv12 { chroma(&u, 2, 0) } else { chroma(&u, 1, 0) },
                    if nv12 { chroma(&v, 2, 1) } else { chroma(&v, 1, 0) },
                    a.map(|p| std::slice::from_raw_parts(p.row(y).add(rect.x as usize), width)),
                )
            };
            let step = if nv12 { 2 } else { 1 };
            let cx0 = (rect.x >> u.shift_x) as usize;
            let (u_row, v_row) = (&u_row[cx0 * step..], &v_row[cx0 * step..]);
            let terms = (&mut rv[cx0..], &mut guv[cx0..], &mut bu[cx0..]);
            let x0 = rect.x as usize;
            let y_terms = (c.y_offset, c.y_scale);
            #[cfg(target_arch = "x86_64")]
            if avx2 {
                // Safety: the CPU has AVX2 (checked at run time).
                unsafe {
                    chroma_terms_avx2(&c, u_row, v_row, step, terms);
                    fill_row_avx2(bgr, u.shift_x, line, luma_row, x0, &rv, &guv, &bu, y_terms);
                }
                if let Some(alpha) = a_row {
                    for (px, &value) in line.chunks_exact_mut(4).zip(alpha) {
                        px[3] = value;
                    }
                }
                continue;
            }
            chroma_terms(&c, u_row, v_row, step, terms);
            fill_row_any(bgr, u.shift_x, line, luma_row, x0, &rv, &guv, &bu, y_terms);
            if let Some(alpha) = a_row {
                for (px, &value) in line.chunks_exact_mut(4).zip(alpha) {
                    px[3] = value;
                }
            }
        }
    };
    let threads = if rect.width as u64 * rect.height as u64 >= 1 << 20 { std::thread::available_parallelism().map_or(1, |n| n.get().min(8)) } else { 1 };
    let rows_each = (rect.height as usize).div_ceil(threads);
    if threads == 1 {
        convert_rows(0, &mut out[..span]);
    } else {
        std::thread::scope(|scope| {
            for (band, rows) in out[..span].chunks_mut(rows_each * stride).enumerate() {
                let convert_rows = &convert_rows;
                scope.spawn(move || convert_rows((band * rows_each) as u32, rows));
            }
        });
    }
    true
}

/// Packed 8-bit RGB to RGBA or (`bgr`) BGRA: the bytes reordered, no
/// arithmetic; alpha 255 where the source has none or `opaque` asks for it.
/// Rows of `out` are `stride` bytes apart. Returns false for formats it does
/// not cover.
pub fn swizzle(frame: &Frame, rect: Rect, bgr: bool, opaque: bool, out: &mut [u8], stride: usize) -> bool {
    use ffmpeg_next::ffi::AVPixelFormat::*;
    let f = unsafe { &*frame.as_ptr() };
    let (step, r, g, b, a) = match super::pixel::av_format_any(f.format) {
        AV_PIX_FMT_RGBA => (4, 0, 1, 2, Some(3)),
        AV_PIX_FMT_BGRA => (4, 2, 1, 0, Some(3)),
        AV_PIX_FMT_RGB0 => (4, 0, 1, 2, None),
        AV_PIX_FMT_BGR0 => (4, 2, 1, 0, None),
        AV_PIX_FMT_RGB24 => (3, 0, 1, 2, None),
        AV_PIX_FMT_BGR24 => (3, 2, 1, 0, None),
        AV_PIX_FMT_ARGB => (4, 1, 2, 3, Some(0)),
        _ => return false,
    };
    let a = if opaque { None } else { a };
    let rows = rect.height as usize;
    if rows == 0 || rect.x + rect.width > frame.width() || rect.y + rect.height > frame.height() || stride < rect.width as usize * 4 || out.len() < stride * (rows - 1) + rect.width as usize * 4 {
        return false;
    }
    let span = stride * (rows - 1) + rect.width as usize * 4;
    let (ro, bo) = if bgr { (2, 0) } else { (0, 2) };
    let width = rect.width as usize;
    let plane = Plane { data: f.data[0], stride: f.linesize[0] as isize, shift_x: 0, shift_y: 0 };
    let fill = |first: usize, rows: &mut [u8]| {
        for (n, line) in rows.chunks_mut(stride).enumerate() {
            let line = &mut line[..width * 4];
            // Safety: the row lies inside the frame (checked above).
            let src = unsafe { std::slice::from_raw_parts(plane.row(rect.y + (first + n) as u32).add(rect.x as usize * step), width * step) };
            for (px, s) in line.chunks_exact_mut(4).zip(src.chunks_exact(step)) {
                px[ro] = s[r];
                px[1] = s[g];
                px[bo] = s[b];
                px[3] = a.map_or(255, |a| s[a]);
            }
        }
    };
    let threads = if width as u64 * rows as u64 >= 1 << 20 { std::thread::available_parallelism().map_or(1, |n| n.get().min(8)) } else { 1 };
    let each = rows.div_ceil(threads);
    std::thread::scope(|scope| {
        for (band, chunk) in out[..span].chunks_mut(each * stride).enumerate() {
            let fill = &fill;
            scope.spawn(move || fill(band * each, chunk));
        }
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::frame::PlaneLayout;

    /// The same conversion in floating point, rounded: what every pixel must equal within 1.
    fn reference(y: u8, u: u8, v: u8, color: &ColorSpace) -> [i32; 3] {
        let (kr, kb) = match color.matrix {
            Some("smpte170m") => (0.299, 0.114),
            Some("bt2020-ncl") => (0.2627, 0.0593),
            _ => (0.2126, 0.0722),
        };
        let kg = 1.0 - kr - kb;
        let full = color.full_range == Some(true);
        let yy = if full { y as f64 } else { (y as f64 - 16.0) * 255.0 / 219.0 };
        let s = if full { 1.0 } else { 255.0 / 224.0 };
        let (cb, cr) = ((u as f64 - 128.0) * s, (v as f64 - 128.0) * s);
        let r = yy + 2.0 * (1.0 - kr) * cr;
        let b = yy + 2.0 * (1.0 - kb) * cb;
        let g = yy - 2.0 * kb * (1.0 - kb) / kg * cb - 2.0 * kr * (1.0 - kr) / kg * cr;
        [r, g, b].map(|c| c.round().clamp(0.0, 255.0) as i32)
    }

    #[test]
    fn every_matrix_and_range_matches_the_formula() {
        // A 4:2:0 frame whose 4x4 chroma covers a grid of values; each luma row varies.
        let (w, h) = (8u32, 8u32);
        let mut bytes = Vec::new();
        bytes.extend((0..64).map(|i| (i * 4) as u8));
        bytes.extend((0..16).map(|i| (i * 16 + 3) as u8));
        bytes.extend((0..16).map(|i| (255 - i * 16) as u8));
        let layout = [PlaneLayout { offset: 0, stride: 8 }, PlaneLayout { offset: 64, stride: 4 }, PlaneLayout { offset: 80, stride: 4 }];
        let frame = Frame::from_bytes(PixelFormat::I420, w, h, &bytes, &layout).unwrap();
        for matrix in ["bt709", "smpte170m", "bt2020-ncl"] {
            for full in [false, true] {
                let color = ColorSpace::from_names(None, None, Some(matrix), Some(full));
                let mut out = vec![0u8; 8 * 8 * 4];
                assert!(convert(&frame, Rect { x: 0, y: 0, width: w, height: h }, &color, true, &mut out, w as usize * 4));
                for y in 0..8usize {
                    for x in 0..8usize {
                        let want = reference(bytes[y * 8 + x], bytes[64 + (y / 2) * 4 + x / 2], bytes[80 + (y / 2) * 4 + x / 2], &color);
                        let px = &out[(y * 8 + x) * 4..][..4];
                        let got = [px[2] as i32, px[1] as i32, px[0] as i32];
                        for c in 0..3 {
                            assert!((got[c] - want[c]).abs() <= 1, "{matrix} full={full} at {x},{y}: {got:?} vs {want:?}");
                        }
                        assert_eq!(px[3], 255);
                    }
                }
            }
        }
    }

    #[test]
    fn packed_rgb_is_reordered_with_opaque_alpha_where_there_is_none() {
        let rgb = Frame::from_bytes(PixelFormat::RGBX, 2, 1, &[1, 2, 3, 9, 4, 5, 6, 9], &[PlaneLayout { offset: 0, stride: 8 }]).unwrap();
        let mut out = vec![0u8; 8];
        assert!(swizzle(&rgb, Rect { x: 0, y: 0, width: 2, height: 1 }, true, false, &mut out, 8));
        assert_eq!(out, [3, 2, 1, 255, 6, 5, 4, 255]);
        let bgra = Frame::from_bytes(PixelFormat::BGRA, 2, 1, &[1, 2, 3, 7, 4, 5, 6, 8], &[PlaneLayout { offset: 0, stride: 8 }]).unwrap();
        assert!(swizzle(&bgra, Rect { x: 1, y: 0, width: 1, height: 1 }, false, false, &mut out, 4));
        assert_eq!(&out[..4], &[6, 5, 4, 8]);
        assert!(swizzle(&bgra, Rect { x: 1, y: 0, width: 1, height: 1 }, false, true, &mut out, 4));
        assert_eq!(&out[..4], &[6, 5, 4, 255], "opaque: the source's alpha is not copied");
    }

    #[test]
    fn a_sub_rect_reads_the_chroma_under_it_and_other_formats_are_declined() {
        let mut bytes = vec![100u8; 16];
        bytes.extend([90, 160, 60, 200]);
        bytes.extend([128, 128, 128, 128]);
        let layout = [PlaneLayout { offset: 0, stride: 4 }, PlaneLayout { offset: 16, stride: 2 }, PlaneLayout { offset: 20, stride: 2 }];
        let frame = Frame::from_bytes(PixelFormat::I420, 4, 4, &bytes, &layout).unwrap();
        let color = ColorSpace::from_names(None, None, Some("bt709"), Some(true));
        let mut out = vec![0u8; 4];
        // Pixel (3, 3) lies under chroma sample (1, 1): U = 200.
        assert!(convert(&frame, Rect { x: 3, y: 3, width: 1, height: 1 }, &color, false, &mut out, 4));
        assert_eq!(out[2] as i32, reference(100, 200, 128, &color)[2]);
        let rgba = Frame::alloc(PixelFormat::RGBA, 4, 4).unwrap();
        assert!(!convert(&rgba, Rect { x: 0, y: 0, width: 4, height: 4 }, &color, false, &mut out, 16));
    }

    #[test]
    fn every_layout_row_path_and_channel_order_matches_the_formula() {
        // Noise in every plane, an odd width (vector loops and their tails),
        // rects starting on even and odd columns, RGBA and BGRA.
        let (w, h) = (37u32, 6u32);
        let mut seed = 0x2545F491u32;
        let mut noise = |n: usize| -> Vec<u8> {
            (0..n).map(|_| { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; (seed >> 11) as u8 }).collect()
        };
        let color = ColorSpace::from_names(None, None, Some("bt709"), Some(false));
        for (format, sx, sy) in [(PixelFormat::I420, 1, 1), (PixelFormat::I422, 1, 0), (PixelFormat::I444, 0, 0), (PixelFormat::NV12, 1, 1)] {
            let (cw, ch) = ((w as usize + sx) >> sx, (h as usize + sy) >> sy);
            let luma = noise((w * h) as usize);
            let (us, vs) = (noise(cw * ch), noise(cw * ch));
            let mut bytes = luma.clone();
            let layout: Vec<PlaneLayout> = if format == PixelFormat::NV12 {
                bytes.extend(us.iter().zip(&vs).flat_map(|(&u, &v)| [u, v]));
                vec![PlaneLayout { offset: 0, stride: w as usize }, PlaneLayout { offset: (w * h) as usize, stride: cw * 2 }]
            } else {
                bytes.extend(&us);
                bytes.extend(&vs);
                let at = (w * h) as usize;
                vec![PlaneLayout { offset: 0, stride: w as usize }, PlaneLayout { offset: at, stride: cw }, PlaneLayout { offset: at + cw * ch, stride: cw }]
            };
            let frame = Frame::from_bytes(format, w, h, &bytes, &layout).unwrap();
            for x in [0u32, 1] {
                let rect = Rect { x, y: 1, width: w - x, height: h - 1 };
                for bgr in [false, true] {
                    let mut out = vec![0u8; (rect.width * rect.height * 4) as usize];
                    assert!(convert(&frame, rect, &color, bgr, &mut out, rect.width as usize * 4), "{format:?}");
                    for (n, px) in out.chunks_exact(4).enumerate() {
                        let (px_x, px_y) = (x as usize + n % rect.width as usize, 1 + n / rect.width as usize);
                        let c = (px_y >> sy) * cw + (px_x >> sx);
                        let want = reference(luma[px_y * w as usize + px_x], us[c], vs[c], &color);
                        let got = if bgr { [px[2], px[1], px[0]] } else { [px[0], px[1], px[2]] }.map(|v| v as i32);
                        assert!((0..3).all(|i| (got[i] - want[i]).abs() <= 1), "{format:?} x={x} bgr={bgr} at {px_x},{px_y}: {got:?} vs {want:?}");
                        assert_eq!(px[3], 255);
                    }
                }
            }
        }
    }
}

