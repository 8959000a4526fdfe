'use strict';
// Canvas to MP4: frames drawn with @napi-rs/canvas (a Skia canvas for Node),
// made into VideoFrames from their RGBA pixels, encoded to H.264 by
// VideoEncoder and muxed into an MP4 by Mediabunny.
//
//   node examples/canvas-to-mp4.js [--size 640x360] [--seconds 3] [--out examples/out/canvas.mp4]
const fs = require('node:fs');
const path = require('node:path');
const { createCanvas } = require('@napi-rs/canvas');
const { Output, Mp4OutputFormat, FilePathTarget, EncodedVideoPacketSource, EncodedPacket } = require('mediabunny');
const { VideoEncoder, VideoFrame } = require('../lib/polyfill'); // require('webcodecs-native/polyfill') in your project

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const [width, height] = arg('size', '640x360').split('x').map(Number);
const seconds = Number(arg('seconds', 3));
const fps = 30;
const out = path.resolve(arg('out', path.join(__dirname, 'out', 'canvas.mp4')));

/** Frame `i`: a sky gradient, a bouncing ball and the frame number. */
function draw(ctx, i) {
  const sky = ctx.createLinearGradient(0, 0, 0, height);
  sky.addColorStop(0, '#1d3b72');
  sky.addColorStop(1, '#f3a15b');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  const t = i / fps;
  const x = width / 2 + Math.cos(t * 2) * width * 0.35;
  const y = height * 0.75 - Math.abs(Math.sin(t * 3)) * height * 0.5;
  ctx.fillStyle = '#ffd84a';
  ctx.beginPath();
  ctx.arc(x, y, height / 10, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = 'white';
  ctx.font = `${Math.round(height / 12)}px sans-serif`;
  ctx.fillText(`frame ${i}`, 20, height / 8);
}

async function main() {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target: new FilePathTarget(out) });
  const track = new EncodedVideoPacketSource('avc');
  output.addVideoTrack(track, { frameRate: fps });
  await output.start();

  const pending = [];
  let failure = null;
  const encoder = new VideoEncoder({
    // Mediabunny takes each chunk with its metadata (the first carries the avcC).
    output: (chunk, meta) => pending.push(track.add(EncodedPacket.fromEncodedChunk(chunk), meta)),
    error: (e) => { failure = e; },
  });
  encoder.configure({ codec: 'avc1.4d401f', width, height, bitrate: 2_000_000, framerate: fps });

  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const total = Math.round(seconds * fps);
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    draw(ctx, i);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const frame = new VideoFrame(rgba, { format: 'RGBA', codedWidth: width, codedHeight: height, timestamp: Math.round((i * 1e6) / fps), duration: Math.round(1e6 / fps) });
    encoder.encode(frame, { keyFrame: i % (fps * 2) === 0 });
    frame.close();
    // Draw ahead of the encoder by a few frames at most.
    if (encoder.encodeQueueSize > 4) await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
    if (failure) throw failure;
  }
  await encoder.flush();
  encoder.close();
  await Promise.all(pending);
  await output.finalize();
  const s = (performance.now() - t0) / 1000;
  console.log(`${path.relative(process.cwd(), out)}: ${total} frames ${width}x${height} drawn and encoded in ${s.toFixed(2)} s (${(total / s).toFixed(1)} fps), ${(fs.statSync(out).size / 1024).toFixed(0)} KiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
