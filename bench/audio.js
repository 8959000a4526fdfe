'use strict';
// Audio encoders and decoders against the ffmpeg CLI on the same work: 60 s
// of 48 kHz stereo (tones over noise), encoded at 128 kbit/s with the
// settings AudioEncoder uses (listed per codec below), then decoded back
// with the same decoder (ours: decode + copyTo of every output in its own
// format; ffmpeg: `-f null`), and ours again with copyTo converting to f32-planar.
// Ours is fed 1024-frame AudioData pieces, as a capture or demuxer would.
//
//   node bench/audio.js [opus|aac|mp3|vorbis|flac ...]     (default: all)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { AudioEncoder, AudioDecoder, AudioData } = require('..');
const { timeCommand, loopDelay, AUDIO_CODECS } = require('./lib/common');

const RATE = 48000;
const SECONDS = 60;
const FRAMES = RATE * SECONDS;
const PIECE = 1024;

const CODECS = AUDIO_CODECS;

/** f32-planar stereo: two tones over low-level noise (a fixed seed, so every run encodes the same). */
function source() {
  const out = new Float32Array(FRAMES * 2);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 0.05;
  for (let i = 0; i < FRAMES; i++) {
    out[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / RATE) + noise();
    out[FRAMES + i] = 0.3 * Math.sin((2 * Math.PI * 659.25 * i) / RATE) + noise();
  }
  return out;
}

const seconds = (t0) => (performance.now() - t0) / 1000;

/** ffmpeg's wall time in seconds. */
const ffmpeg = (args) => timeCommand('ffmpeg', ['-v', 'error', '-y', ...args]) / 1000;

async function encode(config, samples) {
  const chunks = [];
  let decoderConfig;
  const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ sampleRate: RATE, numberOfChannels: 2, ...config });
  const delay = loopDelay();
  const t0 = performance.now();
  const piece = new Float32Array(PIECE * 2);
  for (let at = 0; at < FRAMES; at += PIECE) {
    const n = Math.min(PIECE, FRAMES - at);
    piece.set(samples.subarray(at, at + n), 0);
    piece.set(samples.subarray(FRAMES + at, FRAMES + at + n), n);
    const data = new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: n, numberOfChannels: 2, timestamp: Math.round((at * 1e6) / RATE), data: piece.subarray(0, n * 2) });
    encoder.encode(data);
    data.close();
    if (encoder.encodeQueueSize >= 64) await new Promise((r) => encoder.addEventListener('dequeue', r, { once: true }));
  }
  await encoder.flush();
  const s = seconds(t0);
  encoder.close();
  return { chunks, decoderConfig, s, delay: delay.stop() };
}

async function decode(decoderConfig, chunks, toFloat) {
  let frames = 0;
  const decoder = new AudioDecoder({
    output(data) {
      const format = toFloat ? 'f32-planar' : data.format;
      const planes = format.endsWith('-planar') ? data.numberOfChannels : 1;
      const out = new Uint8Array(data.allocationSize({ planeIndex: 0, format }));
      for (let ch = 0; ch < planes; ch++) data.copyTo(out, { planeIndex: ch, format });
      frames += data.numberOfFrames;
      data.close();
    },
    error: (e) => { throw e; },
  });
  decoder.configure(decoderConfig);
  const t0 = performance.now();
  for (const c of chunks) {
    decoder.decode(c);
    if (decoder.decodeQueueSize >= 64) await new Promise((r) => decoder.addEventListener('dequeue', r, { once: true }));
  }
  await decoder.flush();
  const s = seconds(t0);
  decoder.close();
  return { frames, s };
}

async function main() {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CODECS);
  const samples = source();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webcodecs-bench-audio-'));
  // ffmpeg reads the same samples, interleaved.
  const raw = path.join(dir, 'source.f32');
  const interleaved = new Float32Array(FRAMES * 2);
  for (let i = 0; i < FRAMES; i++) {
    interleaved[2 * i] = samples[i];
    interleaved[2 * i + 1] = samples[FRAMES + i];
  }
  fs.writeFileSync(raw, Buffer.from(interleaved.buffer));
  console.log(`${SECONDS} s of 48 kHz stereo, ${os.cpus().length} CPUs, Node ${process.version}`);
  console.log('codec   | encode ours (×realtime) | ffmpeg  | ratio | decode ours | ffmpeg   | ratio | decode + f32-planar | kbit/s | event loop while encoding (p50/p99/max ms)');
  try {
    for (const name of wanted) {
      const c = CODECS[name];
      if (!c || !(await AudioEncoder.isConfigSupported({ sampleRate: RATE, numberOfChannels: 2, ...c.config })).supported) {
        console.log(`${name.padEnd(7)} | not supported by this build`);
        continue;
      }
      const enc = await encode(c.config, samples);
      const dec = await decode(enc.decoderConfig, enc.chunks, false);
      const decFloat = await decode(enc.decoderConfig, enc.chunks, true);
      const out = path.join(dir, `out.${c.ext}`);
      const ffEnc = ffmpeg(['-f', 'f32le', '-ar', String(RATE), '-ac', '2', '-i', raw, ...c.args, out]);
      // The decoder we use (ffmpeg would pick its own Opus decoder, not libopus).
      const ffDec = ffmpeg([...(c.decoder ? ['-c:a', c.decoder] : []), '-i', out, '-f', 'null', '-']);
      const bytes = enc.chunks.reduce((n, ch) => n + ch.byteLength, 0);
      const x = (s) => `${(SECONDS / s).toFixed(0)}×`;
      console.log(`${name.padEnd(7)} | ${x(enc.s).padStart(23)} | ${x(ffEnc).padStart(7)} | ${(ffEnc / enc.s).toFixed(2).padStart(5)} | ${x(dec.s).padStart(11)} | ${x(ffDec).padStart(8)} | ${(ffDec / dec.s).toFixed(2).padStart(5)} | ${x(decFloat.s).padStart(18)} | ${((bytes * 8) / SECONDS / 1000).toFixed(0).padStart(6)} | ${[enc.delay.p50, enc.delay.p99, enc.delay.max].map((v) => v.toFixed(2)).join(' / ')}`);
      if (dec.frames < FRAMES) throw new Error(`${name}: decoded ${dec.frames} of ${FRAMES} frames`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
