'use strict';
// A short run of test/stress/decoder-fuzz.js (seeded mutations of real
// streams and descriptions through every VideoDecoder and AudioDecoder) in its
// own process, so that a crash fails the test instead of the runner. The
// stress run uses 10,000 sessions per decoder.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('150 mutated sessions per decoder: no crash, no hang, only the spec errors, clean decode after', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'stress', 'decoder-fuzz.js'), '--count', '150', '--seed', '11'], { encoding: 'utf8', timeout: 600000 });
  assert.equal(r.error, undefined, 'the fuzz run hung');
  assert.equal(r.signal, null, `the fuzz run was killed by ${r.signal}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  for (const line of lines) assert.equal(line.problem, null, line.decoder);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(lines.length, 20);
  for (const line of lines) {
    assert.ok(line.clean_outputs > 0, line.decoder);
    // The mutations reach the decoders: some sessions decode, some fail.
    assert.ok(line.outcomes.resolved > 0, `${line.decoder}: ${JSON.stringify(line.outcomes)}`);
    assert.ok(line.outcomes.EncodingError + line.outcomes.NotSupportedError + line.outcomes.DataError > 0, `${line.decoder}: ${JSON.stringify(line.outcomes)}`);
  }
});
