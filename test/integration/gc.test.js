'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('garbage-collected codecs stop their threads', { skip: !fs.existsSync('/proc/self/status') && 'needs /proc' }, () => {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures-gc.js')], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  const { baseline, busy, after, collected } = JSON.parse(r.stdout);
  assert.equal(collected, 16, "every codec was collected");
  assert.ok(busy >= baseline + 16, `16 codecs should run at least 16 threads (baseline ${baseline}, busy ${busy})`);
  assert.equal(after, baseline, `threads left after GC: ${after} (baseline ${baseline})`);
});

test('close() stops codec threads without waiting for GC', { skip: !fs.existsSync('/proc/self/task') && 'needs /proc' }, () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures-gc.js'), 'close'], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  const { baseline, busy, after } = JSON.parse(r.stdout);
  assert.ok(busy >= baseline + 8, `8 codecs run at least 8 threads (baseline ${baseline}, busy ${busy})`);
  assert.equal(after, baseline);
});
