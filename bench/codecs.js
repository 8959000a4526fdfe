'use strict';
// VP8, VP9, AV1 and HEVC against the ffmpeg CLI on the same work: 150 frames
// of 1280x720 I420 at 2.5 Mbit/s, 30 fps, encoded with the settings
// VideoEncoder uses in latencyMode "quality" (listed per codec below), then
// decoded back (ours: decode + copyTo of every frame; ffmpeg: `-f null`).
//
// The -q rows encode in bitrateMode "quantizer" at one quantizer instead.
//
// Each encode runs ROUNDS times (3; BENCH_ROUNDS=n), ours and the CLI's
// alternating, and the medians are compared: one run on a shared VM swings
// by ±15 %.
//
//   node bench/codecs.js [vp8|vp9|av1|vp8-l1t3|vp9-l1t3|vp9-q|av1-q|hevc|hevc-q ...]     (default: all the build has)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { VideoEncoder, VideoDecoder, VideoFrame, buildInfo } = require('..');
const { writeIvf } = require('../test/helpers');
const { timeCommand } = require('./lib/common');

const W = 1280;
const H = 720;
const FPS = 30;
const FRAMES = 150;
const BITRATE = 2_500_000;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Our codec string, and the ffmpeg arguments that do what VideoEncoder does with it.
const CODECS = {
  vp8: { codec: 'vp8', encoder: 'libvpx', file: 'ivf', fourcc: 'VP80', args: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '-6', '-lag-in-frames', '0', '-auto-alt-ref', '0'] },
  vp9: { codec: 'vp09.00.31.08', encoder: 'libvpx-vp9', file: 'ivf', fourcc: 'VP90', args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '5', '-lag-in-frames', '0', '-auto-alt-ref', '0', '-row-mt', '1'] },
  av1: { codec: 'av01.0.05M.08', encoder: 'libaom-av1', file: 'ivf', fourcc: 'AV01', args: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '7', '-lag-in-frames', '0', '-row-mt', '1'] },
  // Temporal SVC (L1T3): libvpx's temporal layers with the CLI's built-in
  // three-layer pattern (ts_layering_mode 3: the same layer ids and buffers;
  // ours sets the reference flags per frame, and VP9 adds error-resilient
  // frames and the quantizer bounds VideoEncoder gives it).
  'vp8-l1t3': { codec: 'vp8', mode: 'L1T3', encoder: 'libvpx', file: 'ivf', fourcc: 'VP80', args: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '-6', '-lag-in-frames', '0', '-auto-alt-ref', '0',
    '-ts-parameters', 'ts_number_layers=3:ts_target_bitrate=1000,1500,2500:ts_layering_mode=3'] },
  'vp9-l1t3': { codec: 'vp09.00.31.08', mode: 'L1T3', encoder: 'libvpx-vp9', file: 'ivf', fourcc: 'VP90', args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '5', '-lag-in-frames', '0', '-auto-alt-ref', '0', '-row-mt', '1',
    '-error-resilient', 'default', '-qmin', '2', '-qmax', '56', '-ts-parameters', 'ts_number_layers=3:ts_target_bitrate=1000,1500,2500:ts_layering_mode=3'] },
  // bitrateMode "quantizer": every frame at quantizer 128 (libvpx/libaom
  // quantizer 32, qindex 128); the CLI pins the same bounds for every frame.
  'vp9-q': { codec: 'vp09.00.31.08', quantizer: 128, encoder: 'libvpx-vp9', file: 'ivf', fourcc: 'VP90', args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '5', '-lag-in-frames', '0', '-auto-alt-ref', '0', '-row-mt', '1',
    '-crf', '32', '-qmin', '32', '-qmax', '32', '-b:v', '0'] },
  'av1-q': { codec: 'av01.0.05M.08', quantizer: 128, encoder: 'libaom-av1', file: 'ivf', fourcc: 'AV01', args: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '7', '-lag-in-frames', '0', '-row-mt', '1',
    '-crf', '32', '-qmin', '32', '-qmax', '32', '-b:v', '0'] },
  hevc: { codec: 'hev1.1.6.L93.B0', encoder: 'libx265', file: 'hevc', args: ['-c:v', 'libx265', '-preset', 'medium', '-forced-idr', '1', '-x265-params', 'log-level=error:bframes=0'] },
  // HEVC at QP 32 on every frame: constant QP with adaptive quantisation and
  // CU-tree off, the look-ahead and frame threads of latencyMode "quality"
  // (development builds call x265 directly; the CLI goes through FFmpeg, with
  // ipratio=1 so that its constant-QP mode codes I frames at 32 too).
  'hevc-q': { codec: 'hev1.1.6.L93.B0', quantizer: 32, key: 'hevc', encoder: 'libx265', file: 'hevc', args: ['-c:v', 'libx265', '-preset', 'medium', '-forced-idr', '1', '-qp', '32',
    '-x265-params', `log-level=error:bframes=0:rc-lookahead=2:frame-threads=${Math.min(3, os.cpus().length)}:aq-mode=0:cutree=0:ipratio=1`] },
};

function card(i) {
  const buf = Buffer.alloc((W * H * 3) / 2);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) buf[y * W + x] = 16 + ((x + y + i * 5) % 200) + (Math.abs(x - i * 20) < 40 ? 19 : 0);
  buf.fill(128 + (i % 16), W * H);
  return buf;
}

const fmt = (n, digits = 1) => n.toFixed(digits);
const seconds = (t0) => (performance.now() - t0) / 1000;
const timeCommandSeconds = (cmd, args) => timeCommand(cmd, args) / 1000;

/** Each packet's MD5 as FFmpeg reads the stream (the containers' own headers left out). */
function packetHashes(file) {
  const lines = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n');
  return lines.filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop().trim());
}

async function encode(config, cards, options = {}) {
  const chunks = [];
  let decoderConfig;
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure(config);
  const t0 = performance.now();
  for (let i = 0; i < cards.length; i++) {
    const f = new VideoFrame(cards[i], { format: 'I420', codedWidth: W, codedHeight: H, timestamp: Math.round((i * 1e6) / FPS) });
    encoder.encode(f, options);
    f.close();
    if (encoder.encodeQueueSize >= 16) await new Promise((r) => encoder.addEventListener('dequeue', r, { once: true }));
  }
  await encoder.flush();
  const s = seconds(t0);
  encoder.close();
  return { chunks, decoderConfig, s };
}

async function decode(decoderConfig, chunks) {
  let frames = 0;
  const decoder = new VideoDecoder({
    output(f) {
      const out = new Uint8Array(f.allocationSize());
      f.copyTo(out);
      f.close();
      frames++;
    },
    error: (e) => { throw e; },
  });
  decoder.configure(decoderConfig);
  const t0 = performance.now();
  for (const c of chunks) {
    decoder.decode(c);
    if (decoder.decodeQueueSize >= 16) await new Promise((r) => decoder.addEventListener('dequeue', r, { once: true }));
  }
  await decoder.flush();
  const s = seconds(t0);
  decoder.close();
  return { frames, s };
}

async function main() {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CODECS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-bench-'));
  const cards = Array.from({ length: FRAMES }, (_, i) => card(i));
  const raw = path.join(dir, 'input.yuv');
  fs.writeFileSync(raw, Buffer.concat(cards));
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0].model}; Node ${process.version}; webcodecs-native on FFmpeg ${buildInfo.ffmpeg} (${buildInfo.flavour})`);
  console.log(`CLI: ${execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0]}`);
  console.log(`Task: ${FRAMES} frames ${W}x${H} I420, ${BITRATE / 1e6} Mbit/s, ${FPS} fps, latencyMode "quality"\n`);
  for (const name of wanted) {
    const c = CODECS[name];
    if (!buildInfo.encoders.includes(c.encoder)) {
      console.log(`${name.padEnd(5)} no ${c.encoder} in this build`);
      continue;
    }
    const config = { codec: c.codec, width: W, height: H, bitrate: BITRATE, framerate: FPS, scalabilityMode: c.mode };
    if (c.file === 'hevc') config.hevc = { format: 'annexb' };
    let options = {};
    if (c.quantizer !== undefined) {
      config.bitrateMode = 'quantizer';
      options = { [c.key ?? (c.codec.startsWith('vp09') ? 'vp9' : 'av1')]: { quantizer: c.quantizer } };
    }
    await encode(config, cards.slice(0, 10), options); // warm-up
    const oursTimes = [];
    const cliTimes = [];
    let ours;
    for (let round = 0; round < ROUNDS; round++) {
      ours = await encode(config, cards, options);
      oursTimes.push(ours.s);
      cliTimes.push(timeCommandSeconds('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-r', String(FPS), '-i', raw,
        ...c.args, ...(c.quantizer === undefined ? ['-b:v', String(BITRATE)] : []), '-y', path.join(dir, `cli.${c.file}`)]));
    }
    ours.s = median(oursTimes);
    const cli = median(cliTimes);
    const stream = path.join(dir, `ours.${c.file}`);
    if (c.file === 'ivf') writeIvf(stream, c.fourcc, W, H, ours.chunks);
    else fs.writeFileSync(stream, Buffer.concat(ours.chunks.map((k) => { const b = Buffer.alloc(k.byteLength); k.copyTo(b); return b; })));
    const dec = await decode(ours.decoderConfig, ours.chunks);
    if (dec.frames !== FRAMES) throw new Error(`${name}: decoded ${dec.frames} of ${FRAMES} frames`);
    const cliDec = timeCommandSeconds('ffmpeg', ['-v', 'error', '-i', stream, '-f', 'null', '-']);
    const [ef, cf, df, cdf] = [FRAMES / ours.s, FRAMES / cli, FRAMES / dec.s, FRAMES / cliDec];
    // Same settings, same packets (a key frame's colour tags aside: ours says BT.709, the CLI's nothing).
    const [mine, theirs] = [packetHashes(stream), packetHashes(path.join(dir, `cli.${c.file}`))];
    const same = `${mine.filter((h, i) => h === theirs[i]).length}/${theirs.length} packets as the CLI's`;
    console.log(`${name.padEnd(8)} (${same}) encode ours ${fmt(ef)} fps, CLI ${fmt(cf)} fps, ratio ${fmt(ef / cf, 3)}; ` +
      `decode+copyTo ours ${fmt(df)} fps, CLI -f null ${fmt(cdf)} fps, ratio ${fmt(df / cdf, 3)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
