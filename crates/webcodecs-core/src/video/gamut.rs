//! RGB between colour gamuts: `copyTo({colorSpace: "display-p3"})` turns the
//! sRGB (BT.709-primaried) pixels a frame converts to into Display P3 ones:
//! linearise with the sRGB curve, change primaries in linear light (through
//! CIE XYZ, both with the D65 white), and re-apply the sRGB curve, which
//! Display P3 shares. sRGB red becomes (234, 51, 35), as in Chrome.

use once_cell::sync::Lazy;

/// Chromaticities (x, y) of red, green and blue.
type Primaries = [(f64, f64); 3];

const BT709: Primaries = [(0.640, 0.330), (0.300, 0.600), (0.150, 0.060)];
const BT2020: Primaries = [(0.708, 0.292), (0.170, 0.797), (0.131, 0.046)];
const DISPLAY_P3: Primaries = [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)];
const D65: (f64, f64) = (0.3127, 0.3290);

type Matrix = [[f64; 3]; 3];

fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

fn invert(m: &Matrix) -> Matrix {
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    let c = |r0: usize, c0: usize, r1: usize, c1: usize| (m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]) / det;
    [
        [c(1, 1, 2, 2), c(0, 2, 2, 1), c(0, 1, 1, 2)],
        [c(1, 2, 2, 0), c(0, 0, 2, 2), c(0, 2, 1, 0)],
        [c(1, 0, 2, 1), c(0, 1, 2, 0), c(0, 0, 1, 1)],
    ]
}

/// Linear RGB with these primaries (and a D65 white) → CIE XYZ.
fn rgb_to_xyz(p: &Primaries) -> Matrix {
    let xyz = |(x, y): (f64, f64)| [x / y, 1.0, (1.0 - x - y) / y];
    let columns = [xyz(p[0]), xyz(p[1]), xyz(p[2])];
    let basis: Matrix = [0, 1, 2].map(|i| [columns[0][i], columns[1][i], columns[2][i]]);
    let white = xyz(D65);
    let inverse = invert(&basis);
    let scale: [f64; 3] = [0, 1, 2].map(|i| (0..3).map(|k| inverse[i][k] * white[k]).sum());
    [0, 1, 2].map(|i| [0, 1, 2].map(|j| basis[i][j] * scale[j]))
}

/// The 8-bit sRGB curve decoded, per code value.
static TO_LINEAR: Lazy<[f32; 256]> = Lazy::new(|| {
    std::array::from_fn(|v| {
        let c = v as f64 / 255.0;
        (if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }) as f32
    })
});

/// Linear light in 1/4096 steps (finer near black, where the curve is steep)
/// → 8-bit sRGB code value.
const ENCODE_STEPS: usize = 1 << 16;
static TO_CODE: Lazy<Vec<u8>> = Lazy::new(|| {
    (0..ENCODE_STEPS)
        .map(|i| {
            let l = i as f64 / (ENCODE_STEPS - 1) as f64;
            let c = if l <= 0.0031308 { l * 12.92 } else { 1.055 * l.powf(1.0 / 2.4) - 0.055 };
            (c * 255.0).round().clamp(0.0, 255.0) as u8
        })
        .collect()
});

fn encode(linear: f32) -> u8 {
    TO_CODE[(linear.clamp(0.0, 1.0) * (ENCODE_STEPS - 1) as f32).round() as usize]
}

/// Converts packed 4-byte pixels in place from the gamut of `source_primaries`
/// (a VideoColorPrimaries name; BT.709's when unknown) to Display P3.
/// `order` gives the byte positions of red, green and blue.
pub fn to_display_p3(pixels: &mut [u8], order: [usize; 3], source_primaries: Option<&str>) {
    let source = if source_primaries == Some("bt2020") { &BT2020 } else { &BT709 };
    let m = multiply(&invert(&rgb_to_xyz(&DISPLAY_P3)), &rgb_to_xyz(source));
    let m: [[f32; 3]; 3] = m.map(|row| row.map(|v| v as f32));
    let lut = &*TO_LINEAR;
    for px in pixels.chunks_exact_mut(4) {
        let rgb = order.map(|i| lut[px[i] as usize]);
        for (row, &i) in m.iter().zip(order.iter()) {
            px[i] = encode(row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_primaries_land_where_chrome_puts_them() {
        let mut px = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255];
        to_display_p3(&mut px, [0, 1, 2], None);
        assert_eq!(&px[0..3], &[234, 51, 35]);
        assert_eq!(&px[4..7], &[117, 251, 76]);
        assert_eq!(&px[8..11], &[0, 0, 245]);
        // White and black stay; alpha is untouched.
        assert_eq!(&px[12..20], &[255, 255, 255, 255, 0, 0, 0, 255]);
    }
}
