//! Single images through FFmpeg's decoders, and BMP.

use ffmpeg_next::ffi;

use super::{rgb_info, Container, Picture, Progress};
use crate::av::{CodecContext, Packet};
use crate::error::{Error, Result};
use crate::video::convert::Colorimetry;
use crate::video::frame::Frame;
use crate::video::pixel::PixelFormat;

/// Decodes one image with the FFmpeg decoder `name`.
pub(super) fn decode_one(name: &str, data: &[u8], extradata: Option<&[u8]>) -> Result<Frame> {
    decode_with(name, data, extradata, true)
}

/// Decodes what it can of an image still arriving: damage is expected.
pub(super) fn decode_partial(name: &str, data: &[u8]) -> Result<Frame> {
    decode_with(name, data, None, false)
}

fn decode_with(name: &str, data: &[u8], extradata: Option<&[u8]>, strict: bool) -> Result<Frame> {
    let cname = crate::av::cstring(name);
    let codec = unsafe { ffi::avcodec_find_decoder_by_name(cname.as_ptr()) };
    if codec.is_null() {
        return Err(Error::NotSupported(format!(
            "This build has no {name} decoder"
        )));
    }
    let ctx = CodecContext::new(codec)?;
    if let Some(extra) = extradata {
        ctx.set_extradata(extra)?;
    }
    {
        let c = ctx.raw();
        c.thread_count = 1;
        c.apply_cropping = 1;
        c.max_pixels = super::MAX_PIXELS as i64;
    }
    ctx.use_pooled_buffers();
    ctx.open(codec, &[])?;
    let packet = Packet::copy_of(data)?;
    unsafe { (*packet.as_ptr()).flags |= ffi::AV_PKT_FLAG_KEY as i32 };
    let failed = |e: Error| Error::Encoding(format!("The {name} decoder failed: {e}"));
    ctx.send_packet(Some(&packet)).map_err(failed)?;
    ctx.send_packet(None).map_err(failed)?;
    let mut frame = Frame::empty();
    if !ctx.receive_frame(frame.as_mut_ptr()).map_err(failed)? {
        return Err(Error::Encoding(format!(
            "The {name} decoder produced no image"
        )));
    }
    if strict && unsafe { (*frame.as_ptr()).decode_error_flags } != 0 {
        return Err(Error::Encoding(format!("The {name} image is corrupt")));
    }
    Ok(frame)
}

/// Converts any decoded frame to packed BGRA or BGRX (`alpha`), reading YUV
/// with `colorimetry`.
pub(super) fn to_bgr(frame: &Frame, alpha: bool, colorimetry: Colorimetry) -> Result<Picture> {
    let format = if alpha {
        PixelFormat::BGRA
    } else {
        PixelFormat::BGRX
    };
    let (w, h) = (frame.width(), frame.height());
    // Packed RGB (PNG, BMP, WebP lossless) is reordered; the rest converted by libswscale.
    let mut out = Frame::alloc(format, w, h)?;
    let swizzled = {
        let f = unsafe { &mut *out.as_mut_ptr() };
        let stride = f.linesize[0] as usize;
        let memory = unsafe { std::slice::from_raw_parts_mut(f.data[0], stride * h as usize) };
        let rect = crate::video::frame::Rect { x: 0, y: 0, width: w, height: h };
        // BGRX's padding byte reads as opaque.
        crate::video::yuv_rgb::swizzle(frame, rect, true, !alpha, memory, stride)
    };
    if !swizzled {
        out = crate::video::convert::convert_once(frame, format.to_av(), w, h, colorimetry, None)?;
        if !alpha {
            let f = unsafe { &mut *out.as_mut_ptr() };
            for row in 0..h as usize {
                let line = unsafe { std::slice::from_raw_parts_mut(f.data[0].add(row * f.linesize[0] as usize), w as usize * 4) };
                line.chunks_exact_mut(4).for_each(|p| p[3] = 255);
            }
        }
    }
    Ok(Picture {
        info: rgb_info(&out, format),
        frame: out,
        rotation: 0,
        flip: false,
    })
}

/// A decoded animation frame as tightly packed BGRA rows of `region` (a frame
/// smaller than its region leaves the rest transparent), ready for a Canvas.
pub(super) fn region_pixels(frame: &Frame, region: super::canvas::Region, colorimetry: Colorimetry) -> Result<Vec<u8>> {
    let picture = to_bgr(frame, true, colorimetry)?;
    let stride = region.width as usize * 4;
    let mut px = vec![0u8; stride * region.height as usize];
    let rect = crate::video::frame::Rect { x: 0, y: 0, width: frame.width().min(region.width), height: frame.height().min(region.height) };
    picture.frame.copy_to(&mut px, rect, &[crate::video::frame::PlaneLayout { offset: 0, stride }])?;
    Ok(px)
}

/// BMP: the whole file is one image. Chrome shows every BMP as opaque (BGRX).
#[derive(Default)]
pub struct Bmp {
    size: Option<(u32, u32)>,
}

impl Container for Bmp {
    fn update(&mut self, b: &[u8], _complete: bool) -> Result<Progress> {
        if self.size.is_some() {
            return Ok(Progress::Header);
        }
        if b.len() < 26 {
            return Ok(Progress::NeedData);
        }
        if &b[..2] != b"BM" {
            return Err(Error::Encoding("Not a BMP image".into()));
        }
        let header = u32::from_le_bytes([b[14], b[15], b[16], b[17]]);
        let (w, h) = if header == 12 {
            (
                u16::from_le_bytes([b[18], b[19]]) as u32,
                u16::from_le_bytes([b[20], b[21]]) as u32,
            )
        } else {
            (
                i32::from_le_bytes([b[18], b[19], b[20], b[21]]).unsigned_abs(),
                i32::from_le_bytes([b[22], b[23], b[24], b[25]]).unsigned_abs(),
            )
        };
        if w == 0 || h == 0 {
            return Err(Error::Encoding("The BMP has no size".into()));
        }
        self.size = Some((w, h));
        Ok(Progress::Header)
    }

    fn size(&self) -> (u32, u32) {
        self.size.unwrap_or((0, 0))
    }

    fn frame_count(&self) -> usize {
        self.size.is_some() as usize
    }

    fn decode(&mut self, data: &[u8], _i: usize) -> Result<Picture> {
        let frame = decode_one("bmp", data, None)?;
        to_bgr(&frame, false, Colorimetry::RGB_TO_FULL_BT709)
    }
}
