#!/usr/bin/env node
'use strict';
// Packs webcodecs-native (lgpl) or webcodecs-native-gpl (gpl) as published:
// with optionalDependencies on the seven platform packages of its flavour at
// the exact version (lib/platform.js). They are added here, at pack time, the
// way napi-rs's prepublish step does it: a checkout's lock file cannot name
// packages the registry does not have yet (`npm ci` would refuse), so the
// package.json files in the repository list none.
//
//   node scripts/pack-main.js <lgpl|gpl> <destination folder>   prints the tarball's path
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { PLATFORMS, packageName } = require('../lib/platform');

const root = path.join(__dirname, '..');

/** The published package.json of a flavour's main package. */
function releaseManifest(flavour) {
  const main = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const base = flavour === 'gpl' ? JSON.parse(fs.readFileSync(path.join(root, 'packages', 'webcodecs-native-gpl', 'package.json'), 'utf8')) : main;
  const { scripts, devDependencies, ...published } = base;
  published.optionalDependencies = Object.fromEntries(PLATFORMS.map((p) => [packageName(p, flavour), main.version]));
  return published;
}

function pack(flavour, destination) {
  const source = flavour === 'gpl' ? path.join(root, 'packages', 'webcodecs-native-gpl') : root;
  const manifest = releaseManifest(flavour);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-main-'));
  for (const entry of [...manifest.files, 'README.md', 'LICENSE']) {
    if (fs.existsSync(path.join(source, entry))) fs.cpSync(path.join(source, entry), path.join(stage, entry), { recursive: true });
  }
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.mkdirSync(destination, { recursive: true });
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.resolve(destination), stage], { encoding: 'utf8' }).trim().split('\n').pop();
  fs.rmSync(stage, { recursive: true, force: true });
  return path.join(path.resolve(destination), name);
}

if (require.main === module) {
  const [flavour, destination] = process.argv.slice(2);
  if (!['lgpl', 'gpl'].includes(flavour) || !destination) {
    console.error('usage: pack-main.js <lgpl|gpl> <destination folder>');
    process.exit(2);
  }
  console.log(pack(flavour, destination));
}

module.exports = { releaseManifest };
