'use strict';
// ImageDecoder against sharp (decoding to raw RGBA, as an image pipeline
// would) and the ffmpeg CLI (decoding to raw RGBA into /dev/null; its time
// includes starting the process, printed alone as "ffmpeg start-up"):
// a 4000x3000 JPEG, a 4000x3000 PNG and a 100-frame 640x480 animated WebP.
// Ours: decode every frame and copyTo RGBA into a new buffer, as sharp's
// output is a new RGBA buffer; the same into a buffer kept from the last run
// (a server's pool: no first-touch page faults on the JavaScript thread); and
// decode alone (the VideoFrame in the format Chrome gives).
//
//   node bench/image.js [runs]          (default 5; the best run of each counts)
//
// sharp is not a dependency: `npm install --no-save sharp` first, or set
// BENCH_PEERS to a folder whose node_modules holds it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ImageDecoder } = require('..');
const { timeCommand, loopDelay } = require('./lib/common');

function loadSharp() {
  const from = process.env.BENCH_PEERS ? [path.resolve(process.env.BENCH_PEERS)] : [process.cwd(), path.join(__dirname, '..')];
  try {
    return require(require.resolve('sharp', { paths: from }));
  } catch {
    console.error('sharp is missing: npm install --no-save sharp (or BENCH_PEERS=<folder with it>)');
    process.exit(2);
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-image-'));
const ffmpeg = (args) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);

// Photographic-ish content: a test pattern with film grain, so the codecs have work to do.
const jpeg = path.join(dir, 'big.jpg');
const png = path.join(dir, 'big.png');
const webp = path.join(dir, 'anim.webp');
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=4000x3000,noise=alls=24:allf=t', '-frames:v', '1', '-q:v', '3', jpeg]);
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=4000x3000,noise=alls=8:allf=t', '-frames:v', '1', png]);
ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=640x480:r=25,noise=alls=10:allf=t', '-frames:v', '100', '-c:v', 'libwebp_anim', '-q:v', '75', '-loop', '0', webp]);

/** Output buffers kept between runs (the reused-buffer column), by size. */
const reused = new Map();

async function ours(file, type, toRgba, reuse = false) {
  const decoder = new ImageDecoder({ type, data: fs.readFileSync(file) });
  await decoder.tracks.ready;
  await decoder.completed;
  const n = decoder.tracks.selectedTrack.frameCount;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const { image } = await decoder.decode({ frameIndex: i });
    if (toRgba) {
      const size = image.visibleRect.width * image.visibleRect.height * 4;
      let buf = reuse ? reused.get(size) : undefined;
      if (buf === undefined) {
        buf = new Uint8Array(size);
        if (reuse) reused.set(size, buf);
      }
      await image.copyTo(buf, { format: 'RGBA' });
      bytes += buf.length;
    }
    image.close();
  }
  decoder.close();
  return { frames: n, bytes };
}

async function best(runs, fn) {
  let min = Infinity;
  let result;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = await fn();
    min = Math.min(min, performance.now() - t0);
  }
  return { ms: min, result };
}

async function main() {
  const runs = Number(process.argv[2] ?? 5);
  const sharp = loadSharp();
  sharp.concurrency(os.cpus().length);
  const startup = Math.min(...Array.from({ length: runs }, () => timeCommand('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=s=16x16', '-frames:v', '1', '-f', 'null', '-'])));
  console.log(`ffmpeg start-up (1 tiny frame): ${startup.toFixed(0)} ms; ${os.cpus().length} CPUs; best of ${runs}`);
  const rows = [];
  for (const [label, file, type] of [['JPEG 4000x3000', jpeg, 'image/jpeg'], ['PNG 4000x3000', png, 'image/png'], ['WebP 100x640x480', webp, 'image/webp']]) {
    const delay = loopDelay();
    const rgba = await best(runs, () => ours(file, type, true));
    const loop = delay.stop();
    const decodeOnly = await best(runs, () => ours(file, type, false));
    const intoReused = await best(runs, () => ours(file, type, true, true));
    const input = fs.readFileSync(file);
    const sh = await best(runs, () => sharp(input, { animated: true, limitInputPixels: false }).ensureAlpha().raw().toBuffer());
    // FFmpeg before 8 has no animated WebP decoder.
    let cli = NaN;
    try {
      cli = Math.min(...Array.from({ length: runs }, () => timeCommand('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-y', '/dev/null'])));
    } catch {}
    if (sh.result.length !== rgba.result.bytes) console.warn(`${label}: sharp gave ${sh.result.length} bytes, we ${rgba.result.bytes}`);
    rows.push({
      image: label,
      frames: rgba.result.frames,
      'ours → RGBA ms': rgba.ms.toFixed(1),
      'ours → reused ms': intoReused.ms.toFixed(1),
      'ours decode ms': decodeOnly.ms.toFixed(1),
      'sharp → RGBA ms': sh.ms.toFixed(1),
      'ffmpeg CLI ms': Number.isNaN(cli) ? 'cannot' : cli.toFixed(1),
      'ours ÷ sharp': (rgba.ms / sh.ms).toFixed(2),
      'loop p99/max ms': `${loop.p99.toFixed(1)}/${loop.max.toFixed(1)}`,
    });
  }
  console.table(rows);
  fs.rmSync(dir, { recursive: true, force: true });
}

main();
