'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const script = path.join(__dirname, 'fixtures-exit.js');
const run = (name) => spawnSync(process.execPath, [script, name], { encoding: 'utf8', timeout: 20000 });

test('a process with configured, unclosed codecs exits by itself', () => {
  const r = run('unclosed');
  assert.equal(r.error, undefined, 'did not time out');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exited/);
});

test('a process that encodes and never awaits still gets every output and its flush', () => {
  const r = run('fire-and-forget');
  assert.equal(r.error, undefined, 'did not time out');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { outputs: 20, flushed: true });
});
