'use strict';
// Thumbnails: one picture every N seconds of a video, as JPEG or PNG files.
// Mediabunny reads the container (MP4, WebM, MKV, MOV...), VideoDecoder
// decodes from the key frame before each mark, and sharp scales and writes
// the image from the frame's RGBA pixels.
//
//   node examples/thumbnails.js <video> [--every 2] [--width 320] [--format jpeg|png] [--out examples/out/thumbnails]
const fs = require('node:fs');
const path = require('node:path');
const sharp = require('sharp');
const { Input, ALL_FORMATS, FilePathSource, EncodedPacketSink } = require('mediabunny');
// The polyfill installs the classes as globals, which Mediabunny's packets need.
const { VideoDecoder } = require('../lib/polyfill'); // require('webcodecs-native/polyfill') in your project

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

/** The decoded frame shown at `time` (seconds): decoding runs from the key frame before it. */
async function frameAt(sink, config, time) {
  const key = await sink.getKeyPacket(time, { verifyKeyPackets: true }) ?? (await sink.getFirstPacket());
  // The packet shown at `time`; in decode order, everything it needs comes before it.
  const target = (await sink.getPacket(time)) ?? key;
  let best = null;
  let failure = null;
  const decoder = new VideoDecoder({
    output: (frame) => {
      // Keep the last frame that starts at or before the mark (or the first one after it).
      if (best === null || frame.timestamp <= time * 1e6) {
        best?.close();
        best = frame;
      } else {
        frame.close();
      }
    },
    error: (e) => { failure = e; },
  });
  decoder.configure(config);
  for (let packet = key; packet !== null; packet = await sink.getNextPacket(packet)) {
    decoder.decode(packet.toEncodedVideoChunk());
    if (packet.sequenceNumber >= target.sequenceNumber) break;
  }
  await decoder.flush();
  decoder.close();
  if (failure) throw failure;
  return best;
}

async function main() {
  const file = process.argv[2];
  if (!file || file.startsWith('--')) {
    console.error('usage: node examples/thumbnails.js <video> [--every 2] [--width 320] [--format jpeg|png] [--out dir]');
    process.exit(2);
  }
  const every = Number(arg('every', 2));
  const width = Number(arg('width', 320));
  const format = arg('format', 'jpeg');
  const out = path.resolve(arg('out', path.join(__dirname, 'out', 'thumbnails')));
  fs.mkdirSync(out, { recursive: true });

  const input = new Input({ source: new FilePathSource(file), formats: ALL_FORMATS });
  const track = await input.getPrimaryVideoTrack();
  if (!track) throw new Error(`${file} has no video track`);
  const config = await track.getDecoderConfig();
  const duration = await track.computeDuration();
  const sink = new EncodedPacketSink(track);
  const written = [];
  for (let mark = 0; mark * every < duration; mark++) {
    const time = mark * every;
    const frame = await frameAt(sink, config, time);
    if (!frame) continue;
    // The picture as it is shown (visible area), 8-bit RGBA.
    const { displayWidth, displayHeight } = frame;
    const rgba = new Uint8Array(frame.visibleRect.width * frame.visibleRect.height * 4);
    await frame.copyTo(rgba, { format: 'RGBA' });
    const image = sharp(rgba, { raw: { width: frame.visibleRect.width, height: frame.visibleRect.height, channels: 4 } })
      .resize(width, Math.round((width * displayHeight) / displayWidth), { fit: 'fill' });
    const name = path.join(out, `thumb-${String(Math.round(time * 1000)).padStart(7, '0')}ms.${format === 'png' ? 'png' : 'jpg'}`);
    await (format === 'png' ? image.png() : image.jpeg({ quality: 85 })).toFile(name);
    written.push({ file: path.relative(process.cwd(), name), at: (frame.timestamp / 1e6).toFixed(3) });
    frame.close();
  }
  input.dispose?.();
  for (const w of written) console.log(`${w.file}  (frame at ${w.at} s)`);
  console.log(`${written.length} thumbnails of ${path.basename(file)} (${duration.toFixed(2)} s, ${track.codec}) every ${every} s, ${width} px wide`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
