'use strict';
// Regression test for a process abort: terminating a worker_thread while its
// codec delivered outputs (or while it created a frame or read an array)
// made Neon panic where JavaScript could no longer run, which aborted the
// whole process ("Failed to set an object property", "panic in a function
// that cannot unwind"). 200 busy workers are terminated at random moments
// (test/stress/lifecycle.js part 1; the stress run does 1,000).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('terminating busy worker_threads never takes the process down', () => {
  const script = path.join(__dirname, 'stress', 'lifecycle.js');
  const r = spawnSync(process.execPath, [script, '--part', '1', '--scale', '0.2', '--seed', '7'], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.signal, null, `the process died of ${r.signal}: ${r.stderr.slice(-3000)}`);
  assert.equal(r.status, 0, r.stdout + r.stderr.slice(-3000));
  const result = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.deepEqual([result.ok, result.terminated], [true, 200]);
});
