'use strict';
const native = require('./native');
const webidl = require('./webidl');
const { typeError } = require('./errors');
const { CodecCore, codecOps, checkSupport, callback, defineCodecMembers, scalars, ENCODER_CAPACITY } = require('./codec-base');
const { audioDataSamples } = require('./audio-data');
const { audioChunkOf } = require('./encoded-audio-chunk');

const BITRATE_MODES = ['constant', 'variable'];
const OPUS_FORMATS = ['opus', 'ogg'];
const OPUS_SIGNALS = ['auto', 'music', 'voice'];
const OPUS_APPLICATIONS = ['voip', 'audio', 'lowdelay'];
const AAC_FORMATS = ['aac', 'adts'];

const OPS = codecOps('audioEncoder');

/**
 * OpusEncoderConfig → its clone with the registration's defaults, and
 * Chrome's complexity (9) when none is given. As in Chrome
 * (test/oracle/audio-exactness.js), a frameDuration is valid when it is a
 * multiple of 2.5 ms up to 120 ms; one libopus has no frame for (30 ms) is
 * then valid but unsupported here.
 */
function opusConfig(value) {
  const o = webidl.dictionary(value, '`opus`');
  const c = {};
  c.format = o.format === undefined ? 'opus' : webidl.enumeration(o.format, 'opus.format', OPUS_FORMATS);
  c.signal = o.signal === undefined ? 'auto' : webidl.enumeration(o.signal, 'opus.signal', OPUS_SIGNALS);
  c.application = o.application === undefined ? 'audio' : webidl.enumeration(o.application, 'opus.application', OPUS_APPLICATIONS);
  c.frameDuration = o.frameDuration === undefined ? 20000 : webidl.unsignedLongLong(o.frameDuration, 'opus.frameDuration');
  c.complexity = o.complexity === undefined ? 9 : webidl.unsignedLong(o.complexity, 'opus.complexity');
  c.packetlossperc = o.packetlossperc === undefined ? 0 : webidl.unsignedLong(o.packetlossperc, 'opus.packetlossperc');
  c.useinbandfec = webidl.boolean(o.useinbandfec);
  c.usedtx = webidl.boolean(o.usedtx);
  // The Opus registration's validity rules.
  if (c.complexity > 10) throw typeError(`opus.complexity must be 0 to 10, got ${c.complexity}`);
  if (c.packetlossperc > 100) throw typeError(`opus.packetlossperc must be 0 to 100, got ${c.packetlossperc}`);
  if (c.frameDuration < 2500 || c.frameDuration > 120000 || c.frameDuration % 2500 !== 0) {
    throw typeError(`opus.frameDuration must be a multiple of 2500 from 2500 to 120000 (microseconds), got ${c.frameDuration}`);
  }
  return c;
}

/** FlacEncoderConfig → its clone with the registration's defaults. */
function flacConfig(value) {
  const o = webidl.dictionary(value, '`flac`');
  const c = {
    blockSize: o.blockSize === undefined ? 0 : webidl.unsignedLong(o.blockSize, 'flac.blockSize'),
    compressLevel: o.compressLevel === undefined ? 5 : webidl.unsignedLong(o.compressLevel, 'flac.compressLevel'),
  };
  return c;
}

/**
 * AudioEncoderConfig → `{clone, native}`: the recognised members as the
 * specification clones them, and the normalised config for the addon.
 * Throws TypeError when the config is not *valid*.
 */
function parseConfig(value) {
  const d = webidl.dictionary(value, 'AudioEncoderConfig');
  const clone = {};
  clone.codec = webidl.domString(webidl.required(d, 'codec', 'AudioEncoderConfig'), 'codec');
  clone.sampleRate = webidl.unsignedLong(webidl.required(d, 'sampleRate', 'AudioEncoderConfig'), 'sampleRate');
  clone.numberOfChannels = webidl.unsignedLong(webidl.required(d, 'numberOfChannels', 'AudioEncoderConfig'), 'numberOfChannels');
  if (d.bitrate !== undefined) clone.bitrate = webidl.unsignedLongLong(d.bitrate, 'bitrate');
  clone.bitrateMode = d.bitrateMode === undefined ? 'variable' : webidl.enumeration(d.bitrateMode, 'bitrateMode', BITRATE_MODES);
  if (d.opus !== undefined) clone.opus = opusConfig(d.opus);
  if (d.aac !== undefined) {
    const aac = webidl.dictionary(d.aac, '`aac`');
    clone.aac = { format: aac.format === undefined ? 'aac' : webidl.enumeration(aac.format, 'aac.format', AAC_FORMATS) };
  }
  if (d.flac !== undefined) clone.flac = flacConfig(d.flac);
  // "valid AudioEncoderConfig"
  if (clone.codec.trim() === '') throw typeError('`codec` must not be empty');
  if (clone.sampleRate === 0) throw typeError('`sampleRate` must be non-zero');
  if (clone.numberOfChannels === 0) throw typeError('`numberOfChannels` must be non-zero');
  const native = {
    ...clone,
    opus: clone.opus ?? opusConfig(undefined),
    aac: clone.aac ?? { format: 'aac' },
    flac: clone.flac ?? flacConfig(undefined),
  };
  return { clone, native };
}

class AudioEncoder extends EventTarget {
  #core;
  #output;

  constructor(init) {
    super();
    const d = webidl.dictionary(init, 'AudioEncoderInit');
    this.#output = callback(webidl.required(d, 'output', 'AudioEncoderInit'), 'output');
    const error = callback(webidl.required(d, 'error', 'AudioEncoderInit'), 'error');
    this.#core = new CodecCore(this, OPS, error, (out) => this.#emit(out), { capacity: ENCODER_CAPACITY });
  }

  configure(config) {
    this.#core.configure(parseConfig(config).native);
  }

  encode(data) {
    const input = audioDataSamples(data);
    if (input === null) throw typeError(`Expected an AudioData but received ${webidl.describe(data)}`, this.encode);
    if (input.closed) throw typeError('The AudioData is closed (detached)', this.encode);
    this.#core.requireState('configured', 'encode');
    // The addon copies the samples now ("Clone AudioData"), so the caller may
    // close the data at once; converting them is the codec thread's work.
    const { bytes, formatIndex, frames, channels, sampleRate, timestamp } = input;
    this.#core.enqueue((h) => native.audioEncoderEncode(h, bytes, formatIndex, frames, channels, sampleRate, timestamp));
  }

  #emit(out) {
    // An ArrayBuffer, or {data, decoderConfig} when the decoder config is
    // new; the timestamp and duration are in codec-base.js's scalars. The
    // addon's buffer is this chunk's alone: no copy, no transfer.
    const chunk = audioChunkOf('key', scalars[0], scalars[1], out instanceof ArrayBuffer ? out : out.data);
    const metadata = {};
    if (!(out instanceof ArrayBuffer)) {
      const { codec, sampleRate, numberOfChannels, description } = out.decoderConfig;
      const config = { codec, sampleRate, numberOfChannels };
      if (description !== undefined) config.description = description;
      metadata.decoderConfig = webidl.ordered(config);
    }
    this.#core.callback(this.#output, chunk, metadata);
  }

  static isConfigSupported(config) {
    return checkSupport(config, parseConfig, native.audioEncoderSupport);
  }

  get [Symbol.toStringTag]() { return 'AudioEncoder'; }
}

// state, encodeQueueSize, flush(), reset(), close() and ondequeue are the same for every codec.
defineCodecMembers(AudioEncoder, 'encodeQueueSize');

module.exports = { AudioEncoder };
