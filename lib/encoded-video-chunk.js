'use strict';
const webidl = require('./webidl');
const { typeError, domException } = require('./errors');

const TYPES = ['key', 'delta'];

/**
 * Takes the chunk's bytes: a copy, or (when the buffer is listed in
 * `transfer`) the buffer itself, detaching the caller's. Shared by the chunk
 * constructors.
 */
function adoptBytes(data, transfer, from) {
  const bytes = webidl.bufferSource(data, 'data');
  const list = transfer === undefined ? [] : webidl.sequence(transfer, 'transfer', (b, m) => {
    if (!(b instanceof ArrayBuffer)) throw typeError(`Expected an ArrayBuffer for \`${m}\``, from);
    return b;
  });
  if (new Set(list).size !== list.length) throw domException('`transfer` lists the same ArrayBuffer twice', 'DataCloneError', from);
  if (list.some(webidl.isDetached)) throw domException('`transfer` lists a detached ArrayBuffer', 'DataCloneError', from);
  let own;
  if (list.includes(bytes.buffer)) {
    const { byteOffset, byteLength } = bytes;
    const moved = structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
    own = new Uint8Array(moved, byteOffset, byteLength);
  } else {
    own = new Uint8Array(bytes);
  }
  for (const b of list) if (!webidl.isDetached(b)) structuredClone(b, { transfer: [b] });
  return own;
}

/** Copies `bytes` into a BufferSource destination (`copyTo`). */
function copyBytesTo(bytes, destination, from) {
  const dest = webidl.bytesOf(destination);
  if (!dest) throw typeError('Expected an ArrayBuffer or ArrayBufferView for `destination`', from);
  if (dest.byteLength < bytes.byteLength) {
    throw typeError(`\`destination\` has ${dest.byteLength} bytes but the chunk needs ${bytes.byteLength}`, from);
  }
  dest.set(bytes);
}

/**
 * Makes an encoded chunk interface (EncodedVideoChunk, EncodedAudioChunk):
 * the class, and a library-internal reader of a chunk's bytes (no copy;
 * null for anything that is not one of its chunks).
 */
function defineChunk(name) {
  let bytesOf;
  const cls = class {
    #type;
    #timestamp;
    #duration;
    #data;

    constructor(init) {
      const d = webidl.dictionary(init, `${name}Init`);
      this.#type = webidl.enumeration(webidl.required(d, 'type', `${name}Init`), 'type', TYPES);
      this.#timestamp = webidl.longLong(webidl.required(d, 'timestamp', `${name}Init`), 'timestamp');
      this.#duration = d.duration === undefined ? null : webidl.unsignedLongLong(d.duration, 'duration');
      webidl.required(d, 'data', `${name}Init`);
      this.#data = adoptBytes(d.data, d.transfer, new.target);
    }

    get type() { return this.#type; }
    get timestamp() { return this.#timestamp; }
    get duration() { return this.#duration; }
    get byteLength() { return this.#data.byteLength; }

    copyTo(destination) {
      copyBytesTo(this.#data, destination, this.copyTo);
    }

    get [Symbol.toStringTag]() { return name; }

    static {
      bytesOf = (chunk) => (chunk !== null && typeof chunk === 'object' && #data in chunk ? chunk.#data : null);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return { cls, bytesOf };
}

const video = defineChunk('EncodedVideoChunk');

module.exports = { EncodedVideoChunk: video.cls, chunkBytes: video.bytesOf, defineChunk, adoptBytes, copyBytesTo };
