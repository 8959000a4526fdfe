'use strict';
// AudioEncoder and AudioDecoder: round trips for every audio codec (sample
// counts, abutting timestamps, descriptions, signal-to-noise), streams
// validated by ffprobe, reference files decoded as ffmpeg decodes them, and
// the spec's errors.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { AudioEncoder, AudioDecoder, AudioData, EncodedAudioChunk } = require('..');
const { fixture, audioPackets, oggPackets, xiphLace, ffmpegSamples, snr, until } = require('./helpers');

const RATE = 48000;

/** One channel per frequency of a half-scale sine, f32-planar, `frames` long from sample `start`. */
function tones(start, frames, hz = [440, 660]) {
  const out = new Float32Array(frames * hz.length);
  hz.forEach((f, ch) => {
    for (let i = 0; i < frames; i++) out[ch * frames + i] = 0.5 * Math.sin((2 * Math.PI * f * (start + i)) / RATE);
  });
  return out;
}

/** Encodes one second of tones in uneven AudioData pieces; returns {chunks, metadata}. */
async function encodeTones(config) {
  const chunks = [];
  const metadata = [];
  let error = null;
  const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); metadata.push(m); }, error: (e) => { error = e; } });
  encoder.configure({ sampleRate: RATE, numberOfChannels: 2, ...config });
  let start = 0;
  for (const frames of [1000, 480, 4000, 7000, 333, 35187]) {
    const data = new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: frames, numberOfChannels: 2, timestamp: 500_000 + Math.round((start * 1e6) / RATE), data: tones(start, frames) });
    encoder.encode(data);
    data.close(); // the encoder holds its own copy
    start += frames;
  }
  await encoder.flush();
  encoder.close();
  if (error) throw error;
  return { chunks, metadata };
}

/**
 * Decodes chunks; returns the outputs' channels as floats, joined, the
 * outputs' [timestamp, frames] and their sample formats.
 */
async function decodeAll(config, chunks) {
  const channels = Array.from({ length: config.numberOfChannels }, () => []);
  const outputs = [];
  const formats = new Set();
  let error = null;
  const decoder = new AudioDecoder({
    output: (data) => {
      formats.add(data.format);
      if (data.sampleRate !== config.sampleRate) error = new Error(`output at ${data.sampleRate} Hz`);
      for (let ch = 0; ch < data.numberOfChannels; ch++) {
        const plane = new Float32Array(data.numberOfFrames);
        data.copyTo(plane, { planeIndex: ch, format: 'f32-planar' });
        channels[ch].push(plane);
      }
      outputs.push([data.timestamp, data.numberOfFrames]);
      data.close();
    },
    error: (e) => { error = e; },
  });
  decoder.configure(config);
  for (const c of chunks) decoder.decode(c);
  await decoder.flush();
  decoder.close();
  if (error) throw error;
  const join = (parts) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return { channels: channels.map(join), outputs, formats: [...formats] };
}

// The decoders' output formats are their own, as Chrome's (test/oracle/audio.js).
const codecs = [
  // codec, extra config, what the decoder config carries, minimum SNR (dB), decoded format
  // (FFmpeg's AAC encoder gives these loud pure tones about 21 dB at 128 kbit/s,
  // exactly as the ffmpeg CLI does; a broken pipeline gives 0 dB or less.)
  { codec: 'opus', description: 19, minDb: 12, decoded: 'f32' },
  { codec: 'mp4a.40.2', description: 5, minDb: 12, decoded: 'f32-planar' },
  { codec: 'mp4a.40.2', config: { aac: { format: 'adts' } }, description: null, minDb: 12, decoded: 'f32-planar' },
  { codec: 'mp3', description: null, minDb: 12, decoded: 'f32-planar' },
  { codec: 'vorbis', description: 'xiph', minDb: 12, decoded: 'f32-planar' },
  // FLAC is lossless over its 16-bit input: only the quantisation (truncation) noise remains.
  { codec: 'flac', description: 42, minDb: 80, lossless: true, decoded: 's16' },
  { codec: 'pcm-s16', description: null, minDb: 80, decoded: 's16' },
  { codec: 'pcm-s24', description: null, minDb: 120, decoded: 's32' },
  { codec: 'pcm-s32', description: null, minDb: 120, decoded: 's32' },
  { codec: 'pcm-f32', description: null, minDb: Infinity, lossless: true, decoded: 'f32-planar' },
  { codec: 'pcm-u8', description: null, minDb: 35, decoded: 'u8' },
  { codec: 'ulaw', description: null, minDb: 30, decoded: 's16' },
  { codec: 'alaw', description: null, minDb: 30, decoded: 's16' },
];

for (const { codec, config = {}, description, minDb, lossless = false, decoded } of codecs) {
  const label = `${codec}${config.aac ? ' (adts)' : ''}`;
  test(`${label}: encode → decode keeps the tones, the timeline and the sample count`, async () => {
    const { chunks, metadata } = await encodeTones({ codec, bitrate: 128_000, ...config });
    assert.ok(chunks.length > 0);
    // One decoder config, on the first chunk, shaped as Chrome's.
    const decoderConfig = metadata[0].decoderConfig;
    assert.ok(decoderConfig, 'the first chunk has a decoderConfig');
    assert.ok(metadata.slice(1).every((m) => m.decoderConfig === undefined));
    assert.deepEqual(Object.keys(decoderConfig).filter((k) => k !== 'description'), ['codec', 'numberOfChannels', 'sampleRate']);
    assert.deepEqual([decoderConfig.codec, decoderConfig.sampleRate, decoderConfig.numberOfChannels], [codec, RATE, 2]);
    if (description === null) assert.equal(decoderConfig.description, undefined);
    else if (description === 'xiph') assert.equal(new Uint8Array(decoderConfig.description)[0], 2, 'three Xiph-laced headers');
    else assert.equal(decoderConfig.description.byteLength, description);
    // Every chunk is a key chunk; the first starts at the first AudioData's
    // timestamp and each starts where the previous one ends.
    assert.ok(chunks.every((c) => c.type === 'key'));
    assert.equal(chunks[0].timestamp, 500_000);
    for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i].timestamp, chunks[i - 1].timestamp + chunks[i - 1].duration, `chunk ${i}`);

    const { channels, outputs, formats } = await decodeAll(decoderConfig, chunks);
    assert.deepEqual(formats, [decoded], 'the decoder\'s own sample format');
    const total = outputs.reduce((n, [, f]) => n + f, 0);
    const exactLength = lossless || codec.startsWith('pcm') || codec.endsWith('law');
    if (exactLength) assert.equal(total, RATE, 'lossless and PCM codecs return every sample');
    else assert.ok(total >= RATE && total < RATE + 4096, `${total} samples`);
    // Outputs start at the first chunk's timestamp and abut (microseconds rounded down, as Chrome).
    let samples = 0;
    for (const [timestamp, frames] of outputs) {
      assert.equal(timestamp, chunks[0].timestamp + Math.floor((samples * 1e6) / RATE));
      samples += frames;
    }
    const want = tones(0, RATE);
    for (const ch of [0, 1]) {
      const { db } = snr(want.subarray(ch * RATE, (ch + 1) * RATE), channels[ch], { maxLag: exactLength ? 0 : 4096, skip: 4096 });
      assert.ok(db >= minDb, `channel ${ch}: SNR ${db.toFixed(1)} dB < ${minDb}`);
    }
  });
}

/** Writes chunks as a file ffprobe can read: ADTS, MP3 and FLAC streams are their frames in a row. */
function writeStream(file, chunks, header = new Uint8Array(0)) {
  const parts = [header];
  for (const c of chunks) {
    const b = new Uint8Array(c.byteLength);
    c.copyTo(b);
    parts.push(b);
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

test('ADTS AAC, MP3 and FLAC output are streams ffprobe and ffmpeg read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webcodecs-audio-'));
  try {
    const adts = await encodeTones({ codec: 'mp4a.40.2', aac: { format: 'adts' }, bitrate: 96_000 });
    const mp3 = await encodeTones({ codec: 'mp3', bitrate: 128_000 });
    const flac = await encodeTones({ codec: 'flac', flac: { compressLevel: 8 } });
    writeStream(path.join(dir, 'out.aac'), adts.chunks);
    writeStream(path.join(dir, 'out.mp3'), mp3.chunks);
    writeStream(path.join(dir, 'out.flac'), flac.chunks, new Uint8Array(flac.metadata[0].decoderConfig.description));
    for (const [file, codec] of [['out.aac', 'aac'], ['out.mp3', 'mp3'], ['out.flac', 'flac']]) {
      const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', path.join(dir, file)]);
      const stream = JSON.parse(out).streams[0];
      assert.deepEqual([stream.codec_name, Number(stream.sample_rate), stream.channels], [codec, RATE, 2], file);
      // ffmpeg's own decoding of the file holds the tones too.
      const [left] = ffmpegSamples(path.join(dir, file), 2, codec === 'flac' ? 's16' : 'f32');
      const { db } = snr(tones(0, RATE).subarray(0, RATE), left, { maxLag: 4096, skip: 4096 });
      assert.ok(db > (codec === 'flac' ? 80 : 12), `${file}: ${db.toFixed(1)} dB`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The reference files, as chunks and decoder configs. */
function reference(name) {
  const file = fixture(name);
  if (name.endsWith('.ogg')) {
    const packets = oggPackets(file);
    const opus = name.includes('opus');
    const headers = opus ? 2 : 3; // OpusHead + OpusTags; Vorbis identification, comment, setup
    const config = { codec: opus ? 'opus' : 'vorbis', sampleRate: RATE, numberOfChannels: 1, description: opus ? packets[0] : xiphLace(packets.slice(0, 3)) };
    return { config, chunks: packets.slice(headers).map((data, i) => new EncodedAudioChunk({ type: 'key', timestamp: i, data })) };
  }
  const codec = { 'sfx.adts': 'mp4a.40.2', 'sfx.mp3': 'mp3', 'sfx.flac': 'flac', 'sfx-pcm-s16.wav': 'pcm-s16', 'sfx-pcm-s24.wav': 'pcm-s24', 'sfx-pcm-s32.wav': 'pcm-s32', 'sfx-pcm-f32.wav': 'pcm-f32', 'sfx-pcm-u8.wav': 'pcm-u8', 'sfx-alaw.wav': 'alaw', 'sfx-ulaw.wav': 'ulaw' }[name];
  const config = { codec, sampleRate: RATE, numberOfChannels: 1 };
  // FLAC's description: "fLaC" and the STREAMINFO block at the file's start.
  if (codec === 'flac') config.description = new Uint8Array(fs.readFileSync(file).subarray(0, 42));
  return { config, chunks: audioPackets(file).map(({ data, pts }) => new EncodedAudioChunk({ type: 'key', timestamp: pts, data })) };
}

for (const name of ['sfx.adts', 'sfx.mp3', 'sfx.flac', 'sfx-vorbis.ogg', 'sfx-opus.ogg', 'sfx-pcm-s16.wav', 'sfx-pcm-s24.wav', 'sfx-pcm-s32.wav', 'sfx-pcm-f32.wav', 'sfx-pcm-u8.wav', 'sfx-alaw.wav', 'sfx-ulaw.wav']) {
  test(`${name} decodes to ffmpeg's samples`, async () => {
    const { config, chunks } = reference(name);
    const { channels } = await decodeAll(config, chunks);
    const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_fmt', '-of', 'csv=p=0', fixture(name)]).toString().trim();
    const [want] = ffmpegSamples(fixture(name), 1, { u8: 'u8', s16: 's16', s32: 's32' }[out.replace(/p$/, '')] ?? 'f32');
    // ffmpeg's CLI decodes Opus with FFmpeg's own decoder, we with libopus;
    // the others use the same decoder, so only the start trimming (container
    // metadata we do not see) may differ: integer outputs are identical, and
    // float ones identical or, where the CLI's FFmpeg is another version than
    // the binary's (Debian's 5.1 against the static 7.1), within float rounding.
    const same = !name.includes('opus');
    const integer = out !== 'fltp' && out !== 'flt';
    const { db } = snr(want, channels[0], { maxLag: 2112, skip: same ? 0 : 1024 });
    assert.ok(!same ? db > 30 : integer ? db === Infinity : db > 120, `${db.toFixed(1)} dB`);
    assert.ok(channels[0].length >= want.length, `${channels[0].length} samples, ffmpeg ${want.length}`);
  });
}

test('AudioEncoder/AudioDecoder: invalid configs are TypeErrors, unsupported ones say so', async () => {
  const ok = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2 };
  for (const bad of [
    { ...ok, codec: '' },
    { ...ok, codec: ' ' },
    { ...ok, sampleRate: 0 },
    { ...ok, numberOfChannels: 0 },
    { ...ok, sampleRate: undefined },
    { ...ok, bitrateMode: 'quantizer' },
    { ...ok, opus: { complexity: 11 } },
    { ...ok, opus: { packetlossperc: 101 } },
    { ...ok, aac: { format: 'latm' } },
  ]) {
    await assert.rejects(AudioEncoder.isConfigSupported(bad), TypeError, JSON.stringify(bad));
    const encoder = new AudioEncoder({ output() {}, error() {} });
    assert.throws(() => encoder.configure(bad), TypeError);
    assert.equal(encoder.state, 'unconfigured');
  }
  await assert.rejects(AudioDecoder.isConfigSupported({ codec: '', sampleRate: 48000, numberOfChannels: 1 }), TypeError);
  await assert.rejects(AudioDecoder.isConfigSupported({ codec: 'opus', numberOfChannels: 1 }), TypeError);

  // Clones hold only the recognised members, with defaults filled in.
  const support = await AudioEncoder.isConfigSupported({ ...ok, extra: 1, opus: { complexity: 5, bogus: 2 } });
  assert.deepEqual(support, {
    supported: true,
    config: { codec: 'opus', sampleRate: 48000, numberOfChannels: 2, bitrateMode: 'variable', opus: { format: 'opus', signal: 'auto', application: 'audio', frameDuration: 20000, complexity: 5, packetlossperc: 0, useinbandfec: false, usedtx: false } },
  });
  // Chrome's default complexity appears in the clone.
  assert.equal((await AudioEncoder.isConfigSupported({ ...ok, opus: {} })).config.opus.complexity, 9);
  for (const unsupported of [
    { ...ok, codec: 'aac' }, // needs the mp4a.40.x form
    { ...ok, codec: 'Opus' },
    { ...ok, codec: 'mp3', sampleRate: 96000 }, // MPEG audio stops at 48 kHz
    { ...ok, codec: 'mp4a.40.5' }, // HE-AAC: decode only
    { ...ok, opus: { format: 'ogg' } },
    { ...ok, opus: { frameDuration: 30000 } }, // valid, but Opus has no 30 ms frame
  ]) {
    assert.equal((await AudioEncoder.isConfigSupported(unsupported)).supported, false, JSON.stringify(unsupported));
  }
  // (Vorbis and FLAC without a description: see the test of configure() below.)
  assert.equal((await AudioDecoder.isConfigSupported({ codec: 'mp4a.40.5', sampleRate: 44100, numberOfChannels: 2 })).supported, true);

  // configure() with an unsupported config closes the codec with NotSupportedError.
  let error = null;
  const encoder = new AudioEncoder({ output() {}, error: (e) => { error = e; } });
  encoder.configure({ ...ok, codec: 'mp3', sampleRate: 96000 });
  assert.equal(encoder.state, 'configured');
  await until(() => error !== null);
  assert.equal(error.name, 'NotSupportedError');
  assert.ok(error instanceof DOMException);
  assert.equal(encoder.state, 'closed');
});

test('AudioEncoder: wrong input is the spec\'s error, and data already queued is still encoded', async () => {
  const encoder = new AudioEncoder({ output() {}, error() {} });
  const data = new AudioData({ format: 'f32', sampleRate: RATE, numberOfFrames: 960, numberOfChannels: 1, timestamp: 0, data: new Float32Array(960) });
  assert.throws(() => encoder.encode(data), { name: 'InvalidStateError' });
  encoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 1 });
  assert.throws(() => encoder.encode({}), TypeError);
  const closed = data.clone();
  closed.close();
  assert.throws(() => encoder.encode(closed), TypeError);
  const chunks = [];
  let error = null;
  const mismatched = new AudioEncoder({ output: (c) => chunks.push(c), error: (e) => { error = e; } });
  mismatched.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 2 });
  mismatched.encode(data); // one channel into a two-channel encoder
  await assert.rejects(mismatched.flush(), { name: 'EncodingError' });
  assert.equal(error.name, 'EncodingError');
  assert.equal(mismatched.state, 'closed');
  data.close();
});

test('AudioDecoder: a delta chunk first is a DataError; garbage is an EncodingError, never a crash', async () => {
  const decoder = new AudioDecoder({ output() {}, error() {} });
  decoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 1 });
  assert.throws(() => decoder.decode(new EncodedAudioChunk({ type: 'delta', timestamp: 0, data: new Uint8Array(8) })), { name: 'DataError' });
  decoder.close();
  for (const [codec, description] of [['mp4a.40.2', undefined], ['mp3', undefined], ['flac', reference('sfx.flac').config.description], ['vorbis', reference('sfx-vorbis.ogg').config.description]]) {
    let error = null;
    let outputs = 0;
    const d = new AudioDecoder({ output: (a) => { outputs++; a.close(); }, error: (e) => { error = e; } });
    d.configure({ codec, sampleRate: RATE, numberOfChannels: 1, description });
    let seed = 7;
    for (let i = 0; i < 20; i++) {
      const data = new Uint8Array(200).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
      d.decode(new EncodedAudioChunk({ type: 'key', timestamp: i * 1000, data }));
    }
    await d.flush().catch(() => {});
    // FFmpeg's decoders either reject the data (EncodingError, codec closed)
    // or conceal it; either way the process lives and the codec answers.
    if (error) {
      assert.equal(error.name, 'EncodingError', codec);
      assert.equal(d.state, 'closed');
    } else {
      assert.equal(d.state, 'configured', `${codec}: ${outputs} outputs`);
      d.close();
    }
  }
});

test('AudioEncoder: flush() in the middle keeps the timeline going from the next input', async () => {
  const chunks = [];
  const encoder = new AudioEncoder({ output: (c) => chunks.push(c), error: (e) => { throw e; } });
  encoder.configure({ codec: 'pcm-s16', sampleRate: RATE, numberOfChannels: 2 });
  const piece = (timestamp) => new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: 480, numberOfChannels: 2, timestamp, data: tones(0, 480) });
  encoder.encode(piece(0));
  await encoder.flush();
  encoder.encode(piece(1_000_000));
  await encoder.flush();
  assert.deepEqual(chunks.map((c) => [c.timestamp, c.duration, c.byteLength]), [[0, 10000, 1920], [1_000_000, 10000, 1920]]);
  assert.equal(encoder.encodeQueueSize, 0);
  encoder.close();
});

test('opus at 44.1 kHz is resampled to 48 kHz, and the decoder config says so, as in Chrome', async () => {
  const chunks = [];
  let decoderConfig;
  const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ codec: 'opus', sampleRate: 44100, numberOfChannels: 1 });
  const frames = 44100;
  const tone = new Float32Array(frames).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 44100));
  for (let at = 0; at < frames; at += 4410) encoder.encode(new AudioData({ format: 'f32', sampleRate: 44100, numberOfFrames: 4410, numberOfChannels: 1, timestamp: Math.round((at * 1e6) / 44100), data: tone.subarray(at, at + 4410) }));
  await encoder.flush();
  assert.equal(decoderConfig.sampleRate, 48000);
  assert.deepEqual(chunks.map((c) => c.duration), chunks.map(() => 20000), 'whole 20 ms Opus frames');
  chunks.forEach((c, i) => assert.equal(c.timestamp, i * 20000));
  const { channels, outputs } = await decodeAll(decoderConfig, chunks);
  const decoded = outputs.reduce((n, [, f]) => n + f, 0);
  assert.ok(decoded >= 48000 && decoded < 48000 + 1920, `${decoded} samples at 48 kHz`);
  const want = new Float32Array(48000).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000));
  const { db } = snr(want, channels[0], { maxLag: 2048, skip: 4096 });
  assert.ok(db > 12, `SNR ${db.toFixed(1)} dB`);
});

test('AudioEncoder/AudioDecoder: queue sizes, dequeue events, reset and close as the spec says', async () => {
  const chunks = [];
  let errors = 0;
  const encoder = new AudioEncoder({ output: (c) => chunks.push(c), error: () => { errors++; } });
  let dequeues = 0;
  encoder.ondequeue = () => { dequeues++; };
  encoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 2 });
  for (let i = 0; i < 5; i++) encoder.encode(new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: 960, numberOfChannels: 2, timestamp: i * 20000, data: tones(i * 960, 960) }));
  assert.equal(encoder.encodeQueueSize, 5);
  await encoder.flush();
  assert.equal(encoder.encodeQueueSize, 0);
  assert.ok(dequeues >= 1 && dequeues <= 5, `${dequeues} dequeue events (coalesced per task)`);
  assert.equal(chunks.length, 6, 'five 20 ms frames and the encoder delay\'s');
  // reset(): pending flushes reject with AbortError, the state is unconfigured.
  encoder.encode(new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: 960, numberOfChannels: 2, timestamp: 0, data: tones(0, 960) }));
  const pending = encoder.flush();
  encoder.reset();
  await assert.rejects(pending, { name: 'AbortError' });
  assert.equal(encoder.state, 'unconfigured');
  assert.throws(() => encoder.encode(new AudioData({ format: 'f32', sampleRate: RATE, numberOfFrames: 1, numberOfChannels: 2, timestamp: 0, data: new Float32Array(2) })), { name: 'InvalidStateError' });
  // close(): final, and no error callback for its AbortError.
  encoder.close();
  assert.equal(encoder.state, 'closed');
  assert.throws(() => encoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 2 }), { name: 'InvalidStateError' });
  await assert.rejects(encoder.flush(), { name: 'InvalidStateError' });
  assert.equal(errors, 0);

  const decoder = new AudioDecoder({ output: (d) => d.close(), error: () => { errors++; } });
  assert.throws(() => decoder.decode(chunks[0]), { name: 'InvalidStateError' });
  decoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 2 });
  for (const c of chunks) decoder.decode(c);
  assert.equal(decoder.decodeQueueSize, chunks.length);
  await decoder.flush();
  assert.equal(decoder.decodeQueueSize, 0);
  // After flush a key chunk is required again.
  assert.throws(() => decoder.decode(new EncodedAudioChunk({ type: 'delta', timestamp: 0, data: new Uint8Array(4) })), { name: 'DataError' });
  decoder.decode(chunks[0]);
  await decoder.flush();
  decoder.close();
  assert.equal(errors, 0);
});

test('AudioDecoder: garbage descriptions and truncated chunks end in the error callback or decode, never a crash', async () => {
  const garbage = (n, seed) => new Uint8Array(n).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
  const settle = async (decoder) => {
    await decoder.flush().catch(() => {});
    if (decoder.state !== 'closed') decoder.close();
  };
  // Descriptions that are not what the registration says.
  for (const [codec, description] of [
    ['opus', garbage(19, 1)],
    ['mp4a.40.2', new Uint8Array([0xff])],
    ['flac', new Uint8Array([...Buffer.from('fLaC'), ...garbage(38, 2)])],
    ['vorbis', new Uint8Array([2, 30, 60, ...garbage(200, 3)])],
  ]) {
    let error = null;
    const decoder = new AudioDecoder({ output: (d) => d.close(), error: (e) => { error = e; } });
    decoder.configure({ codec, sampleRate: RATE, numberOfChannels: 2, description });
    decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: 0, data: garbage(300, 4) }));
    await settle(decoder);
    if (error) assert.ok(['NotSupportedError', 'EncodingError'].includes(error.name), `${codec}: ${error.name}`);
  }
  // Real chunks cut in half.
  for (const codec of ['opus', 'mp4a.40.2', 'mp3', 'vorbis', 'flac']) {
    const { chunks, metadata } = await encodeTones({ codec, bitrate: 96_000 });
    let error = null;
    let outputs = 0;
    const decoder = new AudioDecoder({ output: (d) => { outputs++; d.close(); }, error: (e) => { error = e; } });
    decoder.configure(metadata[0].decoderConfig);
    for (const c of chunks) {
      const bytes = new Uint8Array(c.byteLength);
      c.copyTo(bytes);
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: c.timestamp, data: bytes.subarray(0, Math.max(1, bytes.length >> 1)) }));
    }
    await settle(decoder);
    if (error) assert.equal(error.name, 'EncodingError', codec);
    else assert.ok(outputs > 0, `${codec}: concealed, so it outputs`);
  }
});

// FFmpeg's own Opus decoder (the faster one, preferred) refuses an
// identification header shorter than OpusHead's 19 bytes; libopus, like
// Chrome, ignores it, so such a config still opens and decodes.
test('AudioDecoder: Opus with a description too short to be an OpusHead is supported and decodes, as in Chrome', async () => {
  const description = new Uint8Array([1, 2]);
  assert.equal((await AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: RATE, numberOfChannels: 2, description })).supported, true);
  const { chunks } = await encodeTones({ codec: 'opus', bitrate: 96_000 });
  const outputs = [];
  const errors = [];
  const decoder = new AudioDecoder({ output: (d) => { outputs.push([d.format, d.numberOfFrames]); d.close(); }, error: (e) => errors.push(e.name) });
  decoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 2, description });
  for (const c of chunks) decoder.decode(c);
  await decoder.flush();
  decoder.close();
  assert.deepEqual(errors, []);
  assert.equal(outputs.length, chunks.length);
  assert.ok(outputs.every(([format]) => format === 'f32'), 'interleaved floats, as Chrome\'s Opus decoder gives');
});

test('AudioEncoder: an AudioData at another sample rate is an EncodingError', async () => {
  let error = null;
  const encoder = new AudioEncoder({ output() {}, error: (e) => { error = e; } });
  encoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 1 });
  encoder.encode(new AudioData({ format: 'f32', sampleRate: 44100, numberOfFrames: 441, numberOfChannels: 1, timestamp: 0, data: new Float32Array(441) }));
  await assert.rejects(encoder.flush(), { name: 'EncodingError' });
  assert.equal(error.name, 'EncodingError');
});

// Chrome stamps each decoded AudioData with the first chunk's timestamp plus
// floor(samples output before it × 10^6 / sampleRate), negative bases
// included (test/oracle/audio-exactness.js).
test('AudioDecoder output timestamps are the first timestamp plus the samples before, rounded down', async () => {
  for (const name of ['sfx.adts', 'sfx-pcm-s16.wav']) {
    const { config, chunks } = reference(name);
    const shifted = chunks.map((c, i) => {
      const data = new Uint8Array(c.byteLength);
      c.copyTo(data);
      return new EncodedAudioChunk({ type: 'key', timestamp: -21334 + i, data });
    });
    const { outputs } = await decodeAll(config, shifted);
    let before = 0;
    const want = outputs.map(([, frames]) => {
      const t = -21334 + Math.floor((before * 1e6) / RATE);
      before += frames;
      return t;
    });
    assert.deepEqual(outputs.map(([t]) => t), want, name);
    if (name === 'sfx.adts') assert.deepEqual(want.slice(0, 6), [-21334, -1, 21332, 42666, 63999, 85332]);
  }
});

test('AudioDecoderConfig with a zero sampleRate or numberOfChannels is a TypeError', async () => {
  for (const bad of [{ sampleRate: 0 }, { numberOfChannels: 0 }]) {
    const config = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2, ...bad };
    await assert.rejects(AudioDecoder.isConfigSupported(config), TypeError);
    const decoder = new AudioDecoder({ output() {}, error() {} });
    assert.throws(() => decoder.configure(config), TypeError);
    assert.equal(decoder.state, 'unconfigured');
  }
});

// The Opus registration and Chrome (test/oracle/audio-exactness.js): a
// frameDuration is valid when a multiple of 2.5 ms up to 120 ms; a zero
// bitrate, Opus under 6 kbit/s or input under 3 kHz, and FLAC levels over 8
// are valid but unsupported.
test('AudioEncoderConfig: invalid members are TypeErrors, valid but unsupported ones supported: false', async () => {
  const opus = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2 };
  for (const frameDuration of [0, 1, 2499, 3000, 119999, 120001, 1_000_000]) {
    await assert.rejects(AudioEncoder.isConfigSupported({ ...opus, opus: { frameDuration } }), TypeError, `${frameDuration}`);
  }
  for (const frameDuration of [2500, 5000, 10000, 20000, 40000, 60000, 80000, 100000, 120000]) {
    assert.equal((await AudioEncoder.isConfigSupported({ ...opus, opus: { frameDuration } })).supported, true, `${frameDuration}`);
  }
  const unsupported = [
    { ...opus, bitrate: 0 },
    { ...opus, bitrate: 5999 },
    { ...opus, sampleRate: 1 },
    { ...opus, sampleRate: 2999 },
    { codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 2, bitrate: 0 },
    { codec: 'flac', sampleRate: 48000, numberOfChannels: 2, flac: { compressLevel: 9 } },
  ];
  for (const config of unsupported) {
    const result = await AudioEncoder.isConfigSupported(config);
    assert.equal(result.supported, false, JSON.stringify(config));
    const errors = [];
    const encoder = new AudioEncoder({ output() {}, error: (e) => errors.push(e) });
    encoder.configure(config);
    await until(() => encoder.state === 'closed');
    assert.equal(errors[0].name, 'NotSupportedError');
  }
  for (const config of [{ ...opus, bitrate: 6000 }, { ...opus, sampleRate: 3000 }, { ...opus, sampleRate: 768000 }]) {
    assert.equal((await AudioEncoder.isConfigSupported(config)).supported, true, JSON.stringify(config));
  }
});

// Chrome answers true for Vorbis and FLAC without a description and refuses
// both at configure(); a FLAC description may be the bare 34-byte STREAMINFO.
test('AudioDecoder: Vorbis/FLAC without a description are refused at configure; a bare FLAC STREAMINFO decodes', async () => {
  for (const codec of ['vorbis', 'flac']) {
    const config = { codec, sampleRate: RATE, numberOfChannels: 1 };
    assert.equal((await AudioDecoder.isConfigSupported(config)).supported, true, codec);
    const errors = [];
    const decoder = new AudioDecoder({ output() {}, error: (e) => errors.push(e) });
    decoder.configure(config);
    await until(() => decoder.state === 'closed');
    assert.equal(errors[0].name, 'NotSupportedError');
  }
  const { config, chunks } = reference('sfx.flac');
  const bare = { ...config, description: new Uint8Array(fs.readFileSync(fixture('sfx.flac')).subarray(8, 42)) };
  assert.equal((await AudioDecoder.isConfigSupported(bare)).supported, true);
  const withBare = await decodeAll(bare, chunks);
  const withFull = await decodeAll(config, reference('sfx.flac').chunks);
  assert.equal(withBare.channels[0].length, withFull.channels[0].length);
  assert.deepEqual(withBare.channels[0], withFull.channels[0]);
});

// Beyond Chrome (it refuses more than two channels): multichannel Opus with
// the registration's channel mapping families (OpusHead byte 18) — 1, the
// Vorbis order, up to 8 channels and 255 above — decodable back, each
// channel to itself.
test('multichannel Opus: mapping family 1 up to 8 channels, 255 above, each channel decodes to itself', async () => {
  const n = 9600;
  for (const channels of [3, 4, 5, 6, 7, 8, 9, 16, 64]) {
    const config = { codec: 'opus', sampleRate: RATE, numberOfChannels: channels, bitrate: 48_000 * channels };
    assert.equal((await AudioEncoder.isConfigSupported(config)).supported, true, `${channels} channels`);
    const chunks = [];
    let decoderConfig;
    const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
    encoder.configure(config);
    // From 6 to 8 channels the fourth is the LFE, which Opus low-passes.
    const lfe = (ch) => channels >= 6 && channels <= 8 && ch === 3;
    const freq = (ch) => (lfe(ch) ? 50 : 300 + 97 * ch);
    const input = new Float32Array(n * channels);
    for (let ch = 0; ch < channels; ch++) for (let i = 0; i < n; i++) input[ch * n + i] = 0.25 * Math.sin((2 * Math.PI * freq(ch) * i) / RATE);
    const data = new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: n, numberOfChannels: channels, timestamp: 0, data: input });
    encoder.encode(data);
    data.close();
    await encoder.flush();
    encoder.close();
    const head = new Uint8Array(decoderConfig.description);
    assert.equal(head[9], channels);
    assert.equal(head[18], channels <= 8 ? 1 : 255, `${channels} channels: mapping family`);
    const { channels: decoded } = await decodeAll(decoderConfig, chunks);
    assert.equal(decoded.length, channels);
    for (let ch = 0; ch < channels; ch++) {
      const want = input.subarray(ch * n, (ch + 1) * n);
      const { db } = snr(want, decoded[ch], { maxLag: 400, skip: 960 });
      assert.ok(db > 10, `${channels} channels: channel ${ch} at ${db.toFixed(1)} dB`);
    }
  }
});

// opus.usedtx is libopus's discontinuous transmission: silence costs almost
// nothing. It needs an FFmpeg whose libopus encoder exposes it (the static
// builds patch it in, see scripts/build-ffmpeg; Debian's FFmpeg 5.1 lacks it,
// and isConfigSupported must then say so rather than fail later).
test('Opus usedtx: supported where the encoder has DTX, and silence then costs far less', async (t) => {
  const config = { codec: 'opus', sampleRate: RATE, numberOfChannels: 2, bitrate: 256_000 };
  const dtx = { ...config, opus: { usedtx: true } };
  const support = await AudioEncoder.isConfigSupported(dtx);
  assert.equal(support.config.opus.usedtx, true);
  if (!support.supported) {
    const errors = [];
    const encoder = new AudioEncoder({ output() {}, error: (e) => errors.push(e) });
    encoder.configure(dtx);
    await until(() => encoder.state === 'closed');
    assert.equal(errors[0].name, 'NotSupportedError');
    return t.skip("this build's libopus encoder has no DTX option");
  }
  const encode = async (c) => {
    const chunks = [];
    const encoder = new AudioEncoder({ output: (chunk) => chunks.push(chunk), error: (e) => { throw e; } });
    encoder.configure(c);
    // 100 ms of tone, 9.8 s of silence, 100 ms of tone (as the WPT check does).
    for (let i = 0; i < 100; i++) {
      const n = 4800;
      const samples = new Float32Array(n * 2);
      if (i === 0 || i === 99) for (let j = 0; j < n * 2; j++) samples[j] = 0.3 * Math.sin((2 * Math.PI * 440 * (j % n)) / RATE);
      const data = new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: n, numberOfChannels: 2, timestamp: i * 100_000, data: samples });
      encoder.encode(data);
      data.close();
    }
    await encoder.flush();
    encoder.close();
    return chunks;
  };
  const normal = await encode(config);
  const discontinuous = await encode(dtx);
  // Packets that need not be transmitted are not output: far fewer chunks
  // (WPT: fewer than half), and those left keep their place in time.
  assert.ok(discontinuous.length < normal.length / 2, `DTX ${discontinuous.length} chunks against ${normal.length}`);
  assert.ok(discontinuous.some((c) => c.timestamp >= 9_900_000), 'the closing tone is there');
  for (const c of discontinuous) assert.equal(c.timestamp % 20_000, 0, 'chunks stay on the 20 ms grid');
});

// Events cross from the codec thread in batches, yet each output is still its
// own step, as each is its own task in a browser: promise reactions an output
// callback queues run before the next output, and the flush resolves after
// the last.
test('outputs delivered together still run one at a time, with microtasks between them', async () => {
  const { AudioDecoder, EncodedAudioChunk } = require('..');
  const log = [];
  let count = 0;
  const decoder = new AudioDecoder({
    output: (data) => {
      const i = count++;
      data.close();
      log.push(`out ${i}`);
      Promise.resolve().then(() => log.push(`then ${i}`));
    },
    error: (e) => log.push(`error ${e.name}`),
  });
  decoder.configure({ codec: 'pcm-s16', sampleRate: 48000, numberOfChannels: 1 });
  for (let i = 0; i < 40; i++) decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: i, data: new Int16Array(1) }));
  await decoder.flush();
  log.push('flushed');
  decoder.close();
  const expected = [];
  for (let i = 0; i < 40; i++) expected.push(`out ${i}`, `then ${i}`);
  expected.push('flushed');
  assert.deepEqual(log, expected);
});

test('inputs handed to the codec thread together keep their order around reset, flush and output callbacks', async () => {
  const { AudioDecoder, EncodedAudioChunk } = require('..');
  const chunk = (timestamp) => new EncodedAudioChunk({ type: 'key', timestamp, data: new Int16Array([timestamp]) });
  const seen = [];
  let next = 1000;
  const decoder = new AudioDecoder({
    output: (data) => {
      const sample = new Int16Array(1);
      data.copyTo(sample, { planeIndex: 0 });
      seen.push(sample[0]);
      data.close();
      // Fed from the output callback, as a streaming caller does.
      if (next < 1200) decoder.decode(chunk(next++));
    },
    error: (e) => seen.push(e.name),
  });
  decoder.configure({ codec: 'pcm-s16', sampleRate: 48000, numberOfChannels: 1 });
  // Inputs issued in the same task as a reset are abandoned with it.
  for (let i = 0; i < 5; i++) decoder.decode(chunk(i));
  decoder.reset();
  assert.equal(decoder.decodeQueueSize, 0);
  decoder.configure({ codec: 'pcm-s16', sampleRate: 48000, numberOfChannels: 1 });
  decoder.decode(chunk(next++));
  while (next < 1200) await new Promise((r) => setTimeout(r, 5));
  await decoder.flush();
  assert.equal(decoder.decodeQueueSize, 0);
  // Each chunk's one sample is its timestamp: every input after the reset, once, in order.
  assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => 1000 + i));
  decoder.close();
});

test('closed outputs lend their buffers to later ones; held, cloned and transferred outputs keep their samples', async () => {
  const { toTransferable, fromTransferable } = require('..');
  const FRAMES = 256;
  const chunk = (i) => new EncodedAudioChunk({ type: 'key', timestamp: i * 10_000, data: new Int16Array(FRAMES).fill(i) });
  const kept = []; // [expected sample, AudioData]
  const moved = []; // [expected sample, transferable]
  let i = 0;
  const decoder = new AudioDecoder({
    output: (data) => {
      const n = i++;
      if (n % 4 === 0) kept.push([n, data]);
      else if (n % 4 === 1) {
        kept.push([n, data.clone()]);
        data.close();
      } else if (n % 4 === 2) moved.push([n, toTransferable(data)]);
      else data.close(); // its buffer becomes a spare for a later output
    },
    error: (e) => { throw e; },
  });
  decoder.configure({ codec: 'pcm-s16', sampleRate: 48000, numberOfChannels: 1 });
  for (let n = 0; n < 400; n++) decoder.decode(chunk(n));
  await decoder.flush();
  decoder.close();
  assert.equal(i, 400);
  const samples = new Int16Array(FRAMES);
  for (const [n, data] of [...kept, ...moved.map(([n, t]) => [n, fromTransferable(t)])]) {
    data.copyTo(samples, { planeIndex: 0 });
    assert.ok(samples.every((v) => v === n), `output ${n} kept its samples`);
    data.close();
  }
});

// After flush() an Opus decoder starts over as Chrome's does: the stream's
// pre-skip (312 samples here, from the OpusHead) is dropped again from the
// next output, whose timestamp is its chunk's (test/oracle/audio-flush.js).
// Without a description there is no pre-skip to drop.
test('Opus: a decoder drops the pre-skip again after flush(), as Chrome', async () => {
  const chunks = [];
  let decoderConfig;
  const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m?.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 2, bitrate: 64_000 });
  for (let i = 0; i < 6; i++) {
    const data = new Float32Array(960 * 2).map((_, k) => Math.sin((i * 960 + (k >> 1)) / 20) * 0.3);
    const a = new AudioData({ format: 'f32', sampleRate: RATE, numberOfChannels: 2, numberOfFrames: 960, timestamp: i * 20_000, data });
    encoder.encode(a);
    a.close();
  }
  await encoder.flush();
  encoder.close();
  const preSkip = new DataView(decoderConfig.description instanceof ArrayBuffer ? decoderConfig.description : decoderConfig.description.buffer).getUint16(10, true);
  assert.equal(preSkip, 312);
  const run = async (config) => {
    const outs = [];
    const decoder = new AudioDecoder({ output: (a) => { outs.push([a.timestamp, a.numberOfFrames]); a.close(); }, error: (e) => { throw e; } });
    decoder.configure(config);
    for (const [k, c] of chunks.entries()) {
      decoder.decode(c);
      if (k === 2) await decoder.flush();
    }
    await decoder.flush();
    decoder.close();
    return outs;
  };
  // Each run (before and after the flush) starts at its first chunk's
  // timestamp, drops the pre-skip, and counts time by the samples output.
  const expected = [];
  for (const part of [chunks.slice(0, 3), chunks.slice(3)]) {
    let samples = 0;
    part.forEach((_, i) => {
      const frames = i === 0 ? 960 - preSkip : 960;
      expected.push([part[0].timestamp + Math.floor((samples * 1e6) / RATE), frames]);
      samples += frames;
    });
  }
  assert.deepEqual(expected.slice(0, 4), [[0, 648], [13_500, 960], [33_500, 960], [60_000, 648]]);
  assert.deepEqual(await run(decoderConfig), expected);
  assert.deepEqual(await run({ codec: 'opus', sampleRate: RATE, numberOfChannels: 2 }), chunks.map((c) => [c.timestamp, 960]));
});
