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
