'use strict';
// ImageDecoder, ImageTrackList and ImageTrack. The bytes (a buffer at once,
// or a stream piece by piece) go to a codec thread that walks and decodes
// them; this file holds the spec's state: the tracks, the pending decode
// promises, `complete`, and the ready/completed promises.
const { Readable } = require('node:stream');
const native = require('./native');
const webidl = require('./webidl');
const { typeError, domException, fromNative } = require('./errors');
const { CodecCore, codecOps } = require('./codec-base');
const { frameFromNative } = require('./video-frame');

const OPS = codecOps('image');
const PREMULTIPLY = ['none', 'premultiply', 'default'];
const COLOR_CONVERSION = ['none', 'default'];
const INTERNAL = Symbol('internal');

/** A promise the library settles; never an unhandled rejection when nobody listens. */
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  let settled = false;
  return {
    promise,
    get settled() { return settled; },
    resolve(value) { if (!settled) { settled = true; resolve(value); } },
    reject(error) { if (!settled) { settled = true; reject(error); } },
  };
}

/**
 * A MIME type's essence, lowercased ("valid image MIME type": type/subtype
 * of HTTP token characters, the type being "image"), or null.
 */
function imageMimeType(value) {
  const match = /^[\t\n\r ]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\/([!#$%&'*+.^_`|~0-9A-Za-z-]+)[\t\n\r ]*(;.*)?$/s.exec(value);
  if (match === null || match[1].toLowerCase() !== 'image') return null;
  return { essence: `${match[1]}/${match[2]}`.toLowerCase(), parameters: match[3] !== undefined };
}

function isReadableStream(value) {
  return typeof ReadableStream !== 'undefined' && value instanceof ReadableStream;
}

function isNodeReadable(value) {
  return value instanceof Readable || (value !== null && typeof value === 'object' && typeof value.pipe === 'function' && typeof value.read === 'function');
}

class ImageTrack {
  #list;
  #index;
  #info;
  #selected;

  constructor(key, list, index, info, selected) {
    if (key !== INTERNAL) throw new TypeError('Illegal constructor');
    this.#list = list;
    this.#index = index;
    this.#info = info;
    this.#selected = selected;
  }

  get animated() { return this.#info.animated; }
  get frameCount() { return this.#info.frameCount; }
  get repetitionCount() { return this.#info.repetitionCount; }
  get selected() { return this.#selected; }

  set selected(value) {
    const selected = webidl.boolean(value);
    if (this.#selected === selected) return;
    ImageTrackList.select(this.#list, selected ? this.#index : -1);
  }

  get [Symbol.toStringTag]() { return 'ImageTrack'; }

  static update(track, info) { track.#info = info; }
  static mark(track, selected) { track.#selected = selected; }
}

class ImageTrackList {
  #tracks = [];
  #selectedIndex = -1;
  #ready = deferred();
  #onSelect;

  constructor(key, onSelect) {
    if (key !== INTERNAL) throw new TypeError('Illegal constructor');
    this.#onSelect = onSelect;
  }

  get ready() { return this.#ready.promise; }
  get length() { return this.#tracks.length; }
  get selectedIndex() { return this.#selectedIndex; }
  get selectedTrack() { return this.#selectedIndex === -1 ? null : this.#tracks[this.#selectedIndex]; }

  get [Symbol.toStringTag]() { return 'ImageTrackList'; }

  /** "Establish Tracks". */
  static establish(list, tracks, selected) {
    list.#tracks = tracks.map((info, i) => new ImageTrack(INTERNAL, list, i, info, i === selected));
    list.#selectedIndex = selected;
    list.#tracks.forEach((track, i) => Object.defineProperty(list, i, { value: track, enumerable: true, configurable: true }));
    list.#ready.resolve(undefined);
  }

  static update(list, index, info) {
    const track = list.#tracks[index];
    if (track !== undefined) ImageTrack.update(track, info);
  }

  static select(list, index) {
    if (list.#onSelect() === false) return;
    if (list.#selectedIndex !== -1) ImageTrack.mark(list.#tracks[list.#selectedIndex], false);
    list.#selectedIndex = index;
    if (index !== -1) ImageTrack.mark(list.#tracks[index], true);
    list.#onSelect(index);
  }

  /** Closing: ready rejects if the tracks never came; the list empties. */
  static close(list, exception) {
    list.#ready.reject(exception);
    for (let i = 0; i < list.#tracks.length; i++) delete list[i];
    list.#tracks = [];
    list.#selectedIndex = -1;
  }
}

class ImageDecoder {
  #core;
  #type;
  #tracks;
  #complete = false;
  #completed = deferred();
  #closed = false;
  #established = false;
  #decodes = new Map();
  #nextDecode = 1;
  #reader = null;

  constructor(init) {
    const d = webidl.dictionary(init, 'ImageDecoderInit');
    const typeValue = webidl.domString(webidl.required(d, 'type', 'ImageDecoderInit'), 'type');
    const data = webidl.required(d, 'data', 'ImageDecoderInit');
    const premultiplyAlpha = d.premultiplyAlpha === undefined ? 'default' : webidl.enumeration(d.premultiplyAlpha, 'premultiplyAlpha', PREMULTIPLY);
    if (d.colorSpaceConversion !== undefined) webidl.enumeration(d.colorSpaceConversion, 'colorSpaceConversion', COLOR_CONVERSION);
    const desiredWidth = d.desiredWidth === undefined ? undefined : webidl.unsignedLong(d.desiredWidth, 'desiredWidth');
    const desiredHeight = d.desiredHeight === undefined ? undefined : webidl.unsignedLong(d.desiredHeight, 'desiredHeight');
    const preferAnimation = d.preferAnimation === undefined ? undefined : webidl.boolean(d.preferAnimation);
    const transfer = d.transfer === undefined ? [] : webidl.sequence(d.transfer, 'transfer', (value, member) => {
      if (!(value instanceof ArrayBuffer)) throw typeError(`Expected an ArrayBuffer for \`${member}\` but received ${webidl.describe(value)}`);
      return value;
    });

    // "valid ImageDecoderInit"
    const mime = imageMimeType(typeValue);
    if (mime === null) throw typeError(`\`type\` must be an image MIME type, but received ${webidl.describe(typeValue)}`);
    let bytes = null;
    if (isReadableStream(data)) {
      if (data.locked) throw typeError('`data` is a locked ReadableStream');
    } else if (isNodeReadable(data)) {
      if (data.readableDidRead || data.destroyed) throw typeError('`data` is a Readable that was already read from');
    } else {
      bytes = webidl.bytesOf(data);
      if (bytes === null) throw typeError(`Expected a BufferSource or ReadableStream for \`data\` but received ${webidl.describe(data)}`);
      if (webidl.isDetached(bytes.buffer) || bytes.byteLength === 0) throw typeError('`data` is detached or empty');
    }
    if ((desiredWidth === undefined) !== (desiredHeight === undefined)) throw typeError('`desiredWidth` and `desiredHeight` must be given together');
    if (new Set(transfer).size !== transfer.length) throw domException('`transfer` lists the same ArrayBuffer twice', 'DataCloneError');
    if (transfer.some((b) => webidl.isDetached(b))) throw domException('`transfer` holds a detached ArrayBuffer', 'DataCloneError');

    this.#type = mime.essence;
    this.#tracks = new ImageTrackList(INTERNAL, (index) => this.#select(index));
    this.#core = new CodecCore({ dispatchEvent() {} }, OPS, (error) => this.#fail(error), (out) => this.#output(out));

    // Types this build decodes; anything else closes the decoder (not a throw).
    const supported = !mime.parameters && native.imageTypeSupported(mime.essence);
    if (supported) {
      this.#core.configure({ type: mime.essence, premultiplyAlpha, preferAnimation });
    }
    if (bytes !== null) {
      if (supported) this.#core.send((h) => native.imageAppend(h, bytes));
      this.#complete = true;
      if (supported) this.#core.send((h) => native.imageEnd(h));
    }
    // The transfer list is detached whether or not the data was in it.
    for (const buffer of transfer) structuredClone(buffer, { transfer: [buffer] });
    if (!supported) {
      queueMicrotask(() => this.#close(domException(`Image type "${typeValue}" is not supported`, 'NotSupportedError')));
      return;
    }
    if (bytes === null) this.#pump(data);
  }

  get type() { return this.#closed ? '' : this.#type; }
  get complete() { return this.#complete; }
  get completed() { return this.#completed.promise; }
  get tracks() { return this.#tracks; }

  decode(options) {
    try {
      const d = webidl.dictionary(options, 'ImageDecodeOptions');
      const frameIndex = d.frameIndex === undefined ? 0 : webidl.unsignedLong(d.frameIndex, 'frameIndex');
      const completeFramesOnly = d.completeFramesOnly === undefined ? true : webidl.boolean(d.completeFramesOnly);
      if (this.#closed) throw domException('The decoder has been closed', 'InvalidStateError');
      if (this.#established && this.#tracks.selectedIndex === -1) throw domException('No track is selected', 'InvalidStateError');
      const track = this.#tracks.selectedTrack;
      if (this.#complete && this.#established && track !== null && frameIndex >= track.frameCount) {
        throw new RangeError(`The frame index provided (${frameIndex}) is outside the range [0, ${track.frameCount})`);
      }
      const id = this.#nextDecode++;
      const request = deferred();
      this.#decodes.set(id, request);
      this.#core.send((h) => native.imageDecode(h, id, frameIndex, completeFramesOnly));
      return request.promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  reset() {
    this.#abort(domException('Aborted by reset()', 'AbortError'));
  }

  close() {
    this.#close(domException('Aborted by close()', 'AbortError'));
  }

  static isTypeSupported(type) {
    try {
      const mime = imageMimeType(webidl.domString(type, 'type'));
      return Promise.resolve(mime !== null && !mime.parameters && native.imageTypeSupported(mime.essence));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get [Symbol.toStringTag]() { return 'ImageDecoder'; }

  /** Feeds a ReadableStream (or Node Readable) to the decoder piece by piece. */
  async #pump(stream) {
    const reader = isReadableStream(stream) ? stream.getReader() : stream[Symbol.asyncIterator]();
    this.#reader = reader;
    try {
      for (;;) {
        const { done, value } = await (reader.read ? reader.read() : reader.next());
        if (this.#closed) return;
        if (done) break;
        const bytes = webidl.bytesOf(value);
        if (bytes === null) throw typeError(`The stream gave ${webidl.describe(value)}, not bytes`);
        if (bytes.byteLength > 0) this.#core.send((h) => native.imageAppend(h, bytes));
      }
      this.#complete = true;
      this.#core.send((h) => native.imageEnd(h));
    } catch (error) {
      if (!this.#closed) this.#close(domException(`Reading the image data failed: ${error?.message ?? error}`, 'NotReadableError'));
    }
  }

  #select(index) {
    if (index === undefined) return !this.#closed;
    this.#abort(domException('Aborted by a track selection change', 'AbortError'));
    this.#core.send((h) => native.imageSelect(h, index));
    return true;
  }

  #output(out) {
    if (out.tracks !== undefined) {
      this.#established = true;
      ImageTrackList.establish(this.#tracks, out.tracks, out.selected);
    } else if (out.track !== undefined) {
      ImageTrackList.update(this.#tracks, out.track, { animated: out.animated, frameCount: out.frameCount, repetitionCount: out.repetitionCount });
    } else if (out.completed) {
      this.#completed.resolve(undefined);
    } else if (out.handle !== undefined) {
      const request = this.#decodes.get(out.id);
      if (request === undefined) {
        native.frameClose(out.handle);
        return;
      }
      this.#decodes.delete(out.id);
      const image = frameFromNative(out, { rotation: out.rotation, flip: out.flip });
      request.resolve({ complete: out.complete, image });
    } else if (out.error !== undefined) {
      const request = this.#decodes.get(out.id);
      this.#decodes.delete(out.id);
      request?.reject(fromNative(out.error));
    }
  }

  /** "Reset ImageDecoder": pending decodes reject with `exception`. */
  #abort(exception) {
    if (this.#closed) return;
    const pending = [...this.#decodes.values()];
    this.#decodes.clear();
    if (pending.length > 0) this.#core.send((h) => native.imageAbandon(h));
    for (const request of pending) request.reject(exception);
  }

  /** The codec thread failed (corrupt data): "Close ImageDecoder" with its error. */
  #fail(error) {
    this.#close(error, false);
  }

  /** "Close ImageDecoder" with `exception`. */
  #close(exception, closeCore = true) {
    if (this.#closed) return;
    const pending = [...this.#decodes.values()];
    this.#decodes.clear();
    for (const request of pending) request.reject(exception);
    this.#closed = true;
    if (closeCore) this.#core.close();
    if (this.#reader !== null) {
      const reader = this.#reader;
      this.#reader = null;
      Promise.resolve(reader.cancel ? reader.cancel(exception) : reader.return?.()).catch(() => {});
    }
    ImageTrackList.close(this.#tracks, exception);
    // Every byte had arrived: the data is complete even though it could not be decoded.
    if (this.#complete) this.#completed.resolve(undefined);
    else this.#completed.reject(exception);
    this.#complete = true;
  }
}

module.exports = { ImageDecoder, ImageTrackList, ImageTrack };
