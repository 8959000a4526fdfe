'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { VideoFrame, VideoColorSpace } = require('..');

const rgba = (w, h, fill = (i) => i & 255) => new Uint8Array(w * h * 4).map((_, i) => fill(i));

test('an I420 frame from a buffer reports its init', () => {
  const data = new Uint8Array(16 * 8 * 1.5).map((_, i) => i & 255);
  const frame = new VideoFrame(data, { format: 'I420', codedWidth: 16, codedHeight: 8, timestamp: -5, duration: 40 });
  assert.equal(frame.format, 'I420');
  assert.equal(frame.codedWidth, 16);
  assert.equal(frame.codedHeight, 8);
  assert.equal(frame.timestamp, -5);
  assert.equal(frame.duration, 40);
  assert.deepEqual(frame.visibleRect.toJSON(), { x: 0, y: 0, width: 16, height: 8, top: 0, right: 16, bottom: 8, left: 0 });
  assert.deepEqual(frame.codedRect.toJSON().width, 16);
  assert.equal(frame.displayWidth, 16);
  assert.equal(frame.displayHeight, 8);
  assert.equal(frame.rotation, 0);
  assert.equal(frame.flip, false);
  assert.ok(frame.colorSpace instanceof VideoColorSpace);
  assert.deepEqual(frame.colorSpace.toJSON(), { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false });
  assert.equal(frame.allocationSize(), 16 * 8 * 1.5);
  frame.close();
});

test('RGB frames default to sRGB; an explicit colorSpace wins', () => {
  const a = new VideoFrame(rgba(2, 2), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0 });
  assert.deepEqual(a.colorSpace.toJSON(), { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true });
  assert.equal(a.duration, null);
  const b = new VideoFrame(rgba(2, 2), { format: 'BGRX', codedWidth: 2, codedHeight: 2, timestamp: 0, colorSpace: { primaries: 'bt2020' } });
  assert.deepEqual(b.colorSpace.toJSON(), { primaries: 'bt2020', transfer: null, matrix: null, fullRange: null });
  a.close();
  b.close();
});

test('copyTo returns exact bytes for every supported format', async () => {
  for (const [format, size] of [['I420', 48], ['NV12', 48], ['RGBA', 128], ['RGBX', 128], ['BGRA', 128], ['BGRX', 128], ['I444', 96], ['I422', 64], ['I420P10', 96]]) {
    const data = new Uint8Array(size).map((_, i) => (i * 7) & 255);
    const frame = new VideoFrame(data, { format, codedWidth: 8, codedHeight: 4, timestamp: 1 });
    assert.equal(frame.allocationSize(), size, format);
    const out = new Uint8Array(size);
    await frame.copyTo(out);
    assert.deepEqual(out, data, format);
    frame.close();
  }
});

test('a source layout with padding is honoured, and copyTo writes a requested layout', async () => {
  // 4x2 I420: Y stride 6 at offset 2, U stride 3 at 20, V stride 3 at 30.
  const data = new Uint8Array(40).map((_, i) => i);
  const frame = new VideoFrame(data, {
    format: 'I420', codedWidth: 4, codedHeight: 2, timestamp: 0,
    layout: [{ offset: 2, stride: 6 }, { offset: 20, stride: 3 }, { offset: 30, stride: 3 }],
  });
  const tight = new Uint8Array(frame.allocationSize());
  const layout = await frame.copyTo(tight);
  assert.deepEqual(layout, [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 10, stride: 2 }]);
  assert.deepEqual([...tight], [2, 3, 4, 5, 8, 9, 10, 11, 20, 21, 30, 31]);
  const spaced = new Uint8Array(64);
  const wanted = [{ offset: 40, stride: 8 }, { offset: 0, stride: 4 }, { offset: 20, stride: 4 }];
  assert.deepEqual(await frame.copyTo(spaced, { layout: wanted }), wanted);
  assert.deepEqual([...spaced.subarray(40, 44)], [2, 3, 4, 5]);
  assert.deepEqual([...spaced.subarray(48, 52)], [8, 9, 10, 11]);
  assert.deepEqual([...spaced.subarray(0, 2)], [20, 21]);
  assert.deepEqual([...spaced.subarray(20, 22)], [30, 31]);
  frame.close();
});

test('visibleRect crops what copyTo copies, and rect overrides it', async () => {
  const data = rgba(4, 4, (i) => i >> 2); // each pixel's bytes hold its index
  const frame = new VideoFrame(data, { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0, visibleRect: { x: 1, y: 1, width: 2, height: 2 } });
  assert.equal(frame.displayWidth, 2);
  assert.equal(frame.allocationSize(), 16);
  const out = new Uint8Array(16);
  await frame.copyTo(out);
  assert.deepEqual([...out].filter((_, i) => i % 4 === 0), [5, 6, 9, 10]);
  const one = new Uint8Array(4);
  await frame.copyTo(one, { rect: { x: 3, y: 3, width: 1, height: 1 } });
  assert.equal(one[0], 15);
  frame.close();
});

test('clone shares the pixels and outlives the original', async () => {
  const data = rgba(2, 2);
  const frame = new VideoFrame(data, { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 7 });
  const copy = frame.clone();
  frame.close();
  assert.equal(copy.timestamp, 7);
  const out = new Uint8Array(16);
  await copy.copyTo(out);
  assert.deepEqual(out, data);
  const derived = new VideoFrame(copy, { timestamp: 9, rotation: 90, flip: true });
  assert.equal(derived.timestamp, 9);
  assert.equal(derived.rotation, 90);
  assert.equal(derived.flip, true);
  const again = new VideoFrame(derived, { rotation: 270, flip: true });
  assert.equal(again.rotation, 180); // "Add Rotations": 90 - 270 on a flipped frame
  assert.equal(again.flip, false);
  for (const f of [copy, derived, again]) f.close();
});

test('rotation swaps the default display size', () => {
  const frame = new VideoFrame(rgba(4, 2), { format: 'RGBA', codedWidth: 4, codedHeight: 2, timestamp: 0, rotation: 89 });
  assert.equal(frame.rotation, 90);
  assert.equal(frame.displayWidth, 2);
  assert.equal(frame.displayHeight, 4);
  frame.close();
});

test('after close, attributes read null/0 and methods throw InvalidStateError', async () => {
  const frame = new VideoFrame(rgba(2, 2), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 3 });
  frame.close();
  assert.equal(frame.format, null);
  assert.equal(frame.codedWidth, 0);
  assert.equal(frame.codedHeight, 0);
  assert.equal(frame.displayWidth, 0);
  assert.equal(frame.visibleRect, null);
  assert.equal(frame.codedRect, null);
  assert.deepEqual(frame.colorSpace.toJSON(), { primaries: null, transfer: null, matrix: null, fullRange: null });
  assert.equal(frame.timestamp, 3, 'timestamp survives close');
  assert.throws(() => frame.clone(), { name: 'InvalidStateError' });
  assert.throws(() => frame.allocationSize(), { name: 'InvalidStateError' });
  assert.throws(() => frame.metadata(), { name: 'InvalidStateError' });
  await assert.rejects(frame.copyTo(new Uint8Array(16)), (e) => e instanceof DOMException && e.name === 'InvalidStateError');
  assert.throws(() => new VideoFrame(frame), { name: 'InvalidStateError' });
  frame.close(); // closing twice is allowed
});

test('invalid inits throw TypeError naming the member', () => {
  const ok = { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0 };
  const data = rgba(2, 2);
  const cases = [
    [{ ...ok, format: undefined }, /format/],
    [{ ...ok, format: 'NV21' }, /format/],
    [{ ...ok, codedWidth: 0 }, /codedWidth/],
    [{ ...ok, codedWidth: -1 }, /codedWidth/],
    [{ ...ok, timestamp: undefined }, /timestamp/],
    [{ ...ok, timestamp: NaN }, /timestamp/],
    [{ ...ok, duration: -1 }, /duration/],
    [{ ...ok, visibleRect: { x: 1, y: 0, width: 2, height: 2 } }, /visibleRect/],
    [{ ...ok, visibleRect: { x: 0, y: 0, width: 0, height: 2 } }, /visibleRect/],
    [{ ...ok, displayWidth: 4 }, /displayWidth/],
    [{ ...ok, displayWidth: 0, displayHeight: 2 }, /displayWidth/],
    [{ ...ok, layout: [{ offset: 0, stride: 4 }] }, /stride/],
    [{ ...ok, layout: [{ offset: 0 }] }, /stride/],
    [{ ...ok, codedWidth: 3 }, /data/],
  ];
  for (const [init, message] of cases) {
    assert.throws(() => new VideoFrame(data, init), (e) => e instanceof TypeError && message.test(e.message), JSON.stringify(init));
  }
  assert.throws(() => new VideoFrame(new Uint8Array(16 * 1.5), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0, visibleRect: { x: 1, y: 1, width: 2, height: 2 } }), TypeError);
  assert.throws(() => new VideoFrame({}, ok), TypeError);
  assert.throws(() => new VideoFrame(data), TypeError);
});

test('copyTo rejects (never throws) for bad destinations and options', async () => {
  const frame = new VideoFrame(new Uint8Array(24), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 });
  await assert.rejects(frame.copyTo(new Uint8Array(23)), TypeError);
  await assert.rejects(frame.copyTo('nope'), TypeError);
  await assert.rejects(frame.copyTo(new Uint8Array(24), { rect: { x: 1, y: 0, width: 2, height: 2 } }), TypeError);
  // The rect is aligned to the frame's own format even when converting to RGB
  // (Parse VideoFrameCopyToOptions; Chrome accepts it: test/oracle/api-sweep.js).
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'RGBA', rect: { x: 1, y: 1, width: 2, height: 2 } }), TypeError);
  await assert.rejects(frame.copyTo(new Uint8Array(24), { rect: { x: 0, y: 0, width: 8, height: 2 } }), TypeError);
  await assert.rejects(frame.copyTo(new Uint8Array(64), { layout: [{ offset: 0, stride: 4 }] }), TypeError);
  await assert.rejects(frame.copyTo(new Uint8Array(64), { layout: [{ offset: 0, stride: 4 }, { offset: 2, stride: 2 }, { offset: 40, stride: 2 }] }), /overlaps/);
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'I444' }), { name: 'NotSupportedError' });
  assert.throws(() => frame.allocationSize({ rect: { x: 0, y: 0, width: 5, height: 1 } }), TypeError);
  frame.close();
});

test('transfer detaches the listed buffers; duplicates are a DataCloneError', () => {
  const data = rgba(2, 2);
  const frame = new VideoFrame(data.buffer, { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0, transfer: [data.buffer] });
  assert.equal(data.buffer.byteLength, 0);
  frame.close();
  const other = rgba(2, 2);
  assert.throws(() => new VideoFrame(other, { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0, transfer: [other.buffer, other.buffer] }), { name: 'DataCloneError' });
});

test('metadata() returns a copy of the registry members of the init metadata', () => {
  const frame = new VideoFrame(rgba(2, 2), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0, metadata: { rtpTimestamp: 90000 } });
  const m = frame.metadata();
  assert.deepEqual(m, { rtpTimestamp: 90000 });
  m.rtpTimestamp = 1;
  assert.equal(frame.metadata().rtpTimestamp, 90000);
  // A frame made from it keeps its metadata unless the init gives some.
  const same = new VideoFrame(frame, {});
  assert.deepEqual(same.metadata(), { rtpTimestamp: 90000 });
  const other = new VideoFrame(frame, { metadata: {} });
  assert.deepEqual(other.metadata(), {});
  for (const f of [frame, same, other]) f.close();
});

// VideoFrameMetadata is a WebIDL dictionary of the VideoFrame Metadata
// Registry's members (rtpTimestamp, an unsigned long): other members are
// left out as WebIDL converts it, so values that cannot be cloned do not
// throw (Chrome keeps no member at all: test/oracle/frame-metadata.js).
test('metadata keeps only rtpTimestamp, converted as an unsigned long', () => {
  const make = (metadata) => new VideoFrame(rgba(2, 2), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0, metadata });
  const cases = [
    [{ captureTime: 12, foo: () => 1, segments: [] }, {}],
    [{ rtpTimestamp: 2 ** 32 + 5, receiveTime: 3 }, { rtpTimestamp: 5 }],
    [{ rtpTimestamp: -1 }, { rtpTimestamp: 2 ** 32 - 1 }],
    [{ rtpTimestamp: 7.9 }, { rtpTimestamp: 7 }],
    [{ rtpTimestamp: NaN }, { rtpTimestamp: 0 }],
    [{ rtpTimestamp: '12' }, { rtpTimestamp: 12 }],
  ];
  for (const [given, kept] of cases) {
    const f = make(given);
    assert.deepEqual(f.metadata(), kept, JSON.stringify(given));
    f.close();
  }
  assert.throws(() => make({ rtpTimestamp: 1n }), { name: 'TypeError' });
  assert.throws(() => make(5), { name: 'TypeError' });
});

test('copyTo converts to RGBA/RGBX/BGRA/BGRX with the frame matrix and range, honouring rect and layout', async () => {
  // BT.709 limited-range red: Y 63, Cb 102, Cr 240 (4x4 I420).
  const red = new VideoFrame(Uint8Array.from([...Array(16).fill(63), ...Array(4).fill(102), ...Array(4).fill(240)]), {
    format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0, colorSpace: { matrix: 'bt709', fullRange: false },
  });
  assert.equal(red.allocationSize({ format: 'RGBA' }), 64);
  assert.equal(red.allocationSize({ format: 'BGRX', rect: { x: 2, y: 0, width: 2, height: 2 } }), 16);
  const rgba = new Uint8Array(64);
  assert.deepEqual(await red.copyTo(rgba, { format: 'RGBA' }), [{ offset: 0, stride: 16 }]);
  for (let i = 0; i < 64; i += 4) {
    assert.ok(rgba[i] >= 250 && rgba[i + 1] <= 6 && rgba[i + 2] <= 6 && rgba[i + 3] === 255, `pixel ${i / 4}: ${rgba.subarray(i, i + 4)}`);
  }
  const padded = new Uint8Array(40);
  assert.deepEqual(await red.copyTo(padded, { format: 'BGRA', rect: { x: 2, y: 2, width: 2, height: 2 }, layout: [{ offset: 4, stride: 12 }] }), [{ offset: 4, stride: 12 }]);
  assert.deepEqual([...padded.subarray(0, 4)], [0, 0, 0, 0], 'bytes before the offset untouched');
  assert.ok(padded[4] <= 6 && padded[6] >= 250, 'BGRA order');
  assert.deepEqual([...padded.subarray(12, 16)], [0, 0, 0, 0], 'row padding untouched');
  assert.ok(padded[16] <= 6 && padded[18] >= 250);
  red.close();
  // RGB to RGB swaps channels.
  const px = new VideoFrame(Uint8Array.from([10, 20, 30, 255]), { format: 'RGBA', codedWidth: 1, codedHeight: 1, timestamp: 0 });
  const bgrx = new Uint8Array(4);
  await px.copyTo(bgrx, { format: 'BGRX' });
  assert.deepEqual([...bgrx.subarray(0, 3)], [30, 20, 10]);
  px.close();
});

test('copyTo to other non-RGB formats is NotSupportedError; a closed frame is InvalidStateError', async () => {
  const frame = new VideoFrame(new Uint8Array(24), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 });
  await assert.rejects(frame.copyTo(new Uint8Array(256), { format: 'I444' }), { name: 'NotSupportedError' });
  // colorSpace concerns RGB output only: a copy in the frame's own YUV format ignores it.
  assert.deepEqual(await frame.copyTo(new Uint8Array(24), { colorSpace: 'display-p3' }), [{ offset: 0, stride: 4 }, { offset: 16, stride: 2 }, { offset: 20, stride: 2 }]);
  await assert.rejects(frame.copyTo(new Uint8Array(63), { format: 'RGBA' }), TypeError);
  assert.throws(() => frame.allocationSize({ format: 'NV21' }), TypeError);
  const pending = frame.copyTo(new Uint8Array(64), { format: 'RGBA' });
  frame.close(); // the conversion holds its own reference
  await pending;
  await assert.rejects(frame.copyTo(new Uint8Array(64), { format: 'RGBA' }), { name: 'InvalidStateError' });
});

// "Add Rotations": a rotation added to a flipped frame turns the other way,
// and flips cancel. Chrome's answers for every combination
// (test/oracle/video-frame-exactness.js): base+added=result, "f" for flipped.
test('new VideoFrame(frame, {rotation, flip}) adds rotations as the spec does, for every base orientation', () => {
  const table = '0+0=0 0+0f=0f 0+90=90 0+90f=90f 0+180=180 0+180f=180f 0+270=270 0+270f=270f 0f+0=0f 0f+0f=0 0f+90=270f 0f+90f=270 0f+180=180f 0f+180f=180 0f+270=90f 0f+270f=90 90+0=90 90+0f=90f 90+90=180 90+90f=180f 90+180=270 90+180f=270f 90+270=0 90+270f=0f 90f+0=90f 90f+0f=90 90f+90=0f 90f+90f=0 90f+180=270f 90f+180f=270 90f+270=180f 90f+270f=180 180+0=180 180+0f=180f 180+90=270 180+90f=270f 180+180=0 180+180f=0f 180+270=90 180+270f=90f 180f+0=180f 180f+0f=180 180f+90=90f 180f+90f=90 180f+180=0f 180f+180f=0 180f+270=270f 180f+270f=270 270+0=270 270+0f=270f 270+90=0 270+90f=0f 270+180=90 270+180f=90f 270+270=180 270+270f=180f 270f+0=270f 270f+0f=270 270f+90=180f 270f+90f=180 270f+180=90f 270f+180f=90 270f+270=0f 270f+270f=0';
  for (const row of table.split(' ')) {
    const [, base, baseFlip, added, addedFlip, result, resultFlip] = row.match(/^(\d+)(f?)\+(\d+)(f?)=(\d+)(f?)$/);
    const f = new VideoFrame(new Uint8Array(8 * 4 * 1.5), { format: 'I420', codedWidth: 8, codedHeight: 4, timestamp: 0, rotation: +base, flip: baseFlip === 'f' });
    const g = new VideoFrame(f, { rotation: +added, flip: addedFlip === 'f' });
    assert.deepEqual([g.rotation, g.flip], [+result, resultFlip === 'f'], row);
    // A quarter turn shows the 8x4 frame as 4x8.
    assert.deepEqual([g.displayWidth, g.displayHeight], +result % 180 === 0 ? [8, 4] : [4, 8], row);
    f.close();
    g.close();
  }
});

// "Initialize Visible Rect, Orientation, and Display Size": the source's
// display-to-visible scale carries over to a new visibleRect.
test('a visibleRect on an anamorphic frame keeps its pixel aspect ratio in the display size', () => {
  const f = new VideoFrame(new Uint8Array(8 * 8 * 1.5), { format: 'I420', codedWidth: 8, codedHeight: 8, timestamp: 0, displayWidth: 16, displayHeight: 8 });
  const rotated = new VideoFrame(f, { rotation: 90 });
  const rect = (width, height) => ({ x: 0, y: 0, width, height });
  const cases = [
    [f, { visibleRect: rect(4, 8) }, [8, 8, 0]],
    [f, { visibleRect: rect(8, 4) }, [16, 4, 0]],
    [f, { visibleRect: rect(4, 8), rotation: 90 }, [8, 8, 90]],
    [f, {}, [16, 8, 0]],
    [f, { rotation: 90 }, [8, 16, 90]],
    [rotated, { visibleRect: rect(4, 8) }, [8, 8, 90]],
    [rotated, { visibleRect: rect(8, 4) }, [4, 16, 90]],
    [rotated, { visibleRect: rect(4, 8), rotation: 90 }, [8, 8, 180]],
    [rotated, {}, [8, 16, 90]],
    [rotated, { rotation: 90 }, [16, 8, 180]],
  ];
  for (const [source, init, want] of cases) {
    const g = new VideoFrame(source, init);
    assert.deepEqual([g.displayWidth, g.displayHeight, g.rotation], want, JSON.stringify(init));
    g.close();
  }
  rotated.close();
  f.close();
});

// VideoFrame(frame, {alpha: 'discard'}) reads as the format without alpha.
test('alpha "discard" gives the opaque format, whose planes copyTo returns', async () => {
  const opaque = { I420A: 'I420', I422A: 'I422', I444A: 'I444', I420AP10: 'I420P10', I422AP10: 'I422P10', I444AP10: 'I444P10', I422AP12: 'I422P12', I444AP12: 'I444P12', RGBA: 'RGBX', BGRA: 'BGRX' };
  for (const [format, expected] of Object.entries(opaque)) {
    const size = new VideoFrame(new Uint8Array(1 << 12), { format, codedWidth: 8, codedHeight: 4, timestamp: 0 });
    const bytes = Uint8Array.from({ length: size.allocationSize() }, (_, i) => (i * 7) & 0xff);
    size.close();
    const f = new VideoFrame(bytes, { format, codedWidth: 8, codedHeight: 4, timestamp: 0 });
    const g = new VideoFrame(f, { alpha: 'discard' });
    const k = new VideoFrame(f, { alpha: 'keep' });
    assert.equal(g.format, expected, format);
    assert.equal(k.format, format);
    const out = new Uint8Array(g.allocationSize());
    await g.copyTo(out);
    // The opaque planes are the first ones of the source, unchanged.
    assert.deepEqual(out, bytes.subarray(0, out.length), format);
    f.close();
    g.close();
    k.close();
  }
});

// copyTo(..., {colorSpace: 'display-p3'}) converts into the Display P3 gamut,
// from YUV and from RGB frames (a same-format RGB copy too); Chrome's values
// (test/oracle/copyto-display-p3.js) within 1. Converted RGBX/BGRX outputs
// have 255 in their padding byte.
test('copyTo to display-p3 converts the gamut, from RGB and YUV frames alike', async () => {
  const near = (got, want, what) => got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1, `${what}: ${got} vs ${want}`));
  const solid = (c) => {
    const px = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) px.set([...c, 77], i * 4);
    return new VideoFrame(px, { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0 });
  };
  const chrome = [[[255, 0, 0], [234, 51, 35]], [[0, 255, 0], [117, 251, 76]], [[0, 0, 255], [0, 0, 245]], [[250, 160, 30], [236, 163, 65]], [[255, 255, 255], [255, 255, 255]], [[0, 0, 0], [0, 0, 0]]];
  for (const [srgb, p3] of chrome) {
    const f = solid(srgb);
    for (const format of ['RGBA', 'BGRA', 'RGBX', 'BGRX']) {
      const out = new Uint8Array(64);
      await f.copyTo(out, { format, colorSpace: 'display-p3' });
      const bgr = format.startsWith('B');
      const rgb = bgr ? [out[2], out[1], out[0]] : [out[0], out[1], out[2]];
      near(rgb, p3, `${srgb} ${format}`);
      assert.equal(out[3], format.endsWith('X') ? 255 : 77, `${format} fourth byte`);
      // The default (sRGB) copy is the source's colours.
      await f.copyTo(out, { format });
      assert.deepEqual(bgr ? [out[2], out[1], out[0]] : [...out.subarray(0, 3)], srgb);
    }
    f.close();
  }
  // An I420 frame (REC709) of BT.709 red.
  const b = new Uint8Array(16 * 16 * 1.5);
  b.fill(63, 0, 256);
  b.fill(102, 256, 320);
  b.fill(240, 320, 384);
  const f = new VideoFrame(b, { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp: 0 });
  const out = new Uint8Array(16 * 16 * 4);
  await f.copyTo(out, { format: 'RGBX', colorSpace: 'display-p3' });
  near([...out.subarray(0, 3)], [234, 51, 36], 'I420 red');
  assert.equal(out[3], 255);
  f.close();
});

// The six alpha high-bit-depth formats of the spec's VideoPixelFormat
// (Chrome's enum lacks the three 12-bit ones; the spec's IDL has them):
// construct, copyTo (samples exactly), clone, convert to RGBA as their
// opaque counterparts do, and encode with VP9 at their depth and sampling.
test('I420AP10/12, I422AP10/12 and I444AP10/12 construct, copy, clone, convert and encode', async () => {
  const { VideoEncoder, VideoDecoder } = require('..');
  const W = 64, H = 48;
  const cases = [
    ['I420AP10', 10, 'vp09.02.10.10'], ['I420AP12', 12, 'vp09.02.10.12'],
    ['I422AP10', 10, 'vp09.03.10.10.02.01.01.01.00'], ['I422AP12', 12, 'vp09.03.10.12.02.01.01.01.00'],
    ['I444AP10', 10, 'vp09.03.10.10.03.01.01.01.00'], ['I444AP12', 12, 'vp09.03.10.12.03.01.01.01.00'],
  ];
  const opaque = (format) => format.replace('AP', 'P');
  for (const [format, bits, codec] of cases) {
    const probe = new VideoFrame(new Uint8Array(1 << 16), { format, codedWidth: W, codedHeight: H, timestamp: 0 });
    const size = probe.allocationSize();
    probe.close();
    // A smooth gradient in every plane, at the format's full range of values.
    const samples = new Uint16Array(size / 2).map((_, i) => Math.round(((i % W) / W) * ((1 << bits) - 1)));
    const bytes = new Uint8Array(samples.buffer);
    const frame = new VideoFrame(bytes, { format, codedWidth: W, codedHeight: H, timestamp: 0 });
    assert.equal(frame.format, format);
    const out = new Uint8Array(size);
    await frame.copyTo(out);
    assert.deepEqual(out, bytes, `${format} copyTo gives the samples back`);
    const clone = frame.clone();
    const cloned = new Uint8Array(size);
    await clone.copyTo(cloned);
    assert.deepEqual(cloned, bytes);
    clone.close();
    // RGBX: the same colours as the opaque format with the same Y, U and V.
    const plain = new VideoFrame(bytes, { format: opaque(format), codedWidth: W, codedHeight: H, timestamp: 0 });
    const [a, b] = [new Uint8Array(W * H * 4), new Uint8Array(W * H * 4)];
    await frame.copyTo(a, { format: 'RGBX' });
    await plain.copyTo(b, { format: 'RGBX' });
    // (I420AP12 is held at 16 bits, which may round one level differently.)
    const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    assert.ok(worst <= (format === 'I420AP12' ? 1 : 0), `${format} converts as ${opaque(format)} (off by ${worst})`);
    plain.close();
    // Encoded at its depth and sampling (alpha discarded), decoded back close to the source luma.
    const chunks = [];
    const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: (e) => { throw e; } });
    encoder.configure({ codec, width: W, height: H, bitrate: 4_000_000 });
    encoder.encode(frame, { keyFrame: true });
    frame.close();
    await encoder.flush();
    encoder.close();
    const decoded = [];
    const decoder = new VideoDecoder({ output: (f) => decoded.push(f), error: (e) => { throw e; } });
    decoder.configure({ codec });
    decoder.decode(chunks[0]);
    await decoder.flush();
    decoder.close();
    assert.equal(decoded[0].format, opaque(format));
    const luma = new Uint8Array(decoded[0].allocationSize());
    await decoded[0].copyTo(luma);
    decoded[0].close();
    const got = new Uint16Array(luma.buffer, 0, W * H);
    const want = samples.subarray(0, W * H);
    const mse = got.reduce((s, v, i) => s + (v - want[i]) ** 2, 0) / (W * H);
    const psnr = 10 * Math.log10(((1 << bits) - 1) ** 2 / mse);
    assert.ok(psnr > 35, `${format}: luma PSNR ${psnr.toFixed(1)} dB`);
  }
});

// The new members' WebIDL conversions: an unknown AlphaOption or
// PredefinedColorSpace is a TypeError (copyTo's as a rejected promise).
test('VideoFrameInit.alpha and copyTo colorSpace take only their enum values', async () => {
  const f = new VideoFrame(new Uint8Array(96), { format: 'I420A', codedWidth: 4, codedHeight: 4, timestamp: 0 });
  assert.throws(() => new VideoFrame(f, { alpha: 'bogus' }), TypeError);
  await assert.rejects(f.copyTo(new Uint8Array(64), { format: 'RGBA', colorSpace: 'rec2020' }), TypeError);
  f.close();
  assert.throws(() => new VideoFrame(f, { alpha: 'discard' }), { name: 'InvalidStateError' });
});

// Chrome warns when a VideoFrame is garbage-collected while open; we emit a
// Node warning, once per process. Its own process, so that no other test's
// frames decide whether it was already given.
test('a frame collected while open is reported once as a Node warning; closed frames are not', () => {
  const { spawnSync } = require('node:child_process');
  const script = `
    const { VideoFrame } = require(${JSON.stringify(require('node:path').join(__dirname, '..'))});
    const codes = [];
    process.on('warning', (w) => codes.push(w.code));
    const make = () => new VideoFrame(new Uint8Array(64), { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0 });
    const settle = async (rounds) => { for (let i = 0; i < rounds; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); } };
    (async () => {
      for (let i = 0; i < 20; i++) { const f = make(); f.clone().close(); f.close(); }
      await settle(10);
      const afterClosed = codes.slice();
      for (let i = 0; i < 20; i++) make();
      for (let i = 0; i < 100 && codes.length === afterClosed.length; i++) await settle(1);
      for (let i = 0; i < 20; i++) make();
      await settle(10);
      console.log(JSON.stringify({ afterClosed, codes }));
    })();`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { afterClosed, codes } = JSON.parse(r.stdout);
  assert.deepEqual(afterClosed, []);
  assert.deepEqual(codes, ['WEBCODECS_VIDEOFRAME_NOT_CLOSED']);
  assert.match(r.stderr, /VideoFrame was garbage-collected while still open/);
});
