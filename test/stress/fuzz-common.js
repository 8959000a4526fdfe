'use strict';
// What the seeded fuzz runs under test/stress share: command-line options,
// a small seeded generator, and a bound on how long one input may take.

const TIMEOUT_MS = 20000;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

/** The size knob of every stress run: --scale, else STRESS_SCALE, else 1. */
const SCALE = Number(option('scale', process.env.STRESS_SCALE || 1));

/** `n` scaled by SCALE, at least `min`. */
const scaled = (n, min = 1) => Math.max(min, Math.round(n * SCALE));

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `promise`, or a rejection naming `what` as a hang after TIMEOUT_MS. */
function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A run made of named steps: `step(label, name, fn)` runs `fn` (unless
 * --part picks another), prints one JSON line with its figures or its error,
 * and keeps going; `finish()` prints every failure and exits non-zero if
 * there was one. `label` is {part: n} or {codec: name}.
 */
function steps() {
  const only = option('part', null);
  const problems = [];
  async function step(label, name, fn) {
    if (only !== null && label.part !== undefined && Number(only) !== label.part) return;
    const started = Date.now();
    try {
      const figures = await fn();
      console.log(JSON.stringify({ ...label, name, ok: true, ...figures, ms: Date.now() - started }));
    } catch (e) {
      problems.push(`${name}: ${e.stack || e}`);
      console.log(JSON.stringify({ ...label, name, ok: false, error: String(e), ms: Date.now() - started }));
    }
  }
  function finish() {
    if (problems.length) {
      console.error(problems.join('\n\n'));
      process.exit(1);
    }
  }
  return { step, finish };
}

module.exports = { TIMEOUT_MS, SCALE, option, scaled, random, steps, withTimeout };
