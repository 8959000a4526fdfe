//! The composition canvas of animated GIF, APNG and WebP: BGRA, straight
//! (not premultiplied) alpha, as browsers composite those formats.

#[derive(Clone)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// A region of the canvas, clipped to it on use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![0; width as usize * height as usize * 4],
        }
    }

    fn clip(&self, r: Region) -> (usize, usize, usize, usize) {
        let x0 = r.x.min(self.width) as usize;
        let y0 = r.y.min(self.height) as usize;
        let x1 = (r.x as u64 + r.width as u64).min(self.width as u64) as usize;
        let y1 = (r.y as u64 + r.height as u64).min(self.height as u64) as usize;
        (x0, y0, x1, y1)
    }

    /// Sets a region to transparent black ("dispose to background").
    pub fn clear(&mut self, r: Region) {
        let (x0, y0, x1, y1) = self.clip(r);
        let stride = self.width as usize * 4;
        for y in y0..y1 {
            self.pixels[y * stride + x0 * 4..y * stride + x1 * 4].fill(0);
        }
    }

    /// Draws BGRA `src` (`r.width` × `r.height`, tightly packed) at `r`,
    /// replacing what is there or (`blend`) compositing over it.
    pub fn draw(&mut self, r: Region, src: &[u8], blend: bool) {
        let (x0, y0, x1, y1) = self.clip(r);
        let stride = self.width as usize * 4;
        let src_stride = r.width as usize * 4;
        for y in y0..y1 {
            let from =
                &src[(y - r.y as usize) * src_stride + (x0 - r.x as usize) * 4..][..(x1 - x0) * 4];
            let to = &mut self.pixels[y * stride + x0 * 4..y * stride + x1 * 4];
            if !blend {
                to.copy_from_slice(from);
                continue;
            }
            for (d, s) in to.chunks_exact_mut(4).zip(from.chunks_exact(4)) {
                over(d, s);
            }
        }
    }

    /// Whether any pixel is not fully opaque.
    pub fn has_alpha(&self) -> bool {
        self.pixels.chunks_exact(4).any(|p| p[3] != 255)
    }
}

/// `s` over `d`, both straight alpha.
fn over(d: &mut [u8], s: &[u8]) {
    let sa = s[3] as u32;
    if sa == 255 {
        d.copy_from_slice(s);
        return;
    }
    if sa == 0 {
        return;
    }
    let da = d[3] as u32;
    // out_a = sa + da (1 - sa), in 0..255 fixed point.
    let da_part = da * (255 - sa) / 255;
    let oa = sa + da_part;
    for c in 0..3 {
        d[c] = ((s[c] as u32 * sa + d[c] as u32 * da_part + oa / 2) / oa) as u8;
    }
    d[3] = oa as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_clips_blends_and_clears() {
        let mut c = Canvas::new(4, 2);
        c.draw(
            Region {
                x: 0,
                y: 0,
                width: 4,
                height: 2,
            },
            &[10, 20, 30, 255].repeat(8),
            false,
        );
        // A half-transparent pixel over an opaque one, and a region partly outside.
        c.draw(
            Region {
                x: 3,
                y: 1,
                width: 2,
                height: 2,
            },
            &[110, 120, 130, 128].repeat(4),
            true,
        );
        assert_eq!(&c.pixels[28..32], &[60, 70, 80, 255]);
        assert!(!c.has_alpha());
        c.clear(Region {
            x: 1,
            y: 0,
            width: 1,
            height: 1,
        });
        assert_eq!(&c.pixels[4..8], &[0, 0, 0, 0]);
        assert!(c.has_alpha());
    }
}
