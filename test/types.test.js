'use strict';
// The typings (index.d.ts, polyfill.d.ts) compile with `tsc --strict` in a
// program that uses every class (test/types/usage.ts), with and without
// TypeScript's "dom" library (which declares WebCodecs too: the polyfill's
// globals must not conflict with it), and misuse is a type error.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const tsc = require.resolve('typescript/bin/tsc');
const dir = path.join(__dirname, 'types');
const compile = (project) => spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });

for (const config of ['tsconfig.json', 'tsconfig.dom.json']) {
  test(`typings compile strictly (${config})`, () => {
    const r = compile(path.join(dir, config));
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}

test('misusing the API is a type error', () => {
  // Inside the package, so that its name and @types/node resolve as for usage.ts.
  const tmp = fs.mkdtempSync(path.join(dir, '.misuse-'));
  try {
    fs.writeFileSync(path.join(tmp, 'bad.ts'), [
      "import { VideoFrame, ImageDecoder } from 'webcodecs-native';",
      "new VideoFrame(new Uint8Array(4), { format: 'RGB', codedWidth: 1, codedHeight: 1, timestamp: 0 });",
      "const n: number = new ImageDecoder({ type: 'image/png', data: new Uint8Array(1) }).type;",
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', files: ['bad.ts'] }));
    const r = compile(path.join(tmp, 'tsconfig.json'));
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /"RGB"/);
    assert.match(r.stdout, /Type 'string' is not assignable to type 'number'/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
