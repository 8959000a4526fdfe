'use strict';
// `npm run stress`: every stress run under test/stress/, one after another,
// each in its own process, at the size STRESS_SCALE (or --scale) gives (1 =
// the full size; .ci/run uses 0.05). Prints each run's JSON lines and a
// closing summary; exits non-zero if any run failed.
//
//   node test/stress/run.js [--scale F] [--only NAME[,NAME]]
const path = require('node:path');
const { spawn } = require('node:child_process');
const { SCALE, option } = require('./fuzz-common');

const RUNS = ['image-fuzz', 'decoder-fuzz', 'encoder-fuzz', 'lifecycle', 'soak', 'backpressure', 'capped', 'asan'];
const only = option('only', null);
const chosen = only ? only.split(',') : RUNS;
// Runs that split into shards, run side by side (one per core).
const SHARDS = { 'decoder-fuzz': 2 };

function spawnRun(file, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, '--scale', String(SCALE), ...args], { stdio: 'inherit', env: { ...process.env, STRESS_SCALE: String(SCALE) } });
    child.on('exit', (status, signal) => resolve({ status, signal }));
  });
}

(async () => {
  const results = [];
  for (const name of chosen) {
    const started = Date.now();
    console.log(`# ${name} (scale ${SCALE})`);
    const file = path.join(__dirname, `${name}.js`);
    const n = SHARDS[name] || 1;
    const runs = await Promise.all(Array.from({ length: n }, (_, i) => spawnRun(file, n > 1 ? ['--shard', `${i}/${n}`] : [])));
    const bad = runs.find((r) => r.status !== 0) || runs[0];
    results.push({ name, ok: runs.every((r) => r.status === 0), status: bad.status, signal: bad.signal, seconds: Math.round((Date.now() - started) / 100) / 10 });
  }
  console.log('# summary');
  for (const r of results) console.log(`# ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} ${r.seconds} s${r.ok ? '' : ` (status ${r.status}, signal ${r.signal})`}`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
})();
