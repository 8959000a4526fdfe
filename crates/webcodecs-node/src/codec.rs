//! What the encoder and decoder handles share: the worker, the Channel that
//! carries its events to JavaScript, keep-alive, and the dispatch function.
//!
//! Events go, in batches, to one JavaScript `dispatch(id, events, outputs,
//! errors)` per addon instance (a [`LocalKey`], so worker_threads each have
//! their own): `events` a Float64Array of [generation, kind, value, ...]
//! (value: a flush's id, or an output's [`Size`]), `errors` the described
//! errors of the batch's error events in order; outputs are converted only
//! when a step takes them (see [`Outputs`]). The worker holds no JavaScript
//! value, so an idle codec nobody references can be collected, which drops
//! its [`Worker`] and ends its thread.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use neon::prelude::*;
use neon::types::buffer::TypedArray;
use neon::thread::LocalKey;
use webcodecs_core::recycle::Spares;
use webcodecs_core::worker::{Command, Event, Processor, Sink, Worker, HOLD};
use webcodecs_core::Error;

use crate::errors::{self, OrThrow};
use crate::guard::ExportGuarded;

static DISPATCH: LocalKey<Root<JsFunction>> = LocalKey::new();
static SCALARS: LocalKey<Root<JsFloat64Array>> = LocalKey::new();

pub const DEQUEUED: f64 = 0.0;
pub const OUTPUT: f64 = 1.0;
pub const FLUSHED: f64 = 2.0;
pub const ERROR: f64 = 3.0;
pub const DONE: f64 = 4.0;
pub const CONFIGURED: f64 = 5.0;

/// `setDispatch(dispatch, scalars)`: the function deliveries go to, and the
/// Float64Array that outputs' numbers are written to (see [`put_scalars`]).
pub fn set_dispatch(mut cx: FunctionContext) -> JsResult<JsUndefined> {
    let f = cx.argument::<JsFunction>(0)?.root(&mut cx);
    let scalars = cx.argument::<JsFloat64Array>(1)?.root(&mut cx);
    DISPATCH.get_or_init(&mut cx, || f);
    SCALARS.get_or_init(&mut cx, || scalars);
    Ok(cx.undefined())
}

/// Writes an output's numbers into the `scalars` array given to
/// `setDispatch`, where lib/ reads them right after `takeOutput` returns:
/// for the thousands of small outputs an audio codec makes a second, an
/// array or object per output, with a Node-API call per element, cost more
/// than the rest of the delivery.
pub fn put_scalars(cx: &mut Cx, values: &[f64]) -> NeonResult<()> {
    let Some(root) = SCALARS.get(cx) else { return cx.throw_error("setDispatch() was not called") };
    let mut array = root.to_inner(cx);
    let slice = array.as_mut_slice(cx);
    if slice.len() < values.len() {
        return cx.throw_error("The scalars array is too short");
    }
    slice[..values.len()].copy_from_slice(values);
    Ok(())
}

/// Converts one output to JavaScript, on the JavaScript thread. The
/// ArrayBuffer, when lib/ passes one, is a spare of the output's [`Size`]
/// (the buffer of a closed output of the same codec kind) that the
/// conversion may fill and return instead of allocating a new one.
pub type Convert<O> = for<'a> fn(&mut Cx<'a>, O, Option<Handle<'a, JsArrayBuffer>>) -> JsResult<'a, JsValue>;

/// The size of the ArrayBuffer an output's conversion makes, when it can
/// fill a spare (0: it cannot). It goes to lib/ with the output's event,
/// which picks a spare of that size.
pub type Size<O> = fn(&O) -> usize;

/// Events the codec thread has queued for JavaScript, and whether a Channel
/// callback that will deliver them is already scheduled.
struct Batch<O> {
    events: Vec<(u64, Event<O>)>,
    scheduled: bool,
    /// When the first of `events` was queued.
    since: Instant,
}

impl<O> Batch<O> {
    /// Whether a Channel callback should be scheduled now (and marks it so).
    fn schedule(&mut self, now: bool) -> bool {
        let due = !self.scheduled && !self.events.is_empty() && (now || self.since.elapsed() >= HOLD);
        self.scheduled |= due;
        due
    }
}

struct ChannelSink<O> {
    channel: Channel,
    id: f64,
    convert: Convert<O>,
    size: Size<O>,
    batch: Arc<Mutex<Batch<O>>>,
}

impl<O: Send + 'static> Sink<O> for ChannelSink<O> {
    /// Queues the event. A Channel callback hands JavaScript everything queued
    /// by the time it runs, in order (lib/codec-base.js still runs each event
    /// as its own step): one wake-up of the JavaScript thread for a run of
    /// events instead of one for each. At most one is scheduled at a time,
    /// when the worker is between commands and says so (see [`Sink::between`]),
    /// or once the oldest event has waited [`HOLD`].
    fn send(&self, generation: u64, event: Event<O>) {
        let schedule = {
            let mut batch = self.batch.lock().unwrap_or_else(|e| e.into_inner());
            if batch.events.is_empty() {
                batch.since = Instant::now();
            }
            batch.events.push((generation, event));
            batch.schedule(false)
        };
        if schedule {
            self.deliver();
        }
    }

    fn between(&self, now: bool) {
        let schedule = self.batch.lock().unwrap_or_else(|e| e.into_inner()).schedule(now);
        if schedule {
            self.deliver();
        }
    }
}

impl<O: Send + 'static> ChannelSink<O> {
    /// Schedules the Channel callback that delivers the batch.
    fn deliver(&self) {
        let (id, convert, size, batch) = (self.id, self.convert, self.size, self.batch.clone());
        crate::guard::on_js_thread(&self.channel, move |cx| {
            let events = {
                let mut batch = batch.lock().unwrap_or_else(|e| e.into_inner());
                batch.scheduled = false;
                std::mem::take(&mut batch.events)
            };
            // Numbers cross in one typed array (an element set through
            // Node-API costs about as much as converting a small output);
            // outputs stay native until their step takes them (Outputs).
            let mut numbers = Vec::with_capacity(events.len() * 3);
            let mut outputs = VecDeque::new();
            let mut described = Vec::new();
            for (generation, event) in events {
                let (kind, value) = match event {
                    Event::Dequeued => (DEQUEUED, 0.0),
                    Event::Output(output) => {
                        let bytes = size(&output) as f64;
                        outputs.push_back(Box::new(Pending { output, convert }) as Deferred);
                        (OUTPUT, bytes)
                    }
                    Event::Flushed(flush) => (FLUSHED, flush as f64),
                    Event::Error(error) => {
                        described.push(errors::describe(cx, &error)?);
                        (ERROR, 0.0)
                    }
                    Event::Done => (DONE, 0.0),
                    Event::Configured => (CONFIGURED, 0.0),
                };
                numbers.extend([generation as f64, kind, value]);
            }
            let list = JsFloat64Array::from_slice(cx, &numbers)?;
            let outputs: Handle<JsValue> = if outputs.is_empty() { cx.undefined().upcast() } else { cx.boxed(Outputs(RefCell::new(outputs))).upcast() };
            let errors: Handle<JsValue> = if described.is_empty() {
                cx.undefined().upcast()
            } else {
                let array = JsArray::new(cx, described.len());
                for (i, error) in described.into_iter().enumerate() {
                    array.set(cx, i as u32, error)?;
                }
                array.upcast()
            };
            let Some(dispatch) = DISPATCH.get(cx) else { return Ok(()) };
            let dispatch = dispatch.to_inner(cx);
            let this = cx.undefined();
            let args = [cx.number(id).upcast::<JsValue>(), list.upcast(), outputs, errors];
            dispatch.call(cx, this, args)?;
            Ok(())
        });
    }
}

/// One output of a delivery, converted to JavaScript only when taken.
struct Pending<O> {
    output: O,
    convert: Convert<O>,
}

trait Deliver {
    fn convert<'a>(self: Box<Self>, cx: &mut Cx<'a>, spare: Option<Handle<'a, JsArrayBuffer>>) -> JsResult<'a, JsValue>;
}

impl<O> Deliver for Pending<O> {
    fn convert<'a>(self: Box<Self>, cx: &mut Cx<'a>, spare: Option<Handle<'a, JsArrayBuffer>>) -> JsResult<'a, JsValue> {
        (self.convert)(cx, self.output, spare)
    }
}

type Deferred = Box<dyn Deliver>;

/// The outputs of one delivery, in order. A codec that outruns JavaScript
/// (audio decoding at hundreds of times real time) delivers hundreds at once;
/// converting them all in the Channel callback would hold the event loop for
/// as long, before lib/codec-base.js's first step could yield. Each step
/// instead takes its own (`takeOutput`), or drops it unconverted
/// (`dropOutput`) when its codec was reset or closed meanwhile.
pub struct Outputs(RefCell<VecDeque<Deferred>>);

impl Finalize for Outputs {}

/// `takeOutput(outputs, spare)`: the next output of a delivery, converted;
/// `spare` (optional) an ArrayBuffer of the size its event named, which the
/// conversion may fill and return.
pub fn take_output(mut cx: FunctionContext) -> JsResult<JsValue> {
    let outputs = cx.argument::<JsBox<Outputs>>(0)?;
    let spare = cx.argument_opt(1).and_then(|v| v.downcast::<JsArrayBuffer, _>(&mut cx).ok());
    let next = outputs.0.borrow_mut().pop_front();
    match next {
        Some(pending) => pending.convert(&mut cx, spare),
        None => cx.throw_error("No output left in this delivery"),
    }
}

/// `dropOutput(outputs)`: frees the next output of a delivery unconverted.
pub fn drop_output(mut cx: FunctionContext) -> JsResult<JsUndefined> {
    let outputs = cx.argument::<JsBox<Outputs>>(0)?;
    let next = outputs.0.borrow_mut().pop_front();
    drop(next);
    Ok(cx.undefined())
}

pub struct CodecHandle<P: Processor> {
    worker: RefCell<Option<Worker<P>>>,
    /// Input buffers the codec thread is done with, for the next inputs.
    pub spares: Spares,
    /// The JavaScript-side reference of the shared Channel: referenced while
    /// the codec has work in flight, so the process stays up for its outputs.
    channel: RefCell<Channel>,
}

impl<P: Processor> Finalize for CodecHandle<P> {}

pub type BoxedCodec<P> = JsBox<CodecHandle<P>>;

pub fn create<'a, P: Processor>(cx: FunctionContext<'a>, name: &str, processor: P, convert: Convert<P::Output>) -> JsResult<'a, BoxedCodec<P>> {
    create_sized(cx, name, processor, convert, |_| 0)
}

/// [`create`] for a codec whose outputs can fill spare buffers of `size`.
pub fn create_sized<'a, P: Processor>(mut cx: FunctionContext<'a>, name: &str, processor: P, convert: Convert<P::Output>, size: Size<P::Output>) -> JsResult<'a, BoxedCodec<P>> {
    let id = cx.argument::<JsNumber>(0)?.value(&mut cx);
    let mut channel = cx.channel();
    channel.unref(&mut cx);
    let sink = ChannelSink { channel: channel.clone(), id, convert, size, batch: Arc::new(Mutex::new(Batch { events: Vec::new(), scheduled: false, since: Instant::now() })) };
    let worker = Worker::spawn(name, processor, sink).map_err(|e| Error::Encoding(format!("Cannot start the codec thread: {e}"))).or_throw(&mut cx)?;
    Ok(cx.boxed(CodecHandle { worker: RefCell::new(Some(worker)), spares: Spares::default(), channel: RefCell::new(channel) }))
}

/// Reads a codec's config (the plain object lib/ normalised) from argument `i`.
pub type ReadConfig<C> = for<'a, 'b> fn(&'b mut FunctionContext<'a>, usize) -> NeonResult<C>;

/// Exports the functions every codec kind shares: `<prefix>Create`,
/// `Configure(handle, config)`, `Support(config)` (a promise of null or the
/// reason it is unsupported), `Flush`, `Reset`, `Close` and `KeepAlive`.
pub fn export<P: Processor>(
    cx: &mut ModuleContext,
    prefix: &str,
    create: for<'a> fn(FunctionContext<'a>) -> JsResult<'a, BoxedCodec<P>>,
    read: ReadConfig<P::Config>,
    check: fn(&P::Config) -> webcodecs_core::Result<()>,
) -> NeonResult<()> {
    cx.export_guarded(&format!("{prefix}Create"), create)?;
    cx.export_guarded(&format!("{prefix}Configure"), move |mut cx| {
        let handle = cx.argument::<BoxedCodec<P>>(0)?;
        let config = read(&mut cx, 1)?;
        send(&mut cx, &handle, Command::Configure(config))
    })?;
    cx.export_guarded(&format!("{prefix}Support"), move |mut cx| {
        let config = read(&mut cx, 0)?;
        check_support(&mut cx, config, check)
    })?;
    cx.export_guarded(&format!("{prefix}Flush"), flush::<P>)?;
    cx.export_guarded(&format!("{prefix}Commit"), commit::<P>)?;
    cx.export_guarded(&format!("{prefix}Reset"), reset::<P>)?;
    cx.export_guarded(&format!("{prefix}Close"), close::<P>)?;
    cx.export_guarded(&format!("{prefix}KeepAlive"), keep_alive::<P>)?;
    Ok(())
}

/// `flush(handle, id)`: the worker answers with Flushed(id) after the outputs.
fn flush<'a, P: Processor>(mut cx: FunctionContext<'a>) -> JsResult<'a, JsNumber> {
    let handle = cx.argument::<BoxedCodec<P>>(0)?;
    let id = cx.argument::<JsNumber>(1)?.value(&mut cx) as u32;
    send(&mut cx, &handle, Command::Flush(id))
}

/// Queues a command; returns its generation.
pub fn send<'a, P: Processor>(cx: &mut FunctionContext<'a>, handle: &CodecHandle<P>, command: Command<P>) -> JsResult<'a, JsNumber> {
    let generation = match handle.worker.borrow().as_ref() {
        Some(worker) => worker.send(command),
        None => Err(Error::InvalidState("The codec is closed".into())),
    }
    .or_throw(cx)?;
    Ok(cx.number(generation as f64))
}

/// Stages an input (see [`Worker::stage`]): it reaches the codec thread at
/// the next `commit(handle)` or command. Returns its generation.
pub fn stage<'a, P: Processor>(cx: &mut FunctionContext<'a>, handle: &CodecHandle<P>, command: Command<P>) -> JsResult<'a, JsNumber> {
    let generation = match handle.worker.borrow().as_ref() {
        Some(worker) => Ok(worker.stage(command)),
        None => Err(Error::InvalidState("The codec is closed".into())),
    }
    .or_throw(cx)?;
    Ok(cx.number(generation as f64))
}

/// `commit(handle)`: hands the staged inputs to the codec thread.
fn commit<'a, P: Processor>(mut cx: FunctionContext<'a>) -> JsResult<'a, JsUndefined> {
    let handle = cx.argument::<BoxedCodec<P>>(0)?;
    if let Some(worker) = handle.worker.borrow().as_ref() {
        worker.commit().or_throw(&mut cx)?;
    }
    Ok(cx.undefined())
}

/// `reset(handle)`: abandons queued work; returns the new generation.
fn reset<'a, P: Processor>(mut cx: FunctionContext<'a>) -> JsResult<'a, JsNumber> {
    let handle = cx.argument::<BoxedCodec<P>>(0)?;
    let generation = match handle.worker.borrow().as_ref() {
        Some(worker) => worker.reset(),
        None => Err(Error::InvalidState("The codec is closed".into())),
    }
    .or_throw(&mut cx)?;
    Ok(cx.number(generation as f64))
}

/// `close(handle)`: abandons queued work and lets the thread end.
fn close<'a, P: Processor>(mut cx: FunctionContext<'a>) -> JsResult<'a, JsUndefined> {
    let handle = cx.argument::<BoxedCodec<P>>(0)?;
    if let Some(worker) = handle.worker.borrow_mut().take() {
        let _ = worker.reset();
    }
    Ok(cx.undefined())
}

/// `keepAlive(handle, busy)`: whether the codec holds the event loop open.
fn keep_alive<'a, P: Processor>(mut cx: FunctionContext<'a>) -> JsResult<'a, JsUndefined> {
    let handle = cx.argument::<BoxedCodec<P>>(0)?;
    let busy = cx.argument::<JsBoolean>(1)?.value(&mut cx);
    let mut channel = handle.channel.borrow_mut();
    if busy {
        channel.reference(&mut cx);
    } else {
        channel.unref(&mut cx);
    }
    Ok(cx.undefined())
}

/// Runs a support check off the JavaScript thread, then calls `done` (the
/// argument after the config) with null when supported, or the reason not.
pub fn check_support<'a, C: Send + 'static>(cx: &mut FunctionContext<'a>, config: C, check: fn(&C) -> webcodecs_core::Result<()>) -> JsResult<'a, JsUndefined> {
    let done = cx.argument::<JsFunction>(1)?.root(cx);
    let internal = |panic| Error::NotSupported(format!("Internal error while checking the configuration: {panic}"));
    off_thread(cx, "webcodecs-support", internal, move || check(&config), move |cx, result| {
        let answer = match result {
            Ok(()) => cx.null().upcast::<JsValue>(),
            Err(e) => cx.string(e.to_string()).upcast(),
        };
        call_back(cx, done, answer)
    })?;
    Ok(cx.undefined())
}

/// Runs `work` on a thread of its own named `name` (never the JavaScript
/// thread or the libuv pool), then `then` with its result on the JavaScript
/// thread. A panic in `work` (a bug) is handed on as the error `internal`
/// makes of its message, so that the caller's promise still settles.
pub fn off_thread<T, W, F>(cx: &mut FunctionContext, name: &str, internal: fn(String) -> Error, work: W, then: F) -> NeonResult<()>
where
    T: Send + 'static,
    W: FnOnce() -> webcodecs_core::Result<T> + Send + 'static,
    F: for<'b> FnOnce(&mut Cx<'b>, webcodecs_core::Result<T>) -> NeonResult<()> + Send + 'static,
{
    let channel = cx.channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
                .unwrap_or_else(|panic| Err(internal(webcodecs_core::worker::panic_text(&panic))));
            crate::guard::on_js_thread(&channel, move |cx| then(cx, result));
        })
        .map_err(|e| Error::Encoding(format!("Cannot start a thread: {e}")))
        .or_throw(cx)?;
    Ok(())
}

/// Calls `done` with `answer`'s value, or with its error's description.
pub fn settle<'a>(cx: &mut Cx<'a>, done: Root<JsFunction>, answer: Result<Handle<'a, JsValue>, Error>) -> NeonResult<()> {
    let arg = match answer {
        Ok(value) => value,
        Err(e) => crate::errors::describe(cx, &e)?.upcast(),
    };
    call_back(cx, done, arg)
}

/// Calls the rooted callback `f` with one argument.
pub fn call_back<'a>(cx: &mut Cx<'a>, f: Root<JsFunction>, arg: Handle<'a, JsValue>) -> NeonResult<()> {
    let f = f.into_inner(cx);
    let this = cx.undefined();
    f.call(cx, this, [arg])?;
    Ok(())
}

// Small readers for the plain, validated objects lib/ passes in.

pub fn get_string<'a>(cx: &mut impl Context<'a>, obj: Handle<'a, JsObject>, key: &str) -> NeonResult<String> {
    Ok(obj.get::<JsString, _, _>(cx, key)?.value(cx))
}

// Absent, undefined and null all read as None.

pub fn get_opt_string<'a>(cx: &mut impl Context<'a>, obj: Handle<'a, JsObject>, key: &str) -> NeonResult<Option<String>> {
    let value = obj.get_value(cx, key)?;
    Ok(value.downcast::<JsString, _>(cx).ok().map(|s| s.value(cx)))
}

pub fn get_number<'a>(cx: &mut impl Context<'a>, obj: Handle<'a, JsObject>, key: &str) -> NeonResult<f64> {
    Ok(obj.get::<JsNumber, _, _>(cx, key)?.value(cx))
}

pub fn get_opt_number<'a>(cx: &mut impl Context<'a>, obj: Handle<'a, JsObject>, key: &str) -> NeonResult<Option<f64>> {
    let value = obj.get_value(cx, key)?;
    Ok(value.downcast::<JsNumber, _>(cx).ok().map(|n| n.value(cx)))
}

pub fn get_opt_bool<'a>(cx: &mut impl Context<'a>, obj: Handle<'a, JsObject>, key: &str) -> NeonResult<Option<bool>> {
    let value = obj.get_value(cx, key)?;
    Ok(value.downcast::<JsBoolean, _>(cx).ok().map(|b| b.value(cx)))
}

pub fn get_bool<'a>(cx: &mut impl Context<'a>, obj: Handle<'a, JsObject>, key: &str) -> NeonResult<bool> {
    Ok(get_opt_bool(cx, obj, key)?.unwrap_or(false))
}

/// Reads argument `i`, an array of numbers. Reads `length` and the elements
/// as properties: JsArray's own length read panics (and so aborts the
/// process) when a worker is being terminated, where a property read fails
/// with an error.
pub fn number_list(cx: &mut FunctionContext, i: usize) -> NeonResult<Vec<f64>> {
    let array = cx.argument::<JsObject>(i)?;
    let length = array.get::<JsNumber, _, _>(cx, "length")?.value(cx) as u32;
    (0..length.min(1 << 16)).map(|at| Ok(array.get::<JsNumber, _, _>(cx, at)?.value(cx))).collect()
}

/// Reads a number argument that may be null/undefined.
pub fn opt_number_arg(cx: &mut FunctionContext, i: usize) -> NeonResult<Option<f64>> {
    Ok(cx.argument_opt(i).and_then(|v| v.downcast::<JsNumber, _>(cx).ok()).map(|n| n.value(cx)))
}
