//! GIF: the container walk (frames, delays, disposal, loop count), LZW, and
//! composition as browsers show animated GIFs. FFmpeg's GIF decoder fills
//! the canvas with the background colour where browsers leave it
//! transparent, so the decoding is done here.

use super::canvas::{Canvas, Region};
use super::{Animation, Composed, Container, Progress};
use crate::error::{Error, Result};

struct GifFrame {
    region: Region,
    interlaced: bool,
    /// Byte range of the colour table to use (local, else global).
    palette: Option<(usize, usize)>,
    transparent: Option<u8>,
    disposal: u8,
    delay_cs: u16,
    lzw_min: u8,
    /// The image data sub-blocks (length bytes included).
    data: (usize, usize),
    /// Whether the composited frame has alpha (see `alpha_of`).
    has_alpha: bool,
}

#[derive(Default)]
pub struct Gif {
    width: u32,
    height: u32,
    global: Option<(usize, usize)>,
    /// NETSCAPE2.0 loop count; None without the extension.
    loops: Option<u16>,
    frames: Vec<GifFrame>,
    /// The frame whose image data is still arriving.
    partial: Option<GifFrame>,
    /// Where the walk stopped: the start of the first block not yet complete.
    pos: usize,
    header: bool,
    ended: bool,
    /// The graphic control extension waiting for its image.
    gce: Option<(u8, u16, Option<u8>)>,
    /// Composition state: the last frame drawn, the canvas showing it, the
    /// canvas before it was drawn (for "restore to previous"), and whether
    /// it has alpha.
    state: Option<(usize, Canvas, Canvas, bool)>,
}

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

/// The end of the sub-blocks of a chain starting at `at` that have wholly arrived.
fn complete_sub_blocks(b: &[u8], mut at: usize) -> usize {
    while let Some(&len) = b.get(at) {
        if len == 0 || at + 1 + len as usize > b.len() {
            break;
        }
        at += 1 + len as usize;
    }
    at
}

/// The end of the sub-block chain starting at `at` (after its terminator), if all there.
fn sub_blocks_end(b: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = *b.get(at)? as usize;
        at += 1 + len;
        if len == 0 {
            return (at <= b.len()).then_some(at);
        }
    }
}

impl Gif {
    fn walk(&mut self, b: &[u8]) -> Result<()> {
        if !self.header {
            if b.len() < 13 {
                return Ok(());
            }
            if &b[..3] != b"GIF" || !matches!(&b[3..6], b"87a" | b"89a") {
                return Err(Error::Encoding("Not a GIF image".into()));
            }
            self.width = u16le(b, 6) as u32;
            self.height = u16le(b, 8) as u32;
            let flags = b[10];
            let mut pos = 13;
            if flags & 0x80 != 0 {
                let len = 3 << ((flags & 7) + 1);
                if b.len() < pos + len {
                    return Ok(());
                }
                self.global = Some((pos, pos + len));
                pos += len;
            }
            super::check_size(self.width, self.height)?;
            self.pos = pos;
            self.header = true;
        }
        while !self.ended {
            let pos = self.pos;
            let Some(&kind) = b.get(pos) else {
                return Ok(());
            };
            match kind {
                0x3b => self.ended = true,
                0x21 => {
                    let Some(&label) = b.get(pos + 1) else {
                        return Ok(());
                    };
                    let Some(end) = sub_blocks_end(b, pos + 2) else {
                        return Ok(());
                    };
                    let first = b.get(pos + 2).map_or(0, |&l| l as usize);
                    let body = &b[(pos + 3).min(end)..(pos + 3 + first).min(end)];
                    if label == 0xf9 && body.len() >= 4 {
                        let transparent = (body[0] & 1 != 0).then_some(body[3]);
                        self.gce = Some(((body[0] >> 2) & 7, u16le(body, 1), transparent));
                    } else if label == 0xff && (body == b"NETSCAPE2.0" || body == b"ANIMEXTS1.0") {
                        let next = pos + 3 + first;
                        if b.get(next) == Some(&3) && b.get(next + 1) == Some(&1) {
                            self.loops = Some(u16le(b, next + 2));
                        }
                    }
                    self.pos = end;
                    continue;
                }
                0x2c => {
                    if b.len() < pos + 10 {
                        return Ok(());
                    }
                    let flags = b[pos + 9];
                    let mut at = pos + 10;
                    let mut palette = self.global;
                    if flags & 0x80 != 0 {
                        let len = 3 << ((flags & 7) + 1);
                        palette = Some((at, at + len));
                        at += len;
                    }
                    let Some(&lzw_min) = b.get(at) else {
                        return Ok(());
                    };
                    let end = sub_blocks_end(b, at + 1);
                    let (disposal, delay_cs, transparent) = self.gce.unwrap_or((0, 0, None));
                    let mut frame = GifFrame {
                        region: Region {
                            x: u16le(b, pos + 1) as u32,
                            y: u16le(b, pos + 3) as u32,
                            width: u16le(b, pos + 5) as u32,
                            height: u16le(b, pos + 7) as u32,
                        },
                        interlaced: flags & 0x40 != 0,
                        palette,
                        transparent,
                        disposal,
                        delay_cs,
                        lzw_min,
                        data: (at + 1, end.unwrap_or_else(|| complete_sub_blocks(b, at + 1))),
                        has_alpha: false,
                    };
                    frame.has_alpha = self.alpha_of(&frame);
                    let Some(end) = end else {
                        // Counted (as Chrome counts it) and drawable in part until the rest arrives.
                        self.partial = Some(frame);
                        return Ok(());
                    };
                    self.partial = None;
                    self.gce = None;
                    self.frames.push(frame);
                    self.pos = end;
                }
                // Anything else ends the image, as browsers treat it.
                _ => self.ended = true,
            }
        }
        Ok(())
    }

    /// Whether a new frame's canvas has alpha, decided from the frames'
    /// metadata as Chrome (Skia's frame holder) decides it, not from pixels:
    /// a frame with a transparent colour has alpha unless it covers the
    /// canvas and what shows through is opaque.
    fn alpha_of(&self, frame: &GifFrame) -> bool {
        let screen = Region {
            x: 0,
            y: 0,
            width: self.width,
            height: self.height,
        };
        let on_screen = |r: Region| {
            let x1 = (r.x as u64 + r.width as u64).min(self.width as u64) as u32;
            let y1 = (r.y as u64 + r.height as u64).min(self.height as u64) as u32;
            let (x0, y0) = (r.x.min(x1), r.y.min(y1));
            Region {
                x: x0,
                y: y0,
                width: x1 - x0,
                height: y1 - y0,
            }
        };
        let reports = frame.transparent.is_some();
        let rect = on_screen(frame.region);
        let Some(mut prev) = self.frames.len().checked_sub(1) else {
            return reports || rect != screen;
        };
        if !reports && rect == screen {
            return false;
        }
        // Frames restored to what was before them do not show through.
        while self.frames[prev].disposal == 3 {
            match prev.checked_sub(1) {
                Some(p) => prev = p,
                None => return true,
            }
        }
        let p = &self.frames[prev];
        let clear = p.disposal == 2;
        if clear && on_screen(p.region) == screen {
            return true;
        }
        p.has_alpha || clear
    }

    /// Frame `i`, the one still arriving included.
    fn frame(&self, i: usize) -> &GifFrame {
        self.frames.get(i).or(self.partial.as_ref()).expect("frame index checked by the caller")
    }

    /// Draws frame `i` onto `canvas`; its transparent colour leaves the canvas as it was.
    fn draw(&self, b: &[u8], i: usize, canvas: &mut Canvas) -> Result<()> {
        let f = self.frame(i);
        let r = f.region;
        let count = r.width as usize * r.height as usize;
        let mut data = Vec::with_capacity(f.data.1 - f.data.0);
        let mut at = f.data.0;
        while at < f.data.1 {
            let len = b[at] as usize;
            data.extend_from_slice(&b[at + 1..(at + 1 + len).min(f.data.1)]);
            at += 1 + len;
        }
        let indices = lzw(f.lzw_min, &data, count)?;
        let palette = f.palette.map_or(&[][..], |(s, e)| &b[s..e]);
        let rows: Vec<u32> = if f.interlaced {
            interlaced_rows(r.height)
        } else {
            (0..r.height).collect()
        };
        let stride = canvas.width as usize * 4;
        for (n, &index) in indices.iter().enumerate() {
            let (row, col) = (rows[n / r.width as usize], (n % r.width as usize) as u32);
            let (x, y) = (r.x + col, r.y + row);
            if Some(index) == f.transparent {
                continue;
            }
            if x >= canvas.width || y >= canvas.height {
                continue;
            }
            let c = palette
                .get(index as usize * 3..index as usize * 3 + 3)
                .unwrap_or(&[0, 0, 0]);
            let at = y as usize * stride + x as usize * 4;
            canvas.pixels[at..at + 4].copy_from_slice(&[c[2], c[1], c[0], 255]);
        }
        Ok(())
    }
}

fn interlaced_rows(height: u32) -> Vec<u32> {
    let mut rows = Vec::with_capacity(height as usize);
    for (start, step) in [(0, 8), (4, 8), (2, 4), (1, 2)] {
        rows.extend((start..height).step_by(step));
    }
    rows
}

/// GIF's variable-width LZW. Returns up to `count` indices; fewer when the
/// data ends early (the rest of the frame is left undrawn, as browsers do).
fn lzw(min: u8, data: &[u8], count: usize) -> Result<Vec<u8>> {
    if !(1..=11).contains(&min) {
        return Err(Error::Encoding(format!("Invalid LZW code size {min}")));
    }
    let clear = 1usize << min;
    let end = clear + 1;
    let mut prefix = [0u16; 4096];
    let mut suffix = [0u8; 4096];
    let mut first = [0u8; 4096];
    for i in 0..clear {
        suffix[i] = i as u8;
        first[i] = i as u8;
    }
    // Each byte of data yields at most one 4096-entry string: no more is reserved.
    let mut out = Vec::with_capacity(count.min(data.len().saturating_mul(64)));
    let mut stack = Vec::with_capacity(4096);
    let (mut size, mut next, mut prev): (u32, usize, Option<usize>) =
        (min as u32 + 1, clear + 2, None);
    let (mut bits, mut nbits, mut at) = (0u32, 0u32, 0usize);
    while out.len() < count {
        while nbits < size {
            let Some(&byte) = data.get(at) else {
                return Ok(out);
            };
            bits |= (byte as u32) << nbits;
            nbits += 8;
            at += 1;
        }
        let code = (bits & ((1 << size) - 1)) as usize;
        bits >>= size;
        nbits -= size;
        if code == clear {
            size = min as u32 + 1;
            next = clear + 2;
            prev = None;
            continue;
        }
        if code == end {
            break;
        }
        let Some(p) = prev else {
            if code >= clear {
                return Err(Error::Encoding("Corrupt LZW data".into()));
            }
            out.push(code as u8);
            prev = Some(code);
            continue;
        };
        let walk_from = if code < next {
            code
        } else if code == next {
            stack.push(first[p]);
            p
        } else {
            return Err(Error::Encoding("Corrupt LZW data".into()));
        };
        let mut c = walk_from;
        while c >= clear {
            stack.push(suffix[c]);
            c = prefix[c] as usize;
        }
        stack.push(c as u8);
        let head = c as u8;
        while let Some(v) = stack.pop() {
            if out.len() < count {
                out.push(v);
            }
        }
        if next < 4096 {
            prefix[next] = p as u16;
            suffix[next] = head;
            first[next] = first[p];
            next += 1;
            if next == 1 << size && size < 12 {
                size += 1;
            }
        }
        prev = Some(code);
    }
    Ok(out)
}

impl Container for Gif {
    fn update(&mut self, data: &[u8], complete: bool) -> Result<Progress> {
        self.walk(data)?;
        if !self.header {
            return if complete {
                Err(Error::Encoding("The GIF ends before its header".into()))
            } else {
                Ok(Progress::NeedData)
            };
        }
        if complete && self.frames.is_empty() {
            return Err(Error::Encoding("The GIF has no image".into()));
        }
        Ok(Progress::Header)
    }

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn animation(&self) -> Animation {
        Animation {
            animated: self.loops.is_some() || self.frames.len() > 1,
            repetition_count: match self.loops {
                None => 0.0,
                Some(0) => f64::INFINITY,
                Some(n) => n as f64,
            },
        }
    }

    fn frame_count(&self) -> usize {
        self.frames.len() + self.partial.is_some() as usize
    }

    fn ready(&self, i: usize, complete: bool) -> bool {
        // Once every byte is in, a frame cut short is drawn as far as it goes.
        i < self.frames.len() || (complete && i < self.frame_count())
    }

    fn decode_partial(&mut self, data: &[u8], i: usize) -> Option<super::Picture> {
        if i != self.frames.len() || self.partial.is_none() {
            return None;
        }
        let composed = self.compose(data, i).ok()?;
        super::canvas_picture(composed).ok()
    }

    fn timing(&self, i: usize) -> (i64, Option<i64>) {
        let start: i64 = self.frames.iter().take(i).map(|f| f.delay_cs as i64 * 10_000).sum();
        (start, Some(self.frame(i).delay_cs as i64 * 10_000))
    }

    fn compose(&mut self, data: &[u8], i: usize) -> Result<Composed> {
        if i >= self.frames.len() {
            // The frame still arriving: drawn over its predecessor, never cached.
            let (base, before) = match i.checked_sub(1) {
                None => (Canvas::new(self.width, self.height), None),
                Some(prev) => {
                    self.compose(data, prev)?;
                    let (_, shown, before, _) = self.state.as_ref().expect("just composed");
                    (shown.clone(), Some(before.clone()))
                }
            };
            let mut canvas = match (i.checked_sub(1).map(|p| (self.frames[p].disposal, self.frames[p].region)), before) {
                (Some((2, region)), _) => {
                    let mut c = base;
                    c.clear(region);
                    c
                }
                (Some((3, _)), Some(before)) => before,
                _ => base,
            };
            self.draw(data, i, &mut canvas)?;
            return Ok(Composed { canvas, has_alpha: self.frame(i).has_alpha });
        }
        let (mut j, mut shown, mut before, mut has_alpha) = match self.state.take() {
            Some(state) if state.0 <= i => state,
            _ => {
                let before = Canvas::new(self.width, self.height);
                let mut shown = before.clone();
                self.draw(data, 0, &mut shown)?;
                (0, shown, before, self.frames[0].has_alpha)
            }
        };
        while j < i {
            let prev = &self.frames[j];
            let mut base = match prev.disposal {
                2 => {
                    let mut c = shown.clone();
                    c.clear(prev.region);
                    c
                }
                3 => before.clone(),
                _ => shown.clone(),
            };
            before = base.clone();
            j += 1;
            self.draw(data, j, &mut base)?;
            has_alpha = self.frames[j].has_alpha;
            shown = base;
        }
        self.state = Some((j, shown.clone(), before, has_alpha));
        Ok(Composed { canvas: shown, has_alpha })
    }

    fn reset_cache(&mut self) {
        self.state = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lzw_decodes_the_spec_example_and_stops_at_short_data() {
        // A 4-colour 2x2 image: clear, 1, 1, 2, 2, end. The code size grows
        // from 3 to 4 bits once entry 7 is added (after the third code).
        let codes = [(4u64, 3), (1, 3), (1, 3), (2, 3), (2, 4), (5, 4)];
        let (mut bits, mut n, mut bytes) = (0u64, 0u32, Vec::new());
        for (c, size) in codes {
            bits |= c << n;
            n += size;
        }
        while n > 0 {
            bytes.push(bits as u8);
            bits >>= 8;
            n = n.saturating_sub(8);
        }
        assert_eq!(lzw(2, &bytes, 4).unwrap(), vec![1, 1, 2, 2]);
        assert_eq!(lzw(2, &bytes[..1], 4).unwrap(), vec![1]);
        assert!(lzw(0, &bytes, 4).is_err());
    }

    #[test]
    fn interlaced_rows_cover_every_row_once() {
        let mut rows = interlaced_rows(11);
        assert_eq!(&rows[..3], &[0, 8, 4]);
        rows.sort();
        assert_eq!(rows, (0..11).collect::<Vec<_>>());
    }
}
