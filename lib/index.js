'use strict';
const { VideoFrame } = require('./video-frame');
const { VideoColorSpace } = require('./video-color-space');
const { EncodedVideoChunk } = require('./encoded-video-chunk');
const { VideoEncoder } = require('./video-encoder');
const { VideoDecoder } = require('./video-decoder');
const { AudioData } = require('./audio-data');
const { EncodedAudioChunk } = require('./encoded-audio-chunk');
const { AudioEncoder } = require('./audio-encoder');
const { AudioDecoder } = require('./audio-decoder');
const { ImageDecoder, ImageTrackList, ImageTrack } = require('./image-decoder');
const native = require('./native');
const { toTransferable, fromTransferable } = require('./transfer');

/**
 * What the loaded binary was built with: FFmpeg and libavcodec versions, the
 * licence the binary is under ("lgpl" flavour: LGPL 2.1+; "gpl": GPL 2+, as
 * with x264 or a distribution's FFmpeg) and the FFmpeg encoders/decoders present.
 */
function buildInfo() {
  const info = native.buildInfo();
  const flavour = /\bLGPL\b/.test(info.license) ? 'lgpl' : /\bGPL\b/.test(info.license) ? 'gpl' : 'other';
  const libraries = Object.freeze(info.libraries.map((l) => Object.freeze(l)));
  return Object.freeze({ ...info, flavour, encoders: Object.freeze(info.encoders), decoders: Object.freeze(info.decoders), directEncoders: Object.freeze(info.directEncoders), libraries });
}

module.exports = {
  VideoEncoder,
  VideoDecoder,
  VideoFrame,
  EncodedVideoChunk,
  VideoColorSpace,
  AudioEncoder,
  AudioDecoder,
  AudioData,
  EncodedAudioChunk,
  ImageDecoder,
  ImageTrackList,
  ImageTrack,
  buildInfo: buildInfo(),
  toTransferable,
  fromTransferable,
};
