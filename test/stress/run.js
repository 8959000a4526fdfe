'use strict';
// `npm run stress`: every stress run under test/stress/, one after another,
// each in its own process, at the size STRESS_SCALE (or --scale) gives (1 =
// the full size; .ci/run uses 0.05). Prints each run's JSON lines and a
// closing summary; exits non-zero if any run failed.
//
//   node test/stress/run.js [--scale F] [--only NAME[,NAME]]
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { SCALE, option } = require('./fuzz-common');

const RUNS = ['image-fuzz', 'decoder-fuzz', 'lifecycle', 'soak', 'backpressure', 'capped'];
const only = option('only', null);
const chosen = only ? only.split(',') : RUNS;
const results = [];
for (const name of chosen) {
  const started = Date.now();
  console.log(`# ${name} (scale ${SCALE})`);
  const r = spawnSync(process.execPath, [path.join(__dirname, `${name}.js`), '--scale', String(SCALE)], { stdio: 'inherit', env: { ...process.env, STRESS_SCALE: String(SCALE) } });
  results.push({ name, ok: r.status === 0, status: r.status, signal: r.signal, seconds: Math.round((Date.now() - started) / 100) / 10 });
}
console.log('# summary');
for (const r of results) console.log(`# ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} ${r.seconds} s${r.ok ? '' : ` (status ${r.status}, signal ${r.signal})`}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
