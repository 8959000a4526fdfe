//! JPEG: the marker walk (frame header, EXIF orientation), decoded by
//! FFmpeg's mjpeg decoder. As in Chrome, 4:2:0 YCbCr images come out as
//! I420 (full range, BT.601 matrix, sRGB primaries and transfer) and every
//! other layout as BGRX.

use super::still::{decode_one, to_bgr};
use super::{Container, Picture, Progress};
use crate::error::{Error, Result};
use crate::video::color::ColorSpace;
use crate::video::convert::Colorimetry;
use crate::video::pixel::PixelFormat;

#[derive(Default)]
pub struct Jpeg {
    size: Option<(u32, u32)>,
    /// (component id, horizontal, vertical sampling) of each component.
    components: Vec<(u8, u8, u8)>,
    /// Adobe APP14's colour transform, when present.
    adobe: Option<u8>,
    orientation: u8,
    /// Where the marker walk goes on from.
    pos: usize,
    /// The end-of-image marker has been seen.
    ended: bool,
}

/// The EXIF orientation (1..8) in an APP1 payload, if there is one.
pub(super) fn exif_orientation(app1: &[u8]) -> Option<u8> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    let big = match tiff.get(..4)? {
        b"MM\0\x2a" => true,
        b"II\x2a\0" => false,
        _ => return None,
    };
    let u16_at = |at: usize| {
        tiff.get(at..at + 2).map(|b| {
            if big {
                u16::from_be_bytes([b[0], b[1]])
            } else {
                u16::from_le_bytes([b[0], b[1]])
            }
        })
    };
    let u32_at = |at: usize| {
        tiff.get(at..at + 4).map(|b| {
            if big {
                u32::from_be_bytes([b[0], b[1], b[2], b[3]])
            } else {
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            }
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    (0..count)
        .find_map(|n| {
            let entry = ifd + 2 + n * 12;
            (u16_at(entry)? == 0x0112)
                .then(|| u16_at(entry + 8))
                .flatten()
        })
        .filter(|o| (1..=8).contains(o))
        .map(|o| o as u8)
}

/// EXIF orientation as VideoFrame rotation (clockwise) and flip, as Chrome maps it.
pub(super) fn orientation_transform(orientation: u8) -> (u32, bool) {
    match orientation {
        2 => (0, true),
        3 => (180, false),
        4 => (180, true),
        5 => (90, true),
        6 => (90, false),
        7 => (270, true),
        8 => (270, false),
        _ => (0, false),
    }
}

impl Jpeg {
    fn walk(&mut self, b: &[u8]) -> Result<()> {
        if self.pos == 0 {
            if b.len() < 3 {
                return Ok(());
            }
            if b[..3] != [0xff, 0xd8, 0xff] {
                return Err(Error::Encoding("Not a JPEG image".into()));
            }
            self.pos = 2;
        }
        while !self.ended {
            let at = self.pos;
            if self.size.is_some() && self.scan_for_end(b) {
                return Ok(());
            }
            if self.size.is_some() {
                return Ok(());
            }
            let (Some(&ff), Some(&marker)) = (b.get(at), b.get(at + 1)) else {
                return Ok(());
            };
            if ff != 0xff {
                return Err(Error::Encoding("Corrupt JPEG marker".into()));
            }
            if marker == 0xff {
                self.pos += 1;
                continue;
            }
            if marker == 0xd9 {
                return Err(Error::Encoding(
                    "The JPEG ends before its frame header".into(),
                ));
            }
            if (0xd0..=0xd7).contains(&marker) || marker == 0x01 {
                self.pos += 2;
                continue;
            }
            let Some(len) = b
                .get(at + 2..at + 4)
                .map(|l| u16::from_be_bytes([l[0], l[1]]) as usize)
            else {
                return Ok(());
            };
            if len < 2 {
                return Err(Error::Encoding("Corrupt JPEG segment".into()));
            }
            let Some(body) = b.get(at + 4..at + 2 + len) else {
                return Ok(());
            };
            match marker {
                0xe1 => {
                    if let Some(o) = exif_orientation(body) {
                        self.orientation = o;
                    }
                }
                0xee if body.len() >= 12 && body.starts_with(b"Adobe") => {
                    self.adobe = Some(body[11])
                }
                0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                    if body.len() < 6 {
                        return Err(Error::Encoding("Corrupt JPEG frame header".into()));
                    }
                    let (h, w, n) = (
                        u16::from_be_bytes([body[1], body[2]]) as u32,
                        u16::from_be_bytes([body[3], body[4]]) as u32,
                        body[5] as usize,
                    );
                    if w == 0 || h == 0 || n == 0 || body.len() < 6 + 3 * n {
                        return Err(Error::Encoding("Corrupt JPEG frame header".into()));
                    }
                    self.components = (0..n)
                        .map(|c| (body[6 + 3 * c], body[7 + 3 * c] >> 4, body[7 + 3 * c] & 15))
                        .collect();
                    self.size = Some((w, h));
                }
                _ => {}
            }
            self.pos = at + 2 + len;
        }
        Ok(())
    }

    /// Looks for the end-of-image marker from where the last look stopped.
    fn scan_for_end(&mut self, b: &[u8]) -> bool {
        let from = self.pos.min(b.len());
        if let Some(i) = b[from..].windows(2).position(|w| w == [0xff, 0xd9]) {
            self.ended = true;
            self.pos = from + i + 2;
        } else {
            self.pos = b.len().saturating_sub(1).max(from);
        }
        self.ended
    }

    /// Chrome decodes 4:2:0 YCbCr JPEGs to I420 and the rest to RGB.
    fn is_420(&self) -> bool {
        let ycc = self.components.len() == 3
            && self.adobe != Some(0)
            && self.components.iter().map(|c| c.0).collect::<Vec<_>>() != [b'R', b'G', b'B'];
        ycc && self.components[0].1 == 2
            && self.components[0].2 == 2
            && self.components[1..].iter().all(|c| c.1 == 1 && c.2 == 1)
    }
}

impl Container for Jpeg {
    fn update(&mut self, b: &[u8], complete: bool) -> Result<Progress> {
        self.walk(b)?;
        if self.size.is_none() {
            if complete {
                return Err(Error::Encoding(
                    "The JPEG ends before its frame header".into(),
                ));
            }
            return Ok(Progress::NeedData);
        }
        Ok(Progress::Header)
    }

    fn size(&self) -> (u32, u32) {
        self.size.unwrap_or((0, 0))
    }

    fn frame_count(&self) -> usize {
        self.size.is_some() as usize
    }

    fn ready(&self, i: usize, complete: bool) -> bool {
        i == 0 && self.size.is_some() && (complete || self.ended)
    }

    /// A JPEG still arriving, as far as its scans go: the data so far with an
    /// end-of-image marker, BGRA as Chrome gives a partial image.
    fn decode_partial(&mut self, data: &[u8], _i: usize) -> Option<Picture> {
        let scan = data.windows(2).position(|w| w == [0xff, 0xda])?;
        if data.len() < scan + 64 {
            return None;
        }
        let mut bytes = data.to_vec();
        bytes.extend_from_slice(&[0xff, 0xd9]);
        let frame = super::still::decode_partial("mjpeg", &bytes).ok()?;
        let color = ColorSpace { primaries: Some("bt709"), transfer: Some("iec61966-2-1"), matrix: Some("smpte170m"), full_range: Some(true) };
        let mut picture = to_bgr(&frame, true, Colorimetry::to_rgb(&color)).ok()?;
        (picture.rotation, picture.flip) = orientation_transform(self.orientation);
        Some(picture)
    }

    fn decode(&mut self, data: &[u8], _i: usize) -> Result<Picture> {
        // libjpeg-turbo first; FFmpeg for what it refuses (CMYK to RGB, say).
        let frame = match super::turbo::decode(data) {
            Ok(frame) => frame,
            Err(_) => decode_one("mjpeg", data, None)?,
        };
        let (rotation, flip) = orientation_transform(self.orientation);
        let color = ColorSpace {
            primaries: Some("bt709"),
            transfer: Some("iec61966-2-1"),
            matrix: Some("smpte170m"),
            full_range: Some(true),
        };
        let mut picture = if self.is_420() && frame.format() == Some(PixelFormat::I420) {
            let info = super::frame_info(&frame, PixelFormat::I420, color);
            Picture {
                frame,
                info,
                rotation: 0,
                flip: false,
            }
        } else if frame.format() == Some(PixelFormat::BGRX) {
            Picture { info: super::rgb_info(&frame, PixelFormat::BGRX), frame, rotation: 0, flip: false }
        } else {
            to_bgr(&frame, false, Colorimetry::to_rgb(&color))?
        };
        picture.rotation = rotation;
        picture.flip = flip;
        Ok(picture)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exif_orientation_in_both_byte_orders() {
        let mut be = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        be.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        assert_eq!(exif_orientation(&be), Some(6));
        let mut le = b"Exif\0\0II\x2a\0\x08\0\0\0\x01\0".to_vec();
        le.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0]);
        assert_eq!(exif_orientation(&le), Some(8));
        assert_eq!(exif_orientation(b"Exif\0\0MM"), None);
        assert_eq!(orientation_transform(5), (90, true));
    }
}
