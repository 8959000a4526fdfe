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
  // The common case, nothing to transfer: one copy and nothing else.
  if (transfer === undefined) return new Uint8Array(bytes);
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

/** Lets the library make chunks of an encoder's output without converting them again. */
const OWN = Symbol('encoder output');

/**
 * Makes an encoded chunk interface (EncodedVideoChunk, EncodedAudioChunk):
 * the class, a library-internal reader of a chunk's bytes (no copy; null for
 * anything that is not one of its chunks), and a library-internal maker of a
 * chunk from an encoder's output, whose members are already what the
 * constructor would make of them and whose ArrayBuffer nothing else holds.
 */
function defineChunk(name) {
  let bytesOf;
  const cls = class {
    #type;
    #timestamp;
    #duration;
    #data;

    constructor(init, own = undefined) {
      if (own === OWN) {
        this.#type = init.type;
        this.#timestamp = init.timestamp;
        this.#duration = init.duration ?? null;
        this.#data = new Uint8Array(init.data);
        return;
      }
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
  const fromOutput = (type, timestamp, duration, buffer) => new cls({ type, timestamp, duration, data: buffer }, OWN);
  return { cls, bytesOf, fromOutput };
}

const video = defineChunk('EncodedVideoChunk');

module.exports = { EncodedVideoChunk: video.cls, chunkBytes: video.bytesOf, videoChunkOf: video.fromOutput, defineChunk, adoptBytes, copyBytesTo };
