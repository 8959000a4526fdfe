'use strict';
// Child for gc.test.js (run with --expose-gc): codecs that become garbage
// must take their threads (and FFmpeg's) with them.
const fs = require('node:fs');
const { VideoEncoder, VideoDecoder, VideoFrame } = require('../..');

const threads = () => fs.readdirSync('/proc/self/task').length;
const settle = () => new Promise((r) => setTimeout(r, 100));
let collected = 0;
const registry = new FinalizationRegistry(() => collected++);

/** A configured encoder that has encoded and flushed, and a configured decoder; nothing keeps them. */
async function makePair() {
  const encoder = new VideoEncoder({ output() {}, error() {} });
  encoder.configure({ codec: 'avc1.42001f', width: 160, height: 120 });
  const frame = new VideoFrame(new Uint8Array(160 * 120 * 1.5), { format: 'I420', codedWidth: 160, codedHeight: 120, timestamp: 0 });
  encoder.encode(frame);
  frame.close();
  await encoder.flush();
  const decoder = new VideoDecoder({ output: (f) => f.close(), error() {} });
  decoder.configure({ codec: 'avc1.42001f' });
  registry.register(encoder, 'encoder');
  registry.register(decoder, 'decoder');
}

/** close() must end the threads at once, without waiting for GC. */
async function closing() {
  await settle();
  const baseline = threads();
  const codecs = [];
  for (let i = 0; i < 4; i++) {
    const encoder = new VideoEncoder({ output() {}, error() {} });
    encoder.configure({ codec: 'avc1.42001f', width: 160, height: 120 });
    const decoder = new VideoDecoder({ output: (f) => f.close(), error() {} });
    decoder.configure({ codec: 'avc1.42001f' });
    codecs.push(encoder, decoder);
  }
  await settle();
  const busy = threads();
  for (const c of codecs) c.close();
  for (let i = 0; i < 20 && threads() > baseline; i++) await settle();
  console.log(JSON.stringify({ baseline, busy, after: threads(), open: codecs.length }));
}

async function main() {
  if (process.argv[2] === 'close') return closing();
  await settle();
  const baseline = threads();
  for (let i = 0; i < 8; i++) await makePair();
  await settle();
  const busy = threads();
  for (let i = 0; i < 20 && (collected < 16 || threads() > baseline); i++) {
    globalThis.gc();
    await settle();
  }
  console.log(JSON.stringify({ baseline, busy, after: threads(), collected }));
}

main();
