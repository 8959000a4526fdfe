'use strict';
// Mediabunny resizes, crops, rotates and flips video (Conversion's width,
// height, fit, crop, rotate; VideoSample.transform) by drawing on a canvas,
// which Node does not have. It lets a library do that work instead
// (registerVideoSampleTransformer); this one does it natively, off the
// JavaScript thread, into a VideoFrame of the source's format family:
//
//   const mediabunny = require('mediabunny');
//   require('webcodecs-native/mediabunny').register(mediabunny);
//
// The geometry is the canvas's: the description's crop is in the rotated and
// flipped picture; `fill` stretches it over the output, `contain` centres it
// with black (or, when alpha is kept, transparent) bars, `cover` centres it
// and cuts what overflows. Scaling is bicubic, as the ffmpeg CLI's.
const native = require('./native');
const { VideoFrame, frameHandle, frameState, frameFromParts, addRotations } = require('./video-frame');
const { fromNative, typeError } = require('./errors');

/**
 * `rect`, given in a `baseWidth`x`baseHeight` picture turned clockwise by
 * `rotation` and then mirrored if `flip`, mapped back onto that picture.
 */
function unmap(rect, rotation, flip, baseWidth, baseHeight) {
  let { x, y, width, height } = rect;
  if (flip) x = (rotation % 180 === 0 ? baseWidth : baseHeight) - x - width;
  if (rotation === 90) [x, y, width, height] = [y, baseHeight - x - width, height, width];
  else if (rotation === 180) [x, y] = [baseWidth - x - width, baseHeight - y - height];
  else if (rotation === 270) [x, y, width, height] = [baseWidth - y - height, x, height, width];
  return { x, y, width, height };
}

/** [start, length] of the samples between `from` and `to` (scaled by `scale`), within 0..size, at least one. */
function span(from, to, scale, size) {
  const start = Math.min(size - 1, Math.max(0, Math.round(from * scale)));
  const end = Math.min(size, Math.max(start + 1, Math.round(to * scale)));
  return [start, end - start];
}

/**
 * What the native transform needs for `frame` and a Mediabunny transform
 * description: the source region in stored samples, the placement in the
 * output, and the rotation and flip from stored samples to the output.
 */
function geometry(frame, d) {
  const state = frameState(frame);
  const { width, height } = d;
  // Mediabunny's picture is the frame as displayed (its display size, its own
  // rotation and flip applied); the description turns that picture further.
  const [baseWidth, baseHeight] = [frame.displayWidth, frame.displayHeight];
  const [turnedWidth, turnedHeight] = d.rotation % 180 === 0 ? [baseWidth, baseHeight] : [baseHeight, baseWidth];
  let crop = d.crop ? { x: d.crop.left, y: d.crop.top, width: d.crop.width, height: d.crop.height } : { x: 0, y: 0, width: turnedWidth, height: turnedHeight };
  let place = { x: 0, y: 0, width, height };
  if (d.fit === 'contain') {
    const scale = Math.min(width / crop.width, height / crop.height);
    const w = Math.min(width, Math.max(1, Math.round(crop.width * scale)));
    const h = Math.min(height, Math.max(1, Math.round(crop.height * scale)));
    place = { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
  } else if (d.fit === 'cover') {
    // Only the middle of the crop fits: take that part of the source.
    const scale = Math.max(width / crop.width, height / crop.height);
    const [w, h] = [width / scale, height / scale];
    crop = { x: crop.x + (crop.width - w) / 2, y: crop.y + (crop.height - h) / 2, width: w, height: h };
  }
  // Back onto the displayed frame, then onto the frame before its own turn.
  const displayed = unmap(crop, d.rotation, d.flip, baseWidth, baseHeight);
  const [unturnedWidth, unturnedHeight] = state.rotation % 180 === 0 ? [baseWidth, baseHeight] : [baseHeight, baseWidth];
  const r = unmap(displayed, state.rotation, state.flip, unturnedWidth, unturnedHeight);
  // Display size to stored samples (anamorphic frames scale here).
  const v = state.visible;
  const [x, w] = span(r.x, r.x + r.width, v.width / unturnedWidth, v.width);
  const [y, h] = span(r.y, r.y + r.height, v.height / unturnedHeight, v.height);
  return {
    crop: [v.x + x, v.y + y, w, h],
    place: [place.x, place.y, place.width, place.height],
    // The frame's own orientation, then the description's.
    rotation: addRotations(state.rotation, state.flip, d.rotation),
    flip: state.flip !== d.flip,
  };
}

/**
 * A new VideoFrame of `description.width`x`height` showing `frame` as a
 * Mediabunny transform description says (fit, crop, rotation, flip, alpha).
 * Rejects with a TypeError for a description it cannot read and a
 * RangeError for sizes outside 1..16384.
 */
function transformFrame(frame, description) {
  return new Promise((resolve, reject) => {
    const handle = frameHandle(frame);
    if (handle === undefined) throw typeError('transformFrame needs a VideoFrame of this library');
    if (handle === null) throw typeError('The VideoFrame is closed');
    const d = description;
    if (d === null || typeof d !== 'object') throw typeError('The transform description must be an object');
    for (const key of ['width', 'height']) {
      if (!Number.isInteger(d[key]) || d[key] <= 0) throw typeError(`The transform's ${key} must be a positive integer, got ${d[key]}`);
    }
    if (![0, 90, 180, 270].includes(d.rotation ?? 0)) throw typeError(`The transform's rotation must be 0, 90, 180 or 270, got ${d.rotation}`);
    if (d.flip !== undefined && typeof d.flip !== 'boolean') throw typeError(`The transform's flip must be a boolean, got ${d.flip}`);
    if (d.fit !== undefined && !['fill', 'contain', 'cover'].includes(d.fit)) throw typeError(`The transform's fit must be fill, contain or cover, got ${d.fit}`);
    if (d.alpha !== undefined && d.alpha !== 'keep' && d.alpha !== 'discard') throw typeError(`The transform's alpha must be keep or discard, got ${d.alpha}`);
    if (d.crop !== undefined && d.crop !== null && !['left', 'top', 'width', 'height'].every((k) => Number.isFinite(d.crop[k]))) {
      throw typeError('The transform\'s crop needs finite left, top, width and height');
    }
    if (d.crop && (d.crop.width <= 0 || d.crop.height <= 0)) throw typeError('The transform\'s crop must not be empty');
    const g = geometry(frame, { ...d, rotation: d.rotation ?? 0, flip: d.flip === true, fit: d.fit ?? 'fill' });
    const state = frameState(frame);
    const keepAlpha = (d.alpha ?? 'keep') === 'keep';
    native.frameTransform(handle, g.crop, d.width, d.height, g.place, g.rotation, g.flip, keepAlpha, state.colorSpace?.fullRange === true, (answer) => {
      if (!Array.isArray(answer)) {
        reject(fromNative(answer));
        return;
      }
      const [out, format] = answer;
      resolve(frameFromParts({
        handle: out,
        format,
        codedWidth: d.width,
        codedHeight: d.height,
        visible: { x: 0, y: 0, width: d.width, height: d.height },
        displayWidth: d.width,
        displayHeight: d.height,
        timestamp: state.timestamp,
        duration: state.duration,
        colorSpace: state.colorSpace,
        rotation: 0,
        flip: false,
      }));
    });
  });
}

const transformers = new WeakMap();

/**
 * The transformer for `mediabunny` (the module, or an object with its
 * VideoSample class): a function Mediabunny calls with a sample and a
 * description, resolving to the transformed sample. Samples whose frames are
 * not this library's are left to Mediabunny (null).
 */
function createTransformer(mediabunny) {
  if (typeof mediabunny?.VideoSample !== 'function') throw typeError('createTransformer needs the mediabunny module (its VideoSample class)');
  const known = transformers.get(mediabunny);
  if (known) return known;
  const { VideoSample } = mediabunny;
  const transformer = async (sample, description) => {
    const frame = sample.toVideoFrame();
    if (!(frame instanceof VideoFrame)) {
      frame.close?.();
      return null;
    }
    try {
      const out = await transformFrame(frame, description);
      return new VideoSample(out, { timestamp: sample.timestamp, duration: sample.duration, rotation: 0, flip: false });
    } finally {
      frame.close();
    }
  };
  transformers.set(mediabunny, transformer);
  return transformer;
}

/** Registers the transformer with `mediabunny` (once); returns it. */
function register(mediabunny) {
  if (typeof mediabunny?.registerVideoSampleTransformer !== 'function') {
    throw typeError('This Mediabunny has no registerVideoSampleTransformer (it arrived in a later version)');
  }
  const transformer = createTransformer(mediabunny);
  mediabunny.registerVideoSampleTransformer(transformer);
  return transformer;
}

module.exports = { register, createTransformer, transformFrame };
