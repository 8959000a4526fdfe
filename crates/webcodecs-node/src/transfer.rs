//! Frames parked for another thread (lib/transfer.js): a process-wide table
//! of pixel references, so that a VideoFrame can move to a worker_thread
//! without its pixels being copied. The sender parks a reference and posts
//! the id; the receiver takes it out (once). What nobody takes is dropped
//! when the message's MessagePort closes: received and closed, never
//! delivered (the worker ended), or never posted and garbage-collected.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use neon::prelude::*;
use webcodecs_core::video::frame::Frame;

use crate::guard::ExportGuarded;
use crate::video_frame::{self, BoxedFrame};

static PARKED: Mutex<BTreeMap<u64, Frame>> = Mutex::new(BTreeMap::new());
/// Ids stay below 2^53 (they travel as JavaScript numbers).
static NEXT: AtomicU64 = AtomicU64::new(1);

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    cx.export_guarded("transferPark", park)?;
    cx.export_guarded("transferTake", take)?;
    cx.export_guarded("transferDrop", drop_parked)?;
    cx.export_guarded("transferParked", parked)?;
    Ok(())
}

fn table() -> std::sync::MutexGuard<'static, BTreeMap<u64, Frame>> {
    // A panic elsewhere cannot leave the map half-updated: take it anyway.
    PARKED.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `transferPark(frame)`: parks another reference to the frame's pixels; returns its id.
fn park(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<BoxedFrame>(0)?;
    let frame = video_frame::reference(&mut cx, &handle)?;
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    table().insert(id, frame);
    Ok(cx.number(id as f64))
}

/// `transferTake(id)`: the parked frame as this thread's handle, or undefined
/// when it was taken or dropped already.
fn take(mut cx: FunctionContext) -> JsResult<JsValue> {
    let id = cx.argument::<JsNumber>(0)?.value(&mut cx) as u64;
    let frame = table().remove(&id);
    match frame {
        Some(frame) => Ok(video_frame::boxed(&mut cx, frame).upcast()),
        None => Ok(cx.undefined().upcast()),
    }
}

/// `transferDrop(id)`: releases a parked frame nobody took.
fn drop_parked(mut cx: FunctionContext) -> JsResult<JsUndefined> {
    let id = cx.argument::<JsNumber>(0)?.value(&mut cx) as u64;
    let frame = table().remove(&id);
    drop(frame); // outside the lock
    Ok(cx.undefined())
}

/// `transferParked()`: how many frames are parked (for tests).
fn parked(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let n = table().len();
    Ok(cx.number(n as f64))
}
