'use strict';
// Audio side by side with @napi-rs/webcodecs: the same 60 s
// of 48 kHz stereo (tones over noise) fed as 1024-frame f32 AudioData pieces
// to each implementation's AudioEncoder at 128 kbit/s, and each one's chunks
// decoded back by its own AudioDecoder with a copyTo of every output. Both run
// in this process, one after the other, alternating ROUNDS times (3;
// BENCH_ROUNDS=n); medians of wall time (as × real time) and of CPU (all
// threads).
//
//   npm install --no-save @napi-rs/webcodecs@1.3.1   (once; see below)
//   node bench/peer.js [opus|aac|mp3|vorbis|flac ...]
//
// The peer is not a devDependency: its lock entries need every platform's
// package, and the registry this project is built against has only the
// Linux x64 ones, so `npm ci` would refuse the lock file.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ours = require('..');
const { stereoTones, encodeAudioWith, decodeAudioWith } = require('./lib/common');

let peer;
try {
  peer = require('@napi-rs/webcodecs');
} catch {
  console.error('bench/peer.js needs @napi-rs/webcodecs: npm install --no-save @napi-rs/webcodecs@1.3.1');
  process.exit(1);
}

const RATE = 48000;
const SECONDS = 60;
const PIECE = 1024;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
// MP3 at a constant bitrate: the peer encodes CBR whatever bitrateMode says
// (ours, like the CLI rows of matrix.js, makes ABR of the default
// "variable"); given the same mode, the two streams are byte-identical.
const CODECS = {
  opus: { codec: 'opus' },
  aac: { codec: 'mp4a.40.2' },
  mp3: { codec: 'mp3', bitrateMode: 'constant' },
  vorbis: { codec: 'vorbis' },
  flac: { codec: 'flac' },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

/** The installed peer's version (its package.json is not among its exports). */
function peerVersion() {
  const file = path.join(path.dirname(require.resolve('@napi-rs/webcodecs')), 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

/** Runs `work` and returns {seconds, cpu, result}. */
async function timed(work) {
  const c0 = cpuNow();
  const t0 = performance.now();
  const result = await work();
  return { seconds: (performance.now() - t0) / 1000, cpu: cpuNow() - c0, result };
}

/** How many chunks of two streams are byte-identical, as "n/N" (N: ours). */
function identical(a, b) {
  const bytes = (c) => {
    const out = new Uint8Array(c.byteLength);
    c.copyTo(out);
    return out;
  };
  let same = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (Buffer.compare(bytes(a[i]), bytes(b[i])) === 0) same++;
  return `${same}/${a.length}${a.length === b.length ? '' : ` (peer ${b.length})`}`;
}

async function main() {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CODECS);
  const samples = stereoTones(RATE, SECONDS);
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0].model}; Node ${process.version}; webcodecs-native on FFmpeg ${ours.buildInfo.ffmpeg}; ` +
    `@napi-rs/webcodecs ${peerVersion()}; medians of ${ROUNDS} alternating rounds`);
  console.log(`${SECONDS} s of 48 kHz stereo in ${PIECE}-frame f32 pieces, 128 kbit/s; × real time (higher is better), CPU s of all threads\n`);
  console.log('codec  | encode ours | peer | ours/peer | CPU ours | peer | decode ours | peer | ours/peer | CPU ours | peer | identical chunks');
  for (const name of wanted) {
    const config = CODECS[name];
    const runs = { ours: { enc: [], dec: [] }, peer: { enc: [], dec: [] } };
    const failed = {};
    for (let round = 0; round < ROUNDS + 1; round++) {
      for (const [label, lib] of [['ours', ours], ['peer', peer]]) {
        if (failed[label]) continue;
        try {
          const enc = await timed(() => encodeAudioWith(lib, { bitrate: 128_000, ...config }, samples, RATE, PIECE));
          const dec = await timed(() => decodeAudioWith(lib, enc.result.decoderConfig, enc.result.chunks));
          if (round === 0) continue; // warm-up
          runs[label].enc.push(enc);
          runs[label].dec.push(dec);
        } catch (e) {
          failed[label] = `${e.name}: ${e.message}`;
        }
      }
    }
    if (failed.ours || failed.peer) {
      console.log(`${name.padEnd(6)} | ${Object.entries(failed).map(([who, why]) => `${who} failed (${why})`).join('; ')}`);
      continue;
    }
    const rt = (list) => SECONDS / median(list.map((r) => r.seconds));
    const cpu = (list) => median(list.map((r) => r.cpu));
    const [eo, ep, dO, dp] = [rt(runs.ours.enc), rt(runs.peer.enc), rt(runs.ours.dec), rt(runs.peer.dec)];
    console.log(`${name.padEnd(6)} | ${eo.toFixed(0).padStart(10)}× | ${ep.toFixed(0).padStart(4)}× | ${(eo / ep).toFixed(2).padStart(9)} | ${cpu(runs.ours.enc).toFixed(2).padStart(8)} | ${cpu(runs.peer.enc).toFixed(2)} | ` +
      `${dO.toFixed(0).padStart(10)}× | ${dp.toFixed(0).padStart(4)}× | ${(dO / dp).toFixed(2).padStart(9)} | ${cpu(runs.ours.dec).toFixed(2).padStart(8)} | ${cpu(runs.peer.dec).toFixed(2)} | ` +
      identical(runs.ours.enc[0].result.chunks, runs.peer.enc[0].result.chunks));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
