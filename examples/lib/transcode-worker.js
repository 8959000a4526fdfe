'use strict';
// One transcode per call, run by examples/parallel.js in a Piscina worker:
// each worker thread loads the addon once and runs its own pipeline.
const mediabunny = require('mediabunny');
require('../../lib/polyfill'); // require('webcodecs-native/polyfill') in your project

const { Input, Output, Conversion, ALL_FORMATS, FilePathSource, FilePathTarget, WebMOutputFormat, Mp4OutputFormat } = mediabunny;

module.exports = async function transcode({ from, to, video, audio }) {
  const t0 = performance.now();
  const input = new Input({ source: new FilePathSource(from), formats: ALL_FORMATS });
  const output = new Output({ format: to.endsWith('.mp4') ? new Mp4OutputFormat() : new WebMOutputFormat(), target: new FilePathTarget(to) });
  const conversion = await Conversion.init({ input, output, video: { codec: video, forceTranscode: true }, audio: { codec: audio, forceTranscode: true } });
  if (!conversion.isValid) throw new Error(`${from}: ${conversion.discardedTracks.map((d) => d.reason).join(', ')}`);
  await conversion.execute();
  return { to, ms: performance.now() - t0 };
};
