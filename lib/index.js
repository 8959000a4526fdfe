'use strict';
const { VideoFrame } = require('./video-frame');
const { VideoColorSpace } = require('./video-color-space');
const { EncodedVideoChunk } = require('./encoded-video-chunk');
const { VideoEncoder } = require('./video-encoder');
const { VideoDecoder } = require('./video-decoder');
const native = require('./native');

module.exports = {
  VideoEncoder,
  VideoDecoder,
  VideoFrame,
  EncodedVideoChunk,
  VideoColorSpace,
  /** What this binary was built with. */
  buildInfo: Object.freeze({ ffmpeg: native.ffmpegVersion() }),
};
