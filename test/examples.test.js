'use strict';
// The examples under examples/ run as a user would run them, on short clips,
// and what they write is checked with ffprobe, ffmpeg and sharp.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-examples-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const example = (name, ...args) => execFileSync(process.execPath, [path.join(ROOT, 'examples', name), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
const probe = (file) => JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,nb_read_frames,sample_rate,channels', '-show_entries', 'format=duration', '-of', 'json', file]));

// A 3 s clip: moving test pictures (frame number and time printed on them) and a tone.
const clip = path.join(dir, 'clip.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=3', '-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000:d=3',
  '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-y', clip]);

test('thumbnails.js: a JPEG every second, and PNGs of the right size, each the picture at its mark', async () => {
  const sharp = require('sharp');
  const stdout = example('thumbnails.js', clip, '--every', '1', '--width', '320', '--out', 'thumbs');
  assert.match(stdout, /3 thumbnails of clip\.mp4/);
  const files = fs.readdirSync(path.join(dir, 'thumbs')).sort();
  assert.deepEqual(files, ['thumb-0000000ms.jpg', 'thumb-0001000ms.jpg', 'thumb-0002000ms.jpg']);
  // (Untagged video is BT.709 to WebCodecs, as in Chrome; ffmpeg is told so.)
  const frames = [0, 1, 2].map((i) => execFileSync('ffmpeg', ['-v', 'error', '-ss', String(i), '-i', clip, '-frames:v', '1', '-vf', 'scale=in_color_matrix=bt709:in_range=tv:flags=accurate_rnd+full_chroma_int',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']));
  for (const [i, name] of files.entries()) {
    const meta = await sharp(path.join(dir, 'thumbs', name)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 320, 240]);
    // The picture at its mark, as ffmpeg shows it: close (JPEG) to that
    // instant's, and far from the other marks' (the clip moves).
    const ours = await sharp(path.join(dir, 'thumbs', name)).raw().toBuffer();
    const diff = (theirs) => {
      let d = 0;
      for (let k = 0; k < ours.length; k++) d += Math.abs(ours[k] - theirs[k]);
      return d / ours.length;
    };
    const own = diff(frames[i]);
    const others = frames.filter((_, k) => k !== i).map(diff);
    assert.ok(own < 6 && others.every((d) => d > own * 2), `${name}: mean difference ${own.toFixed(1)} from ffmpeg's picture at ${i} s, ${others.map((d) => d.toFixed(1))} from the others`);
  }
  example('thumbnails.js', clip, '--every', '1', '--width', '160', '--out', 'small');
  const small = await sharp(path.join(dir, 'small', 'thumb-0001000ms.jpg')).metadata();
  assert.deepEqual([small.width, small.height], [160, 120]);
  example('thumbnails.js', clip, '--every', '1.5', '--format', 'png', '--out', 'pngs');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'pngs')).sort(), ['thumb-0000000ms.png', 'thumb-0001500ms.png']);
});

/** The video packets of a file that Mediabunny reads with a duration. */
async function framesWithDuration(file) {
  const { Input, ALL_FORMATS, FilePathSource, EncodedPacketSink } = require('mediabunny');
  const input = new Input({ source: new FilePathSource(file), formats: ALL_FORMATS });
  let n = 0;
  for await (const packet of new EncodedPacketSink(await input.getPrimaryVideoTrack()).packets()) if (packet.duration > 0) n++;
  return n;
}

test('transcode.js: MP4 to WebM (VP9 + Opus) and back to MP4 (AV1 + AAC), reporting frames and fps', async () => {
  const stdout = example('transcode.js', clip, 'out.webm', '--quiet');
  assert.match(stdout, /out\.webm: video \+ audio, \d+ KiB in [\d.]+ s, 90 frames at [\d.]+ fps/);
  const webm = probe(path.join(dir, 'out.webm'));
  assert.deepEqual(webm.streams.map((s) => [s.codec_name, s.width ?? s.sample_rate]), [['vp9', 320], ['opus', '48000']]);
  assert.equal(Number(webm.streams[0].nb_read_frames), 90);
  example('transcode.js', path.join(dir, 'out.webm'), 'back.mp4', '--video', 'av1', '--quiet');
  const mp4 = probe(path.join(dir, 'back.mp4'));
  assert.deepEqual(mp4.streams.map((s) => s.codec_name), ['av1', 'aac']);
  // Mediabunny reads the last block of each WebM cluster without a duration
  // (0) and its Conversion drops such frames (our decoder outputs them):
  // expect the frames that have one.
  const kept = await framesWithDuration(path.join(dir, 'out.webm'));
  assert.ok(kept >= 87 && kept < 90, `${kept} frames with a duration`);
  assert.equal(Number(mp4.streams[0].nb_read_frames), kept);
});

test('transcode.js: resized and turned through webcodecs-native/mediabunny', () => {
  const stdout = example('transcode.js', clip, 'small.mp4', '--width', '120', '--rotate', '90', '--quiet');
  assert.match(stdout, /small\.mp4: video \+ audio, \d+ KiB in [\d.]+ s, 90 frames/);
  const mp4 = probe(path.join(dir, 'small.mp4'));
  // 320x240 turned a quarter is 240x320; 120 wide keeps that shape.
  assert.deepEqual(mp4.streams.map((s) => [s.codec_name, s.width, s.height]), [['h264', 120, 160], ['aac', undefined, undefined]]);
});

test('canvas-to-mp4.js: frames drawn on a canvas become an H.264 MP4 showing them', () => {
  const stdout = example('canvas-to-mp4.js', '--size', '320x180', '--seconds', '1', '--out', 'canvas.mp4');
  assert.match(stdout, /30 frames 320x180 drawn and encoded/);
  const info = probe(path.join(dir, 'canvas.mp4'));
  assert.deepEqual(info.streams.map((s) => [s.codec_name, s.width, s.height, Number(s.nb_read_frames)]), [['h264', 320, 180, 30]]);
  // Top row: the sky gradient's dark blue (#1d3b72), within coding error.
  const pixel = execFileSync('ffmpeg', ['-v', 'error', '-i', path.join(dir, 'canvas.mp4'), '-frames:v', '1', '-vf', 'crop=2:2:300:2', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  const [r, g, b] = pixel;
  assert.ok(Math.abs(r - 0x1d) < 12 && Math.abs(g - 0x3b) < 12 && Math.abs(b - 0x72) < 12, `top-right pixel ${[r, g, b]}`);
});

test('audio-to-wav.js: the AAC track of an MP4 and an Ogg Vorbis file to 16-bit WAV with every sample', () => {
  const stdout = example('audio-to-wav.js', clip, 'tone.wav');
  assert.match(stdout, /tone\.wav: \d+ samples x 1 channels at 48000 Hz/);
  const info = probe(path.join(dir, 'tone.wav'));
  assert.deepEqual(info.streams.map((s) => [s.codec_name, s.sample_rate, s.channels]), [['pcm_s16le', '48000', 1]]);
  // As many samples as ffmpeg decodes from the same track (both skip AAC's priming).
  const want = execFileSync('ffmpeg', ['-v', 'error', '-i', clip, '-map', '0:a', '-f', 's16le', '-']).length;
  assert.equal(fs.statSync(path.join(dir, 'tone.wav')).size - 44, want);
  example('audio-to-wav.js', path.join(ROOT, 'test', 'fixtures', 'sfx-vorbis.ogg'), 'sfx.wav');
  assert.equal(probe(path.join(dir, 'sfx.wav')).streams[0].codec_name, 'pcm_s16le');
});

test('parallel.js: clips transcoded on a pool of one worker, then of two, with the speed-up printed', () => {
  const stdout = example('parallel.js', '--count', '2', '--seconds', '1', '--threads', '2', '--out', 'parallel');
  assert.match(stdout, /2 files to vp9 \+ opus/);
  assert.match(stdout, /2 workers: [\d.]+ s {2}\(speed-up [\d.]+x\)/);
  for (const i of [0, 1]) {
    const info = probe(path.join(dir, 'parallel', `pool-${i}.webm`));
    assert.deepEqual(info.streams.map((s) => s.codec_name), ['vp9', 'opus']);
    assert.equal(Number(info.streams[0].nb_read_frames), 30);
  }
});
