//! PNG and APNG: the chunk walk (IHDR, acTL, fcTL, IDAT/fdAT, IEND). A still
//! PNG decodes whole with FFmpeg's decoder; each APNG frame is rebuilt as a
//! PNG of its own, decoded the same way, and composited here (dispose and
//! blend operations as the APNG specification gives them).

use super::canvas::{Canvas, Region};
use super::still::{decode_one, to_bgr};
use super::{Animation, Composed, Container, Picture, Progress};
use crate::error::{Error, Result};
use crate::video::convert::Colorimetry;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

struct ApngFrame {
    region: Region,
    delay: (u16, u16),
    dispose: u8,
    blend: u8,
    /// Byte ranges of the frame's image data (IDAT bodies, or fdAT bodies after their sequence number).
    data: Vec<(usize, usize)>,
    /// The next fcTL or IEND has been seen.
    done: bool,
}

#[derive(Default)]
pub struct Png {
    ihdr: Option<[u8; 13]>,
    /// acTL: (frames, plays).
    actl: Option<(u32, u32)>,
    /// Chunks every rebuilt frame needs (PLTE, tRNS, gAMA...), as byte ranges of whole chunks.
    shared: Vec<(usize, usize)>,
    has_trns: bool,
    frames: Vec<ApngFrame>,
    /// Whether the default image (IDAT) is the first frame.
    idat_seen: bool,
    ended: bool,
    pos: usize,
    state: Option<(usize, Canvas, Canvas)>,
}

/// CRC-32 tables for slicing by 8 (every chunk's CRC is checked, and a
/// photo's IDAT is megabytes: a bit at a time cost more than decoding).
const CRC_TABLES: [[u32; 256]; 8] = {
    let mut tables = [[0u32; 256]; 8];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xedb8_8320 } else { c >> 1 };
            k += 1;
        }
        tables[0][n] = c;
        n += 1;
    }
    let mut t = 1;
    while t < 8 {
        let mut n = 0;
        while n < 256 {
            let prev = tables[t - 1][n];
            tables[t][n] = (prev >> 8) ^ tables[0][(prev & 0xff) as usize];
            n += 1;
        }
        t += 1;
    }
    tables
};

fn crc32(parts: &[&[u8]]) -> u32 {
    let t = &CRC_TABLES;
    let mut crc = 0xffff_ffffu32;
    for part in parts {
        let mut chunks = part.chunks_exact(8);
        for c in &mut chunks {
            let lo = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            crc = t[7][(lo & 0xff) as usize]
                ^ t[6][((lo >> 8) & 0xff) as usize]
                ^ t[5][((lo >> 16) & 0xff) as usize]
                ^ t[4][(lo >> 24) as usize]
                ^ t[3][c[4] as usize]
                ^ t[2][c[5] as usize]
                ^ t[1][c[6] as usize]
                ^ t[0][c[7] as usize];
        }
        for &byte in chunks.remainder() {
            crc = (crc >> 8) ^ t[0][((crc ^ byte as u32) & 0xff) as usize];
        }
    }
    !crc
}

fn put_chunk(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) {
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out.extend_from_slice(&crc32(&[kind, body]).to_be_bytes());
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Png {
    fn walk(&mut self, b: &[u8]) -> Result<()> {
        if self.pos == 0 {
            if b.len() < 8 {
                return Ok(());
            }
            if b[..8] != SIGNATURE {
                return Err(Error::Encoding("Not a PNG image".into()));
            }
            self.pos = 8;
        }
        while !self.ended {
            let at = self.pos;
            if b.len() < at + 8 {
                return Ok(());
            }
            let len = be32(b, at) as usize;
            let kind: [u8; 4] = b[at + 4..at + 8].try_into().unwrap();
            if len > 0x7fff_ffff {
                return Err(Error::Encoding("Corrupt PNG chunk length".into()));
            }
            if b.len() < at + 12 + len {
                // A frame's data may be decoded only whole; nothing to do until the chunk is.
                return Ok(());
            }
            let body = (at + 8, at + 8 + len);
            if crc32(&[&kind, &b[body.0..body.1]]) != be32(b, body.1) {
                return Err(Error::Encoding(format!(
                    "The PNG's {} chunk is corrupt (CRC mismatch)",
                    String::from_utf8_lossy(&kind)
                )));
            }
            match &kind {
                b"IHDR" => {
                    if len != 13 || self.ihdr.is_some() {
                        return Err(Error::Encoding("Corrupt PNG header".into()));
                    }
                    let h: [u8; 13] = b[body.0..body.1].try_into().unwrap();
                    super::check_size(be32(&h, 0), be32(&h, 4))?;
                    self.ihdr = Some(h);
                }
                _ if self.ihdr.is_none() => {
                    return Err(Error::Encoding("The PNG does not start with IHDR".into()))
                }
                b"acTL" if len == 8 && !self.idat_seen => {
                    self.actl = Some((be32(b, body.0), be32(b, body.0 + 4)))
                }
                b"fcTL" if len == 26 && self.actl.is_some() => {
                    if let Some(last) = self.frames.last_mut() {
                        last.done = true;
                    }
                    let f = &b[body.0..body.1];
                    let (w, h, x, y) = (be32(f, 4) as u64, be32(f, 8) as u64, be32(f, 12) as u64, be32(f, 16) as u64);
                    let (cw, ch) = self.size();
                    if w == 0 || h == 0 || x + w > cw as u64 || y + h > ch as u64 {
                        return Err(Error::Encoding("An APNG frame lies outside the image".into()));
                    }
                    self.frames.push(ApngFrame {
                        region: Region {
                            width: be32(f, 4),
                            height: be32(f, 8),
                            x: be32(f, 12),
                            y: be32(f, 16),
                        },
                        delay: (
                            u16::from_be_bytes([f[20], f[21]]),
                            u16::from_be_bytes([f[22], f[23]]),
                        ),
                        dispose: f[24],
                        blend: f[25],
                        data: Vec::new(),
                        done: false,
                    });
                }
                b"IDAT" => {
                    self.idat_seen = true;
                    // IDAT belongs to the animation only when an fcTL came first.
                    if self.frames.len() == 1 {
                        self.frames[0].data.push(body);
                    }
                }
                b"fdAT" if len >= 4 => {
                    if let Some(f) = self.frames.last_mut() {
                        f.data.push((body.0 + 4, body.1));
                    }
                }
                b"IEND" => {
                    self.ended = true;
                    if let Some(last) = self.frames.last_mut() {
                        last.done = true;
                    }
                }
                b"PLTE" | b"tRNS" | b"gAMA" | b"cHRM" | b"sRGB" | b"iCCP" | b"sBIT"
                    if !self.idat_seen =>
                {
                    self.has_trns |= &kind == b"tRNS";
                    self.shared.push((at, at + 12 + len));
                }
                _ => {}
            }
            self.pos = at + 12 + len;
        }
        Ok(())
    }

    fn animated(&self) -> bool {
        self.actl.is_some() && !self.frames.is_empty()
    }

    /// The colour type has alpha, or a tRNS chunk makes a colour transparent.
    fn has_alpha(&self) -> bool {
        self.ihdr.is_some_and(|h| h[9] == 4 || h[9] == 6) || self.has_trns
    }

    /// Frame `i` as a PNG file of its own.
    fn frame_png(&self, b: &[u8], i: usize) -> Vec<u8> {
        let f = &self.frames[i];
        let mut ihdr = self.ihdr.expect("header parsed");
        ihdr[0..4].copy_from_slice(&f.region.width.to_be_bytes());
        ihdr[4..8].copy_from_slice(&f.region.height.to_be_bytes());
        let mut out = SIGNATURE.to_vec();
        put_chunk(&mut out, b"IHDR", &ihdr);
        for &(s, e) in &self.shared {
            out.extend_from_slice(&b[s..e]);
        }
        for &(s, e) in &f.data {
            put_chunk(&mut out, b"IDAT", &b[s..e]);
        }
        put_chunk(&mut out, b"IEND", &[]);
        out
    }

    fn frame_pixels(&self, b: &[u8], i: usize) -> Result<Vec<u8>> {
        let png = self.frame_png(b, i);
        super::still::region_pixels(&decode_one("png", &png, None)?, self.frames[i].region, Colorimetry::RGB_TO_FULL_BT709)
    }
}

impl Container for Png {
    fn update(&mut self, b: &[u8], complete: bool) -> Result<Progress> {
        self.walk(b)?;
        if self.ihdr.is_none() {
            return if complete {
                Err(Error::Encoding("The PNG ends before its header".into()))
            } else {
                Ok(Progress::NeedData)
            };
        }
        if complete {
            if let Some(last) = self.frames.last_mut() {
                last.done = true;
            }
        }
        Ok(Progress::Header)
    }

    fn size(&self) -> (u32, u32) {
        self.ihdr.map_or((0, 0), |h| (be32(&h, 0), be32(&h, 4)))
    }

    fn animation(&self) -> Animation {
        match self.actl {
            Some((_, plays)) if self.animated() => Animation {
                animated: true,
                repetition_count: if plays == 0 {
                    f64::INFINITY
                } else {
                    plays as f64 - 1.0
                },
            },
            _ => Animation {
                animated: false,
                repetition_count: 0.0,
            },
        }
    }

    fn frame_count(&self) -> usize {
        if self.animated() {
            // Frames whose data is complete; an announced one still arriving counts once done.
            self.frames
                .iter()
                .filter(|f| f.done && !f.data.is_empty())
                .count()
        } else {
            self.ihdr.is_some() as usize
        }
    }

    fn ready(&self, i: usize, complete: bool) -> bool {
        if self.animated() {
            i < self.frame_count()
        } else {
            i == 0 && (complete || self.ended)
        }
    }

    fn timing(&self, i: usize) -> (i64, Option<i64>) {
        if !self.animated() {
            return (0, None);
        }
        let us = |f: &ApngFrame| {
            let den = if f.delay.1 == 0 { 100 } else { f.delay.1 } as i64;
            f.delay.0 as i64 * 1_000_000 / den
        };
        (
            self.frames[..i].iter().map(us).sum(),
            Some(us(&self.frames[i])),
        )
    }

    fn decode(&mut self, b: &[u8], i: usize) -> Result<Picture> {
        if self.animated() {
            let composed = self.compose(b, i)?;
            return super::canvas_picture(Composed {
                has_alpha: self.has_alpha() || composed.has_alpha,
                canvas: composed.canvas,
            });
        }
        to_bgr(
            &decode_one("png", b, None)?,
            self.has_alpha(),
            Colorimetry::RGB_TO_FULL_BT709,
        )
    }

    fn compose(&mut self, b: &[u8], i: usize) -> Result<Composed> {
        let (w, h) = self.size();
        let (mut j, mut shown, mut before) = match self.state.take() {
            Some(s) if s.0 <= i => s,
            _ => {
                let before = Canvas::new(w, h);
                let mut shown = before.clone();
                let f = &self.frames[0];
                shown.draw(f.region, &self.frame_pixels(b, 0)?, false);
                (0, shown, before)
            }
        };
        while j < i {
            let prev = &self.frames[j];
            let mut base = match prev.dispose {
                1 => {
                    let mut c = shown.clone();
                    c.clear(prev.region);
                    c
                }
                // "Previous" on the first frame means "background".
                2 if j == 0 => Canvas::new(w, h),
                2 => before.clone(),
                _ => shown.clone(),
            };
            before = base.clone();
            j += 1;
            let f = &self.frames[j];
            base.draw(f.region, &self.frame_pixels(b, j)?, f.blend == 1);
            shown = base;
        }
        let has_alpha = shown.has_alpha();
        self.state = Some((j, shown.clone(), before));
        Ok(Composed {
            canvas: shown,
            has_alpha,
        })
    }

    fn reset_cache(&mut self) {
        self.state = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_iend_chunk_and_the_check_value() {
        assert_eq!(crc32(&[b"IEND"]), 0xae42_6082);
        // The standard check value, split across parts and lengths around 8.
        assert_eq!(crc32(&[b"123456789"]), 0xcbf4_3926);
        assert_eq!(crc32(&[b"1234", b"56789"]), 0xcbf4_3926);
        assert_eq!(crc32(&[b"12345678", b"9"]), 0xcbf4_3926);
    }
}
