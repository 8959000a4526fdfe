'use strict';
// WebIDL conversions used by the dictionaries. Every message names the member,
// what was expected and what came.
const { typeError } = require('./errors');

function describe(value) {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' || typeof value === 'function') return Object.prototype.toString.call(value);
  return String(value);
}

function toNumber(value, member) {
  if (typeof value === 'symbol' || typeof value === 'bigint') {
    throw typeError(`Expected a number for \`${member}\` but received ${typeof value}`);
  }
  return Number(value);
}

/** [EnforceRange] integer types: finite, truncated, within [min, max]. */
function enforceRange(value, member, min, max, what) {
  const n = toNumber(value, member);
  if (!Number.isFinite(n)) throw typeError(`Expected ${what} for \`${member}\` but received ${describe(value)}`);
  const x = Math.trunc(n) || 0;
  if (x < min || x > max) throw typeError(`Expected ${what} for \`${member}\` but received ${describe(value)}`);
  return x;
}

/** An unsigned integer type without [EnforceRange]: NaN and infinities are 0, others wrap modulo `size`. */
function modulo(value, member, size) {
  const n = toNumber(value, member);
  if (!Number.isFinite(n)) return 0;
  return ((Math.trunc(n) % size) + size) % size;
}

const unsignedShortModulo = (v, m) => modulo(v, m, 2 ** 16);
const unsignedLongModulo = (v, m) => modulo(v, m, 2 ** 32);

const unsignedLong = (v, m) => enforceRange(v, m, 0, 0xffffffff, 'an unsigned long (0 to 4294967295)');
const unsignedShort = (v, m) => enforceRange(v, m, 0, 0xffff, 'an unsigned short (0 to 65535)');
const longLong = (v, m) => enforceRange(v, m, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'an integer');
const unsignedLongLong = (v, m) => enforceRange(v, m, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');

/** `double` (not unrestricted): finite. */
function double(value, member) {
  const n = toNumber(value, member);
  if (!Number.isFinite(n)) throw typeError(`Expected a finite number for \`${member}\` but received ${describe(value)}`);
  return n;
}

function boolean(value) {
  return Boolean(value);
}

function domString(value, member) {
  if (typeof value === 'symbol') throw typeError(`Expected a string for \`${member}\` but received a symbol`);
  return String(value);
}

function enumeration(value, member, allowed) {
  const s = domString(value, member);
  if (!allowed.includes(s)) {
    throw typeError(`Expected one of ${allowed.map((a) => `"${a}"`).join(', ')} for \`${member}\` but received ${describe(value)}`);
  }
  return s;
}

/** A dictionary argument: undefined/null become {}, other non-objects are a TypeError. */
function dictionary(value, name) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw typeError(`Expected an object for ${name} but received ${describe(value)}`);
  }
  return value;
}

function required(dict, member, dictName) {
  const value = dict[member];
  if (value === undefined) throw typeError(`Required member \`${member}\` is missing from ${dictName}`);
  return value;
}

function isDetached(buffer) {
  if (!(buffer instanceof ArrayBuffer)) return false;
  if ('detached' in ArrayBuffer.prototype) return buffer.detached;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * AllowSharedBufferSource → a Uint8Array over the same memory (no copy).
 * Returns null for anything that is not a buffer source.
 */
function bytesOf(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

function bufferSource(value, member) {
  const bytes = bytesOf(value);
  if (!bytes) throw typeError(`Expected an ArrayBuffer, SharedArrayBuffer or ArrayBufferView for \`${member}\` but received ${describe(value)}`);
  return bytes;
}

/**
 * A dictionary as WebIDL converts it to a JavaScript object: members in
 * lexicographic order (the order every browser returns them in), nested
 * dictionaries likewise. Only plain objects are dictionaries here; buffers
 * and class instances are values.
 */
function ordered(dict) {
  const out = {};
  for (const key of Object.keys(dict).sort()) {
    const value = dict[key];
    out[key] = value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype ? ordered(value) : value;
  }
  return out;
}

/** A sequence<T> from any iterable. */
function sequence(value, member, convert) {
  if (value === null || typeof value !== 'object' || typeof value[Symbol.iterator] !== 'function') {
    throw typeError(`Expected a sequence for \`${member}\` but received ${describe(value)}`);
  }
  return Array.from(value, (item, i) => convert(item, `${member}[${i}]`));
}

module.exports = {
  describe,
  unsignedLong,
  unsignedShort,
  unsignedShortModulo,
  unsignedLongModulo,
  longLong,
  unsignedLongLong,
  double,
  boolean,
  domString,
  enumeration,
  dictionary,
  required,
  bufferSource,
  bytesOf,
  isDetached,
  sequence,
  ordered,
};
