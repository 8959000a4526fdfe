'use strict';
// Smoke test for an installed webcodecs-native (scripts/test-install runs it in a
// bare machine): every codec the flavour encodes (H.264 in three profiles and
// both framings, VP8, VP9, AV1, and HEVC in the gpl flavour), round-tripped
// through the decoder, checked by frame count, timestamps and PSNR; and the
// HEVC decoder on a reference clip (h265.annexb beside this file), which the
// lgpl flavour can decode but not encode; and every audio codec (Opus, AAC
// in both framings, MP3, Vorbis, FLAC, PCM, mu-law, A-law) round-tripped
// through AudioEncoder and AudioDecoder, checked by sample count, abutting
// timestamps and signal-to-noise ratio; and one image per ImageDecoder format
// (JPEG, PNG, APNG, GIF, WebP still and animated, AVIF, BMP); and VP8, VP9,
// AV1 and H.264 (OpenH264) temporal SVC (the base layer alone), VP9, AV1 and H.264 quantizer mode,
// alpha side data and 10-bit VP9/AV1 (and HEVC Main 10 in the GPL flavour).
const fs = require('node:fs');
const path = require('node:path');
const { VideoEncoder, VideoDecoder, VideoFrame, EncodedVideoChunk, AudioEncoder, AudioDecoder, AudioData, ImageDecoder, buildInfo } = require('webcodecs-native');

const W = 320;
const H = 240;
const N = 20;

function card(i) {
  const buf = new Uint8Array(W * H * 1.5);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) buf[y * W + x] = 16 + ((x + y + i * 4) % 200);
  buf.fill(128, W * H);
  return buf;
}

function psnr(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum === 0 ? 99 : 10 * Math.log10((255 * 255 * a.length) / sum);
}

// With a scalabilityMode, only the base layer's chunks are decoded.
async function roundTrip(codec, format, scalabilityMode) {
  const config = { codec, width: W, height: H, bitrate: 2_000_000, framerate: 30, scalabilityMode };
  if (codec.startsWith('avc')) config.avc = { format };
  if (codec.startsWith('hvc') || codec.startsWith('hev')) config.hevc = { format };
  const support = await VideoEncoder.isConfigSupported(config);
  if (!support.supported) return null;
  const chunks = [];
  let decoderConfig;
  const layers = [];
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); layers.push(m.svc?.temporalLayerId ?? 0); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure(config);
  for (let i = 0; i < N; i++) {
    const f = new VideoFrame(card(i), { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 1000 });
    encoder.encode(f, { keyFrame: i === 0 });
    f.close();
  }
  await encoder.flush();
  encoder.close();
  const scores = [];
  const pending = [];
  const decoder = new VideoDecoder({
    output: (f) => {
      const out = new Uint8Array(f.allocationSize());
      const i = f.timestamp / 1000;
      pending.push(f.copyTo(out).then(() => scores.push({ i, db: psnr(out, card(i)) })).finally(() => f.close()));
    },
    error: (e) => { throw e; },
  });
  decoder.configure(decoderConfig);
  const base = chunks.filter((c, k) => layers[k] === 0);
  for (const c of base) decoder.decode(c);
  await decoder.flush();
  await Promise.all(pending);
  decoder.close();
  const every = scalabilityMode === 'L1T3' ? 4 : scalabilityMode === 'L1T2' ? 2 : 1;
  const ordered = scores.every((s, k) => s.i === k * every);
  const worst = Math.min(...scores.map((s) => s.db));
  if (chunks.length !== N || scores.length !== N / every || !ordered || worst < 30) {
    throw new Error(`${codec} ${format}: ${chunks.length} chunks, ${scores.length} frames, ordered ${ordered}, worst PSNR ${worst.toFixed(1)}`);
  }
  return worst;
}

const RATE = 48000;

/** Two channels of half-scale sines (440 and 660 Hz), f32-planar. */
function tones(frames) {
  const out = new Float32Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    out[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / RATE);
    out[frames + i] = 0.5 * Math.sin((2 * Math.PI * 660 * i) / RATE);
  }
  return out;
}

/** Best SNR (dB) of `got` against `want` over codec delays up to 4096 samples. */
function snr(want, got) {
  let best = -Infinity;
  for (let lag = 0; lag <= 4096; lag++) {
    let signal = 0;
    let noise = 0;
    for (let i = 4096; i < Math.min(want.length, got.length - lag); i++) {
      signal += want[i] ** 2;
      noise += (want[i] - got[i + lag]) ** 2;
    }
    best = Math.max(best, noise === 0 ? Infinity : 10 * Math.log10(signal / noise));
  }
  return best;
}

/** Encodes and decodes 0.5 s of stereo tones; returns the left channel's SNR, or null if unsupported. */
async function audioRoundTrip(codec, extra = {}) {
  const frames = RATE / 2;
  const config = { codec, sampleRate: RATE, numberOfChannels: 2, bitrate: 128_000, ...extra };
  if (!(await AudioEncoder.isConfigSupported(config)).supported) return null;
  const chunks = [];
  let decoderConfig;
  const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure(config);
  const source = tones(frames);
  for (let at = 0; at < frames; at += 4800) {
    const piece = new Float32Array(4800 * 2);
    piece.set(source.subarray(at, at + 4800));
    piece.set(source.subarray(frames + at, frames + at + 4800), 4800);
    const data = new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: 4800, numberOfChannels: 2, timestamp: (at * 1e6) / RATE, data: piece });
    encoder.encode(data);
    data.close();
  }
  await encoder.flush();
  encoder.close();
  for (let i = 1; i < chunks.length; i++) {
    if (chunks[i].timestamp !== chunks[i - 1].timestamp + chunks[i - 1].duration) throw new Error(`${codec}: chunk ${i} does not follow chunk ${i - 1}`);
  }
  const left = [];
  const decoder = new AudioDecoder({
    output: (data) => {
      const plane = new Float32Array(data.numberOfFrames);
      data.copyTo(plane, { planeIndex: 0, format: 'f32-planar' });
      left.push(plane);
      data.close();
    },
    error: (e) => { throw e; },
  });
  decoder.configure(decoderConfig);
  for (const c of chunks) decoder.decode(c);
  await decoder.flush();
  decoder.close();
  const got = new Float32Array(left.reduce((n, p) => n + p.length, 0));
  left.reduce((at, p) => (got.set(p, at), at + p.length), 0);
  if (got.length < frames || got.length > frames + 4096) throw new Error(`${codec}: ${got.length} samples decoded from ${frames}`);
  const db = snr(source.subarray(0, frames), got);
  const lossless = codec === 'flac' || codec.startsWith('pcm');
  if (db < (lossless ? 35 : 12)) throw new Error(`${codec}: SNR ${db.toFixed(1)} dB`);
  return db;
}

/** Decodes the reference HEVC Annex B clip; returns the number of frames. */
async function decodeHevcClip() {
  const bytes = fs.readFileSync(path.join(__dirname, 'h265.annexb'));
  // One access unit per picture: split before VPS/SPS/PPS/AUD/prefix SEI or a
  // first slice segment that follows a slice.
  const units = [];
  let begin = 0;
  let seenSlice = false;
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] !== 0 || bytes[i + 1] !== 0 || bytes[i + 2] !== 1) continue;
    const type = (bytes[i + 3] >> 1) & 0x3f;
    const start = i > 0 && bytes[i - 1] === 0 ? i - 1 : i;
    const firstSlice = type < 32 && (bytes[i + 5] & 0x80) !== 0;
    if (seenSlice && (firstSlice || (type >= 32 && type <= 35) || type === 39)) {
      units.push(bytes.subarray(begin, start));
      begin = start;
      seenSlice = false;
    }
    if (type < 32) seenSlice = true;
    i += 2;
  }
  units.push(bytes.subarray(begin));
  let frames = 0;
  const decoder = new VideoDecoder({ output: (f) => { frames += f.codedWidth === 320 ? 1 : 0; f.close(); }, error: (e) => { throw e; } });
  decoder.configure({ codec: 'hev1.1.6.L60.90' });
  units.forEach((data, i) => decoder.decode(new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: i, data })));
  await decoder.flush();
  decoder.close();
  if (frames !== units.length) throw new Error(`h265.annexb: ${units.length} chunks, ${frames} frames`);
  return frames;
}

// One image per ImageDecoder format (beside this file): the four colours
// (yellow, red / blue, green) at the quadrant centres, and every frame of the animations.
const IMAGES = [
  ['four-colors.jpg', 'image/jpeg', 1], ['four-colors.png', 'image/png', 1], ['anim.png', 'image/png', 4], ['four-colors-flip.gif', 'image/gif', 2],
  ['four-colors.webp', 'image/webp', 1], ['anim.webp', 'image/webp', 5], ['four-colors.avif', 'image/avif', 1], ['quad-24.bmp', 'image/bmp', 1],
];

async function decodeImage(file, type, frames) {
  if (!(await ImageDecoder.isTypeSupported(type))) throw new Error(`${type} is not supported`);
  const decoder = new ImageDecoder({ type, data: fs.readFileSync(path.join(__dirname, file)) });
  await decoder.completed;
  const track = decoder.tracks.selectedTrack;
  if (track.frameCount !== frames) throw new Error(`${file}: ${track.frameCount} frames, expected ${frames}`);
  for (let i = 0; i < frames; i++) {
    const { image } = await decoder.decode({ frameIndex: i });
    const { width, height } = image.visibleRect;
    const rgba = new Uint8Array(width * height * 4);
    await image.copyTo(rgba, { format: 'RGBA' });
    if (i === 0 && file !== 'anim.png' && file !== 'anim.webp') {
      const at = (x, y) => rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 3);
      const want = [[255, 255, 0], [255, 0, 0], [0, 0, 255], [0, 255, 0]];
      const got = [at(width >> 2, height >> 2), at((3 * width) >> 2, height >> 2), at(width >> 2, (3 * height) >> 2), at((3 * width) >> 2, (3 * height) >> 2)];
      got.forEach((px, q) => px.forEach((v, c) => {
        if (Math.abs(v - want[q][c]) > 8) throw new Error(`${file}: quadrant ${q} is ${Array.from(px)}, expected ${want[q]}`);
      }));
    }
    image.close();
  }
  decoder.close();
  return `${file} ${frames} frame(s)`;
}

// alpha: "keep" (VP8, VP9): each chunk's alphaSideData decodes to the alpha plane.
async function alphaRoundTrip(codec) {
  const alphaOf = (x, y, i) => (x + y * 2 + i * 3) & 255;
  const chunks = [];
  const encoder = new VideoEncoder({ output: (c, m) => chunks.push([c, m.alphaSideData]), error: (e) => { throw e; } });
  encoder.configure({ codec, width: W, height: H, bitrate: 2_000_000, alpha: 'keep' });
  for (let i = 0; i < 5; i++) {
    const data = new Uint8Array(W * H * 2.5).fill(128);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[W * H * 1.5 + y * W + x] = alphaOf(x, y, i);
    const f = new VideoFrame(data, { format: 'I420A', codedWidth: W, codedHeight: H, timestamp: i * 1000 });
    encoder.encode(f, { keyFrame: i === 0 });
    f.close();
  }
  await encoder.flush();
  encoder.close();
  const scores = [];
  const decoder = new VideoDecoder({
    output: (f) => {
      const out = new Uint8Array(f.allocationSize());
      const i = f.timestamp / 1000;
      scores.push(f.copyTo(out).then(() => {
        let se = 0;
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) se += (out[y * W + x] - alphaOf(x, y, i)) ** 2;
        return se === 0 ? 99 : 10 * Math.log10((255 * 255 * W * H) / se);
      }).finally(() => f.close()));
    },
    error: (e) => { throw e; },
  });
  decoder.configure({ codec });
  for (const [c, alpha] of chunks) {
    if (!(alpha instanceof ArrayBuffer)) throw new Error(`${codec}: a chunk without alphaSideData`);
    decoder.decode(new EncodedVideoChunk({ type: c.type, timestamp: c.timestamp, data: alpha }));
  }
  await decoder.flush();
  decoder.close();
  const db = await Promise.all(scores);
  const worst = Math.min(...db);
  if (db.length !== 5 || worst < 30) throw new Error(`${codec} alpha: ${db.length} frames, worst PSNR ${worst.toFixed(1)}`);
  return worst;
}

// bitrateMode "quantizer" (VP9, AV1): the same picture as key frames at
// rising per-frame quantizers comes out smaller each time, and decodes.
const QUANTIZERS = [16, 64, 128, 200];
async function quantizerRoundTrip(codec, quantizers = QUANTIZERS) {
  const key = codec.startsWith('vp09') ? 'vp9' : codec.startsWith('av01') ? 'av1' : 'avc';
  const chunks = [];
  let decoderConfig;
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ codec, width: W, height: H, bitrateMode: 'quantizer' });
  quantizers.forEach((quantizer, i) => {
    const f = new VideoFrame(card(3), { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 1000 });
    encoder.encode(f, { keyFrame: true, [key]: { quantizer } });
    f.close();
  });
  await encoder.flush();
  encoder.close();
  const db = [];
  const pending = [];
  const decoder = new VideoDecoder({
    output: (f) => {
      const out = new Uint8Array(f.allocationSize());
      pending.push(f.copyTo(out).then(() => db.push(psnr(out, card(3)))).finally(() => f.close()));
    },
    error: (e) => { throw e; },
  });
  decoder.configure(decoderConfig);
  for (const c of chunks) decoder.decode(c);
  await decoder.flush();
  await Promise.all(pending);
  decoder.close();
  const sizes = chunks.map((c) => c.byteLength);
  const falling = sizes.every((s, i) => i === 0 || s < sizes[i - 1]);
  if (chunks.length !== quantizers.length || db.length !== quantizers.length || !falling || db[0] < 35 || db[1] <= db[3]) {
    throw new Error(`${codec} quantizer mode: sizes ${sizes}, PSNR ${db.map((d) => d.toFixed(1))}`);
  }
  return { sizes, db };
}

// 10-bit VP9 (profile 2), AV1 and HEVC: I420P10 frames in, I420P10 frames out.
async function highBitDepthRoundTrip(codec) {
  const level = (x, y, i) => 160 + x + y + i;
  const make = (i) => {
    const data = new Uint16Array(W * H * 1.5).fill(512);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = level(x, y, i);
    return new VideoFrame(data, { format: 'I420P10', codedWidth: W, codedHeight: H, timestamp: i * 1000 });
  };
  const chunks = [];
  let decoderConfig;
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ codec, width: W, height: H, bitrate: 2_000_000 });
  for (let i = 0; i < 5; i++) {
    const f = make(i);
    encoder.encode(f, { keyFrame: i === 0 });
    f.close();
  }
  await encoder.flush();
  encoder.close();
  const scores = [];
  const decoder = new VideoDecoder({
    output: (f) => {
      const out = new Uint16Array(f.allocationSize() / 2);
      const i = f.timestamp / 1000;
      const format = f.format;
      scores.push(f.copyTo(out).then(() => {
        if (format !== 'I420P10') throw new Error(`${codec}: decoded ${format}`);
        let se = 0;
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) se += ((out[y * W + x] - level(x, y, i)) / 4) ** 2;
        return se === 0 ? 99 : 10 * Math.log10((255 * 255 * W * H) / se);
      }).finally(() => f.close()));
    },
    error: (e) => { throw e; },
  });
  decoder.configure(decoderConfig);
  for (const c of chunks) decoder.decode(c);
  await decoder.flush();
  decoder.close();
  const db = await Promise.all(scores);
  const worst = Math.min(...db);
  if (db.length !== 5 || worst < 35) throw new Error(`${codec}: ${db.length} frames, worst PSNR ${worst.toFixed(1)}`);
  return worst;
}

async function main() {
  console.log(`webcodecs-native on ${process.platform}-${process.arch}, Node ${process.version}, FFmpeg ${buildInfo.ffmpeg} (${buildInfo.flavour}: ${buildInfo.license})`);
  console.log(`encoders: ${buildInfo.encoders.join(', ')}; decoders: ${buildInfo.decoders.join(', ')}`);
  const expected = process.argv[2];
  if (expected && buildInfo.flavour !== expected) throw new Error(`expected the ${expected} flavour, loaded ${buildInfo.flavour}`);
  const lgpl = ['libopenh264', 'libvpx', 'libvpx-vp9', 'libaom-av1'];
  const wanted = { lgpl, gpl: [...lgpl, 'libx264', 'libx265'] }[expected] ?? [];
  for (const name of wanted) if (!buildInfo.encoders.includes(name)) throw new Error(`the ${expected} flavour lacks ${name}`);
  for (const name of ['h264', 'hevc', 'vp8', 'vp9', 'libdav1d']) if (expected && !buildInfo.decoders.includes(name)) throw new Error(`the ${expected} flavour lacks the ${name} decoder`);
  if (expected === 'lgpl' && ['libx264', 'libx265'].some((n) => buildInfo.encoders.includes(n))) throw new Error('the lgpl flavour contains GPL encoders');
  // The binary came from its platform package, whose notices list every library linked in.
  const main = path.dirname(require.resolve('webcodecs-native/package.json'));
  const { currentPlatform, packageName } = require(path.join(main, 'lib', 'platform.js'));
  const platform = currentPlatform(process.env.LIBC || (process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl'));
  const gpl = expected === 'gpl' ? path.dirname(require.resolve('webcodecs-native-gpl/package.json')) : main;
  const dir = path.dirname(require.resolve(`${packageName(platform, expected)}/package.json`, { paths: [gpl] }));
  const notices = fs.readFileSync(path.join(dir, 'THIRD-PARTY-NOTICES'), 'utf8');
  if (buildInfo.libraries.length === 0) throw new Error('buildInfo.libraries is empty');
  for (const { name, version, license } of buildInfo.libraries) {
    if (!notices.includes(`${name} ${version} (${license})`)) throw new Error(`THIRD-PARTY-NOTICES lacks ${name} ${version} (${license})`);
  }
  console.log(`binary from ${path.basename(dir)}; THIRD-PARTY-NOTICES lists all ${buildInfo.libraries.length} libraries: ${buildInfo.libraries.map((l) => `${l.name} ${l.version}`).join(', ')}`);
  const runs = [];
  for (const codec of ['avc1.42001f', 'avc1.4d001f', 'avc1.64001f']) for (const format of ['avc', 'annexb']) runs.push([codec, format]);
  runs.push(['vp8'], ['vp09.00.10.08'], ['av01.0.04M.08'], ['hvc1.1.6.L93.B0', 'hevc'], ['hev1.1.6.L93.B0', 'annexb']);
  // Temporal SVC: the base layer of an L1T3 stream decodes alone.
  runs.push(['vp8', undefined, 'L1T3'], ['vp09.00.10.08', undefined, 'L1T3'], ['av01.0.04M.08', undefined, 'L1T3'], ['avc1.42001f', 'avc', 'L1T3']);
  let ran = 0;
  for (const [codec, format, mode] of runs) {
    const worst = await roundTrip(codec, format, mode);
    const label = [codec, format, mode && `${mode} base layer`].filter(Boolean).join(' ');
    console.log(`${label}: ${worst === null ? 'not supported by this build' : `ok, worst PSNR ${worst.toFixed(1)} dB`}`);
    if (worst !== null) ran++;
    // Everything but HEVC encoding is in both flavours.
    if (worst === null && expected && !(codec.startsWith('h') && expected === 'lgpl')) throw new Error(`${label} is not supported`);
  }
  for (const codec of ['vp8', 'vp09.00.10.08']) console.log(`${codec} alpha keep: ok, worst alpha PSNR ${(await alphaRoundTrip(codec)).toFixed(1)} dB`);
  for (const codec of ['vp09.00.10.08', 'av01.0.04M.08']) {
    const { sizes, db } = await quantizerRoundTrip(codec);
    console.log(`${codec} quantizer mode: ok, key frame bytes ${sizes.join(' > ')} for quantizers ${QUANTIZERS.join(', ')}, PSNR ${db.map((d) => d.toFixed(1)).join(', ')} dB`);
  }
  if (expected) {
    // A QP per frame: x264's ("frame-qp", scripts/build-ffmpeg) or OpenH264's (LGPL).
    const { sizes, db } = await quantizerRoundTrip('avc1.64001f', [10, 20, 30, 45]);
    console.log(`avc1.64001f quantizer mode: ok, key frame bytes ${sizes.join(' > ')} for QP 10, 20, 30, 45, PSNR ${db.map((d) => d.toFixed(1)).join(', ')} dB`);
  }
  console.log(`vp09.02.10.10 (I420P10): ok, worst PSNR ${(await highBitDepthRoundTrip('vp09.02.10.10')).toFixed(1)} dB`);
  console.log(`av01.0.04M.10 (I420P10): ok, worst PSNR ${(await highBitDepthRoundTrip('av01.0.04M.10')).toFixed(1)} dB`);
  // HEVC Main 10 in the GPL flavour: the 10-bit x265 linked into the 8-bit one.
  if (expected === 'gpl') console.log(`hvc1.2.4.L93.B0 (I420P10): ok, worst PSNR ${(await highBitDepthRoundTrip('hvc1.2.4.L93.B0')).toFixed(1)} dB`);
  console.log(`h265.annexb: decoded ${await decodeHevcClip()} frames`);
  // Every audio codec is in both flavours.
  const audio = [['opus'], ['mp4a.40.2'], ['mp4a.40.2', { aac: { format: 'adts' } }], ['mp3'], ['vorbis'], ['flac'], ['pcm-u8'], ['pcm-s16'], ['pcm-s24'], ['pcm-s32'], ['pcm-f32'], ['ulaw'], ['alaw']];
  let audioRan = 0;
  for (const [codec, extra] of audio) {
    const label = extra ? `${codec} adts` : codec;
    const db = await audioRoundTrip(codec, extra);
    if (db === null && expected) throw new Error(`${label} is not supported`);
    console.log(`${label}: ${db === null ? 'not supported by this build' : `ok, SNR ${db === Infinity ? 'lossless' : `${db.toFixed(1)} dB`}`}`);
    if (db !== null) audioRan++;
  }
  const images = [];
  for (const [file, type, frames] of IMAGES) images.push(await decodeImage(file, type, frames));
  console.log(`images: ${images.join(', ')}`);
  console.log(`smoke: ${ran} video and ${audioRan} audio round trips, 1 reference decode and ${images.length} images passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
