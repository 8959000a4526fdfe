'use strict';
// H.264 benchmark: webcodecs-native against the ffmpeg CLI on the same work.
//
// Task: 300 frames of 1280x720 I420 (a moving test card), encoded with
// libx264 preset medium, High profile, level 3.1, 2.5 Mbit/s ABR, no B-frames,
// 30 fps, rc-lookahead 3, sync-lookahead 0, at most 3 frame threads (the
// bounded delay of latencyMode "quality") — the settings VideoEncoder uses for
// {codec: 'avc1.64001f', bitrate: 2_500_000, framerate: 30} — then decoded
// back (ours: decode + copyTo of every frame; ffmpeg: `-f null`).
// Also: event-loop delay while encoding, and peak RSS of a pipelined
// encode→decode run at 300 and at 3000 frames (flat = no leak).
//
//   node bench/h264.js              full report
//   node bench/h264.js --pipeline N (internal) one pipelined run, prints {frames, maxRssMiB}
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { timeCommand } = require('./lib/common');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { VideoEncoder, VideoDecoder, VideoFrame, EncodedVideoChunk, buildInfo } = require('..');

const W = 1280;
const H = 720;
const FPS = 30;
const BITRATE = 2_500_000;
const CONFIG = { codec: 'avc1.64001f', width: W, height: H, bitrate: BITRATE, framerate: FPS, avc: { format: 'annexb' } };
const CARDS = 60;
const QUEUE = Number(process.env.BENCH_QUEUE || 16);

function card(i) {
  const buf = Buffer.alloc((W * H * 3) / 2);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) buf[y * W + x] = 16 + ((x + y + i * 5) % 200) + (Math.abs(x - i * 20) < 40 ? 19 : 0);
  buf.fill(128 + (i % 16), W * H);
  return buf;
}
let cards;
const cardFor = (i) => (cards ??= Array.from({ length: CARDS }, (_, k) => card(k)))[i % CARDS];
const makeFrame = (i) => new VideoFrame(cardFor(i), { format: 'I420', codedWidth: W, codedHeight: H, timestamp: Math.round((i * 1e6) / FPS), duration: Math.round(1e6 / FPS) });

const untilDequeue = (codec) => new Promise((r) => codec.addEventListener('dequeue', r, { once: true }));

/** Encodes `frames` test cards, keeping at most QUEUE frames queued, then flushes. */
async function feed(encoder, frames) {
  for (let i = 0; i < frames; i++) {
    const f = makeFrame(i);
    encoder.encode(f);
    f.close();
    if (encoder.encodeQueueSize >= QUEUE) await untilDequeue(encoder);
  }
  await encoder.flush();
}

async function encodeOurs(frames) {
  const chunks = [];
  const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: (e) => { throw e; } });
  encoder.configure(CONFIG);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const t0 = performance.now();
  await feed(encoder, frames);
  const ms = performance.now() - t0;
  delay.disable();
  encoder.close();
  return { chunks, ms, delay };
}

async function decodeOurs(chunks) {
  let copied = 0;
  const buffer = new Uint8Array((W * H * 3) / 2);
  const decoder = new VideoDecoder({
    output: (f) => {
      f.copyTo(buffer);
      f.close();
      copied++;
    },
    error: (e) => { throw e; },
  });
  decoder.configure({ codec: CONFIG.codec });
  const t0 = performance.now();
  for (const c of chunks) {
    decoder.decode(c);
    if (decoder.decodeQueueSize >= QUEUE) await untilDequeue(decoder);
  }
  await decoder.flush();
  const ms = performance.now() - t0;
  decoder.close();
  return { frames: copied, ms };
}


/** One pipelined run (encode → decode → copyTo → close, nothing retained); reports peak RSS. */
async function pipeline(frames) {
  const buffer = new Uint8Array((W * H * 3) / 2);
  let decoded = 0;
  const decoder = new VideoDecoder({ output: (f) => { f.copyTo(buffer); f.close(); decoded++; }, error: (e) => { throw e; } });
  decoder.configure({ codec: CONFIG.codec });
  const encoder = new VideoEncoder({ output: (c) => decoder.decode(c), error: (e) => { throw e; } });
  encoder.configure(CONFIG);
  await feed(encoder, frames);
  await decoder.flush();
  console.log(JSON.stringify({ frames: decoded, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

const fmt = (n, d = 1) => n.toFixed(d);

async function main() {
  const pipelineArg = process.argv.indexOf('--pipeline');
  if (pipelineArg > 0) return pipeline(Number(process.argv[pipelineArg + 1]));

  const frames = 300;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-bench-'));
  const raw = path.join(dir, 'input.yuv');
  const fd = fs.openSync(raw, 'w');
  for (let i = 0; i < frames; i++) fs.writeSync(fd, cardFor(i));
  fs.closeSync(fd);
  const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0];
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0].model}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.platform()} ${os.release()}`);
  console.log(`Node ${process.version}; webcodecs-native on FFmpeg ${buildInfo.ffmpeg} (${buildInfo.flavour}); CLI: ${ffmpegVersion}`);
  console.log(`Task: ${frames} frames ${W}x${H} I420 → H.264 (libx264 medium, High@3.1, ${BITRATE / 1e6} Mbit/s, no B-frames, ${FPS} fps)\n`);

  // Warm-up (first encoder open, page cache, JIT).
  await encodeOurs(30);

  const ours = await encodeOurs(frames);
  const ourStream = path.join(dir, 'ours.h264');
  fs.writeFileSync(ourStream, Buffer.concat(ours.chunks.map((c) => { const b = Buffer.alloc(c.byteLength); c.copyTo(b); return b; })));
  const cliEncodeMs = timeCommand('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-r', String(FPS), '-i', raw,
    '-c:v', 'libx264', '-preset', 'medium', '-profile:v', 'high', '-level', '3.1', '-b:v', String(BITRATE), '-bf', '0', '-forced-idr', '1',
    '-rc-lookahead', '3', '-x264-params', 'sync-lookahead=0', '-threads', String(Math.min(os.availableParallelism?.() ?? os.cpus().length, 3)),
    '-f', 'h264', '-y', path.join(dir, 'cli.h264')]);
  const ourFps = frames / (ours.ms / 1000);
  const cliFps = frames / (cliEncodeMs / 1000);
  const ms = (ns) => ns / 1e6;
  console.log(`encode   webcodecs-native ${fmt(ourFps)} fps   ffmpeg CLI ${fmt(cliFps)} fps   ratio ${fmt(ourFps / cliFps, 3)}`);
  console.log(`         event-loop delay while encoding: p50 ${fmt(ms(ours.delay.percentile(50)), 2)} ms, p99 ${fmt(ms(ours.delay.percentile(99)), 2)} ms, max ${fmt(ms(ours.delay.max), 2)} ms`);

  const dec = await decodeOurs(ours.chunks);
  if (dec.frames !== frames) throw new Error(`decoded ${dec.frames} of ${frames} frames`);
  const cliDecodeMs = timeCommand('ffmpeg', ['-v', 'error', '-i', ourStream, '-f', 'null', '-']);
  const ourDecFps = frames / (dec.ms / 1000);
  const cliDecFps = frames / (cliDecodeMs / 1000);
  console.log(`decode   webcodecs-native ${fmt(ourDecFps)} fps (with copyTo)   ffmpeg -f null ${fmt(cliDecFps)} fps   ratio ${fmt(ourDecFps / cliDecFps, 3)}`);

  const rss = [300, 3000].map((n) => JSON.parse(execFileSync(process.execPath, [__filename, '--pipeline', String(n)], { encoding: 'utf8' }).trim()));
  console.log(`peak RSS (pipelined encode→decode): ${rss.map((r) => `${r.frames} frames ${fmt(r.maxRssMiB)} MiB`).join(', ')}; ` +
    `3000/300 = ${fmt(rss[1].maxRssMiB / rss[0].maxRssMiB, 3)}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
