'use strict';
// End to end, as users convert files: Mediabunny's Conversion on our classes
// against the ffmpeg CLI doing the same transcode with the same encoder
// settings (the bitrates Mediabunny chose, read from our encoders' configs,
// and the options VideoEncoder gives each library; see bench/matrix.js).
// Source: a 10 s 1080p30 H.264 + AAC MP4 (ffmpeg's testsrc2 and a tone).
// Prints wall time, CPU (all threads) and peak RSS of each side; alternating runs, medians;
// and the whole peak RSS of one more conversion in a fresh Node process, to
// set beside the CLI's maxrss.
//
// With --table: every conversion of test/integration/mediabunny.test.js (a
// 2 s 320x240 source) next to the CLI, with frames and PSNR.
//
//   node bench/mediabunny.js [--repeat 3] [--rows vp9,av1,avc,avc720] [--video-bitrate 8000000]
//   node bench/mediabunny.js --table
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const webcodecs = require('../lib/polyfill');
const mediabunny = require('mediabunny');
const { runFfmpeg, AUDIO_CODECS, VIDEO_ENCODER_ARGS } = require('./lib/common');

require('../lib/mediabunny').register(mediabunny);

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const REPEAT = Number(arg('repeat', 3));
// A video bitrate for Mediabunny to use instead of its default quality. It
// picks quantizer mode where VideoEncoder supports it, and H.264 quantizer
// mode is OpenH264's in builds whose x264 takes no per-frame QP (development
// builds on a distribution's FFmpeg), against which the CLI's x264 would be
// another encoder; with a bitrate both sides run x264.
const VIDEO_BITRATE = arg('video-bitrate', null);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-bench-mb-'));
const source = path.join(dir, 'source.mp4');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Mediabunny codec → container, and what the CLI runs for that encoder in
// latencyMode "quality" (Mediabunny's default), as VideoEncoder sets it up.
const ROWS = {
  vp9: { container: 'webm', audio: 'opus', cli: VIDEO_ENCODER_ARGS.vp9.quality },
  av1: { container: 'webm', audio: 'opus', cli: VIDEO_ENCODER_ARGS.av1.quality },
  avc: { container: 'mp4', audio: 'aac', cli: VIDEO_ENCODER_ARGS.avc.quality },
  // Resized to 720p: Mediabunny's transform through webcodecs-native/mediabunny,
  // against the CLI's scale filter (bicubic, its default, as ours).
  avc720: { codec: 'avc', container: 'mp4', audio: 'aac', cli: VIDEO_ENCODER_ARGS.avc.quality, size: [1280, 720] },
  hevc: { cli: VIDEO_ENCODER_ARGS.hevc.quality },
  vp8: { cli: VIDEO_ENCODER_ARGS.vp8.quality },
};
const PCM = { 'pcm-s16': ['-c:a', 'pcm_s16le'], 'pcm-f32': ['-c:a', 'pcm_f32le'], ulaw: ['-c:a', 'pcm_mulaw'] };

/** Our conversion; returns {seconds, peakMB, bitrates}. */
const FORMATS = { webm: 'WebMOutputFormat', mp4: 'Mp4OutputFormat', mkv: 'MkvOutputFormat', ogg: 'OggOutputFormat', mp3: 'Mp3OutputFormat', flac: 'FlacOutputFormat', wav: 'WavOutputFormat' };

async function ours(video, audio, out, from = source, size = null) {
  const { Input, Output, Conversion, ALL_FORMATS, FilePathSource, FilePathTarget } = mediabunny;
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
  const cpu0 = process.cpuUsage();
  try {
    const input = new Input({ source: new FilePathSource(from), formats: ALL_FORMATS });
    const output = new Output({ format: new mediabunny[FORMATS[path.extname(out).slice(1)]](), target: new FilePathTarget(out) });
    const conversion = await Conversion.init({ input, output, video: video ? { codec: video, forceTranscode: true, ...(size ? { width: size[0], height: size[1], fit: 'fill' } : {}), ...(VIDEO_BITRATE ? { bitrate: Number(VIDEO_BITRATE) } : {}) } : { discard: true }, audio: { codec: audio, forceTranscode: true } });
    await conversion.execute();
  } finally {
    clearInterval(sampler);
    encoders.forEach((E, i) => { E.prototype.configure = originals[i]; });
    webcodecs.VideoEncoder.prototype.encode = encode;
  }
  const seconds = (performance.now() - t0) / 1000;
  const { user, system } = process.cpuUsage(cpu0);
  const videoConfig = configs.find((c) => c.width);
  const audioConfig = configs.find((c) => c.sampleRate);
  return { seconds, cpu: (user + system) / 1e6, peakMB: (Math.max(peak, process.memoryUsage.rss()) - base) / 2 ** 20, rssMB: process.memoryUsage.rss() / 2 ** 20, videoConfig, audioConfig, quantizers: [...quantizers] };
}

/** The CLI arguments for what our conversion did (Mediabunny's settings, VideoEncoder's options). */
function cliArgs(video, audio, r, size = null) {
  const args = [];
  if (size) args.push('-vf', `scale=${size[0]}:${size[1]}`);
  if (video) {
    let rate = ['-b:v', String(r.videoConfig.bitrate)];
    if (r.videoConfig.bitrateMode === 'quantizer') {
      if (r.quantizers.length !== 1) throw new Error(`per-frame quantizers vary: ${r.quantizers}`);
      // The library quantizer VideoEncoder applies for Mediabunny's value.
      const q = String(Math.min(63, Math.ceil((r.quantizers[0] & 0xff) / 4)));
      rate = ['-crf', q, '-qmin', q, '-qmax', q, '-b:v', '0'];
    }
    args.push(...VIDEO_ENCODER_ARGS[video].quality, ...rate, '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv');
  } else {
    args.push('-vn');
  }
  if (PCM[audio]) return [...args, ...PCM[audio]];
  const a = AUDIO_CODECS[audio];
  const withoutRate = a.args.filter((x, k, all) => !(x === '-b:a' || all[k - 1] === '-b:a' || x === '-abr' || all[k - 1] === '-abr'));
  return [...args, ...withoutRate, ...(r.audioConfig.bitrate ? ['-b:a', String(r.audioConfig.bitrate)] : [])];
}

function cli(args) {
  // -strict -2 (an output option): FLAC in MP4, which Mediabunny writes, is "experimental" to FFmpeg 5.1.
  const r = runFfmpeg(['-hide_banner', '-nostats', '-benchmark', '-y', ...args.slice(0, -1), '-strict', '-2', args.at(-1)]);
  if (r.status !== 0) throw new Error(r.stderr);
  const wall = Number(/rtime=([\d.]+)s/.exec(r.stderr)[1]);
  const [, utime, stime] = /utime=([\d.]+)s stime=([\d.]+)s/.exec(r.stderr);
  const rss = /maxrss=(\d+)(?:KiB|kB)/.exec(r.stderr);
  return { seconds: wall, cpu: Number(utime) + Number(stime), maxrssMB: rss ? Number(rss[1]) / 1024 : NaN };
}

/** --table: the conversions of test/integration/mediabunny.test.js, each next to the CLI. */
async function table() {
  const { ffmpegPictures, psnr } = require('../test/helpers');
  const small = path.join(dir, 'small.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=2', '-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000:d=2',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac', '-b:a', '128k', '-shortest', '-y', small]);
  const sourcePictures = ffmpegPictures(small, 320, 240);
  const cases = [['mp4', 'avc', 'aac'], ['mp4', 'hevc', 'aac'], ['mp4', 'vp9', 'opus'], ['mp4', 'av1', 'opus'], ['mp4', 'avc', 'mp3'], ['mp4', 'avc', 'flac'],
    ['webm', 'vp8', 'vorbis'], ['webm', 'vp9', 'opus'], ['webm', 'av1', 'opus'], ['mkv', 'avc', 'aac'], ['mkv', 'hevc', 'flac'], ['mkv', 'vp9', 'pcm-s16'],
    ['ogg', null, 'opus'], ['ogg', null, 'vorbis'], ['mp3', null, 'mp3'], ['flac', null, 'flac'], ['wav', null, 'pcm-s16'], ['wav', null, 'pcm-f32'], ['wav', null, 'ulaw']];
  console.log('| container | video | audio | frames | PSNR mean dB | ours s | CLI s | ours / CLI |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [container, video, audio] of cases) {
    if (video === 'hevc' && !webcodecs.buildInfo.encoders.includes('libx265')) continue;
    const out = path.join(dir, `t.${container}`);
    await ours(video, audio, out, small); // warm-up
    const o = [], c = [];
    let last;
    for (let i = 0; i < REPEAT; i++) {
      last = await ours(video, audio, out, small);
      o.push(last.seconds);
      c.push(cli(['-i', small, ...cliArgs(video, audio, last), path.join(dir, `cli.${container}`)]).seconds);
    }
    let frames = '', db = '';
    if (video) {
      const pictures = ffmpegPictures(out, 320, 240);
      frames = String(pictures.length);
      db = (pictures.reduce((sum, p, i) => sum + psnr(p, sourcePictures[i]), 0) / pictures.length).toFixed(1);
    }
    const [os_, cs] = [median(o), median(c)];
    console.log(`| ${container} | ${video ?? ''} | ${audio} | ${frames} | ${db} | ${os_.toFixed(3)} | ${cs.toFixed(3)} | ${(os_ / cs).toFixed(2)} |`);
  }
}

/** The peak RSS (VmHWM) of this whole process so far, in MB: what the CLI's -benchmark maxrss reports. */
function highWaterMB() {
  const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return kb ? Number(kb[1]) / 1024 : NaN;
}

/**
 * One conversion in a fresh Node process, which prints its whole peak RSS:
 * the figure to set beside the CLI's, whose process also starts from
 * nothing (the in-process runs give the growth above a start that earlier
 * runs have warmed).
 */
function freshPeakMB(video, audio, out, size) {
  const args = [__filename, '--once', JSON.stringify({ video, audio, out, size }), ...(VIDEO_BITRATE ? ['--video-bitrate', VIDEO_BITRATE] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })).peakMB;
}

async function main() {
  const once = arg('once', null);
  if (once) {
    fs.rmSync(dir, { recursive: true, force: true });
    const { video, audio, out, size } = JSON.parse(once);
    await ours(video, audio, out, path.join(path.dirname(out), 'source.mp4'), size);
    console.log(JSON.stringify({ peakMB: highWaterMB() }));
    return;
  }
  if (process.argv.includes('--table')) {
    try {
      await table();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1920x1080:r=30:d=10', '-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000:d=10',
    '-c:v', 'libx264', '-preset', 'fast', '-pix_fmt', 'yuv420p', '-g', '60', '-b:v', '8M', '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-shortest', '-y', source]);
  console.log(`Machine: ${os.cpus().length} CPUs; Node ${process.version}; webcodecs-native on FFmpeg ${webcodecs.buildInfo.ffmpeg} (${webcodecs.buildInfo.flavour}); medians of ${REPEAT}`);
  console.log('Source: 10 s 1920x1080 30 fps H.264 + AAC stereo 48 kHz; the whole conversion, demuxing and muxing included');
  const rows = arg('rows', 'vp9,av1,avc,avc720').split(',');
  try {
    for (const name of rows) {
      const row = ROWS[name];
      const video = row.codec ?? name;
      const audio = row.audio;
      const out = path.join(dir, `ours.${row.container}`);
      await ours(video, audio, out, source, row.size); // warm-up (first opens, pools)
      const o = [], c = [];
      let settings;
      for (let i = 0; i < REPEAT; i++) {
        const r = await ours(video, audio, out, source, row.size);
        settings = r;
        o.push(r);
        c.push(cli(['-i', source, ...cliArgs(video, audio, r, row.size), path.join(dir, `cli.${row.container}`)]));
      }
      const [os_, cs] = [median(o.map((r) => r.seconds)), median(c.map((r) => r.seconds))];
      const [oc, cc] = [median(o.map((r) => r.cpu)), median(c.map((r) => r.cpu))];
      const fresh = freshPeakMB(video, audio, out, row.size);
      console.log(`${video}${row.size ? ` ${row.size.join('x')}` : ''} + ${audio} in ${row.container.toUpperCase()}: ours ${os_.toFixed(2)} s, CLI ${cs.toFixed(2)} s, ratio ${(os_ / cs).toFixed(3)}; ` +
        `CPU ours ${oc.toFixed(2)} s, CLI ${cc.toFixed(2)} s, ratio ${(oc / cc).toFixed(3)}; ` +
        `peak RSS ours +${median(o.map((r) => r.peakMB)).toFixed(0)} MB (process ${median(o.map((r) => r.rssMB)).toFixed(0)} MB; a fresh process's whole peak ${fresh.toFixed(0)} MB), CLI ${median(c.map((r) => r.maxrssMB)).toFixed(0)} MB; ` +
        `Mediabunny's settings: ${settings.videoConfig.codec} ${settings.videoConfig.bitrateMode === 'quantizer' ? `quantizer ${settings.quantizers}` : `${(settings.videoConfig.bitrate / 1e6).toFixed(1)} Mbit/s`} ` +
        `${settings.videoConfig.latencyMode ?? 'quality'}, ${settings.audioConfig.codec} ${settings.audioConfig.bitrate / 1000} kbit/s` +
        (video === 'avc' && settings.videoConfig.bitrateMode === 'quantizer' ? ' (H.264 quantizer mode may be OpenH264 here, against the CLI\'s x264: compare with --video-bitrate)' : ''));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
