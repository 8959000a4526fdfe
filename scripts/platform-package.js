#!/usr/bin/env node
'use strict';
// Makes one binary package, packages/<name>/, from lib/platform.js's table:
// package.json (os, cpu, libc; the main package's version), a README, the
// binary at prebuilds/<os>-<cpu>/<name as prebuildify names it>, and the
// THIRD-PARTY-NOTICES scripts/build-ffmpeg wrote next to the FFmpeg it linked.
//
//   node scripts/platform-package.js <lgpl|gpl> <platform id> <binary> <ffmpeg prefix>
//
// Prints the package folder.
const fs = require('node:fs');
const path = require('node:path');
const { NAME, GPL, PLATFORMS, packageName, binaryName } = require('../lib/platform');

const root = path.join(__dirname, '..');
const [flavour, id, binary, prefix] = process.argv.slice(2);
const platform = PLATFORMS.find((p) => p.id === id);
if (!['lgpl', 'gpl'].includes(flavour) || !platform || !binary || !prefix) {
  console.error(`usage: platform-package.js <lgpl|gpl> <${PLATFORMS.map((p) => p.id).join('|')}> <binary> <ffmpeg prefix>`);
  process.exit(2);
}
const notices = path.join(prefix, 'THIRD-PARTY-NOTICES');
if (!fs.existsSync(notices)) {
  console.error(`platform-package: ${notices} is missing (scripts/build-ffmpeg writes it)`);
  process.exit(1);
}

const main = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const name = packageName(platform, flavour);
const dir = path.join(root, 'packages', name);
fs.rmSync(dir, { recursive: true, force: true });
const prebuilds = path.join(dir, 'prebuilds', `${platform.os}-${platform.cpu}`);
fs.mkdirSync(prebuilds, { recursive: true });
fs.copyFileSync(binary, path.join(prebuilds, binaryName(platform)));
fs.copyFileSync(notices, path.join(dir, 'THIRD-PARTY-NOTICES'));

const manifest = {
  name,
  version: main.version,
  description: `The ${platform.id} binary of ${flavour === 'gpl' ? GPL : NAME} (FFmpeg linked statically). Installed by npm with ${flavour === 'gpl' ? GPL : NAME}; not meant to be installed by itself.`,
  license: flavour === 'gpl' ? 'GPL-2.0-or-later' : 'LGPL-2.1-or-later',
  os: [platform.os],
  cpu: [platform.cpu],
  ...(platform.libc ? { libc: [platform.libc] } : {}),
  files: ['prebuilds', 'THIRD-PARTY-NOTICES', 'README.md'],
  repository: main.repository,
};
fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
fs.writeFileSync(
  path.join(dir, 'README.md'),
  `# ${name}\n\nThe prebuilt ${platform.id} binary of [${flavour === 'gpl' ? GPL : NAME}](https://www.npmjs.com/package/${flavour === 'gpl' ? GPL : NAME}). ` +
    `npm installs it as an optional dependency where \`os\`, \`cpu\`${platform.libc ? ' and `libc`' : ''} match; \`require('${NAME}')\` loads it.\n\n` +
    `FFmpeg and the codec libraries are linked in statically; \`THIRD-PARTY-NOTICES\` gives each one's version, licence and ` +
    'copyright, and how to relink the LGPL parts.\n',
);
console.log(dir);
