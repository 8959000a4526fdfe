'use strict';
// What test/stress/lifecycle.js runs inside a worker_thread or a child
// process, chosen by workerData.mode (or argv[2] in a child process):
//   encode-forever  encodes and decodes with one row until terminated; posts
//                   'busy' once outputs flow
//   matrix          one round trip of every row; posts the results
//   exit-*          (child process) leaves codecs busy and exits in some way
const { isMainThread, parentPort, workerData } = require('node:worker_threads');
const webcodecs = require('../..');
const { rows, roundTrip, tone } = require('./matrix');
const { patternFrame } = require('../helpers');

const mode = isMainThread ? process.argv[2] : workerData.mode;
const post = (message) => (isMainThread ? process.stdout.write(`${JSON.stringify(message)}\n`) : parentPort.postMessage(message));

/** Starts an encoder of `row` that never stops being fed; calls `onOutput` per chunk. */
function busyEncoder(row, onOutput) {
  const video = row.kind === 'video';
  const Encoder = video ? webcodecs.VideoEncoder : webcodecs.AudioEncoder;
  const encoder = new Encoder({ output: onOutput, error: () => {} });
  encoder.configure(row.config);
  let i = 0;
  const feed = () => {
    if (encoder.state !== 'configured') return;
    while (encoder.encodeQueueSize < 4) {
      const input = video ? patternFrame(row.config.width, row.config.height, i, i * 33333) : tone(webcodecs, i * 960);
      encoder.encode(input);
      input.close();
      i++;
    }
  };
  encoder.addEventListener('dequeue', feed);
  feed();
  return encoder;
}

async function main() {
  const all = await rows();
  if (mode === 'encode-forever') {
    const row = all[workerData.row % all.length];
    let told = false;
    busyEncoder(row, (chunk) => {
      if (!told) post('busy');
      told = true;
      void chunk;
    });
    if (row.kind === 'video') {
      // Transforms on their own threads too, answering as the worker ends.
      const { transformFrame } = require('../../lib/mediabunny');
      (async () => {
        for (let i = 0; ; i++) {
          const frame = patternFrame(64, 48, i, i);
          const out = await transformFrame(frame, { width: 40, height: 64, rotation: 90, fit: 'contain' }).finally(() => frame.close());
          out.close();
        }
      })();
    }
    return;
  }
  if (mode === 'matrix') {
    const results = {};
    for (const row of all) results[row.name] = await roundTrip(row, 6);
    post(results);
    return;
  }
  if (mode === 'drop-open') {
    // Queue work on every row and let go of the codecs without flushing or
    // closing them: the process must end by itself once that work is done.
    for (const row of all) {
      const video = row.kind === 'video';
      const encoder = new (video ? webcodecs.VideoEncoder : webcodecs.AudioEncoder)({ output: () => {}, error: () => {} });
      encoder.configure(row.config);
      for (let i = 0; i < 8; i++) {
        const input = video ? patternFrame(row.config.width, row.config.height, i, i * 33333) : tone(webcodecs, i * 960);
        encoder.encode(input);
        input.close();
      }
    }
    post('returned');
    return;
  }
  // The other child-process modes: every row busy, a flush pending on each,
  // then leave in the named way.
  const encoders = all.map((row) => busyEncoder(row, () => {}));
  for (const e of encoders) e.flush().catch(() => {});
  if (mode === 'exit-now') process.exit(0);
  if (mode === 'exit-in-output') {
    busyEncoder(all[0], () => process.exit(0));
    return;
  }
  if (mode === 'exit-after-tick') {
    setTimeout(() => process.exit(0), 5);
    return;
  }
  if (mode === 'throw') {
    setTimeout(() => { throw new Error('deliberate uncaught exception'); }, 5);
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
