'use strict';
// toTransferable / fromTransferable (issue 13 item 3): VideoFrames move to
// another worker_thread without their pixels being copied, AudioData with its
// sample buffer moved, chunks by their bytes; and what is never received is
// released.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const webcodecs = require('..');
const native = require('../lib/native');

const { VideoFrame, AudioData, EncodedVideoChunk, EncodedAudioChunk, toTransferable, fromTransferable } = webcodecs;
const ROOT = path.join(__dirname, '..');
const MB = 1 << 20;
require('node:v8').setFlagsFromString('--expose-gc');
const gc = require('node:vm').runInNewContext('gc');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A worker that runs `body` (an async function of the first message) and posts back what it returns. */
function worker(body) {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const webcodecs = require(${JSON.stringify(ROOT)});
    const { toTransferable, fromTransferable } = webcodecs;
    parentPort.postMessage('ready');
    parentPort.once('message', async (message) => {
      try {
        const result = await (${body})(message);
        parentPort.postMessage({ ok: true, result: result.value ?? result, }, result.transfer ?? []);
      } catch (e) {
        parentPort.postMessage({ ok: false, error: e.name + ': ' + e.message });
      }
    });`;
  const w = new Worker(code, { eval: true });
  w.ready = new Promise((resolve) => w.once('message', resolve));
  return w;
}

function ask(w, message, transfer) {
  return new Promise((resolve, reject) => {
    w.once('message', (reply) => (reply.ok ? resolve(reply.result) : reject(new Error(reply.error))));
    w.once('error', reject);
    w.postMessage(message, transfer);
  });
}

async function waitUntil(predicate, what, ms = 5000) {
  for (let waited = 0; !predicate(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting until ${what}`);
    gc();
    await sleep(20);
  }
}

function uhd(seed) {
  const W = 3840, H = 2160;
  const data = new Uint8Array((W * H * 3) / 2);
  for (let i = 0; i < data.length; i += 97) data[i] = (i + seed) & 255;
  return { data, frame: new VideoFrame(data, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 1234, duration: 40000, colorSpace: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false } }) };
}

const sum = (bytes) => {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 97) s = (s + bytes[i] * (i % 1009)) % 1e9;
  return s;
};

test('a 4K VideoFrame moves to a worker without a copy of its pixels, and the source is closed', async (t) => {
  const w = worker(`async (value) => {
    const before = process.memoryUsage().rss;
    const frame = fromTransferable(value);
    const taken = process.memoryUsage().rss - before;
    const received = performance.timeOrigin + performance.now();
    const bytes = new Uint8Array(frame.allocationSize());
    await frame.copyTo(bytes);
    let s = 0;
    for (let i = 0; i < bytes.length; i += 97) s = (s + bytes[i] * (i % 1009)) % 1e9;
    const info = { format: frame.format, codedWidth: frame.codedWidth, displayHeight: frame.displayHeight, timestamp: frame.timestamp,
      duration: frame.duration, colorSpace: frame.colorSpace.toJSON(), visibleRect: frame.visibleRect.toJSON() };
    frame.close();
    return { taken, received, sum: s, info };
  }`);
  t.after(() => w.terminate());
  const { data, frame } = uhd(7);
  await w.ready;
  const value = toTransferable(frame);
  assert.equal(frame.format, null, 'the source is closed, as the spec\'s transfer closes it');
  assert.equal(native.transferParked(), 1);
  const sent = performance.timeOrigin + performance.now();
  const reply = await ask(w, value, value.transfer);
  assert.equal(reply.sum, sum(data));
  assert.deepEqual(reply.info, {
    format: 'I420', codedWidth: 3840, displayHeight: 2160, timestamp: 1234, duration: 40000,
    colorSpace: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false },
    visibleRect: { x: 0, y: 0, width: 3840, height: 2160, top: 0, right: 3840, bottom: 2160, left: 0 },
  });
  // 12 MB of pixels: taking the frame in the worker allocated none of them.
  assert.ok(reply.taken < 2 * MB, `taking the frame grew RSS by ${(reply.taken / MB).toFixed(1)} MB`);
  assert.equal(native.transferParked(), 0);
  t.diagnostic(`4K I420 frame (12 MB) from toTransferable to fromTransferable in a worker: ${(reply.received - sent).toFixed(2)} ms, RSS +${(reply.taken / MB).toFixed(2)} MB in the receiver`);
});

test('{clone: true} keeps the source open, sharing its pixels with the copy the worker gets', async (t) => {
  const w = worker(`async (value) => {
    const frame = fromTransferable(value);
    const bytes = new Uint8Array(frame.allocationSize());
    await frame.copyTo(bytes);
    frame.close();
    let s = 0;
    for (let i = 0; i < bytes.length; i += 97) s = (s + bytes[i] * (i % 1009)) % 1e9;
    return s;
  }`);
  t.after(() => w.terminate());
  const { data, frame } = uhd(3);
  await w.ready;
  const value = toTransferable(frame, { clone: true });
  assert.equal(frame.format, 'I420');
  assert.equal(await ask(w, value, value.transfer), sum(data));
  const bytes = new Uint8Array(frame.allocationSize());
  await frame.copyTo(bytes);
  assert.equal(sum(bytes), sum(data), 'the source still reads after the worker closed its frame');
  frame.close();
});

test('a frame arrives with its metadata (the spec serializes every internal slot)', async (t) => {
  const w = worker(`async (value) => {
    const frame = fromTransferable(value);
    const m = frame.metadata();
    frame.close();
    return m;
  }`);
  t.after(() => w.terminate());
  await w.ready;
  const frame = new VideoFrame(new Uint8Array(16 * 16 * 4), { format: 'RGBA', codedWidth: 16, codedHeight: 16, timestamp: 0, metadata: { rtpTimestamp: 3000 } });
  const value = toTransferable(frame);
  assert.deepEqual(await ask(w, value, value.transfer), { rtpTimestamp: 3000 });
});

test('a frame is received once; nothing received is released: undelivered, unposted, or posted to a worker that ends', async () => {
  const small = () => new VideoFrame(new Uint8Array(64 * 48 * 4), { format: 'RGBA', codedWidth: 64, codedHeight: 48, timestamp: 0 });
  // Taken twice in the same thread: the second is a DataCloneError.
  const value = toTransferable(small());
  fromTransferable(value).close();
  assert.throws(() => fromTransferable(value), { name: 'DataCloneError' });
  // Never posted: released once the value is collected.
  (() => {
    for (let i = 0; i < 10; i++) toTransferable(small());
  })();
  await waitUntil(() => native.transferParked() === 0, 'unposted values are released');
  // Posted to a worker that ends before reading its messages.
  const w = new Worker('setTimeout(() => process.exit(0), 50)', { eval: true });
  for (let i = 0; i < 10; i++) {
    const v = toTransferable(small());
    w.postMessage(v, v.transfer);
  }
  assert.equal(native.transferParked(), 10);
  await new Promise((resolve) => w.once('exit', resolve));
  await waitUntil(() => native.transferParked() === 0, 'undelivered frames are released');
  // Closed and wrong values.
  const closed = small();
  closed.close();
  assert.throws(() => toTransferable(closed), { name: 'DataCloneError' });
  assert.throws(() => toTransferable({}), { name: 'TypeError' });
  assert.throws(() => fromTransferable({ webcodecs: 'Nothing' }), { name: 'TypeError' });
});

test('AudioData moves with its sample buffer; one shared with a clone is copied; chunks travel by their bytes', async (t) => {
  const w = worker(`async (values) => {
    const out = [];
    for (const value of values) {
      const media = fromTransferable(value);
      if (media.constructor.name === 'AudioData') {
        const samples = new Float32Array(media.numberOfFrames * media.numberOfChannels);
        media.copyTo(samples, { planeIndex: 0 });
        out.push({ kind: 'audio', format: media.format, sampleRate: media.sampleRate, frames: media.numberOfFrames, channels: media.numberOfChannels, timestamp: media.timestamp, samples: Array.from(samples.slice(0, 4)) });
      } else {
        const bytes = new Uint8Array(media.byteLength);
        media.copyTo(bytes);
        out.push({ kind: media.constructor.name, type: media.type, timestamp: media.timestamp, duration: media.duration, bytes: Array.from(bytes) });
      }
      media.close?.();
    }
    return out;
  }`);
  t.after(() => w.terminate());
  const buffer = new Float32Array([0.5, -0.25, 0.125, 1, 0, 0, 0, 0]).buffer;
  const moved = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 99, data: buffer, transfer: [buffer] });
  const movedValue = toTransferable(moved);
  assert.equal(moved.format, null);
  const shared = new AudioData({ format: 'f32', sampleRate: 44100, numberOfFrames: 4, numberOfChannels: 2, timestamp: 5, data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]) });
  const twin = shared.clone();
  const sharedValue = toTransferable(shared);
  const chunk = new EncodedVideoChunk({ type: 'key', timestamp: 7, duration: 33, data: new Uint8Array([1, 2, 3]) });
  const audioChunk = new EncodedAudioChunk({ type: 'delta', timestamp: 8, data: new Uint8Array([9, 8]) });
  const values = [movedValue, sharedValue, toTransferable(chunk), toTransferable(audioChunk)];
  await w.ready;
  const reply = await ask(w, values, values.flatMap((v) => v.transfer));
  // The moved AudioData's buffer went with the message: detached here.
  assert.equal(movedValue.data.byteLength, 0);
  assert.deepEqual(reply, [
    { kind: 'audio', format: 'f32', sampleRate: 48000, frames: 4, channels: 2, timestamp: 99, samples: [0.5, -0.25, 0.125, 1] },
    { kind: 'audio', format: 'f32', sampleRate: 44100, frames: 4, channels: 2, timestamp: 5, samples: [1, 2, 3, 4] },
    { kind: 'EncodedVideoChunk', type: 'key', timestamp: 7, duration: 33, bytes: [1, 2, 3] },
    { kind: 'EncodedAudioChunk', type: 'delta', timestamp: 8, duration: null, bytes: [9, 8] },
  ]);
  // The clone that shared the samples still has them; chunks are left as they were.
  const kept = new Float32Array(8);
  twin.copyTo(kept, { planeIndex: 0 });
  assert.deepEqual(Array.from(kept), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(chunk.byteLength, 3);
});
