'use strict';
const webidl = require('./webidl');

const PRIMARIES = ['bt709', 'bt470bg', 'smpte170m', 'bt2020', 'smpte432'];
const TRANSFERS = ['bt709', 'smpte170m', 'iec61966-2-1', 'linear', 'pq', 'hlg'];
const MATRICES = ['rgb', 'bt709', 'bt470bg', 'smpte170m', 'bt2020-ncl'];

/** VideoColorSpaceInit → plain object with every member (null when absent). */
function colorSpaceInit(value, member = 'colorSpace') {
  const d = webidl.dictionary(value, `\`${member}\``);
  const opt = (key, allowed) => (d[key] === undefined || d[key] === null ? null : webidl.enumeration(d[key], `${member}.${key}`, allowed));
  return {
    primaries: opt('primaries', PRIMARIES),
    transfer: opt('transfer', TRANSFERS),
    matrix: opt('matrix', MATRICES),
    fullRange: d.fullRange === undefined || d.fullRange === null ? null : webidl.boolean(d.fullRange),
  };
}

class VideoColorSpace {
  #primaries;
  #transfer;
  #matrix;
  #fullRange;

  constructor(init = {}) {
    const c = colorSpaceInit(init, 'init');
    this.#primaries = c.primaries;
    this.#transfer = c.transfer;
    this.#matrix = c.matrix;
    this.#fullRange = c.fullRange;
  }

  get primaries() { return this.#primaries; }
  get transfer() { return this.#transfer; }
  get matrix() { return this.#matrix; }
  get fullRange() { return this.#fullRange; }

  toJSON() {
    // Dictionary members come out in lexicographic order.
    return { fullRange: this.#fullRange, matrix: this.#matrix, primaries: this.#primaries, transfer: this.#transfer };
  }

  get [Symbol.toStringTag]() { return 'VideoColorSpace'; }
}

/** The colour spaces "Pick Color Space" falls back to. */
const SRGB = Object.freeze({ primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true });
const REC709 = Object.freeze({ primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false });

module.exports = { VideoColorSpace, colorSpaceInit, SRGB, REC709 };
