'use strict';
// Smoke test for an installed node-webcodecs (scripts/test-install runs it in a
// bare machine): every H.264 profile the binary encodes, round-tripped through
// the decoder, checked by frame count, timestamps and PSNR.
const { VideoEncoder, VideoDecoder, VideoFrame, buildInfo } = require('node-webcodecs');

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

async function roundTrip(codec, format) {
  const config = { codec, width: W, height: H, bitrate: 2_000_000, framerate: 30, avc: { format } };
  const support = await VideoEncoder.isConfigSupported(config);
  if (!support.supported) return null;
  const chunks = [];
  let decoderConfig;
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
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
  for (const c of chunks) decoder.decode(c);
  await decoder.flush();
  await Promise.all(pending);
  decoder.close();
  const ordered = scores.every((s, k) => s.i === k);
  const worst = Math.min(...scores.map((s) => s.db));
  if (chunks.length !== N || scores.length !== N || !ordered || worst < 30) {
    throw new Error(`${codec} ${format}: ${chunks.length} chunks, ${scores.length} frames, ordered ${ordered}, worst PSNR ${worst.toFixed(1)}`);
  }
  return worst;
}

async function main() {
  console.log(`node-webcodecs on ${process.platform}-${process.arch}, Node ${process.version}, FFmpeg ${buildInfo.ffmpeg} (${buildInfo.flavour}: ${buildInfo.license})`);
  console.log(`encoders: ${buildInfo.encoders.join(', ')}; decoders: ${buildInfo.decoders.join(', ')}`);
  const expected = process.argv[2];
  if (expected && buildInfo.flavour !== expected) throw new Error(`expected the ${expected} flavour, loaded ${buildInfo.flavour}`);
  const wanted = { lgpl: ['libopenh264'], gpl: ['libx264', 'libopenh264'] }[expected] ?? [];
  for (const name of wanted) if (!buildInfo.encoders.includes(name)) throw new Error(`the ${expected} flavour lacks ${name}`);
  if (expected === 'lgpl' && buildInfo.encoders.includes('libx264')) throw new Error('the lgpl flavour contains x264');
  let ran = 0;
  for (const codec of ['avc1.42001f', 'avc1.4d001f', 'avc1.64001f']) {
    for (const format of ['avc', 'annexb']) {
      const worst = await roundTrip(codec, format);
      console.log(`${codec} ${format}: ${worst === null ? 'not supported by this build' : `ok, worst PSNR ${worst.toFixed(1)} dB`}`);
      if (worst !== null) ran++;
    }
  }
  if (ran === 0) throw new Error('no H.264 configuration was supported');
  console.log(`smoke: ${ran} round trips passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
