'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { VideoColorSpace } = require('..');

test('members default to null and round-trip through toJSON', () => {
  assert.deepEqual(new VideoColorSpace().toJSON(), { primaries: null, transfer: null, matrix: null, fullRange: null });
  const init = { primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: true };
  const cs = new VideoColorSpace(init);
  assert.deepEqual(cs.toJSON(), init);
  assert.equal(cs.transfer, 'pq');
  assert.deepEqual(JSON.parse(JSON.stringify(cs)), init);
});

test('unknown enum values are TypeErrors', () => {
  assert.throws(() => new VideoColorSpace({ primaries: 'srgb' }), TypeError);
  assert.throws(() => new VideoColorSpace({ matrix: 'bt2020' }), TypeError);
  assert.throws(() => new VideoColorSpace(5), TypeError);
});
