'use strict';
// Constrained and capped runs of the whole codec matrix (every encoder of this
// build, each round trip decoded and checked for lost or reordered outputs):
//   1. 100 times in a row on one CPU (taskset -c 0), UV_THREADPOOL_SIZE=1, the
//      JavaScript thread blocking for 50 ms every 4 inputs
//   2. 100 times inside a 512 MB memory cgroup (cgroup v2, or v1's memory
//      controller; systemd-run --scope where neither can be written)
//   3. under a 2 GB address-space limit (prlimit --as), first allocating 8K
//      frames until allocation fails: that must be an error, not a crash, and
//      the matrix must run afterwards
//
//   node test/stress/capped.js [--scale F]
//
// Each run is one child process with a 15-minute bound (a hang). Prints one
// JSON line per run; exits non-zero on a hang, a crash, a lost output or a
// failure that was not an error.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { scaled } = require('./fuzz-common');

const CHILD = path.join(__dirname, 'capped-child.js');
const times = scaled(100, 2);
const problems = [];
const has = (cmd, args) => spawnSync(cmd, args).status === 0;

function run(name, command, args, env = {}) {
  const started = Date.now();
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 15 * 60 * 1000, env: { ...process.env, ...env } });
  const ms = Date.now() - started;
  let summary = null;
  try {
    summary = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    // no summary: reported below
  }
  const ok = !r.error && r.status === 0 && summary && !summary.error && summary.lost === 0;
  if (!ok) problems.push(`${name}: status ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ''}\n${r.stdout.slice(-1000)}${r.stderr.slice(-2000)}`);
  console.log(JSON.stringify({ run: name, ok, ...summary, ms }));
  return summary;
}

/** A command prefix that runs a process in a fresh 512 MB memory cgroup, and its clean-up. */
function memoryCage(limit) {
  const name = `webcodecs-stress-${process.pid}`;
  const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : null;
  const candidates = [
    v2 && { dir: path.join(v2, name), limitFile: 'memory.max', swapFile: 'memory.swap.max' },
    fs.existsSync('/sys/fs/cgroup/memory') && { dir: path.join('/sys/fs/cgroup/memory', name), limitFile: 'memory.limit_in_bytes', swapFile: 'memory.memsw.limit_in_bytes' },
  ].filter(Boolean);
  for (const c of candidates) {
    try {
      fs.mkdirSync(c.dir);
      fs.writeFileSync(path.join(c.dir, c.limitFile), String(limit));
      try {
        fs.writeFileSync(path.join(c.dir, c.swapFile), c.swapFile === 'memory.swap.max' ? '0' : String(limit));
      } catch {
        // no swap accounting: the limit still holds for RAM
      }
      const procs = path.join(c.dir, 'cgroup.procs');
      return {
        how: c.dir,
        wrap: (cmd, args) => ['sh', ['-c', `echo $$ > ${procs} && exec "$@"`, 'sh', cmd, ...args]],
        done: () => fs.rmdirSync(c.dir),
        oomKills: () => {
          try {
            return fs.readFileSync(path.join(c.dir, c.limitFile === 'memory.max' ? 'memory.events' : 'memory.oom_control'), 'utf8').trim().replace(/\n/g, ', ');
          } catch {
            return 'unknown';
          }
        },
      };
    } catch {
      // not writable here: try the next
    }
  }
  if (has('systemd-run', ['--scope', '--quiet', '-p', `MemoryMax=${limit}`, 'true'])) {
    return { how: 'systemd-run', wrap: (cmd, args) => ['systemd-run', ['--scope', '--quiet', '-p', `MemoryMax=${limit}`, '-p', 'MemorySwapMax=0', cmd, ...args]], done: () => {}, oomKills: () => 'see journal' };
  }
  return null;
}

function main() {
  if (has('taskset', ['-c', '0', 'true'])) {
    run('one CPU, one libuv thread, 50 ms bursts', 'taskset', ['-c', '0', process.execPath, CHILD, '--times', String(times), '--bursts'], { UV_THREADPOOL_SIZE: '1' });
  } else {
    problems.push('taskset is missing (util-linux)');
  }
  const cage = memoryCage(512 * 1024 * 1024);
  if (cage) {
    const [cmd, args] = cage.wrap(process.execPath, [CHILD, '--times', String(times)]);
    const summary = run(`512 MB memory cap (${cage.how})`, cmd, args);
    console.log(JSON.stringify({ run: '512 MB memory cap', memoryEvents: cage.oomKills(), peakRssMB: summary && summary.peakRssMB }));
    cage.done();
  } else {
    // Not a failure of ours: say so and go on.
    console.log(JSON.stringify({ run: '512 MB memory cap', skipped: 'no way to make a memory cgroup here (needs root and cgroup v1/v2, or systemd-run)' }));
  }
  if (has('prlimit', ['--as=2147483648', 'true'])) {
    const summary = run('2 GB address-space limit, memory exhausted first', 'prlimit', ['--as=2147483648', process.execPath, CHILD, '--times', String(Math.max(1, Math.round(times / 10))), '--exhaust']);
    if (summary && !['EncodingError', 'RangeError', 'QuotaExceededError'].includes(summary.failure)) problems.push(`memory exhaustion gave ${summary.failure}, not an error the spec names`);
  }
  if (problems.length) {
    console.error(problems.join('\n\n'));
    process.exit(1);
  }
}

main();
