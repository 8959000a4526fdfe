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
