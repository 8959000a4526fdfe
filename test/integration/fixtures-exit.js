'use strict';
// Child scripts for exit.test.js, selected by argv[2].
const webcodecs = require('../..');
const { VideoEncoder, VideoDecoder } = webcodecs;
const { patternFrame } = require('../helpers');

const CONFIG = { codec: 'avc1.42001f', width: 160, height: 120, framerate: 30 };

switch (process.argv[2]) {
  case 'unclosed': {
    // Configured codecs that are never closed must not keep the process alive.
    const encoder = new VideoEncoder({ output() {}, error() {} });
    encoder.configure(CONFIG);
    const decoder = new VideoDecoder({ output() {}, error() {} });
    decoder.configure({ codec: 'avc1.42001f' });
    globalThis.keep = [encoder, decoder];
    process.on('exit', () => console.log('exited'));
    break;
  }
  case 'fire-and-forget': {
    // Encodes and flushes without awaiting or keeping a reference; every output still arrives.
    let outputs = 0;
    let flushed = false;
    const encoder = new VideoEncoder({ output: () => outputs++, error: (e) => console.log('error', e.name) });
    encoder.configure(CONFIG);
    for (let i = 0; i < 20; i++) {
      const f = patternFrame(160, 120, i, i);
      encoder.encode(f);
      f.close();
    }
    encoder.flush().then(() => {
      flushed = true;
    });
    process.on('exit', () => console.log(JSON.stringify({ outputs, flushed })));
    break;
  }
  default:
    throw new Error(`unknown case ${process.argv[2]}`);
}
