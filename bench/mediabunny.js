'use strict';
// End to end, as users convert files: Mediabunny's Conversion on our classes
// against the ffmpeg CLI doing the same transcode with the same encoder
// settings (the bitrates Mediabunny chose, read from our encoders' configs,
// and the options VideoEncoder gives each library; see bench/matrix.js).
// Source: a 10 s 1080p30 H.264 + AAC MP4 (ffmpeg's testsrc2 and a tone).
// Prints wall time and peak RSS of each side; alternating runs, medians.
//
//   node bench/mediabunny.js [--repeat 3] [--rows vp9,av1,avc]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');
const webcodecs = require('../lib/polyfill');
const mediabunny = require('mediabunny');
const { AUDIO_CODECS } = require('./lib/common');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const REPEAT = Number(arg('repeat', 3));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-bench-mb-'));
const source = path.join(dir, 'source.mp4');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Mediabunny codec → container, and what the CLI runs for that encoder in
// latencyMode "quality" (Mediabunny's default), as VideoEncoder sets it up.
const threads = String(Math.min(4, os.cpus().length));
const ROWS = {
  vp9: { container: 'webm', audio: 'opus', cli: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '5', '-lag-in-frames', '0', '-auto-alt-ref', '0', '-row-mt', '1'] },
  av1: { container: 'webm', audio: 'opus', cli: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '7', '-lag-in-frames', '0', '-row-mt', '1'] },
  avc: { container: 'mp4', audio: 'aac', cli: ['-c:v', 'libx264', '-preset', 'medium', '-rc-lookahead', '3', '-x264-params', 'sync-lookahead=0', '-threads', threads, '-forced-idr', '1', '-bf', '0'] },
};

/** Our conversion; returns {seconds, peakMB, bitrates}. */
async function ours(video, audio, out) {
  const { Input, Output, Conversion, ALL_FORMATS, FilePathSource, FilePathTarget, WebMOutputFormat, Mp4OutputFormat } = mediabunny;
  // What Mediabunny asks of our encoders (for the CLI's settings).
  const configs = [];
  const quantizers = new Set();
  const encoders = [webcodecs.VideoEncoder, webcodecs.AudioEncoder];
  const originals = encoders.map((E) => E.prototype.configure);
  const encode = webcodecs.VideoEncoder.prototype.encode;
  encoders.forEach((E, i) => {
    E.prototype.configure = function configure(config) {
      configs.push(config);
      return originals[i].call(this, config);
    };
  });
  webcodecs.VideoEncoder.prototype.encode = function encodeFrame(frame, options) {
    const q = options?.vp9?.quantizer ?? options?.av1?.quantizer ?? options?.avc?.quantizer;
    if (q !== undefined) quantizers.add(q);
    return encode.call(this, frame, options);
  };
  const base = process.memoryUsage.rss();
  let peak = base;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 10);
  const t0 = performance.now();
  try {
    const input = new Input({ source: new FilePathSource(source), formats: ALL_FORMATS });
    const output = new Output({ format: ROWS[video].container === 'webm' ? new WebMOutputFormat() : new Mp4OutputFormat(), target: new FilePathTarget(out) });
    const conversion = await Conversion.init({ input, output, video: { codec: video, forceTranscode: true }, audio: { codec: audio, forceTranscode: true } });
    await conversion.execute();
  } finally {
    clearInterval(sampler);
    encoders.forEach((E, i) => { E.prototype.configure = originals[i]; });
    webcodecs.VideoEncoder.prototype.encode = encode;
  }
  const seconds = (performance.now() - t0) / 1000;
  const videoConfig = configs.find((c) => c.width);
  const audioConfig = configs.find((c) => c.sampleRate);
  return { seconds, peakMB: (Math.max(peak, process.memoryUsage.rss()) - base) / 2 ** 20, rssMB: process.memoryUsage.rss() / 2 ** 20, videoConfig, audioConfig, quantizers: [...quantizers] };
}

function cli(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-benchmark', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const wall = Number(/rtime=([\d.]+)s/.exec(r.stderr)[1]);
  const rss = /maxrss=(\d+)(?:KiB|kB)/.exec(r.stderr);
  return { seconds: wall, maxrssMB: rss ? Number(rss[1]) / 1024 : NaN };
}

async function main() {
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1920x1080:r=30:d=10', '-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000:d=10',
    '-c:v', 'libx264', '-preset', 'fast', '-pix_fmt', 'yuv420p', '-g', '60', '-b:v', '8M', '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-shortest', '-y', source]);
  console.log(`Machine: ${os.cpus().length} CPUs; Node ${process.version}; webcodecs-native on FFmpeg ${webcodecs.buildInfo.ffmpeg} (${webcodecs.buildInfo.flavour}); medians of ${REPEAT}`);
  console.log('Source: 10 s 1920x1080 30 fps H.264 + AAC stereo 48 kHz; the whole conversion, demuxing and muxing included');
  const rows = arg('rows', 'vp9,av1,avc').split(',');
  try {
    for (const video of rows) {
      const row = ROWS[video];
      const audio = row.audio;
      const out = path.join(dir, `ours.${row.container}`);
      await ours(video, audio, out); // warm-up (first opens, pools)
      const o = [], c = [];
      let settings;
      for (let i = 0; i < REPEAT; i++) {
        const r = await ours(video, audio, out);
        settings = r;
        o.push(r);
        const a = AUDIO_CODECS[audio === 'aac' ? 'aac' : audio];
        const audioArgs = [...a.args.filter((x, k, all) => !(x === '-b:a' || all[k - 1] === '-b:a')), '-b:a', String(r.audioConfig.bitrate)];
        // Quantizer mode (what Mediabunny picks where the encoder has it):
        // the library quantizer VideoEncoder applies for Mediabunny's value.
        let rate = ['-b:v', String(r.videoConfig.bitrate)];
        if (r.videoConfig.bitrateMode === 'quantizer') {
          if (r.quantizers.length !== 1) throw new Error(`per-frame quantizers vary: ${r.quantizers}`);
          const q = String(Math.min(63, Math.ceil((r.quantizers[0] & 0xff) / 4)));
          rate = ['-crf', q, '-qmin', q, '-qmax', q, '-b:v', '0'];
        }
        c.push(cli(['-i', source, ...row.cli, ...rate, '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
          ...audioArgs.filter((x) => x !== '-abr' && x !== '1'), path.join(dir, `cli.${row.container}`)]));
      }
      const [os_, cs] = [median(o.map((r) => r.seconds)), median(c.map((r) => r.seconds))];
      console.log(`${video} + ${audio} in ${row.container.toUpperCase()}: ours ${os_.toFixed(2)} s, CLI ${cs.toFixed(2)} s, ratio ${(os_ / cs).toFixed(3)}; ` +
        `peak RSS ours +${median(o.map((r) => r.peakMB)).toFixed(0)} MB (process ${median(o.map((r) => r.rssMB)).toFixed(0)} MB), CLI ${median(c.map((r) => r.maxrssMB)).toFixed(0)} MB; ` +
        `Mediabunny's settings: ${settings.videoConfig.codec} ${settings.videoConfig.bitrateMode === 'quantizer' ? `quantizer ${settings.quantizers}` : `${(settings.videoConfig.bitrate / 1e6).toFixed(1)} Mbit/s`} ` +
        `${settings.videoConfig.latencyMode ?? 'quality'}, ${settings.audioConfig.codec} ${settings.audioConfig.bitrate / 1000} kbit/s`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
