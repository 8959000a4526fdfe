'use strict';
const native = require('./native');
const webidl = require('./webidl');
const { typeError, domException, fromNative } = require('./errors');
const { FORMATS, NAMES, RGB, OPAQUE, parseVisibleRect, planeLayouts, computeLayout, flatLayout, rectInit } = require('./pixel-format');
const { VideoColorSpace, colorSpaceInit, SRGB, REC709 } = require('./video-color-space');
const { adoptBytes } = require('./encoded-video-chunk');

/** DOMRectReadOnly as VideoFrame returns it (Node has no DOM geometry). */
class DOMRectReadOnly {
  #x; #y; #width; #height;
  constructor(x = 0, y = 0, width = 0, height = 0) {
    this.#x = x; this.#y = y; this.#width = width; this.#height = height;
  }
  get x() { return this.#x; }
  get y() { return this.#y; }
  get width() { return this.#width; }
  get height() { return this.#height; }
  get top() { return Math.min(this.#y, this.#y + this.#height); }
  get right() { return Math.max(this.#x, this.#x + this.#width); }
  get bottom() { return Math.max(this.#y, this.#y + this.#height); }
  get left() { return Math.min(this.#x, this.#x + this.#width); }
  toJSON() { return { x: this.#x, y: this.#y, width: this.#width, height: this.#height, top: this.top, right: this.right, bottom: this.bottom, left: this.left }; }
  get [Symbol.toStringTag]() { return 'DOMRectReadOnly'; }
}

/** "Parse Rotation": the nearest multiple of 90 (ties up), in [0, 360). */
function parseRotation(value) {
  const r = webidl.double(value, 'rotation');
  const aligned = Math.floor(r / 90 + 0.5) * 90;
  return aligned - Math.floor(aligned / 360) * 360;
}

/** "Add Rotations": a rotation added to a flipped frame turns the other way. */
function addRotations(baseRotation, baseFlip, rotation) {
  const combined = baseFlip ? baseRotation - rotation : baseRotation + rotation;
  return combined - Math.floor(combined / 360) * 360;
}

/** Display size of a rect: swapped when the frame is rotated a quarter turn. */
const orientedSize = (rect, rotation) => (rotation % 180 === 0 ? [rect.width, rect.height] : [rect.height, rect.width]);

function displaySize(d, fallback) {
  const hasW = d.displayWidth !== undefined;
  const hasH = d.displayHeight !== undefined;
  if (hasW !== hasH) throw typeError('`displayWidth` and `displayHeight` must be given together');
  if (!hasW) return fallback;
  const w = webidl.unsignedLong(d.displayWidth, 'displayWidth');
  const h = webidl.unsignedLong(d.displayHeight, 'displayHeight');
  if (w === 0 || h === 0) throw typeError(`\`displayWidth\` and \`displayHeight\` must be non-zero, got ${w}x${h}`);
  return [w, h];
}

// VideoFrameMetadata has the members of the VideoFrame Metadata Registry:
// `rtpTimestamp` (an unsigned long). WebIDL's conversion of a dictionary
// leaves any other member out; Chrome keeps none of them either.
function metadataInit(value) {
  const { rtpTimestamp } = webidl.dictionary(value, '`metadata`');
  return rtpTimestamp === undefined ? {} : { rtpTimestamp: webidl.unsignedLongModulo(rtpTimestamp, 'metadata.rtpTimestamp') };
}

// Library-internal accessors, set by VideoFrame's static block.
let scaledDisplaySize;
let initFrame;
let frameHandle;
let frameState;

/** Lets the library construct a blank frame for a decoder output. */
const INTERNAL = Symbol('internal');

// A frame the collector takes while it is still open held its pixels (a
// decoder's buffers, often) until then. As Chrome does, say so, here once
// per process, as a Node warning that `process.on('warning')` can watch.
let leakReported = false;
const openFrames = new FinalizationRegistry(() => {
  if (leakReported) return;
  leakReported = true;
  process.emitWarning('A VideoFrame was garbage-collected while still open; its memory was held until then. Call close() on every frame once it is no longer needed.', {
    code: 'WEBCODECS_VIDEOFRAME_NOT_CLOSED',
  });
});

class VideoFrame {
  #handle = null;
  #format = null;
  #codedWidth = 0;
  #codedHeight = 0;
  #visible = null;
  #displayWidth = 0;
  #displayHeight = 0;
  #timestamp = 0;
  #duration = null;
  #colorSpace = null;
  #rotation = 0;
  #flip = false;
  #metadata = {};

  constructor(source, init) {
    if (source === INTERNAL) return;
    if (source instanceof VideoFrame) {
      this.#fromFrame(source, init);
      return;
    }
    const bytes = webidl.bytesOf(source);
    if (!bytes) {
      throw typeError('VideoFrame needs a VideoFrame or a BufferSource with a VideoFrameBufferInit; image sources are not available in Node', VideoFrame);
    }
    this.#fromBuffer(bytes, init);
  }

  #fromBuffer(bytes, init) {
    const d = webidl.dictionary(init, 'VideoFrameBufferInit');
    const format = webidl.enumeration(webidl.required(d, 'format', 'VideoFrameBufferInit'), 'format', NAMES);
    const codedWidth = webidl.unsignedLong(webidl.required(d, 'codedWidth', 'VideoFrameBufferInit'), 'codedWidth');
    const codedHeight = webidl.unsignedLong(webidl.required(d, 'codedHeight', 'VideoFrameBufferInit'), 'codedHeight');
    const timestamp = webidl.longLong(webidl.required(d, 'timestamp', 'VideoFrameBufferInit'), 'timestamp');
    const duration = d.duration === undefined ? null : webidl.unsignedLongLong(d.duration, 'duration');
    const layout = d.layout === undefined ? undefined : planeLayouts(d.layout, 'layout');
    const rotation = d.rotation === undefined ? 0 : parseRotation(d.rotation);
    const flip = webidl.boolean(d.flip);
    const colorSpace = d.colorSpace === undefined ? null : colorSpaceInit(d.colorSpace);
    const metadata = metadataInit(d.metadata);
    // "valid VideoFrameBufferInit"
    if (codedWidth === 0 || codedHeight === 0) throw typeError(`\`codedWidth\` and \`codedHeight\` must be non-zero, got ${codedWidth}x${codedHeight}`, VideoFrame);
    const full = { x: 0, y: 0, width: codedWidth, height: codedHeight };
    const visible = parseVisibleRect(full, d.visibleRect, codedWidth, codedHeight, format, 'visibleRect');
    const [displayWidth, displayHeight] = displaySize(d, orientedSize(visible, rotation));
    // The buffer holds the whole coded frame; visibleRect selects part of it.
    const combined = computeLayout(full, format, layout);
    if (bytes.byteLength < combined.allocationSize) {
      throw typeError(`\`data\` has ${bytes.byteLength} bytes but a ${codedWidth}x${codedHeight} ${format} frame with this layout needs ${combined.allocationSize}`, VideoFrame);
    }
    const handle = native.frameFromBytes(bytes, format, codedWidth, codedHeight, flatLayout(combined.layout));
    if (d.transfer !== undefined) adoptBytes(new Uint8Array(0), d.transfer, VideoFrame);
    this.#assign({
      handle, format, codedWidth, codedHeight, visible, displayWidth, displayHeight, timestamp, duration,
      colorSpace: colorSpace ?? (RGB.has(format) ? SRGB : REC709), rotation, flip, metadata,
    });
  }

  #fromFrame(source, init) {
    if (source.#handle === null) throw domException('The source VideoFrame is closed', 'InvalidStateError', VideoFrame);
    const d = webidl.dictionary(init, 'VideoFrameInit');
    const timestamp = d.timestamp === undefined ? source.#timestamp : webidl.longLong(d.timestamp, 'timestamp');
    const duration = d.duration === undefined ? source.#duration : webidl.unsignedLongLong(d.duration, 'duration');
    const alpha = d.alpha === undefined ? 'keep' : webidl.enumeration(d.alpha, 'alpha', ['keep', 'discard']);
    const metadata = d.metadata === undefined ? { ...source.#metadata } : metadataInit(d.metadata);
    // "Initialize Visible Rect, Orientation, and Display Size", from the source's.
    const visible = parseVisibleRect(source.#visible, d.visibleRect, source.#codedWidth, source.#codedHeight, source.#format, 'visibleRect');
    const rotation = addRotations(source.#rotation, source.#flip, d.rotation === undefined ? 0 : parseRotation(d.rotation));
    const flip = source.#flip !== webidl.boolean(d.flip);
    const [displayWidth, displayHeight] = displaySize(d, scaledDisplaySize(source, visible, rotation));
    // alpha "discard": the frame reads as the format without alpha.
    const format = alpha === 'discard' ? OPAQUE[source.#format] ?? source.#format : source.#format;
    this.#assign({
      handle: native.frameClone(source.#handle), format, codedWidth: source.#codedWidth, codedHeight: source.#codedHeight,
      visible, displayWidth, displayHeight, timestamp, duration, colorSpace: source.#colorSpace, rotation, flip, metadata,
    });
  }

  #assign(p) {
    this.#handle = p.handle;
    openFrames.register(this, undefined, this);
    this.#format = p.format;
    this.#codedWidth = p.codedWidth;
    this.#codedHeight = p.codedHeight;
    this.#visible = p.visible;
    this.#displayWidth = p.displayWidth;
    this.#displayHeight = p.displayHeight;
    this.#timestamp = p.timestamp;
    this.#duration = p.duration;
    this.#colorSpace = p.colorSpace;
    this.#rotation = p.rotation;
    this.#flip = p.flip;
    this.#metadata = p.metadata ?? {};
  }

  get format() { return this.#format; }
  get codedWidth() { return this.#codedWidth; }
  get codedHeight() { return this.#codedHeight; }
  get codedRect() { return this.#handle === null ? null : new DOMRectReadOnly(0, 0, this.#codedWidth, this.#codedHeight); }
  get visibleRect() {
    const v = this.#visible;
    return this.#handle === null ? null : new DOMRectReadOnly(v.x, v.y, v.width, v.height);
  }
  get rotation() { return this.#rotation; }
  get flip() { return this.#flip; }
  get displayWidth() { return this.#displayWidth; }
  get displayHeight() { return this.#displayHeight; }
  get timestamp() { return this.#timestamp; }
  get duration() { return this.#duration; }
  get colorSpace() { return new VideoColorSpace(this.#colorSpace ?? {}); }

  metadata() {
    if (this.#handle === null) throw domException('The VideoFrame is closed', 'InvalidStateError', this.metadata);
    return structuredClone(this.#metadata);
  }

  /** "Parse VideoFrameCopyToOptions": the rect, the target format and its layout. */
  #copyLayout(options, from) {
    const o = webidl.dictionary(options, 'VideoFrameCopyToOptions');
    const format = o.format === undefined ? this.#format : webidl.enumeration(o.format, 'format', NAMES);
    const colorSpace = o.colorSpace === undefined ? 'srgb' : webidl.enumeration(o.colorSpace, 'colorSpace', ['srgb', 'display-p3']);
    if (format !== this.#format && !RGB.has(format)) {
      throw domException(`Converting ${this.#format} to ${format} is not supported; RGBA, RGBX, BGRA and BGRX are`, 'NotSupportedError', from);
    }
    const rect = parseVisibleRect(this.#visible, o.rect, this.#codedWidth, this.#codedHeight, this.#format, 'rect');
    const layout = o.layout === undefined ? undefined : planeLayouts(o.layout, 'layout');
    // RGB output is in the requested colour space: a copy in the frame's own
    // format is a plain copy only when no conversion is asked for.
    const convert = format !== this.#format || (RGB.has(format) && colorSpace === 'display-p3');
    return { rect, format, colorSpace, convert, ...computeLayout(rect, format, layout) };
  }

  allocationSize(options) {
    if (this.#handle === null) throw domException('The VideoFrame is closed', 'InvalidStateError', this.allocationSize);
    return this.#copyLayout(options, this.allocationSize).allocationSize;
  }

  copyTo(destination, options) {
    try {
      if (this.#handle === null) throw domException('The VideoFrame is closed', 'InvalidStateError', this.copyTo);
      const { rect, format, colorSpace, convert, layout, allocationSize } = this.#copyLayout(options, this.copyTo);
      const dest = webidl.bufferSource(destination, 'destination');
      if (dest.byteLength < allocationSize) {
        throw typeError(`\`destination\` has ${dest.byteLength} bytes but the copy needs ${allocationSize}`, this.copyTo);
      }
      const rectArray = [rect.x, rect.y, rect.width, rect.height];
      const result = layout.map((p) => ({ offset: p.offset, stride: p.stride }));
      if (!convert) {
        native.frameCopyTo(this.#handle, dest, rectArray, flatLayout(layout));
        return Promise.resolve(result);
      }
      // Conversion runs off the JavaScript thread; rows land in `dest` when it is done.
      const converted = new Promise((resolve) => native.frameToRgb(this.#handle, format, rectArray, this.#colorSpace, colorSpace, dest, layout[0].offset, layout[0].stride, resolve));
      return converted.then((error) => {
        if (error !== null) throw fromNative(error);
        return result;
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  clone() {
    if (this.#handle === null) throw domException('The VideoFrame is closed', 'InvalidStateError', this.clone);
    return new VideoFrame(this);
  }

  close() {
    if (this.#handle === null) return;
    native.frameClose(this.#handle);
    openFrames.unregister(this);
    this.#handle = null;
    this.#format = null;
    this.#codedWidth = this.#codedHeight = 0;
    this.#displayWidth = this.#displayHeight = 0;
    this.#rotation = 0;
    this.#flip = false;
    this.#metadata = {};
    this.#colorSpace = null; // reads as an empty VideoColorSpace, as in Chrome
  }

  get [Symbol.toStringTag]() { return 'VideoFrame'; }

  /** Library-internal: a frame around a native handle (see `frameFromNative`). */
  static #init(props) {
    const frame = new VideoFrame(INTERNAL);
    frame.#assign(props);
    return frame;
  }

  static {
    // Display size of a frame made from `source` showing `visible` at `rotation`:
    // the source's display-to-visible scale carries over (anamorphic frames).
    scaledDisplaySize = (source, visible, rotation) => {
      const v = source.#visible;
      const quarter = source.#rotation % 180 !== 0;
      const widthScale = (quarter ? source.#displayHeight : source.#displayWidth) / v.width;
      const heightScale = (quarter ? source.#displayWidth : source.#displayHeight) / v.height;
      const width = Math.round(visible.width * widthScale);
      const height = Math.round(visible.height * heightScale);
      return rotation % 180 === 0 ? [width, height] : [height, width];
    };
    initFrame = (props) => VideoFrame.#init(props);
    frameHandle = (frame) => (frame instanceof VideoFrame ? frame.#handle : undefined);
    frameState = (frame) => ({ visible: frame.#visible, colorSpace: frame.#colorSpace, timestamp: frame.#timestamp, duration: frame.#duration, rotation: frame.#rotation, flip: frame.#flip, metadata: frame.#metadata });
  }
}

/**
 * The colour space of a decoded frame, as Chrome picks it: the config's when
 * it names every member; otherwise what the bitstream signals; and BT.709
 * (in the stream's range) when neither says anything (test/oracle/vpx-stream-color.js).
 */
function decodedColorSpace(configured, stream) {
  if (configured && Object.values(configured).every((v) => v !== null)) return configured;
  if (configured === undefined && stream.primaries === null && stream.transfer === null && stream.matrix === null) {
    return { ...REC709, fullRange: stream.fullRange ?? false };
  }
  return stream;
}

/**
 * A VideoFrame around a decoder output ("Create a VideoFrame" for decoders):
 * display size from the config's aspect ratio, colour space from the config
 * or the bitstream, rotation and flip from the config.
 */
function frameFromNative(out, config) {
  const [x, y, width, height] = out.visibleRect;
  const visible = { x, y, width, height };
  let [displayWidth, displayHeight] = [width, height];
  if (config.displayAspectWidth !== undefined) {
    const aspect = config.displayAspectWidth / config.displayAspectHeight;
    if (aspect > width / height) displayWidth = Math.round(height * aspect);
    else displayHeight = Math.round(width / aspect);
  }
  const rotation = parseRotation(config.rotation ?? 0);
  if (rotation % 180 !== 0) [displayWidth, displayHeight] = [displayHeight, displayWidth];
  return initFrame({
    handle: out.handle,
    format: out.format,
    codedWidth: out.codedWidth,
    codedHeight: out.codedHeight,
    visible,
    displayWidth,
    displayHeight,
    timestamp: out.timestamp,
    duration: out.duration ?? null,
    colorSpace: decodedColorSpace(config.colorSpace, out.colorSpace),
    rotation,
    flip: config.flip ?? false,
  });
}

module.exports = {
  VideoFrame,
  DOMRectReadOnly,
  frameFromNative,
  frameFromParts: (props) => initFrame(props),
  frameHandle: (f) => frameHandle(f),
  frameState: (f) => frameState(f),
  metadataInit,
  rectInit,
  parseRotation,
  addRotations,
  FORMATS,
};
