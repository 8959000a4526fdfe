//! AVIF still images: the HEIF item structure (primary item, its location,
//! av1C, colour and orientation properties), decoded with dav1d. The frame
//! keeps the stream's YUV layout, as in Chrome.

use super::{Animation, Container, Picture, Progress};
use crate::error::{Error, Result};
use crate::video::color::ColorSpace;
use crate::video::frame::Frame;
use crate::video::pixel::PixelFormat;

#[derive(Default, Clone)]
struct Item {
    id: u32,
    kind: [u8; 4],
    /// (construction method, extents as (offset, length)).
    location: Option<(u8, Vec<(u64, u64)>)>,
    properties: Vec<u16>,
}

#[derive(Default)]
pub struct Avif {
    meta: Option<Meta>,
    sequence: Option<Sequence>,
    pos: usize,
    /// The walk reached the media data (or the end): no more header boxes.
    header_done: bool,
    /// Which track the container answers for: the still item or the sequence.
    animation_selected: bool,
    player: Option<Player>,
    /// Bytes received so far.
    received: usize,
}

/// An image sequence's AV1 track.
struct Sequence {
    av1c: Option<(usize, usize)>,
    timescale: u32,
    /// (offset, size, duration in timescale units) of each sample.
    samples: Vec<(u64, u32, u32)>,
    repetition_count: f64,
}

/// A running sequence decoder: the samples fed, the index the next output
/// frame will have, and the last frame output.
struct Player {
    ctx: crate::av::CodecContext,
    fed: usize,
    next: usize,
    last: Option<(usize, crate::video::frame::Frame)>,
    drained: bool,
}

#[derive(Default)]
struct Meta {
    primary: u32,
    items: Vec<Item>,
    /// Property boxes in ipco order: (type, body range).
    properties: Vec<([u8; 4], (usize, usize))>,
    /// The idat box's body, for construction method 1.
    idat: Option<(usize, usize)>,
    /// Item references (iref): (type, from, to).
    references: Vec<([u8; 4], u32, Vec<u32>)>,
    size: (u32, u32),
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    end: usize,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8], range: (usize, usize)) -> Reader<'a> {
        Reader {
            b,
            at: range.0,
            end: range.1,
        }
    }
    fn uint(&mut self, bytes: usize) -> Result<u64> {
        if bytes > 8 || self.at + bytes > self.end {
            return Err(Error::Encoding("Truncated AVIF box".into()));
        }
        let v = self.b[self.at..self.at + bytes]
            .iter()
            .fold(0u64, |v, &x| (v << 8) | x as u64);
        self.at += bytes;
        Ok(v)
    }
    fn skip(&mut self, n: usize) -> Result<()> {
        if self.at + n > self.end {
            return Err(Error::Encoding("Truncated AVIF box".into()));
        }
        self.at += n;
        Ok(())
    }
    fn fourcc(&mut self) -> Result<[u8; 4]> {
        Ok((self.uint(4)? as u32).to_be_bytes())
    }
}

/// The boxes inside `range`: (type, body range). Stops at the first one not wholly inside.
fn boxes(b: &[u8], range: (usize, usize)) -> Vec<([u8; 4], (usize, usize))> {
    let mut out = Vec::new();
    let mut at = range.0;
    while at + 8 <= range.1 {
        let size = u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as u64;
        let kind: [u8; 4] = b[at + 4..at + 8].try_into().unwrap();
        let (header, size) = match size {
            1 if at + 16 <= range.1 => (
                16,
                u64::from_be_bytes(b[at + 8..at + 16].try_into().unwrap()),
            ),
            0 => (8, (range.1 - at) as u64),
            s => (8, s),
        };
        if size < header as u64 || at as u64 + size > range.1 as u64 {
            break;
        }
        out.push((kind, (at + header, at + size as usize)));
        at += size as usize;
    }
    out
}

fn parse_meta(b: &[u8], range: (usize, usize)) -> Result<Meta> {
    let mut meta = Meta::default();
    // meta is a full box: version and flags first.
    for (kind, body) in boxes(b, (range.0 + 4, range.1)) {
        let mut r = Reader::new(b, body);
        match &kind {
            b"pitm" => {
                let version = r.uint(1)?;
                r.skip(3)?;
                meta.primary = r.uint(if version == 0 { 2 } else { 4 })? as u32;
            }
            b"iinf" => {
                let version = r.uint(1)?;
                r.skip(3)?;
                r.skip(if version == 0 { 2 } else { 4 })?;
                for (k, infe) in boxes(b, (r.at, body.1)) {
                    if &k != b"infe" {
                        continue;
                    }
                    let mut e = Reader::new(b, infe);
                    let v = e.uint(1)?;
                    e.skip(3)?;
                    if v < 2 {
                        continue;
                    }
                    let id = e.uint(if v == 2 { 2 } else { 4 })? as u32;
                    e.skip(2)?;
                    let kind = e.fourcc()?;
                    item(&mut meta, id).kind = kind;
                }
            }
            b"iloc" => {
                let version = r.uint(1)?;
                r.skip(3)?;
                let sizes = r.uint(2)?;
                let (offset_size, length_size, base_size) = (
                    (sizes >> 12) as usize,
                    (sizes >> 8 & 15) as usize,
                    (sizes >> 4 & 15) as usize,
                );
                let index_size = if version >= 1 {
                    (sizes & 15) as usize
                } else {
                    0
                };
                let count = r.uint(if version < 2 { 2 } else { 4 })?;
                for _ in 0..count {
                    let id = r.uint(if version < 2 { 2 } else { 4 })? as u32;
                    let method = if version >= 1 {
                        (r.uint(2)? & 15) as u8
                    } else {
                        0
                    };
                    r.skip(2)?;
                    let base = r.uint(base_size)?;
                    let extents = r.uint(2)?;
                    let mut list = Vec::new();
                    for _ in 0..extents {
                        r.skip(index_size)?;
                        let offset = r.uint(offset_size)?;
                        let length = r.uint(length_size)?;
                        list.push((base + offset, length));
                    }
                    item(&mut meta, id).location = Some((method, list));
                }
            }
            b"iprp" => {
                for (k, inner) in boxes(b, body) {
                    if &k == b"ipco" {
                        meta.properties = boxes(b, inner);
                    } else if &k == b"ipma" {
                        let mut m = Reader::new(b, inner);
                        let version = m.uint(1)?;
                        let flags = m.uint(3)?;
                        for _ in 0..m.uint(4)? {
                            let id = m.uint(if version < 1 { 2 } else { 4 })? as u32;
                            let n = m.uint(1)?;
                            let mut props = Vec::new();
                            for _ in 0..n {
                                let v = if flags & 1 != 0 {
                                    m.uint(2)? as u16 & 0x7fff
                                } else {
                                    m.uint(1)? as u16 & 0x7f
                                };
                                props.push(v);
                            }
                            item(&mut meta, id).properties = props;
                        }
                    }
                }
            }
            b"idat" => meta.idat = Some(body),
            b"iref" => {
                let version = r.uint(1)?;
                r.skip(3)?;
                let id_size = if version == 0 { 2 } else { 4 };
                for (kind, refs) in boxes(b, (r.at, body.1)) {
                    let mut e = Reader::new(b, refs);
                    let from = e.uint(id_size)? as u32;
                    let count = e.uint(2)?;
                    let to = (0..count).map(|_| e.uint(id_size).map(|v| v as u32)).collect::<Result<Vec<_>>>()?;
                    meta.references.push((kind, from, to));
                }
            }
            _ => {}
        }
    }
    Ok(meta)
}

fn item(meta: &mut Meta, id: u32) -> &mut Item {
    if let Some(i) = meta.items.iter().position(|i| i.id == id) {
        return &mut meta.items[i];
    }
    meta.items.push(Item {
        id,
        ..Item::default()
    });
    meta.items.last_mut().unwrap()
}

fn child(b: &[u8], body: (usize, usize), kind: &[u8; 4]) -> Option<(usize, usize)> {
    boxes(b, body)
        .into_iter()
        .find(|(k, _)| k == kind)
        .map(|(_, r)| r)
}

/// The first AV1 track of a movie box, with its sample table.
fn parse_movie(b: &[u8], moov: (usize, usize)) -> Result<Option<Sequence>> {
    for (kind, trak) in boxes(b, moov) {
        if &kind != b"trak" {
            continue;
        }
        let Some(mdia) = child(b, trak, b"mdia") else {
            continue;
        };
        let Some(stbl) = child(b, mdia, b"minf").and_then(|minf| child(b, minf, b"stbl")) else {
            continue;
        };
        let Some(stsd) = child(b, stbl, b"stsd") else {
            continue;
        };
        let Some(av01) = boxes(b, (stsd.0 + 8, stsd.1))
            .into_iter()
            .find(|(k, _)| k == b"av01")
            .map(|(_, r)| r)
        else {
            continue;
        };
        let av1c = child(b, (av01.0 + 78, av01.1), b"av1C");
        let mdhd = child(b, mdia, b"mdhd")
            .ok_or_else(|| Error::Encoding("AVIF track without mdhd".into()))?;
        let mut r = Reader::new(b, mdhd);
        let v = r.uint(1)?;
        r.skip(3 + if v == 1 { 16 } else { 8 })?;
        let timescale = r.uint(4)?.max(1) as u32;
        // Sample sizes, durations and chunk offsets.
        let sizes: Vec<u32> = {
            let stsz = child(b, stbl, b"stsz")
                .ok_or_else(|| Error::Encoding("AVIF track without stsz".into()))?;
            let mut r = Reader::new(b, stsz);
            r.skip(4)?;
            let fixed = r.uint(4)? as u32;
            let count = r.uint(4)? as usize;
            if count > 1 << 24 {
                return Err(Error::Encoding("Too many AVIF samples".into()));
            }
            (0..count)
                .map(|_| {
                    if fixed != 0 {
                        Ok(fixed)
                    } else {
                        r.uint(4).map(|v| v as u32)
                    }
                })
                .collect::<Result<_>>()?
        };
        let mut durations = Vec::with_capacity(sizes.len());
        if let Some(stts) = child(b, stbl, b"stts") {
            let mut r = Reader::new(b, stts);
            r.skip(4)?;
            for _ in 0..r.uint(4)? {
                let (count, delta) = (r.uint(4)?, r.uint(4)? as u32);
                for _ in 0..count.min(sizes.len() as u64) {
                    durations.push(delta);
                }
            }
        }
        durations.resize(sizes.len(), 0);
        let offsets: Vec<u64> = if let Some(stco) = child(b, stbl, b"stco") {
            let mut r = Reader::new(b, stco);
            r.skip(4)?;
            (0..r.uint(4)?).map(|_| r.uint(4)).collect::<Result<_>>()?
        } else if let Some(co64) = child(b, stbl, b"co64") {
            let mut r = Reader::new(b, co64);
            r.skip(4)?;
            (0..r.uint(4)?).map(|_| r.uint(8)).collect::<Result<_>>()?
        } else {
            return Err(Error::Encoding("AVIF track without chunk offsets".into()));
        };
        let mut stsc = Vec::new();
        if let Some(box_) = child(b, stbl, b"stsc") {
            let mut r = Reader::new(b, box_);
            r.skip(4)?;
            for _ in 0..r.uint(4)? {
                stsc.push((r.uint(4)? as usize, r.uint(4)? as usize));
                r.skip(4)?;
            }
        }
        let mut samples = Vec::with_capacity(sizes.len());
        let mut n = 0;
        for (c, &chunk_offset) in offsets.iter().enumerate() {
            let per_chunk = stsc.iter().rev().find(|e| e.0 <= c + 1).map_or(1, |e| e.1);
            let mut at = chunk_offset;
            for _ in 0..per_chunk {
                if n == sizes.len() {
                    break;
                }
                samples.push((at, sizes[n], durations[n]));
                at += sizes[n] as u64;
                n += 1;
            }
        }
        // How often it plays: the edit list's repeat flag against the track duration.
        let mut track_duration = None;
        if let Some(tkhd) = child(b, trak, b"tkhd") {
            let mut r = Reader::new(b, tkhd);
            let v = r.uint(1)?;
            // creation, modification, track_ID, reserved
            r.skip(3 + if v == 1 { 24 } else { 16 })?;
            let d = r.uint(if v == 1 { 8 } else { 4 })?;
            // All ones (or, as encoders write it, i64::MAX) means "indefinite": it loops forever.
            track_duration = (d < u32::MAX as u64).then_some(d);
        }
        let mut repetition_count = f64::INFINITY;
        if let Some(elst) = child(b, trak, b"edts").and_then(|e| child(b, e, b"elst")) {
            let mut r = Reader::new(b, elst);
            let v = r.uint(1)?;
            let flags = r.uint(3)?;
            let count = r.uint(4)?;
            let segment = if count >= 1 {
                r.uint(if v == 1 { 8 } else { 4 })?
            } else {
                0
            };
            repetition_count = match (flags & 1 != 0, track_duration) {
                (false, _) => 0.0,
                (true, None) => f64::INFINITY,
                (true, Some(_)) if segment == 0 => f64::INFINITY,
                (true, Some(total)) => (total.div_ceil(segment)).saturating_sub(1) as f64,
            };
        }
        return Ok(Some(Sequence {
            av1c,
            timescale,
            samples,
            repetition_count,
        }));
    }
    Ok(None)
}

impl Meta {
    fn primary(&self) -> Result<&Item> {
        self.items
            .iter()
            .find(|i| i.id == self.primary)
            .ok_or_else(|| Error::Encoding("The AVIF has no primary item".into()))
    }

    fn property(&self, item: &Item, kind: &[u8; 4]) -> Option<(usize, usize)> {
        item.properties.iter().filter(|&&i| i > 0).find_map(|&i| {
            self.properties
                .get(i as usize - 1)
                .filter(|p| &p.0 == kind)
                .map(|p| p.1)
        })
    }

    fn item(&self, id: u32) -> Result<&Item> {
        self.items.iter().find(|i| i.id == id).ok_or_else(|| Error::Encoding(format!("The AVIF has no item {id}")))
    }

    /// The items `from` refers to with references of type `kind`, in order.
    fn referenced(&self, kind: &[u8; 4], from: u32) -> Vec<u32> {
        self.references.iter().filter(|r| &r.0 == kind && r.1 == from).flat_map(|r| r.2.iter().copied()).collect()
    }

    /// The alpha plane item of the primary one: an auxiliary image (auxl
    /// reference to the primary) whose auxC names alpha.
    fn alpha_item(&self, b: &[u8]) -> Option<&Item> {
        const ALPHA: [&[u8]; 2] = [b"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha", b"urn:mpeg:hevc:2015:auxid:1"];
        self.references.iter().filter(|r| &r.0 == b"auxl" && r.2.contains(&self.primary)).find_map(|r| {
            let item = self.item(r.1).ok()?;
            let (s, e) = self.property(item, b"auxC")?;
            let urn = b.get(s + 4..e)?;
            let urn = &urn[..urn.iter().position(|&c| c == 0).unwrap_or(urn.len())];
            ALPHA.contains(&urn).then_some(item)
        })
    }

    /// An item's bytes, if they have all arrived.
    fn item_data(&self, b: &[u8], item: &Item) -> Result<Option<Vec<u8>>> {
        let (method, extents) = item
            .location
            .as_ref()
            .ok_or_else(|| Error::Encoding("An AVIF item has no location".into()))?;
        let base = match method {
            0 => 0,
            1 => {
                self.idat
                    .ok_or_else(|| Error::Encoding("The AVIF has no idat box".into()))?
                    .0 as u64
            }
            _ => {
                return Err(Error::NotSupported(
                    "AVIF items built from other items are not supported".into(),
                ))
            }
        };
        let mut out = Vec::new();
        for &(offset, length) in extents {
            let (s, e) = (base + offset, base + offset + length);
            if e > b.len() as u64 {
                return Ok(None);
            }
            out.extend_from_slice(&b[s as usize..e as usize]);
        }
        Ok(Some(out))
    }
}

impl Avif {
    fn pos_limit(&self) -> u64 {
        self.received as u64
    }

    /// Frame `i` of the image sequence, decoded in order from the last key
    /// point the running decoder has passed (or from the start), as BGRX (or
    /// BGRA) like Chrome's animated AVIF frames.
    fn decode_sequence(&mut self, b: &[u8], i: usize) -> Result<Picture> {
        let seq = self
            .sequence
            .as_ref()
            .ok_or_else(|| Error::Encoding("No image sequence".into()))?;
        if self
            .player
            .as_ref()
            .is_some_and(|p| p.next > i && p.last.as_ref().is_none_or(|l| l.0 != i))
        {
            self.player = None;
        }
        if self.player.is_none() {
            let names = ["libdav1d", "libaom-av1"];
            let codec = names
                .iter()
                .map(|n| unsafe {
                    ffmpeg_next::ffi::avcodec_find_decoder_by_name(crate::av::cstring(n).as_ptr())
                })
                .find(|c| !c.is_null())
                .ok_or_else(|| Error::NotSupported("This build has no AV1 decoder".into()))?;
            let ctx = crate::av::CodecContext::new(codec)?;
            if let Some((s, e)) = seq.av1c {
                ctx.set_extradata(&b[s..e])?;
            }
            ctx.raw().thread_count = 1;
            ctx.raw().max_pixels = super::MAX_PIXELS as i64;
            let mut options = Vec::new();
            if crate::av::codec_name(codec) == "libdav1d" {
                let option = if crate::av::has_private_option(codec, "max_frame_delay") {
                    "max_frame_delay"
                } else {
                    "framethreads"
                };
                options.push((option, "1".to_string()));
            }
            ctx.open(codec, &options)?;
            self.player = Some(Player {
                ctx,
                fed: 0,
                next: 0,
                last: None,
                drained: false,
            });
        }
        let player = self.player.as_mut().unwrap();
        while player.last.as_ref().is_none_or(|l| l.0 != i) {
            let mut frame = crate::video::frame::Frame::empty();
            if player.ctx.receive_frame(frame.as_mut_ptr())? {
                player.last = Some((player.next, frame));
                player.next += 1;
                continue;
            }
            if player.drained {
                return Err(Error::Encoding(format!(
                    "The AVIF sequence has no frame {i}"
                )));
            }
            match seq.samples.get(player.fed) {
                Some(&(offset, size, _)) => {
                    let end = offset + size as u64;
                    if end > b.len() as u64 {
                        return Err(Error::Encoding("The AVIF sequence is truncated".into()));
                    }
                    let packet = crate::av::Packet::copy_of(&b[offset as usize..end as usize])?;
                    player.ctx.send_packet(Some(&packet))?;
                    player.fed += 1;
                }
                None => {
                    player.ctx.send_packet(None)?;
                    player.drained = true;
                }
            }
        }
        let frame = player.last.as_ref().unwrap().1.new_ref();
        let color = avif_defaults(ColorSpace::of_frame(unsafe { &*frame.as_ptr() }));
        super::still::to_bgr(
            &frame,
            false,
            crate::video::convert::Colorimetry::to_rgb(&color),
        )
    }
}
/// Decodes one av01 item with its own av1C.
fn decode_item(b: &[u8], meta: &Meta, item: &Item) -> Result<Frame> {
    if &item.kind != b"av01" {
        return Err(Error::Encoding(format!("AVIF items of type {} are not decodable", String::from_utf8_lossy(&item.kind))));
    }
    let data = meta.item_data(b, item)?.ok_or_else(|| Error::Encoding("The AVIF's image data is truncated".into()))?;
    let av1c = meta.property(item, b"av1C").map(|(s, e)| &b[s..e]);
    let name = ["libdav1d", "libaom-av1"]
        .into_iter()
        .find(|n| unsafe { !ffmpeg_next::ffi::avcodec_find_decoder_by_name(crate::av::cstring(n).as_ptr()).is_null() })
        .ok_or_else(|| Error::NotSupported("This build has no AV1 decoder".into()))?;
    super::still::decode_one(name, &data, av1c)
}

/// A grid item: its cells (dimg references, row by row) placed side by side
/// and cut to the grid's output size, in the cells' own pixel format.
fn decode_grid(b: &[u8], meta: &Meta, grid: &Item) -> Result<Frame> {
    use ffmpeg_next::ffi;
    let data = meta.item_data(b, grid)?.ok_or_else(|| Error::Encoding("The AVIF's grid is truncated".into()))?;
    let mut r = Reader::new(&data, (0, data.len()));
    r.skip(1)?;
    let large = r.uint(1)? & 1 == 1;
    let (rows, columns) = (r.uint(1)? as usize + 1, r.uint(1)? as usize + 1);
    let field = if large { 4 } else { 2 };
    let (width, height) = (r.uint(field)? as u32, r.uint(field)? as u32);
    super::check_size(width, height)?;
    let cells = meta.referenced(b"dimg", grid.id);
    if cells.len() != rows * columns {
        return Err(Error::Encoding(format!("The AVIF grid has {} cells for {rows}x{columns}", cells.len())));
    }
    let mut out: Option<Frame> = None;
    let (mut cell_w, mut cell_h) = (0u32, 0u32);
    for (n, &id) in cells.iter().enumerate() {
        let cell = decode_item(b, meta, meta.item(id)?)?;
        let c = unsafe { &*cell.as_ptr() };
        if out.is_none() {
            (cell_w, cell_h) = (c.width as u32, c.height as u32);
            if cell_w as usize * columns < width as usize || cell_h as usize * rows < height as usize {
                return Err(Error::Encoding("The AVIF grid's cells do not cover it".into()));
            }
            let mut frame = Frame::empty();
            unsafe {
                let f = &mut *frame.as_mut_ptr();
                f.format = c.format;
                f.width = width as i32;
                f.height = height as i32;
                let ret = ffi::av_frame_get_buffer(f, 0);
                if ret < 0 {
                    return Err(Error::ffmpeg("av_frame_get_buffer", ret));
                }
                ffi::av_frame_copy_props(f, c);
            }
            out = Some(frame);
        }
        let frame = out.as_mut().expect("made above");
        let f = unsafe { &mut *frame.as_mut_ptr() };
        if c.format != f.format || c.width as u32 != cell_w || c.height as u32 != cell_h {
            return Err(Error::Encoding("The AVIF grid's cells differ in size or format".into()));
        }
        let desc = unsafe { &*ffi::av_pix_fmt_desc_get(crate::video::pixel::av_format_any(c.format)) };
        let (x0, y0) = ((n % columns) as u32 * cell_w, (n / columns) as u32 * cell_h);
        let w = cell_w.min(width - x0.min(width));
        let h = cell_h.min(height - y0.min(height));
        for plane in 0..desc.nb_components as usize {
            if c.data[plane].is_null() {
                continue;
            }
            let (sx, sy) = if plane == 1 || plane == 2 { (desc.log2_chroma_w as u32, desc.log2_chroma_h as u32) } else { (0, 0) };
            let bytes = desc.comp[plane].step as usize;
            let (px, py) = ((x0 >> sx) as usize, (y0 >> sy) as usize);
            let cols = (((x0 + w + (1 << sx) - 1) >> sx) as usize).saturating_sub(px) * bytes;
            let lines = (((y0 + h + (1 << sy) - 1) >> sy) as usize).saturating_sub(py);
            for row in 0..lines {
                unsafe {
                    let from = c.data[plane].offset(row as isize * c.linesize[plane] as isize);
                    let to = f.data[plane].offset((py + row) as isize * f.linesize[plane] as isize).add(px * bytes);
                    std::ptr::copy_nonoverlapping(from, to, cols);
                }
            }
        }
    }
    out.ok_or_else(|| Error::Encoding("The AVIF grid is empty".into()))
}

/// Writes an alpha item's samples (the luma plane, any bit depth) into a BGRA frame's alpha bytes.
fn apply_alpha(bgra: &mut Frame, alpha: &Frame) -> Result<()> {
    let (w, h) = (bgra.width(), bgra.height());
    if alpha.width() != w || alpha.height() != h {
        return Err(Error::Encoding("The AVIF's alpha item differs in size from its image".into()));
    }
    let a = unsafe { &*alpha.as_ptr() };
    let desc = unsafe { &*ffmpeg_next::ffi::av_pix_fmt_desc_get(crate::video::pixel::av_format_any(a.format)) };
    let depth = desc.comp[0].depth as u32;
    let f = unsafe { &mut *bgra.as_mut_ptr() };
    for y in 0..h as usize {
        unsafe {
            let line = std::slice::from_raw_parts_mut(f.data[0].add(y * f.linesize[0] as usize), w as usize * 4);
            let src = a.data[0].add(y * a.linesize[0] as usize);
            for (x, px) in line.chunks_exact_mut(4).enumerate() {
                px[3] = if depth > 8 { (u16::from_le_bytes([*src.add(2 * x), *src.add(2 * x + 1)]) >> (depth - 8)) as u8 } else { *src.add(x) };
            }
        }
    }
    Ok(())
}

/// What AVIF readers (libavif, Chrome) assume for unspecified CICP values:
/// sRGB primaries and transfer, a BT.601 matrix.
fn avif_defaults(mut color: ColorSpace) -> ColorSpace {
    color.primaries = color.primaries.or(Some("bt709"));
    color.transfer = color.transfer.or(Some("iec61966-2-1"));
    color.matrix = color.matrix.or(Some("smpte170m"));
    color
}

/// CICP code points to WebCodecs names.
fn cicp(primaries: u16, transfer: u16, matrix: u16, full: bool) -> ColorSpace {
    ColorSpace {
        primaries: match primaries {
            1 => Some("bt709"),
            5 => Some("bt470bg"),
            6 => Some("smpte170m"),
            9 => Some("bt2020"),
            12 => Some("smpte432"),
            _ => None,
        },
        transfer: match transfer {
            1 | 14 | 15 => Some("bt709"),
            6 => Some("smpte170m"),
            8 => Some("linear"),
            13 => Some("iec61966-2-1"),
            16 => Some("pq"),
            18 => Some("hlg"),
            _ => None,
        },
        matrix: match matrix {
            0 => Some("rgb"),
            1 => Some("bt709"),
            5 => Some("bt470bg"),
            6 => Some("smpte170m"),
            9 => Some("bt2020-ncl"),
            _ => None,
        },
        full_range: Some(full),
    }
}

impl Container for Avif {
    fn update(&mut self, b: &[u8], complete: bool) -> Result<Progress> {
        self.received = b.len();
        while !self.header_done {
            // A box header may be all there is so far of the media data.
            if b.len() >= self.pos + 8 && &b[self.pos + 4..self.pos + 8] == b"mdat" {
                self.header_done = true;
                break;
            }
            let found = boxes(b, (self.pos, b.len()));
            let Some(&(kind, body)) = found.first() else {
                break;
            };
            if self.pos == 0 && &kind != b"ftyp" {
                return Err(Error::Encoding("Not an AVIF image".into()));
            }
            match &kind {
                b"meta" => self.meta = Some(parse_meta(b, body)?),
                b"moov" => self.sequence = parse_movie(b, body)?,
                _ => {}
            }
            self.pos = body.1;
        }
        if complete {
            self.header_done = true;
        }
        if !self.header_done {
            return Ok(Progress::NeedData);
        }
        if self.meta.is_none() && self.sequence.is_none() {
            return Err(Error::Encoding(
                "The AVIF has neither an image item nor an image sequence".into(),
            ));
        }
        if let Some(meta) = self.meta.as_mut() {
            let primary = meta.primary()?.clone();
            if &primary.kind != b"av01" && &primary.kind != b"grid" {
                return Err(Error::NotSupported(format!(
                    "AVIF primary items of type {} are not supported",
                    String::from_utf8_lossy(&primary.kind)
                )));
            }
            if let Some((s, _)) = meta.property(&primary, b"ispe") {
                meta.size = (
                    u32::from_be_bytes(b[s + 4..s + 8].try_into().unwrap()),
                    u32::from_be_bytes(b[s + 8..s + 12].try_into().unwrap()),
                );
            }
        }
        if self.meta.is_none() {
            self.animation_selected = true;
        }
        Ok(Progress::Header)
    }

    fn size(&self) -> (u32, u32) {
        self.meta.as_ref().map_or((0, 0), |m| m.size)
    }

    fn tracks(&self) -> Vec<(Animation, usize)> {
        let mut tracks = Vec::new();
        if self.meta.is_some() {
            tracks.push((
                Animation {
                    animated: false,
                    repetition_count: 0.0,
                },
                1,
            ));
        }
        if let Some(seq) = &self.sequence {
            tracks.push((
                Animation {
                    animated: true,
                    repetition_count: seq.repetition_count,
                },
                seq.samples.len(),
            ));
        }
        tracks
    }

    /// Chrome picks the image sequence unless `preferAnimation` is false.
    fn default_track(&self, prefer_animation: Option<bool>) -> usize {
        (self.meta.is_some() && self.sequence.is_some() && prefer_animation != Some(false)) as usize
    }

    fn select(&mut self, track: usize) {
        self.animation_selected = self.sequence.is_some() && (self.meta.is_none() || track == 1);
        self.player = None;
    }

    fn animation(&self) -> Animation {
        match &self.sequence {
            Some(seq) if self.animation_selected => Animation {
                animated: true,
                repetition_count: seq.repetition_count,
            },
            _ => Animation {
                animated: false,
                repetition_count: 0.0,
            },
        }
    }

    fn frame_count(&self) -> usize {
        match &self.sequence {
            Some(seq) if self.animation_selected => seq.samples.len(),
            _ => self.meta.is_some() as usize,
        }
    }

    fn ready(&self, i: usize, complete: bool) -> bool {
        match &self.sequence {
            Some(seq) if self.animation_selected => {
                seq.samples.get(i).is_some_and(|&(offset, size, _)| {
                    complete || offset + size as u64 <= self.pos_limit()
                })
            }
            _ => i == 0 && self.meta.is_some() && complete,
        }
    }

    fn timing(&self, i: usize) -> (i64, Option<i64>) {
        match &self.sequence {
            Some(seq) if self.animation_selected => {
                let us = |d: u64| (d as i128 * 1_000_000 / seq.timescale as i128) as i64;
                let start: u64 = seq.samples[..i].iter().map(|s| s.2 as u64).sum();
                (us(start), Some(us(seq.samples[i].2 as u64)))
            }
            _ => (0, None),
        }
    }

    fn reset_cache(&mut self) {
        self.player = None;
    }

    fn decode(&mut self, b: &[u8], i: usize) -> Result<Picture> {
        if self.animation_selected {
            return self.decode_sequence(b, i);
        }
        let meta = self
            .meta
            .as_ref()
            .ok_or_else(|| Error::Encoding("No AVIF header".into()))?;
        let primary = meta.primary()?;
        let frame = if &primary.kind == b"grid" { decode_grid(b, meta, primary)? } else { decode_item(b, meta, primary)? };
        // The colr box (nclx) wins over the bitstream's colour description.
        let mut color = ColorSpace::of_frame(unsafe { &*frame.as_ptr() });
        if let Some((s, e)) = meta.property(primary, b"colr") {
            if e - s >= 11 && &b[s..s + 4] == b"nclx" {
                let u = |at: usize| u16::from_be_bytes([b[s + at], b[s + at + 1]]);
                color = cicp(u(4), u(6), u(8), b[s + 10] & 0x80 != 0);
            }
        }
        let mut color = avif_defaults(color);
        let raw = unsafe { (*frame.as_ptr()).format };
        let identity = raw == ffmpeg_next::ffi::AVPixelFormat::AV_PIX_FMT_GBRP as i32
            || raw == ffmpeg_next::ffi::AVPixelFormat::AV_PIX_FMT_GBRP10LE as i32
            || raw == ffmpeg_next::ffi::AVPixelFormat::AV_PIX_FMT_GBRP12LE as i32;
        let mut frame = frame;
        let format = if identity {
            // Identity-matrix (GBR) samples are 4:4:4 planes in Y, U, V order: the
            // same memory as I444 with the "rgb" matrix.
            use ffmpeg_next::ffi::AVPixelFormat::*;
            let (av, f) = if raw == AV_PIX_FMT_GBRP as i32 {
                (AV_PIX_FMT_YUV444P, PixelFormat::I444)
            } else if raw == AV_PIX_FMT_GBRP10LE as i32 {
                (AV_PIX_FMT_YUV444P10LE, PixelFormat::I444P10)
            } else {
                (AV_PIX_FMT_YUV444P12LE, PixelFormat::I444P12)
            };
            unsafe { (*frame.as_mut_ptr()).format = av as i32 };
            color.matrix = Some("rgb");
            f
        } else {
            match frame.format() {
                Some(f) => f,
                None => {
                    // Monochrome and other layouts WebCodecs cannot name: I420.
                    let (w, h) = (frame.width(), frame.height());
                    frame = crate::video::convert::Scaler::default().convert(
                        &frame,
                        PixelFormat::I420.to_av(),
                        w,
                        h,
                    )?;
                    PixelFormat::I420
                }
            }
        };
        let info = super::frame_info(&frame, format, color);
        // irot turns anticlockwise, then imir mirrors: mode 0 top to bottom (a
        // half turn and a horizontal flip), mode 1 left to right. A VideoFrame
        // turns clockwise, then flips horizontally (as Chrome maps them).
        let mut rotation = meta.property(primary, b"irot").map_or(0, |(s, _)| (4 - (b[s] & 3) as u32) % 4 * 90);
        let mut flip = false;
        if let Some((s, _)) = meta.property(primary, b"imir") {
            flip = true;
            if b[s] & 1 == 0 {
                rotation = (rotation + 180) % 360;
            }
        }
        // An alpha item makes the picture BGRA, as Chrome decodes it.
        if let Some(alpha) = meta.alpha_item(b) {
            let alpha = decode_item(b, meta, alpha)?;
            let mut picture = super::still::to_bgr(&frame, true, crate::video::convert::Colorimetry::to_rgb(&info.color))?;
            apply_alpha(&mut picture.frame, &alpha)?;
            picture.rotation = rotation;
            picture.flip = flip;
            return Ok(picture);
        }
        Ok(Picture { frame, info, rotation, flip })
    }
}
