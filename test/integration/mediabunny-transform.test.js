'use strict';
// webcodecs-native/mediabunny: Mediabunny's resize, crop, rotate and flip
// (which draw on a canvas in browsers) done by our transformer. Each picture
// is checked against ffmpeg's filters doing the same work (scale with bicubic,
// transpose, hflip, crop, pad) on the same pixels; conversions are checked by
// ffprobe and against the source's pictures.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const webcodecs = require('../../lib/polyfill');
const mediabunny = require('mediabunny');
const { register, createTransformer, transformFrame } = require('../../lib/mediabunny');
const { pattern, psnr, ffmpegPictures } = require('../helpers');

const { VideoFrame } = webcodecs;
const W = 320, H = 240;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-mb-transform-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const card = pattern(W, H, 3);
const cardFile = path.join(dir, 'card.yuv');
fs.writeFileSync(cardFile, card);

/** What ffmpeg's `filters` make of the test card, as I420. */
function ffmpegDoes(filters) {
  return new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-i', cardFile,
    '-vf', filters, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']));
}

async function pixels(frame) {
  const out = new Uint8Array(frame.allocationSize());
  await frame.copyTo(out);
  return out;
}

const cardFrame = (init = {}) => new VideoFrame(card, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 40_000, duration: 33_333, ...init });

const CASES = [
  ['fill: a resize is ffmpeg\'s bicubic scale', { width: 160, height: 120, fit: 'fill' }, 'scale=160:120:flags=bicubic'],
  ['an upscale too', { width: 480, height: 360, fit: 'fill' }, 'scale=480:360:flags=bicubic'],
  ['a quarter turn clockwise', { width: H, height: W, rotation: 90 }, 'transpose=clock'],
  ['three quarters', { width: H, height: W, rotation: 270 }, 'transpose=cclock'],
  ['a half turn, mirrored', { width: W, height: H, rotation: 180, flip: true }, 'vflip'],
  ['turned, then mirrored', { width: H, height: W, rotation: 90, flip: true }, 'transpose=clock,hflip'],
  ['a crop at its own size', { width: 160, height: 120, crop: { left: 40, top: 20, width: 160, height: 120 } }, 'crop=160:120:40:20'],
  ['a crop of the turned picture', { width: 100, height: 60, rotation: 90, crop: { left: 20, top: 40, width: 100, height: 60 } }, 'transpose=clock,crop=100:60:20:40'],
  ['contain: centred between black bars', { width: W, height: 320, fit: 'contain' }, 'pad=320:320:0:40:black'],
  ['cover: the middle, cut to fit', { width: H, height: H, fit: 'cover' }, 'crop=240:240:40:0'],
];

for (const [name, description, filters] of CASES) {
  test(`transformFrame, ${name}`, async () => {
    const frame = cardFrame();
    const out = await transformFrame(frame, { rotation: 0, flip: false, fit: 'fill', alpha: 'keep', ...description });
    frame.close();
    assert.equal(out.format, 'I420');
    assert.deepEqual([out.codedWidth, out.codedHeight, out.displayWidth, out.displayHeight], [description.width, description.height, description.width, description.height]);
    assert.deepEqual([out.timestamp, out.duration, out.rotation, out.flip], [40_000, 33_333, 0, false]);
    const db = psnr(await pixels(out), ffmpegDoes(filters));
    // Same libswscale with the same filter: the same pixels, or within rounding.
    assert.ok(db >= 50, `${db.toFixed(1)} dB against ffmpeg's ${filters}`);
    out.close();
  });
}

test('transformFrame: a frame\'s own rotation and flip come first, as Mediabunny sees the frame displayed', async () => {
  const turned = cardFrame({ rotation: 90 });
  assert.deepEqual([turned.displayWidth, turned.displayHeight], [H, W]);
  const upright = await transformFrame(turned, { width: H, height: W, rotation: 0, flip: false, fit: 'fill' });
  assert.equal(psnr(await pixels(upright), ffmpegDoes('transpose=clock')), Infinity);
  // Displayed turned and mirrored, then turned a further quarter by the description.
  const mirrored = cardFrame({ rotation: 90, flip: true });
  const further = await transformFrame(mirrored, { width: W, height: H, rotation: 90, flip: false, fit: 'fill' });
  assert.equal(psnr(await pixels(further), ffmpegDoes('transpose=clock,hflip,transpose=clock')), Infinity);
  for (const f of [turned, upright, mirrored, further]) f.close();
});

test('transformFrame: a frame showing part of its samples (visibleRect) is transformed from that part', async () => {
  const part = cardFrame({ visibleRect: { x: 40, y: 20, width: 160, height: 120 } });
  const whole = await transformFrame(part, { width: 160, height: 120, rotation: 0, flip: false, fit: 'fill' });
  assert.equal(psnr(await pixels(whole), ffmpegDoes('crop=160:120:40:20')), Infinity);
  const turned = await transformFrame(part, { width: 120, height: 160, rotation: 270, flip: false, fit: 'fill' });
  assert.equal(psnr(await pixels(turned), ffmpegDoes('crop=160:120:40:20,transpose=cclock')), Infinity);
  for (const f of [part, whole, turned]) f.close();
});

test('transformFrame: an anamorphic frame is resized from its display size', async () => {
  // Stored 320x240, displayed 640x240: the left half of the display is the left half of the samples.
  const wide = cardFrame({ displayWidth: 640, displayHeight: 240 });
  const half = await transformFrame(wide, { width: 160, height: 240, crop: { left: 0, top: 0, width: 320, height: 240 }, rotation: 0, flip: false, fit: 'fill' });
  assert.ok(psnr(await pixels(half), ffmpegDoes('crop=160:240:0:0')) >= 50);
  wide.close();
  half.close();
});

test('transformFrame: alpha is kept (bars transparent) or dropped (bars black) as the description says', async () => {
  const planes = new Uint8Array(W * H * 2.5);
  planes.set(card);
  planes.fill(255, W * H * 1.5);
  const frame = new VideoFrame(planes, { format: 'I420A', codedWidth: W, codedHeight: H, timestamp: 0 });
  const kept = await transformFrame(frame, { width: W, height: 320, fit: 'contain', rotation: 0, flip: false, alpha: 'keep' });
  assert.equal(kept.format, 'I420A');
  const bytes = await pixels(kept);
  const alpha = bytes.subarray(W * 320 * 1.5);
  assert.equal(alpha[0], 0, 'the bar above is transparent');
  assert.equal(alpha[W * 160], 255, 'the picture is opaque');
  const dropped = await transformFrame(frame, { width: W, height: 320, fit: 'contain', rotation: 0, flip: false, alpha: 'discard' });
  assert.equal(dropped.format, 'I420');
  assert.equal((await pixels(dropped))[0], 16, 'limited-range black');
  for (const f of [frame, kept, dropped]) f.close();
});

test('transformFrame: RGB frames stay RGB, 10-bit frames stay 10-bit', async () => {
  const rgba = new VideoFrame(new Uint8Array(64 * 32 * 4).fill(200), { format: 'RGBA', codedWidth: 64, codedHeight: 32, timestamp: 0 });
  const small = await transformFrame(rgba, { width: 32, height: 16, rotation: 90, flip: false, fit: 'fill', alpha: 'keep' });
  assert.equal(small.format, 'RGBA');
  // libswscale's RGB path rounds a flat 200 to 200 or 201.
  assert.ok((await pixels(small)).every((v) => v === 200 || v === 201));
  const deep = new VideoFrame(new Uint16Array(64 * 32 * 1.5).fill(700), { format: 'I420P10', codedWidth: 64, codedHeight: 32, timestamp: 0 });
  const out = await transformFrame(deep, { width: 30, height: 18, rotation: 0, flip: false, fit: 'fill' });
  assert.equal(out.format, 'I420P10');
  assert.ok(new Uint16Array((await pixels(out)).buffer).every((v) => v === 700));
  for (const f of [rgba, small, deep, out]) f.close();
});

test('transformFrame: bad input is rejected with the right error, and the source stays usable', async () => {
  const frame = cardFrame();
  const base = { width: 160, height: 120, rotation: 0, flip: false, fit: 'fill' };
  for (const bad of [{ ...base, width: 0 }, { ...base, height: 1.5 }, { ...base, rotation: 45 }, { ...base, fit: 'stretch' }, { ...base, flip: 'yes' }, { ...base, alpha: 'premultiply' }, { ...base, crop: 5 },
    { ...base, crop: { left: 0, top: 0, width: 0, height: 10 } }, { ...base, crop: { left: NaN, top: 0, width: 10, height: 10 } }, null]) {
    await assert.rejects(transformFrame(frame, bad), TypeError, JSON.stringify(bad));
  }
  await assert.rejects(transformFrame(frame, { ...base, width: 20000 }), RangeError);
  await assert.rejects(transformFrame({}, base), TypeError);
  // A crop outside the picture is clamped to it, as Mediabunny clamps it.
  const clamped = await transformFrame(frame, { ...base, crop: { left: 300, top: 200, width: 100, height: 100 } });
  assert.equal(clamped.codedWidth, 160);
  clamped.close();
  assert.equal((await pixels(frame)).length, W * H * 1.5);
  frame.close();
  await assert.rejects(transformFrame(frame, base), TypeError, 'closed');
  assert.throws(() => createTransformer({}), TypeError);
  assert.throws(() => register({ VideoSample: class {} }), TypeError);
});

test('transformFrame: 300 random shapes, formats and descriptions give frames of the asked size, or the right error', async () => {
  // A seeded generator: the same cases every run.
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[int(0, xs.length - 1)];
  const formats = { I420: 1.5, I420A: 2.5, I422: 2, I444: 3, NV12: 1.5, RGBA: 4, BGRX: 4, I420P10: 3, I444AP12: 8 };
  for (let i = 0; i < 300; i++) {
    const format = pick(Object.keys(formats));
    const even = !['I444', 'RGBA', 'BGRX', 'I444AP12'].includes(format);
    const [w, h] = [int(1, 96) * (even ? 2 : 1), int(1, 64) * (even ? 2 : 1)];
    const frame = new VideoFrame(new Uint8Array(Math.ceil(w * h * formats[format]) + 64).fill(int(0, 255)), {
      format, codedWidth: w, codedHeight: h, timestamp: i, rotation: pick([0, 90, 180, 270]), flip: next() < 0.3,
    });
    const rotation = pick([0, 90, 180, 270]);
    const [tw, th] = rotation % 180 === 0 ? [frame.displayWidth, frame.displayHeight] : [frame.displayHeight, frame.displayWidth];
    const description = {
      width: int(1, 200), height: int(1, 200), rotation, flip: next() < 0.5, fit: pick(['fill', 'contain', 'cover']), alpha: pick(['keep', 'discard']),
      crop: next() < 0.5 ? null : { left: int(0, tw - 1), top: int(0, th - 1), width: int(1, tw), height: int(1, th) },
    };
    const out = await transformFrame(frame, description);
    assert.deepEqual([out.codedWidth, out.codedHeight, out.timestamp], [description.width, description.height, i], JSON.stringify({ format, w, h, description }));
    assert.equal((await pixels(out)).length, out.allocationSize());
    out.close();
    frame.close();
  }
});

test('register: once per module, and it answers Mediabunny\'s VideoSample.transform', async () => {
  assert.equal(register(mediabunny), register(mediabunny));
  const frame = cardFrame();
  const sample = new mediabunny.VideoSample(frame);
  const small = await sample.transform({ width: 160, height: 120, fit: 'fill' });
  assert.deepEqual([small.displayWidth, small.displayHeight, small.timestamp], [160, 120, 0.04]);
  const f = small.toVideoFrame();
  assert.ok(psnr(await pixels(f), ffmpegDoes('scale=160:120:flags=bicubic')) >= 50);
  for (const x of [f, small, sample]) x.close();
});

// Conversions, as users run them: a 2 s 320x240 H.264 + AAC MP4 resized,
// turned and cropped to H.264 in MP4.
const source = path.join(dir, 'source.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=2', '-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000:d=2',
  '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac', '-shortest', '-y', source]);

for (const [name, video, filters, [w, h]] of [
  ['resized to 160x120', { width: 160, height: 120, fit: 'fill' }, 'scale=160:120:flags=bicubic', [160, 120]],
  ['turned a quarter, 120 wide', { rotate: 90, width: 120 }, 'transpose=clock,scale=120:160:flags=bicubic', [120, 160]],
  ['cropped and letterboxed', { crop: { left: 40, top: 0, width: 240, height: 240 }, width: 320, height: 240, fit: 'contain' }, 'crop=240:240:40:0,pad=320:240:40:0:black', [320, 240]],
]) {
  test(`Mediabunny conversion ${name}`, async () => {
    register(mediabunny);
    const out = path.join(dir, `${w}x${h}.mp4`);
    const input = new mediabunny.Input({ source: new mediabunny.FilePathSource(source), formats: mediabunny.ALL_FORMATS });
    const output = new mediabunny.Output({ format: new mediabunny.Mp4OutputFormat(), target: new mediabunny.FilePathTarget(out) });
    const conversion = await mediabunny.Conversion.init({ input, output, video: { codec: 'avc', bitrate: 2e6, ...video }, audio: { codec: 'aac' } });
    assert.deepEqual(conversion.discardedTracks, []);
    await conversion.execute();
    const stream = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', out])).streams[0];
    assert.deepEqual([stream.codec_name, stream.width, stream.height, Number(stream.nb_read_frames)], ['h264', w, h, 60]);
    const ours = ffmpegPictures(out, w, h);
    const reference = new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-i', source, '-vf', filters, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { maxBuffer: 1 << 26 }));
    const size = w * h * 1.5;
    const db = ours.reduce((sum, p, i) => sum + psnr(p, reference.subarray(i * size, (i + 1) * size)), 0) / ours.length;
    assert.ok(db >= 30, `${db.toFixed(1)} dB against ffmpeg's ${filters}`);
  });
}
