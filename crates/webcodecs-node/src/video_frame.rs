//! VideoFrame's native half: a boxed frame reference. clone() takes another
//! reference to the same pixels; close() drops this one at once (the
//! finalizer covers frames that are never closed).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use neon::prelude::*;
use neon::types::buffer::TypedArray;
use webcodecs_core::video::color::ColorSpace;
use webcodecs_core::video::frame::{Frame, FrameInfo, PlaneLayout, Rect};
use webcodecs_core::video::pixel::PixelFormat;
use webcodecs_core::video::transform::Transform;
use webcodecs_core::Error;

use crate::errors::OrThrow;
use crate::guard::ExportGuarded;

/// A frame, and what V8 was told its pixels take. A frame and its clones
/// share one report: the pixels stay counted until the last of them closes.
pub struct FrameHandle(RefCell<Option<Frame>>, Rc<Reported>);

/// Bytes reported to V8 as external memory, and how many open handles share them.
struct Reported {
    bytes: i64,
    holders: Cell<u32>,
}

impl FrameHandle {
    /// Drops the frame now (close()); the last open holder takes back what V8 was told.
    fn release<'a>(&self, cx: &mut impl Context<'a>) {
        if self.0.borrow_mut().take().is_some() {
            let left = self.1.holders.get() - 1;
            self.1.holders.set(left);
            if left == 0 {
                crate::external::adjust(cx, -self.1.bytes);
            }
        }
    }
}

impl Finalize for FrameHandle {
    fn finalize<'a, C: Context<'a>>(self, cx: &mut C) {
        self.release(cx);
    }
}

pub type BoxedFrame = JsBox<FrameHandle>;

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    cx.export_guarded("frameFromBytes", from_bytes)?;
    cx.export_guarded("frameClone", clone)?;
    cx.export_guarded("frameClose", close)?;
    cx.export_guarded("frameCopyTo", copy_to)?;
    cx.export_guarded("frameToRgb", to_rgb)?;
    cx.export_guarded("frameTransform", transform)?;
    Ok(())
}

/// Boxes a frame with its own pixels (decoded, constructed), counting them
/// as V8 external memory until it is closed or collected.
pub fn boxed<'a>(cx: &mut impl Context<'a>, frame: Frame) -> Handle<'a, BoxedFrame> {
    let bytes = frame.byte_size() as i64;
    crate::external::adjust(cx, bytes);
    cx.boxed(FrameHandle(RefCell::new(Some(frame)), Rc::new(Reported { bytes, holders: Cell::new(1) })))
}

/// A new reference to the pixels of an open frame.
pub fn reference<'a>(cx: &mut impl Context<'a>, handle: &FrameHandle) -> NeonResult<Frame> {
    handle.0.borrow().as_ref().map(Frame::new_ref).ok_or_else(|| Error::InvalidState("The VideoFrame is closed".into())).or_throw(cx)
}

fn numbers(cx: &mut FunctionContext, i: usize) -> NeonResult<Vec<f64>> {
    crate::codec::number_list(cx, i)
}

fn layout(cx: &mut FunctionContext, i: usize) -> NeonResult<Vec<PlaneLayout>> {
    Ok(numbers(cx, i)?.chunks(2).map(|p| PlaneLayout { offset: p[0] as usize, stride: p.get(1).copied().unwrap_or(0.0) as usize }).collect())
}

fn rect(cx: &mut FunctionContext, i: usize) -> NeonResult<Rect> {
    let r = numbers(cx, i)?;
    if r.len() != 4 {
        return cx.throw_type_error("rect needs 4 numbers");
    }
    Ok(Rect { x: r[0] as u32, y: r[1] as u32, width: r[2] as u32, height: r[3] as u32 })
}

/// `frameFromBytes(bytes, format, codedWidth, codedHeight, layout)`.
fn from_bytes(mut cx: FunctionContext) -> JsResult<BoxedFrame> {
    let bytes = cx.argument::<JsTypedArray<u8>>(0)?;
    let format_name = cx.argument::<JsString>(1)?.value(&mut cx);
    let width = cx.argument::<JsNumber>(2)?.value(&mut cx) as u32;
    let height = cx.argument::<JsNumber>(3)?.value(&mut cx) as u32;
    let layout = layout(&mut cx, 4)?;
    let format = PixelFormat::from_name(&format_name).ok_or_else(|| Error::Type(format!("Unknown pixel format '{format_name}'"))).or_throw(&mut cx)?;
    let frame = Frame::from_bytes(format, width, height, bytes.as_slice(&cx), &layout).or_throw(&mut cx)?;
    Ok(boxed(&mut cx, frame))
}

fn clone(mut cx: FunctionContext) -> JsResult<BoxedFrame> {
    let handle = cx.argument::<BoxedFrame>(0)?;
    let frame = reference(&mut cx, &handle)?;
    let reported = handle.1.clone();
    reported.holders.set(reported.holders.get() + 1);
    Ok(cx.boxed(FrameHandle(RefCell::new(Some(frame)), reported)))
}

fn close(mut cx: FunctionContext) -> JsResult<JsUndefined> {
    let handle = cx.argument::<BoxedFrame>(0)?;
    handle.release(&mut cx);
    Ok(cx.undefined())
}

/// `frameCopyTo(handle, dest, rect, layout)`: a plain copy of rows into the
/// caller's buffer, so it runs synchronously.
fn copy_to(mut cx: FunctionContext) -> JsResult<JsUndefined> {
    let handle = cx.argument::<BoxedFrame>(0)?;
    let mut dest = cx.argument::<JsTypedArray<u8>>(1)?;
    let rect = rect(&mut cx, 2)?;
    let layout = layout(&mut cx, 3)?;
    let borrowed = handle.0.borrow();
    let Some(frame) = borrowed.as_ref() else {
        return Err(Error::InvalidState("The VideoFrame is closed".into())).or_throw(&mut cx);
    };
    let result = frame.copy_to(dest.as_mut_slice(&mut cx), rect, &layout);
    result.or_throw(&mut cx)?;
    Ok(cx.undefined())
}

/// `frameToRgb(handle, format, rect, colorSpace, "srgb" | "display-p3", dest, offset, stride)`:
/// converts on its own thread (never the JavaScript thread or the libuv
/// pool), then writes the rows into `dest` at `offset`, `stride` bytes apart,
/// and calls `done(null)` (or `done` with the error's description).
fn to_rgb(mut cx: FunctionContext) -> JsResult<JsUndefined> {
    let handle = cx.argument::<BoxedFrame>(0)?;
    let format_name = cx.argument::<JsString>(1)?.value(&mut cx);
    let rect = rect(&mut cx, 2)?;
    let color_arg = cx.argument::<JsValue>(3)?;
    let color = color_from(&mut cx, color_arg)?;
    let format = PixelFormat::from_name(&format_name).ok_or_else(|| Error::Type(format!("Unknown pixel format '{format_name}'"))).or_throw(&mut cx)?;
    let display_p3 = cx.argument::<JsString>(4)?.value(&mut cx) == "display-p3";
    let dest = cx.argument::<JsTypedArray<u8>>(5)?.root(&mut cx);
    let offset = cx.argument::<JsNumber>(6)?.value(&mut cx) as usize;
    let stride = cx.argument::<JsNumber>(7)?.value(&mut cx) as usize;
    let done = cx.argument::<JsFunction>(8)?.root(&mut cx);
    let frame = reference(&mut cx, &handle)?;
    if !display_p3 && frame.has_fast_rgb(&color) {
        // Conversions that cost about what the copy itself would (8-bit YUV,
        // byte reordering) write straight into `dest`, in a later task on the
        // JavaScript thread (where nothing can detach it meanwhile), on every
        // core: no intermediate buffer and no second pass over the pixels.
        crate::guard::on_js_thread(&cx.channel(), move |cx| {
            let mut dest = dest.into_inner(cx);
            let out = dest.as_mut_slice(cx);
            let row = rect.width as usize * 4;
            let fits = out.len() >= offset + stride * (rect.height as usize).saturating_sub(1) + row;
            let written = if !fits {
                Err(Error::Type("The destination no longer holds the copy".into()))
            } else if frame.to_rgb_fast(format, rect, &color, &mut out[offset..], stride) {
                Ok(())
            } else {
                Err(Error::Encoding(format!("Cannot convert this frame to {}", format.name())))
            };
            drop(frame);
            let answer = written.map(|()| cx.null().upcast());
            crate::codec::settle(cx, done, answer)
        });
        return Ok(cx.undefined());
    }
    let work = move || frame.to_rgb(format, rect, &color, display_p3);
    crate::codec::off_thread(&mut cx, "webcodecs-convert", Error::Encoding, work, move |cx, result| {
        let mut dest = dest.into_inner(cx);
        let written = result.and_then(|bytes| {
            let row = rect.width as usize * 4;
            let out = dest.as_mut_slice(cx);
            // The buffer may have been detached or shrunk meanwhile.
            if out.len() < offset + stride * (rect.height as usize).saturating_sub(1) + row {
                return Err(Error::Type("The destination no longer holds the copy".into()));
            }
            copy_rows(&bytes, row, &mut out[offset..], stride);
            webcodecs_core::video::frame::recycle_rgb_buffer(bytes);
            Ok(())
        });
        let answer = written.map(|()| cx.null().upcast());
        crate::codec::settle(cx, done, answer)
    })?;
    Ok(cx.undefined())
}

/// `frameTransform(handle, crop, width, height, place, rotation, flip, keepAlpha, fullRange, done)`:
/// makes a new frame on its own thread (see `webcodecs_core::video::transform`)
/// and calls `done([handle, format])`, or `done` with the error's description.
fn transform(mut cx: FunctionContext) -> JsResult<JsUndefined> {
    let handle = cx.argument::<BoxedFrame>(0)?;
    let crop = rect(&mut cx, 1)?;
    let width = cx.argument::<JsNumber>(2)?.value(&mut cx) as u32;
    let height = cx.argument::<JsNumber>(3)?.value(&mut cx) as u32;
    let place = rect(&mut cx, 4)?;
    let rotation = cx.argument::<JsNumber>(5)?.value(&mut cx) as u32;
    let flip = cx.argument::<JsBoolean>(6)?.value(&mut cx);
    let keep_alpha = cx.argument::<JsBoolean>(7)?.value(&mut cx);
    let full_range = cx.argument::<JsBoolean>(8)?.value(&mut cx);
    let done = cx.argument::<JsFunction>(9)?.root(&mut cx);
    let frame = reference(&mut cx, &handle)?;
    let t = Transform { crop, width, height, place, rotation, flip, keep_alpha, full_range };
    let work = move || webcodecs_core::video::transform::transform(&frame, &t);
    crate::codec::off_thread(&mut cx, "webcodecs-transform", Error::Encoding, work, move |cx, result| {
        let answer = match result {
            Ok(out) => {
                let name = cx.string(out.format().map_or("I420", PixelFormat::name));
                let boxed = boxed(cx, out);
                let pair = cx.empty_array();
                pair.set(cx, 0, boxed)?;
                pair.set(cx, 1, name)?;
                Ok(pair.upcast())
            }
            Err(e) => Err(e),
        };
        crate::codec::settle(cx, done, answer)
    })?;
    Ok(cx.undefined())
}

/// Copies rows of `row` bytes from `src` (tightly packed) into `dest`, rows
/// `stride` apart. Runs on the JavaScript thread, where nothing can detach
/// `dest` meanwhile; a large copy (a fresh destination's first touch costs
/// more than the copy itself) is split over the cores so it holds the event
/// loop for less time.
fn copy_rows(src: &[u8], row: usize, dest: &mut [u8], stride: usize) {
    let rows = src.len() / row.max(1);
    let copy = |src: &[u8], dest: &mut [u8]| {
        for (n, line) in src.chunks_exact(row).enumerate() {
            dest[n * stride..][..row].copy_from_slice(line);
        }
    };
    let threads = if src.len() >= 8 << 20 { std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) } else { 1 };
    if threads == 1 || rows < threads {
        return copy(src, dest);
    }
    let each = rows.div_ceil(threads);
    std::thread::scope(|scope| {
        let mut rest = dest;
        for (band, part) in src.chunks(each * row).enumerate() {
            // Every band but the last ends where the next band's first row starts.
            let take = if (band + 1) * each < rows { each * stride } else { rest.len() };
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(take);
            rest = tail;
            let copy = &copy;
            scope.spawn(move || copy(part, mine));
        }
    });
}

/// The JavaScript view of a frame's properties.
pub fn info_object<'a>(cx: &mut Cx<'a>, info: &FrameInfo) -> JsResult<'a, JsObject> {
    let obj = cx.empty_object();
    let format = cx.string(info.format.name());
    obj.set(cx, "format", format)?;
    let (w, h) = (cx.number(info.coded_width), cx.number(info.coded_height));
    obj.set(cx, "codedWidth", w)?;
    obj.set(cx, "codedHeight", h)?;
    let visible = cx.empty_array();
    for (i, v) in [info.visible.x, info.visible.y, info.visible.width, info.visible.height].into_iter().enumerate() {
        let n = cx.number(v);
        visible.set(cx, i as u32, n)?;
    }
    obj.set(cx, "visibleRect", visible)?;
    let color = color_object(cx, &info.color)?;
    obj.set(cx, "colorSpace", color)?;
    Ok(obj)
}

pub fn color_object<'a>(cx: &mut Cx<'a>, color: &ColorSpace) -> JsResult<'a, JsObject> {
    let obj = cx.empty_object();
    for (key, value) in [("primaries", color.primaries), ("transfer", color.transfer), ("matrix", color.matrix)] {
        let v: Handle<JsValue> = match value {
            Some(s) => cx.string(s).upcast(),
            None => cx.null().upcast(),
        };
        obj.set(cx, key, v)?;
    }
    let full: Handle<JsValue> = match color.full_range {
        Some(b) => cx.boolean(b).upcast(),
        None => cx.null().upcast(),
    };
    obj.set(cx, "fullRange", full)?;
    Ok(obj)
}

/// Reads a `{primaries, transfer, matrix, fullRange}` object (or null).
pub fn color_from<'a>(cx: &mut FunctionContext<'a>, value: Handle<'a, JsValue>) -> NeonResult<ColorSpace> {
    let Ok(obj) = value.downcast::<JsObject, _>(cx) else { return Ok(ColorSpace::default()) };
    let primaries = crate::codec::get_opt_string(cx, obj, "primaries")?;
    let transfer = crate::codec::get_opt_string(cx, obj, "transfer")?;
    let matrix = crate::codec::get_opt_string(cx, obj, "matrix")?;
    let full_range = crate::codec::get_opt_bool(cx, obj, "fullRange")?;
    Ok(ColorSpace::from_names(primaries.as_deref(), transfer.as_deref(), matrix.as_deref(), full_range))
}
