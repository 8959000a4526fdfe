'use strict';
// Transcode any file Mediabunny reads to MP4 or WebM, with a progress bar
// and the frame rate achieved. The container's extension picks the format
// and the default codecs (MP4: H.264 + AAC; WebM: VP9 + Opus).
//
//   node examples/transcode.js <input> <output.mp4|.webm|.mkv> [--video avc|hevc|vp8|vp9|av1] [--audio aac|opus|mp3|vorbis|flac]
//                              [--width N] [--height N] [--rotate 90|180|270] [--quiet]
//
// --width/--height resize (one of them keeps the aspect ratio; both letterbox
// to fit) and --rotate turns the picture clockwise, through
// webcodecs-native/mediabunny (Mediabunny resizes on a canvas, which Node has not).
const fs = require('node:fs');
const path = require('node:path');
const cliProgress = require('cli-progress');
const mediabunny = require('mediabunny');
require('../lib/polyfill'); // require('webcodecs-native/polyfill') in your project: Mediabunny uses the globals
require('../lib/mediabunny').register(mediabunny); // require('webcodecs-native/mediabunny') in your project

const { Input, Output, Conversion, ALL_FORMATS, FilePathSource, FilePathTarget, Mp4OutputFormat, WebMOutputFormat, MkvOutputFormat } = mediabunny;

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

const CONTAINERS = {
  '.mp4': { format: () => new Mp4OutputFormat(), video: 'avc', audio: 'aac' },
  '.webm': { format: () => new WebMOutputFormat(), video: 'vp9', audio: 'opus' },
  '.mkv': { format: () => new MkvOutputFormat(), video: 'avc', audio: 'aac' },
};

async function main() {
  const [from, to] = process.argv.slice(2);
  const container = to && CONTAINERS[path.extname(to).toLowerCase()];
  if (!from || !container) {
    console.error('usage: node examples/transcode.js <input> <output.mp4|.webm|.mkv> [--video codec] [--audio codec] [--width N] [--height N] [--rotate 90|180|270] [--quiet]');
    process.exit(2);
  }
  const geometry = {};
  for (const name of ['width', 'height', 'rotate']) {
    if (arg(name) !== undefined) geometry[name] = Number(arg(name));
  }
  if (geometry.width && geometry.height) geometry.fit = 'contain';
  fs.mkdirSync(path.dirname(path.resolve(to)), { recursive: true });
  const input = new Input({ source: new FilePathSource(from), formats: ALL_FORMATS });
  const output = new Output({ format: container.format(), target: new FilePathTarget(to) });
  const conversion = await Conversion.init({
    input,
    output,
    video: { codec: arg('video', container.video), forceTranscode: true, ...geometry },
    audio: { codec: arg('audio', container.audio), forceTranscode: true },
  });
  if (!conversion.isValid) {
    throw new Error(`cannot convert: ${conversion.discardedTracks.map((d) => `${d.track.type} track: ${d.reason}`).join('; ')}`);
  }
  const videoTrack = conversion.utilizedTracks.find((t) => t.type === 'video');
  const frames = videoTrack ? (await videoTrack.computePacketStats()).packetCount : 0;
  const bar = new cliProgress.SingleBar({
    format: `${path.basename(from)} → ${path.basename(to)} [{bar}] {percentage}% | {fps} fps | ETA {eta}s`,
    noTTYOutput: !process.argv.includes('--quiet'),
    notTTYSchedule: 1000,
  }, cliProgress.Presets.shades_classic);
  const t0 = performance.now();
  const fps = (progress) => (frames && progress > 0 ? ((frames * progress) / ((performance.now() - t0) / 1000)).toFixed(1) : '-');
  if (!process.argv.includes('--quiet')) bar.start(100, 0, { fps: '-' });
  conversion.onProgress = (progress) => bar.update(Math.round(progress * 100), { fps: fps(progress) });
  await conversion.execute();
  bar.update(100, { fps: fps(1) });
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  const size = fs.statSync(to).size;
  const tracks = conversion.utilizedTracks.map((t) => t.type).join(' + ');
  console.log(`${to}: ${tracks}, ${(size / 1024).toFixed(0)} KiB in ${seconds.toFixed(2)} s` + (frames ? `, ${frames} frames at ${(frames / seconds).toFixed(1)} fps` : ''));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
