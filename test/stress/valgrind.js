'use strict';
// Valgrind memcheck of one round trip per codec (every encoder of this
// build, and its decoder): counts invalid reads and writes, uses of freed
// memory and definite leaks whose stacks pass through the addon or FFmpeg.
// V8's own reports (its conservative stack scan reads uninitialised stack)
// are not ours and are not counted. Slow (a minute or two per codec); not
// part of `npm run stress`.
//
//   node test/stress/valgrind.js [--codec NAME]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { option } = require('./fuzz-common');
const { rows } = require('./matrix');

const OURS = /webcodecs|libav|libsw|libvpx|libaom|libdav1d|libx26|libopenh264|libopus|libmp3lame|libvorbis|libFLAC/;

/** Splits a valgrind log into its error records ("==pid== " blocks). */
function records(log) {
  return log.split(/\n==\d+== \n/).map((block) => block.replace(/^==\d+== /gm, '')).filter((b) => b.trim());
}

(async () => {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    console.log('valgrind is not installed (Debian: valgrind)');
    process.exit(1);
  }
  const only = option('codec', null);
  let bad = 0;
  for (const row of (await rows()).filter((r) => !only || r.name === only)) {
    const logFile = path.join(os.tmpdir(), `webcodecs-valgrind-${process.pid}-${row.name}.log`);
    const started = Date.now();
    const r = spawnSync('valgrind', ['--tool=memcheck', '--leak-check=full', '--show-leak-kinds=definite', '--num-callers=40', `--log-file=${logFile}`, process.execPath, path.join(__dirname, 'valgrind-child.js'), row.name], { encoding: 'utf8', timeout: 30 * 60 * 1000 });
    const log = fs.readFileSync(logFile, 'utf8');
    fs.unlinkSync(logFile);
    const found = { invalidRead: 0, invalidWrite: 0, invalidFree: 0, uninitialisedInOurs: 0, definitelyLostInOurs: 0 };
    for (const rec of records(log)) {
      if (/^Invalid read/m.test(rec)) found.invalidRead++;
      else if (/^Invalid write/m.test(rec)) found.invalidWrite++;
      else if (/^Invalid free|^Mismatched free/m.test(rec)) found.invalidFree++;
      else if (/^(Conditional jump|Use of uninitialised|Syscall param)/m.test(rec) && OURS.test(rec) && !/v8::internal|heap::base/.test(rec)) found.uninitialisedInOurs++;
      else if (/definitely lost/.test(rec) && OURS.test(rec)) found.definitelyLostInOurs++;
    }
    const lost = (log.match(/definitely lost: ([\d,]+) bytes/) || [])[1];
    const problems = found.invalidRead + found.invalidWrite + found.invalidFree;
    if (problems || r.status !== 0) bad++;
    console.log(JSON.stringify({ codec: row.name, exit: r.status, ...found, definitelyLostBytes: lost, seconds: Math.round((Date.now() - started) / 1000) }));
    if (problems) console.log(records(log).filter((rec) => /^Invalid/m.test(rec)).slice(0, 3).join('\n---\n'));
  }
  process.exit(bad ? 1 : 0);
})();
