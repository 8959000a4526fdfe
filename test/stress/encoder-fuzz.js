'use strict';
// Encoder fuzzing through the public API: seeded random sessions of
// configure (codec, size, frame rate, bitrate, scalabilityMode, bitrateMode,
// latencyMode, contentHint), encode (frames of other sizes, key frames,
// per-frame quantizers in and out of range), flush, reconfigure and reset,
// for VP8, VP9 (8- and 10-bit), AV1 (8- and 10-bit) and H.264. Each batch of
// sessions runs in a child process, so a crash in a codec library is caught
// and reported with its seed. Only NotSupportedError and EncodingError may
// come out; every flush settles; the process survives.
//
//   node test/stress/encoder-fuzz.js [--scale F] [--seed N]       (full size: 400 sessions)
//   node test/stress/encoder-fuzz.js --child SEED COUNT            (one batch, prints its outcomes)
const { spawnSync } = require('node:child_process');
const { option, scaled, random, withTimeout } = require('./fuzz-common');

const CODECS = ['vp8', 'vp09.00.10.08', 'vp09.02.10.10', 'av01.0.04M.08', 'av01.0.04M.10', 'avc1.42001f', 'hvc1.1.6.L93.B0'];
const SIZES = [[64, 48], [96, 64], [160, 90], [322, 180], [16, 16]];

async function batch(seed, count) {
  const { VideoEncoder, VideoFrame } = require('../..');
  const rnd = random(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const outcomes = { sessions: 0, outputs: 0, NotSupportedError: 0, EncodingError: 0, TypeError: 0 };
  for (let session = 0; session < count; session++) {
    outcomes.sessions++;
    const [w, h] = pick(SIZES);
    const codec = pick(CODECS);
    const errors = [];
    const encoder = new VideoEncoder({ output: () => outcomes.outputs++, error: (e) => errors.push(e.name) });
    const config = () => ({
      codec, width: w, height: h, framerate: pick([15, 30, 60]), bitrate: pick([50_000, 500_000, 5_000_000]),
      // Combinations a codec refuses (NotSupportedError) end the session: kept rare.
      scalabilityMode: codec.startsWith('hvc') ? undefined : pick([undefined, 'L1T2', 'L1T3']),
      bitrateMode: codec === 'vp8' ? pick(['variable', 'constant']) : pick(['variable', 'constant', 'quantizer']),
      latencyMode: pick(['quality', 'realtime']), contentHint: pick([undefined, 'text', 'motion']), alpha: rnd() < 0.1 ? 'keep' : 'discard',
      ...(codec.startsWith('avc') ? { avc: { format: pick(['avc', 'annexb']) } } : {}),
      ...(codec.startsWith('hvc') ? { hevc: { format: pick(['hevc', 'annexb']) } } : {}),
    });
    encoder.configure(config());
    for (let i = 0; i < 24 && encoder.state !== 'closed'; i++) {
      const r = rnd();
      try {
        if (r < 0.7) {
          const [fw, fh] = pick([[w, h], [w + 2, h + 2], [32, 32]]);
          const format = pick(['RGBA', 'I420', 'I420A']);
          const size = format === 'RGBA' ? fw * fh * 4 : format === 'I420' ? fw * fh * 1.5 : fw * fh * 2.5;
          const frame = new VideoFrame(new Uint8Array(size).fill((i * 37) & 255), { format, codedWidth: fw, codedHeight: fh, timestamp: i * 33333 });
          const q = () => ({ quantizer: Math.floor(rnd() * 70000) - 5 });
          encoder.encode(frame, { keyFrame: rnd() < 0.2, vp9: q(), av1: q(), avc: q(), hevc: q() });
          frame.close();
        } else if (r < 0.8) {
          await withTimeout(encoder.flush().catch(() => {}), `flush of ${codec}`);
        } else if (r < 0.9) {
          encoder.configure(config());
        } else {
          encoder.reset();
        }
        if (encoder.state === 'unconfigured') encoder.configure(config());
      } catch (e) {
        // A frame's format or size the encoder cannot take is not a TypeError; only wrong types are.
        outcomes[e.name] = (outcomes[e.name] ?? 0) + 1;
        if (e.name !== 'TypeError' && e.name !== 'InvalidStateError') throw e;
      }
    }
    if (encoder.state === 'configured') await withTimeout(encoder.flush().catch(() => {}), `final flush of ${codec}`);
    if (encoder.state !== 'closed') encoder.close();
    for (const name of errors) {
      if (name !== 'NotSupportedError' && name !== 'EncodingError') throw new Error(`${codec}: error callback with ${name}`);
      outcomes[name]++;
    }
  }
  return outcomes;
}

async function main() {
  if (option('child', null) !== null) {
    const i = process.argv.indexOf('--child');
    const outcomes = await batch(Number(process.argv[i + 1]), Number(process.argv[i + 2]));
    console.log(JSON.stringify(outcomes));
    return;
  }
  const first = Number(option('seed', 1));
  const sessions = scaled(400, 10);
  const perChild = 10;
  const total = { sessions: 0, outputs: 0 };
  let failed = null;
  const started = Date.now();
  for (let seed = first; total.sessions < sessions && !failed; seed++) {
    const r = spawnSync(process.execPath, [__filename, '--child', String(seed), String(perChild)], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) {
      failed = { seed, status: r.status, signal: r.signal, stderr: (r.stderr || '').slice(-600) };
      break;
    }
    for (const [k, v] of Object.entries(JSON.parse(r.stdout.trim().split('\n').pop()))) total[k] = (total[k] ?? 0) + v;
  }
  console.log(JSON.stringify({ run: 'encoder-fuzz', ok: !failed, ...total, seconds: Math.round((Date.now() - started) / 100) / 10, failed }));
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
