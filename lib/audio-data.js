'use strict';
// AudioData: audio samples in one of eight formats, held in JavaScript memory
// (an ArrayBuffer shared by clones). copyTo() converts between every pair of
// formats. The conversions are Chrome's (the specification leaves them open;
// test/oracle/audio.js compares them): integers map to floats with the zero
// point at 0, the minimum at -1 and the maximum at +1, scaled separately below
// and above zero; floats stored as integers are clipped to [-1, 1], scaled in
// single precision and truncated toward zero.
const webidl = require('./webidl');
const { typeError, rangeError, domException } = require('./errors');
const { adoptBytes } = require('./encoded-video-chunk');

const FORMATS = ['u8', 'u8-planar', 's16', 's16-planar', 's32', 's32-planar', 'f32', 'f32-planar'];
const TYPES = { u8: Uint8Array, s16: Int16Array, s32: Int32Array, f32: Float32Array };
const FIXED = {
  u8: { min: 0, zero: 128, max: 255 },
  s16: { min: -32768, zero: 0, max: 32767 },
  s32: { min: -2147483648, zero: 0, max: 2147483647 },
};

// Looked up, not computed: copyTo() asks several times per call.
const SAMPLE_TYPE = Object.fromEntries(FORMATS.map((f) => [f, f.replace('-planar', '')]));
// How a format crosses to the addon: its index in the enum.
const FORMAT_INDEX = Object.fromEntries(FORMATS.map((f, i) => [f, i]));
const sampleType = (format) => SAMPLE_TYPE[format];
const isPlanar = (format) => format !== SAMPLE_TYPE[format];
const bytesPerSample = (format) => TYPES[SAMPLE_TYPE[format]].BYTES_PER_ELEMENT;

/**
 * A function reading a sample of type `from` as a float, or null when `from`
 * is f32. As Chrome's: single precision, multiplying by the inverse scale.
 */
function toFloat(from) {
  const f = FIXED[from];
  if (!f) return null;
  const below = Math.fround(1 / Math.fround(f.zero - f.min));
  const above = Math.fround(1 / Math.fround(f.max - f.zero));
  return (v) => {
    const offset = Math.fround(v - f.zero);
    return Math.fround(offset * (offset < 0 ? below : above));
  };
}

/**
 * A function storing a float as a sample of type `to`, or null when `to` is
 * f32. As Chrome's: single-precision scaling, truncation, and NaN becoming
 * what x86's conversion of NaN (0x80000000) leaves in the type.
 */
function fromFloat(to) {
  const f = FIXED[to];
  if (!f) return null;
  const below = Math.fround(f.zero - f.min);
  const above = Math.fround(f.max - f.zero);
  const nan = to === 's32' ? f.min : 0;
  return (v) => {
    if (Number.isNaN(v)) return nan;
    if (v < 0) return v <= -1 ? f.min : Math.trunc(Math.fround(Math.fround(v * below) + f.zero));
    return v >= 1 ? f.max : Math.min(f.max, Math.trunc(Math.fround(Math.fround(v * above) + f.zero)));
  };
}

/** The typed view of a state's samples (its bytes are always aligned). */
function samplesOf(state) {
  const Type = TYPES[sampleType(state.format)];
  return new Type(state.bytes.buffer, state.bytes.byteOffset, state.frames * state.channels);
}

/** "Compute Copy Element Count", plus what copyTo needs. */
function copyPlan(state, options, from) {
  const o = webidl.dictionary(options, 'AudioDataCopyToOptions');
  const planeIndex = webidl.unsignedLong(webidl.required(o, 'planeIndex', 'AudioDataCopyToOptions'), 'planeIndex');
  const frameOffset = o.frameOffset === undefined ? 0 : webidl.unsignedLong(o.frameOffset, 'frameOffset');
  const frameCount = o.frameCount === undefined ? undefined : webidl.unsignedLong(o.frameCount, 'frameCount');
  const format = o.format === undefined ? state.format : webidl.enumeration(o.format, 'format', FORMATS);
  if (!isPlanar(format) && planeIndex > 0) throw rangeError(`planeIndex ${planeIndex} is out of range: ${format} has one plane`, from);
  if (isPlanar(format) && planeIndex >= state.channels) {
    throw rangeError(`planeIndex ${planeIndex} is out of range: the data has ${state.channels} channels`, from);
  }
  if (frameOffset >= state.frames) throw rangeError(`frameOffset ${frameOffset} is not below numberOfFrames (${state.frames})`, from);
  let count = state.frames - frameOffset;
  if (frameCount !== undefined) {
    if (frameCount > count) throw rangeError(`frameCount ${frameCount} exceeds the ${count} frames after frameOffset`, from);
    count = frameCount;
  }
  const elements = isPlanar(format) ? count : count * state.channels;
  return { format, planeIndex, frameOffset, count, elements, bytes: elements * bytesPerSample(format) };
}

/**
 * Integer samples to floats, the conversion decoders' outputs mostly need:
 * one loop without per-sample calls (the same values as toFloat()).
 */
function intsToFloats(src, from, out, channels, planeChannels, first, step, count) {
  const f = FIXED[from];
  const below = Math.fround(1 / Math.fround(f.zero - f.min));
  const above = Math.fround(1 / Math.fround(f.max - f.zero));
  for (let c = 0; c < planeChannels.length; c++) {
    let at = first(planeChannels[c]);
    for (let i = 0; i < count; i++, at += step) {
      const offset = Math.fround(src[at] - f.zero);
      // A float times a float is exact in a double; the store rounds it once, as single precision does.
      out[i * planeChannels.length + c] = offset * (offset < 0 ? below : above);
    }
  }
}

/**
 * The planned samples as a view of the state's own bytes when the copy
 * converts nothing (same sample type and layout): copyTo then copies once,
 * with no intermediate array (what a decoder's consumer does for every output).
 */
function directBytes(state, plan) {
  if (plan.format !== state.format) return null;
  const size = bytesPerSample(state.format);
  const first = isPlanar(state.format) ? plan.planeIndex * state.frames + plan.frameOffset : plan.frameOffset * state.channels;
  return state.bytes.subarray(first * size, first * size + plan.bytes);
}

/** Copies (and converts) the planned samples into a new typed array of the destination type. */
function copySamples(state, plan) {
  const src = samplesOf(state);
  const out = new TYPES[sampleType(plan.format)](plan.elements);
  const from = sampleType(state.format);
  if (FIXED[from] && sampleType(plan.format) === 'f32') {
    const { channels, frames } = state;
    const srcPlanar = isPlanar(state.format);
    const first = srcPlanar ? (ch) => ch * frames + plan.frameOffset : (ch) => plan.frameOffset * channels + ch;
    const wanted = isPlanar(plan.format) ? [plan.planeIndex] : Array.from({ length: channels }, (_, ch) => ch);
    intsToFloats(src, from, out, channels, wanted, first, srcPlanar ? 1 : channels, plan.count);
    return out;
  }
  const read = toFloat(sampleType(state.format));
  const write = fromFloat(sampleType(plan.format));
  const same = sampleType(state.format) === sampleType(plan.format);
  const convert = same ? (v) => v : (v) => {
    const f = read ? read(v) : v;
    return write ? write(f) : f;
  };
  const { channels, frames } = state;
  const srcPlanar = isPlanar(state.format);
  const at = srcPlanar ? (ch, i) => src[ch * frames + i] : (ch, i) => src[i * channels + ch];
  if (isPlanar(plan.format)) {
    const ch = plan.planeIndex;
    if (same && srcPlanar) {
      out.set(src.subarray(ch * frames + plan.frameOffset, ch * frames + plan.frameOffset + plan.count));
    } else {
      for (let i = 0; i < plan.count; i++) out[i] = convert(at(ch, plan.frameOffset + i));
    }
  } else if (same && !srcPlanar) {
    out.set(src.subarray(plan.frameOffset * channels, (plan.frameOffset + plan.count) * channels));
  } else {
    for (let i = 0; i < plan.count; i++) {
      for (let ch = 0; ch < channels; ch++) out[i * channels + ch] = convert(at(ch, plan.frameOffset + i));
    }
  }
  return out;
}

// Buffers of closed AudioData, by size, which later AudioData of that size
// take instead of allocating: the constructor copies into one, and the
// addon fills one with a decoder output. A consumer that copies each output
// out and closes it, or a producer that makes each input and closes it once
// encoded, then works in the same few buffers: no allocation, no fresh
// pages to fault in, no garbage for the collector, where a minute of 48 kHz
// stereo made 23 MB of buffers that stayed until the next collection. At most MAX_SPARE_BYTES
// wait, and they are dropped once none has been taken for TRIM_MS.
const spares = new Map();
const MAX_SPARE_BYTES = 1 << 20;
const TRIM_MS = 1000;
let spareBytes = 0;
let spareTaken = false;
let trimTimer = null;

/** A spare ArrayBuffer of `size` bytes, or undefined. */
function takeSpare(size) {
  const list = spares.get(size);
  if (list === undefined || list.length === 0) return undefined;
  spareBytes -= size;
  spareTaken = true;
  return list.pop();
}

function giveSpare(buffer) {
  const size = buffer.byteLength;
  // Zero: detached, or an empty output; neither can be filled.
  if (size === 0 || spareBytes + size > MAX_SPARE_BYTES) return;
  let list = spares.get(size);
  if (list === undefined) spares.set(size, (list = []));
  list.push(buffer);
  spareBytes += size;
  if (trimTimer === null) {
    trimTimer = setTimeout(trimSpares, TRIM_MS);
    trimTimer.unref();
  }
}

function trimSpares() {
  trimTimer = null;
  if (!spareTaken) {
    spares.clear();
    spareBytes = 0;
    return;
  }
  spareTaken = false;
  trimTimer = setTimeout(trimSpares, TRIM_MS);
  trimTimer.unref();
}

/** Library-internal: `{state, timestamp}` of an AudioData (state null once closed), or null. */
const audioDataState = (data) => stateOf(data);

let stateOf;
let fromState;
/** Passed to the constructor by fromState(): an AudioData whose slots are set afterwards. */
const INTERNAL = Symbol('internal');

class AudioData {
  /** {format, sampleRate, frames, channels, timestamp, bytes}, or null once closed. */
  #state;
  #timestamp;

  constructor(init) {
    if (init === INTERNAL) return;
    const d = webidl.dictionary(init, 'AudioDataInit');
    const data = webidl.bufferSource(webidl.required(d, 'data', 'AudioDataInit'), 'data');
    const format = webidl.enumeration(webidl.required(d, 'format', 'AudioDataInit'), 'format', FORMATS);
    const channels = webidl.unsignedLong(webidl.required(d, 'numberOfChannels', 'AudioDataInit'), 'numberOfChannels');
    const frames = webidl.unsignedLong(webidl.required(d, 'numberOfFrames', 'AudioDataInit'), 'numberOfFrames');
    // `float`: finite, single precision.
    const sampleRate = Math.fround(webidl.double(webidl.required(d, 'sampleRate', 'AudioDataInit'), 'sampleRate'));
    const timestamp = webidl.longLong(webidl.required(d, 'timestamp', 'AudioDataInit'), 'timestamp');
    // "valid AudioDataInit"
    if (!(sampleRate > 0)) throw typeError(`\`sampleRate\` must be positive, got ${sampleRate}`, AudioData);
    if (frames === 0) throw typeError('`numberOfFrames` must be non-zero', AudioData);
    if (channels === 0) throw typeError('`numberOfChannels` must be non-zero', AudioData);
    const size = frames * channels * bytesPerSample(format);
    if (data.byteLength < size) {
      throw typeError(`\`data\` has ${data.byteLength} bytes; ${frames} frames of ${channels} ${format} channels need ${size}`, AudioData);
    }
    let bytes;
    let recyclable = false;
    if (d.transfer === undefined) {
      // The common case: a copy of the samples, into a spare when one waits.
      const spare = takeSpare(size);
      bytes = spare === undefined ? new Uint8Array(size) : new Uint8Array(spare);
      bytes.set(data.byteLength === size ? data : data.subarray(0, size));
      recyclable = true;
    } else {
      bytes = adoptBytes(d.data, d.transfer, AudioData).subarray(0, size);
      // Typed views need alignment; a transferred buffer may not have it.
      if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes);
    }
    // Kept as a whole number of Hz, as Chrome keeps it.
    this.#state = { format, sampleRate: Math.trunc(sampleRate), frames, channels, bytes, recyclable };
    this.#timestamp = timestamp;
  }

  get format() { return this.#state?.format ?? null; }
  get sampleRate() { return this.#state?.sampleRate ?? 0; }
  get numberOfFrames() { return this.#state?.frames ?? 0; }
  get numberOfChannels() { return this.#state?.channels ?? 0; }
  get timestamp() { return this.#timestamp; }

  get duration() {
    const s = this.#state;
    return s ? Math.trunc((s.frames / s.sampleRate) * 1_000_000) : 0;
  }

  allocationSize(options) {
    const state = this.#live('allocationSize');
    return copyPlan(state, options, this.allocationSize).bytes;
  }

  copyTo(destination, options) {
    const state = this.#live('copyTo');
    const dest = webidl.bytesOf(destination);
    if (!dest) throw typeError(`Expected an ArrayBuffer or ArrayBufferView for \`destination\` but received ${webidl.describe(destination)}`, this.copyTo);
    const plan = copyPlan(state, options, this.copyTo);
    if (plan.bytes > dest.byteLength) throw rangeError(`\`destination\` has ${dest.byteLength} bytes but the copy needs ${plan.bytes}`, this.copyTo);
    const same = directBytes(state, plan);
    if (same !== null) {
      dest.set(same);
      return;
    }
    const out = copySamples(state, plan);
    dest.set(new Uint8Array(out.buffer, 0, plan.bytes));
  }

  clone() {
    const state = this.#live('clone');
    // How many open AudioData share these samples (toTransferable moves
    // them only when one does).
    state.holders = (state.holders ?? 1) + 1;
    return fromState(state, this.#timestamp);
  }

  close() {
    const state = this.#state;
    if (state === null) return;
    this.#state = null;
    state.holders = (state.holders ?? 1) - 1;
    if (state.holders === 0 && state.recyclable) giveSpare(state.bytes.buffer);
  }

  #live(method) {
    if (this.#state === null) throw domException(`Cannot call ${method}() on a closed AudioData`, 'InvalidStateError', this[method]);
    return this.#state;
  }

  get [Symbol.toStringTag]() { return 'AudioData'; }

  static {
    // Library-internal access, without members users could see.
    stateOf = (data) => (data !== null && typeof data === 'object' && #state in data ? { state: data.#state, timestamp: data.#timestamp } : null);
    fromState = (state, timestamp) => {
      const data = new AudioData(INTERNAL);
      data.#state = state;
      data.#timestamp = timestamp;
      return data;
    };
  }
}

// WebIDL members are enumerable.
for (const name of ['format', 'sampleRate', 'numberOfFrames', 'numberOfChannels', 'timestamp', 'duration', 'allocationSize', 'copyTo', 'clone', 'close']) {
  Object.defineProperty(AudioData.prototype, name, { ...Object.getOwnPropertyDescriptor(AudioData.prototype, name), enumerable: true });
}

/**
 * An AudioData's samples as they are (its bytes, no copy, and format, also as
 * its index in the enum), with its rate, frames, channels and timestamp;
 * null if it is not an AudioData, `{closed: true}` if it is closed. The
 * encoder copies the bytes and converts them on its own thread.
 */
function audioDataSamples(data) {
  const found = stateOf(data);
  if (found === null) return null;
  const { state, timestamp } = found;
  if (state === null) return { closed: true };
  return { bytes: state.bytes, format: state.format, formatIndex: FORMAT_INDEX[state.format], sampleRate: state.sampleRate, frames: state.frames, channels: state.channels, timestamp };
}

/**
 * An AudioData around a decoder output in the decoder's own format (`format`
 * an index into FORMATS; the ArrayBuffer is adopted, not copied). Nothing
 * else sees that buffer, so closing the last AudioData that holds it makes
 * it a spare for a later output (unless it was transferred meanwhile).
 */
function audioDataFromNative(format, sampleRate, frames, channels, timestamp, data) {
  return fromState({ format: FORMATS[format], sampleRate, frames, channels, bytes: new Uint8Array(data), recyclable: true }, timestamp);
}

module.exports = { AudioData, audioDataSamples, audioDataFromNative, audioDataState, takeSpare };
