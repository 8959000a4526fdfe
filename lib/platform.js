'use strict';
// The binary packages: one a platform and flavour, installed by npm only where
// its os, cpu and libc fields match. lib/native.js resolves them; the release
// scripts (scripts/platform-package.js) make them from the same table.

const NAME = 'webcodecs-native';
const GPL = `${NAME}-gpl`;

/** Every platform a binary package is made for. `libc` is Linux only. */
const PLATFORMS = [
  { id: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
  { id: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl' },
  { id: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { id: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl' },
  { id: 'darwin-x64', os: 'darwin', cpu: 'x64' },
  { id: 'darwin-arm64', os: 'darwin', cpu: 'arm64' },
  { id: 'win32-x64', os: 'win32', cpu: 'x64' },
];

/** The binary package of a platform in a flavour (`lgpl` or `gpl`). */
function packageName(platform, flavour) {
  return `${flavour === 'gpl' ? GPL : NAME}-${platform.id}`;
}

/** The binary's file name inside `prebuilds/<os>-<cpu>/`, as prebuildify names it. */
function binaryName(platform) {
  return `${NAME}.napi${platform.libc ? `.${platform.libc}` : ''}.node`;
}

/** This process's platform, or undefined where no package is made for it. */
function currentPlatform(libc) {
  return PLATFORMS.find((p) => p.os === process.platform && p.cpu === process.arch && (p.libc === undefined || p.libc === libc));
}

module.exports = { NAME, GPL, PLATFORMS, packageName, binaryName, currentPlatform };
