'use strict';
const native = require('./native');
const webidl = require('./webidl');
const { typeError, domException } = require('./errors');
const { CodecCore, codecOps, checkSupport, callback, defineCodecMembers, ENCODER_CAPACITY } = require('./codec-base');
const { VideoFrame, frameHandle, frameState } = require('./video-frame');
const { videoChunkOf } = require('./encoded-video-chunk');

const HARDWARE = ['no-preference', 'prefer-hardware', 'prefer-software'];
const ALPHA = ['keep', 'discard'];
const BITRATE_MODES = ['constant', 'variable', 'quantizer'];
const LATENCY_MODES = ['quality', 'realtime'];
const AVC_FORMATS = ['annexb', 'avc'];
const HEVC_FORMATS = ['annexb', 'hevc'];

const OPS = codecOps('encoder');

/** The member of VideoEncoderEncodeOptions that holds a codec's options. */
function codecKey(codec) {
  if (/^(avc1|avc3)\./.test(codec)) return 'avc';
  if (/^(hvc1|hev1)\./.test(codec)) return 'hevc';
  if (codec.startsWith('vp09.')) return 'vp9';
  if (codec.startsWith('av01.')) return 'av1';
  return null;
}

/**
 * VideoEncoderConfig → `{clone, native}`: the recognised members as the
 * specification clones them, and the normalised config for the addon.
 * Throws TypeError when the config is not *valid*.
 */
function parseConfig(value) {
  const d = webidl.dictionary(value, 'VideoEncoderConfig');
  const clone = {};
  clone.codec = webidl.domString(webidl.required(d, 'codec', 'VideoEncoderConfig'), 'codec');
  clone.width = webidl.unsignedLong(webidl.required(d, 'width', 'VideoEncoderConfig'), 'width');
  clone.height = webidl.unsignedLong(webidl.required(d, 'height', 'VideoEncoderConfig'), 'height');
  if (d.displayWidth !== undefined) clone.displayWidth = webidl.unsignedLong(d.displayWidth, 'displayWidth');
  if (d.displayHeight !== undefined) clone.displayHeight = webidl.unsignedLong(d.displayHeight, 'displayHeight');
  if (d.bitrate !== undefined) clone.bitrate = webidl.unsignedLongLong(d.bitrate, 'bitrate');
  if (d.framerate !== undefined) clone.framerate = webidl.double(d.framerate, 'framerate');
  clone.hardwareAcceleration = d.hardwareAcceleration === undefined ? 'no-preference' : webidl.enumeration(d.hardwareAcceleration, 'hardwareAcceleration', HARDWARE);
  clone.alpha = d.alpha === undefined ? 'discard' : webidl.enumeration(d.alpha, 'alpha', ALPHA);
  if (d.scalabilityMode !== undefined) clone.scalabilityMode = webidl.domString(d.scalabilityMode, 'scalabilityMode');
  clone.bitrateMode = d.bitrateMode === undefined ? 'variable' : webidl.enumeration(d.bitrateMode, 'bitrateMode', BITRATE_MODES);
  clone.latencyMode = d.latencyMode === undefined ? 'quality' : webidl.enumeration(d.latencyMode, 'latencyMode', LATENCY_MODES);
  if (d.contentHint !== undefined) clone.contentHint = webidl.domString(d.contentHint, 'contentHint');
  if (d.avc !== undefined) {
    const avc = webidl.dictionary(d.avc, '`avc`');
    clone.avc = { format: avc.format === undefined ? 'avc' : webidl.enumeration(avc.format, 'avc.format', AVC_FORMATS) };
  }
  if (d.hevc !== undefined) {
    const hevc = webidl.dictionary(d.hevc, '`hevc`');
    clone.hevc = { format: hevc.format === undefined ? 'hevc' : webidl.enumeration(hevc.format, 'hevc.format', HEVC_FORMATS) };
  }
  // "valid VideoEncoderConfig"
  if (clone.codec.trim() === '') throw typeError('`codec` must not be empty');
  if (clone.width === 0 || clone.height === 0) throw typeError(`\`width\` and \`height\` must be non-zero, got ${clone.width}x${clone.height}`);
  if (clone.displayWidth === 0 || clone.displayHeight === 0) throw typeError('`displayWidth` and `displayHeight` must be non-zero');
  // As Chrome: display size both or neither, and no zero bitrate. (A
  // non-positive framerate is valid but unsupported.)
  if ((clone.displayWidth === undefined) !== (clone.displayHeight === undefined)) throw typeError('`displayWidth` and `displayHeight` must be given together');
  if (clone.bitrate === 0) throw typeError('`bitrate` must be non-zero');
  const native = {
    ...clone,
    displayWidth: clone.displayWidth ?? clone.width,
    displayHeight: clone.displayHeight ?? clone.height,
    // H.264 follows avc.format and HEVC hevc.format; the others have one framing.
    bitstreamFormat: /^(avc1|avc3)\./.test(clone.codec) ? clone.avc?.format ?? 'avc'
      : /^(hvc1|hev1)\./.test(clone.codec) ? clone.hevc?.format ?? 'hevc' : 'raw',
  };
  return { clone, native };
}

/**
 * The VideoDecoderConfig that describes an output ("Output EncodedVideoChunks"),
 * shaped as Chrome emits it. `active` is the configuration the output was
 * encoded under and the [[active orientation]] its first frame set.
 */
function decoderConfigOf(out, { config: active, orientation }) {
  const c = out.decoderConfig;
  const config = { codec: c.codec, codedWidth: c.codedWidth, codedHeight: c.codedHeight };
  if (active.displayWidth !== undefined) {
    config.displayAspectWidth = c.displayAspectWidth;
    config.displayAspectHeight = c.displayAspectHeight;
  }
  if (c.description !== undefined) config.description = c.description;
  if (Object.values(c.colorSpace).some((v) => v !== null)) config.colorSpace = { ...c.colorSpace };
  config.hardwareAcceleration = 'no-preference';
  config.rotation = orientation?.rotation ?? 0;
  config.flip = orientation?.flip ?? false;
  return webidl.ordered(config);
}

class VideoEncoder extends EventTarget {
  #core;
  #output;
  /** The latest configure()'s config and [[active orientation]]. */
  #configured = null;

  constructor(init) {
    super();
    const d = webidl.dictionary(init, 'VideoEncoderInit');
    this.#output = callback(webidl.required(d, 'output', 'VideoEncoderInit'), 'output');
    const error = callback(webidl.required(d, 'error', 'VideoEncoderInit'), 'error');
    this.#core = new CodecCore(this, OPS, error, (out) => this.#emit(out), { capacity: ENCODER_CAPACITY });
  }

  configure(config) {
    const parsed = parseConfig(config);
    this.#configured = { config: parsed.clone, orientation: null };
    this.#core.configure(parsed.native, this.#configured);
  }

  encode(frame, options) {
    if (!(frame instanceof VideoFrame)) throw typeError(`Expected a VideoFrame but received ${webidl.describe(frame)}`, this.encode);
    const handle = frameHandle(frame);
    if (handle === null) throw typeError('The VideoFrame is closed (detached)', this.encode);
    this.#core.requireState('configured', 'encode');
    const o = webidl.dictionary(options, 'VideoEncoderEncodeOptions');
    const keyFrame = webidl.boolean(o.keyFrame);
    // Per-codec options (`unsigned short? quantizer`, no [EnforceRange]): the
    // quantizer of the configured codec applies in bitrateMode "quantizer".
    // As Chrome: null counts as 0, and the core maps the value as Chrome does.
    const quantizers = {};
    for (const key of ['avc', 'hevc', 'vp9', 'av1']) {
      if (o[key] === undefined) continue;
      const per = webidl.dictionary(o[key], `\`${key}\``);
      if (per.quantizer !== undefined) quantizers[key] = per.quantizer === null ? 0 : webidl.unsignedShortModulo(per.quantizer, `${key}.quantizer`);
    }
    const active = this.#configured.config;
    const quantizer = active.bitrateMode === 'quantizer' ? quantizers[codecKey(active.codec)] : undefined;
    const { visible, colorSpace, timestamp, duration, rotation, flip } = frameState(frame);
    // [[active orientation]]: the first frame after configure() sets it; a
    // frame oriented otherwise cannot join the same stream.
    const orientation = this.#configured.orientation;
    if (orientation === null) {
      this.#configured.orientation = { rotation, flip };
    } else if (orientation.rotation !== rotation || orientation.flip !== flip) {
      throw domException(`The frame's orientation (rotation ${rotation}, flip ${flip}) differs from the first frame's (rotation ${orientation.rotation}, flip ${orientation.flip})`, 'DataError', this.encode);
    }
    const rect = [visible.x, visible.y, visible.width, visible.height];
    // The addon takes its own reference to the pixels ("Clone VideoFrame"), so
    // the caller may close the frame as soon as this returns.
    this.#core.enqueue((h) => native.encoderEncode(h, handle, rect, colorSpace, timestamp, duration, keyFrame, quantizer));
  }

  #emit(out) {
    // The addon's buffer is this chunk's alone: no copy, no transfer.
    const chunk = videoChunkOf(out.type, out.timestamp, out.duration, out.data);
    // EncodedVideoChunkMetadata's members, in WebIDL's (lexicographic) order.
    const metadata = {};
    if (out.alphaSideData !== undefined) metadata.alphaSideData = out.alphaSideData;
    if (out.decoderConfig !== undefined) metadata.decoderConfig = decoderConfigOf(out, this.#core.active);
    if (out.temporalLayerId !== undefined) metadata.svc = { temporalLayerId: out.temporalLayerId };
    this.#core.callback(this.#output, chunk, metadata);
  }

  static isConfigSupported(config) {
    return checkSupport(config, parseConfig, native.encoderSupport);
  }

  get [Symbol.toStringTag]() { return 'VideoEncoder'; }
}

// state, encodeQueueSize, flush(), reset(), close() and ondequeue are the same for every codec.
defineCodecMembers(VideoEncoder, 'encodeQueueSize');

module.exports = { VideoEncoder };
