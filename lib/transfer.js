'use strict';
// Frames, audio and chunks across worker_threads. Node cannot make our
// classes structured-cloneable, so a pair of functions stands in for the
// spec's serialization:
//
//   const value = toTransferable(frame);          // closes `frame` (the spec's transfer)
//   worker.postMessage(value, value.transfer);
//   // in the worker:
//   const frame = fromTransferable(message);
//
// A VideoFrame's pixels are not copied: a reference to them waits in the
// addon's process-wide table under an id, which the receiving thread takes
// (once). The value carries a MessagePort whose other end the sender keeps:
// when the port closes - the receiver took the frame, the message was never
// delivered (the worker ended), or the value was never posted and was
// garbage-collected - whatever was not taken is released. An AudioData's
// samples move as their ArrayBuffer (transferred, not copied, when no other
// AudioData shares them); chunks travel as a copy of their bytes.
// `toTransferable(x, {clone: true})` leaves the source open (for a frame,
// both then share the same pixels).
const { MessageChannel } = require('node:worker_threads');
const native = require('./native');
const webidl = require('./webidl');
const { typeError, domException } = require('./errors');
const { VideoFrame, frameHandle, frameState, frameFromParts, metadataInit } = require('./video-frame');
const { AudioData, audioDataState } = require('./audio-data');
const { EncodedVideoChunk } = require('./encoded-video-chunk');
const { EncodedAudioChunk } = require('./encoded-audio-chunk');

/** The sender's ends of the ports of parked frames, until they close. */
const waiting = new Set();

/** Values never posted: their port is closed when they are collected (a posted port's close is a no-op here). */
const unposted = new FinalizationRegistry((port) => port.close());

function park(handle) {
  const id = native.transferPark(handle);
  const { port1, port2 } = new MessageChannel();
  waiting.add(port1);
  port1.once('close', () => {
    native.transferDrop(id);
    waiting.delete(port1);
  });
  // Waiting for a receiver must not keep the process alive.
  port1.unref();
  return { id, port: port2 };
}

function toTransferable(value, options) {
  const d = webidl.dictionary(options, 'options');
  const clone = webidl.boolean(d.clone);
  if (value instanceof VideoFrame) {
    const handle = frameHandle(value);
    if (handle === null) throw domException('A closed VideoFrame cannot be transferred', 'DataCloneError', toTransferable);
    const { visible, colorSpace, timestamp, duration, rotation, flip, metadata } = frameState(value);
    const { id, port } = park(handle);
    const out = {
      webcodecs: 'VideoFrame',
      id,
      format: value.format,
      codedWidth: value.codedWidth,
      codedHeight: value.codedHeight,
      visibleRect: { ...visible },
      displayWidth: value.displayWidth,
      displayHeight: value.displayHeight,
      timestamp,
      duration,
      colorSpace: colorSpace && { ...colorSpace },
      rotation,
      flip,
      metadata: { ...metadata },
      port,
      transfer: [port],
    };
    unposted.register(out, port);
    if (!clone) value.close();
    return out;
  }
  if (value instanceof AudioData) {
    const { state, timestamp } = audioDataState(value);
    if (state === null) throw domException('A closed AudioData cannot be transferred', 'DataCloneError', toTransferable);
    const { bytes } = state;
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const exclusive = (state.holders ?? 1) === 1 && !clone;
    // Moving needs the buffer to be ours alone; otherwise a copy travels.
    const data = whole && exclusive ? bytes.buffer : bytes.slice().buffer;
    // A buffer that travels is no longer ours to reuse once closed.
    if (data === bytes.buffer) state.recyclable = false;
    const out = {
      webcodecs: 'AudioData',
      format: state.format,
      sampleRate: state.sampleRate,
      numberOfFrames: state.frames,
      numberOfChannels: state.channels,
      timestamp,
      data,
      transfer: [data],
    };
    if (!clone) value.close();
    return out;
  }
  for (const [Chunk, name] of [[EncodedVideoChunk, 'EncodedVideoChunk'], [EncodedAudioChunk, 'EncodedAudioChunk']]) {
    if (value instanceof Chunk) {
      const data = new ArrayBuffer(value.byteLength);
      value.copyTo(data);
      return { webcodecs: name, type: value.type, timestamp: value.timestamp, duration: value.duration, data, transfer: [data] };
    }
  }
  throw typeError(`Expected a VideoFrame, AudioData, EncodedVideoChunk or EncodedAudioChunk but received ${webidl.describe(value)}`, toTransferable);
}

function fromTransferable(value) {
  const kind = value !== null && typeof value === 'object' ? value.webcodecs : undefined;
  switch (kind) {
    case 'VideoFrame': {
      const handle = native.transferTake(value.id);
      // Closing our end tells the sender nothing is left to release.
      if (value.port && typeof value.port.close === 'function') value.port.close();
      if (handle === undefined) throw domException('This VideoFrame was received already, or released', 'DataCloneError', fromTransferable);
      const { x, y, width, height } = value.visibleRect;
      return frameFromParts({
        handle,
        format: value.format,
        codedWidth: value.codedWidth,
        codedHeight: value.codedHeight,
        visible: { x, y, width, height },
        displayWidth: value.displayWidth,
        displayHeight: value.displayHeight,
        timestamp: value.timestamp,
        duration: value.duration,
        colorSpace: value.colorSpace,
        rotation: value.rotation,
        flip: value.flip,
        metadata: metadataInit(value.metadata),
      });
    }
    case 'AudioData':
      return new AudioData({
        format: value.format,
        sampleRate: value.sampleRate,
        numberOfFrames: value.numberOfFrames,
        numberOfChannels: value.numberOfChannels,
        timestamp: value.timestamp,
        data: value.data,
        transfer: [value.data],
      });
    case 'EncodedVideoChunk':
    case 'EncodedAudioChunk': {
      const Chunk = kind === 'EncodedVideoChunk' ? EncodedVideoChunk : EncodedAudioChunk;
      const init = { type: value.type, timestamp: value.timestamp, data: value.data, transfer: [value.data] };
      if (value.duration !== null && value.duration !== undefined) init.duration = value.duration;
      return new Chunk(init);
    }
    default:
      throw typeError(`Expected a value made by toTransferable() but received ${webidl.describe(value)}`, fromTransferable);
  }
}

module.exports = { toTransferable, fromTransferable };
