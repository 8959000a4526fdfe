'use strict';
// What the benchmarks share: timing a command, and the event-loop delay
// while our side runs.
const os = require('node:os');
const { spawnSync } = require('node:child_process');
const { monitorEventLoopDelay } = require('node:perf_hooks');

/** Runs a command to completion; returns its wall time in milliseconds. */
function timeCommand(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return performance.now() - t0;
}

/**
 * Runs `ffmpeg args` and returns spawnSync's result. Through a shell that
 * forks it, not straight from Node: Linux folds the pre-exec memory of a
 * process into its maximum RSS, so an ffmpeg forked from this process
 * reports at least this process's RSS as its `-benchmark` maxrss (50 MB
 * became 311 MB under a Node holding 340 MB).
 */
function runFfmpeg(args) {
  return spawnSync('sh', ['-c', 'ffmpeg "$@"; exit $?', 'sh', ...args], { encoding: 'utf8' });
}

/** Starts measuring the event loop's delay at 1 ms resolution; stop() returns it. */
function loopDelay() {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      const ms = (ns) => ns / 1e6;
      return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
    },
  };
}

// Audio codec strings and configs at 128 kbit/s, and the ffmpeg arguments
// that do what AudioEncoder does with each (`decoder`: the CLI's decoder when
// it would pick another than ours).
const AUDIO_CODECS = {
  opus: { config: { codec: 'opus', bitrate: 128_000 }, ext: 'ogg', decoder: 'opus', args: ['-c:a', 'libopus', '-b:a', '128k', '-vbr', 'on', '-compression_level', '9', '-frame_duration', '20', '-application', 'audio'] },
  aac: { config: { codec: 'mp4a.40.2', bitrate: 128_000, aac: { format: 'adts' } }, ext: 'aac', args: ['-c:a', 'aac', '-b:a', '128k'] },
  mp3: { config: { codec: 'mp3', bitrate: 128_000 }, ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k', '-abr', '1'] },
  vorbis: { config: { codec: 'vorbis', bitrate: 128_000 }, ext: 'ogg', args: ['-c:a', 'libvorbis', '-b:a', '128k'] },
  flac: { config: { codec: 'flac' }, ext: 'flac', args: ['-c:a', 'flac', '-compression_level', '5', '-sample_fmt', 's16'] },
};

// Per video encoder and latency mode, the ffmpeg arguments that give the
// library what VideoEncoder gives it (crates/webcodecs-core/src/video/encoder.rs),
// without the profile and level, which come from the codec string.
const threads = String(Math.min(4, os.cpus().length));
const VIDEO_ENCODER_ARGS = {
  avc: {
    realtime: ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-forced-idr', '1', '-bf', '0'],
    quality: ['-c:v', 'libx264', '-preset', 'medium', '-rc-lookahead', '3', '-x264-params', 'sync-lookahead=0', '-threads', threads, '-forced-idr', '1', '-bf', '0'],
  },
  hevc: {
    realtime: ['-c:v', 'libx265', '-preset', 'ultrafast', '-tune', 'zerolatency', '-forced-idr', '1', '-x265-params', 'log-level=error:bframes=0'],
    quality: ['-c:v', 'libx265', '-preset', 'medium', '-forced-idr', '1', '-x265-params', `log-level=error:bframes=0:rc-lookahead=2:frame-threads=${Math.min(3, os.cpus().length)}`],
  },
  vp8: {
    realtime: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '-10', '-lag-in-frames', '0', '-auto-alt-ref', '0'],
    quality: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '-6', '-lag-in-frames', '0', '-auto-alt-ref', '0'],
  },
  vp9: {
    realtime: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-auto-alt-ref', '0', '-row-mt', '1'],
    quality: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '5', '-lag-in-frames', '0', '-auto-alt-ref', '0', '-row-mt', '1'],
  },
  av1: {
    realtime: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-row-mt', '1'],
    quality: ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '7', '-lag-in-frames', '0', '-row-mt', '1'],
  },
};

/** `seconds` of interleaved stereo f32 at `rate`: two tones over a little noise (the same every time). */
function stereoTones(rate, seconds) {
  const out = new Float32Array(rate * seconds * 2);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 0.05;
  for (let i = 0; i < rate * seconds; i++) {
    out[2 * i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) + noise();
    out[2 * i + 1] = 0.3 * Math.sin((2 * Math.PI * 659.25 * i) / rate) + noise();
  }
  return out;
}

/**
 * Encodes interleaved stereo f32 `samples` at `rate` with `lib`'s
 * AudioEncoder (ours or a peer's) under `config`, fed as AudioData pieces of
 * `piece` frames, keeping at most 64 queued; returns the chunks and the
 * first decoder config.
 */
async function encodeAudioWith(lib, config, samples, rate, piece) {
  const chunks = [];
  let decoderConfig;
  const encoder = new lib.AudioEncoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m?.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ sampleRate: rate, numberOfChannels: 2, ...config });
  const frames = samples.length / 2;
  for (let at = 0; at < frames; at += piece) {
    const n = Math.min(piece, frames - at);
    const data = new lib.AudioData({ format: 'f32', sampleRate: rate, numberOfChannels: 2, numberOfFrames: n, timestamp: Math.round((at * 1e6) / rate), data: samples.subarray(at * 2, (at + n) * 2) });
    encoder.encode(data);
    data.close();
    if (encoder.encodeQueueSize >= 64) await new Promise((r) => encoder.addEventListener('dequeue', r, { once: true }));
  }
  await encoder.flush();
  encoder.close();
  return { chunks, decoderConfig };
}

/**
 * Decodes `chunks` with `lib`'s AudioDecoder (ours or a peer's), copying every
 * plane of every output out as a user would, keeping at most 64 chunks
 * queued; returns the frames decoded, or throws the decoder's error. The
 * copies go to one reused buffer, as the video decode rows' do: a fresh
 * array per output is the consumer's cost (allocation and page faults, for
 * the collector to clean up), which the CLI, writing nowhere, does not pay.
 */
async function decodeAudioWith(lib, config, chunks) {
  let frames = 0;
  let failure = null;
  let out = new Uint8Array(0);
  const decoder = new lib.AudioDecoder({
    output(data) {
      const size = data.allocationSize({ planeIndex: 0 });
      if (out.byteLength < size) out = new Uint8Array(size);
      const planes = data.format.endsWith('-planar') ? data.numberOfChannels : 1;
      for (let ch = 0; ch < planes; ch++) data.copyTo(out, { planeIndex: ch });
      frames += data.numberOfFrames;
      data.close();
    },
    error: (e) => { failure = e; },
  });
  decoder.configure(config);
  for (const c of chunks) {
    if (failure) throw failure;
    decoder.decode(c);
    if (decoder.decodeQueueSize >= 64) await new Promise((r) => decoder.addEventListener('dequeue', r, { once: true }));
  }
  await decoder.flush().catch((e) => { failure ??= e; });
  if (failure) throw failure;
  decoder.close();
  return frames;
}

module.exports = { timeCommand, runFfmpeg, loopDelay, stereoTones, encodeAudioWith, decodeAudioWith, AUDIO_CODECS, VIDEO_ENCODER_ARGS };
