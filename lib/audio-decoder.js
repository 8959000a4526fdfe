'use strict';
const native = require('./native');
const webidl = require('./webidl');
const { typeError, domException } = require('./errors');
const { CodecCore, codecOps, checkSupport, callback, defineCodecMembers, scalars } = require('./codec-base');
const { audioDataFromNative, takeSpare } = require('./audio-data');
const { audioChunkBytes } = require('./encoded-audio-chunk');

const OPS = codecOps('audioDecoder');

/** AudioDecoderConfig → its clone (recognised members, description copied). Throws TypeError when not valid. */
function parseConfig(value) {
  const d = webidl.dictionary(value, 'AudioDecoderConfig');
  const c = {};
  c.codec = webidl.domString(webidl.required(d, 'codec', 'AudioDecoderConfig'), 'codec');
  if (d.description !== undefined) {
    const bytes = webidl.bufferSource(d.description, 'description');
    if (webidl.isDetached(bytes.buffer)) throw typeError('`description` is detached');
    c.description = bytes.slice().buffer;
  }
  c.numberOfChannels = webidl.unsignedLong(webidl.required(d, 'numberOfChannels', 'AudioDecoderConfig'), 'numberOfChannels');
  c.sampleRate = webidl.unsignedLong(webidl.required(d, 'sampleRate', 'AudioDecoderConfig'), 'sampleRate');
  // "valid AudioDecoderConfig"
  if (c.codec.trim() === '') throw typeError('`codec` must not be empty');
  if (c.sampleRate === 0) throw typeError('`sampleRate` must be non-zero');
  if (c.numberOfChannels === 0) throw typeError('`numberOfChannels` must be non-zero');
  return c;
}

/** The addon's view of a config: description as bytes. */
function nativeConfig(c) {
  return { ...c, description: c.description === undefined ? undefined : new Uint8Array(c.description) };
}

class AudioDecoder extends EventTarget {
  #core;
  #output;
  #keyChunkRequired = true;

  constructor(init) {
    super();
    const d = webidl.dictionary(init, 'AudioDecoderInit');
    this.#output = callback(webidl.required(d, 'output', 'AudioDecoderInit'), 'output');
    const error = callback(webidl.required(d, 'error', 'AudioDecoderInit'), 'error');
    this.#core = new CodecCore(this, OPS, error, (out) => this.#emit(out), { spare: takeSpare });
  }

  configure(config) {
    const parsed = parseConfig(config);
    this.#core.configure(nativeConfig(parsed));
    this.#keyChunkRequired = true;
  }

  decode(chunk) {
    const bytes = audioChunkBytes(chunk);
    if (bytes === null) throw typeError(`Expected an EncodedAudioChunk but received ${webidl.describe(chunk)}`, this.decode);
    this.#core.requireState('configured', 'decode');
    if (this.#keyChunkRequired) {
      if (chunk.type !== 'key') throw domException('A key chunk is required after configure() and flush()', 'DataError', this.decode);
      this.#keyChunkRequired = false;
    }
    const { timestamp } = chunk;
    this.#core.enqueue((h) => native.audioDecoderDecode(h, bytes, timestamp));
  }

  flush() {
    const promise = this.#core.flush();
    if (this.#core.state === 'configured') this.#keyChunkRequired = true;
    return promise;
  }

  #emit(data) {
    // The output's numbers, as the addon left them (codec-base.js's scalars).
    const output = audioDataFromNative(scalars[0], scalars[1], scalars[2], scalars[3], scalars[4], data);
    this.#core.callback(this.#output, output);
  }

  static isConfigSupported(config) {
    const parse = (c) => {
      const parsed = parseConfig(c);
      const clone = { ...parsed };
      if (parsed.description !== undefined) clone.description = parsed.description.slice(0);
      return { native: nativeConfig(parsed), clone };
    };
    return checkSupport(config, parse, native.audioDecoderSupport);
  }

  get [Symbol.toStringTag]() { return 'AudioDecoder'; }
}

// state, decodeQueueSize, flush(), reset(), close() and ondequeue are the same for every codec.
defineCodecMembers(AudioDecoder, 'decodeQueueSize');

module.exports = { AudioDecoder };
