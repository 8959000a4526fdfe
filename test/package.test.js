'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');

test('require, import and the polyfill expose the same classes', () => {
  const script = `
    import * as esm from 'webcodecs-native';
    import 'webcodecs-native/polyfill';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('webcodecs-native');
    const names = ['VideoEncoder', 'VideoDecoder', 'VideoFrame', 'EncodedVideoChunk', 'VideoColorSpace'];
    const same = names.every((n) => esm[n] === cjs[n] && globalThis[n] === cjs[n] && typeof cjs[n] === 'function');
    console.log(JSON.stringify({ same, ffmpeg: typeof esm.buildInfo.ffmpeg }));
  `;
  // Self-reference by package name works from inside the package.
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { same: true, ffmpeg: 'string' });
});

test('classes work inside worker_threads', async () => {
  const { Worker } = require('node:worker_threads');
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { VideoEncoder, VideoFrame } = require(${JSON.stringify(root)});
    const chunks = [];
    const enc = new VideoEncoder({ output: (c) => chunks.push(c.timestamp), error: (e) => parentPort.postMessage(e.name) });
    enc.configure({ codec: 'avc1.42001f', width: 64, height: 64 });
    for (let i = 0; i < 3; i++) { const f = new VideoFrame(new Uint8Array(64 * 64 * 1.5), { format: 'I420', codedWidth: 64, codedHeight: 64, timestamp: i }); enc.encode(f); f.close(); }
    enc.flush().then(() => { enc.close(); parentPort.postMessage(chunks); });
  `;
  const worker = new Worker(code, { eval: true });
  const message = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  assert.deepEqual(message, [0, 1, 2]);
  await worker.terminate();
});

test('buildInfo reports the FFmpeg build, its licence and the codecs present', () => {
  const { buildInfo } = require('..');
  assert.match(buildInfo.ffmpeg, /^\d+\.\d+/);
  assert.match(buildInfo.libavcodec, /^\d+\.\d+\.\d+$/);
  assert.match(buildInfo.license, /GPL/);
  assert.ok(['lgpl', 'gpl'].includes(buildInfo.flavour));
  assert.ok(buildInfo.decoders.includes('h264'));
  assert.ok(buildInfo.encoders.length > 0, 'at least one H.264 encoder');
  if (buildInfo.flavour === 'lgpl') assert.ok(!buildInfo.encoders.includes('libx264'), 'an LGPL build has no x264');
  assert.ok(Object.isFrozen(buildInfo));
});
