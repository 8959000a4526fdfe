'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { AudioData } = require('..');

const FORMATS = ['u8', 'u8-planar', 's16', 's16-planar', 's32', 's32-planar', 'f32', 'f32-planar'];
const TYPES = { u8: Uint8Array, s16: Int16Array, s32: Int32Array, f32: Float32Array };
const typeOf = (format) => TYPES[format.replace('-planar', '')];

const init = (over = {}) => ({ format: 'f32-planar', sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 1000, data: new Float32Array([0, 0.25, 0.5, 1, 0, -0.25, -0.5, -1]), ...over });

test('AudioData: attributes, duration and the state after close()', () => {
  const data = new AudioData(init({ numberOfFrames: 3, sampleRate: 44100, data: new Float32Array(6), timestamp: -5 }));
  assert.equal(data.format, 'f32-planar');
  assert.equal(data.sampleRate, 44100);
  assert.equal(data.numberOfFrames, 3);
  assert.equal(data.numberOfChannels, 2);
  assert.equal(data.timestamp, -5);
  assert.equal(data.duration, 68); // 3 / 44100 s = 68.03 µs
  assert.equal(Object.prototype.toString.call(data), '[object AudioData]');
  data.close();
  assert.equal(data.format, null);
  assert.equal(data.sampleRate, 0);
  assert.equal(data.numberOfFrames, 0);
  assert.equal(data.numberOfChannels, 0);
  assert.equal(data.duration, 0);
  for (const call of [() => data.allocationSize({ planeIndex: 0 }), () => data.copyTo(new Float32Array(8), { planeIndex: 0 }), () => data.clone()]) {
    assert.throws(call, { name: 'InvalidStateError' });
  }
  data.close(); // close is idempotent
});

test('AudioData: an invalid AudioDataInit is a TypeError', () => {
  const cases = [
    {},
    init({ format: undefined }),
    init({ format: 'f64' }),
    init({ sampleRate: 0 }),
    init({ sampleRate: -48000 }),
    init({ sampleRate: NaN }),
    init({ numberOfFrames: 0 }),
    init({ numberOfChannels: 0 }),
    init({ timestamp: undefined }),
    init({ data: new Float32Array(7) }), // 4 frames × 2 channels need 8 samples
    init({ data: 'samples' }),
  ];
  for (const c of cases) assert.throws(() => new AudioData(c), TypeError, JSON.stringify(c));
});

test('AudioData: the samples are copied, or taken over when transferred', () => {
  const source = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).map((v) => v / 10);
  const copied = new AudioData(init({ data: source }));
  source.fill(0);
  const out = new Float32Array(4);
  copied.copyTo(out, { planeIndex: 1 });
  assert.deepEqual(Array.from(out), [0.5, 0.6, 0.7, 0.8].map(Math.fround));

  const buffer = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
  const moved = new AudioData(init({ data: buffer, transfer: [buffer] }));
  assert.equal(buffer.byteLength, 0, 'the transferred buffer is detached');
  moved.copyTo(out, { planeIndex: 0 });
  assert.deepEqual(Array.from(out), [1, 2, 3, 4]);

  const twice = new ArrayBuffer(32);
  assert.throws(() => new AudioData(init({ data: twice, transfer: [twice, twice] })), { name: 'DataCloneError' });
});

test('AudioData: clone() shares the samples and closes independently', () => {
  const data = new AudioData(init());
  const clone = data.clone();
  data.close();
  assert.equal(clone.numberOfFrames, 4);
  assert.equal(clone.timestamp, 1000);
  const out = new Float32Array(4);
  clone.copyTo(out, { planeIndex: 1 });
  assert.deepEqual(Array.from(out), [0, -0.25, -0.5, -1]);
});

test('AudioData: Compute Copy Element Count — planes, offsets and counts', () => {
  const data = new AudioData(init()); // f32-planar, 4 frames, 2 channels
  assert.equal(data.allocationSize({ planeIndex: 0 }), 16);
  assert.equal(data.allocationSize({ planeIndex: 1, frameOffset: 1 }), 12);
  assert.equal(data.allocationSize({ planeIndex: 0, frameOffset: 1, frameCount: 2 }), 8);
  assert.equal(data.allocationSize({ planeIndex: 0, format: 's16' }), 16, 'interleaved: frames × channels × 2 bytes');
  assert.equal(data.allocationSize({ planeIndex: 0, format: 'u8-planar' }), 4);
  assert.throws(() => data.allocationSize({}), TypeError, 'planeIndex is required');
  assert.throws(() => data.allocationSize({ planeIndex: 2 }), RangeError);
  assert.throws(() => data.allocationSize({ planeIndex: 1, format: 'f32' }), RangeError, 'interleaved has one plane');
  assert.throws(() => data.allocationSize({ planeIndex: 0, frameOffset: 4 }), RangeError);
  assert.throws(() => data.allocationSize({ planeIndex: 0, frameOffset: 1, frameCount: 4 }), RangeError);
  assert.throws(() => data.allocationSize({ planeIndex: 0, format: 'f64' }), TypeError);
  assert.throws(() => data.copyTo(new Float32Array(3), { planeIndex: 0 }), RangeError, 'destination too small');
  const out = new Float32Array(2);
  data.copyTo(out, { planeIndex: 1, frameOffset: 2, frameCount: 2 });
  assert.deepEqual(Array.from(out), [-0.5, -1]);
  const interleaved = new Float32Array(8);
  data.copyTo(interleaved, { planeIndex: 0, format: 'f32' });
  assert.deepEqual(Array.from(interleaved), [0, 0, 0.25, -0.25, 0.5, -0.5, 1, -1]);
  // Same format (copied straight from the samples), from a view that does not start its buffer.
  const backing = new Int16Array([99, 1, 2, 3, 4, 5, 6, 7, 8]);
  const s16 = new AudioData({ format: 's16', sampleRate: 8000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 0, data: backing.subarray(1) });
  const part = new Int16Array(5).fill(-1);
  s16.copyTo(part, { planeIndex: 0, frameOffset: 1, frameCount: 2 });
  assert.deepEqual(Array.from(part), [3, 4, 5, 6, -1], 'frames 1-2 only; the rest of the destination untouched');
  const planar = new AudioData({ format: 's16-planar', sampleRate: 8000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 0, data: backing.subarray(1) });
  const plane = new Int16Array(3);
  planar.copyTo(plane, { planeIndex: 1, frameOffset: 1 });
  assert.deepEqual(Array.from(plane), [6, 7, 8]);
});

test('AudioData: every format converts to every other; integers come back from f32 within one step, as in Chrome', () => {
  // Full-scale, zero and in-between values for each integer type.
  const values = {
    u8: [0, 1, 64, 127, 128, 129, 200, 255],
    s16: [-32768, -32767, -12345, -1, 0, 1, 777, 32767],
    s32: [-2147483648, -1073741824, -65536, -1, 0, 65536, 1073741824, 2147483647],
    f32: [-1, -0.75, -0.5, -0.001, 0, 0.001, 0.5, 1],
  };
  for (const from of FORMATS) {
    const type = from.replace('-planar', '');
    const frames = 4;
    const channels = 2;
    // Source layout: planar holds channel 0 then channel 1; interleaved alternates.
    const planar = values[type]; // channel 0 = first 4, channel 1 = last 4
    const source = from.endsWith('-planar') ? planar : [0, 1, 2, 3].flatMap((i) => [planar[i], planar[4 + i]]);
    const data = new AudioData({ format: from, sampleRate: 8000, numberOfFrames: frames, numberOfChannels: channels, timestamp: 0, data: new (typeOf(from))(source) });
    const asFloat = new Float32Array(8);
    data.copyTo(asFloat.subarray(0, 4), { planeIndex: 0, format: 'f32-planar' });
    data.copyTo(asFloat.subarray(4), { planeIndex: 1, format: 'f32-planar' });
    // The extremes map to ±1 and the zero point to 0.
    assert.equal(Math.min(...asFloat), -1, `${from}: minimum`);
    assert.equal(Math.max(...asFloat), 1, `${from}: maximum`);
    for (const to of FORMATS) {
      const out = new (typeOf(to))(data.allocationSize({ planeIndex: 0, format: to }) / typeOf(to).BYTES_PER_ELEMENT);
      data.copyTo(out, { planeIndex: 0, format: to });
      const expected = to.endsWith('-planar') ? 4 : 8;
      assert.equal(out.length, expected, `${from} → ${to}: element count`);
    }
    // Back from f32 to the source format: Chrome's truncating conversion
    // gives the same samples or one step toward zero (777 → 776 in s16).
    const back = new AudioData({ format: 'f32-planar', sampleRate: 8000, numberOfFrames: frames, numberOfChannels: channels, timestamp: 0, data: asFloat });
    const round = new (typeOf(from))(8);
    back.copyTo(round, { planeIndex: 0, format: from.endsWith('-planar') ? `${type}-planar` : type });
    if (from.endsWith('-planar')) back.copyTo(round.subarray(4), { planeIndex: 1, format: from });
    const want = new (typeOf(from))(source);
    const step = type === 's32' ? 256 : type === 'f32' ? 0 : 1; // f32 holds 24 bits of an s32
    round.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= step, `${from} → f32 → ${from}: ${want[i]} came back as ${v}`));
    // The extremes come back exactly.
    assert.equal(Math.min(...round), Math.min(...want), `${from}: minimum`);
    assert.equal(Math.max(...round), Math.max(...want), `${from}: maximum`);
  }
});

test('AudioData: f32 to integers clips, scales in single precision and truncates, as Chrome', () => {
  // Chrome's answers for these values (test/oracle/audio.js).
  const floats = [-1.5, -1, -0.75, -0.5, -0.25, -1e-5, 0, 1e-5, 0.25, 0.5, 0.75, 1, 1.5, NaN];
  const data = new AudioData({ format: 'f32', sampleRate: 8000, numberOfFrames: floats.length, numberOfChannels: 1, timestamp: 0, data: new Float32Array(floats) });
  const as = (Type, format) => {
    const out = new Type(floats.length);
    data.copyTo(out, { planeIndex: 0, format });
    return Array.from(out);
  };
  assert.deepEqual(as(Int16Array, 's16'), [-32768, -32768, -24576, -16384, -8192, 0, 0, 0, 8191, 16383, 24575, 32767, 32767, 0]);
  assert.deepEqual(as(Uint8Array, 'u8'), [0, 0, 32, 64, 96, 127, 128, 128, 159, 191, 223, 255, 255, 0]);
  assert.deepEqual(as(Int32Array, 's32'), [-2147483648, -2147483648, -1610612736, -1073741824, -536870912, -21474, 0, 21474, 536870912, 1073741824, 1610612736, 2147483647, 2147483647, -2147483648]);
  assert.deepEqual(as(Float32Array, 'f32-planar').slice(0, 2), [-1.5, -1], 'floats are not clipped');
});

test('EncodedAudioChunk: members, copyTo, transfer and errors', () => {
  const { EncodedAudioChunk, EncodedVideoChunk } = require('..');
  const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
  const chunk = new EncodedAudioChunk({ type: 'key', timestamp: -20, duration: 20000, data: buffer, transfer: [buffer] });
  assert.equal(buffer.byteLength, 0, 'transferred');
  assert.deepEqual([chunk.type, chunk.timestamp, chunk.duration, chunk.byteLength], ['key', -20, 20000, 4]);
  assert.equal(Object.prototype.toString.call(chunk), '[object EncodedAudioChunk]');
  assert.ok(!(chunk instanceof EncodedVideoChunk));
  const out = new Uint8Array(4);
  chunk.copyTo(out);
  assert.deepEqual(Array.from(out), [1, 2, 3, 4]);
  assert.throws(() => chunk.copyTo(new Uint8Array(3)), TypeError);
  assert.equal(new EncodedAudioChunk({ type: 'delta', timestamp: 0, data: new Uint8Array(1) }).duration, null);
  assert.throws(() => new EncodedAudioChunk({ type: 'other', timestamp: 0, data: new Uint8Array(1) }), TypeError);
  assert.throws(() => new EncodedAudioChunk({ type: 'key', data: new Uint8Array(1) }), TypeError);
  const twice = new ArrayBuffer(2);
  assert.throws(() => new EncodedAudioChunk({ type: 'key', timestamp: 0, data: twice, transfer: [twice, twice] }), { name: 'DataCloneError' });
  // A video chunk is not an audio chunk for AudioDecoder.decode().
  const { AudioDecoder } = require('..');
  const decoder = new AudioDecoder({ output() {}, error() {} });
  decoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
  assert.throws(() => decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array(1) })), TypeError);
  decoder.close();
});
