'use strict';
// AddressSanitizer part of `npm run stress`: scripts/asan (the codec tests
// and the fuzzers against an addon whose Rust code and FFmpeg are both
// instrumented) with its fuzzers at a quarter of this run's size (at full
// size: 2,500 mutations per decoder and image format, 100 encoder sessions).
// Its first run builds an instrumented FFmpeg (about 10 minutes), so below
// full size it is skipped unless STRESS_ASAN=1.
//
//   node test/stress/asan.js [--scale F]
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { SCALE } = require('./fuzz-common');

if (SCALE < 1 && process.env.STRESS_ASAN !== '1') {
  console.log(JSON.stringify({ run: 'asan', skipped: `scale ${SCALE} < 1 (STRESS_ASAN=1 runs it anyway)` }));
  process.exit(0);
}
const script = path.join(__dirname, '..', '..', 'scripts', 'asan');
const r = spawnSync(script, ['gpl'], { stdio: 'inherit', env: { ...process.env, ASAN_STRESS_SCALE: String(Math.round(SCALE * 0.25 * 1000) / 1000) } });
process.exit(r.status ?? 1);
