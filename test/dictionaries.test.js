'use strict';
// Dictionaries we return are converted as WebIDL converts dictionaries to
// JavaScript: members in lexicographic order (every browser returns them so;
// test/oracle/decoder-exactness.js), nullable members present as null.
const test = require('node:test');
const assert = require('node:assert/strict');
const { VideoEncoder, VideoDecoder, AudioEncoder, AudioDecoder, AudioData, VideoFrame } = require('..');
const { patternFrame } = require('./helpers');

/** Every plain object inside `value` has its keys sorted. */
function assertOrdered(value, where = '$') {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return;
  const keys = Object.keys(value);
  assert.deepEqual(keys, [...keys].sort(), `${where}: ${keys.join(', ')}`);
  for (const key of keys) assertOrdered(value[key], `${where}.${key}`);
}

test('isConfigSupported results and their configs list members in lexicographic order', async () => {
  const results = [
    await VideoEncoder.isConfigSupported({ codec: 'vp8', width: 64, height: 48, bitrate: 100_000, framerate: 30, latencyMode: 'realtime', avc: { format: 'annexb' } }),
    await VideoDecoder.isConfigSupported({ codec: 'vp8', colorSpace: { primaries: 'bt709' }, codedWidth: 64, codedHeight: 48, optimizeForLatency: true }),
    await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2, opus: { complexity: 5 } }),
    await AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 }),
  ];
  for (const r of results) {
    assert.deepEqual(Object.keys(r), ['config', 'supported']);
    assertOrdered(r);
  }
  assert.deepEqual(Object.keys(results[2].config.opus), ['application', 'complexity', 'format', 'frameDuration', 'packetlossperc', 'signal', 'usedtx', 'useinbandfec']);
});

test('VideoDecoder.isConfigSupported echoes every VideoColorSpaceInit member, absent ones as null', async () => {
  const { config } = await VideoDecoder.isConfigSupported({ codec: 'vp8', colorSpace: { primaries: 'bt709' } });
  assert.deepEqual(Object.entries(config.colorSpace), [['fullRange', null], ['matrix', null], ['primaries', 'bt709'], ['transfer', null]]);
});

test('chunk metadata and decoderConfig, colour spaces and plane layouts come in lexicographic order', async () => {
  for (const codec of ['vp8', 'avc1.42001f']) {
    const metadata = [];
    const encoder = new VideoEncoder({ output: (_, m) => metadata.push(m), error: (e) => { throw e; } });
    encoder.configure({ codec, width: 64, height: 48, bitrate: 100_000, framerate: 30, displayWidth: 128, displayHeight: 48 });
    const f = patternFrame(64, 48, 0, 0);
    encoder.encode(f);
    f.close();
    await encoder.flush();
    encoder.close();
    assertOrdered(metadata[0]);
    assert.ok(Object.keys(metadata[0].decoderConfig).includes('colorSpace'));
  }
  const audio = [];
  const encoder = new AudioEncoder({ output: (_, m) => audio.push(m), error: (e) => { throw e; } });
  encoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
  const data = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 1, timestamp: 0, data: new Float32Array(960) });
  encoder.encode(data);
  data.close();
  await encoder.flush();
  encoder.close();
  assert.deepEqual(Object.keys(audio[0].decoderConfig), ['codec', 'description', 'numberOfChannels', 'sampleRate']);
  const frame = new VideoFrame(new Uint8Array(16 * 16 * 1.5), { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp: 0 });
  assert.deepEqual(Object.keys(frame.colorSpace.toJSON()), ['fullRange', 'matrix', 'primaries', 'transfer']);
  const layout = await frame.copyTo(new Uint8Array(frame.allocationSize()));
  for (const plane of layout) assert.deepEqual(Object.keys(plane), ['offset', 'stride']);
  frame.close();
});
