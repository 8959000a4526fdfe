'use strict';
// The only file that loads the compiled addon, always with node-gyp-build,
// from the first of:
//  1. a source build in this checkout (build/Release), unless PREBUILDS_ONLY;
//  2. the binary package npm installed for this platform: the GPL flavour's
//     (webcodecs-native-gpl-<platform>, a dependency of webcodecs-native-gpl)
//     when installed, unless WEBCODECS_FLAVOUR=lgpl; then
//     webcodecs-native-<platform>, this package's optional dependency;
//  3. this package's own prebuilds/<platform>-<arch>/ (offline or bundled installs).
const fs = require('node:fs');
const path = require('node:path');
const nodeGypBuild = require('node-gyp-build');
const { NAME, GPL, currentPlatform, packageName } = require('./platform');

function libc() {
  if (process.platform !== 'linux') return undefined;
  if (process.env.LIBC) return process.env.LIBC;
  const header = process.report?.getReport?.().header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** WEBCODECS_FLAVOUR: "lgpl", "gpl" or undefined (set but empty counts as unset). */
function wantedFlavour() {
  const wanted = process.env.WEBCODECS_FLAVOUR || undefined;
  if (wanted !== undefined && wanted !== 'gpl' && wanted !== 'lgpl') {
    throw new Error(`${NAME}: WEBCODECS_FLAVOUR must be "lgpl" or "gpl", not "${wanted}"`);
  }
  return wanted;
}

/** The folder of an installed package, resolved from `from`, or null. */
function installed(name, from) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [from] }));
  } catch {
    return null;
  }
}

/** The folders to load from, in order, and the binary packages meant for this platform. */
function sources(root, platform) {
  const wanted = wantedFlavour();
  const dirs = [];
  if (!process.env.PREBUILDS_ONLY && fs.existsSync(path.join(root, 'build', 'Release'))) dirs.push(root);
  const packages = [];
  if (platform !== undefined) {
    if (wanted !== 'lgpl') {
      const gpl = installed(GPL, root);
      const name = packageName(platform, 'gpl');
      const dir = gpl && (installed(name, gpl) ?? installed(name, root));
      if (dir) dirs.push(dir);
      else if (wanted === 'gpl') {
        throw new Error(`${NAME}: WEBCODECS_FLAVOUR=gpl, but the ${name} package (installed with ${GPL}) is not: npm install ${GPL}`);
      }
      if (wanted === 'gpl') return { dirs, packages: [name] };
      if (gpl) packages.push(name);
    }
    const name = packageName(platform, 'lgpl');
    const dir = installed(name, root);
    if (dir) dirs.push(dir);
    packages.push(name);
  }
  dirs.push(root);
  return { dirs, packages };
}

function npmFlags(platform) {
  return [`--os=${platform.os}`, `--cpu=${platform.cpu}`, platform.libc ? `--libc=${platform.libc}` : ''].filter(Boolean).join(' ');
}

function load() {
  const root = path.join(__dirname, '..');
  const c = libc();
  const platform = currentPlatform(c);
  const { dirs, packages } = sources(root, platform);
  const causes = [];
  for (const dir of [...new Set(dirs)]) {
    let file;
    try {
      file = nodeGypBuild.resolve(dir);
    } catch (cause) {
      causes.push(cause);
      continue;
    }
    return require(file);
  }
  const target = `${process.platform}-${process.arch}${c ? ` (${c})` : ''}`;
  const looked = dirs.map((d) => (d === root ? `${path.join(root, 'build', 'Release')} and ${path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)}` : d));
  const advice = platform === undefined
    ? `No binary package is made for ${target}: build from source (git clone, then \`npm install\`, which needs Rust, clang and the FFmpeg development packages).`
    : `The binary comes in the package ${packages.join(' or ')}, which npm installs with ${NAME} on this platform. ` +
      'If it is missing (installed with --omit=optional, or node_modules copied from another machine), reinstall; ' +
      `to install it for another platform (bundling, Docker images): npm install ${npmFlags(platform)} ${NAME}.` +
      (process.platform === 'linux' ? ` If the C library was guessed wrongly, set LIBC=${c === 'musl' ? 'glibc' : 'musl'}.` : '') +
      ' Or build from source (git clone, then `npm install`).';
  const error = new Error(
    `${NAME}: no native binary could be loaded for ${target}, Node ${process.version} (N-API ${process.versions.napi}).\n` +
      `Looked in ${looked.join(', then ')}.\n${advice}\n` +
      `Cause: ${causes.map((e) => e.message).join('; ')}`,
  );
  error.code = 'ERR_WEBCODECS_NO_BINARY';
  error.cause = causes[0];
  throw error;
}

module.exports = load();
