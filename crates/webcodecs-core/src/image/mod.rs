//! ImageDecoder's codec-thread half. Bytes arrive in pieces (a buffer at
//! once, or a stream); each format's [`Container`] walks what has arrived,
//! reporting the header, the frames whose bytes are complete, and their
//! timing; frames decode with FFmpeg's image decoders (JPEG, PNG, BMP,
//! WebP, and dav1d for AVIF), and animations are composited here as
//! browsers show them.

mod avif;
mod canvas;
mod gif;
mod jpeg;
mod png;
mod still;
mod turbo;
mod webp;

use std::collections::VecDeque;

use crate::error::{Error, Result};
use crate::video::color::ColorSpace;
use crate::video::frame::{Frame, FrameInfo, PlaneLayout};
use crate::video::pixel::PixelFormat;
use crate::worker::Processor;
use canvas::Canvas;

/// The image types Chrome's ImageDecoder.isTypeSupported answers true for
/// (JPEG XL aside, which this build has no decoder for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
    Bmp,
}

impl ImageKind {
    /// A MIME type's kind: the essence compared case-insensitively; a type with
    /// parameters is not supported (as in Chrome).
    pub fn from_mime(mime: &str) -> Option<ImageKind> {
        Some(match mime.to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => ImageKind::Jpeg,
            "image/png" | "image/apng" => ImageKind::Png,
            "image/gif" => ImageKind::Gif,
            "image/webp" => ImageKind::Webp,
            "image/avif" => ImageKind::Avif,
            "image/bmp" => ImageKind::Bmp,
            _ => return None,
        })
    }

    fn container(self) -> Box<dyn Container> {
        match self {
            ImageKind::Jpeg => Box::<jpeg::Jpeg>::default(),
            ImageKind::Png => Box::<png::Png>::default(),
            ImageKind::Gif => Box::<gif::Gif>::default(),
            ImageKind::Webp => Box::<webp::Webp>::default(),
            ImageKind::Avif => Box::<avif::Avif>::default(),
            ImageKind::Bmp => Box::<still::Bmp>::default(),
        }
    }
}

/// What a container knows after a walk.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    NeedData,
    Header,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Animation {
    pub animated: bool,
    /// 0 for a still image or one that plays once; Infinity for a looping one.
    pub repetition_count: f64,
}

pub struct Composed {
    pub canvas: Canvas,
    pub has_alpha: bool,
}

/// One decoded image: pixels and how to show them.
pub struct Picture {
    pub frame: Frame,
    pub info: FrameInfo,
    /// Clockwise degrees and a horizontal flip (EXIF orientation, AVIF irot/imir).
    pub rotation: u32,
    pub flip: bool,
}

/// One image format's walk over the bytes received so far.
trait Container: Send {
    /// Walks the new bytes. An error is a corrupt image.
    fn update(&mut self, data: &[u8], complete: bool) -> Result<Progress>;
    fn size(&self) -> (u32, u32);
    /// Every track with its frame count (one, except AVIF with a still item and a sequence).
    fn tracks(&self) -> Vec<(Animation, usize)> {
        vec![(self.animation(), self.frame_count())]
    }
    /// The track selected when the header is parsed.
    fn default_track(&self, _prefer_animation: Option<bool>) -> usize {
        0
    }
    /// Makes the other methods answer for `track`.
    fn select(&mut self, _track: usize) {}
    fn animation(&self) -> Animation {
        Animation {
            animated: false,
            repetition_count: 0.0,
        }
    }
    /// Frames known so far.
    fn frame_count(&self) -> usize;
    /// Whether frame `i`'s bytes have all arrived.
    fn ready(&self, i: usize, complete: bool) -> bool {
        i < self.frame_count() && complete
    }
    /// Timestamp and duration of frame `i` (µs); still images have no duration.
    fn timing(&self, _i: usize) -> (i64, Option<i64>) {
        (0, None)
    }
    /// Decodes frame `i` of a still image; animations compose instead.
    fn decode(&mut self, data: &[u8], i: usize) -> Result<Picture> {
        let composed = self.compose(data, i)?;
        canvas_picture(composed)
    }
    fn compose(&mut self, _data: &[u8], _i: usize) -> Result<Composed> {
        Err(Error::Encoding("This image has no animation".into()))
    }
    /// What frame `i` shows so far while its bytes are still arriving
    /// (`completeFramesOnly: false`), or None until there is something to show.
    fn decode_partial(&mut self, _data: &[u8], _i: usize) -> Option<Picture> {
        None
    }
    fn reset_cache(&mut self) {}
}

/// An animation canvas as a frame: BGRA when anything shows through, else BGRX.
fn canvas_picture(composed: Composed) -> Result<Picture> {
    let Composed { canvas, has_alpha } = composed;
    let format = if has_alpha {
        PixelFormat::BGRA
    } else {
        PixelFormat::BGRX
    };
    let frame = Frame::from_bytes(
        format,
        canvas.width,
        canvas.height,
        &canvas.pixels,
        &[PlaneLayout {
            offset: 0,
            stride: canvas.width as usize * 4,
        }],
    )?;
    Ok(Picture {
        info: rgb_info(&frame, format),
        frame,
        rotation: 0,
        flip: false,
    })
}

/// The largest image decoded, in pixels (64 Mpx: 256 MB as BGRA): a
/// corrupt header must not make the decoder allocate gigabytes.
pub const MAX_PIXELS: u64 = 1 << 26;

/// Checks a canvas or frame size against [`MAX_PIXELS`] and VideoFrame's limit.
pub(crate) fn check_size(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 || width > 16384 || height > 16384 || width as u64 * height as u64 > MAX_PIXELS {
        return Err(Error::Encoding(format!("Image size {width}x{height} is outside what this decoder takes (at most 16384 a side, {MAX_PIXELS} pixels)")));
    }
    Ok(())
}

/// sRGB, the colour space Chrome reports for every RGB image frame.
pub fn srgb() -> ColorSpace {
    ColorSpace {
        primaries: Some("bt709"),
        transfer: Some("iec61966-2-1"),
        matrix: Some("rgb"),
        full_range: Some(true),
    }
}

fn rgb_info(frame: &Frame, format: PixelFormat) -> FrameInfo {
    frame_info(frame, format, srgb())
}

/// A whole decoded picture's properties: all of it visible.
fn frame_info(frame: &Frame, format: PixelFormat, color: ColorSpace) -> FrameInfo {
    let (width, height) = (frame.width(), frame.height());
    let visible = crate::video::frame::Rect { x: 0, y: 0, width, height };
    FrameInfo { format, coded_width: width, coded_height: height, visible, color }
}

#[derive(Debug, Clone)]
pub struct ImageConfig {
    pub kind: ImageKind,
    /// `preferAnimation`: None when not given.
    pub prefer_animation: Option<bool>,
    /// Frames with alpha carry premultiplied colour: `premultiplyAlpha`
    /// "premultiply", and "default" (Chrome's choice).
    pub premultiply: bool,
}

pub enum ImageInput {
    /// More bytes of the image.
    Append(Vec<u8>),
    /// The last byte has arrived.
    End,
    /// `decode({frameIndex, completeFramesOnly})` with the request's id.
    Decode {
        id: u32,
        index: usize,
        complete_frames_only: bool,
    },
    /// The selected track changed (None: no track selected).
    Select(Option<usize>),
    /// reset(): the pending decodes are abandoned (their promises rejected).
    Abandon,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackInfo {
    pub animated: bool,
    pub frame_count: usize,
    pub repetition_count: f64,
}

pub enum ImageOutput {
    /// The header is parsed: the tracks and the one selected.
    Tracks {
        tracks: Vec<TrackInfo>,
        selected: Option<usize>,
    },
    /// The selected track's frame count or repetition count changed.
    TrackUpdate { track: usize, info: TrackInfo },
    /// Every byte has arrived and been walked.
    Completed,
    Decoded {
        id: u32,
        /// False for a partial picture of a frame still arriving.
        complete: bool,
        picture: Picture,
        timestamp: i64,
        duration: Option<i64>,
    },
    /// A request that cannot be met: RangeError past the end of a complete image.
    Failed { id: u32, error: Error },
}

pub struct ImageDecoder {
    config: Option<ImageConfig>,
    container: Option<Box<dyn Container>>,
    data: Vec<u8>,
    complete: bool,
    header: bool,
    selected: Option<usize>,
    reported: Option<TrackInfo>,
    /// Decode requests waiting for their frame: (id, frame, completeFramesOnly).
    pending: VecDeque<(u32, usize, bool)>,
}

impl Default for ImageDecoder {
    fn default() -> Self {
        ImageDecoder {
            config: None,
            container: None,
            data: Vec::new(),
            complete: false,
            header: false,
            selected: Some(0),
            reported: None,
            pending: VecDeque::new(),
        }
    }
}

impl ImageDecoder {
    fn track_info(&self) -> Option<TrackInfo> {
        let c = self.container.as_ref()?;
        let a = c.animation();
        Some(TrackInfo {
            animated: a.animated,
            frame_count: c.frame_count(),
            repetition_count: a.repetition_count,
        })
    }

    /// Walks the bytes, reports what changed, and answers the decodes that can be.
    fn advance(&mut self, emit: &mut dyn FnMut(ImageOutput)) -> Result<()> {
        let Some(container) = self.container.as_mut() else {
            return Ok(());
        };
        // Whatever the walk objects to (including structures this decoder
        // does not take) is bad data to the spec: an EncodingError.
        let progress = container.update(&self.data, self.complete).map_err(|e| match e {
            Error::Encoding(_) => e,
            other => Error::Encoding(other.to_string()),
        })?;
        if progress == Progress::NeedData {
            if self.complete {
                return Err(Error::Encoding("The image ends before its header".into()));
            }
            return Ok(());
        }
        if !self.header {
            self.header = true;
            let default =
                container.default_track(self.config.as_ref().and_then(|c| c.prefer_animation));
            if self.selected.is_some() {
                self.selected = Some(default);
            }
            container.select(default);
            let tracks = container
                .tracks()
                .into_iter()
                .map(|(a, n)| TrackInfo {
                    animated: a.animated,
                    frame_count: n,
                    repetition_count: a.repetition_count,
                })
                .collect();
            self.reported = self.track_info();
            emit(ImageOutput::Tracks {
                tracks,
                selected: self.selected,
            });
        } else if let Some(track) = self.selected {
            let info = self.track_info().expect("container present");
            if self.reported != Some(info) {
                self.reported = Some(info);
                emit(ImageOutput::TrackUpdate { track, info });
            }
        }
        if self.complete {
            emit(ImageOutput::Completed);
        }
        self.answer(emit)
    }

    fn answer(&mut self, emit: &mut dyn FnMut(ImageOutput)) -> Result<()> {
        if !self.header || self.selected.is_none() {
            return Ok(());
        }
        // Each request is answered as soon as it can be, whatever waits before it.
        let mut waiting = VecDeque::new();
        while let Some((id, index, complete_only)) = self.pending.pop_front() {
            let container = self.container.as_mut().expect("header implies a container");
            if !container.ready(index, self.complete) {
                if self.complete && index >= container.frame_count() {
                    let n = container.frame_count();
                    let error = Error::Range(format!("The frame index provided ({index}) is outside the range [0, {n})"));
                    emit(ImageOutput::Failed { id, error });
                    continue;
                }
                if !complete_only && !self.complete {
                    if let Some(picture) = container.decode_partial(&self.data, index) {
                        let (timestamp, duration) = container.timing(index);
                        let picture = self.finish(picture)?;
                        emit(ImageOutput::Decoded { id, complete: false, picture, timestamp, duration });
                        continue;
                    }
                }
                waiting.push_back((id, index, complete_only));
                continue;
            }
            let (timestamp, duration) = container.timing(index);
            let picture = container.decode(&self.data, index).map_err(|e| match e {
                Error::Encoding(_) => e,
                other => Error::Encoding(format!("Failed to decode frame at index {index}: {other}")),
            })?;
            let picture = self.finish(picture)?;
            emit(ImageOutput::Decoded { id, complete: true, picture, timestamp, duration });
        }
        self.pending = waiting;
        Ok(())
    }
}

impl ImageDecoder {
    /// Premultiplies a picture with alpha unless `premultiplyAlpha` is "none".
    fn finish(&self, mut picture: Picture) -> Result<Picture> {
        if self.config.as_ref().is_some_and(|c| c.premultiply) && picture.info.format == PixelFormat::BGRA {
            picture.frame = premultiplied(&picture.frame)?;
        }
        Ok(picture)
    }
}

fn premultiplied(frame: &Frame) -> Result<Frame> {
    let (w, h) = (frame.width(), frame.height());
    let stride = w as usize * 4;
    let mut px = vec![0u8; stride * h as usize];
    frame.copy_to(
        &mut px,
        crate::video::frame::Rect {
            x: 0,
            y: 0,
            width: w,
            height: h,
        },
        &[PlaneLayout { offset: 0, stride }],
    )?;
    for p in px.chunks_exact_mut(4) {
        let a = p[3] as u32;
        for c in &mut p[..3] {
            *c = ((*c as u32 * a + 127) / 255) as u8;
        }
    }
    Frame::from_bytes(
        PixelFormat::BGRA,
        w,
        h,
        &px,
        &[PlaneLayout { offset: 0, stride }],
    )
}

impl Processor for ImageDecoder {
    type Config = ImageConfig;
    type Input = ImageInput;
    type Output = ImageOutput;

    fn configure(&mut self, config: ImageConfig) -> Result<()> {
        *self = ImageDecoder {
            container: Some(config.kind.container()),
            config: Some(config),
            ..ImageDecoder::default()
        };
        Ok(())
    }

    fn process(&mut self, input: ImageInput, emit: &mut dyn FnMut(ImageOutput)) -> Result<()> {
        match input {
            ImageInput::Append(bytes) => {
                if self.complete {
                    return Ok(());
                }
                // A whole buffer arrives as one piece: kept as it is, not copied again.
                if self.data.is_empty() {
                    self.data = bytes;
                } else {
                    self.data.extend_from_slice(&bytes);
                }
                self.advance(emit)
            }
            ImageInput::End => {
                if self.complete {
                    return Ok(());
                }
                self.complete = true;
                self.advance(emit)
            }
            ImageInput::Decode { id, index, complete_frames_only } => {
                self.pending.push_back((id, index, complete_frames_only));
                self.answer(emit)
            }
            ImageInput::Abandon => {
                self.pending.clear();
                Ok(())
            }
            ImageInput::Select(track) => {
                self.pending.clear();
                self.selected = track;
                if let (Some(c), Some(t)) = (self.container.as_mut(), track) {
                    c.select(t);
                    c.reset_cache();
                    self.reported = None;
                }
                if self.header {
                    self.advance(emit)
                } else {
                    Ok(())
                }
            }
        }
    }

    fn flush(&mut self, _emit: &mut dyn FnMut(ImageOutput)) -> Result<()> {
        Ok(())
    }

    /// reset(): pending decodes are abandoned; the bytes and what was
    /// learned from them stay (the spec's reset keeps the image).
    fn reset(&mut self) {
        self.pending.clear();
    }
}
