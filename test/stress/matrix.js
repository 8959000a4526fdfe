'use strict';
// The codec round-trip matrix the stress runs share: every encoder this build
// opens, each encoding a few frames or 20 ms buffers and decoding them again.
// A round trip checks what a user would: every input comes back as exactly
// one output (same timestamps, in order), every flush settles, no error.

const webcodecs = require('../..');
const { patternFrame } = require('../helpers');

const W = 160;
const H = 96;
const RATE = 48000;

const VIDEO = [
  { codec: 'avc1.42001f', avc: { format: 'annexb' } },
  { codec: 'hvc1.1.6.L93.B0', hevc: { format: 'annexb' } },
  { codec: 'vp8' },
  { codec: 'vp09.00.10.08' },
  { codec: 'av01.0.04M.08' },
];

const AUDIO = [
  { codec: 'opus' },
  { codec: 'mp4a.40.2' },
  { codec: 'mp3' },
  { codec: 'vorbis' },
  { codec: 'flac' },
  { codec: 'pcm-s16' },
  { codec: 'pcm-f32' },
  { codec: 'ulaw' },
];

/** Every row, supported here or not: [{kind, name, config}]. */
function candidates() {
  const video = VIDEO.map((v) => ({ kind: 'video', name: v.codec, config: { ...v, width: W, height: H, bitrate: 300_000, framerate: 30, latencyMode: 'realtime' } }));
  const lossless = (codec) => codec.startsWith('pcm') || codec === 'ulaw' || codec === 'flac';
  const audio = AUDIO.map((a) => ({ kind: 'audio', name: a.codec, config: { ...a, sampleRate: RATE, numberOfChannels: 1, ...(lossless(a.codec) ? {} : { bitrate: 64_000 }) } }));
  return [...video, ...audio];
}

/** The rows this build can encode. */
async function rows({ VideoEncoder, AudioEncoder } = webcodecs) {
  const out = [];
  for (const row of candidates()) {
    const Encoder = row.kind === 'video' ? VideoEncoder : AudioEncoder;
    if ((await Encoder.isConfigSupported(row.config)).supported) out.push(row);
  }
  return out;
}

/** 20 ms of a 440 Hz tone starting at sample `at`. */
function tone(api, at, frames = 960) {
  const data = new Float32Array(frames);
  for (let i = 0; i < frames; i++) data[i] = 0.4 * Math.sin((2 * Math.PI * 440 * (at + i)) / RATE);
  return new api.AudioData({ format: 'f32', sampleRate: RATE, numberOfFrames: frames, numberOfChannels: 1, timestamp: Math.round((at * 1e6) / RATE), data });
}

/**
 * Encodes `count` inputs with `row` and decodes the chunks. Resolves with
 * {inputs, chunks, outputs, ordered}; rejects on any error callback.
 * `between(i)` may return a promise (the constrained run blocks there).
 */
async function roundTrip(row, count, { api = webcodecs, between } = {}) {
  const video = row.kind === 'video';
  const Encoder = video ? api.VideoEncoder : api.AudioEncoder;
  const Decoder = video ? api.VideoDecoder : api.AudioDecoder;
  const chunks = [];
  let decoderConfig;
  let failure = null;
  const fail = (e) => { failure ??= e; };
  const encoder = new Encoder({
    output: (chunk, meta) => {
      chunks.push(chunk);
      if (meta && meta.decoderConfig) decoderConfig ??= meta.decoderConfig;
    },
    error: fail,
  });
  encoder.configure(row.config);
  const inputs = [];
  for (let i = 0; i < count; i++) {
    const input = video ? patternFrame(W, H, i, i * 33333, 33333) : tone(api, i * 960);
    inputs.push(input.timestamp);
    encoder.encode(input, video && i === 0 ? { keyFrame: true } : undefined);
    input.close();
    if (between) await between(i);
  }
  await encoder.flush();
  encoder.close();
  if (failure) throw failure;

  const outputs = [];
  let samples = 0;
  const decoder = new Decoder({
    output: (o) => {
      outputs.push(o.timestamp);
      if (!video) samples += o.numberOfFrames;
      o.close();
    },
    error: fail,
  });
  decoder.configure(decoderConfig);
  for (const [i, chunk] of chunks.entries()) {
    decoder.decode(chunk);
    if (between) await between(i);
  }
  await decoder.flush();
  decoder.close();
  if (failure) throw failure;
  const ordered = outputs.every((t, i) => i === 0 || t > outputs[i - 1]);
  // Video: one frame per input. Audio: every input sample back, give or take
  // one codec frame (Vorbis's first block only primes the overlap).
  const complete = video ? outputs.length === inputs.length : samples >= count * 960 - 2048;
  return { inputs: inputs.length, chunks: chunks.length, outputs: outputs.length, ordered, complete };
}

module.exports = { candidates, rows, roundTrip, tone, W, H, RATE };
