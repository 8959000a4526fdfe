'use strict';
// Which binary lib/native.js loads (through node-gyp-build), and what it says
// when there is none.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const platformDir = `${process.platform}-${process.arch}`;

/** A package copy with empty stand-in binaries where given. */
function fakePackage({ dev = false, prebuilds = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-load-'));
  fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
  fs.cpSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(dir, 'node_modules', 'node-gyp-build'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-webcodecs', main: 'lib/index.js' }));
  if (dev) {
    fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'build', 'Release', 'node-webcodecs.node'), '');
  }
  for (const name of prebuilds) {
    fs.mkdirSync(path.join(dir, 'prebuilds', platformDir), { recursive: true });
    fs.writeFileSync(path.join(dir, 'prebuilds', platformDir, name), '');
  }
  return dir;
}

function resolve(dir, env = {}) {
  const r = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(path.join(dir, 'node_modules', 'node-gyp-build'))}).resolve(${JSON.stringify(dir)}))`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return path.relative(dir, r.stdout.trim());
}

test('node-gyp-build picks glibc by default, musl with LIBC=musl, and a dev build unless PREBUILDS_ONLY', { skip: process.platform !== 'linux' && 'Linux libc tags' }, () => {
  const dir = fakePackage({ dev: true, prebuilds: ['node-webcodecs.glibc.node', 'node-webcodecs.musl.node'] });
  assert.equal(resolve(dir), path.join('build', 'Release', 'node-webcodecs.node'));
  assert.equal(resolve(dir, { PREBUILDS_ONLY: '1' }), path.join('prebuilds', platformDir, 'node-webcodecs.glibc.node'));
  assert.equal(resolve(dir, { PREBUILDS_ONLY: '1', LIBC: 'musl' }), path.join('prebuilds', platformDir, 'node-webcodecs.musl.node'));
  const published = fakePackage({ prebuilds: ['node-webcodecs.glibc.node', 'node-webcodecs.musl.node'] });
  assert.equal(resolve(published), path.join('prebuilds', platformDir, 'node-webcodecs.glibc.node'), 'no build/ in a published package');
});

test('with no binary, loading fails with what was looked for and how to fix it', () => {
  const dir = fakePackage();
  // (No WEBCODECS_FLAVOUR from the caller's environment: that has its own message.)
  const env = { ...process.env, WEBCODECS_FLAVOUR: '' };
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(dir)})`], { encoding: 'utf8', env });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, new RegExp(`no native binary could be loaded for ${process.platform}-${process.arch}`));
  assert.match(r.stderr, /Looked in .*build.*Release.* and .*prebuilds/);
  assert.match(r.stderr, /build from source/);
  if (process.platform === 'linux') assert.match(r.stderr, /\((glibc|musl)\)/);
});

test('an installed node-webcodecs-gpl package supplies the binary; WEBCODECS_FLAVOUR chooses', () => {
  const dir = fakePackage();
  const gpl = path.join(dir, 'node_modules', 'node-webcodecs-gpl');
  fs.mkdirSync(gpl, { recursive: true });
  fs.writeFileSync(path.join(gpl, 'package.json'), JSON.stringify({ name: 'node-webcodecs-gpl' }));
  // No binaries anywhere, so the error says which package was searched.
  const load = (env) => spawnSync(process.execPath, ['-e', `require(${JSON.stringify(dir)})`], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } }).stderr;
  assert.match(load({}), /Looked in .*node-webcodecs-gpl/);
  assert.match(load({ WEBCODECS_FLAVOUR: 'gpl' }), /Looked in .*node-webcodecs-gpl/);
  assert.doesNotMatch(load({ WEBCODECS_FLAVOUR: 'lgpl' }), /node-webcodecs-gpl/);
  assert.match(load({ WEBCODECS_FLAVOUR: 'full' }), /WEBCODECS_FLAVOUR must be "lgpl" or "gpl"/);
  fs.rmSync(gpl, { recursive: true });
  assert.match(load({ WEBCODECS_FLAVOUR: 'gpl' }), /node-webcodecs-gpl package is not installed/);
});
