'use strict';
// Several transcodes at once on a worker pool (Piscina): one pipeline per
// worker thread, each with its own codec threads. Runs the same files on a
// pool of one worker, then on a pool of --threads workers, and prints the
// speed-up.
//
//   node examples/parallel.js [files...] [--threads N] [--video vp9] [--audio opus] [--out examples/out/parallel]
//   (without files: makes --count clips of --seconds with ffmpeg's test source)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const Piscina = require('piscina');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const flags = new Set(['--threads', '--video', '--audio', '--out', '--count', '--seconds']);
const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !flags.has(all[i - 1]));
const threads = Number(arg('threads', os.availableParallelism?.() ?? os.cpus().length));
const video = arg('video', 'vp9');
const audio = arg('audio', 'opus');
const out = path.resolve(arg('out', path.join(__dirname, 'out', 'parallel')));

/** Test clips when no files are given: moving pictures and a tone, H.264 + AAC. */
function makeClips(count, seconds) {
  const dir = path.join(out, 'sources');
  fs.mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const file = path.join(dir, `clip-${i}.mp4`);
    if (!fs.existsSync(file)) {
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=640x360:r=30:d=${seconds}`, '-f', 'lavfi', '-i', `sine=f=${220 * (i + 1)}:d=${seconds}`,
        '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-y', file]);
    }
    return file;
  });
}

async function run(pool, sources, tag) {
  const t0 = performance.now();
  const results = await Promise.all(sources.map((from, i) =>
    pool.run({ from, to: path.join(out, `${tag}-${i}.${video === 'avc' ? 'mp4' : 'webm'}`), video, audio })));
  return { seconds: (performance.now() - t0) / 1000, results };
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const sources = files.length ? files.map((f) => path.resolve(f)) : makeClips(Number(arg('count', 4)), Number(arg('seconds', 4)));
  const worker = path.join(__dirname, 'lib', 'transcode-worker.js');
  const one = new Piscina({ filename: worker, minThreads: 1, maxThreads: 1 });
  const many = new Piscina({ filename: worker, minThreads: threads, maxThreads: threads });
  // Each pool's workers load the addon and open a first encoder before the clock starts.
  await Promise.all([one.run({ from: sources[0], to: path.join(out, 'warm-1.webm'), video, audio }),
    ...Array.from({ length: threads }, (_, i) => many.run({ from: sources[0], to: path.join(out, `warm-n${i}.webm`), video, audio }))]);
  const serial = await run(one, sources, 'one');
  const pooled = await run(many, sources, 'pool');
  await Promise.all([one.destroy(), many.destroy()]);
  console.log(`${sources.length} files to ${video} + ${audio} on ${os.cpus().length} CPUs:`);
  console.log(`  1 worker:  ${serial.seconds.toFixed(2)} s`);
  console.log(`  ${threads} workers: ${pooled.seconds.toFixed(2)} s  (speed-up ${(serial.seconds / pooled.seconds).toFixed(2)}x)`);
  for (const r of pooled.results) console.log(`  ${path.relative(process.cwd(), r.to)} (${(r.ms / 1000).toFixed(2)} s in its worker)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
