'use strict';
// Seeded mutations of real images through ImageDecoder, per format: bit
// flips, overwritten runs, truncation, splices of two images, inserted and
// duplicated ranges, fed whole or streamed in random pieces. Every input
// must settle (no hang) with frames or the spec's errors only, and the
// process must still decode a clean image afterwards.
//
//   node test/stress/image-fuzz.js [--count N] [--seed S] [--format NAME]
//
// --count is the mutations per format (default 10000 × STRESS_SCALE or
// --scale); test/image-fuzz.test.js
// runs a small count in `npm test`. Prints one JSON line per format and
// exits non-zero on an unexpected error, a hang or a wrong clean decode.
const fs = require('node:fs');
const path = require('node:path');
const { ImageDecoder } = require('../..');
const { option, random, scaled, withTimeout } = require('./fuzz-common');

const DIR = path.join(__dirname, '..', 'fixtures', 'images');
const FORMATS = {
  jpeg: ['image/jpeg', ['four-colors.jpg', 'four-colors-limited-range-420-8bpc.jpg', 'quad-444.jpg', 'quad-orient6.jpg']],
  png: ['image/png', ['four-colors.png', 'pattern.png', 'anim.png']],
  gif: ['image/gif', ['four-colors.gif', 'four-colors-flip.gif', 'animated-zero-delay.gif']],
  webp: ['image/webp', ['four-colors.webp', 'quad-lossy.webp', 'alpha-lossy.webp', 'anim.webp', 'anim-alpha.webp']],
  avif: ['image/avif', ['four-colors.avif', 'four-colors-flip.avif', 'four-colors-full-range-hlg-420-10bpc.avif', 'alpha.avif', 'grid.avif']],
  bmp: ['image/bmp', ['quad-24.bmp', 'quad-32.bmp']],
};
// What a corrupt image may give: frames, or the errors the spec names for it.
const ALLOWED = new Set(['EncodingError', 'RangeError', 'InvalidStateError']);

function mutate(rand, inputs) {
  const int = (n) => Math.floor(rand() * n);
  const src = inputs[int(inputs.length)];
  let out = Uint8Array.from(src);
  const kind = int(7);
  switch (kind) {
    case 0: // bit flips
      for (let n = 1 + int(8); n > 0; n--) {
        const i = int(out.length);
        out[i] ^= 1 << int(8);
      }
      break;
    case 1: { // a run of random bytes
      const at = int(out.length);
      for (let i = at; i < Math.min(out.length, at + 1 + int(32)); i++) out[i] = int(256);
      break;
    }
    case 2: // truncation
      out = out.slice(0, int(out.length));
      break;
    case 3: { // the head of one image and the tail of another
      const other = inputs[int(inputs.length)];
      out = Uint8Array.from([...src.subarray(0, int(src.length)), ...other.subarray(int(other.length))]);
      break;
    }
    case 4: { // inserted bytes
      const at = int(out.length);
      const junk = Array.from({ length: 1 + int(64) }, () => int(256));
      out = Uint8Array.from([...out.subarray(0, at), ...junk, ...out.subarray(at)]);
      break;
    }
    case 5: { // a duplicated range
      const a = int(out.length);
      const b = Math.min(out.length, a + int(512));
      out = Uint8Array.from([...out.subarray(0, b), ...out.subarray(a, b), ...out.subarray(b)]);
      break;
    }
    default: { // a length or size field made absurd: four bytes of 0xff somewhere in the first 64
      const at = int(Math.min(60, Math.max(1, out.length - 4)));
      out.fill(0xff, at, at + 4);
    }
  }
  return out;
}

function stream(bytes, rand) {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const n = 1 + Math.floor(rand() * 700);
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

/** Decodes what it can of one input; returns 'frames', an allowed error name, or throws. */
async function attempt(type, bytes, rand) {
  if (bytes.length === 0) return 'empty';
  const decoder = new ImageDecoder({ type, data: rand() < 0.5 ? bytes : stream(bytes, rand) });
  try {
    await decoder.tracks.ready;
    const track = decoder.tracks.selectedTrack;
    await decoder.completed;
    const n = Math.min(track.frameCount, 6);
    for (let i = 0; i < n; i++) {
      const { image } = await decoder.decode({ frameIndex: i });
      image.close();
    }
    return 'frames';
  } catch (error) {
    if (!ALLOWED.has(error?.name)) throw error;
    return error.name;
  } finally {
    decoder.close();
  }
}

async function main() {
  const count = Number(option('count', scaled(10000, 20)));
  const seed = Number(option('seed', 1));
  const only = option('format', null);
  let failed = false;
  for (const [format, [type, files]] of Object.entries(FORMATS)) {
    if (only && only !== format) continue;
    const inputs = files.map((f) => new Uint8Array(fs.readFileSync(path.join(DIR, f))));
    const rand = random(seed * 7919 + format.length);
    const outcomes = {};
    const t0 = Date.now();
    for (let n = 0; n < count; n++) {
      const bytes = mutate(rand, inputs);
      try {
        const outcome = await withTimeout(attempt(type, bytes, rand), `${format} input ${n}`);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (error) {
        failed = true;
        const file = path.join(require('node:os').tmpdir(), `image-fuzz-${format}-${seed}-${n}`);
        fs.writeFileSync(file, bytes);
        console.error(`${format} input ${n} (saved as ${file}): ${error?.name}: ${error?.message}`);
        if (String(error?.message).startsWith('hang')) break;
      }
    }
    // The decoder still works on a clean image.
    const clean = await attempt(type, inputs[0], () => 0.9);
    if (clean !== 'frames') {
      failed = true;
      console.error(`${format}: the clean image gave ${clean} after the mutations`);
    }
    console.log(JSON.stringify({ format, seed, count, ms: Date.now() - t0, outcomes, clean }));
  }
  process.exit(failed ? 1 : 0);
}

main();
