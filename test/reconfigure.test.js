'use strict';
// configure() on a codec that still holds input: what was given under the old
// configuration comes out under it, in order, before the new one applies
// (spec: configure() queues a control message behind the encode()/decode()
// messages already queued; none of their outputs may be lost).
const test = require('node:test');
const assert = require('node:assert/strict');
const { VideoEncoder, VideoDecoder, AudioEncoder, AudioDecoder, AudioData, buildInfo } = require('..');
const { patternFrame } = require('./helpers');

const ENCODERS = [
  { codec: 'avc1.64001f' },
  { codec: 'vp8' },
  { codec: 'vp09.00.10.08' },
  { codec: 'av01.0.04M.08' },
  { codec: 'hvc1.1.6.L93.B0', needs: 'libx265' },
];

for (const { codec, needs } of ENCODERS) {
  test(`${codec}: configure() on an encoder that still holds frames delivers every one of them first`, { skip: needs && !buildInfo.encoders.includes(needs) && `no ${needs}` }, async () => {
    const chunks = [];
    const metadata = [];
    const errors = [];
    const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); metadata.push(m); }, error: (e) => errors.push(e) });
    const base = { codec, width: 320, height: 240, bitrate: 600_000, framerate: 30, latencyMode: 'quality' };
    encoder.configure(base);
    for (let i = 0; i < 20; i++) {
      const f = patternFrame(320, 240, i, i * 1000);
      encoder.encode(f);
      f.close();
    }
    // Another bitrate, then another size: each reconfigure drains the last.
    encoder.configure({ ...base, bitrate: 300_000 });
    for (let i = 20; i < 30; i++) {
      const f = patternFrame(320, 240, i, i * 1000);
      encoder.encode(f);
      f.close();
    }
    encoder.configure({ ...base, width: 160, height: 120, displayWidth: 320, displayHeight: 240 });
    for (let i = 30; i < 35; i++) {
      const f = patternFrame(320, 240, i, i * 1000);
      encoder.encode(f);
      f.close();
    }
    await encoder.flush();
    encoder.close();
    assert.deepEqual(errors, []);
    assert.deepEqual(chunks.map((c) => c.timestamp), Array.from({ length: 35 }, (_, i) => i * 1000));
    // Each configuration's first chunk is a key chunk carrying its own decoderConfig.
    const configs = metadata.map((m, i) => (m.decoderConfig ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(configs.filter((i) => i === 0 || i === 20 || i === 30), [0, 20, 30]);
    for (const i of [0, 20, 30]) assert.equal(chunks[i].type, 'key');
    assert.equal(metadata[0].decoderConfig.codedWidth, 320);
    assert.equal(metadata[29].decoderConfig?.codedWidth ?? 320, 320);
    assert.equal(metadata[30].decoderConfig.codedWidth, 160);
    // Only the third configuration named a display size.
    assert.equal(metadata[0].decoderConfig.displayAspectWidth, undefined);
    assert.equal(metadata[30].decoderConfig.displayAspectWidth, 320);
  });
}

test('configure() on a decoder that still holds frames outputs them under the old configuration first', async () => {
  // Frame threads hold frames back: H.264 in, reconfigured mid-stream with a
  // config that rotates its output, so each frame says which config it came from.
  const chunks = [];
  let decoderConfig;
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ codec: 'avc1.64001f', width: 320, height: 240, bitrate: 600_000, framerate: 30, latencyMode: 'realtime' });
  for (let i = 0; i < 12; i++) {
    const f = patternFrame(320, 240, i, i * 1000);
    encoder.encode(f, { keyFrame: i === 0 || i === 6 });
    f.close();
  }
  await encoder.flush();
  encoder.close();
  const frames = [];
  const errors = [];
  const decoder = new VideoDecoder({ output: (f) => { frames.push({ timestamp: f.timestamp, rotation: f.rotation }); f.close(); }, error: (e) => errors.push(e) });
  decoder.configure(decoderConfig);
  for (let i = 0; i < 6; i++) decoder.decode(chunks[i]);
  decoder.configure({ ...decoderConfig, rotation: 90 });
  for (let i = 6; i < 12; i++) decoder.decode(chunks[i]);
  await decoder.flush();
  decoder.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(frames, Array.from({ length: 12 }, (_, i) => ({ timestamp: i * 1000, rotation: i < 6 ? 0 : 90 })));
});

test('configure() on an audio encoder that holds samples encodes them under the old configuration first', async () => {
  const chunks = [];
  const metadata = [];
  const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); metadata.push(m); }, error: (e) => { throw e; } });
  encoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: 64000 });
  // 1000 samples: less than one 20 ms Opus frame, held until a flush.
  const data = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 1000, numberOfChannels: 1, timestamp: 0, data: new Float32Array(1000).fill(0.25) });
  encoder.encode(data);
  data.close();
  encoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: 32000 });
  await encoder.flush();
  encoder.close();
  // Opus pads the last frame and its encoder delay may add one more.
  assert.ok(chunks.length >= 1 && chunks.length <= 2, `${chunks.length} chunks`);
  assert.equal(chunks[0].timestamp, 0);
  assert.ok(chunks.reduce((sum, c) => sum + c.duration, 0) >= 20833);
  assert.equal(metadata[0].decoderConfig.codec, 'opus');
});

test('configure() on an audio decoder outputs what it decoded under the old configuration', async () => {
  const outputs = [];
  const decoder = new AudioDecoder({ output: (d) => { outputs.push([d.timestamp, d.numberOfChannels]); d.close(); }, error: (e) => { throw e; } });
  const pcm = (channels, timestamp) => {
    const { EncodedAudioChunk } = require('..');
    return new EncodedAudioChunk({ type: 'key', timestamp, data: new Uint8Array(480 * 2 * channels) });
  };
  decoder.configure({ codec: 'pcm-s16', sampleRate: 48000, numberOfChannels: 1 });
  decoder.decode(pcm(1, 0));
  decoder.configure({ codec: 'pcm-s16', sampleRate: 48000, numberOfChannels: 2 });
  decoder.decode(pcm(2, 10000));
  await decoder.flush();
  decoder.close();
  assert.deepEqual(outputs, [[0, 1], [10000, 2]]);
});
