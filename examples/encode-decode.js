'use strict';
// The main job in miniature: generate a clip, encode it to H.264 with
// VideoEncoder, write an MP4 that ffprobe and players accept, decode it back
// with VideoDecoder, and report frames, speed and quality (PSNR); then the
// same round trip in memory for VP8, VP9, AV1 and HEVC; then audio: a chord
// encoded to Opus, AAC (written as examples/out/demo.aac, an ADTS file any
// player opens), MP3, Vorbis and FLAC, decoded back and compared; and images:
// a JPEG, an animated PNG, GIF and WebP and an AVIF decoded with ImageDecoder,
// streamed from their files.
//
//   node examples/encode-decode.js [--size 1280x720] [--frames 150] [--out examples/out/demo.mp4]
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Readable } = require('node:stream');
const { VideoEncoder, VideoDecoder, VideoFrame, EncodedVideoChunk, AudioEncoder, AudioDecoder, AudioData, ImageDecoder, buildInfo } = require('..');
const { writeMp4 } = require('./lib/mp4');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const [width, height] = arg('size', '1280x720').split('x').map(Number);
const frameCount = Number(arg('frames', 150));
const fps = 30;
const out = path.resolve(arg('out', path.join(__dirname, 'out', 'demo.mp4')));

/** A moving test card: gradient, colour bars and a white box crossing the picture. */
function testCard(i) {
  const y = new Uint8Array(width * height);
  const u = new Uint8Array((width / 2) * (height / 2));
  const v = new Uint8Array((width / 2) * (height / 2));
  const box = { x: Math.round((i * 8) % width), y: height >> 2, size: height >> 3 };
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const inBox = col >= box.x && col < box.x + box.size && row >= box.y && row < box.y + box.size;
      y[row * width + col] = inBox ? 235 : 16 + ((col + row + i * 3) % 200);
    }
  }
  for (let row = 0; row < height / 2; row++) {
    for (let col = 0; col < width / 2; col++) {
      const bar = Math.floor((col * 8) / (width / 2));
      u[row * (width / 2) + col] = 40 + bar * 22;
      v[row * (width / 2) + col] = 220 - bar * 22 + ((row + i) % 8);
    }
  }
  return Buffer.concat([y, u, v]);
}

function psnr(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum === 0 ? 99 : 10 * Math.log10((255 * 255 * a.length) / sum);
}

async function main() {
  console.log(`webcodecs-native demo — FFmpeg ${buildInfo.ffmpeg} (${buildInfo.flavour}), Node ${process.version}`);
  console.log(`Generating ${frameCount} frames of ${width}x${height} I420 at ${fps} fps`);
  const cards = Array.from({ length: frameCount }, (_, i) => testCard(i));

  // Encode.
  const samples = [];
  let decoderConfig;
  const encoder = new VideoEncoder({
    output(chunk, metadata) {
      if (metadata.decoderConfig) decoderConfig = metadata.decoderConfig;
      const data = Buffer.alloc(chunk.byteLength);
      chunk.copyTo(data);
      samples.push({ data, timestamp: chunk.timestamp, duration: chunk.duration, key: chunk.type === 'key' });
    },
    error(e) {
      console.error('encoder error:', e);
      process.exitCode = 1;
    },
  });
  const config = { codec: 'avc1.64001f', width, height, bitrate: Math.round(width * height * fps * 0.1), framerate: fps };
  const support = await VideoEncoder.isConfigSupported(config);
  if (!support.supported) throw new Error(`encoder config not supported: ${JSON.stringify(config)}`);
  encoder.configure(config);
  let t0 = performance.now();
  for (let i = 0; i < frameCount; i++) {
    const frame = new VideoFrame(cards[i], { format: 'I420', codedWidth: width, codedHeight: height, timestamp: Math.round((i * 1e6) / fps), duration: Math.round(1e6 / fps) });
    encoder.encode(frame, { keyFrame: i % 60 === 0 });
    frame.close();
    // Back-pressure: let the codec thread keep up instead of queueing everything.
    if (encoder.encodeQueueSize > 8) await new Promise((r) => encoder.addEventListener('dequeue', r, { once: true }));
  }
  await encoder.flush();
  encoder.close();
  const encodeMs = performance.now() - t0;
  const bytes = samples.reduce((a, s) => a + s.data.length, 0);
  console.log(`Encoded ${samples.length} chunks (${samples.filter((s) => s.key).length} key) with ${decoderConfig.codec}: ` +
    `${(bytes / 1024).toFixed(1)} KiB, ${((bytes * 8 * fps) / samples.length / 1000).toFixed(0)} kbit/s, ${(frameCount / (encodeMs / 1000)).toFixed(1)} fps`);

  // Write an MP4.
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, writeMp4({ width, height, description: decoderConfig.description }, samples));
  console.log(`Wrote ${out}`);
  try {
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', out]));
    const s = probe.streams[0];
    console.log(`ffprobe: ${probe.format.format_name}, ${s.codec_name} ${s.profile} ${s.width}x${s.height}, ${s.nb_read_frames} frames, ${Number(probe.format.duration).toFixed(2)} s`);
  } catch (e) {
    console.log(`ffprobe not available or failed: ${e.message.split('\n')[0]}`);
  }

  // Decode what we wrote and compare with the source.
  const scores = [];
  const pending = [];
  const decoder = new VideoDecoder({
    output(frame) {
      const i = Math.round((frame.timestamp * fps) / 1e6);
      const pixels = new Uint8Array(frame.allocationSize());
      pending.push(frame.copyTo(pixels).then(() => scores.push(psnr(pixels, cards[i]))).finally(() => frame.close()));
    },
    error(e) {
      console.error('decoder error:', e);
      process.exitCode = 1;
    },
  });
  decoder.configure(decoderConfig);
  t0 = performance.now();
  for (const s of samples) {
    decoder.decode(new EncodedVideoChunk({ type: s.key ? 'key' : 'delta', timestamp: s.timestamp, duration: s.duration, data: s.data }));
  }
  await decoder.flush();
  await Promise.all(pending);
  decoder.close();
  const decodeMs = performance.now() - t0;
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  console.log(`Decoded ${scores.length} frames at ${(scores.length / (decodeMs / 1000)).toFixed(1)} fps; ` +
    `PSNR mean ${mean.toFixed(2)} dB, min ${Math.min(...scores).toFixed(2)} dB`);
  if (scores.length !== frameCount || mean < 30) process.exitCode = 1;

  // The other video codecs, real-time mode, in memory.
  const n = Math.min(frameCount, 60);
  console.log(`Other codecs (${n} frames each, latencyMode "realtime"):`);
  for (const codec of ['vp8', 'vp09.00.31.08', 'av01.0.05M.08', 'hvc1.1.6.L93.B0']) {
    const result = await roundTrip({ codec, width, height, bitrate: Math.round(width * height * fps * 0.08), framerate: fps, latencyMode: 'realtime' }, cards.slice(0, n));
    console.log(`  ${codec.padEnd(16)} ${result}`);
  }

  // Audio: two seconds of an A-major chord, stereo, 48 kHz.
  console.log('Audio (2 s stereo chord, 48 kHz):');
  const rate = 48000;
  const chord = new Float32Array(rate * 2 * 2);
  for (let i = 0; i < rate * 2; i++) {
    const t = i / rate;
    chord[i] = 0.3 * (Math.sin(2 * Math.PI * 440 * t) + Math.sin(2 * Math.PI * 554.37 * t)) / 2;
    chord[rate * 2 + i] = 0.3 * (Math.sin(2 * Math.PI * 659.25 * t) + Math.sin(2 * Math.PI * 440 * t)) / 2;
  }
  for (const [codec, extra] of [['opus', {}], ['mp4a.40.2', { aac: { format: 'adts' } }], ['mp3', {}], ['vorbis', {}], ['flac', {}]]) {
    const result = await audioRoundTrip({ codec, sampleRate: rate, numberOfChannels: 2, bitrate: 128_000, ...extra }, chord);
    console.log(`  ${codec.padEnd(16)} ${result}`);
  }

  // Images, streamed from their files: every frame decoded and read back as RGBA.
  console.log('Images (ImageDecoder, from a file stream):');
  const images = path.join(__dirname, '..', 'test', 'fixtures', 'images');
  for (const [file, type] of [['four-colors.jpg', 'image/jpeg'], ['anim.png', 'image/png'], ['four-colors-flip.gif', 'image/gif'], ['anim.webp', 'image/webp'], ['four-colors-flip.avif', 'image/avif']]) {
    console.log(`  ${file.padEnd(22)} ${await describeImage(path.join(images, file), type)}`);
  }
}

/** Decodes every frame of an image file with ImageDecoder and describes them. */
async function describeImage(file, type) {
  const decoder = new ImageDecoder({ type, data: Readable.toWeb(fs.createReadStream(file)) });
  await decoder.tracks.ready;
  await decoder.completed;
  const track = decoder.tracks.selectedTrack;
  let first;
  let duration = 0;
  for (let i = 0; i < track.frameCount; i++) {
    const { image } = await decoder.decode({ frameIndex: i });
    const rgba = new Uint8Array(image.visibleRect.width * image.visibleRect.height * 4);
    await image.copyTo(rgba, { format: 'RGBA' });
    first ??= `${image.codedWidth}x${image.codedHeight} ${image.format}`;
    duration += image.duration ?? 0;
    image.close();
  }
  decoder.close();
  const loops = track.repetitionCount === Infinity ? 'loops forever' : `repeats ${track.repetitionCount}×`;
  return track.animated ? `${first}, ${track.frameCount} frames, ${(duration / 1000).toFixed(0)} ms, ${loops}` : `${first}, still`;
}

/** Encodes f32-planar `samples` with `config` in 20 ms pieces, decodes them back, and describes the outcome. */
async function audioRoundTrip(config, samples) {
  if (!(await AudioEncoder.isConfigSupported(config)).supported) return 'not supported by this build';
  const frames = samples.length / 2;
  const chunks = [];
  let decoderConfig;
  let failure = null;
  const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { failure = e; } });
  encoder.configure(config);
  const piece = config.sampleRate / 50;
  for (let at = 0; at < frames; at += piece) {
    const data = new Float32Array(piece * 2);
    data.set(samples.subarray(at, at + piece));
    data.set(samples.subarray(frames + at, frames + at + piece), piece);
    const audio = new AudioData({ format: 'f32-planar', sampleRate: config.sampleRate, numberOfFrames: piece, numberOfChannels: 2, timestamp: Math.round((at * 1e6) / config.sampleRate), data });
    encoder.encode(audio);
    audio.close();
  }
  await encoder.flush();
  encoder.close();
  if (config.aac?.format === 'adts') {
    // ADTS frames in a row are a playable .aac file.
    const file = path.join(path.dirname(out), 'demo.aac');
    fs.writeFileSync(file, Buffer.concat(chunks.map((c) => { const b = Buffer.alloc(c.byteLength); c.copyTo(b); return b; })));
  }
  const left = [];
  const decoder = new AudioDecoder({
    output(data) {
      const plane = new Float32Array(data.numberOfFrames);
      data.copyTo(plane, { planeIndex: 0, format: 'f32-planar' });
      left.push(...plane);
      data.close();
    },
    error: (e) => { failure = e; },
  });
  decoder.configure(decoderConfig);
  for (const chunk of chunks) decoder.decode(chunk);
  await decoder.flush();
  decoder.close();
  if (failure || left.length < frames) {
    process.exitCode = 1;
    return `FAILED: ${failure ?? `${left.length} of ${frames} samples decoded`}`;
  }
  // Signal-to-noise ratio at the codec's delay (the lag that fits best).
  let best = -Infinity;
  for (let lag = 0; lag <= 4096; lag += 1) {
    let signal = 0;
    let noise = 0;
    for (let i = 4800; i < frames - 4800; i += 3) {
      signal += samples[i] ** 2;
      noise += (samples[i] - left[i + lag]) ** 2;
    }
    best = Math.max(best, noise === 0 ? Infinity : 10 * Math.log10(signal / noise));
  }
  const bytes = chunks.reduce((a, c) => a + c.byteLength, 0);
  const kbps = (bytes * 8) / (frames / config.sampleRate) / 1000;
  return `${chunks.length} chunks, ${(bytes / 1024).toFixed(1)} KiB (${kbps.toFixed(0)} kbit/s), decoded ${left.length} samples, SNR ${best.toFixed(1)} dB`;
}

/** Encodes `cards` with `config`, decodes the chunks, and describes the outcome in one line. */
async function roundTrip(config, cards) {
  if (!(await VideoEncoder.isConfigSupported(config)).supported) return `not supported by this build (${buildInfo.flavour} flavour)`;
  const chunks = [];
  let decoderConfig;
  let failure = null;
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m.decoderConfig; }, error: (e) => { failure = e; } });
  encoder.configure(config);
  const t0 = performance.now();
  cards.forEach((card, i) => {
    const frame = new VideoFrame(card, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: Math.round((i * 1e6) / fps) });
    encoder.encode(frame, { keyFrame: i === 0 });
    frame.close();
  });
  await encoder.flush();
  const encodeFps = cards.length / ((performance.now() - t0) / 1000);
  encoder.close();
  const scores = [];
  const decoder = new VideoDecoder({
    output(frame) {
      const pixels = new Uint8Array(frame.allocationSize());
      frame.copyTo(pixels);
      scores.push(psnr(pixels, cards[Math.round((frame.timestamp * fps) / 1e6)]));
      frame.close();
    },
    error: (e) => { failure = e; },
  });
  decoder.configure(decoderConfig);
  for (const chunk of chunks) decoder.decode(chunk);
  await decoder.flush();
  decoder.close();
  if (failure || scores.length !== cards.length) {
    process.exitCode = 1;
    return `FAILED: ${failure ?? `${scores.length} of ${cards.length} frames decoded`}`;
  }
  const bytes = chunks.reduce((a, c) => a + c.byteLength, 0);
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  return `${chunks.length} chunks, ${(bytes / 1024).toFixed(1)} KiB, encode ${encodeFps.toFixed(1)} fps, decoded ${scores.length} frames, PSNR mean ${mean.toFixed(2)} dB`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
