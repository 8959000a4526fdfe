'use strict';
// Runs the core crate's cargo tests, then every test/**/*.test.js with
// node:test (helpers and child scripts under test/ are not test files).
const { readdirSync } = require('node:fs');
const { join, relative } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const files = [];
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.test.js')) files.push(relative(root, full));
  }
})(join(root, 'test'));
files.sort();

// cargo may be installed (by scripts/setup.sh, through rustup) but not yet on PATH.
const cargoBin = join(require('node:os').homedir(), '.cargo', 'bin');
const env = { ...process.env, PATH: [cargoBin, process.env.PATH].join(require('node:path').delimiter) };
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
const rust = process.argv.includes('--js-only') ? 0 : run('cargo', ['test', '--release', '-p', 'webcodecs-core', '--lib', '--tests']);
// One file at a time where the runner allows choosing (Node >= 20.10).
const serial = process.allowedNodeEnvironmentFlags.has('--test-concurrency') ? ['--test-concurrency=1'] : [];
const js = run(process.execPath, ['--test', ...serial, ...files]);
process.exit(rust || js);
