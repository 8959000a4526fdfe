'use strict';
// ImageDecoder: every image of the shared media (test/fixtures/images) and
// generated fixtures, as Chrome decodes them (test/oracle/image-decoder-*.js
// and their results): size, pixel format, colour space, frame count and
// timing, repetition count, orientation, and the four quadrant colours.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const { Readable } = require('node:stream');
const { ImageDecoder, ImageTrack, ImageTrackList, VideoFrame } = require('..');
const { fixture } = require('./helpers');

const image = (name) => new Uint8Array(fs.readFileSync(fixture(`images/${name}`)));

const YELLOW = [255, 255, 0, 255];
const RED = [255, 0, 0, 255];
const BLUE = [0, 0, 255, 255];
const GREEN = [0, 255, 0, 255];
const FOUR = [YELLOW, RED, BLUE, GREEN];
const TURNED = [GREEN, BLUE, RED, YELLOW];
const SRGB = { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true };

async function rgba(frame) {
  const { width, height } = frame.visibleRect;
  const buf = new Uint8Array(width * height * 4);
  await frame.copyTo(buf, { format: 'RGBA' });
  return { width, height, buf };
}

/** The colours at the centres of the four quadrants (top left, top right, bottom left, bottom right). */
async function quadrants(frame) {
  const { width, height, buf } = await rgba(frame);
  const at = (x, y) => Array.from(buf.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
  return [at(width >> 2, height >> 2), at((3 * width) >> 2, height >> 2), at(width >> 2, (3 * height) >> 2), at((3 * width) >> 2, (3 * height) >> 2)];
}

function assertColours(got, want, tolerance, what) {
  for (let q = 0; q < 4; q++) {
    for (let c = 0; c < 4; c++) {
      assert.ok(Math.abs(got[q][c] - want[q][c]) <= tolerance, `${what}: quadrant ${q} is ${got[q]}, expected ${want[q]} ±${tolerance}`);
    }
  }
}

async function open(name, type, init = {}) {
  const decoder = new ImageDecoder({ type, data: image(name), ...init });
  await decoder.tracks.ready;
  await decoder.completed;
  return decoder;
}

// [file, type, format, frames, {animated, repetitionCount, durations, colorSpace, colours, tolerance}]
const STILLS = [
  ['four-colors.png', 'image/png', 'BGRX', { colorSpace: SRGB, tolerance: 3 }],
  ['four-colors.jpg', 'image/jpeg', 'BGRX', { colorSpace: SRGB, tolerance: 8 }],
  ['four-colors.webp', 'image/webp', 'BGRX', { colorSpace: SRGB, tolerance: 3 }],
  ['four-colors-limited-range-420-8bpc.jpg', 'image/jpeg', 'I420', { colorSpace: { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'smpte170m', fullRange: true }, tolerance: 8 }],
  ['four-colors-limited-range-420-8bpc.webp', 'image/webp', 'I420', { colorSpace: { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'smpte170m', fullRange: false }, tolerance: 8 }],
  ['four-colors.avif', 'image/avif', 'I444', { colorSpace: SRGB, tolerance: 8 }],
  ['four-colors-limited-range-420-8bpc.avif', 'image/avif', 'I420', { colorSpace: { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'smpte170m', fullRange: false }, tolerance: 8 }],
  ['four-colors-limited-range-422-8bpc.avif', 'image/avif', 'I422', { tolerance: 8 }],
  ['four-colors-limited-range-444-8bpc.avif', 'image/avif', 'I444', { tolerance: 8 }],
  ['four-colors-full-range-bt2020-pq-444-10bpc.avif', 'image/avif', 'I444P10', { colorSpace: { primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: true }, tolerance: 8 }],
  ['four-colors-full-range-hlg-420-10bpc.avif', 'image/avif', 'I420P10', { colorSpace: { primaries: 'bt2020', transfer: 'hlg', matrix: 'bt2020-ncl', fullRange: true }, tolerance: 8 }],
  ['four-colors-full-range-hlg-420-12bpc.avif', 'image/avif', 'I420P12', { tolerance: 8 }],
  ['four-colors-full-range-hlg-422-10bpc.avif', 'image/avif', 'I422P10', { tolerance: 8 }],
  ['four-colors-full-range-hlg-422-12bpc.avif', 'image/avif', 'I422P12', { tolerance: 8 }],
  ['four-colors-full-range-hlg-444-10bpc.avif', 'image/avif', 'I444P10', { tolerance: 8 }],
  ['four-colors-full-range-hlg-444-12bpc.avif', 'image/avif', 'I444P12', { colorSpace: { primaries: 'bt2020', transfer: 'hlg', matrix: 'bt2020-ncl', fullRange: true }, tolerance: 8 }],
  ['quad-444.jpg', 'image/jpeg', 'BGRX', { tolerance: 8 }],
  ['quad-422.jpg', 'image/jpeg', 'BGRX', { tolerance: 8 }],
  ['quad-24.bmp', 'image/bmp', 'BGRX', { colorSpace: SRGB, tolerance: 0 }],
  ['quad-32.bmp', 'image/bmp', 'BGRX', { tolerance: 0 }],
  ['quad-lossy.webp', 'image/webp', 'I420', { tolerance: 8 }],
  ['alpha-lossy.webp', 'image/webp', 'BGRA', { tolerance: 8 }],
  ['alpha-lossless.webp', 'image/webp', 'BGRA', { tolerance: 0 }],
];

for (const [name, type, format, want] of STILLS) {
  test(`${name}: one still ${format} frame with the four colours`, async () => {
    const decoder = await open(name, type);
    assert.equal(decoder.type, type);
    assert.equal(decoder.complete, true);
    assert.equal(decoder.tracks.length, 1);
    const track = decoder.tracks.selectedTrack;
    assert.equal(track, decoder.tracks[0]);
    assert.ok(track instanceof ImageTrack);
    assert.deepEqual([track.animated, track.frameCount, track.repetitionCount, track.selected], [false, 1, 0, true]);
    const { image: frame, complete } = await decoder.decode();
    assert.equal(complete, true);
    assert.ok(frame instanceof VideoFrame);
    assert.equal(frame.format, format);
    const size = name.startsWith('four-colors') ? [320, 240] : [64, 48];
    assert.deepEqual([frame.codedWidth, frame.codedHeight, frame.displayWidth, frame.displayHeight], [...size, ...size]);
    assert.deepEqual([frame.timestamp, frame.duration, frame.rotation, frame.flip], [0, null, 0, false]);
    if (want.colorSpace) assert.deepEqual(frame.colorSpace.toJSON(), want.colorSpace);
    assertColours(await quadrants(frame), FOUR, want.tolerance, name);
    frame.close();
    decoder.close();
  });
}

test('pattern.png has alpha: BGRA, 256x256', async () => {
  const decoder = await open('pattern.png', 'image/png');
  const { image: frame } = await decoder.decode();
  assert.deepEqual([frame.format, frame.codedWidth, frame.codedHeight], ['BGRA', 256, 256]);
  frame.close();
  decoder.close();
});

test('EXIF orientation becomes the frame rotation and flip (pixels are not turned)', async () => {
  for (const [name, rotation, flip, display] of [['quad-orient6.jpg', 90, false, [48, 64]], ['quad-orient3.jpg', 180, false, [64, 48]], ['quad-orient5.jpg', 90, true, [48, 64]]]) {
    const decoder = await open(name, 'image/jpeg');
    const { image: frame } = await decoder.decode();
    assert.deepEqual([frame.rotation, frame.flip, frame.displayWidth, frame.displayHeight, frame.codedWidth], [rotation, flip, ...display, 64], name);
    assertColours(await quadrants(frame), FOUR, 8, name);
    frame.close();
    decoder.close();
  }
});

test('animated GIFs: frame count, durations, timestamps, loop count and compositing', async () => {
  let decoder = await open('four-colors-flip.gif', 'image/gif');
  let track = decoder.tracks.selectedTrack;
  assert.deepEqual([track.animated, track.frameCount, track.repetitionCount], [true, 2, Infinity]);
  const frames = [await decoder.decode({ frameIndex: 0 }), await decoder.decode({ frameIndex: 1 })].map((r) => r.image);
  assert.deepEqual(frames.map((f) => [f.format, f.timestamp, f.duration]), [['BGRX', 0, 30000], ['BGRX', 30000, 40000]]);
  assertColours(await quadrants(frames[0]), FOUR, 0, 'frame 0');
  assertColours(await quadrants(frames[1]), TURNED, 0, 'frame 1');
  frames.forEach((f) => f.close());
  // Decoding an earlier frame again after a later one starts the composition over.
  const again = (await decoder.decode({ frameIndex: 0 })).image;
  assertColours(await quadrants(again), FOUR, 0, 'frame 0 again');
  again.close();
  decoder.close();

  // One frame with a loop extension is an animation; its transparent colour makes it BGRA.
  decoder = await open('four-colors.gif', 'image/gif');
  track = decoder.tracks.selectedTrack;
  assert.deepEqual([track.animated, track.frameCount, track.repetitionCount], [true, 1, Infinity]);
  const one = (await decoder.decode()).image;
  assert.deepEqual([one.format, one.duration], ['BGRA', 100000]);
  assertColours(await quadrants(one), FOUR, 0, 'four-colors.gif');
  one.close();
  decoder.close();

  // A zero delay is reported as it is.
  decoder = await open('animated-zero-delay.gif', 'image/gif');
  const zero = [(await decoder.decode({ frameIndex: 0 })).image, (await decoder.decode({ frameIndex: 1 })).image];
  assert.deepEqual(zero.map((f) => [f.timestamp, f.duration]), [[0, 0], [0, 100000]]);
  assert.deepEqual((await rgba(zero[0])).buf.subarray(0, 4), new Uint8Array([255, 0, 0, 255]));
  assert.deepEqual((await rgba(zero[1])).buf.subarray(0, 4), new Uint8Array([0, 0, 255, 255]));
  zero.forEach((f) => f.close());
  decoder.close();
});

/** Raw RGBA frames of a lavfi source, as ffmpeg renders them. */
function lavfi(graph, width, height) {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', graph, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 26 });
  const size = width * height * 4;
  return Array.from({ length: raw.length / size }, (_, i) => raw.subarray(i * size, (i + 1) * size));
}

/** Every pixel equal where the source is opaque, and alpha equal everywhere. */
function assertSamePixels(got, want, what) {
  let bad = 0;
  for (let i = 0; i < want.length; i += 4) {
    const alpha = want[i + 3];
    if (got[i + 3] !== alpha || (alpha === 255 && (got[i] !== want[i] || got[i + 1] !== want[i + 1] || got[i + 2] !== want[i + 2]))) bad++;
  }
  assert.equal(bad, 0, `${what}: ${bad} pixels differ`);
}

test('APNG: frames composited exactly as the source, delays and play count', async () => {
  const decoder = await open('anim.png', 'image/png', { premultiplyAlpha: 'none' });
  const track = decoder.tracks.selectedTrack;
  assert.deepEqual([track.animated, track.frameCount, track.repetitionCount], [true, 4, 1]);
  // The source the fixture was made from (see test/fixtures/images/README.md).
  const want = lavfi("testsrc=s=64x48:r=5:d=0.8,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(X,8),0,255)'", 64, 48);
  assert.equal(want.length, 4);
  for (let i = 0; i < 4; i++) {
    const { image: frame } = await decoder.decode({ frameIndex: i });
    assert.deepEqual([frame.format, frame.timestamp, frame.duration], ['BGRA', i * 200000, 200000]);
    assertSamePixels((await rgba(frame)).buf, want[i], `frame ${i}`);
    frame.close();
  }
  decoder.close();
});

test('animated WebP: lossless frames composited exactly; lossy ones close; loop counts', async () => {
  let decoder = await open('anim-alpha.webp', 'image/webp', { premultiplyAlpha: 'none' });
  let track = decoder.tracks.selectedTrack;
  assert.deepEqual([track.animated, track.frameCount, track.repetitionCount], [true, 5, 2]);
  const want = lavfi("testsrc=s=64x48:r=10:d=0.5,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(X,8),0,255)'", 64, 48);
  for (let i = 0; i < 5; i++) {
    const { image: frame } = await decoder.decode({ frameIndex: i });
    assert.deepEqual([frame.format, frame.timestamp, frame.duration], ['BGRA', i * 100000, 100000]);
    assertSamePixels((await rgba(frame)).buf, want[i], `frame ${i}`);
    frame.close();
  }
  decoder.close();

  decoder = await open('anim.webp', 'image/webp');
  track = decoder.tracks.selectedTrack;
  assert.deepEqual([track.animated, track.frameCount, track.repetitionCount], [true, 5, Infinity]);
  const lossy = lavfi('testsrc=s=64x48:r=10:d=0.5', 64, 48);
  for (let i = 0; i < 5; i++) {
    const { image: frame } = await decoder.decode({ frameIndex: i });
    assert.equal(frame.format, 'BGRX');
    const { buf } = await rgba(frame);
    let sum = 0;
    for (let p = 0; p < buf.length; p++) sum += Math.abs(buf[p] - lossy[i][p]);
    assert.ok(sum / buf.length < 12, `frame ${i}: mean error ${sum / buf.length}`);
    frame.close();
  }
  decoder.close();
});

test('AVIF with a still item and an image sequence: two tracks, the sequence chosen unless preferAnimation is false', async () => {
  let decoder = await open('four-colors-flip.avif', 'image/avif');
  assert.equal(decoder.tracks.length, 2);
  assert.equal(decoder.tracks.selectedIndex, 1);
  const seq = decoder.tracks[1];
  assert.deepEqual([seq.animated, seq.frameCount, seq.repetitionCount, seq.selected], [true, 7, Infinity, true]);
  assert.deepEqual([decoder.tracks[0].animated, decoder.tracks[0].selected], [false, false]);
  for (let i = 0; i < 7; i++) {
    const { image: frame } = await decoder.decode({ frameIndex: i });
    assert.deepEqual([frame.format, frame.timestamp, frame.duration], ['BGRX', i * 10000, 10000]);
    assertColours(await quadrants(frame), i < 3 ? FOUR : TURNED, 3, `sequence frame ${i}`);
    frame.close();
  }
  // Selecting the still item: pending decodes abort, the track reports one frame.
  const pending = decoder.decode({ frameIndex: 6 });
  decoder.tracks[0].selected = true;
  await assert.rejects(pending, { name: 'AbortError' });
  assert.deepEqual([decoder.tracks.selectedIndex, decoder.tracks[1].selected], [0, false]);
  const { image: still } = await decoder.decode();
  assert.deepEqual([still.format, still.duration], ['I444', null]);
  assertColours(await quadrants(still), FOUR, 3, 'still item');
  still.close();
  decoder.close();

  decoder = await open('four-colors-flip.avif', 'image/avif', { preferAnimation: false });
  assert.equal(decoder.tracks.selectedIndex, 0);
  decoder.close();
});

/** A ReadableStream of `bytes` in pieces of `size`, each after a turn of the event loop. */
function pieces(bytes, size) {
  let at = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setImmediate(resolve));
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

test('a ReadableStream in 256-byte pieces gives the same frames; frameCount grows; completed comes last', async () => {
  for (const [name, type] of [['anim.png', 'image/png'], ['four-colors-flip.gif', 'image/gif'], ['four-colors.jpg', 'image/jpeg'], ['anim-alpha.webp', 'image/webp'], ['four-colors-flip.avif', 'image/avif']]) {
    const whole = await open(name, type);
    const decoder = new ImageDecoder({ type, data: pieces(image(name), 256) });
    assert.equal(decoder.complete, false);
    // A decode asked for before its bytes arrive waits for them.
    const last = whole.tracks.selectedTrack.frameCount - 1;
    const early = decoder.decode({ frameIndex: last });
    const counts = [];
    let completed = false;
    decoder.completed.then(() => { completed = true; });
    await decoder.tracks.ready;
    assert.equal(completed, false, `${name}: ready before completed`);
    while (!completed) {
      counts.push(decoder.tracks.selectedTrack.frameCount);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(decoder.complete, true);
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), `${name}: frameCount never shrinks`);
    assert.equal(decoder.tracks.selectedTrack.frameCount, last + 1);
    const { image: earlyFrame } = await early;
    const { image: wholeFrame } = await whole.decode({ frameIndex: last });
    assert.deepEqual((await rgba(earlyFrame)).buf, (await rgba(wholeFrame)).buf, `${name}: same pixels`);
    assert.equal(earlyFrame.timestamp, wholeFrame.timestamp);
    earlyFrame.close();
    wholeFrame.close();
    decoder.close();
    whole.close();
  }
});

test('a frame of an animation decodes as soon as its bytes have arrived', async () => {
  const bytes = image('anim.png');
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  // Everything but the last 200 bytes, then nothing until the first frame is out.
  const stream = new ReadableStream({
    start(controller) { controller.enqueue(bytes.slice(0, bytes.length - 200)); },
    async pull(controller) {
      await gate;
      controller.enqueue(bytes.slice(bytes.length - 200));
      controller.close();
    },
  });
  const decoder = new ImageDecoder({ type: 'image/png', data: stream });
  const { image: first } = await decoder.decode({ frameIndex: 0 });
  assert.equal(decoder.complete, false);
  assert.ok(decoder.tracks.selectedTrack.frameCount >= 1);
  first.close();
  release();
  await decoder.completed;
  assert.equal(decoder.tracks.selectedTrack.frameCount, 4);
  decoder.close();
});

test('a Node.js Readable is accepted as data (extension)', async () => {
  const decoder = new ImageDecoder({ type: 'image/gif', data: Readable.from([Buffer.from(image('four-colors-flip.gif'))]) });
  await decoder.completed;
  assert.equal(decoder.tracks.selectedTrack.frameCount, 2);
  const { image: frame } = await decoder.decode({ frameIndex: 1 });
  assertColours(await quadrants(frame), TURNED, 0, 'Readable');
  frame.close();
  decoder.close();
});

test('premultiplyAlpha: "default" and "premultiply" give premultiplied colour, "none" straight colour', async () => {
  const transparent = async (premultiplyAlpha) => {
    const decoder = await open('alpha-lossy.webp', 'image/webp', premultiplyAlpha === undefined ? {} : { premultiplyAlpha });
    const { image: frame } = await decoder.decode();
    const { buf, width } = await rgba(frame);
    frame.close();
    decoder.close();
    // Column 2 is fully transparent; the encoder kept the yellow quadrant's colour under it.
    return Array.from(buf.subarray((2 * width + 2) * 4, (2 * width + 2) * 4 + 4));
  };
  assert.deepEqual(await transparent(undefined), [0, 0, 0, 0]);
  assert.deepEqual(await transparent('premultiply'), [0, 0, 0, 0]);
  const straight = await transparent('none');
  assert.equal(straight[3], 0);
  assert.ok(straight[0] > 240 && straight[1] > 240 && straight[2] < 16, `${straight}`);
});

test('transfer detaches the buffers it lists, data among them', async () => {
  const data = image('four-colors.png').buffer;
  const other = new ArrayBuffer(8);
  const decoder = new ImageDecoder({ type: 'image/png', data, transfer: [data, other] });
  assert.equal(data.byteLength, 0);
  assert.equal(other.byteLength, 0);
  const { image: frame } = await decoder.decode();
  assertColours(await quadrants(frame), FOUR, 3, 'transferred');
  frame.close();
  decoder.close();
  const buf = new ArrayBuffer(4);
  assert.throws(() => new ImageDecoder({ type: 'image/png', data: image('four-colors.png'), transfer: [buf, buf] }), { name: 'DataCloneError' });
});

test('isTypeSupported answers as Chrome does', async () => {
  for (const type of ['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png', 'image/apng', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'IMAGE/PNG']) {
    assert.equal(await ImageDecoder.isTypeSupported(type), true, type);
  }
  for (const type of ['image/x-icon', 'image/vnd.microsoft.icon', 'image/svg+xml', 'image/tiff', 'image/x-ms-bmp', 'video/mp4', 'image/png;x=y', 'foo', '']) {
    assert.equal(await ImageDecoder.isTypeSupported(type), false, type);
  }
});

test('bad inits are TypeErrors; interfaces cannot be constructed', () => {
  const png = image('four-colors.png');
  const detached = new ArrayBuffer(8);
  structuredClone(detached, { transfer: [detached] });
  const stream = pieces(png, 256);
  stream.getReader();
  for (const init of [undefined, {}, { data: png }, { type: 'image/png' }, { type: 'png', data: png }, { type: '', data: png }, { type: 'image/png', data: detached },
    { type: 'image/png', data: new Uint8Array(0) }, { type: 'image/png', data: 'abc' }, { type: 'image/png', data: stream },
    { type: 'image/png', data: png, desiredWidth: 10 }, { type: 'image/png', data: png, premultiplyAlpha: 'yes' }, { type: 'image/png', data: png, colorSpaceConversion: 'srgb' }]) {
    assert.throws(() => new ImageDecoder(init), { name: 'TypeError' }, JSON.stringify(init));
  }
  assert.throws(() => new ImageTrack(), { name: 'TypeError' });
  assert.throws(() => new ImageTrackList(), { name: 'TypeError' });
});

test('an unsupported type closes the decoder with NotSupportedError', async () => {
  const decoder = new ImageDecoder({ type: 'image/x-icon', data: image('four-colors.png') });
  await assert.rejects(decoder.tracks.ready, { name: 'NotSupportedError' });
  await assert.rejects(decoder.decode(), { name: 'InvalidStateError' });
  assert.equal(decoder.type, '');
});

test('corrupt and truncated data: EncodingError, and the decoder closes', async () => {
  const png = image('four-colors.png');
  const corrupt = png.slice();
  for (let i = 60; i < corrupt.length; i++) corrupt[i] ^= 0x5a;
  let decoder = new ImageDecoder({ type: 'image/png', data: corrupt });
  await assert.rejects(decoder.tracks.ready, { name: 'EncodingError' });
  await decoder.completed;
  await assert.rejects(decoder.decode(), { name: 'InvalidStateError' });
  assert.equal(decoder.tracks.length, 0);

  // The wrong type for the bytes is corrupt data too.
  decoder = new ImageDecoder({ type: 'image/png', data: image('four-colors.gif') });
  await assert.rejects(decoder.tracks.ready, { name: 'EncodingError' });

  for (const [name, type] of [['four-colors.png', 'image/png'], ['four-colors.jpg', 'image/jpeg'], ['four-colors.webp', 'image/webp'], ['four-colors.avif', 'image/avif'], ['quad-24.bmp', 'image/bmp']]) {
    const bytes = image(name);
    decoder = new ImageDecoder({ type, data: bytes.slice(0, Math.max(60, bytes.length >> 1)) });
    const result = await decoder.decode().then((r) => { r.image.close(); return 'decoded'; }, (e) => e.name);
    // A truncated image either fails (EncodingError) or, where the format allows it, shows what arrived.
    assert.ok(['EncodingError', 'decoded'].includes(result), `${name}: ${result}`);
    decoder.close();
  }
  decoder = new ImageDecoder({ type: 'image/png', data: png.slice(0, 200) });
  await decoder.tracks.ready;
  await assert.rejects(decoder.decode(), { name: 'EncodingError' });
});

test('frame indices: RangeError past the end of a complete image, TypeError when negative', async () => {
  const decoder = await open('four-colors-flip.gif', 'image/gif');
  await assert.rejects(decoder.decode({ frameIndex: 2 }), { name: 'RangeError' });
  await assert.rejects(decoder.decode({ frameIndex: -1 }), { name: 'TypeError' });
  const ok = await decoder.decode({ frameIndex: 1 });
  assert.deepEqual(Object.keys(ok), ['complete', 'image']);
  ok.image.close();
  decoder.close();
});

test('reset() and close() abort pending decodes; closed decoders are InvalidStateError', async () => {
  const decoder = await open('four-colors-flip.gif', 'image/gif');
  const a = decoder.decode({ frameIndex: 0 });
  const b = decoder.decode({ frameIndex: 1 });
  decoder.reset();
  await assert.rejects(a, { name: 'AbortError' });
  await assert.rejects(b, { name: 'AbortError' });
  const after = await decoder.decode({ frameIndex: 1 });
  assert.equal(after.image.timestamp, 30000);
  after.image.close();
  const c = decoder.decode({ frameIndex: 0 });
  decoder.close();
  await assert.rejects(c, { name: 'AbortError' });
  await assert.rejects(decoder.decode(), { name: 'InvalidStateError' });
  assert.doesNotThrow(() => decoder.reset());
  assert.doesNotThrow(() => decoder.close());
  assert.deepEqual([decoder.type, decoder.complete, decoder.tracks.length], ['', true, 0]);

  const early = new ImageDecoder({ type: 'image/gif', data: image('four-colors-flip.gif') });
  const ready = early.tracks.ready;
  early.close();
  await assert.rejects(ready, { name: 'AbortError' });

  // Deselecting every track: decode() is an InvalidStateError until one is selected.
  const d = await open('four-colors-flip.gif', 'image/gif');
  d.tracks[0].selected = false;
  assert.deepEqual([d.tracks.selectedIndex, d.tracks.selectedTrack], [-1, null]);
  await assert.rejects(d.decode(), { name: 'InvalidStateError' });
  d.tracks[0].selected = true;
  const again = await d.decode();
  again.image.close();
  d.close();
});

test('a failing stream closes the decoder with NotReadableError', async () => {
  const bytes = image('anim.png');
  const stream = new ReadableStream({
    start(controller) { controller.enqueue(bytes.slice(0, 300)); },
    pull(controller) { controller.error(new Error('network gone')); },
  });
  const decoder = new ImageDecoder({ type: 'image/png', data: stream });
  const pending = decoder.decode({ frameIndex: 3 });
  await assert.rejects(pending, { name: 'NotReadableError' });
  await assert.rejects(decoder.completed, { name: 'NotReadableError' });
  await assert.rejects(decoder.decode(), { name: 'InvalidStateError' });
});

test('completeFramesOnly: false gives what has arrived of a frame (complete: false), true waits', async () => {
  for (const [name, type, cut, frameIndex, format] of [['four-colors.jpg', 'image/jpeg', 700, 0, 'BGRA'], ['four-colors-flip.gif', 'image/gif', 1600, 1, 'BGRX']]) {
    const bytes = image(name);
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    const stream = new ReadableStream({
      start(controller) { controller.enqueue(bytes.slice(0, cut)); },
      async pull(controller) {
        await gate;
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    const decoder = new ImageDecoder({ type, data: stream });
    await decoder.tracks.ready;
    // A frame is counted once its header has arrived, as in Chrome.
    assert.equal(decoder.tracks.selectedTrack.frameCount, frameIndex + 1, name);
    const whole = decoder.decode({ frameIndex });
    let wholeDone = false;
    whole.then(() => { wholeDone = true; });
    const partial = await decoder.decode({ frameIndex, completeFramesOnly: false });
    assert.deepEqual([partial.complete, partial.image.format, partial.image.codedWidth], [false, format, 320], name);
    partial.image.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(wholeDone, false, `${name}: a complete frame waits for its bytes`);
    release();
    const done = await whole;
    assert.equal(done.complete, true);
    assertColours(await quadrants(done.image), frameIndex === 0 ? FOUR : TURNED, 8, name);
    done.image.close();
    decoder.close();
  }
});

test('AVIF items: an alpha auxiliary image makes BGRA; a grid is assembled from its cells; irot and imir become rotation and flip', async () => {
  let decoder = await open('alpha.avif', 'image/avif');
  let { image: frame } = await decoder.decode();
  assert.deepEqual([frame.format, frame.codedWidth, frame.codedHeight], ['BGRA', 64, 48]);
  assert.deepEqual(frame.colorSpace.toJSON(), SRGB);
  assertColours(await quadrants(frame), FOUR, 3, 'alpha.avif');
  // Columns 0-7 are transparent: premultiplied, as Chrome gives them.
  assert.deepEqual(Array.from((await rgba(frame)).buf.subarray(8, 12)), [0, 0, 0, 0]);
  frame.close();
  decoder.close();

  decoder = await open('grid.avif', 'image/avif');
  ({ image: frame } = await decoder.decode());
  assert.deepEqual([frame.format, frame.codedWidth, frame.codedHeight], ['I444', 128, 128]);
  assertColours(await quadrants(frame), FOUR, 3, 'grid.avif');
  frame.close();
  decoder.close();

  decoder = await open('quad-irot1-imir0.avif', 'image/avif');
  ({ image: frame } = await decoder.decode());
  assert.deepEqual([frame.rotation, frame.flip, frame.displayWidth, frame.displayHeight], [90, true, 96, 128]);
  assertColours(await quadrants(frame), FOUR, 3, 'quad-irot1-imir0.avif');
  frame.close();
  decoder.close();
});
