'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { VideoDecoder, EncodedVideoChunk, VideoFrame } = require('..');
const { fixture, annexbAccessUnits, mp4Samples, until } = require('./helpers');

const ANNEXB = annexbAccessUnits(new Uint8Array(fs.readFileSync(fixture('h264.annexb'))));
const MP4 = mp4Samples(fixture('h264.mp4'));

function recorder() {
  const rec = { frames: [], errors: [] };
  rec.decoder = new VideoDecoder({ output: (f) => rec.frames.push(f), error: (e) => rec.errors.push(e) });
  return rec;
}

const annexbChunks = () => ANNEXB.map((data, i) => new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i * 100_000, duration: 100_000, data }));
const mp4Chunks = () => MP4.samples.map((s) => new EncodedVideoChunk(s));

test('decodes the Annex B clip: frame count, size, format and timestamps', async () => {
  const rec = recorder();
  rec.decoder.configure({ codec: 'avc1.64000b' });
  for (const chunk of annexbChunks()) rec.decoder.decode(chunk);
  await rec.decoder.flush();
  assert.equal(rec.errors.length, 0);
  assert.equal(rec.frames.length, 10);
  rec.frames.forEach((f, i) => {
    assert.ok(f instanceof VideoFrame);
    assert.equal(f.format, 'I420');
    assert.equal(f.codedWidth, 320);
    assert.equal(f.codedHeight, 240);
    assert.equal(f.displayWidth, 320);
    assert.equal(f.displayHeight, 240);
    assert.equal(f.timestamp, i * 100_000);
    assert.equal(f.duration, 100_000);
    f.close();
  });
  rec.decoder.close();
});

test('decodes the MP4 samples (avc, with the avcC description) to the same pictures', async () => {
  const rec = recorder();
  const description = MP4.description;
  rec.decoder.configure({ codec: 'avc1.64000b', description, codedWidth: 320, codedHeight: 240 });
  for (const chunk of mp4Chunks()) rec.decoder.decode(chunk);
  await rec.decoder.flush();
  assert.equal(rec.frames.length, 10);
  assert.deepEqual(rec.frames.map((f) => f.timestamp), MP4.samples.map((s) => s.timestamp));
  // The Annex B file holds the same stream: identical pixels.
  const other = recorder();
  other.decoder.configure({ codec: 'avc1.64000b' });
  for (const chunk of annexbChunks()) other.decoder.decode(chunk);
  await other.decoder.flush();
  for (let i = 0; i < 10; i++) {
    const a = new Uint8Array(rec.frames[i].allocationSize());
    const b = new Uint8Array(other.frames[i].allocationSize());
    await rec.frames[i].copyTo(a);
    await other.frames[i].copyTo(b);
    assert.deepEqual(a, b, `frame ${i}`);
  }
  [...rec.frames, ...other.frames].forEach((f) => f.close());
  rec.decoder.close();
  other.decoder.close();
});

test('a key chunk is required first and after flush: DataError', async () => {
  const rec = recorder();
  rec.decoder.configure({ codec: 'avc1.64000b' });
  const chunks = annexbChunks();
  assert.throws(() => rec.decoder.decode(chunks[1]), (e) => e instanceof DOMException && e.name === 'DataError');
  // Marked key, but the bitstream is a P picture.
  const lying = new EncodedVideoChunk({ type: 'key', timestamp: 0, data: ANNEXB[1] });
  assert.throws(() => rec.decoder.decode(lying), { name: 'DataError' });
  assert.equal(rec.decoder.decodeQueueSize, 0);
  rec.decoder.decode(chunks[0]);
  rec.decoder.decode(chunks[1]);
  await rec.decoder.flush();
  assert.throws(() => rec.decoder.decode(chunks[2]), { name: 'DataError' });
  rec.decoder.decode(chunks[0]);
  await rec.decoder.flush();
  assert.equal(rec.frames.length, 3);
  assert.equal(rec.errors.length, 0);
  rec.frames.forEach((f) => f.close());
  rec.decoder.close();
});

test('corrupt data closes the decoder with EncodingError through the callback', async () => {
  const rec = recorder();
  rec.decoder.configure({ codec: 'avc1.64000b', description: MP4.description });
  // A length prefix that runs past the end of the chunk.
  const broken = new Uint8Array([0, 0, 0, 200, 0x65, 0x88, 0x84, 0x00]);
  rec.decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: broken }));
  const flushed = rec.decoder.flush();
  await assert.rejects(flushed, (e) => e instanceof DOMException && e.name === 'EncodingError');
  assert.equal(rec.errors.length, 1);
  assert.ok(rec.errors[0] instanceof DOMException);
  assert.equal(rec.errors[0].name, 'EncodingError');
  assert.equal(rec.decoder.state, 'closed');
});

test('truncated media: the decoder conceals or reports, never crashes or hangs', async () => {
  const rec = recorder();
  rec.decoder.configure({ codec: 'avc1.64000b' });
  for (const [i, unit] of ANNEXB.entries()) {
    const data = unit.subarray(0, Math.max(8, unit.length >> 1));
    rec.decoder.decode(new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i, data }));
  }
  await rec.decoder.flush().catch(() => {});
  assert.ok(rec.decoder.state === 'closed' ? rec.errors[0].name === 'EncodingError' : rec.errors.length === 0);
  rec.frames.forEach((f) => f.close());
  if (rec.decoder.state !== 'closed') rec.decoder.close();
});

test('unsupported configs: NotSupportedError through the callback, supported:false from isConfigSupported', async () => {
  for (const config of [{ codec: 'avc1.FF000b' }, { codec: 'vp09.00.10.08.01' }, { codec: 'hvc1.1.6.L93.B0', description: new Uint8Array([9, 9, 9]) }, { codec: 'avc1.64000b', description: new Uint8Array([9, 9, 9]) }, { codec: 'avc1.64000b', hardwareAcceleration: 'prefer-hardware' }]) {
    assert.equal((await VideoDecoder.isConfigSupported(config)).supported, false, JSON.stringify(config));
    const rec = recorder();
    rec.decoder.configure(config);
    assert.equal(rec.decoder.state, 'configured');
    await until(() => rec.errors.length > 0);
    assert.equal(rec.errors[0].name, 'NotSupportedError');
    assert.equal(rec.decoder.state, 'closed');
  }
});

test('isConfigSupported clones the config, copying the description and dropping unknown members', async () => {
  const description = new Uint8Array(MP4.description);
  const result = await VideoDecoder.isConfigSupported({ codec: 'avc1.64000b', description, somethingElse: true, optimizeForLatency: true });
  assert.equal(result.supported, true);
  assert.deepEqual(Object.keys(result.config).sort(), ['codec', 'description', 'flip', 'hardwareAcceleration', 'optimizeForLatency', 'rotation']);
  assert.notEqual(result.config.description, description.buffer);
  assert.deepEqual(new Uint8Array(result.config.description), description);
});

test('invalid configs are TypeErrors', async () => {
  for (const bad of [{}, { codec: '' }, { codec: 'avc1.64000b', codedWidth: 320 }, { codec: 'avc1.64000b', codedWidth: 0, codedHeight: 10 }, { codec: 'avc1.64000b', displayAspectWidth: 1 }, { codec: 'avc1.64000b', displayAspectWidth: 0, displayAspectHeight: 1 }, { codec: 'avc1.64000b', description: 'x' }, { codec: 'avc1.64000b', rotation: NaN }]) {
    await assert.rejects(VideoDecoder.isConfigSupported(bad), TypeError, JSON.stringify(bad));
    const rec = recorder();
    assert.throws(() => rec.decoder.configure(bad), TypeError);
    assert.equal(rec.decoder.state, 'unconfigured');
  }
});

test('wrong-state calls are InvalidStateError; non-chunks are TypeError', async () => {
  const rec = recorder();
  const chunk = annexbChunks()[0];
  assert.throws(() => rec.decoder.decode(chunk), { name: 'InvalidStateError' });
  await assert.rejects(rec.decoder.flush(), { name: 'InvalidStateError' });
  rec.decoder.configure({ codec: 'avc1.64000b' });
  assert.throws(() => rec.decoder.decode({ type: 'key', timestamp: 0, data: new Uint8Array(4) }), TypeError);
  rec.decoder.close();
  assert.throws(() => rec.decoder.decode(chunk), { name: 'InvalidStateError' });
  assert.throws(() => rec.decoder.configure({ codec: 'avc1.64000b' }), { name: 'InvalidStateError' });
});

test('decodeQueueSize, dequeue events, and flush after reset', async () => {
  const rec = recorder();
  let events = 0;
  rec.decoder.ondequeue = () => events++;
  rec.decoder.configure({ codec: 'avc1.64000b' });
  for (const chunk of annexbChunks()) rec.decoder.decode(chunk);
  assert.equal(rec.decoder.decodeQueueSize, 10);
  const pending = rec.decoder.flush();
  rec.decoder.reset();
  assert.equal(rec.decoder.decodeQueueSize, 0);
  await assert.rejects(pending, { name: 'AbortError' });
  const atReset = rec.frames.length;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(rec.frames.length, atReset, 'no outputs from before the reset');
  rec.decoder.configure({ codec: 'avc1.64000b' });
  for (const chunk of annexbChunks()) rec.decoder.decode(chunk);
  await rec.decoder.flush();
  assert.equal(rec.frames.length - atReset, 10);
  assert.equal(rec.decoder.decodeQueueSize, 0);
  assert.ok(events >= 1);
  rec.frames.forEach((f) => f.close());
  rec.decoder.close();
});

// A decoder takes one chunk at a time (Chrome's saturation for its decoders).
test('decode() takes one chunk at once when the decoder is idle and configured, and queues the rest', async () => {
  const rec = recorder();
  rec.decoder.configure({ codec: 'avc1.64000b' });
  await rec.decoder.flush();
  const sizes = [];
  for (const chunk of annexbChunks().slice(0, 4)) {
    rec.decoder.decode(chunk);
    sizes.push(rec.decoder.decodeQueueSize);
  }
  assert.deepEqual(sizes, [0, 1, 2, 3]);
  await rec.decoder.flush();
  assert.equal(rec.decoder.decodeQueueSize, 0);
  assert.equal(rec.frames.length, 4);
  rec.frames.forEach((f) => f.close());
  rec.decoder.close();
});

test('the AV1 decoder takes two chunks at once, as Chrome\'s', async () => {
  const { VideoEncoder } = require('..');
  const { encodeClip } = require('./helpers');
  const { chunks, metadata } = await encodeClip({ VideoEncoder }, { codec: 'av01.0.04M.08', width: 160, height: 120, bitrate: 200_000, framerate: 30 }, 4);
  const rec = recorder();
  rec.decoder.configure(metadata[0].decoderConfig);
  await rec.decoder.flush();
  const sizes = chunks.map((chunk) => {
    rec.decoder.decode(chunk);
    return rec.decoder.decodeQueueSize;
  });
  assert.deepEqual(sizes, [0, 0, 1, 2]);
  await rec.decoder.flush();
  assert.equal(rec.frames.length, 4);
  rec.frames.forEach((f) => f.close());
  rec.decoder.close();
});

test('config colorSpace, displayAspect, rotation and flip apply to the output frames', async () => {
  const rec = recorder();
  rec.decoder.configure({
    codec: 'avc1.64000b',
    displayAspectWidth: 16,
    displayAspectHeight: 9,
    colorSpace: { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false },
    rotation: 90,
    flip: true,
  });
  rec.decoder.decode(annexbChunks()[0]);
  await rec.decoder.flush();
  const [f] = rec.frames;
  assert.deepEqual(f.colorSpace.toJSON(), { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false });
  assert.equal(f.rotation, 90);
  assert.equal(f.flip, true);
  // 16:9 at a height of 240 is 427 wide; rotated a quarter turn.
  assert.equal(f.displayWidth, 240);
  assert.equal(f.displayHeight, 427);
  f.close();
  rec.decoder.close();
});

test('a decoded frame copied as RGBA matches the ffmpeg CLI conversion of the same picture', async () => {
  const rec = recorder();
  rec.decoder.configure({ codec: 'avc1.64000b' });
  rec.decoder.decode(annexbChunks()[0]);
  await rec.decoder.flush();
  const [frame] = rec.frames;
  const ours = new Uint8Array(frame.allocationSize({ format: 'RGBA' }));
  await frame.copyTo(ours, { format: 'RGBA' });
  frame.close();
  rec.decoder.close();
  // The stream does not tag its matrix, so both sides read it as BT.709, limited range;
  // each chroma sample covers its 2x2 pixels, as in Chrome (test/oracle/copyto-chroma.js).
  const reference = require('node:child_process').execFileSync('ffmpeg', ['-v', 'error', '-i', fixture('h264.annexb'), '-frames:v', '1',
    '-vf', 'scale=in_color_matrix=bt709:in_range=limited:flags=neighbor+accurate_rnd+full_chroma_int,format=rgba', '-f', 'rawvideo', '-']);
  assert.equal(reference.length, ours.length);
  const { psnr } = require('./helpers');
  const db = psnr(ours, reference);
  assert.ok(db >= 50, `PSNR against ffmpeg ${db.toFixed(1)} dB`);
});

// optimizeForLatency is a hint every decoder takes; ours apply each codec's
// low-delay setting (slice threads only; dav1d's one-frame delay), so each
// chunk of a stream without reordering comes out before the next is needed.
for (const codec of ['avc1.64001f', 'hvc1.1.6.L93.B0', 'vp8', 'vp09.00.10.08', 'av01.0.04M.08']) {
  test(`${codec}: optimizeForLatency is accepted and each chunk is output without a flush`, async (t) => {
    const { VideoEncoder, buildInfo } = require('..');
    if (codec.startsWith('hvc1') && !buildInfo.encoders.includes('libx265')) return t.skip('no HEVC encoder in this build');
    const { encodeClip } = require('./helpers');
    const { chunks, metadata } = await encodeClip({ VideoEncoder }, { codec, width: 320, height: 240, bitrate: 500_000, framerate: 30, latencyMode: 'realtime' }, 8);
    const config = { ...metadata[0].decoderConfig, optimizeForLatency: true };
    const support = await VideoDecoder.isConfigSupported(config);
    assert.equal(support.supported, true);
    assert.equal(support.config.optimizeForLatency, true);
    const rec = recorder();
    rec.decoder.configure(config);
    for (let i = 0; i < chunks.length; i++) {
      rec.decoder.decode(chunks[i]);
      await until(() => rec.frames.length === i + 1 || rec.errors.length > 0, 30000);
    }
    assert.deepEqual(rec.errors, []);
    await rec.decoder.flush();
    assert.deepEqual(rec.frames.map((f) => f.timestamp), chunks.map((c) => c.timestamp));
    for (const f of rec.frames) f.close();
    rec.decoder.close();
  });
}

// The colour a VP9 frame header signals (its color_space names a whole set)
// reaches the decoded frames in full; VP8 signals none, so BT.709 is assumed
// as Chrome does. A config colorSpace replaces the stream's only when it names
// every member (Chrome ignores a partial one). test/oracle/vpx-stream-color.js
test('VP8 and VP9 decoders derive the whole colour space from the stream', async () => {
  const { VideoEncoder, VideoFrame: Frame } = require('..');
  const encodeOne = async (codec, colorSpace) => {
    const chunks = [];
    const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: (e) => { throw e; } });
    encoder.configure({ codec, width: 64, height: 48, bitrate: 200_000, framerate: 30 });
    const f = new Frame(new Uint8Array(64 * 48 * 1.5).fill(120), { format: 'I420', codedWidth: 64, codedHeight: 48, timestamp: 0, colorSpace });
    encoder.encode(f, { keyFrame: true });
    f.close();
    await encoder.flush();
    encoder.close();
    return chunks[0];
  };
  const decodeOne = async (config, chunk) => {
    const rec = recorder();
    rec.decoder.configure(config);
    rec.decoder.decode(chunk);
    await rec.decoder.flush();
    rec.decoder.close();
    assert.deepEqual(rec.errors, []);
    const color = rec.frames[0].colorSpace.toJSON();
    rec.frames[0].close();
    return { primaries: color.primaries, transfer: color.transfer, matrix: color.matrix, fullRange: color.fullRange };
  };
  const cs = (primaries, transfer, matrix, fullRange) => ({ primaries, transfer, matrix, fullRange });
  const vp9 = 'vp09.00.10.08';
  const rec709 = cs('bt709', 'bt709', 'bt709', false);
  const whole = cs('bt470bg', 'smpte170m', 'bt470bg', true);
  const cases = [
    [vp9, rec709, {}, rec709],
    [vp9, cs('smpte170m', 'smpte170m', 'smpte170m', false), {}, cs('smpte170m', 'smpte170m', 'smpte170m', false)],
    // VP9's "BT.601" and SMPTE 170M are one value.
    [vp9, cs('bt470bg', 'smpte170m', 'bt470bg', false), {}, cs('smpte170m', 'smpte170m', 'smpte170m', false)],
    [vp9, cs('bt2020', 'pq', 'bt2020-ncl', false), {}, cs('bt2020', 'bt709', 'bt2020-ncl', false)],
    [vp9, cs('bt709', 'bt709', 'bt709', true), {}, cs('bt709', 'bt709', 'bt709', true)],
    [vp9, cs('smpte170m', 'smpte170m', 'smpte170m', false), { colorSpace: whole }, whole],
    [vp9, cs('smpte170m', 'smpte170m', 'smpte170m', false), { colorSpace: { primaries: 'bt470bg' } }, cs('smpte170m', 'smpte170m', 'smpte170m', false)],
    ['vp8', cs('smpte170m', 'smpte170m', 'smpte170m', false), {}, rec709],
    ['vp8', rec709, { colorSpace: { primaries: 'bt470bg' } }, cs(null, null, null, false)],
    ['vp8', rec709, { colorSpace: whole }, whole],
  ];
  for (const [codec, encoded, extra, expected] of cases) {
    const chunk = await encodeOne(codec, encoded);
    assert.deepEqual(await decodeOne({ codec, ...extra }, chunk), expected, `${codec} ${JSON.stringify(encoded)} ${JSON.stringify(extra)}`);
  }
});

// decode(): "[[key chunk required]]" ... implementations SHOULD inspect the
// chunk's [[internal data]] to verify that it is truly a key chunk; if not,
// throw a DataError. Chrome does for every codec: a synchronous DataError, the
// codec stays configured and the error callback is not called.
test('a chunk marked key whose data holds no key frame throws DataError and leaves the codec configured', async () => {
  const junk = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
  // A well-formed Annex B access unit with only a non-IDR slice.
  const deltaSlice = new Uint8Array([0, 0, 0, 1, 0x41, 0x9a, 0x22, 0x11, 0x33]);
  const hevcDelta = new Uint8Array([0, 0, 0, 1, 0x02, 0x01, 0xd0, 0x22, 0x11]);
  const cases = [
    ['vp8', junk], ['vp09.00.10.08', junk], ['av01.0.04M.08', junk],
    ['avc1.42001f', junk], ['avc1.42001f', deltaSlice], ['avc3.42001f', junk],
    ['hvc1.1.6.L93.B0', junk], ['hvc1.1.6.L93.B0', hevcDelta], ['hev1.1.6.L93.B0', junk],
  ];
  // Length-prefixed framing: real delta chunks of an avc and an hvcC stream.
  const avc = MP4.samples.find((s) => s.type === 'delta');
  const HEVC = mp4Samples(fixture('h265.mp4'), 'hvcC');
  const hevc = HEVC.samples.find((s) => s.type === 'delta');
  const framed = [['avc1.64000b', avc.data, MP4.description], ['hvc1.1.6.L93.B0', hevc.data, HEVC.description]];
  for (const [codec, data, description] of [...cases.map(([c, d]) => [c, d]), ...framed]) {
    const rec = recorder();
    rec.decoder.configure(description ? { codec, description } : { codec });
    assert.throws(() => rec.decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data })), { name: 'DataError' }, codec);
    assert.equal(rec.decoder.state, 'configured');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(rec.decoder.state, 'configured');
    assert.deepEqual(rec.errors, []);
    rec.decoder.close();
  }
});

// The spec lets a decoder stall while its outputs are held (its resources are
// the decoder's); Chrome's software decoders never do (test/oracle/held-frames.js:
// 60 held frames, every one output, flush settles), and programs that collect a
// clip's frames before looking at them rely on it. A decoder-side frame limit
// would hang this test: its timeout turns that into a failure.
for (const codec of ['avc1.42001f', 'vp8', 'vp09.00.10.08', 'av01.0.04M.08']) {
  test(`${codec}: every frame is output and flush settles while all 60 are held`, { timeout: 60_000 }, async () => {
    const { VideoEncoder } = require('..');
    const { encodeClip } = require('./helpers');
    const { chunks, metadata } = await encodeClip({ VideoEncoder }, { codec, width: 320, height: 240, bitrate: 500_000, framerate: 30 }, 60);
    const rec = recorder();
    rec.decoder.configure(metadata[0].decoderConfig);
    for (const chunk of chunks) rec.decoder.decode(chunk);
    await rec.decoder.flush();
    assert.deepEqual(rec.errors, []);
    assert.deepEqual(rec.frames.map((f) => f.timestamp), chunks.map((c) => c.timestamp));
    assert.ok(rec.frames.every((f) => f.format === 'I420' && f.codedWidth >= 320));
    for (const f of rec.frames) f.close();
    rec.decoder.close();
  });
}
