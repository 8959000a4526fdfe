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

/** Splits an Annex B H.264 stream into access units (one per picture). */
function annexbAccessUnits(bytes) {
  const units = [];
  let begin = 0;
  let seenSlice = false;
  for (const [s] of nalUnits(bytes)) {
    const type = bytes[s] & 0x1f;
    const firstSlice = (type === 1 || type === 5) && (bytes[s + 1] & 0x80) !== 0;
    const startCode = bytes[s - 4] === 0 && bytes[s - 3] === 0 ? s - 4 : s - 3;
    if (seenSlice && (firstSlice || (type >= 6 && type <= 9))) {
      units.push(bytes.subarray(begin, startCode));
      begin = startCode;
      seenSlice = false;
    }
    if (type === 1 || type === 5) seenSlice = true;
  }
  units.push(bytes.subarray(begin));
  return units;
}

/** The video samples of an MP4 file (via ffprobe) and its avcC record. */
function mp4Samples(file) {
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
  const at = bytes.indexOf(Buffer.from('avcC'));
  const size = bytes.readUInt32BE(at - 4);
  const description = new Uint8Array(bytes.subarray(at + 4, at - 4 + size));
  return { samples, description };
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

module.exports = { fixture, pattern, patternFrame, psnr, nalUnits, annexbAccessUnits, mp4Samples, chunkOf, until, encodeClip };
