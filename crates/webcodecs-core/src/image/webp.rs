//! WebP: the RIFF walk (VP8, VP8L, VP8X, ALPH, ANIM, ANMF). Still images
//! decode whole with FFmpeg's decoder; each frame of an animation (which
//! that decoder does not take) is rebuilt as a still WebP, decoded the same
//! way, and composited here as the WebP container specification says.

use super::canvas::{Canvas, Region};
use super::still::{decode_one, to_bgr};
use super::{Animation, Composed, Container, Picture, Progress};
use crate::error::{Error, Result};
use crate::video::color::ColorSpace;
use crate::video::convert::Colorimetry;
use crate::video::pixel::PixelFormat;

struct WebpFrame {
    region: Region,
    duration_ms: u32,
    blend: bool,
    dispose: bool,
    /// The frame's ALPH chunk, if any, and its VP8/VP8L chunk (whole chunks).
    alph: Option<(usize, usize)>,
    image: (usize, usize),
}

#[derive(Default)]
pub struct Webp {
    size: Option<(u32, u32)>,
    /// VP8X flags (0 for a simple file).
    flags: u8,
    /// ANIM's loop count.
    loops: Option<u16>,
    /// A still image's VP8L chunk says its alpha is used.
    lossless_alpha: bool,
    /// A still image's bitstream is VP8 (lossy) and has an ALPH chunk.
    lossy: bool,
    alph: bool,
    frames: Vec<WebpFrame>,
    pos: usize,
    end: usize,
    ended: bool,
    state: Option<(usize, Canvas)>,
}

fn le24(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], 0])
}

/// (width, height, alpha used) of a VP8 or VP8L bitstream.
fn bitstream_size(kind: &[u8], body: &[u8]) -> Option<(u32, u32, bool)> {
    match kind {
        b"VP8 " if body.len() >= 10 && body[3..6] == [0x9d, 0x01, 0x2a] => Some((
            (u16::from_le_bytes([body[6], body[7]]) & 0x3fff) as u32,
            (u16::from_le_bytes([body[8], body[9]]) & 0x3fff) as u32,
            false,
        )),
        b"VP8L" if body.len() >= 5 && body[0] == 0x2f => {
            let bits = u32::from_le_bytes([body[1], body[2], body[3], body[4]]);
            Some((
                (bits & 0x3fff) + 1,
                ((bits >> 14) & 0x3fff) + 1,
                bits >> 28 & 1 != 0,
            ))
        }
        _ => None,
    }
}

impl Webp {
    fn animated(&self) -> bool {
        self.flags & 0x02 != 0
    }

    fn walk(&mut self, b: &[u8]) -> Result<()> {
        if self.pos == 0 {
            if b.len() < 12 {
                return Ok(());
            }
            if &b[..4] != b"RIFF" || &b[8..12] != b"WEBP" {
                return Err(Error::Encoding("Not a WebP image".into()));
            }
            self.end = (u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize).saturating_add(8);
            self.pos = 12;
        }
        while !self.ended {
            let at = self.pos;
            if at + 8 > self.end {
                self.ended = true;
                break;
            }
            if b.len() < at + 8 {
                return Ok(());
            }
            let kind: [u8; 4] = b[at..at + 4].try_into().unwrap();
            let len = u32::from_le_bytes([b[at + 4], b[at + 5], b[at + 6], b[at + 7]]) as usize;
            let next = at + 8 + len + (len & 1);
            if b.len() < at + 8 + len {
                return Ok(());
            }
            let body = &b[at + 8..at + 8 + len];
            match &kind {
                b"VP8X" if at == 12 && len >= 10 => {
                    self.flags = body[0];
                    super::check_size(le24(body, 4) + 1, le24(body, 7) + 1)?;
                    self.size = Some((le24(body, 4) + 1, le24(body, 7) + 1));
                }
                b"VP8 " | b"VP8L" if !self.animated() => {
                    let (w, h, alpha) = bitstream_size(&kind, body)
                        .ok_or_else(|| Error::Encoding("Corrupt WebP bitstream header".into()))?;
                    self.size.get_or_insert((w, h));
                    self.lossless_alpha = alpha;
                    self.lossy = &kind == b"VP8 ";
                    // The image chunk is the last one that matters for a still image.
                    self.ended = true;
                }
                b"ALPH" => self.alph = true,
                b"ANIM" if len >= 6 => self.loops = Some(u16::from_le_bytes([body[4], body[5]])),
                b"ANMF" if self.animated() && len >= 16 => {
                    let mut sub = at + 24;
                    let (mut alph, mut image) = (None, None);
                    while sub + 8 <= at + 8 + len {
                        let l = u32::from_le_bytes([b[sub + 4], b[sub + 5], b[sub + 6], b[sub + 7]])
                            as usize;
                        let whole = (sub, (sub + 8 + l).min(at + 8 + len));
                        match &b[sub..sub + 4] {
                            b"ALPH" => alph = Some(whole),
                            b"VP8 " | b"VP8L" => image = Some(whole),
                            _ => {}
                        }
                        sub += 8 + l + (l & 1);
                    }
                    let image = image.ok_or_else(|| {
                        Error::Encoding("A WebP animation frame has no image".into())
                    })?;
                    let region = Region {
                        x: le24(body, 0) * 2,
                        y: le24(body, 3) * 2,
                        width: le24(body, 6) + 1,
                        height: le24(body, 9) + 1,
                    };
                    let (cw, ch) = self.size.ok_or_else(|| {
                        Error::Encoding("A WebP animation frame comes before VP8X".into())
                    })?;
                    if region.x as u64 + region.width as u64 > cw as u64
                        || region.y as u64 + region.height as u64 > ch as u64
                    {
                        return Err(Error::Encoding(
                            "A WebP animation frame lies outside the canvas".into(),
                        ));
                    }
                    self.frames.push(WebpFrame {
                        region,
                        duration_ms: le24(body, 12),
                        blend: body[15] & 0x02 == 0,
                        dispose: body[15] & 0x01 != 0,
                        alph,
                        image,
                    });
                }
                _ => {}
            }
            self.pos = next;
        }
        Ok(())
    }

    /// One animation frame as a still WebP file, decoded to tightly packed BGRA.
    fn frame_pixels(&self, b: &[u8], i: usize) -> Result<Vec<u8>> {
        let f = &self.frames[i];
        let mut chunks = Vec::new();
        if let Some((s, e)) = f.alph {
            let mut vp8x = vec![b'V', b'P', b'8', b'X', 10, 0, 0, 0, 0x10, 0, 0, 0];
            vp8x.extend_from_slice(&(f.region.width - 1).to_le_bytes()[..3]);
            vp8x.extend_from_slice(&(f.region.height - 1).to_le_bytes()[..3]);
            chunks.extend_from_slice(&vp8x);
            chunks.extend_from_slice(&b[s..e]);
            if (e - s) & 1 == 1 {
                chunks.push(0);
            }
        }
        chunks.extend_from_slice(&b[f.image.0..f.image.1]);
        if (f.image.1 - f.image.0) & 1 == 1 {
            chunks.push(0);
        }
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(4 + chunks.len() as u32).to_le_bytes());
        file.extend_from_slice(b"WEBP");
        file.extend_from_slice(&chunks);
        let frame = decode_one("webp", &file, None)?;
        super::still::region_pixels(&frame, f.region, Colorimetry::to_rgb(&lossy_color()))
    }
}

/// What Chrome reports for a lossy WebP's YUV: BT.601 limited range, sRGB.
fn lossy_color() -> ColorSpace {
    ColorSpace {
        primaries: Some("bt709"),
        transfer: Some("iec61966-2-1"),
        matrix: Some("smpte170m"),
        full_range: Some(false),
    }
}

impl Container for Webp {
    fn update(&mut self, b: &[u8], complete: bool) -> Result<Progress> {
        self.walk(b)?;
        if self.size.is_none() {
            return if complete {
                Err(Error::Encoding("The WebP ends before its header".into()))
            } else {
                Ok(Progress::NeedData)
            };
        }
        if complete && self.animated() && self.frames.is_empty() {
            return Err(Error::Encoding("The WebP animation has no frames".into()));
        }
        Ok(Progress::Header)
    }

    fn size(&self) -> (u32, u32) {
        self.size.unwrap_or((0, 0))
    }

    fn animation(&self) -> Animation {
        if !self.animated() {
            return Animation {
                animated: false,
                repetition_count: 0.0,
            };
        }
        Animation {
            animated: true,
            repetition_count: match self.loops {
                Some(0) | None => f64::INFINITY,
                Some(n) => n as f64 - 1.0,
            },
        }
    }

    fn frame_count(&self) -> usize {
        if self.animated() {
            self.frames.len()
        } else {
            self.size.is_some() as usize
        }
    }

    fn ready(&self, i: usize, complete: bool) -> bool {
        if self.animated() {
            i < self.frames.len()
        } else {
            i == 0 && (complete || self.ended)
        }
    }

    fn timing(&self, i: usize) -> (i64, Option<i64>) {
        if !self.animated() {
            return (0, None);
        }
        let start = self.frames[..i]
            .iter()
            .map(|f| f.duration_ms as i64 * 1000)
            .sum();
        (start, Some(self.frames[i].duration_ms as i64 * 1000))
    }

    fn decode(&mut self, b: &[u8], i: usize) -> Result<Picture> {
        if self.animated() {
            let composed = self.compose(b, i)?;
            return super::canvas_picture(Composed {
                has_alpha: self.flags & 0x10 != 0,
                canvas: composed.canvas,
            });
        }
        let frame = decode_one("webp", b, None)?;
        if self.lossy && !self.alph && frame.format() == Some(PixelFormat::I420) {
            let info = super::frame_info(&frame, PixelFormat::I420, lossy_color());
            return Ok(Picture {
                frame,
                info,
                rotation: 0,
                flip: false,
            });
        }
        let alpha = self.alph || self.lossless_alpha || (self.flags & 0x10 != 0);
        to_bgr(&frame, alpha, Colorimetry::to_rgb(&lossy_color()))
    }

    fn compose(&mut self, b: &[u8], i: usize) -> Result<Composed> {
        let (w, h) = self.size();
        let (mut j, mut shown) = match self.state.take() {
            Some(s) if s.0 <= i => s,
            _ => {
                let mut c = Canvas::new(w, h);
                let f = &self.frames[0];
                c.draw(f.region, &self.frame_pixels(b, 0)?, f.blend);
                (0, c)
            }
        };
        while j < i {
            let prev = &self.frames[j];
            if prev.dispose {
                shown.clear(prev.region);
            }
            j += 1;
            let f = &self.frames[j];
            shown.draw(f.region, &self.frame_pixels(b, j)?, f.blend);
        }
        let has_alpha = shown.has_alpha();
        self.state = Some((j, shown.clone()));
        Ok(Composed {
            canvas: shown,
            has_alpha,
        })
    }

    fn reset_cache(&mut self) {
        self.state = None;
    }
}
