'use strict';
// A short run of test/stress/image-fuzz.js (seeded mutations of every image
// format through ImageDecoder) in its own process, so that a crash fails the
// test instead of the runner. The stress run uses 2,000 inputs per format.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('150 mutated images per format: no crash, no hang, only the spec errors, clean decode after', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'stress', 'image-fuzz.js'), '--count', '150', '--seed', '7'], { encoding: 'utf8', timeout: 600000 });
  assert.equal(r.error, undefined, 'the fuzz run hung');
  assert.equal(r.signal, null, `the fuzz run was killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.format), ['jpeg', 'png', 'gif', 'webp', 'avif', 'bmp']);
  for (const line of lines) {
    assert.equal(line.clean, 'frames', line.format);
    // The mutations must reach the decoders: some inputs still decode, some fail.
    assert.ok((line.outcomes.frames ?? 0) > 0, `${line.format}: ${JSON.stringify(line.outcomes)}`);
    assert.ok((line.outcomes.EncodingError ?? 0) > 0, `${line.format}: ${JSON.stringify(line.outcomes)}`);
  }
});
