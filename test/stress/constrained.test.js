'use strict';
// The constrained-environment test: one CPU, one libuv thread, a main thread
// that blocks for 50 ms at a time. Twenty round trips in a row must each
// deliver every frame and resolve every flush.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const child = path.join(__dirname, 'constrained-child.js');
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

test('round trip on one CPU with UV_THREADPOOL_SIZE=1 and a busy main thread, 20 times in a row', { skip: !hasTaskset && 'taskset is missing (util-linux)' }, () => {
  for (let run = 1; run <= 20; run++) {
    const r = spawnSync('taskset', ['-c', '0', process.execPath, child], {
      encoding: 'utf8',
      timeout: 60000,
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    });
    assert.equal(r.error, undefined, `run ${run} hung`);
    assert.equal(r.status, 0, `run ${run}: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { chunks: 30, frames: 30, ordered: true }, `run ${run}`);
  }
});
