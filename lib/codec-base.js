'use strict';
// What VideoEncoder and VideoDecoder share: the codec state machine, the
// queue size and its coalesced `dequeue` event, pending flush promises,
// reset/close, and the bookkeeping that keeps the process alive exactly while
// a codec has work in flight.
const native = require('./native');
const webidl = require('./webidl');
const { domException, fromNative, reportError, typeError } = require('./errors');

/** How many inputs an encoder works on at once before it is saturated, as Chrome's. */
const ENCODER_CAPACITY = 5;

const DEQUEUED = 0;
const OUTPUT = 1;
const FLUSHED = 2;
const ERROR = 3;
const DONE = 4;
const CONFIGURED = 5;

/** Each codec's CodecCore, for the members defineCodecMembers installs. */
const cores = new WeakMap();

/** Codecs with commands in flight, by id. Idle codecs are not held, so they can be collected. */
const busy = new Map();
let nextId = 1;

// The addon delivers the events a codec thread queued meanwhile together (a
// Float64Array of [generation, kind, value, ...], in order: value is a
// flush's id; an error's description comes from `errors`, in order; an
// output's payload stays native in `outputs` until its step takes it, so a
// large delivery costs nothing before its first step). Each event that reaches user code (an
// output, a flush, an error, a dequeue event) still ends its own step: the
// next is queued as a microtask behind whatever its callbacks queued, so
// promise reactions of an output run before the next output, as between the
// separate tasks of a browser; an exception thrown by a callback does not
// stop the rest. Bookkeeping events that reach no user code (a command
// dequeued or done, a configuration taking effect) run in the step of the
// event after them, which nothing could tell apart.
//
// A codec that outruns JavaScript (audio decoding at hundreds of times real
// time) hands over hundreds of events at once, and a caller that feeds it
// from its dequeue events keeps it busy: Node delivers the deliveries that
// arrive meanwhile in the same turn of the event loop (a threadsafe
// function's callback runs what was queued while it ran). So the steps of
// one uninterrupted run of deliveries share STEP_BUDGET_MS; past it the rest
// waits for the next turn (setImmediate), and timers and I/O are not held up
// behind them. A run ends when the event loop had time to itself (a gap of
// more than the budget since the last step). Batches of every codec wait in
// one queue, in the order they came.
const STEP_BUDGET_MS = 1;
const batches = [];
let draining = false;
/** Whether a chain of steps is running (from its first step to its last). */
let stepping = false;
/** When the current run of deliveries began, and when its last step ended. */
let runStarted = 0;
let lastStep = 0;

function startDrain() {
  runStarted = performance.now();
  drain();
}

function drain() {
  const started = runStarted;
  stepping = true;
  const step = () => {
    try {
      let reachedUser = false;
      while (!reachedUser && batches.length > 0) {
        const batch = batches[0];
        const { events, outputs } = batch;
        const i = batch.at;
        batch.at += 3;
        if (batch.at >= events.length) batches.shift();
        const core = busy.get(batch.id);
        const generation = events[i];
        const kind = events[i + 1];
        if (kind === OUTPUT) {
          if (core !== undefined) reachedUser = core.output(generation, outputs, events[i + 2]);
          // An output of a codec closed meanwhile is freed unconverted.
          else native.dropOutput(outputs);
        } else {
          const payload = kind === ERROR ? batch.errors[batch.errorAt++] : events[i + 2];
          reachedUser = core?.event(generation, kind, payload) ?? false;
        }
      }
    } finally {
      lastStep = performance.now();
      if (batches.length > 0 && lastStep - started < STEP_BUDGET_MS) {
        // After every microtask, including those queued by the ones this
        // step's callbacks queued (a chain of awaits): Node runs a tick
        // queued from a microtask only once the microtask queue is empty.
        queueMicrotask(() => process.nextTick(step));
      } else {
        stepping = false;
        if (commitQueued) commitStaged();
        if (batches.length === 0) draining = false;
        else setImmediate(startDrain);
      }
    }
  };
  step();
}

/**
 * Where the addon writes an output's numbers (sample rate, timestamp, ...)
 * as it converts the output; read them before the next takeOutput.
 */
const scalars = new Float64Array(8);

native.setDispatch((id, events, outputs, errors) => {
  batches.push({ id, events, outputs, errors, at: 0, errorAt: 0 });
  if (draining) return;
  draining = true;
  const now = performance.now();
  if (now - lastStep > STEP_BUDGET_MS) startDrain();
  else if (now - runStarted < STEP_BUDGET_MS) drain();
  else setImmediate(startDrain);
}, scalars);

// Inputs (decode(), encode()) are staged natively and handed to the codec
// thread together: a caller feeding a codec from its dequeue events or
// outputs issues one input per step, and waking the codec thread for each
// cost two context switches per input, more than a small audio chunk's
// decoding. Staged inputs are committed when the chain of steps they were
// issued in ends, or at the next microtask when issued outside one, and at
// once when the first has waited STEP_BUDGET_MS (a long synchronous loop of
// encode() calls keeps the codec busy meanwhile). Every other command
// (configure, flush, reset, close) commits the codec's staged inputs before
// itself, so the order is the order of the calls.
const staged = new Set();
let commitQueued = false;
let stagedSince = 0;

function commitStaged() {
  commitQueued = false;
  const cores = [...staged];
  staged.clear();
  for (const core of cores) core.commit();
}

/** The addon functions of one kind of codec (`encoder`, `decoder`). */
function codecOps(prefix) {
  const op = (name) => native[`${prefix}${name}`];
  return { create: op('Create'), configure: op('Configure'), flush: op('Flush'), commit: op('Commit'), reset: op('Reset'), close: op('Close'), keepAlive: op('KeepAlive') };
}

/** isConfigSupported(): a rejected promise for an invalid config, else {supported, config}. */
function checkSupport(config, parse, check) {
  let parsed;
  try {
    parsed = parse(config);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve) => check(parsed.native, resolve)).then((reason) => webidl.ordered({ supported: reason === null, config: parsed.clone }));
}

function callback(value, member) {
  if (typeof value !== 'function') throw typeError(`Expected a function for \`${member}\` but received ${webidl.describe(value)}`);
  return value;
}

/**
 * The shared half of a codec. `ops` are the addon functions for one kind of
 * codec; `onOutput(payload)` turns an addon output into the user's output
 * call (outputs of a codec reset or closed meanwhile are freed unconverted);
 * `spare(size)`, optional, offers the addon a buffer to fill with the next
 * output (see takeSpare in audio-data.js); `capacity`, how many inputs the
 * codec takes before it is saturated.
 *
 * The queue size follows the spec's control message queue: decode() and
 * encode() process it at once, so an input leaves the queue (and a dequeue
 * event is scheduled) as soon as the codec is not saturated and no
 * configure() is still taking effect. The codec thread gets every command
 * at once anyway; its start and end of each input (DEQUEUED, DONE) tell
 * when the codec has room again. Chrome's saturation: 5 inputs for its
 * encoders, 1 for its decoders, 2 for its AV1 decoder (test/oracle/saturation.js).
 */
class CodecCore {
  state = 'unconfigured';
  queueSize = 0;
  /**
   * What outputs are produced under ("[[active encoder config]]" and its
   * decoder counterpart): a configure() takes effect on the codec thread
   * after the outputs of what came before it, so until then this stays the
   * previous configuration.
   */
  active = null;
  #configuring = [];
  #owner;
  #ops;
  #onOutput;
  /** (size) → a spare ArrayBuffer of that size for the addon to fill with the next output, or undefined. */
  #spare;
  #errorCallback;
  #id = nextId++;
  #handle;
  #generation = 0;
  #inflight = 0;
  #dequeueScheduled = false;
  #flushes = new Map();
  #nextFlush = 1;
  /** Saturation: the inputs the codec takes at once, under the configuration in effect. */
  #capacity;
  #defaultCapacity;
  /** The saturation of each configure() still in the queue, in order. */
  #capacities = [];
  /** Inputs taken out of the queue and not finished on the codec thread. */
  #working = 0;
  /** Whether the codec thread has started a taken input and not yet finished it. */
  #started = false;
  /** Control messages not yet processed: runs of inputs, with a configure between each two. */
  #waiting = [0];
  /** [[message queue blocked]]: a configure() is taking effect. */
  #blocked = false;

  constructor(owner, ops, errorCallback, onOutput, { spare, capacity = 1 } = {}) {
    this.#owner = owner;
    this.#ops = ops;
    this.#errorCallback = errorCallback;
    this.#onOutput = onOutput;
    this.#spare = spare;
    this.#capacity = this.#defaultCapacity = capacity;
    this.#handle = ops.create(this.#id);
    cores.set(owner, this);
  }

  /** Queues one command (a function of the native handle returning its generation). */
  send(command) {
    this.#generation = command(this.#handle);
    if (this.#inflight++ === 0) {
      busy.set(this.#id, this);
      this.#ops.keepAlive(this.#handle, true);
    }
  }

  /** decode()/encode(): queues one input (a command, as for `stage`) and processes the queue. */
  enqueue(command) {
    this.queueSize++;
    this.#waiting[this.#waiting.length - 1]++;
    this.stage(command);
    this.#take();
  }

  /** "Process the control message queue": inputs leave it while the codec has room. */
  #take() {
    const waiting = this.#waiting;
    while (!this.#blocked) {
      if (waiting[0] > 0) {
        if (this.#working >= this.#capacity) return;
        waiting[0]--;
        this.#working++;
        this.queueSize--;
        this.scheduleDequeue();
      } else if (waiting.length > 1) {
        // A configure: what follows waits until it has taken effect.
        waiting.shift();
        this.#capacity = this.#capacities.shift();
        this.#blocked = true;
      } else {
        return;
      }
    }
  }

  /** Stages one input (a function of the native handle returning its generation); see commitStaged. */
  stage(command) {
    this.send(command);
    staged.add(this);
    if (!commitQueued) {
      commitQueued = true;
      stagedSince = performance.now();
      if (!stepping) queueMicrotask(commitStaged);
    } else if (performance.now() - stagedSince > STEP_BUDGET_MS) {
      commitStaged();
    }
  }

  /** Hands the staged inputs to the codec thread. */
  commit() {
    if (this.state === 'closed') return;
    try {
      this.#ops.commit(this.#handle);
    } catch (error) {
      // Only when the codec thread is gone: the inputs can no longer be processed.
      this.close(domException(`Cannot process the queued input: ${error.message}`, 'EncodingError'));
    }
  }

  /** Whether an output of `generation` would be delivered (not one of before a reset, nor after close). */
  wants(generation) {
    return generation === this.#generation && this.state !== 'closed';
  }

  /**
   * Handles an output event, whose payload is the next of `outputs`: taken
   * (converted) only if it will be delivered, after any dequeue event due
   * before it, else dropped. Returns true (it may reach user code).
   */
  output(generation, outputs, size) {
    if (this.#dequeueScheduled) this.#fireDequeue();
    if (this.wants(generation)) this.#onOutput(native.takeOutput(outputs, size > 0 ? this.#spare?.(size) : undefined));
    else native.dropOutput(outputs);
    return true;
  }

  /** Handles one native event; returns whether it reached user code (callbacks, listeners, promise reactions). */
  event(generation, kind, payload) {
    // Each native event is a task queued after any dequeue event already
    // scheduled, so that event fires first: libuv would otherwise run the
    // channel's callbacks (poll phase) before setImmediate (check phase).
    const fired = this.#dequeueScheduled;
    if (fired) this.#fireDequeue();
    if (kind === DONE) {
      if (--this.#inflight === 0) {
        busy.delete(this.#id);
        this.#ops.keepAlive(this.#handle, false);
      }
      if (this.#started) {
        this.#started = false;
        this.#working--;
        this.#take();
      }
      return fired;
    }
    if (generation !== this.#generation || this.state === 'closed') return fired;
    switch (kind) {
      case DEQUEUED:
        // The next DONE ends this input (ImageDecoder's commands take no room).
        this.#started = this.#working > 0;
        return fired;
      case CONFIGURED:
        this.active = this.#configuring.shift() ?? null;
        this.#blocked = false;
        this.#take();
        return fired;
      case FLUSHED: {
        const flush = this.#flushes.get(payload);
        this.#flushes.delete(payload);
        flush?.resolve();
        return true;
      }
      case ERROR:
        this.close(fromNative(payload));
        return true;
    }
    return fired;
  }

  /** "Schedule Dequeue Event": at most one event per task. */
  scheduleDequeue() {
    if (this.#dequeueScheduled) return;
    this.#dequeueScheduled = true;
    setImmediate(() => {
      if (this.#dequeueScheduled) this.#fireDequeue();
    });
  }

  #fireDequeue() {
    this.#dequeueScheduled = false;
    this.#owner.dispatchEvent(new Event('dequeue'));
  }

  requireState(state, method) {
    if (this.state !== state) {
      throw domException(`Cannot call ${method}() on a codec that is ${this.state}`, 'InvalidStateError', this.#owner[method]);
    }
  }

  requireNotClosed(method) {
    if (this.state === 'closed') throw domException(`Cannot call ${method}() on a closed codec`, 'InvalidStateError', this.#owner[method]);
  }

  /**
   * Queues `config` for the addon; `active` becomes this.active when it
   * takes effect, and `capacity` (default: the constructor's) the codec's
   * saturation.
   */
  configure(config, active = config, capacity = this.#defaultCapacity) {
    if (this.state === 'closed') throw domException('Cannot call configure() on a closed codec', 'InvalidStateError', this.#owner.configure);
    this.state = 'configured';
    this.#configuring.push(active);
    this.send((h) => this.#ops.configure(h, config));
    this.#waiting.push(0);
    this.#capacities.push(capacity);
    this.#take();
  }

  flush() {
    if (this.state !== 'configured') {
      return Promise.reject(domException(`Cannot call flush() on a codec that is ${this.state}`, 'InvalidStateError'));
    }
    const id = this.#nextFlush++;
    const promise = new Promise((resolve, reject) => this.#flushes.set(id, { resolve, reject }));
    this.send((h) => this.#ops.flush(h, id));
    return promise;
  }

  /** "Reset" with `exception` (AbortError from reset() and close()). */
  reset(exception = domException('The codec was reset', 'AbortError')) {
    if (this.state === 'closed') throw domException('Cannot call reset() on a closed codec', 'InvalidStateError', this.#owner.reset);
    this.state = 'unconfigured';
    this.send((h) => this.#ops.reset(h));
    this.#abandon(exception);
  }

  #abandon(exception) {
    this.#configuring = [];
    this.#waiting = [0];
    this.#capacities = [];
    this.#working = 0;
    this.#started = false;
    this.#blocked = false;
    if (this.queueSize > 0) {
      this.queueSize = 0;
      this.scheduleDequeue();
    }
    const flushes = [...this.#flushes.values()];
    this.#flushes.clear();
    for (const flush of flushes) flush.reject(exception);
  }

  /** "Close" with `exception`; the error callback hears of anything but AbortError. */
  close(exception = domException('The codec was closed', 'AbortError')) {
    if (this.state === 'closed') return;
    this.state = 'unconfigured';
    this.#abandon(exception);
    this.state = 'closed';
    this.#ops.close(this.#handle);
    busy.delete(this.#id);
    this.#inflight = 0;
    this.#ops.keepAlive(this.#handle, false);
    if (exception.name !== 'AbortError') this.callback(this.#errorCallback, exception);
  }

  /** Runs a user callback; an exception it throws is reported, not swallowed. */
  callback(fn, ...args) {
    try {
      fn(...args);
    } catch (error) {
      reportError(error);
    }
  }
}

/** Adds an `on<type>` EventHandler attribute to a class extending EventTarget. */
function defineEventHandler(cls, type) {
  const handlers = new WeakMap();
  Object.defineProperty(cls.prototype, `on${type}`, {
    configurable: true,
    enumerable: true,
    get() {
      return handlers.get(this)?.value ?? null;
    },
    set(value) {
      let entry = handlers.get(this);
      if (entry === undefined) {
        entry = { value: null };
        handlers.set(this, entry);
        this.addEventListener(type, (event) => {
          if (typeof entry.value === 'function') entry.value.call(this, event);
        });
      }
      entry.value = typeof value === 'function' || (typeof value === 'object' && value !== null) ? value : null;
    },
  });
}

function coreOf(self) {
  const core = cores.get(self);
  if (core === undefined) throw typeError('Illegal invocation: not a codec');
  return core;
}

/**
 * Installs what every codec interface has alike, as own members of its
 * prototype (the WebIDL shape): `state`, the queue size attribute, `flush()`
 * (unless the class defines its own), `reset()`, `close()` and `ondequeue`.
 */
function defineCodecMembers(cls, queueSizeName) {
  const getters = {
    state() { return coreOf(this).state; },
    [queueSizeName]() { return coreOf(this).queueSize; },
  };
  const methods = {
    flush() { return coreOf(this).flush(); },
    reset() { coreOf(this).reset(); },
    close() {
      const core = coreOf(this);
      core.requireNotClosed('close');
      core.close();
    },
  };
  for (const [name, get] of Object.entries(getters)) {
    Object.defineProperty(cls.prototype, name, { get, configurable: true, enumerable: true });
  }
  for (const [name, value] of Object.entries(methods)) {
    if (Object.hasOwn(cls.prototype, name)) continue;
    Object.defineProperty(cls.prototype, name, { value, writable: true, configurable: true, enumerable: true });
  }
  defineEventHandler(cls, 'dequeue');
}

module.exports = { CodecCore, codecOps, checkSupport, callback, defineCodecMembers, scalars, ENCODER_CAPACITY };
