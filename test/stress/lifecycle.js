'use strict';
// Lifecycle stress: the ways real programs end, interrupt and re-enter codecs.
//   1. worker_threads running a busy codec, terminated at a random moment
//      (1,000 times; before, during and after the addon has loaded)
//   2. close(), reset() and configure() called from inside output and error
//      callbacks, for all four codec kinds
//   3. 10,000 flushes queued at once, and 1,000 encode/flush pairs awaited
//   4. process exit with busy codecs, pending flushes and undelivered
//      outputs (process.exit now, from an output callback, after a tick, an
//      uncaught exception, and codecs dropped without close)
//   5. the addon loaded in 8 workers at once, each running the codec matrix
//
//   node test/stress/lifecycle.js [--scale F] [--seed S] [--part N]
//
// --scale (default STRESS_SCALE or 1) multiplies every count. Prints one JSON
// line per part; exits non-zero on a crash, hang, wrong settlement or lost
// output.
const path = require('node:path');
const assert = require('node:assert/strict');
const { Worker } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const webcodecs = require('../..');
const { option, random, withTimeout, scaled, steps } = require('./fuzz-common');
const { rows, tone } = require('./matrix');
const { patternFrame } = require('../helpers');

const WORKER = path.join(__dirname, 'lifecycle-worker.js');
const seed = Number(option('seed', 1));
const rand = random(seed);

const { step, finish } = steps();
const part = (n, name, fn) => step({ part: n }, name, fn);

/** Part 1: a worker busy with row `row`, terminated after `delay` ms (or once busy). */
function terminateOne(row, delay) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { mode: 'encode-forever', row } });
    let done = false;
    const kill = () => {
      if (done) return;
      done = true;
      worker.terminate().then(() => resolve(), reject);
    };
    worker.on('error', (e) => { done = true; reject(e); });
    worker.on('message', () => { if (delay < 0) kill(); });
    if (delay >= 0) setTimeout(kill, delay);
  });
}

async function terminations(count, rowCount) {
  let i = 0;
  const lanes = 2;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (i < count) {
      const n = i++;
      // A third at once (while the addon loads), a third after a random
      // delay, a third as soon as outputs flow.
      const kind = n % 3;
      const delay = kind === 0 ? 0 : kind === 1 ? Math.floor(rand() * 60) : -1;
      await withTimeout(terminateOne(n % rowCount, delay), `terminating worker ${n}`);
    }
  }));
  return { terminated: count };
}

/** Makes input `i` for a row of kind `kind`. */
const inputFor = (row, i) => (row.kind === 'video' ? patternFrame(row.config.width, row.config.height, i, i * 33333, 33333) : tone(webcodecs, i * 960));

/** Encoded chunks and decoder config of `count` inputs of `row`. */
async function encoded(row, count) {
  const chunks = [];
  let decoderConfig;
  const Encoder = row.kind === 'video' ? webcodecs.VideoEncoder : webcodecs.AudioEncoder;
  const encoder = new Encoder({ output: (c, m) => { chunks.push(c); decoderConfig ??= m?.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure(row.config);
  for (let i = 0; i < count; i++) {
    const input = inputFor(row, i);
    encoder.encode(input);
    input.close();
  }
  await encoder.flush();
  encoder.close();
  return { chunks, decoderConfig };
}

/**
 * Part 2: one codec, `action` called from inside its first output callback
 * (or its error callback). Checks the flush that was pending settles as the
 * spec says and nothing else is delivered after close.
 */
async function reentry(row, side, action, where, streams) {
  const video = row.kind === 'video';
  const Codec = side === 'encoder' ? (video ? webcodecs.VideoEncoder : webcodecs.AudioEncoder) : (video ? webcodecs.VideoDecoder : webcodecs.AudioDecoder);
  const { chunks, decoderConfig } = streams;
  const config = side === 'encoder' ? row.config : decoderConfig;
  let outputs = 0;
  let afterClose = 0;
  let thrown = null;
  let closed = false;
  let codec;
  const act = () => {
    try {
      if (action === 'close') { codec.close(); closed = true; }
      if (action === 'reset') codec.reset();
      if (action === 'configure') codec.configure(config);
    } catch (e) {
      thrown = e;
    }
  };
  const errors = [];
  codec = new Codec({
    output: (o) => {
      if (closed) afterClose++;
      if (o.close) o.close();
      if (outputs++ === 0 && where === 'output') act();
    },
    error: (e) => {
      errors.push(e);
      if (where === 'error') act();
    },
  });
  codec.configure(config);
  if (where === 'error') {
    // A corrupt key chunk (decoders) or a frame of the wrong size for a
    // configured audio rate (encoders: AudioData of another rate) fails.
    if (side === 'decoder') {
      const Chunk = video ? webcodecs.EncodedVideoChunk : webcodecs.EncodedAudioChunk;
      try {
        codec.decode(new Chunk({ type: 'key', timestamp: 0, data: new Uint8Array(64).fill(0xff) }));
      } catch {
        // DataError: not a key chunk (Annex B with no NAL unit); no callback.
      }
    } else if (video) {
      codec.configure({ ...config, codec: 'avc1.zzzzzz' });
    } else {
      codec.configure({ ...config, codec: 'opus', sampleRate: 1234 });
    }
  } else if (side === 'encoder') {
    for (let i = 0; i < 6; i++) {
      const input = inputFor(row, i);
      codec.encode(input);
      input.close();
    }
  } else {
    for (const chunk of chunks) codec.decode(chunk);
  }
  const flush = codec.state === 'configured' ? codec.flush().then(() => 'resolved', (e) => e.name) : Promise.resolve('not-called');
  const settled = await withTimeout(flush, `${row.name} ${side} ${action} in ${where}`);
  // A configure() in the callback leaves a working codec behind.
  if (action === 'configure' && where === 'output' && codec.state === 'configured') await withTimeout(codec.flush(), 'flush after reconfigure');
  if (codec.state !== 'closed') codec.close();
  // Some decoders take any bytes (PCM) or refuse them synchronously.
  if (where === 'error' && errors.length === 0) return 'no-error-callback';
  const expected = where === 'error' ? 'InvalidStateError' : null;
  if (expected && (!thrown || thrown.name !== expected)) throw new Error(`${row.name} ${side}: ${action} in the error callback threw ${thrown && thrown.name}, expected ${expected}`);
  if (!expected && thrown) throw new Error(`${row.name} ${side}: ${action} in the output callback threw ${thrown.name}: ${thrown.message}`);
  if (afterClose) throw new Error(`${row.name} ${side}: ${afterClose} outputs after close()`);
  if (where === 'output' && (action === 'close' || action === 'reset') && settled !== 'AbortError' && settled !== 'resolved') throw new Error(`${row.name} ${side}: flush ${settled} after ${action}`);
  if (where === 'output' && action === 'configure' && settled !== 'resolved') throw new Error(`${row.name} ${side}: flush ${settled} after configure`);
  if (where === 'error' && errors.length !== 1) throw new Error(`${row.name} ${side}: ${errors.length} error callbacks`);
  return settled;
}

async function reentries(all, repeat) {
  let cases = 0;
  const settlements = {};
  for (let r = 0; r < repeat; r++) {
    for (const row of all) {
      const streams = await encoded(row, 6);
      for (const side of ['encoder', 'decoder']) {
        for (const action of ['close', 'reset', 'configure']) {
          for (const where of ['output', 'error']) {
            const settled = await reentry(row, side, action, where, streams);
            settlements[settled] = (settlements[settled] || 0) + 1;
            cases++;
          }
        }
      }
    }
  }
  return { cases, settlements };
}

/** Part 3: many flushes at once, then awaited encode/flush pairs. */
async function flushes(all, atOnce, pairs) {
  const figures = {};
  for (const row of all.filter((r) => ['vp8', 'opus', 'avc1.42001f'].includes(r.name))) {
    let outputs = 0;
    const Encoder = row.kind === 'video' ? webcodecs.VideoEncoder : webcodecs.AudioEncoder;
    const encoder = new Encoder({ output: () => { outputs++; }, error: (e) => { throw e; } });
    encoder.configure(row.config);
    const first = inputFor(row, 0);
    encoder.encode(first);
    first.close();
    const results = await withTimeout(Promise.allSettled(Array.from({ length: atOnce }, () => encoder.flush())), `${atOnce} flushes`);
    const rejected = results.filter((r) => r.status === 'rejected');
    assert.equal(rejected.length, 0, `${row.name}: ${rejected.length} of ${atOnce} flushes rejected`);
    let fed = 1;
    for (let i = 1; i <= pairs; i++) {
      const input = inputFor(row, i);
      encoder.encode(input);
      input.close();
      fed++;
      await withTimeout(encoder.flush(), `flush ${i}`);
    }
    encoder.close();
    // Video: one chunk per frame; audio encoders may hold samples until the
    // flush, but each flush drains them, so each pair gives at least one.
    if (row.kind === 'video') assert.equal(outputs, fed, `${row.name}: ${outputs} chunks for ${fed} frames`);
    else assert.ok(outputs >= fed, `${row.name}: ${outputs} chunks for ${fed} flushed buffers`);
    figures[row.name] = { flushes: atOnce + pairs, outputs };
  }
  return figures;
}

/** Part 4: a child process that leaves busy codecs in `mode`. */
function child(mode) {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [WORKER, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30000);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function exits(times) {
  const want = { 'exit-now': 0, 'exit-in-output': 0, 'exit-after-tick': 0, throw: 1, 'drop-open': 0 };
  const counts = {};
  for (let t = 0; t < times; t++) {
    for (const [mode, code] of Object.entries(want)) {
      const r = await child(mode);
      if (r.signal || r.code !== code) throw new Error(`${mode}: exit code ${r.code}, signal ${r.signal}${r.signal === 'SIGKILL' ? ' (hung for 30 s)' : ''}\n${r.stderr.slice(-2000)}`);
      if (/panicked|Assertion|FATAL/.test(r.stderr)) throw new Error(`${mode}: ${r.stderr.slice(-2000)}`);
      counts[mode] = (counts[mode] || 0) + 1;
    }
  }
  return { exits: counts };
}

/** Part 5: 8 workers load the addon at once and run the matrix. */
async function parallelWorkers(times) {
  let roundTrips = 0;
  for (let t = 0; t < times; t++) {
    const results = await withTimeout(Promise.all(Array.from({ length: 8 }, () => new Promise((resolve, reject) => {
      const worker = new Worker(WORKER, { workerData: { mode: 'matrix' } });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => { if (code) reject(new Error(`worker exited with ${code}`)); });
    }))), '8 workers running the matrix');
    for (const result of results) {
      for (const [name, r] of Object.entries(result)) {
        if (!r.complete || !r.ordered) throw new Error(`${name} in a worker: ${JSON.stringify(r)}`);
        roundTrips++;
      }
    }
  }
  return { workers: 8 * times, roundTrips };
}

async function main() {
  const all = await rows();
  await part(1, 'workers terminated mid-encode', () => terminations(scaled(1000, 6), all.length));
  await part(2, 'close/reset/configure inside callbacks', () => reentries(all, scaled(5, 1)));
  await part(3, 'consecutive flushes', () => flushes(all, scaled(10000, 200), scaled(1000, 20)));
  await part(4, 'process exit with busy codecs', () => exits(scaled(20, 1)));
  await part(5, 'addon in 8 workers at once', () => parallelWorkers(scaled(10, 1)));
  finish();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
