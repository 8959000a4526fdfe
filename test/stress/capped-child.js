'use strict';
// The codec matrix, `--times` times in a row, as test/stress/capped.js runs it
// under constraints. With --bursts the JavaScript thread blocks for 50 ms
// every 4 inputs. With --exhaust it first allocates 8K frames until memory
// runs out (under an address-space limit) and checks that failure is an
// error, then frees them. Prints one JSON summary line.
const webcodecs = require('../..');
const { option } = require('./fuzz-common');
const { rows, roundTrip } = require('./matrix');

const times = Number(option('times', 1));
const bursts = process.argv.includes('--bursts');
const busy = (ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};
const tick = () => new Promise((resolve) => setImmediate(resolve));
const between = bursts ? async (i) => {
  if (i % 4 === 3) {
    await tick();
    busy(50);
  }
} : undefined;

function exhaust() {
  const held = [];
  let failure = null;
  const bytes = new Uint8Array(7680 * 4320 * 3 / 2);
  try {
    for (let i = 0; i < 10000; i++) held.push(new webcodecs.VideoFrame(bytes, { format: 'I420', codedWidth: 7680, codedHeight: 4320, timestamp: i }));
  } catch (e) {
    failure = e;
  }
  for (const f of held) f.close();
  return { framesBeforeFailure: held.length, failure: failure && failure.name };
}

async function main() {
  const summary = { times, roundTrips: 0, lost: 0, problems: [] };
  if (process.argv.includes('--exhaust')) Object.assign(summary, exhaust());
  const all = await rows();
  for (let t = 0; t < times; t++) {
    for (const row of all) {
      const r = await roundTrip(row, 8, { between });
      summary.roundTrips++;
      if (!r.complete || !r.ordered) {
        summary.lost++;
        summary.problems.push(`${row.name}: ${JSON.stringify(r)}`);
      }
    }
  }
  summary.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify(summary));
}

main().catch((e) => {
  console.log(JSON.stringify({ error: `${e.name}: ${e.message}` }));
  process.exit(1);
});
