'use strict';
// Corrupt and random media must reach the error callback or decode to
// something; never crash, hang or leave a flush unsettled.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { VideoDecoder, EncodedVideoChunk } = require('../..');
const { fixture, annexbAccessUnits, mp4Samples, ivfSamples } = require('../helpers');

/** Deterministic bytes (xorshift32) so a failure can be replayed. */
function random(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      out[i] = x & 255;
    }
    return out;
  };
}

async function feed(config, chunks) {
  const frames = [];
  const errors = [];
  const decoder = new VideoDecoder({ output: (f) => { frames.push(f.timestamp); f.close(); }, error: (e) => errors.push(e) });
  decoder.configure(config);
  for (const chunk of chunks) {
    if (decoder.state !== 'configured') break;
    try {
      decoder.decode(chunk);
    } catch (e) {
      assert.equal(e.name, 'DataError', `decode() may only throw DataError here, threw ${e.name}`);
    }
  }
  const flushed = decoder.state === 'configured' ? await decoder.flush().then(() => 'resolved', (e) => e.name) : 'closed';
  if (decoder.state !== 'closed') decoder.close();
  for (const e of errors) assert.ok(e instanceof DOMException && ['EncodingError', 'NotSupportedError'].includes(e.name), `error callback got ${e.name}`);
  return { frames, errors, flushed };
}

const idr = (bytes) => Uint8Array.from([0, 0, 0, 1, 0x65, ...bytes]);

test('random Annex B payloads behind IDR headers', async () => {
  const next = random(1234);
  for (let round = 0; round < 20; round++) {
    const chunks = Array.from({ length: 8 }, (_, i) => new EncodedVideoChunk({ type: 'key', timestamp: i, data: idr(next(64 + round * 50)) }));
    const r = await feed({ codec: 'avc1.64000b' }, chunks);
    assert.ok(['resolved', 'EncodingError', 'closed'].includes(r.flushed), r.flushed);
  }
});

test('real stream with bytes flipped, cut short, or chunks dropped', async () => {
  const units = annexbAccessUnits(new Uint8Array(fs.readFileSync(fixture('h264.annexb'))));
  const next = random(99);
  for (let round = 0; round < 20; round++) {
    const noise = next(16);
    const chunks = [];
    units.forEach((unit, i) => {
      if (round % 4 === 1 && i % 3 === 2) return; // a dropped chunk
      const data = Uint8Array.from(unit);
      for (let k = 0; k < 8; k++) data[8 + ((noise[k] * 257 + round) % (data.length - 8))] ^= noise[k + 8] | 1;
      const end = round % 3 === 0 ? Math.max(6, data.length >> 1) : data.length; // cut short
      chunks.push(new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * 1000, data: data.subarray(0, end) }));
    });
    const r = await feed({ codec: 'avc1.64000b' }, chunks);
    assert.ok(['resolved', 'EncodingError', 'closed'].includes(r.flushed), r.flushed);
    assert.ok(r.frames.every((t, i, a) => i === 0 || t > a[i - 1]), 'outputs stay in presentation order');
  }
});

test('length-prefixed chunks with garbage lengths, and garbage descriptions', async () => {
  const { samples, description } = mp4Samples(fixture('h264.mp4'));
  const next = random(7);
  for (let round = 0; round < 10; round++) {
    const chunks = samples.map((s, i) => {
      const data = Uint8Array.from(s.data);
      data.set(next(4), (round * 13) % Math.max(1, data.length - 4));
      return new EncodedVideoChunk({ type: s.type, timestamp: s.timestamp, data });
    });
    await feed({ codec: 'avc1.64000b', description }, chunks);
    const badDescription = Uint8Array.from(description);
    badDescription.set(next(6), 6);
    await feed({ codec: 'avc1.64000b', description: badDescription }, chunks);
    await feed({ codec: 'avc1.64000b', description: next(40) }, chunks);
  }
});

test('VP8, VP9, AV1 and HEVC streams with bytes flipped, cut short, or chunks dropped; random payloads; garbage descriptions', async () => {
  const clips = [
    { codec: 'vp8', samples: ivfSamples(fixture('vp8.webm')) },
    { codec: 'vp09.00.10.08', samples: mp4Samples(fixture('vp9.mp4'), 'vpcC').samples },
    { codec: 'av01.0.04M.08', ...mp4Samples(fixture('av1.mp4'), 'av1C') },
    { codec: 'hvc1.1.6.L60.90', ...mp4Samples(fixture('h265.mp4'), 'hvcC') },
    { codec: 'hev1.1.6.L60.90', samples: annexbAccessUnits(new Uint8Array(fs.readFileSync(fixture('h265.annexb'))), 'hevc').map((data, i) => ({ data, timestamp: i })) },
  ];
  const next = random(2024);
  for (const { codec, samples, description } of clips) {
    const config = description ? { codec, description } : { codec };
    for (let round = 0; round < 12; round++) {
      const noise = next(16);
      const chunks = [];
      samples.forEach((s, i) => {
        if (round % 4 === 1 && i % 3 === 2) return; // a dropped chunk
        const data = Uint8Array.from(s.data);
        // Leave the first bytes (frame headers) alone in half the rounds, so the decoder sees more than key-frame checks.
        const from = round % 2 === 0 ? Math.min(8, data.length - 1) : 0;
        for (let k = 0; k < 8 && data.length > from; k++) data[from + ((noise[k] * 257 + round) % (data.length - from))] ^= noise[k + 8] | 1;
        const end = round % 3 === 0 ? Math.max(4, data.length >> 1) : data.length; // cut short
        chunks.push(new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: s.timestamp * 1 + i, data: data.subarray(0, end) }));
      });
      const r = await feed(config, chunks);
      assert.ok(['resolved', 'EncodingError', 'closed'].includes(r.flushed), `${codec}: ${r.flushed}`);
    }
    // Pure noise behind a valid key chunk, and garbage descriptions.
    const noise = Array.from({ length: 6 }, (_, i) => new EncodedVideoChunk({ type: 'delta', timestamp: 100 + i, data: next(32 + 97 * i) }));
    await feed(config, [new EncodedVideoChunk({ type: 'key', timestamp: 0, data: samples[0].data }), ...noise]);
    await feed({ codec, description: next(30) }, [new EncodedVideoChunk({ type: 'key', timestamp: 0, data: samples[0].data })]);
  }
});
