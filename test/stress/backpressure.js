'use strict';
// Backpressure: a producer that ignores the queue sizes and queues 10,000
// inputs at once on each kind of codec. The spec has no error for that, so
// there must be none; every input must come out (video: one frame or chunk
// each, in order), the queue size must read exactly the number queued right
// after queuing, only fall after that, and be 0 when the flush resolves, with
// dequeue events along the way; and memory must stay within what was queued
// (plus a fixed allowance), not grow past it.
//
//   node test/stress/backpressure.js [--scale F]
const assert = require('node:assert/strict');
const webcodecs = require('../..');
const { scaled, steps, withTimeout } = require('./fuzz-common');
const { rows, tone, W, H } = require('./matrix');
const { patternFrame } = require('../helpers');

const MB = 1024 * 1024;

/** Queues `inputs` on `codec` at once and watches it drain. */
async function flood(codec, sizeKey, inputs, submit) {
  let events = 0;
  let last = Infinity;
  let rose = false;
  codec.addEventListener('dequeue', () => {
    events++;
    if (codec[sizeKey] > last) rose = true;
    last = codec[sizeKey];
  });
  const before = process.memoryUsage.rss();
  for (const input of inputs) submit(input);
  const queued = codec[sizeKey];
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20);
  await withTimeout(codec.flush(), `flush after ${inputs.length} queued`).finally(() => clearInterval(timer));
  return { queued, after: codec[sizeKey], events, rose, peakAboveMB: Math.round((peak - before) / MB) };
}

/**
 * Floods `row`'s encoder with `count` inputs made by `input(i)`, then its
 * decoder with every chunk; `onOutput` sees each decoded output (closed after).
 */
async function encodeThenDecode(row, count, input, onOutput) {
  const video = row.kind === 'video';
  const chunks = [];
  let decoderConfig;
  let failure = null;
  const fail = (e) => { failure ??= e; };
  const encoder = new (video ? webcodecs.VideoEncoder : webcodecs.AudioEncoder)({ output: (c, m) => { chunks.push(c); decoderConfig ??= m?.decoderConfig; }, error: fail });
  encoder.configure(row.config);
  const enc = await flood(encoder, 'encodeQueueSize', Array.from({ length: count }, (_, i) => i), (i) => {
    const data = input(i);
    encoder.encode(data, video ? { keyFrame: i === 0 } : undefined);
    data.close();
  });
  encoder.close();
  if (failure) throw failure;
  const decoder = new (video ? webcodecs.VideoDecoder : webcodecs.AudioDecoder)({ output: (o) => { onOutput(o); o.close(); }, error: fail });
  decoder.configure(decoderConfig);
  const dec = await flood(decoder, 'decodeQueueSize', chunks, (c) => decoder.decode(c));
  decoder.close();
  if (failure) throw failure;
  check(row.name, enc, count);
  check(row.name, dec, chunks.length);
  return { enc, dec, chunks: chunks.length };
}

async function videoRow(row, count) {
  // Pixels as a producer has them: in its own buffers, copied into each frame.
  const pictures = Array.from({ length: 30 }, (_, i) => {
    const f = patternFrame(W, H, i, 0);
    const bytes = new Uint8Array(f.allocationSize({ format: 'I420' }));
    f.copyTo(bytes, { format: 'I420' });
    f.close();
    return bytes;
  });
  const decoded = [];
  const frame = (i) => new webcodecs.VideoFrame(pictures[i % 30], { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 33333, duration: 33333 });
  const { enc, dec, chunks } = await encodeThenDecode(row, count, frame, (f) => decoded.push(f.timestamp));
  assert.equal(chunks, count, `${row.name}: ${chunks} chunks for ${count} frames`);
  assert.equal(decoded.length, count, `${row.name}: ${decoded.length} frames decoded of ${count}`);
  assert.ok(decoded.every((t, i) => t === i * 33333), `${row.name}: decoded frames out of order`);
  // Each queued frame holds its pixels until encoded: W*H*1.5 bytes.
  const queuedMB = (count * W * H * 1.5) / MB;
  return { encode: enc, decode: dec, queuedMB: Math.round(queuedMB) };
}

async function audioRow(row, count) {
  let samples = 0;
  const { enc, dec } = await encodeThenDecode(row, count, (i) => tone(webcodecs, i * 960), (d) => { samples += d.numberOfFrames; });
  assert.ok(samples >= count * 960 - 2048, `${row.name}: ${samples} samples decoded of ${count * 960}`);
  return { encode: enc, decode: dec, samples };
}

function check(name, r, queued) {
  assert.equal(r.queued, queued, `${name}: queue size ${r.queued} right after queuing ${queued}`);
  assert.equal(r.after, 0, `${name}: queue size ${r.after} after the flush`);
  assert.ok(!r.rose, `${name}: the queue size rose while draining`);
  assert.ok(r.events > 0, `${name}: no dequeue event`);
}

async function main() {
  const count = scaled(10000, 200);
  const all = await rows();
  const { step, finish } = steps();
  for (const row of all.filter((r) => ['avc1.42001f', 'vp8', 'vp09.00.10.08', 'opus', 'mp4a.40.2', 'flac'].includes(r.name))) {
    await step({ codec: row.name }, `${row.name} flooded`, async () => {
      const figures = row.kind === 'video' ? await videoRow(row, count) : await audioRow(row, count);
      if (row.kind === 'video' && figures.encode.peakAboveMB > figures.queuedMB * 2 + 200) throw new Error(`${row.name}: memory peaked ${figures.encode.peakAboveMB} MB above the start for ${figures.queuedMB} MB queued`);
      return { count, ...figures };
    });
  }
  finish();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
