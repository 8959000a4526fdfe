'use strict';
// Native memory goes back after close(), without a garbage collection: frames'
// buffers wait in a pool for reuse a short while (1.5 s), then are freed and
// returned to the system.
const test = require('node:test');
const assert = require('node:assert/strict');
const { VideoFrame } = require('..');

const MB = 1 << 20;
const rss = () => process.memoryUsage().rss;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('RSS returns to where it was after 200 held 720p frames are closed', async () => {
  const data = new Uint8Array((1280 * 720 * 3) / 2).fill(100);
  const make = (i) => new VideoFrame(data, { format: 'I420', codedWidth: 1280, codedHeight: 720, timestamp: i });
  for (let i = 0; i < 5; i++) make(i).close();
  await sleep(2000);
  const before = rss();
  const frames = Array.from({ length: 200 }, (_, i) => make(i));
  const held = rss();
  // The frames really hold their pixels (1.4 MB each).
  assert.ok(held - before > 200 * 1.2 * MB, `holding 200 frames grew RSS by only ${((held - before) / MB).toFixed(1)} MB`);
  for (const frame of frames) frame.close();
  let after = rss();
  for (let waited = 0; waited < 6000 && after > before * 1.1; waited += 250) {
    await sleep(250);
    after = rss();
  }
  assert.ok(after <= before * 1.1, `RSS ${(before / MB).toFixed(1)} MB before, ${(after / MB).toFixed(1)} MB after closing`);
});

test('frames nobody closes are collected as the memory they hold grows (V8 is told about it)', () => {
  // 1,500 720p frames (about 2 GB of pixels) made and dropped, the event loop
  // turning every 10 frames as in a real program. V8 counts each frame's
  // pixels as external memory, so its GC runs long before that adds up:
  // about 180 MB at the peak here, against 760 MB when V8 saw only the small
  // JavaScript objects.
  const code = `
    const { VideoFrame } = require(${JSON.stringify(require.resolve('..'))});
    const b = new Uint8Array(1280 * 720 * 3 / 2);
    (async () => {
      let peak = 0;
      for (let i = 0; i < 1500; i++) {
        new VideoFrame(b, { format: 'I420', codedWidth: 1280, codedHeight: 720, timestamp: i });
        if (i % 10 === 9) { await new Promise((r) => setImmediate(r)); peak = Math.max(peak, process.memoryUsage.rss()); }
      }
      console.log(peak);
    })();`;
  const r = require('node:child_process').spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const peakMB = Number(r.stdout.trim()) / 1048576;
  assert.ok(peakMB < 450, `peak RSS ${Math.round(peakMB)} MB for frames that were never closed`);
});

test('a clone keeps the pixels counted as external memory until the last holder closes', () => {
  const data = new Uint8Array(1920 * 1080 * 4);
  // What V8 counts (process.memoryUsage().external leaves the addon's reports out in Node 20).
  const external = () => require('../lib/native').externalMemory();
  const before = external();
  const frame = new VideoFrame(data, { format: 'RGBA', codedWidth: 1920, codedHeight: 1080, timestamp: 0 });
  const clone = frame.clone();
  const held = external() - before;
  assert.ok(held >= 1920 * 1080 * 4, `a 1080p RGBA frame and its clone count ${held} bytes`);
  assert.ok(held < 2 * 1920 * 1080 * 4, `the clone shares the pixels and is not counted again (${held} bytes)`);
  frame.close();
  assert.ok(external() - before > held - MB, 'the clone still holds the pixels');
  clone.close();
  assert.ok(external() - before < MB, `${external() - before} bytes still counted after both closed`);
});

test('closed codecs give their memory back within seconds, pooled buffers or not', () => {
  // Twelve FLAC encoders hold about 90 MB of codec state and no pooled
  // buffer: only the codec threads' heap trim at exit returns it (without,
  // RSS stayed at its peak). In a child process, so that nothing else this
  // file does moves the figures; the first round pays what stays for the
  // process's life (codec tables, thread arenas).
  const code = `
    const { AudioEncoder, AudioData } = require(${JSON.stringify(require.resolve('..'))});
    const rss = () => process.memoryUsage.rss();
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const pcm = new Float32Array(48000 * 2).map((_, i) => Math.sin(i / 7) * 0.5);
    async function round() {
      const encoders = Array.from({ length: 12 }, () => {
        const e = new AudioEncoder({ output() {}, error(e) { throw e; } });
        e.configure({ codec: 'flac', sampleRate: 48000, numberOfChannels: 2 });
        return e;
      });
      for (const e of encoders) e.encode(new AudioData({ format: 'f32', sampleRate: 48000, numberOfChannels: 2, numberOfFrames: 48000, timestamp: 0, data: pcm }));
      await Promise.all(encoders.map((e) => e.flush()));
      const peak = rss();
      for (const e of encoders) e.close();
      return peak;
    }
    (async () => {
      await round();
      await sleep(1000);
      const before = rss();
      const peak = await round();
      let after = rss();
      for (let waited = 0; waited < 3000 && after - before > (peak - before) / 4; waited += 100) {
        await sleep(100);
        after = rss();
      }
      console.log(JSON.stringify({ before, peak, after }));
    })();`;
  const r = require('node:child_process').spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { before, peak, after } = JSON.parse(r.stdout);
  const mb = (n) => `${(n / MB).toFixed(1)} MB`;
  assert.ok(peak - before > 40 * MB, `the encoders held only ${mb(peak - before)}`);
  assert.ok(after - before <= (peak - before) / 4, `RSS ${mb(before)} before, ${mb(peak)} with the encoders, ${mb(after)} after closing them`);
});
