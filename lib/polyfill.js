'use strict';
// Installs the WebCodecs classes on globalThis where they are missing.
const webcodecs = require('./index');

for (const name of ['VideoEncoder', 'VideoDecoder', 'VideoFrame', 'EncodedVideoChunk', 'VideoColorSpace', 'AudioEncoder', 'AudioDecoder', 'AudioData', 'EncodedAudioChunk', 'ImageDecoder', 'ImageTrackList', 'ImageTrack']) {
  if (globalThis[name] === undefined) {
    Object.defineProperty(globalThis, name, { value: webcodecs[name], writable: true, configurable: true, enumerable: false });
  }
}

module.exports = webcodecs;
