'use strict';
const native = require('./native');
const webidl = require('./webidl');
const { typeError, domException } = require('./errors');
const { CodecCore, codecOps, checkSupport, callback, defineCodecMembers } = require('./codec-base');
const { frameFromNative } = require('./video-frame');
const { chunkBytes } = require('./encoded-video-chunk');
const { colorSpaceInit } = require('./video-color-space');

const HARDWARE = ['no-preference', 'prefer-hardware', 'prefer-software'];

const OPS = codecOps('decoder');

/** VideoDecoderConfig → its clone (recognised members, description copied). Throws TypeError when not valid. */
function parseConfig(value) {
  const d = webidl.dictionary(value, 'VideoDecoderConfig');
  const c = {};
  c.codec = webidl.domString(webidl.required(d, 'codec', 'VideoDecoderConfig'), 'codec');
  if (d.description !== undefined) {
    const bytes = webidl.bufferSource(d.description, 'description');
    if (webidl.isDetached(bytes.buffer)) throw typeError('`description` is detached');
    c.description = bytes.slice().buffer;
  }
  for (const key of ['codedWidth', 'codedHeight', 'displayAspectWidth', 'displayAspectHeight']) {
    if (d[key] !== undefined) c[key] = webidl.unsignedLong(d[key], key);
  }
  if (d.colorSpace !== undefined) c.colorSpace = colorSpaceInit(d.colorSpace);
  c.hardwareAcceleration = d.hardwareAcceleration === undefined ? 'no-preference' : webidl.enumeration(d.hardwareAcceleration, 'hardwareAcceleration', HARDWARE);
  if (d.optimizeForLatency !== undefined) c.optimizeForLatency = webidl.boolean(d.optimizeForLatency);
  c.rotation = d.rotation === undefined ? 0 : webidl.double(d.rotation, 'rotation');
  c.flip = webidl.boolean(d.flip);
  // "valid VideoDecoderConfig"
  if (c.codec.trim() === '') throw typeError('`codec` must not be empty');
  if ((c.codedWidth === undefined) !== (c.codedHeight === undefined)) throw typeError('`codedWidth` and `codedHeight` must be given together');
  if (c.codedWidth === 0 || c.codedHeight === 0) throw typeError('`codedWidth` and `codedHeight` must be non-zero');
  if ((c.displayAspectWidth === undefined) !== (c.displayAspectHeight === undefined)) {
    throw typeError('`displayAspectWidth` and `displayAspectHeight` must be given together');
  }
  if (c.displayAspectWidth === 0 || c.displayAspectHeight === 0) throw typeError('`displayAspectWidth` and `displayAspectHeight` must be non-zero');
  return c;
}

/** The addon's view of a config: description as bytes. */
function nativeConfig(c) {
  return { ...c, description: c.description === undefined ? undefined : new Uint8Array(c.description) };
}

/** A copy of a config for users (isConfigSupported): the description copied again. */
function cloneConfig(c) {
  const out = { ...c };
  if (c.description !== undefined) out.description = c.description.slice(0);
  // VideoColorSpaceInit's members are nullable: absent ones are echoed as null.
  if (c.colorSpace !== undefined) out.colorSpace = { ...c.colorSpace };
  return out;
}

class VideoDecoder extends EventTarget {
  #core;
  #output;
  #config = null;
  #keyChunkRequired = true;

  constructor(init) {
    super();
    const d = webidl.dictionary(init, 'VideoDecoderInit');
    this.#output = callback(webidl.required(d, 'output', 'VideoDecoderInit'), 'output');
    const error = callback(webidl.required(d, 'error', 'VideoDecoderInit'), 'error');
    this.#core = new CodecCore(this, OPS, error, (out) => this.#emit(out));
  }

  configure(config) {
    const parsed = parseConfig(config);
    // Chrome's AV1 decoder (dav1d) takes two chunks at once, its others one.
    this.#core.configure(nativeConfig(parsed), parsed, parsed.codec.startsWith('av01.') ? 2 : 1);
    this.#config = parsed;
    this.#keyChunkRequired = true;
  }

  decode(chunk) {
    const bytes = chunkBytes(chunk);
    if (bytes === null) throw typeError(`Expected an EncodedVideoChunk but received ${webidl.describe(chunk)}`, this.decode);
    this.#core.requireState('configured', 'decode');
    if (this.#keyChunkRequired) {
      if (chunk.type !== 'key') throw domException('A key frame is required after configure() and flush()', 'DataError', this.decode);
      const description = this.#config.description === undefined ? null : new Uint8Array(this.#config.description);
      if (!native.isKeyChunk(this.#config.codec, description, bytes)) throw domException('The chunk is marked key but its bitstream is not a key frame', 'DataError', this.decode);
      this.#keyChunkRequired = false;
    }
    const { timestamp, duration } = chunk;
    this.#core.enqueue((h) => native.decoderDecode(h, bytes, timestamp, duration));
  }

  flush() {
    const promise = this.#core.flush();
    if (this.#core.state === 'configured') this.#keyChunkRequired = true;
    return promise;
  }

  #emit(out) {
    this.#core.callback(this.#output, frameFromNative(out, this.#core.active));
  }

  static isConfigSupported(config) {
    const parse = (c) => {
      const parsed = parseConfig(c);
      return { native: nativeConfig(parsed), clone: cloneConfig(parsed) };
    };
    return checkSupport(config, parse, native.decoderSupport);
  }

  get [Symbol.toStringTag]() { return 'VideoDecoder'; }
}

// state, decodeQueueSize, flush(), reset(), close() and ondequeue are the same for every codec.
defineCodecMembers(VideoDecoder, 'decodeQueueSize');

module.exports = { VideoDecoder };
