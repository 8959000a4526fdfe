'use strict';
// Which binary lib/native.js loads (always through node-gyp-build), in which
// order, and what it says when there is none. Stand-in binaries are empty
// files: loading one fails with its path, which tells which was chosen.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { PLATFORMS, currentPlatform, packageName, binaryName } = require('../lib/platform');

const root = path.join(__dirname, '..');
const libc = process.platform === 'linux' ? 'glibc' : undefined;
const platform = currentPlatform(libc);
const prebuildsDir = `${process.platform}-${process.arch}`;

function write(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
}

/** A binary package for this platform at `dir`, holding an empty binary. */
function binaryPackage(dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '0.1.0' }));
  write(path.join(dir, 'prebuilds', prebuildsDir, binaryName(platform)));
}

/** A copy of the main package with, as asked, a source build, own prebuilds and installed binary packages. */
function fakePackage({ dev = false, prebuilds = false, lgpl = false, gpl = false, gplMeta = gpl, nestedGpl = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-load-'));
  fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
  fs.cpSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(dir, 'node_modules', 'node-gyp-build'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'webcodecs-native', main: 'lib/index.js' }));
  if (dev) write(path.join(dir, 'build', 'Release', 'webcodecs-native.node'));
  if (prebuilds) write(path.join(dir, 'prebuilds', prebuildsDir, binaryName(platform)));
  const modules = path.join(dir, 'node_modules');
  if (lgpl) binaryPackage(path.join(modules, packageName(platform, 'lgpl')), packageName(platform, 'lgpl'));
  if (gplMeta) {
    fs.mkdirSync(path.join(modules, 'webcodecs-native-gpl'), { recursive: true });
    fs.writeFileSync(path.join(modules, 'webcodecs-native-gpl', 'package.json'), JSON.stringify({ name: 'webcodecs-native-gpl', version: '0.1.0' }));
  }
  if (gpl) {
    // npm hoists the platform package next to its parent; strict installs nest it.
    const where = nestedGpl ? path.join(modules, 'webcodecs-native-gpl', 'node_modules') : modules;
    binaryPackage(path.join(where, packageName(platform, 'gpl')), packageName(platform, 'gpl'));
  }
  return dir;
}

/** Loads the package in a child process; returns the binary it tried, relative to the package, or the error text. */
function load(dir, env = {}) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(dir)})`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...(libc ? { LIBC: libc } : {}), ...env },
  });
  assert.notEqual(r.status, 0, 'an empty stand-in binary cannot load');
  const tried = r.stderr.match(/(\/[^\s:]+\.node)\b/);
  return { binary: tried ? path.relative(dir, tried[1]) : null, stderr: r.stderr };
}

test('one binary package a platform: names as lib/platform.js gives them', () => {
  assert.equal(PLATFORMS.length, 7);
  const linux = PLATFORMS.find((p) => p.id === 'linux-x64-musl');
  assert.equal(packageName(linux, 'lgpl'), 'webcodecs-native-linux-x64-musl');
  assert.equal(packageName(linux, 'gpl'), 'webcodecs-native-gpl-linux-x64-musl');
  assert.equal(binaryName(linux), 'webcodecs-native.napi.musl.node');
  assert.equal(binaryName(PLATFORMS.find((p) => p.id === 'win32-x64')), 'webcodecs-native.napi.node');
  // The published manifests (scripts/pack-main.js adds the optional dependencies at pack time).
  const { releaseManifest } = require('../scripts/pack-main');
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  for (const flavour of ['lgpl', 'gpl']) {
    const manifest = releaseManifest(flavour);
    assert.equal(manifest.name, flavour === 'gpl' ? 'webcodecs-native-gpl' : 'webcodecs-native');
    assert.deepEqual(Object.keys(manifest.optionalDependencies).sort(), PLATFORMS.map((p) => packageName(p, flavour)).sort());
    assert.ok(Object.values(manifest.optionalDependencies).every((v) => v === version), 'the exact version');
    assert.equal(manifest.scripts, undefined, 'no build scripts in a published package');
  }
});

test('the binary comes from the source build, then the GPL platform package, then the LGPL one, then prebuilds/', { skip: !platform && 'no binary package for this platform' }, () => {
  const lgplBinary = path.join('node_modules', packageName(platform, 'lgpl'), 'prebuilds', prebuildsDir, binaryName(platform));
  const gplBinary = path.join('node_modules', packageName(platform, 'gpl'), 'prebuilds', prebuildsDir, binaryName(platform));
  const own = path.join('prebuilds', prebuildsDir, binaryName(platform));
  const all = fakePackage({ dev: true, prebuilds: true, lgpl: true, gpl: true });
  assert.equal(load(all).binary, path.join('build', 'Release', 'webcodecs-native.node'));
  assert.equal(load(all, { PREBUILDS_ONLY: '1' }).binary, gplBinary);
  assert.equal(load(all, { PREBUILDS_ONLY: '1', WEBCODECS_FLAVOUR: 'lgpl' }).binary, lgplBinary);
  assert.equal(load(fakePackage({ prebuilds: true, lgpl: true })).binary, lgplBinary, 'a published package has no build/');
  assert.equal(load(fakePackage({ prebuilds: true })).binary, own, 'prebuilds/ a user put there');
  // A GPL platform package that a strict installer nests inside webcodecs-native-gpl.
  const nested = fakePackage({ lgpl: true, gpl: true, nestedGpl: true });
  assert.equal(load(nested).binary, path.join('node_modules', 'webcodecs-native-gpl', gplBinary));
});

test('WEBCODECS_FLAVOUR=gpl insists on the GPL package; other values are refused', { skip: !platform && 'no binary package for this platform' }, () => {
  const name = packageName(platform, 'gpl');
  assert.match(load(fakePackage({ lgpl: true }), { WEBCODECS_FLAVOUR: 'gpl' }).stderr, new RegExp(`WEBCODECS_FLAVOUR=gpl, but the ${name} package .* is not: npm install webcodecs-native-gpl`));
  assert.match(load(fakePackage({ lgpl: true, gplMeta: true }), { WEBCODECS_FLAVOUR: 'gpl' }).stderr, new RegExp(`${name} package`));
  assert.match(load(fakePackage({ lgpl: true }), { WEBCODECS_FLAVOUR: 'full' }).stderr, /WEBCODECS_FLAVOUR must be "lgpl" or "gpl"/);
  // Set but empty counts as unset.
  assert.equal(load(fakePackage({ lgpl: true }), { WEBCODECS_FLAVOUR: '' }).binary, path.join('node_modules', packageName(platform, 'lgpl'), 'prebuilds', prebuildsDir, binaryName(platform)));
});

test('with no binary, loading fails naming the package to install and the npm flags for another platform', { skip: !platform && 'no binary package for this platform' }, () => {
  const { stderr } = load(fakePackage());
  assert.match(stderr, new RegExp(`no native binary could be loaded for ${process.platform}-${process.arch}`));
  assert.match(stderr, new RegExp(`The binary comes in the package ${packageName(platform, 'lgpl')}`));
  assert.match(stderr, new RegExp(`npm install --os=${platform.os} --cpu=${platform.cpu}${platform.libc ? ` --libc=${platform.libc}` : ''} webcodecs-native`));
  assert.match(stderr, /Looked in .*prebuilds/);
  if (process.platform === 'linux') assert.match(stderr, /\((glibc|musl)\)/);
  // With webcodecs-native-gpl installed, its platform package is named first.
  assert.match(load(fakePackage({ gplMeta: true })).stderr, new RegExp(`package ${packageName(platform, 'gpl')} or ${packageName(platform, 'lgpl')}`));
});

test('node-gyp-build tells glibc from musl by the binary names the packages use', { skip: process.platform !== 'linux' && 'Linux libc tags' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-tags-'));
  const [gnu, musl] = ['glibc', 'musl'].map((c) => PLATFORMS.find((p) => p.os === 'linux' && p.cpu === process.arch && p.libc === c));
  write(path.join(dir, 'prebuilds', prebuildsDir, binaryName(gnu)));
  write(path.join(dir, 'prebuilds', prebuildsDir, binaryName(musl)));
  const resolve = (env) => spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(path.join(root, 'node_modules', 'node-gyp-build'))}).resolve(${JSON.stringify(dir)}))`], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } }).stdout.trim();
  assert.equal(path.basename(resolve({ LIBC: 'glibc' })), binaryName(gnu));
  assert.equal(path.basename(resolve({ LIBC: 'musl' })), binaryName(musl));
});
