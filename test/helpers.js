'use strict';
// Shared test helpers: synthetic frames, PSNR, and cutting chunks out of the
// fixture files.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { VideoFrame, EncodedVideoChunk } = require('..');

const FIXTURES = path.join(__dirname, 'fixtures');
const fixture = (name) => path.join(FIXTURES, name);

/** A moving I420 test card: gradient background, a bright square moving right, drifting chroma. */
function pattern(width, height, i) {
  const buf = new Uint8Array((width * height * 3) / 2);
  const sq = Math.max(8, width >> 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = (x - 4 * i + width * 8) % width < sq && y > height / 3 && y < height / 3 + sq;
      buf[y * width + x] = inside ? 235 : 16 + ((x + y + 2 * i) % 200);
    }
  }
  const cw = width / 2;
  const ch = height / 2;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      buf[width * height + y * cw + x] = 64 + ((x + i) % 128);
      buf[width * height + cw * ch + y * cw + x] = 64 + ((y + i) % 128);
    }
  }
  return buf;
}

function patternFrame(width, height, i, timestamp, duration) {
  return new VideoFrame(pattern(width, height, i), { format: 'I420', codedWidth: width, codedHeight: height, timestamp, duration });
}

function psnr(a, b) {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** NAL units of an Annex B stream, as [start, end) offsets without start codes. */
function nalUnits(bytes) {
  const units = [];
  let start = -1;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      if (start >= 0) units.push([start, bytes[i - 1] === 0 ? i - 1 : i]);
      start = i + 3;
      i += 2;
    }
  }
  if (start >= 0) units.push([start, bytes.length]);
  return units;
}

/**
 * Splits an Annex B H.264 or HEVC stream into access units (one per
 * picture): a new one starts at the first slice of a picture, or at a
 * non-slice NAL unit that may only precede one (AUD, parameter sets, SEI).
 */
function annexbAccessUnits(bytes, codec = 'h264') {
  const hevc = codec === 'hevc';
  const units = [];
  let begin = 0;
  let seenSlice = false;
  for (const [s] of nalUnits(bytes)) {
    const type = hevc ? (bytes[s] >> 1) & 0x3f : bytes[s] & 0x1f;
    const isSlice = hevc ? type < 32 : type === 1 || type === 5;
    const firstSlice = isSlice && (bytes[s + (hevc ? 2 : 1)] & 0x80) !== 0;
    const opensUnit = hevc ? (type >= 32 && type <= 35) || type === 39 : type >= 6 && type <= 9;
    const startCode = bytes[s - 4] === 0 && bytes[s - 3] === 0 ? s - 4 : s - 3;
    if (seenSlice && (firstSlice || opensUnit)) {
      units.push(bytes.subarray(begin, startCode));
      begin = startCode;
      seenSlice = false;
    }
    if (isSlice) seenSlice = true;
  }
  units.push(bytes.subarray(begin));
  return units;
}

/** The video samples of an MP4 file (via ffprobe) and its decoder configuration record (`box`, if present). */
function mp4Samples(file, box = 'avcC') {
  const bytes = fs.readFileSync(file);
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_packets', '-show_entries', 'packet=pts,duration,pos,size,flags', '-show_entries', 'stream=time_base', '-of', 'json', file]);
  const info = JSON.parse(out);
  const [num, den] = info.streams[0].time_base.split('/').map(Number);
  const us = (t) => Math.round((t * num * 1e6) / den);
  const samples = info.packets.map((p) => ({
    type: p.flags.startsWith('K') ? 'key' : 'delta',
    timestamp: us(Number(p.pts)),
    duration: us(Number(p.duration)),
    data: bytes.subarray(Number(p.pos), Number(p.pos) + Number(p.size)),
  }));
  const at = bytes.indexOf(Buffer.from(box));
  if (at < 0) return { samples, description: undefined };
  const size = bytes.readUInt32BE(at - 4);
  const description = new Uint8Array(bytes.subarray(at + 4, at - 4 + size));
  return { samples, description };
}

/** The frames of a VP8/VP9/AV1 file, remuxed to IVF by ffmpeg (no re-encoding). */
function ivfSamples(file) {
  const ivf = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-c', 'copy', '-f', 'ivf', '-']);
  const [num, den] = [ivf.readUInt32LE(20), ivf.readUInt32LE(16)];
  const samples = [];
  for (let at = ivf.readUInt16LE(6); at + 12 <= ivf.length;) {
    const size = ivf.readUInt32LE(at);
    const pts = Number(ivf.readBigUInt64LE(at + 4));
    samples.push({ timestamp: Math.round((pts * num * 1e6) / den), data: new Uint8Array(ivf.subarray(at + 12, at + 12 + size)) });
    at += 12 + size;
  }
  return samples;
}

/** Writes VP8/VP9/AV1 chunks as an IVF file (what ffprobe and ffmpeg read). */
function writeIvf(file, fourcc, width, height, chunks) {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0);
  header.writeUInt16LE(32, 6);
  header.write(fourcc, 8);
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(1_000_000, 16); // time base 1/1000000: chunk timestamps as they are
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(chunks.length, 24);
  const parts = [header];
  for (const chunk of chunks) {
    const frame = Buffer.alloc(12 + chunk.byteLength);
    frame.writeUInt32LE(chunk.byteLength, 0);
    frame.writeBigUInt64LE(BigInt(chunk.timestamp), 4);
    chunk.copyTo(frame.subarray(12));
    parts.push(frame);
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** ffprobe's view of a file's first video stream, frames counted by decoding. */
function probe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,profile,width,height,pix_fmt,nb_read_frames', '-of', 'json', file]);
  return JSON.parse(out).streams[0];
}

/** The raw I420 pictures ffmpeg's decoders make of a file. */
function ffmpegPictures(file, width, height) {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { maxBuffer: 1 << 28 });
  const size = (width * height * 3) / 2;
  return Array.from({ length: raw.length / size }, (_, i) => new Uint8Array(raw.subarray(i * size, (i + 1) * size)));
}

/** The packets of an audio file as ffprobe cuts them: [{data, pts (µs)}]. Not for Ogg (see oggPackets). */
function audioPackets(file) {
  const bytes = fs.readFileSync(file);
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pos,size,pts_time', '-of', 'json', '-show_packets', file]);
  return JSON.parse(out).packets.map((p) => ({
    data: new Uint8Array(bytes.subarray(Number(p.pos), Number(p.pos) + Number(p.size))),
    pts: Math.round(Number(p.pts_time) * 1e6),
  }));
}

/** The packets of the first logical stream of an Ogg file (headers included), by reading its pages. */
function oggPackets(file) {
  const bytes = fs.readFileSync(file);
  const packets = [];
  let pending = [];
  for (let at = 0; at + 27 <= bytes.length; ) {
    if (bytes.toString('latin1', at, at + 4) !== 'OggS') throw new Error(`no Ogg page at ${at}`);
    const segments = bytes[at + 26];
    const lacing = bytes.subarray(at + 27, at + 27 + segments);
    let body = at + 27 + segments;
    for (const size of lacing) {
      pending.push(bytes.subarray(body, body + size));
      body += size;
      // A lacing value under 255 ends the packet.
      if (size < 255) {
        packets.push(new Uint8Array(Buffer.concat(pending)));
        pending = [];
      }
    }
    at = body;
  }
  return packets;
}

/** Xiph lacing of header packets, the Vorbis description (and Matroska's CodecPrivate). */
function xiphLace(packets) {
  const sizes = [];
  for (const p of packets.slice(0, -1)) {
    let n = p.length;
    while (n >= 255) {
      sizes.push(255);
      n -= 255;
    }
    sizes.push(n);
  }
  return new Uint8Array(Buffer.concat([Buffer.from([packets.length - 1, ...sizes]), ...packets]));
}

/**
 * What ffmpeg's decoders make of a file's audio, one Float32Array per channel.
 * `format` ('u8', 's16', 's32' or 'f32') is the decoder's own sample type:
 * ffmpeg outputs it unconverted, and AudioData converts it to floats the way
 * the decoders' outputs are converted.
 */
function ffmpegSamples(file, channels, format = 'f32') {
  const { AudioData } = require('..');
  const muxer = { u8: 'u8', s16: 's16le', s32: 's32le', f32: 'f32le' }[format];
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', muxer, '-'], { maxBuffer: 1 << 28 });
  const frames = raw.byteLength / channels / { u8: 1, s16: 2, s32: 4, f32: 4 }[format];
  const data = new AudioData({ format, sampleRate: 48000, numberOfFrames: frames, numberOfChannels: channels, timestamp: 0, data: raw });
  return Array.from({ length: channels }, (_, ch) => {
    const plane = new Float32Array(frames);
    data.copyTo(plane, { planeIndex: ch, format: 'f32-planar' });
    return plane;
  });
}

/**
 * Signal-to-noise ratio (dB) of `got` against `want` at the best lag in
 * [0, maxLag] (codecs add a delay); `skip` samples at the start are ignored.
 */
function snr(want, got, { maxLag = 0, skip = 0 } = {}) {
  let best = { db: -Infinity, lag: 0 };
  for (let lag = 0; lag <= maxLag; lag++) {
    const n = Math.min(want.length, got.length - lag);
    let signal = 0;
    let noise = 0;
    for (let i = skip; i < n; i++) {
      signal += want[i] * want[i];
      noise += (want[i] - got[i + lag]) ** 2;
    }
    const db = noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
    if (db > best.db) best = { db, lag };
  }
  return best;
}

const chunkOf = (s) => new EncodedVideoChunk(s);

/** Resolves when `predicate()` holds, polling each macrotask; rejects after `ms`. */
function until(predicate, ms = 10000) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const poll = () => {
      if (predicate()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out waiting'));
      setTimeout(poll, 2);
    };
    poll();
  });
}

/** Encodes `n` pattern frames; returns {chunks, metadata}. */
async function encodeClip({ VideoEncoder }, config, n, { keyEvery = 0 } = {}) {
  const chunks = [];
  const metadata = [];
  let error = null;
  const encoder = new VideoEncoder({
    output: (chunk, meta) => {
      chunks.push(chunk);
      metadata.push(meta);
    },
    error: (e) => {
      error = e;
    },
  });
  encoder.configure(config);
  for (let i = 0; i < n; i++) {
    const frame = patternFrame(config.width, config.height, i, i * 33333, 33333);
    encoder.encode(frame, { keyFrame: keyEvery > 0 && i % keyEvery === 0 });
    frame.close();
  }
  await encoder.flush();
  encoder.close();
  if (error) throw error;
  return { chunks, metadata };
}

module.exports = {
  fixture, pattern, patternFrame, psnr, nalUnits, annexbAccessUnits, mp4Samples, ivfSamples, writeIvf, probe, ffmpegPictures, chunkOf, until, encodeClip,
  audioPackets, oggPackets, xiphLace, ffmpegSamples, snr,
};
