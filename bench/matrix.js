'use strict';
// Every codec row next to the ffmpeg CLI doing the same work with the same
// encoder options, in one run, alternating ours and the CLI's:
//   - video encode (latencyMode "realtime" and "quality"), 60 and 300 frames
//     of 1280x720 I420 at 2.5 Mbit/s: CPU (all threads; the CLI's from
//     `-benchmark`) and wall time, their ratios, event-loop delay p50/p99
//     while ours runs, and peak RSS above what the process held before (input
//     frames excluded; the CLI's whole process next to it). Where the library
//     is deterministic the streams are compared byte for byte ("same bytes").
//   - video decode + copyTo of every frame (into reused buffers), against
//     `ffmpeg -i … -f rawvideo /dev/null` (which copies every frame out too).
//   - audio encode and decode, 60 s of 48 kHz stereo in 1024-frame pieces.
//   - per-chunk overhead: PCM s16 decode of 60 s in 1024-frame chunks, where
//     the codec does almost nothing: CPU per chunk.
// Timing belongs here, not in tests: run it by hand on a quiet machine.
//
//   node bench/matrix.js [--rows video,decode,audio,overhead] [--frames 60,300] [--repeat 3] [--codecs avc,vp8,vp9,av1,hevc]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const webcodecs = require('..');
const { VideoEncoder, VideoDecoder, VideoFrame, AudioEncoder, EncodedAudioChunk, buildInfo } = webcodecs;
const { writeIvf } = require('../test/helpers');
const { runFfmpeg, loopDelay, stereoTones, encodeAudioWith, decodeAudioWith, AUDIO_CODECS, VIDEO_ENCODER_ARGS } = require('./lib/common');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROWS = new Set(arg('rows', 'video,decode,audio,overhead').split(','));
const FRAME_COUNTS = arg('frames', '60,300').split(',').map(Number);
const REPEAT = Number(arg('repeat', 3));
const W = 1280, H = 720, FPS = 30, BITRATE = 2_500_000;
const RATE = 48000, SECONDS = 60, PIECE = 1024;
// Our codec string, and per latency mode the CLI arguments that give the
// encoder what VideoEncoder gives it: the shared settings, and the profile
// and level the codec string names.
const withProfile = (args, profile) => [...args.slice(0, 2), ...profile, ...args.slice(2)];
const x265Level = (args) => args.map((a) => (a.startsWith('log-level=error:bframes=0') ? a.replace('bframes=0', 'bframes=0:level-idc=4.0:high-tier=0') : a));
const VIDEO = {
  avc: {
    codec: 'avc1.640028', encoder: 'libx264', file: 'h264', config: { avc: { format: 'annexb' } },
    realtime: withProfile(VIDEO_ENCODER_ARGS.avc.realtime, ['-profile:v', 'high', '-level', '4.0']),
    quality: withProfile(VIDEO_ENCODER_ARGS.avc.quality, ['-profile:v', 'high', '-level', '4.0']),
  },
  hevc: {
    codec: 'hev1.1.6.L120.B0', encoder: 'libx265', file: 'hevc', config: { hevc: { format: 'annexb' } },
    realtime: x265Level(withProfile(VIDEO_ENCODER_ARGS.hevc.realtime, ['-profile:v', 'main'])),
    quality: x265Level(withProfile(VIDEO_ENCODER_ARGS.hevc.quality, ['-profile:v', 'main'])),
  },
  vp8: { codec: 'vp8', encoder: 'libvpx', file: 'ivf', fourcc: 'VP80', ...VIDEO_ENCODER_ARGS.vp8 },
  vp9: { codec: 'vp09.00.31.08', encoder: 'libvpx-vp9', file: 'ivf', fourcc: 'VP90', ...VIDEO_ENCODER_ARGS.vp9 },
  av1: { codec: 'av01.0.05M.08', encoder: 'libaom-av1', file: 'ivf', fourcc: 'AV01', ...VIDEO_ENCODER_ARGS.av1 },
};

// A VideoFrame made from I420 bytes is BT.709 limited range, and the encoder
// writes that into the stream: the CLI is told the same.
// It also writes square pixels explicitly (SAR 1:1), which -aspect asks of the CLI.
const COLOUR = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv', '-aspect', `${W}:${H}`];

const AUDIO = AUDIO_CODECS;

const MB = 1 << 20;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-matrix-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

/** Runs the CLI with -benchmark: {cpu, wall, maxrssMB} from its own report. */
function cli(args) {
  const r = runFfmpeg(['-hide_banner', '-nostats', '-benchmark', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
  const m = /utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s/.exec(r.stderr);
  const rss = /maxrss=(\d+)(?:KiB|kB)/.exec(r.stderr);
  return { cpu: Number(m[1]) + Number(m[2]), wall: Number(m[3]), maxrssMB: rss ? Number(rss[1]) / 1024 : NaN };
}

/** Measures our side of a row: CPU, wall, event-loop delay and peak RSS above the start. */
async function ours(work) {
  // A precise major GC, so the baseline holds no garbage. Not gc() without
  // arguments: that "last resort" collection also discards every function's
  // optimized code, so each run would start cold (the PCM row then costs
  // 50–80 µs per chunk instead of 10–20), which no long-running process does.
  if (global.gc) global.gc({ type: 'major', execution: 'sync' });
  const base = process.memoryUsage.rss();
  let peak = base;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
  const delay = loopDelay();
  const c0 = cpuNow();
  const t0 = performance.now();
  const result = await work();
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuNow() - c0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { cpu, wall, delay: delay.stop(), peakMB: (peak - base) / MB, result };
}

/** Alternates ours and the CLI REPEAT times; medians of each figure. */
async function alternate(oursWork, cliArgs) {
  const o = [], c = [];
  for (let i = 0; i < REPEAT; i++) {
    o.push(await ours(oursWork));
    c.push(cli(cliArgs()));
  }
  const pick = (list, f) => median(list.map(f));
  return {
    ours: { cpu: pick(o, (r) => r.cpu), wall: pick(o, (r) => r.wall), p50: pick(o, (r) => r.delay.p50), p99: pick(o, (r) => r.delay.p99), peakMB: pick(o, (r) => r.peakMB), result: o[0].result },
    cli: { cpu: pick(c, (r) => r.cpu), wall: pick(c, (r) => r.wall), maxrssMB: pick(c, (r) => r.maxrssMB) },
  };
}

function card(i) {
  const buf = Buffer.alloc((W * H * 3) / 2);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) buf[y * W + x] = 16 + ((x + y + i * 5) % 200) + (Math.abs(x - i * 20) < 40 ? 19 : 0);
  buf.fill(128 + (i % 16), W * H);
  return buf;
}

function row(cells) {
  console.log(cells.map(([v, w]) => String(v).padStart(w)).join(' | '));
}
const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

async function videoRows(cards, raw) {
  console.log(`\nVideo: 1280x720 I420 at ${BITRATE / 1e6} Mbit/s, ${FPS} fps; CPU s (all threads), ratio = ours / CLI (lower is better)`);
  row([['row', 24], ['frames', 6], ['CPU ours', 8], ['CLI', 6], ['ratio', 5], ['wall ours', 9], ['CLI', 6], ['ratio', 5], ['loop p50/p99 ms', 15], ['RSS +MB', 7], ['CLI MB', 6], ['bytes', 10]]);
  const streams = {};
  for (const [name, v] of Object.entries(VIDEO)) {
    if (!wantedCodec(name)) continue;
    if (!buildInfo.encoders.includes(v.encoder)) {
      console.log(`${name}: no ${v.encoder} in this build`);
      continue;
    }
    for (const mode of ['realtime', 'quality']) {
      for (const frames of FRAME_COUNTS) {
        const config = { codec: v.codec, width: W, height: H, bitrate: BITRATE, framerate: FPS, latencyMode: mode, ...v.config };
        const out = path.join(dir, `cli.${v.file}`);
        const work = () => encode(config, cards, frames);
        await work(); // warm-up: first opens load tables and grow pools
        const r = await alternate(work, () => ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-r', String(FPS), '-i', raw, '-frames:v', String(frames),
          ...v[mode], '-b:v', String(BITRATE), ...COLOUR, ...(v.file === 'ivf' ? ['-f', 'ivf'] : []), out]);
        const chunks = r.ours.result;
        const mine = path.join(dir, `ours-${name}.${v.file}`); // kept for the decode rows
        if (v.file === 'ivf') writeIvf(mine, v.fourcc, W, H, chunks);
        else fs.writeFileSync(mine, Buffer.concat(chunks.map((c) => { const b = Buffer.alloc(c.byteLength); c.copyTo(b); return b; })));
        const same = sameStream(mine, out, v.file) ? 'same bytes' : 'differ';
        if (mode === 'quality' && frames === Math.max(...FRAME_COUNTS)) streams[name] = { file: mine, codec: v.codec, frames };
        row([[`${name} ${mode}`, 24], [frames, 6], [f(r.ours.cpu), 8], [f(r.cli.cpu), 6], [f(r.ours.cpu / r.cli.cpu), 5], [f(r.ours.wall), 9], [f(r.cli.wall), 6], [f(r.ours.wall / r.cli.wall), 5],
          [`${f(r.ours.p50, 1)}/${f(r.ours.p99, 1)}`, 15], [f(r.ours.peakMB, 0), 7], [f(r.cli.maxrssMB, 0), 6], [same, 10]]);
      }
    }
  }
  return streams;
}

function wantedCodec(name) {
  const list = arg('codecs', null);
  return list === null || list.split(',').includes(name);
}

/** The frame payloads of an IVF file. */
function ivfFrames(file) {
  const buf = fs.readFileSync(file);
  const frames = [];
  for (let at = buf.readUInt16LE(6); at + 12 <= buf.length; ) {
    const size = buf.readUInt32LE(at);
    frames.push(buf.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

/** The elementary streams of two files, compared (IVF: frame payloads; Annex B: the bytes). */
function sameStream(a, b, kind) {
  const payloads = (file) => (kind === 'ivf' ? Buffer.concat(ivfFrames(file)) : fs.readFileSync(file));
  return payloads(a).equals(payloads(b));
}

async function encode(config, cards, frames) {
  const chunks = [];
  const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: (e) => { throw e; } });
  encoder.configure(config);
  for (let i = 0; i < frames; i++) {
    const frame = new VideoFrame(cards[i % cards.length], { format: 'I420', codedWidth: W, codedHeight: H, timestamp: Math.round((i * 1e6) / FPS), duration: Math.round(1e6 / FPS) });
    encoder.encode(frame, { keyFrame: i === 0 });
    frame.close();
    if (encoder.encodeQueueSize >= 16) await new Promise((r) => encoder.addEventListener('dequeue', r, { once: true }));
  }
  await encoder.flush();
  encoder.close();
  return chunks;
}

async function decodeRows(streams) {
  console.log('\nVideo decode + copyTo of every frame into a reused buffer (the quality-mode streams above), against ffmpeg writing every frame out raw (-f rawvideo /dev/null)');
  row([['row', 24], ['frames', 6], ['CPU ours', 8], ['CLI', 6], ['ratio', 5], ['wall ours', 9], ['CLI', 6], ['ratio', 5], ['loop p50/p99 ms', 15], ['RSS +MB', 7], ['CLI MB', 6]]);
  for (const [name, s] of Object.entries(streams)) {
    const chunks = readStream(s.file, name);
    // Destinations are reused once their copy is done, as a program that
    // copies every frame out would: a fresh 1.4 MB buffer per frame costs
    // more in page faults (about 0.2 s per 300 frames) than the decoding
    // library's side of the copy, and is the harness's cost, not ours.
    const spare = [];
    const work = async () => {
      let frames = 0;
      const pending = [];
      const decoder = new VideoDecoder({
        output: (frame) => {
          const size = frame.allocationSize();
          const i = spare.findIndex((b) => b.byteLength === size);
          const buf = i >= 0 ? spare.splice(i, 1)[0] : new Uint8Array(size);
          pending.push(frame.copyTo(buf).then(() => { frame.close(); spare.push(buf); }));
          frames++;
        },
        error: (e) => { throw e; },
      });
      decoder.configure({ codec: s.codec, codedWidth: W, codedHeight: H });
      for (const c of chunks) {
        decoder.decode(c);
        if (decoder.decodeQueueSize >= 16) await new Promise((r) => decoder.addEventListener('dequeue', r, { once: true }));
      }
      await decoder.flush();
      await Promise.all(pending);
      decoder.close();
      return frames;
    };
    await work();
    // FFmpeg's own decoders on both sides (dav1d for AV1). The CLI copies
    // each frame out as our side's copyTo does: `-f null` hands its muxer
    // a reference and copies nothing (about 8 % less CPU for 720p H.264).
    const r = await alternate(work, () => [...(name === 'av1' ? ['-c:v', 'libdav1d'] : []), '-i', s.file, '-f', 'rawvideo', '-y', '/dev/null']);
    if (r.ours.result !== s.frames) throw new Error(`${name}: decoded ${r.ours.result} of ${s.frames}`);
    row([[`${name} decode`, 24], [s.frames, 6], [f(r.ours.cpu), 8], [f(r.cli.cpu), 6], [f(r.ours.cpu / r.cli.cpu), 5], [f(r.ours.wall), 9], [f(r.cli.wall), 6], [f(r.ours.wall / r.cli.wall), 5],
      [`${f(r.ours.p50, 1)}/${f(r.ours.p99, 1)}`, 15], [f(r.ours.peakMB, 0), 7], [f(r.cli.maxrssMB, 0), 6]]);
  }
}

/** The chunks of one of our streams, for decoding (IVF frames or Annex B access units). */
function readStream(file, name) {
  const { EncodedVideoChunk } = require('..');
  const { annexbAccessUnits } = require('../test/helpers');
  const units = name === 'avc' || name === 'hevc' ? annexbAccessUnits(fs.readFileSync(file), name === 'avc' ? 'h264' : 'hevc') : ivfFrames(file);
  // The stream starts with its one requested key frame.
  return units.map((data, i) => new EncodedVideoChunk({ type: i === 0 ? 'key' : 'delta', timestamp: Math.round((i * 1e6) / FPS), data }));
}

async function audioRows(samples, raw) {
  console.log(`\nAudio: ${SECONDS} s of 48 kHz stereo in ${PIECE}-frame pieces; decode = the same decoder, copyTo of every output`);
  row([['row', 24], ['chunks', 6], ['CPU ours', 8], ['CLI', 6], ['ratio', 5], ['wall ours', 9], ['CLI', 6], ['ratio', 5], ['loop p50/p99 ms', 15], ['RSS +MB', 7], ['CLI MB', 6]]);
  for (const [name, a] of Object.entries(AUDIO)) {
    if (!(await AudioEncoder.isConfigSupported({ sampleRate: RATE, numberOfChannels: 2, ...a.config })).supported) {
      console.log(`${name}: not supported by this build`);
      continue;
    }
    const encodeWork = () => encodeAudioWith(webcodecs, a.config, samples, RATE, PIECE);
    await warmUp(encodeWork);
    const out = path.join(dir, `cli.${a.ext}`);
    const enc = await alternate(encodeWork, () => ['-f', 'f32le', '-ar', String(RATE), '-ac', '2', '-i', raw, ...a.args, out]);
    const { chunks, decoderConfig } = enc.ours.result;
    const print = (label, r, n) => row([[label, 24], [n, 6], [f(r.ours.cpu), 8], [f(r.cli.cpu), 6], [f(r.ours.cpu / r.cli.cpu), 5], [f(r.ours.wall), 9], [f(r.cli.wall), 6], [f(r.ours.wall / r.cli.wall), 5],
      [`${f(r.ours.p50, 1)}/${f(r.ours.p99, 1)}`, 15], [f(r.ours.peakMB, 0), 7], [f(r.cli.maxrssMB, 0), 6]]);
    print(`${name} encode`, enc, Math.ceil((RATE * SECONDS) / PIECE));
    await warmUp(() => decodeAudio(decoderConfig, chunks));
    const dec = await alternate(() => decodeAudio(decoderConfig, chunks), () => [...(a.decoder ? ['-c:a', a.decoder] : []), '-i', out, '-f', 'null', '-']);
    print(`${name} decode`, dec, chunks.length);
  }
}

/**
 * Runs an audio row's work WARM_UPS times before it is measured. A row
 * lasts 30-400 ms, and V8 is still compiling the library's and this
 * script's code over the first runs of a process: measured after one, the
 * second and third runs of an AAC decode took 37-43 ms against 27-28 ms for
 * every later one, which set the median of five.
 */
const WARM_UPS = 3;
async function warmUp(work) {
  for (let i = 0; i < WARM_UPS; i++) await work();
}

/** Our AudioDecoder over `chunks`, with a copyTo of every output. */
const decodeAudio = (config, chunks) => decodeAudioWith(webcodecs, config, chunks);

async function overheadRow() {
  // PCM s16: the "codec" copies bytes, so what each chunk costs is ours.
  const pcm = Buffer.alloc(PIECE * 2 * 2);
  for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(Math.sin(i / 10) * 8000), i * 2);
  const count = Math.ceil((RATE * SECONDS) / PIECE);
  const chunks = Array.from({ length: count }, (_, i) => new EncodedAudioChunk({ type: 'key', timestamp: Math.round((i * PIECE * 1e6) / RATE), data: pcm }));
  const config = { codec: 'pcm-s16', sampleRate: RATE, numberOfChannels: 2 };
  await warmUp(() => decodeAudio(config, chunks));
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await ours(() => decodeAudio(config, chunks)));
  const cpu = median(runs.map((r) => r.cpu));
  console.log(`\nPer-chunk overhead: PCM s16 decode of ${SECONDS} s in ${PIECE}-frame chunks (${count} chunks, copyTo of each): ` +
    `${((cpu / count) * 1e6).toFixed(1)} µs CPU per chunk (all threads), ${((median(runs.map((r) => r.wall)) / count) * 1e6).toFixed(1)} µs wall; ` +
    `event loop p99 ${f(median(runs.map((r) => r.delay.p99)), 1)} ms`);
}

async function main() {
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0].model}; Node ${process.version}; webcodecs-native on FFmpeg ${buildInfo.ffmpeg} (${buildInfo.flavour}); ` +
    `codec threads: ${process.env.WEBCODECS_THREAD_PRIORITY || 'default priority'}; medians of ${REPEAT} alternating runs`);
  console.log(`CLI: ${spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`);
  const idle = loopDelay();
  await new Promise((r) => setTimeout(r, 1000));
  const idleDelay = idle.stop();
  console.log(`Idle event loop: p50 ${f(idleDelay.p50, 1)} ms, p99 ${f(idleDelay.p99, 1)} ms`);
  try {
    if (ROWS.has('video') || ROWS.has('decode')) {
      const cards = Array.from({ length: 60 }, (_, i) => card(i));
      const raw = path.join(dir, 'input.yuv');
      const fd = fs.openSync(raw, 'w');
      for (let i = 0; i < Math.max(...FRAME_COUNTS); i++) fs.writeSync(fd, cards[i % cards.length]);
      fs.closeSync(fd);
      const streams = await videoRows(cards, raw);
      if (ROWS.has('decode')) await decodeRows(streams);
    }
    if (ROWS.has('audio')) {
      const samples = stereoTones(RATE, SECONDS);
      const raw = path.join(dir, 'input.f32');
      fs.writeFileSync(raw, Buffer.from(samples.buffer));
      await audioRows(samples, raw);
    }
    if (ROWS.has('overhead')) await overheadRow();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
