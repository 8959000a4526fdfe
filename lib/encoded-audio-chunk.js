'use strict';
const { defineChunk } = require('./encoded-video-chunk');

const audio = defineChunk('EncodedAudioChunk');

module.exports = { EncodedAudioChunk: audio.cls, audioChunkBytes: audio.bytesOf, audioChunkOf: audio.fromOutput };
