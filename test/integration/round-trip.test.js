'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const webcodecs = require('../..');
const { VideoDecoder } = webcodecs;
const { encodeClip, pattern, psnr } = require('../helpers');

async function roundTrip(config, n) {
  const { chunks, metadata } = await encodeClip(webcodecs, config, n);
  const frames = [];
  const decoder = new VideoDecoder({ output: (f) => frames.push(f), error: (e) => assert.fail(e) });
  decoder.configure(metadata[0].decoderConfig);
  for (const c of chunks) decoder.decode(c);
  await decoder.flush();
  decoder.close();
  return frames;
}

for (const [name, config] of [
  ['avc, High profile', { codec: 'avc1.64001f', width: 640, height: 480, bitrate: 2_000_000, framerate: 30 }],
  ['annexb, Baseline, realtime', { codec: 'avc1.42e01e', width: 352, height: 288, bitrate: 1_000_000, framerate: 30, latencyMode: 'realtime', avc: { format: 'annexb' } }],
]) {
  test(`encode → decode round trip keeps every frame, its timestamp and ≥ 35 dB PSNR (${name})`, async () => {
    const n = 45;
    const frames = await roundTrip(config, n);
    assert.equal(frames.length, n);
    let worst = Infinity;
    for (const [i, frame] of frames.entries()) {
      assert.equal(frame.timestamp, i * 33333);
      assert.equal(frame.duration, 33333);
      assert.equal(frame.codedWidth >= config.width, true);
      assert.equal(frame.visibleRect.width, config.width);
      assert.equal(frame.visibleRect.height, config.height);
      const out = new Uint8Array(frame.allocationSize());
      await frame.copyTo(out);
      worst = Math.min(worst, psnr(out, pattern(config.width, config.height, i)));
      frame.close();
    }
    assert.ok(worst >= 35, `worst PSNR ${worst.toFixed(2)} dB`);
  });
}

test('transcoding: frames from the decoder encode again (an untagged stream reads as REC709, as in Chrome)', async () => {
  const fs = require('node:fs');
  const { annexbAccessUnits, fixture } = require('../helpers');
  const { VideoEncoder, EncodedVideoChunk } = webcodecs;
  const units = annexbAccessUnits(new Uint8Array(fs.readFileSync(fixture('h264.annexb'))));
  const chunks = [];
  const errors = [];
  const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: (e) => errors.push(e) });
  encoder.configure({ codec: 'avc1.42001e', width: 160, height: 120 });
  const decoder = new VideoDecoder({
    output: (frame) => {
      // The fixture tags no colour; Chrome reports REC709 for such frames.
      assert.deepEqual(frame.colorSpace.toJSON(), { fullRange: false, matrix: 'bt709', primaries: 'bt709', transfer: 'bt709' });
      encoder.encode(frame);
      frame.close();
    },
    error: (e) => errors.push(e),
  });
  decoder.configure({ codec: 'avc1.64000b' });
  units.forEach((data, i) => decoder.decode(new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * 100_000, data })));
  await decoder.flush();
  await encoder.flush();
  assert.deepEqual(errors, []);
  assert.deepEqual(chunks.map((c) => c.timestamp), units.map((_, i) => i * 100_000));
});
