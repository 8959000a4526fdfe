'use strict';
// Corrupt and random media must reach the error callback or decode to
// something; never crash, hang or leave a flush unsettled.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { VideoDecoder, EncodedVideoChunk } = require('../..');
const { fixture, annexbAccessUnits, mp4Samples } = require('../helpers');

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
