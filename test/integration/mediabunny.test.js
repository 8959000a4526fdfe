'use strict';
// Mediabunny (issue 13 item 1), as users run it: its Conversion API on top of
// our classes installed by the polyfill, from an H.264 + AAC MP4 to every
// codec we encode in the containers that hold it. Each output is checked by
// ffprobe and ffmpeg's decoders: codec, size, frame count, sample count and
// duration, and the pictures against the source's (PSNR).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const webcodecs = require('../../lib/polyfill');
const mediabunny = require('mediabunny');
const { ffmpegPictures, psnr } = require('../helpers');

const W = 320, H = 240, FPS = 30, SECONDS = 2, RATE = 48000;
const FRAMES = FPS * SECONDS;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-mediabunny-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

// The source: moving test pictures and a 440 Hz tone, H.264 + AAC in MP4.
const source = path.join(dir, 'source.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=${FPS}:d=${SECONDS}`, '-f', 'lavfi', '-i', `sine=f=440:sample_rate=${RATE}:d=${SECONDS}`,
  '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac', '-b:a', '128k', '-shortest', '-y', source]);
const sourcePictures = ffmpegPictures(source, W, H);

function probe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,nb_read_frames,sample_rate,channels',
    '-show_entries', 'format=duration', '-of', 'json', file]);
  return JSON.parse(out);
}

/** The samples of a file's audio, as ffmpeg decodes them (mono f32). */
function sampleCount(file) {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-f', 'f32le', '-'], { maxBuffer: 1 << 26 }).byteLength / 4;
}

async function convert(file, format, video, audio) {
  const { Input, Output, Conversion, ALL_FORMATS, FilePathSource, BufferTarget } = mediabunny;
  const input = new Input({ source: new FilePathSource(source), formats: ALL_FORMATS });
  const output = new Output({ format, target: new BufferTarget() });
  const conversion = await Conversion.init({
    input,
    output,
    video: video ? { codec: video, forceTranscode: true } : { discard: true },
    audio: audio ? { codec: audio, forceTranscode: true } : { discard: true },
  });
  assert.ok(conversion.isValid, `${path.basename(file)}: ${JSON.stringify(conversion.discardedTracks.map((d) => d.reason))}`);
  await conversion.execute();
  fs.writeFileSync(file, Buffer.from(output.target.buffer));
}

const { Mp4OutputFormat, WebMOutputFormat, MkvOutputFormat, OggOutputFormat, Mp3OutputFormat, FlacOutputFormat, WavOutputFormat } = mediabunny;
// [output name, container, video codec, audio codec, ffprobe video, ffprobe audio]
const CASES = [
  ['avc-aac.mp4', () => new Mp4OutputFormat(), 'avc', 'aac', 'h264', 'aac'],
  ['hevc-aac.mp4', () => new Mp4OutputFormat(), 'hevc', 'aac', 'hevc', 'aac'],
  ['vp9-opus.mp4', () => new Mp4OutputFormat(), 'vp9', 'opus', 'vp9', 'opus'],
  ['av1-opus.mp4', () => new Mp4OutputFormat(), 'av1', 'opus', 'av1', 'opus'],
  ['avc-mp3.mp4', () => new Mp4OutputFormat(), 'avc', 'mp3', 'h264', 'mp3'],
  ['avc-flac.mp4', () => new Mp4OutputFormat(), 'avc', 'flac', 'h264', 'flac'],
  ['vp8-vorbis.webm', () => new WebMOutputFormat(), 'vp8', 'vorbis', 'vp8', 'vorbis'],
  ['vp9-opus.webm', () => new WebMOutputFormat(), 'vp9', 'opus', 'vp9', 'opus'],
  ['av1-opus.webm', () => new WebMOutputFormat(), 'av1', 'opus', 'av1', 'opus'],
  ['avc-aac.mkv', () => new MkvOutputFormat(), 'avc', 'aac', 'h264', 'aac'],
  ['hevc-flac.mkv', () => new MkvOutputFormat(), 'hevc', 'flac', 'hevc', 'flac'],
  ['vp9-pcm.mkv', () => new MkvOutputFormat(), 'vp9', 'pcm-s16', 'vp9', 'pcm_s16le'],
  ['opus.ogg', () => new OggOutputFormat(), null, 'opus', null, 'opus'],
  ['vorbis.ogg', () => new OggOutputFormat(), null, 'vorbis', null, 'vorbis'],
  ['mp3.mp3', () => new Mp3OutputFormat(), null, 'mp3', null, 'mp3'],
  ['flac.flac', () => new FlacOutputFormat(), null, 'flac', null, 'flac'],
  ['pcm-s16.wav', () => new WavOutputFormat(), null, 'pcm-s16', null, 'pcm_s16le'],
  ['pcm-f32.wav', () => new WavOutputFormat(), null, 'pcm-f32', null, 'pcm_f32le'],
  ['ulaw.wav', () => new WavOutputFormat(), null, 'ulaw', null, 'pcm_mulaw'],
];

// What a converted file must be; returns the figures the run prints.
function check(file, videoName, audioName) {
  const info = probe(file);
  const video = info.streams.find((s) => s.codec_type === 'video');
  const audio = info.streams.find((s) => s.codec_type === 'audio');
  const figures = { file: path.basename(file) };
  if (videoName) {
    assert.equal(video?.codec_name, videoName, `${figures.file}: video codec`);
    assert.deepEqual([video.width, video.height], [W, H], `${figures.file}: size`);
    assert.equal(Number(video.nb_read_frames), FRAMES, `${figures.file}: frames`);
    const pictures = ffmpegPictures(file, W, H);
    const db = pictures.map((p, i) => psnr(p, sourcePictures[i]));
    // At Mediabunny's default quality (QUALITY_HIGH) for each codec.
    figures.psnr = db.reduce((a, b) => a + b, 0) / db.length;
    figures.worst = Math.min(...db);
    assert.ok(figures.psnr >= 35 && figures.worst >= 30, `${figures.file}: PSNR ${figures.psnr.toFixed(1)} dB, worst frame ${figures.worst.toFixed(1)} dB`);
    figures.frames = pictures.length;
  } else {
    assert.equal(video, undefined, `${figures.file}: no video`);
  }
  assert.equal(audio?.codec_name, audioName, `${figures.file}: audio codec`);
  assert.equal(Number(audio.sample_rate), RATE, `${figures.file}: sample rate`);
  figures.samples = sampleCount(file);
  // Within one codec frame (Vorbis and AAC: up to 2048 samples) of the source's.
  assert.ok(Math.abs(figures.samples - RATE * SECONDS) <= 2048, `${figures.file}: ${figures.samples} samples`);
  figures.duration = Number(info.format.duration);
  assert.ok(Math.abs(figures.duration - SECONDS) <= 1 / FPS + 0.05, `${figures.file}: duration ${figures.duration}`);
  return figures;
}

for (const [name, format, video, audio, videoName, audioName] of CASES) {
  test(`Mediabunny converts H.264 + AAC MP4 to ${name}`, async (t) => {
    if (video === 'hevc' && !webcodecs.buildInfo.encoders.includes('libx265')) {
      t.skip('no HEVC encoder in this build (the lgpl flavour)');
      return;
    }
    const file = path.join(dir, name);
    const t0 = performance.now();
    await convert(file, format(), video, audio);
    const ms = performance.now() - t0;
    const figures = check(file, videoName, audioName);
    const round = (x) => x && Number(x.toFixed(1));
    t.diagnostic(JSON.stringify({ ...figures, psnr: round(figures.psnr), worst: round(figures.worst), ms: Math.round(ms) }));
  });
}

test('Mediabunny converts between containers: WebM to MP4 and MKV, MKV back to WebM', async () => {
  const webm = path.join(dir, 'vp9-opus.webm');
  if (!fs.existsSync(webm)) await convert(webm, new WebMOutputFormat(), 'vp9', 'opus');
  const { Input, Output, Conversion, ALL_FORMATS, FilePathSource, BufferTarget } = mediabunny;
  const hop = async (from, to, format, video, audio) => {
    const input = new Input({ source: new FilePathSource(from), formats: ALL_FORMATS });
    const output = new Output({ format, target: new BufferTarget() });
    const conversion = await Conversion.init({ input, output, video: { codec: video, forceTranscode: true }, audio: { codec: audio, forceTranscode: true } });
    assert.ok(conversion.isValid);
    await conversion.execute();
    fs.writeFileSync(to, Buffer.from(output.target.buffer));
  };
  const mp4 = path.join(dir, 'from-webm.mp4');
  const mkv = path.join(dir, 'from-mp4.mkv');
  const back = path.join(dir, 'from-mkv.webm');
  await hop(webm, mp4, new Mp4OutputFormat(), 'avc', 'aac');
  await hop(mp4, mkv, new MkvOutputFormat(), 'vp9', 'opus');
  await hop(mkv, back, new WebMOutputFormat(), 'av1', 'opus');
  // Three generations of lossy coding: the pictures are still the source's.
  // Mediabunny reads the last block of each Matroska/WebM cluster without a
  // duration (0) and its Conversion drops such frames (our decoder outputs
  // them): each hop from WebM or MKV keeps the frames that have one.
  const withDuration = async (file) => {
    const { EncodedPacketSink } = mediabunny;
    const input = new Input({ source: new FilePathSource(file), formats: ALL_FORMATS });
    let n = 0;
    for await (const packet of new EncodedPacketSink(await input.getPrimaryVideoTrack()).packets()) if (packet.duration > 0) n++;
    return n;
  };
  const expected = [await withDuration(webm), FRAMES, await withDuration(mkv)];
  expected[1] = expected[0]; // MP4 keeps every frame's duration: the MKV gets what the MP4 has
  for (const [file, v, a, frames] of [[mp4, 'h264', 'aac', expected[0]], [mkv, 'vp9', 'opus', expected[1]], [back, 'av1', 'opus', expected[2]]]) {
    const info = probe(file);
    assert.deepEqual(info.streams.map((s) => s.codec_name).sort(), [v, a].sort(), file);
    const pictures = ffmpegPictures(file, W, H);
    assert.equal(pictures.length, frames, file);
    const worst = Math.min(...pictures.map((p, i) => psnr(p, sourcePictures[i])));
    assert.ok(worst >= 30, `${path.basename(file)}: worst PSNR ${worst.toFixed(1)} dB`);
  }
});
