'use strict';
// docs/support.md is generated (scripts/support-table.js): it must say what
// scripts/build-ffmpeg builds now.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { render } = require('../scripts/support-table');

test('docs/support.md is current (node scripts/support-table.js rewrites it)', () => {
  const committed = fs.readFileSync(path.join(__dirname, '..', 'docs', 'support.md'), 'utf8');
  assert.equal(committed, render());
});

test('the support table follows the build: the GPL flavour alone encodes HEVC, both decode it', () => {
  const table = render();
  const row = table.split('\n').find((l) => l.startsWith('| HEVC'));
  assert.deepEqual(row.split('|').slice(2, 6).map((c) => c.trim()), ['—', '✅', '✅', '✅']);
});
