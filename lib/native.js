'use strict';
// The only file that loads the compiled addon. node-gyp-build looks in
// build/Release (a source build) and then prebuilds/<platform>-<arch>/.
const path = require('node:path');

function libc() {
  if (process.platform !== 'linux') return '';
  if (process.env.LIBC) return process.env.LIBC;
  const header = process.report?.getReport?.().header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/**
 * Where the binary comes from: the GPL flavour's package when it is installed
 * (or WEBCODECS_FLAVOUR=gpl demands it), else this package. WEBCODECS_FLAVOUR=lgpl
 * ignores an installed GPL package.
 */
function binaryRoot(root) {
  const wanted = process.env.WEBCODECS_FLAVOUR || undefined; // set but empty counts as unset
  if (wanted !== undefined && wanted !== 'gpl' && wanted !== 'lgpl') {
    throw new Error(`node-webcodecs: WEBCODECS_FLAVOUR must be "lgpl" or "gpl", not "${wanted}"`);
  }
  if (wanted === 'lgpl') return root;
  try {
    return path.dirname(require.resolve('node-webcodecs-gpl/package.json', { paths: [root] }));
  } catch (error) {
    if (wanted === 'gpl') throw new Error('node-webcodecs: WEBCODECS_FLAVOUR=gpl, but the node-webcodecs-gpl package is not installed', { cause: error });
    return root;
  }
}

function load() {
  const root = binaryRoot(path.join(__dirname, '..'));
  try {
    return require('node-gyp-build')(root);
  } catch (cause) {
    const c = libc();
    const target = `${process.platform}-${process.arch}${c ? ` (${c})` : ''}`;
    const error = new Error(
      `node-webcodecs: no native binary could be loaded for ${target}, Node ${process.version} ` +
        `(N-API ${process.versions.napi}).\n` +
        `Looked in ${path.join(root, 'build', 'Release')} and ${path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)}.\n` +
        'To fix it: reinstall so the prebuilt binary for this platform is present' +
        (process.platform === 'linux' ? `, set LIBC=${c === 'musl' ? 'glibc' : 'musl'} if the C library was guessed wrongly` : '') +
        ', or build from source (git clone, then `npm install`, which needs Rust, clang and the FFmpeg development packages).\n' +
        `Cause: ${cause.message}`,
    );
    error.code = 'ERR_WEBCODECS_NO_BINARY';
    error.cause = cause;
    throw error;
  }
}

module.exports = load();
