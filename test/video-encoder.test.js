'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const webcodecs = require('..');
const OPENH264 = webcodecs.buildInfo.directEncoders.includes('openh264');
const { VideoEncoder, VideoFrame } = webcodecs;
const { patternFrame, encodeClip, until, fixture, ffmpegPictures, writeIvf, probe } = require('./helpers');

const CONFIG = { codec: 'avc1.42001f', width: 320, height: 240, bitrate: 500_000, framerate: 30 };

function recorder() {
  const rec = { chunks: [], metadata: [], errors: [] };
  rec.encoder = new VideoEncoder({
    output: (chunk, meta) => {
      rec.chunks.push(chunk);
      rec.metadata.push(meta);
    },
    error: (e) => rec.errors.push(e),
  });
  return rec;
}

/** Splits a length-prefixed (avc) chunk into NAL unit types; throws if the lengths do not add up. */
function avcNalTypes(chunk) {
  const data = new Uint8Array(chunk.byteLength);
  chunk.copyTo(data);
  const types = [];
  for (let i = 0; i < data.length; ) {
    const len = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
    if (i + 4 + len > data.length) throw new Error('length prefix overruns the chunk');
    types.push(data[i + 4] & 0x1f);
    i += 4 + len;
  }
  return types;
}

test('isConfigSupported answers for valid configs and clones only recognised members', async () => {
  const yes = await VideoEncoder.isConfigSupported({ ...CONFIG, futureMember: 1, avc: { format: 'annexb' } });
  assert.equal(yes.supported, true);
  assert.deepEqual(yes.config, {
    ...CONFIG,
    hardwareAcceleration: 'no-preference',
    alpha: 'discard',
    bitrateMode: 'variable',
    latencyMode: 'quality',
    avc: { format: 'annexb' },
  });
  // AV1 Professional holds 4:2:0 only at 12 bits.
  for (const codec of ['avc1', 'vp9', 'avc1.FFFFFF', 'avc1.420099', 'hvc1.4.10.L93.B0', 'av01.2.04M.08', 'av01.2.04M.10']) {
    assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, codec })).supported, false, codec);
  }
  assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, width: 4096, height: 2160 })).supported, false, 'level 3.1 is too small for 4K');
  assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, width: 321 })).supported, false, 'odd width');
  assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, hardwareAcceleration: 'prefer-hardware' })).supported, false);
  assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, alpha: 'keep' })).supported, false);
  // H.264's temporal layers come from OpenH264 (every release build has it; a source build where found).
  assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, scalabilityMode: 'L1T3' })).supported, OPENH264);
  // OpenH264 opens for smaller pictures but fails on every frame: refused up front.
  for (const [width, height] of [[14, 14], [16, 14], [14, 16]]) {
    assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, width, height, scalabilityMode: 'L1T2' })).supported, false, `${width}x${height}`);
  }
  assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, width: 16, height: 16, scalabilityMode: 'L1T2' })).supported, OPENH264);
  for (const framerate of [0, -1]) assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, framerate })).supported, false, `framerate ${framerate}`);
  const wide = await VideoEncoder.isConfigSupported({ ...CONFIG, displayWidth: 640, displayHeight: 240 });
  assert.equal(wide.supported, true);
  assert.equal((await VideoEncoder.isConfigSupported({ ...CONFIG, codec: 'avc1.640028', width: 1920, height: 1080 })).supported, true);
  // Debian's libvpx (built with a 16384 size limit, as Chromium's) opens VP9 wider but fails every frame.
  for (const [width, height, supported] of [[16384, 16, true], [16385, 16, false], [16, 16385, false]]) {
    assert.equal((await VideoEncoder.isConfigSupported({ codec: 'vp09.00.10.08', width, height })).supported, supported, `VP9 ${width}x${height}`);
  }
});

test('isConfigSupported rejects invalid configs with TypeError', async () => {
  for (const bad of [
    undefined,
    { ...CONFIG, codec: '' },
    { ...CONFIG, codec: '  ' },
    { ...CONFIG, width: 0 },
    { ...CONFIG, height: undefined },
    { ...CONFIG, width: -5 },
    { ...CONFIG, displayWidth: 0, displayHeight: 240 },
    { ...CONFIG, displayWidth: 640 },
    { ...CONFIG, bitrate: 0 },
    { ...CONFIG, bitrate: NaN },
    { ...CONFIG, latencyMode: 'fast' },
    { ...CONFIG, avc: { format: 'raw' } },
  ]) {
    await assert.rejects(VideoEncoder.isConfigSupported(bad), TypeError, JSON.stringify(bad));
  }
});

test('configure validates synchronously and reports unsupported configs through the error callback', async () => {
  const rec = recorder();
  assert.equal(rec.encoder.state, 'unconfigured');
  assert.throws(() => rec.encoder.configure({ ...CONFIG, width: 0 }), TypeError);
  assert.equal(rec.encoder.state, 'unconfigured');
  rec.encoder.configure({ ...CONFIG, codec: 'avc1.zzzzzz' });
  assert.equal(rec.encoder.state, 'configured');
  await until(() => rec.errors.length > 0);
  assert.ok(rec.errors[0] instanceof DOMException);
  assert.equal(rec.errors[0].name, 'NotSupportedError');
  assert.equal(rec.encoder.state, 'closed');
  assert.throws(() => rec.encoder.configure(CONFIG), { name: 'InvalidStateError' });
  assert.throws(() => rec.encoder.reset(), { name: 'InvalidStateError' });
  assert.throws(() => rec.encoder.close(), { name: 'InvalidStateError' });
});

test('wrong-state and wrong-type calls', async () => {
  const rec = recorder();
  const frame = patternFrame(320, 240, 0, 0);
  assert.throws(() => rec.encoder.encode(frame), { name: 'InvalidStateError' });
  await assert.rejects(rec.encoder.flush(), (e) => e instanceof DOMException && e.name === 'InvalidStateError');
  rec.encoder.configure(CONFIG);
  assert.throws(() => rec.encoder.encode({}), TypeError);
  const closed = frame.clone();
  closed.close();
  assert.throws(() => rec.encoder.encode(closed), TypeError);
  rec.encoder.close();
  assert.throws(() => rec.encoder.encode(frame), { name: 'InvalidStateError' });
  frame.close();
  assert.throws(() => new VideoEncoder({ output() {} }), TypeError);
  assert.throws(() => new VideoEncoder({ output: 1, error() {} }), TypeError);
  assert.throws(() => new VideoEncoder(), TypeError);
});

test('avc output: decoderConfig on the first chunk, length-prefixed chunks, exact timestamps, requested key frames', async () => {
  const { chunks, metadata } = await encodeClip(webcodecs, CONFIG, 20, { keyEvery: 7 });
  assert.equal(chunks.length, 20);
  const config = metadata[0].decoderConfig;
  assert.equal(config.codec, 'avc1.42001f', 'the configured codec string');
  assert.equal(config.displayAspectWidth, undefined, 'no display aspect unless configured');
  assert.deepEqual([config.hardwareAcceleration, config.rotation, config.flip], ['no-preference', 0, false]);
  assert.equal(config.codedWidth, 320);
  assert.equal(config.codedHeight, 240);
  assert.ok(config.description instanceof ArrayBuffer);
  assert.equal(new Uint8Array(config.description)[0], 1, 'avcC configurationVersion');
  assert.ok(metadata.slice(1).every((m) => m.decoderConfig === undefined));
  chunks.forEach((chunk, i) => {
    assert.equal(chunk.timestamp, i * 33333);
    assert.equal(chunk.duration, 33333);
    assert.equal(chunk.type, i % 7 === 0 ? 'key' : 'delta', `chunk ${i}`);
    const types = avcNalTypes(chunk);
    assert.ok(!types.includes(7) && !types.includes(8), 'avc1: parameter sets stay in the avcC');
  });
});

test('annexb output is a stream ffprobe accepts with the configured size and profile', async () => {
  const config = { ...CONFIG, codec: 'avc1.64001f', width: 640, height: 360, avc: { format: 'annexb' } };
  const { chunks, metadata } = await encodeClip(webcodecs, config, 30);
  assert.equal(metadata[0].decoderConfig.description, undefined);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wc-')), 'out.h264');
  fs.writeFileSync(file, Buffer.concat(chunks.map((c) => {
    const b = Buffer.alloc(c.byteLength);
    c.copyTo(b);
    return b;
  })));
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file]));
  const s = probe.streams[0];
  assert.equal(s.codec_name, 'h264');
  assert.equal(s.width, 640);
  assert.equal(s.height, 360);
  assert.equal(s.profile, 'High');
  assert.equal(Number(s.nb_read_frames), 30);
});

test('negative and irregular timestamps survive encoding', async () => {
  const rec = recorder();
  rec.encoder.configure(CONFIG);
  const stamps = [-1_000_000, -3, 0, 17, 1_000_000_007];
  stamps.forEach((t, i) => {
    const f = patternFrame(320, 240, i, t, i === 1 ? undefined : 5);
    rec.encoder.encode(f);
    f.close();
  });
  await rec.encoder.flush();
  assert.deepEqual(rec.chunks.map((c) => c.timestamp), stamps);
  assert.deepEqual(rec.chunks.map((c) => c.duration), [5, null, 5, 5, 5]);
  rec.encoder.close();
});

test('encodeQueueSize counts queued frames and dequeue events are coalesced', async () => {
  const rec = recorder();
  let events = 0;
  let handlerCalls = 0;
  rec.encoder.addEventListener('dequeue', () => events++);
  rec.encoder.ondequeue = () => handlerCalls++;
  assert.equal(typeof rec.encoder.ondequeue, 'function');
  rec.encoder.configure(CONFIG);
  for (let i = 0; i < 10; i++) {
    const f = patternFrame(320, 240, i, i);
    rec.encoder.encode(f);
    f.close();
  }
  assert.equal(rec.encoder.encodeQueueSize, 10, 'increments synchronously');
  await rec.encoder.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal(rec.encoder.encodeQueueSize, 0);
  assert.ok(events >= 1 && events <= 10, `${events} dequeue events`);
  assert.equal(handlerCalls, events);
  rec.encoder.close();
});

// encode() processes the control message queue at once: a frame leaves the
// queue while the encoder works on fewer than 5 (Chrome's saturation for its
// encoders; test/oracle/saturation.js), once the configuration took effect.
test('encode() takes up to 5 frames at once when the encoder is configured, and queues the rest', async () => {
  const rec = recorder();
  let events = 0;
  rec.encoder.ondequeue = () => events++;
  rec.encoder.configure(CONFIG);
  await rec.encoder.flush();
  const sizes = [];
  for (let i = 0; i < 8; i++) {
    const f = patternFrame(320, 240, i, i);
    rec.encoder.encode(f);
    f.close();
    sizes.push(rec.encoder.encodeQueueSize);
  }
  assert.deepEqual(sizes, [0, 0, 0, 0, 0, 1, 2, 3]);
  assert.equal(events, 0, 'the dequeue event is a task of its own');
  await new Promise((r) => setImmediate(r));
  assert.ok(events >= 1);
  await rec.encoder.flush();
  assert.equal(rec.encoder.encodeQueueSize, 0);
  assert.equal(rec.chunks.length, 8);
  rec.encoder.close();
});

test('reset rejects pending flushes with AbortError, drops old outputs, and the codec can be configured again', async () => {
  const rec = recorder();
  rec.encoder.configure(CONFIG);
  for (let i = 0; i < 10; i++) {
    const f = patternFrame(320, 240, i, 1000 + i);
    rec.encoder.encode(f);
    f.close();
  }
  const pending = rec.encoder.flush();
  let dequeues = 0;
  let chunksAtFirstDequeue;
  rec.encoder.ondequeue = () => {
    dequeues++;
    chunksAtFirstDequeue ??= rec.chunks.length;
  };
  rec.encoder.reset();
  const atReset = rec.chunks.length;
  assert.equal(rec.encoder.state, 'unconfigured');
  assert.equal(rec.encoder.encodeQueueSize, 0);
  await assert.rejects(pending, (e) => e instanceof DOMException && e.name === 'AbortError');
  await assert.rejects(rec.encoder.flush(), { name: 'InvalidStateError' });
  const before = rec.chunks.length;
  rec.encoder.configure({ ...CONFIG, width: 160, height: 120 });
  for (let i = 0; i < 3; i++) {
    const f = patternFrame(160, 120, i, 2000 + i);
    rec.encoder.encode(f);
    f.close();
  }
  await rec.encoder.flush();
  const after = rec.chunks.slice(before);
  assert.ok(after.length >= 3);
  assert.ok(after.slice(-3).every((c, i) => c.timestamp === 2000 + i));
  assert.ok(rec.chunks.slice(atReset).every((c) => c.timestamp >= 2000), 'no output after reset belongs to the old frames');
  assert.ok(dequeues >= 1, 'reset with queued frames fires dequeue');
  assert.equal(chunksAtFirstDequeue, atReset, "reset's dequeue event is a task queued before the new outputs");
  assert.equal(rec.metadata[before + after.length - 3].decoderConfig.codedWidth, 160);
  assert.equal(rec.errors.length, 0);
  rec.encoder.close();
});

test('reconfigure after flush starts a new stream with a new decoderConfig', async () => {
  const rec = recorder();
  rec.encoder.configure(CONFIG);
  let f = patternFrame(320, 240, 0, 0);
  rec.encoder.encode(f);
  f.close();
  await rec.encoder.flush();
  // Encoding continues after a flush with no new decoderConfig.
  f = patternFrame(320, 240, 1, 1);
  rec.encoder.encode(f);
  f.close();
  await rec.encoder.flush();
  assert.equal(rec.chunks.length, 2);
  assert.equal(rec.metadata[1].decoderConfig, undefined);
  rec.encoder.configure({ ...CONFIG, codec: 'avc1.4d001e', width: 176, height: 144 });
  f = patternFrame(176, 144, 2, 2);
  rec.encoder.encode(f);
  f.close();
  await rec.encoder.flush();
  assert.equal(rec.chunks[2].type, 'key');
  assert.equal(rec.metadata[2].decoderConfig.codedWidth, 176);
  assert.equal(rec.metadata[2].decoderConfig.codec, 'avc1.4d001e');
  rec.encoder.close();
});

test('close during a pending flush rejects it with AbortError and does not call the error callback', async () => {
  const rec = recorder();
  rec.encoder.configure(CONFIG);
  const f = patternFrame(320, 240, 0, 0);
  rec.encoder.encode(f);
  f.close();
  const pending = rec.encoder.flush();
  rec.encoder.close();
  assert.equal(rec.encoder.state, 'closed');
  await assert.rejects(pending, { name: 'AbortError' });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(rec.errors.length, 0);
});

test('frames of another size or format are converted on the codec thread', async () => {
  const rec = recorder();
  rec.encoder.configure(CONFIG);
  const rgba = new VideoFrame(new Uint8Array(64 * 48 * 4).fill(200), { format: 'RGBA', codedWidth: 64, codedHeight: 48, timestamp: 0 });
  rec.encoder.encode(rgba);
  rgba.close();
  const nv12 = new VideoFrame(new Uint8Array(320 * 240 * 1.5).fill(90), { format: 'NV12', codedWidth: 320, codedHeight: 240, timestamp: 1 });
  rec.encoder.encode(nv12);
  nv12.close();
  await rec.encoder.flush();
  assert.deepEqual(rec.chunks.map((c) => c.timestamp), [0, 1]);
  assert.equal(rec.errors.length, 0);
  rec.encoder.close();
});

test('reconfiguring to a new size rescales later frames to it (same input size)', async () => {
  const rec = recorder();
  for (const [width, height] of [[320, 240], [160, 120], [320, 240]]) {
    rec.encoder.configure({ ...CONFIG, width, height });
    const f = patternFrame(640, 480, 0, width);
    rec.encoder.encode(f);
    f.close();
    await rec.encoder.flush();
  }
  assert.deepEqual(rec.metadata.map((m) => m.decoderConfig?.codedWidth), [320, 160, 320]);
  assert.equal(rec.errors.length, 0);
  rec.encoder.close();
});

test('the caller may close a frame right after encode()', async () => {
  const rec = recorder();
  rec.encoder.configure(CONFIG);
  const frame = patternFrame(320, 240, 0, 42);
  rec.encoder.encode(frame);
  frame.close();
  await rec.encoder.flush();
  assert.equal(rec.chunks.length, 1);
  assert.equal(rec.chunks[0].timestamp, 42);
  rec.encoder.close();
});

test('realtime latency mode and constant bitrate encode', async () => {
  for (const extra of [{ latencyMode: 'realtime' }, { bitrateMode: 'constant' }]) {
    const { chunks } = await encodeClip(webcodecs, { ...CONFIG, ...extra }, 10);
    assert.equal(chunks.length, 10, JSON.stringify(extra));
  }
});

// Browsers' encoders give about one chunk per frame and clients rely on it
// (they stop feeding after a handful of frames without an output): the first
// chunk comes after at most 8 frames, then one per frame, without a flush().
for (const codec of ['avc1.64001f', 'avc1.42001f', 'hvc1.1.6.L93.B0', 'vp8', 'vp09.00.10.08', 'av01.0.04M.08']) {
  for (const latencyMode of ['quality', 'realtime']) {
    test(`${codec} ${latencyMode}: an encoder holds at most 7 frames before its chunks come out`, async (t) => {
      const config = { codec, width: 640, height: 360, bitrate: 1_000_000, framerate: 30, latencyMode };
      if (!(await VideoEncoder.isConfigSupported(config)).supported) return t.skip(`${codec} has no encoder in this build`);
      const rec = recorder();
      rec.encoder.configure(config);
      for (let i = 1; i <= 16; i++) {
        const f = patternFrame(640, 360, i, i * 33333);
        rec.encoder.encode(f);
        f.close();
        // After frame i, at least i - 7 chunks arrive with no flush().
        if (i >= 8) await until(() => rec.chunks.length >= i - 7, 30000);
      }
      assert.deepEqual(rec.errors, []);
      await rec.encoder.flush();
      assert.equal(rec.chunks.length, 16);
      rec.encoder.close();
    });
  }
}

// encode() steps: the first frame after configure() sets [[active orientation]];
// a frame with another rotation or flip throws DataError; "Output
// EncodedVideoChunks" puts the orientation in decoderConfig. As in Chrome
// (test/oracle/encoder-exactness.js).
test('frame orientation reaches decoderConfig, and a frame oriented otherwise throws DataError', async () => {
  for (const codec of ['vp8', 'avc1.42001f']) {
    const rec = recorder();
    const frame = (rotation, flip) => new VideoFrame(new Uint8Array(64 * 48 * 1.5).fill(90), { format: 'I420', codedWidth: 64, codedHeight: 48, timestamp: 0, rotation, flip });
    rec.encoder.configure({ ...CONFIG, codec, width: 64, height: 48 });
    for (const [rotation, flip, result] of [[90, true, 'ok'], [90, true, 'ok'], [0, false, 'DataError'], [90, false, 'DataError'], [180, true, 'DataError']]) {
      const f = frame(rotation, flip);
      if (result === 'ok') rec.encoder.encode(f);
      else assert.throws(() => rec.encoder.encode(f), { name: 'DataError' });
      f.close();
    }
    assert.equal(rec.encoder.encodeQueueSize <= 2, true);
    await rec.encoder.flush();
    assert.equal(rec.chunks.length, 2);
    assert.deepEqual([rec.metadata[0].decoderConfig.rotation, rec.metadata[0].decoderConfig.flip], [90, true]);
    // configure() clears [[active orientation]].
    rec.encoder.configure({ ...CONFIG, codec, width: 64, height: 48 });
    const f = frame(270, false);
    rec.encoder.encode(f);
    f.close();
    await rec.encoder.flush();
    assert.deepEqual([rec.metadata[2].decoderConfig.rotation, rec.metadata[2].decoderConfig.flip], [270, false]);
    assert.deepEqual(rec.errors, []);
    rec.encoder.close();
  }
});

// RGB input is converted to full-range BT.709 YUV and keeps its sRGB
// transfer; decoderConfig and the stream say so, as Chrome's do
// (test/oracle/encoder-exactness.js), and the colours come back.
test('RGB input: decoderConfig.colorSpace describes the conversion, and decoding gives the colours back', async () => {
  const { VideoDecoder } = webcodecs;
  const W = 64, H = 48;
  const colors = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [250, 200, 20]];
  const pixels = new Uint8Array(W * H * 4);
  const at = (x, y) => colors[Math.floor(x / 16) % 3 + 3 * Math.floor(y / 24)];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) pixels.set([...at(x, y), 255], (y * W + x) * 4);
  for (const codec of ['avc1.42001f', 'vp09.00.10.08', 'av01.0.04M.08']) {
    const rec = recorder();
    rec.encoder.configure({ ...CONFIG, codec, width: W, height: H, bitrate: 2_000_000 });
    const f = new VideoFrame(pixels, { format: 'RGBA', codedWidth: W, codedHeight: H, timestamp: 0 });
    rec.encoder.encode(f, { keyFrame: true });
    f.close();
    await rec.encoder.flush();
    rec.encoder.close();
    const config = rec.metadata[0].decoderConfig;
    assert.deepEqual(config.colorSpace, { fullRange: true, matrix: 'bt709', primaries: 'bt709', transfer: 'iec61966-2-1' }, codec);
    const frames = [];
    const decoder = new VideoDecoder({ output: (fr) => frames.push(fr), error: (e) => { throw e; } });
    decoder.configure(config);
    decoder.decode(rec.chunks[0]);
    await decoder.flush();
    decoder.close();
    assert.equal(frames[0].colorSpace.fullRange, true);
    const out = new Uint8Array(W * H * 4);
    await frames[0].copyTo(out, { format: 'RGBA' });
    frames[0].close();
    // The middle of each colour block, within what the codec loses.
    for (const [x, y] of [[8, 12], [24, 12], [40, 12], [8, 36], [24, 36], [40, 36]]) {
      const got = [...out.subarray((y * W + x) * 4, (y * W + x) * 4 + 3)];
      got.forEach((v, i) => assert.ok(Math.abs(v - at(x, y)[i]) <= 10, `${codec} (${x},${y}): ${got} vs ${at(x, y)}`));
    }
  }
});

// libvpx's VP8 encoder adjusts a positive real-time speed by how long each
// frame took, which made identical input give different bytes run to run.
test('the same frames give the same VP8 bytes every time (a fixed encoder speed)', async () => {
  const { patternFrame } = require('./helpers');
  const encodeAll = async (latencyMode) => {
    const chunks = [];
    const encoder = new VideoEncoder({
      output: (c) => {
        const b = new Uint8Array(c.byteLength);
        c.copyTo(b);
        chunks.push(Buffer.from(b).toString('base64'));
      },
      error: (e) => { throw e; },
    });
    encoder.configure({ codec: 'vp8', width: 640, height: 480, bitrate: 1_000_000, framerate: 30, latencyMode });
    for (let i = 0; i < 40; i++) {
      const frame = patternFrame(640, 480, i, i * 33333);
      encoder.encode(frame);
      frame.close();
    }
    await encoder.flush();
    encoder.close();
    return chunks.join(',');
  };
  for (const mode of ['quality', 'realtime']) {
    const first = await encodeAll(mode);
    for (let run = 0; run < 3; run++) assert.equal(await encodeAll(mode), first, `${mode} run ${run + 2}`);
  }
});

// contentHint "text" tunes VP9 and AV1 for screen content, as Chrome does:
// on a scrolling page of glyphs the stream is smaller and the picture better.
test('contentHint "text" makes VP9 and AV1 code screen content smaller and better', async () => {
  const { psnr } = require('./helpers');
  const { VideoDecoder } = webcodecs;
  const W = 640;
  const H = 360;
  const page = (shift) => {
    const bytes = new Uint8Array(W * H * 1.5).fill(128);
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const row = (r + shift) % H;
        const glyph = (((c >> 2) * 7 + (row >> 3) * 13) % 11 < 4) && row % 16 < 11 && c % 8 < 6;
        bytes[r * W + c] = glyph ? 20 : 235;
      }
    }
    return bytes;
  };
  const sources = Array.from({ length: 20 }, (_, i) => page(i * 2));
  const encodeAndMeasure = async (codec, contentHint) => {
    const chunks = [];
    let decoderConfig;
    const encoder = new VideoEncoder({
      output: (chunk, metadata) => {
        chunks.push(chunk);
        decoderConfig ??= metadata?.decoderConfig;
      },
      error: (e) => { throw e; },
    });
    encoder.configure({ codec, width: W, height: H, bitrate: 300_000, framerate: 30, ...(contentHint ? { contentHint } : {}) });
    sources.forEach((bytes, i) => {
      const frame = new VideoFrame(bytes, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 33333 });
      encoder.encode(frame, { keyFrame: i === 0 });
      frame.close();
    });
    await encoder.flush();
    encoder.close();
    const scores = [];
    const decoder = new VideoDecoder({
      output: (frame) => {
        const out = new Uint8Array(frame.allocationSize());
        frame.copyTo(out);
        scores.push(Math.min(psnr(out.subarray(0, W * H), sources[scores.length].subarray(0, W * H)), 99));
        frame.close();
      },
      error: (e) => { throw e; },
    });
    decoder.configure(decoderConfig);
    for (const chunk of chunks) decoder.decode(chunk);
    await decoder.flush();
    decoder.close();
    return { bytes: chunks.reduce((sum, c) => sum + c.byteLength, 0), db: scores.reduce((a, b) => a + b, 0) / scores.length };
  };
  for (const codec of ['av01.0.04M.08', 'vp09.00.31.08']) {
    const plain = await encodeAndMeasure(codec);
    const text = await encodeAndMeasure(codec, 'text');
    assert.ok(text.bytes < plain.bytes, `${codec}: ${text.bytes} bytes with the hint, ${plain.bytes} without`);
    assert.ok(text.db > plain.db, `${codec}: ${text.db.toFixed(2)} dB with the hint, ${plain.db.toFixed(2)} without`);
  }
  const { config } = await VideoEncoder.isConfigSupported({ codec: 'vp09.00.31.08', width: W, height: H, contentHint: 'text' });
  assert.equal(config.contentHint, 'text');
});

// Temporal SVC (issue 9 item 1): the layer ids Chrome gives (L1T2 0,1,0,1…;
// L1T3 0,2,1,2…, starting again at a requested key frame), and each set of
// lower layers decodes on its own to as many frames, pictures intact.
test('L1T2 and L1T3 for VP8, VP9, AV1 and (with OpenH264) H.264: Chrome\'s temporal layer ids, and the lower layers decode alone', async () => {
  const { VideoDecoder, EncodedVideoChunk } = webcodecs;
  const { pattern, psnr } = require('./helpers');
  const W = 160, H = 120, N = 14, KEYS = [0, 7];
  for (const codec of ['vp8', 'vp09.00.10.08', 'av01.0.04M.08', ...(OPENH264 ? ['avc1.42001f'] : [])]) {
    for (const [mode, period] of [['L1T2', [0, 1]], ['L1T3', [0, 2, 1, 2]]]) {
      const rec = recorder();
      rec.encoder.configure({ codec, width: W, height: H, bitrate: 400_000, framerate: 30, scalabilityMode: mode });
      for (let i = 0; i < N; i++) {
        const frame = patternFrame(W, H, i, i * 33333, 33333);
        rec.encoder.encode(frame, { keyFrame: KEYS.includes(i) });
        frame.close();
      }
      await rec.encoder.flush();
      rec.encoder.close();
      assert.deepEqual(rec.errors, []);
      const expected = [];
      for (let i = 0, at = 0; i < N; i++, at++) {
        if (KEYS.includes(i)) at = 0;
        expected.push(period[at % period.length]);
      }
      assert.deepEqual(rec.metadata.map((m) => m.svc?.temporalLayerId), expected, `${codec} ${mode}`);
      assert.deepEqual(rec.chunks.map((c, i) => c.type === 'key'), expected.map((_, i) => KEYS.includes(i)));
      for (let top = 0; top < Math.max(...period); top++) {
        const kept = rec.chunks.map((c, i) => [c, i]).filter(([, i]) => expected[i] <= top);
        const pictures = [];
        const errors = [];
        const decoder = new VideoDecoder({
          output: async (frame) => {
            const buf = new Uint8Array(frame.allocationSize());
            const index = Math.round(frame.timestamp / 33333);
            pictures.push(frame.copyTo(buf).then(() => [index, buf.subarray(0, W * H)]));
            frame.close();
          },
          error: (e) => errors.push(e),
        });
        // The encoder's own decoder config (H.264's avcC comes with it).
        decoder.configure(rec.metadata[0].decoderConfig);
        for (const [chunk] of kept) decoder.decode(chunk);
        await decoder.flush();
        decoder.close();
        assert.deepEqual(errors, [], `${codec} ${mode} layers 0-${top}`);
        const decoded = await Promise.all(pictures);
        assert.deepEqual(decoded.map(([i]) => i), kept.map(([, i]) => i), `${codec} ${mode} layers 0-${top}: one picture per chunk`);
        for (const [i, luma] of decoded) {
          const db = psnr(luma, pattern(W, H, i).subarray(0, W * H));
          assert.ok(db >= 30, `${codec} ${mode} layers 0-${top}, frame ${i}: ${db.toFixed(1)} dB`);
        }
      }
    }
  }
  // One layer: no svc metadata. Spatial and key-only modes stay unsupported.
  const plain = await encodeClip(webcodecs, { codec: 'vp8', width: W, height: H, bitrate: 300_000, scalabilityMode: 'L1T1' }, 3);
  assert.ok(plain.metadata.every((m) => !('svc' in m)));
  for (const scalabilityMode of ['L2T1', 'L1T3_KEY', 'S2T1', 'L3T3']) {
    const { supported } = await VideoEncoder.isConfigSupported({ codec: 'vp8', width: W, height: H, scalabilityMode });
    assert.equal(supported, false, scalabilityMode);
  }
  assert.equal((await VideoEncoder.isConfigSupported({ codec: 'vp8', width: W, height: H, scalabilityMode: 'L1T3' })).supported, true);
});

/** Each slice's QP in an Annex B H.264 or HEVC stream (26 + the PPS's init QP offset + slice_qp_delta), as trace_headers reads them. */
function sliceQps(file, format) {
  // (HEVC's trace is several MB: more than spawnSync's default buffer.)
  const r = require('node:child_process').spawnSync('ffmpeg', ['-hide_banner', '-f', format, '-i', file, '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr.slice(-500));
  let init = 0;
  const qps = [];
  for (const line of r.stderr.split('\n')) {
    const pps = /\b(?:pic_)?init_qp_minus26\s+\S+ = (-?\d+)/.exec(line);
    if (pps) init = Number(pps[1]);
    const slice = /\bslice_qp_delta\s+\S+ = (-?\d+)/.exec(line);
    if (slice) qps.push(26 + init + Number(slice[1]));
  }
  return qps;
}

// x264 and x265 take a frame's QP only through their own picture structures,
// which the static builds' FFmpeg fills from each frame ("frame-qp",
// scripts/build-ffmpeg). Elsewhere (the LGPL build, and development builds on
// Debian's FFmpeg) H.264 is OpenH264's, called directly with rate control
// off and each frame's QP set through its parameters; HEVC is the GPL
// release build's x265, or in a development build x265 called directly.
test('bitrateMode "quantizer": H.264 and HEVC code each frame at the QP its encode() options give, read back from the slice headers', async (t) => {
  const W = 320, H = 240;
  const release = webcodecs.buildInfo.libraries.length > 0;
  const pictures = ffmpegPictures(fixture('h264.mp4'), W, H);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-qp-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const x264FrameQp = release && webcodecs.buildInfo.encoders.includes('libx264');
  const x265FrameQp = (release && webcodecs.buildInfo.encoders.includes('libx265')) || webcodecs.buildInfo.directEncoders.includes('x265');
  // Before any quantizer: x264's, OpenH264's and x265's default QP.
  for (const [codec, key, expected, format, firstQp] of [['avc1.64001f', 'avc', x264FrameQp || OPENH264, 'h264', x264FrameQp ? 23 : 26], ['hvc1.1.6.L93.B0', 'hevc', x265FrameQp, 'hevc', 32]]) {
    const config = { codec, width: W, height: H, framerate: 30, bitrateMode: 'quantizer', [key]: { format: 'annexb' } };
    const support = await VideoEncoder.isConfigSupported(config);
    assert.equal(support.supported, expected, `${codec} quantizer mode in this build`);
    if (!expected) continue;
    const qps = [10, 20, 30, 40, 51];
    const rec = recorder();
    rec.encoder.configure(config);
    // A frame before any quantizer (the library's default QP), the same key
    // frame at each QP, one with another codec's quantizer (keeps the last),
    // one above the range (51), and 0.
    const options = [
      { keyFrame: true },
      ...qps.map((q) => ({ keyFrame: true, [key]: { quantizer: q } })),
      { keyFrame: false, vp9: { quantizer: 5 } },
      { keyFrame: false, [key]: { quantizer: 300 } },
      { keyFrame: false, [key]: { quantizer: 0 } },
    ];
    for (let i = 0; i < options.length; i++) {
      const picture = pictures[i >= 1 && i <= qps.length ? 0 : i % pictures.length];
      const frame = new VideoFrame(picture, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 33333, duration: 33333 });
      rec.encoder.encode(frame, options[i]);
      frame.close();
    }
    await rec.encoder.flush();
    rec.encoder.close();
    assert.deepEqual(rec.errors, []);
    assert.equal(rec.chunks.length, options.length);
    const file = path.join(dir, `${key}.${format}`);
    fs.writeFileSync(file, Buffer.concat(rec.chunks.map((c) => { const b = new Uint8Array(c.byteLength); c.copyTo(b); return b; })));
    assert.deepEqual(sliceQps(file, format), [firstQp, ...qps, 51, 51, 0], `${codec}: each slice's QP`);
    const sizes = rec.chunks.slice(1, qps.length + 1).map((c) => c.byteLength);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] < sizes[i - 1], `${codec} sizes ${sizes}`);
  }
});

/** Each frame header's base_q_idx in an IVF file, as FFmpeg's trace_headers reads them. */
function frameQIndexes(file) {
  const r = require('node:child_process').spawnSync('ffmpeg', ['-hide_banner', '-i', file, '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8' });
  return [...r.stderr.matchAll(/\bbase_q_idx\s+[01]+ = (\d+)/g)].map((m) => Number(m[1]));
}

// bitrateMode "quantizer" (issue 9 item 2): each frame is coded at the
// quantizer its encode() call gives, mapped as Chrome 156 maps it (read back
// from its streams, test/oracle/encoder-quantizer.js): the value's low byte is
// a qindex, rounded up to the libraries' next quantizer (AV1 never lossless);
// null counts as 0; a frame without one keeps the last frame's, and frames
// before any use libvpx's and libaom's default level (10, qindex 40).
test('bitrateMode "quantizer": VP9 and AV1 code each frame at its own quantizer, read back from the frame headers', async (t) => {
  const W = 320, H = 240;
  const qs = [0, 20, 40, 64, 100, 140, 180, 220, 249, 255];
  // Camera-like pictures (the H.264 fixture's, decoded by ffmpeg).
  const pictures = ffmpegPictures(fixture('h264.mp4'), W, H);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-quantizer-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [codec, key, fourcc] of [['vp09.00.10.08', 'vp9', 'VP90'], ['av01.0.04M.08', 'av1', 'AV01']]) {
    const config = { codec, width: W, height: H, framerate: 30, bitrateMode: 'quantizer' };
    const support = await VideoEncoder.isConfigSupported(config);
    assert.equal(support.supported, true, codec);
    assert.equal(support.config.bitrateMode, 'quantizer');
    const rec = recorder();
    rec.encoder.configure(config);
    // Two frames before any quantizer, the same picture as a key frame at
    // each quantizer, then frames with none, another codec's, null, values
    // between the libraries' steps and beyond a byte.
    const options = [
      { keyFrame: true },
      { keyFrame: false, [key]: {} },
      ...qs.map((q) => ({ keyFrame: true, [key]: { quantizer: q } })),
      { keyFrame: true },
      { keyFrame: false, [key === 'vp9' ? 'av1' : 'vp9']: { quantizer: 50 }, avc: { quantizer: 40 } },
      { keyFrame: false, [key]: { quantizer: null } },
      { keyFrame: false, [key]: { quantizer: 30 } },
      { keyFrame: false, [key]: { quantizer: 1000 } },
      { keyFrame: false, [key]: { quantizer: 70000 } },
      { keyFrame: false, [key]: { quantizer: -1 } },
    ];
    for (let i = 0; i < options.length; i++) {
      const picture = pictures[i >= 2 && i < qs.length + 2 ? 0 : i % pictures.length];
      const frame = new VideoFrame(picture, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 33333, duration: 33333 });
      rec.encoder.encode(frame, options[i]);
      frame.close();
    }
    await rec.encoder.flush();
    assert.deepEqual(rec.errors, []);
    assert.equal(rec.chunks.length, options.length);
    const file = path.join(dir, `${key}.ivf`);
    writeIvf(file, fourcc, W, H, rec.chunks);
    const zero = key === 'av1' ? 4 : 0;
    const want = [40, 40, zero, ...qs.slice(1), 255, 255, zero, 32, 232, 112, 255];
    assert.deepEqual(frameQIndexes(file), want, `${codec} base_q_idx of each frame`);
    // The same key frame, coded coarser and coarser, only gets smaller.
    const sizes = rec.chunks.slice(2, qs.length + 2).map((c) => c.byteLength);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] < sizes[i - 1], `${codec} sizes ${sizes}`);
    // ffmpeg decodes every frame of the stream.
    assert.equal(Number(probe(file).nb_read_frames), options.length);
    rec.encoder.close();
  }
  // Wrong types are TypeErrors before anything is queued; a codec's member
  // that is not a dictionary too.
  const rec = recorder();
  rec.encoder.configure({ codec: 'vp09.00.10.08', width: W, height: H, bitrateMode: 'quantizer' });
  const frame = new VideoFrame(pictures[0], { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 0 });
  for (const options of [{ vp9: { quantizer: Symbol('q') } }, { vp9: { quantizer: 10n } }, { vp9: 5 }, { av1: 'fast' }]) {
    assert.throws(() => rec.encoder.encode(frame, options), { name: 'TypeError' }, String(Object.keys(options)));
  }
  assert.equal(rec.encoder.encodeQueueSize, 0);
  frame.close();
  rec.encoder.close();
  // Chrome has no per-frame quantizer for VP8 (nor for H.264, which the
  // release builds' x264 has, tested above), and none with layers.
  for (const config of [
    { codec: 'vp8', width: W, height: H, bitrateMode: 'quantizer' },
    { codec: 'avc1.42001f', width: W, height: H, bitrateMode: 'quantizer', scalabilityMode: 'L1T2' },
    { codec: 'vp09.00.10.08', width: W, height: H, bitrateMode: 'quantizer', scalabilityMode: 'L1T2' },
    { codec: 'vp09.00.10.08', width: W, height: H, bitrateMode: 'quantizer', alpha: 'keep' },
  ]) {
    assert.equal((await VideoEncoder.isConfigSupported(config)).supported, false, JSON.stringify(config));
  }
});

// Found by test/stress/encoder-fuzz.js: Debian's libaom 3.6 crashed
// (SIGSEGV, or an AVX2 alignment assertion) tuning for screen content at 10
// bits with temporal layers; there the encoder keeps the palette only. In a
// child process, so that a crash fails this test instead of the runner.
test('AV1 10-bit with temporal layers and contentHint "text" encodes (libaom 3.6 crashed)', () => {
  const script = `
    const { VideoEncoder, VideoFrame } = require(${JSON.stringify(path.join(__dirname, '..'))});
    (async () => {
      let outputs = 0;
      const encoder = new VideoEncoder({ output: () => outputs++, error: (e) => { console.log(e.name); process.exit(3); } });
      encoder.configure({ codec: 'av01.0.04M.10', width: 160, height: 90, framerate: 15, bitrate: 50000, scalabilityMode: 'L1T2', bitrateMode: 'constant', contentHint: 'text' });
      for (let i = 0; i < 30; i++) {
        const frame = new VideoFrame(new Uint8Array(160 * 90 * 4).fill(i * 7), { format: 'RGBA', codedWidth: 160, codedHeight: 90, timestamp: i * 66666 });
        encoder.encode(frame, { keyFrame: i % 7 === 0 });
        frame.close();
      }
      await encoder.flush();
      console.log(outputs);
    })();`;
  const r = require('node:child_process').spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-300)}`);
  assert.equal(r.status, 0, r.stderr.slice(-300));
  assert.equal(r.stdout.trim(), '30');
});

// alpha: "keep" for VP8 and VP9 (issue 9 item 3; Chrome refuses alpha): each
// chunk's metadata.alphaSideData is the alpha plane coded as its own frame,
// which a plain VideoDecoder turns back into the alpha values.
test('alpha "keep": VP8 and VP9 chunks carry alphaSideData that decodes to the alpha plane', async () => {
  const { VideoDecoder, EncodedVideoChunk } = webcodecs;
  const W = 160, H = 120, N = 6;
  const alphaOf = (x, y, i) => (x * 2 + y + i * 3) & 255;
  const source = (format, i) => {
    if (format === 'I420A') {
      const data = new Uint8Array(W * H * 2.5).fill(100);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[W * H * 1.5 + y * W + x] = alphaOf(x, y, i);
      return new VideoFrame(data, { format, codedWidth: W, codedHeight: H, timestamp: i * 33333 });
    }
    const data = new Uint8Array(W * H * 4).fill(100);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[(y * W + x) * 4 + 3] = alphaOf(x, y, i);
    return new VideoFrame(data, { format, codedWidth: W, codedHeight: H, timestamp: i * 33333 });
  };
  for (const codec of ['vp8', 'vp09.00.10.08']) {
    for (const format of ['I420A', 'RGBA']) {
      for (const alpha of ['keep', 'discard']) {
        const rec = recorder();
        rec.encoder.configure({ codec, width: W, height: H, bitrate: 1_000_000, framerate: 30, alpha });
        for (let i = 0; i < N; i++) {
          const frame = source(format, i);
          rec.encoder.encode(frame, { keyFrame: i === 0 });
          frame.close();
        }
        await rec.encoder.flush();
        rec.encoder.close();
        assert.deepEqual(rec.errors, []);
        assert.equal(rec.chunks.length, N);
        if (alpha === 'discard') {
          assert.ok(rec.metadata.every((m) => !('alphaSideData' in m)), `${codec} ${format} discard`);
          continue;
        }
        assert.deepEqual(Object.keys(rec.metadata[0]), ['alphaSideData', 'decoderConfig']);
        const scores = [];
        const errors = [];
        const decoder = new VideoDecoder({
          output: (frame) => {
            const buf = new Uint8Array(frame.allocationSize());
            const i = Math.round(frame.timestamp / 33333);
            scores.push(frame.copyTo(buf).then(() => {
              let se = 0;
              for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) se += (buf[y * W + x] - alphaOf(x, y, i)) ** 2;
              return se === 0 ? 99 : 10 * Math.log10((255 * 255 * W * H) / se);
            }));
            frame.close();
          },
          error: (e) => errors.push(e),
        });
        decoder.configure({ codec });
        rec.chunks.forEach((chunk, i) => {
          const data = rec.metadata[i].alphaSideData;
          assert.ok(data instanceof ArrayBuffer && data.byteLength > 0, `${codec} ${format} chunk ${i} has alphaSideData`);
          decoder.decode(new EncodedVideoChunk({ type: chunk.type, timestamp: chunk.timestamp, data }));
        });
        await decoder.flush();
        decoder.close();
        assert.deepEqual(errors, []);
        const db = await Promise.all(scores);
        assert.equal(db.length, N);
        assert.ok(db.every((d) => d >= 30), `${codec} ${format}: alpha PSNR ${db.map((d) => d.toFixed(1))}`);
      }
    }
  }
  for (const [codec, supported] of [['vp8', true], ['vp09.00.10.08', true], ['vp09.02.10.10', false], ['av01.0.04M.08', false], ['avc1.42001f', false]]) {
    const answer = await VideoEncoder.isConfigSupported({ codec, width: W, height: H, alpha: 'keep' });
    assert.equal(answer.supported, supported, codec);
  }
});

// Issue 14 item 3: the same input and config give the same bytes on every
// run, for every encoder (both latency modes for video; threads included).
test('every encoder gives byte-identical output for the same input, run after run', async () => {
  const crypto = require('node:crypto');
  const { AudioEncoder, AudioData } = webcodecs;
  const digest = async (make) => {
    const hash = crypto.createHash('sha256');
    let chunks = 0;
    const errors = [];
    await make((chunk) => {
      const bytes = new Uint8Array(chunk.byteLength);
      chunk.copyTo(bytes);
      hash.update(bytes);
      chunks++;
    }, (e) => errors.push(e));
    assert.deepEqual(errors, []);
    return `${chunks} chunks, ${hash.digest('hex')}`;
  };
  const video = (codec, latencyMode, extra = {}) => digest(async (output, error) => {
    const encoder = new VideoEncoder({ output, error });
    const config = { codec, width: 192, height: 128, bitrate: 600_000, framerate: 30, latencyMode, ...extra };
    // HEVC is encoded in the GPL flavour and dev builds only.
    if (!(await VideoEncoder.isConfigSupported(config)).supported) {
      assert.ok(codec.startsWith('hvc1'), `${codec} is not supported`);
      return;
    }
    encoder.configure(config);
    for (let i = 0; i < 30; i++) {
      const frame = patternFrame(192, 128, i, i * 33333, 33333);
      encoder.encode(frame, { keyFrame: i === 0 });
      frame.close();
    }
    await encoder.flush();
    encoder.close();
  });
  const supported = async (codec) => (await VideoEncoder.isConfigSupported({ codec, width: 192, height: 128 })).supported;
  const audio = (codec) => digest(async (output, error) => {
    const encoder = new AudioEncoder({ output, error });
    encoder.configure({ codec, sampleRate: 48000, numberOfChannels: 2, bitrate: 128_000 });
    for (let i = 0; i < 40; i++) {
      const data = new Float32Array(960 * 2);
      for (let k = 0; k < 960; k++) {
        const t = (i * 960 + k) / 48000;
        data[2 * k] = Math.sin(2 * Math.PI * 440 * t) * 0.5;
        data[2 * k + 1] = Math.sin(2 * Math.PI * 660 * t) * 0.3;
      }
      const chunk = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 2, timestamp: i * 20000, data });
      encoder.encode(chunk);
      chunk.close();
    }
    await encoder.flush();
    encoder.close();
  });
  for (const codec of ['avc1.42001f', 'avc1.64001f', 'hvc1.1.6.L93.B0', 'vp8', 'vp09.00.10.08', 'av01.0.04M.08']) {
    for (const latencyMode of ['quality', 'realtime']) {
      const first = await video(codec, latencyMode);
      if (await supported(codec)) assert.match(first, /^30 chunks/, `${codec} ${latencyMode}`);
      assert.equal(await video(codec, latencyMode), first, `${codec} ${latencyMode}`);
    }
  }
  // H.264 with temporal layers, and in quantizer mode (OpenH264's where x264
  // takes no QP per frame); HEVC in quantizer mode where the build has it.
  for (const [codec, extra] of [['avc1.42001f', { scalabilityMode: 'L1T3' }], ['avc1.42001f', { bitrateMode: 'quantizer' }], ['hvc1.1.6.L93.B0', { bitrateMode: 'quantizer' }]]) {
    const label = `${codec} ${JSON.stringify(extra)}`;
    const first = await video(codec, 'realtime', extra);
    if ((await VideoEncoder.isConfigSupported({ codec, width: 192, height: 128, ...extra })).supported) assert.match(first, /^30 chunks/, label);
    assert.equal(await video(codec, 'realtime', extra), first, label);
  }
  for (const codec of ['opus', 'mp4a.40.2', 'mp3', 'vorbis', 'flac']) {
    const first = await audio(codec);
    assert.match(first, /^[1-9]\d* chunks/);
    assert.equal(await audio(codec), first, codec);
  }
});

// Each output, flush and error is a task of its own, as in a browser: the
// microtasks its callbacks start (however long a chain of awaits) finish
// before the next. Chrome: a flush issued from an output callback settles
// after the flush already pending has, and after that flush's continuation
// (test/oracle/tasks.js).
test('a flush issued from an output callback settles after the pending flush and its await chain', async () => {
  const log = [];
  let issued = false;
  const encoder = new VideoEncoder({
    output: () => {
      if (issued) return;
      issued = true;
      encoder.flush().then(() => log.push('inner'));
    },
    error: (e) => log.push(e.name),
  });
  encoder.configure({ codec: 'vp8', width: 64, height: 64, bitrate: 200_000, framerate: 30 });
  for (let i = 0; i < 3; i++) {
    const f = patternFrame(64, 64, i, i * 1000);
    encoder.encode(f, { keyFrame: i === 0 });
    f.close();
  }
  await encoder.flush().then(async () => {
    log.push('outer');
    await null;
    await null;
    log.push('outer chain done');
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(log, ['outer', 'outer chain done', 'inner']);
  encoder.close();
});

// flush() emits what the encoder holds; an encoder that holds nothing (the
// real-time settings) goes on as it is, so the stream continues with delta
// frames after a flush, as Chrome's does (it was a key frame: the encoder was
// reopened). The chunks on both sides of the flushes decode as one stream.
for (const codec of ['vp8', 'vp09.00.10.08', 'av01.0.04M.08', 'avc1.42001f', 'hvc1.1.6.L93.B0']) {
  test(`${codec} realtime: encoding goes on after flush() without a key frame`, async (t) => {
    const { pattern, psnr } = require('./helpers');
    const { VideoDecoder } = webcodecs;
    if (codec.startsWith('hvc1') && !webcodecs.buildInfo.encoders.includes('libx265')) return t.skip('no HEVC encoder in this build');
    const W = 160, H = 120;
    const chunks = [];
    let decoderConfig;
    const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m?.decoderConfig; }, error: (e) => { throw e; } });
    encoder.configure({ codec, width: W, height: H, bitrate: 300_000, framerate: 30, latencyMode: 'realtime' });
    for (let i = 0; i < 9; i++) {
      const f = patternFrame(W, H, i, i * 33333);
      encoder.encode(f, { keyFrame: i === 0 });
      f.close();
      if (i % 3 === 2) await encoder.flush();
    }
    encoder.close();
    assert.deepEqual(chunks.map((c) => c.type), ['key', ...Array(8).fill('delta')]);
    const pictures = [];
    const decoder = new VideoDecoder({
      output: (frame) => {
        const buf = new Uint8Array(frame.allocationSize());
        pictures.push(frame.copyTo(buf).then(() => buf.subarray(0, W * H)));
        frame.close();
      },
      error: (e) => { throw e; },
    });
    decoder.configure(decoderConfig);
    for (const c of chunks) decoder.decode(c);
    await decoder.flush();
    decoder.close();
    const lumas = await Promise.all(pictures);
    assert.equal(lumas.length, 9);
    lumas.forEach((luma, i) => {
      const db = psnr(luma, pattern(W, H, i).subarray(0, W * H));
      assert.ok(db >= 28, `${codec} frame ${i}: ${db.toFixed(1)} dB`);
    });
  });
}
