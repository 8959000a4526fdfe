'use strict';
// One constrained round trip: the main thread keeps blocking for 50 ms between
// awaits while the codec threads work. Prints a JSON summary.
const webcodecs = require('../..');
const { VideoEncoder, VideoDecoder } = webcodecs;
const { patternFrame } = require('../helpers');

const busy = (ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};
const tick = () => new Promise((r) => setImmediate(r));

async function main() {
  const n = 30;
  const config = { codec: 'avc1.42001f', width: 320, height: 240, bitrate: 500_000, framerate: 30 };
  const chunks = [];
  let decoderConfig;
  const encoder = new VideoEncoder({
    output: (c, m) => {
      chunks.push(c);
      decoderConfig ??= m.decoderConfig;
    },
    error: (e) => {
      throw e;
    },
  });
  encoder.configure(config);
  for (let i = 0; i < n; i++) {
    const f = patternFrame(320, 240, i, i * 1000);
    encoder.encode(f);
    f.close();
    if (i % 5 === 4) {
      await tick();
      busy(50);
    }
  }
  const encodeFlush = encoder.flush();
  busy(50);
  await encodeFlush;
  encoder.close();

  const frames = [];
  const decoder = new VideoDecoder({ output: (f) => frames.push(f.timestamp) && f.close(), error: (e) => { throw e; } });
  decoder.configure(decoderConfig);
  for (const [i, c] of chunks.entries()) {
    decoder.decode(c);
    if (i % 5 === 4) {
      await tick();
      busy(50);
    }
  }
  const decodeFlush = decoder.flush();
  busy(50);
  await decodeFlush;
  decoder.close();
  console.log(JSON.stringify({ chunks: chunks.length, frames: frames.length, ordered: frames.every((t, i) => t === i * 1000) }));
}

main();
