'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { EncodedVideoChunk } = require('..');

test('attributes and copyTo', () => {
  const data = new Uint8Array([1, 2, 3, 4, 5]);
  const chunk = new EncodedVideoChunk({ type: 'key', timestamp: -10, duration: 20, data: data.subarray(1, 4) });
  assert.equal(chunk.type, 'key');
  assert.equal(chunk.timestamp, -10);
  assert.equal(chunk.duration, 20);
  assert.equal(chunk.byteLength, 3);
  data[1] = 99; // the chunk holds a copy
  const out = new Uint8Array(4);
  chunk.copyTo(out);
  assert.deepEqual([...out], [2, 3, 4, 0]);
  assert.throws(() => chunk.copyTo(new Uint8Array(2)), TypeError);
  const noDuration = new EncodedVideoChunk({ type: 'delta', timestamp: 0, data: new ArrayBuffer(1) });
  assert.equal(noDuration.duration, null);
});

test('transfer moves the buffer without a copy and detaches it', () => {
  const buffer = new Uint8Array([9, 8, 7]).buffer;
  const chunk = new EncodedVideoChunk({ type: 'key', timestamp: 0, data: buffer, transfer: [buffer] });
  assert.equal(buffer.byteLength, 0);
  const out = new Uint8Array(3);
  chunk.copyTo(out);
  assert.deepEqual([...out], [9, 8, 7]);
  const twice = new ArrayBuffer(2);
  assert.throws(() => new EncodedVideoChunk({ type: 'key', timestamp: 0, data: twice, transfer: [twice, twice] }), { name: 'DataCloneError' });
});

test('invalid inits are TypeErrors', () => {
  const data = new Uint8Array(1);
  for (const init of [
    undefined,
    { timestamp: 0, data },
    { type: 'frame', timestamp: 0, data },
    { type: 'key', data },
    { type: 'key', timestamp: Infinity, data },
    { type: 'key', timestamp: 0, duration: -1, data },
    { type: 'key', timestamp: 0 },
    { type: 'key', timestamp: 0, data: [1, 2] },
  ]) {
    assert.throws(() => new EncodedVideoChunk(init), TypeError, JSON.stringify(init));
  }
});
