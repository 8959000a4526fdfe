// AudioData conversions and attributes, AudioEncoder/AudioDecoder config
// clones, support answers and Opus output shapes, compared with Chrome by
// ../../../shared/tools/chrome-oracle.mjs. Not a test file.
const out = {};
const copy = (data, format, planeIndex = 0) => {
  const Type = { u8: Uint8Array, s16: Int16Array, s32: Int32Array, f32: Float32Array }[format.replace('-planar', '')];
  const dest = new Type(data.allocationSize({ planeIndex, format }) / Type.BYTES_PER_ELEMENT);
  data.copyTo(dest, { planeIndex, format });
  return Array.from(dest);
};
const make = (format, values, channels = 1) => new AudioData({ format, sampleRate: 48000, numberOfFrames: values.length / channels, numberOfChannels: channels, timestamp: 0, data: new ({ u8: Uint8Array, s16: Int16Array, s32: Int32Array, f32: Float32Array }[format.replace('-planar', '')])(values) });

// Conversions (the spec leaves the formulas to the UA).
const floats = [-1.5, -1, -0.75, -0.5, -0.25, -1e-5, 0, 1e-5, 0.25, 0.5, 0.75, 1, 1.5, NaN];
out.f32ToS16 = copy(make('f32', floats), 's16');
out.f32ToU8 = copy(make('f32', floats), 'u8');
out.f32ToS32 = copy(make('f32', floats), 's32');
out.s16ToF32 = copy(make('s16', [-32768, -16384, -1, 0, 1, 16384, 32767]), 'f32');
out.u8ToF32 = copy(make('u8', [0, 1, 64, 127, 128, 129, 192, 255]), 'f32');
out.s32ToS16 = copy(make('s32', [-2147483648, -65536, -32768, 0, 32768, 65535, 2147483647]), 's16');
out.s16ToU8 = copy(make('s16', [-32768, -256, -128, 0, 127, 128, 256, 32767]), 'u8');
out.s16RoundTrip = (() => {
  const values = [-32768, -12345, -777, -1, 0, 1, 777, 12345, 32767];
  const f = copy(make('s16', values), 'f32');
  return copy(make('f32', f), 's16');
})();
out.interleave = copy(make('f32-planar', [1, 2, 3, 4, 5, 6].map((v) => v / 8), 2), 'f32');
out.planeOfInterleaved = copy(make('s16', [1, 2, 3, 4, 5, 6], 2), 's16-planar', 1);

// Attributes.
const d = new AudioData({ format: 'f32', sampleRate: 44100, numberOfFrames: 3, numberOfChannels: 1, timestamp: -7, data: new Float32Array(3) });
out.attributes = { format: d.format, sampleRate: d.sampleRate, numberOfFrames: d.numberOfFrames, numberOfChannels: d.numberOfChannels, duration: d.duration, timestamp: d.timestamp };
out.durationOneFrame = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 1, numberOfChannels: 1, timestamp: 0, data: new Float32Array(1) }).duration;
out.durationOddRate = new AudioData({ format: 'u8', sampleRate: 22050.5, numberOfFrames: 100, numberOfChannels: 1, timestamp: 0, data: new Uint8Array(100) }).sampleRate;
d.close();
out.closed = { format: d.format, sampleRate: d.sampleRate, numberOfFrames: d.numberOfFrames, numberOfChannels: d.numberOfChannels, duration: d.duration, timestamp: d.timestamp };
out.closedCalls = [attempt(() => d.clone()), attempt(() => d.allocationSize({ planeIndex: 0 })), attempt(() => d.copyTo(new Float32Array(3), { planeIndex: 0 }))];

// Errors.
const base = { format: 'f32', sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 0, data: new Float32Array(8) };
out.ctorErrors = [
  { sampleRate: 0 }, { numberOfFrames: 0 }, { numberOfChannels: 0 }, { data: new Float32Array(7) }, { format: 'f64' }, { timestamp: undefined }, { sampleRate: -1 },
].map((over) => attempt(() => new AudioData({ ...base, ...over })));
const e = new AudioData(base);
out.copyErrors = [
  { planeIndex: 1 }, { planeIndex: 0, frameOffset: 4 }, { planeIndex: 0, frameCount: 5 }, { planeIndex: 0, frameOffset: 2, frameCount: 3 }, { planeIndex: 2, format: 'f32-planar' }, {},
].map((o) => attempt(() => e.allocationSize(o)));
out.smallDestination = attempt(() => e.copyTo(new Float32Array(7), { planeIndex: 0 }));

// Config clones and support.
const enc = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2 };
out.encoderSupport = {};
for (const [name, config] of Object.entries({
  opus: enc,
  opusOptions: { ...enc, bitrate: 64000, opus: { complexity: 5, frameDuration: 10000, bogus: 1 }, extra: 1 },
  opus44k: { ...enc, sampleRate: 44100 },
  opusOgg: { ...enc, opus: { format: 'ogg' } },
  opusBadDuration: { ...enc, opus: { frameDuration: 30000 } },
  opusComplexity11: { ...enc, opus: { complexity: 11 } },
  zeroRate: { ...enc, sampleRate: 0 },
  zeroChannels: { ...enc, numberOfChannels: 0 },
  flacLevel9: { ...enc, codec: 'flac', flac: { compressLevel: 9 } },
  aacAdts: { ...enc, codec: 'mp4a.40.2', aac: { format: 'adts' } },
  pcm: { ...enc, codec: 'pcm-s16' },
  ulaw: { ...enc, codec: 'ulaw' },
  mp3: { ...enc, codec: 'mp3' },
  bareAac: { ...enc, codec: 'aac' },
  upperOpus: { ...enc, codec: 'Opus' },
})) {
  out.encoderSupport[name] = await AudioEncoder.isConfigSupported(config).then((r) => r, (err) => errInfo(err));
}
out.decoderSupport = {};
for (const codec of ['opus', 'mp4a.40.2', 'mp4a.40.02', 'mp4a.40.5', 'mp4a.40.29', 'mp4a.67', 'mp4a.69', 'mp4a.6B', 'mp3', 'flac', 'vorbis', 'ulaw', 'alaw', 'pcm-u8', 'pcm-s16', 'pcm-s24', 'pcm-s32', 'pcm-f32', 'aac', 'mp4a.40', 'opus ']) {
  out.decoderSupport[codec] = await AudioDecoder.isConfigSupported({ codec, sampleRate: 48000, numberOfChannels: 2, extra: 1 }).then((r) => r.supported, (err) => errInfo(err));
}
out.decoderClone = await AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2, description: new Uint8Array([1, 2]), bogus: 1 }).then((r) => ({ ...r, config: { ...r.config, description: r.config.description?.byteLength } }));

// Opus encode: pieces of 1000, 2000 and 1800 frames (0.1 s) at 48 kHz stereo.
const chunks = [];
const metas = [];
let error = null;
const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); metas.push(m); }, error: (err) => { error = errInfo(err); } });
encoder.configure(enc);
let at = 0;
for (const n of [1000, 2000, 1800]) {
  const data = new Float32Array(n * 2).map((_, i) => 0.3 * Math.sin(i / 7));
  encoder.encode(new AudioData({ format: 'f32-planar', sampleRate: 48000, numberOfFrames: n, numberOfChannels: 2, timestamp: 1000 + Math.round((at * 1e6) / 48000), data }));
  at += n;
}
await withTimeout(encoder.flush(), 20000);
out.opusEncode = {
  error,
  count: chunks.length,
  types: chunks.map((c) => c.type),
  timestamps: chunks.map((c) => c.timestamp),
  durations: chunks.map((c) => c.duration),
  metadataKeys: metas.map((m) => Object.keys(m).sort().join(',')),
  decoderConfig: metas[0]?.decoderConfig && { ...metas[0].decoderConfig, description: metas[0].decoderConfig.description?.byteLength },
};
const decoded = [];
const decoder = new AudioDecoder({ output: (a) => { decoded.push([a.format, a.timestamp, a.numberOfFrames, a.numberOfChannels, a.sampleRate, a.duration]); a.close(); }, error: (err) => { error = errInfo(err); } });
decoder.configure(metas[0].decoderConfig);
for (const c of chunks) decoder.decode(c);
await withTimeout(decoder.flush(), 20000);
out.opusDecode = { error, outputs: decoded };

// Mismatched input: a mono AudioData into a stereo encoder.
let mismatch = null;
const wrong = new AudioEncoder({ output: () => {}, error: (err) => { mismatch = errInfo(err); } });
wrong.configure(enc);
wrong.encode(new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 1, timestamp: 0, data: new Float32Array(960) }));
out.mismatchFlush = await wrong.flush().then(() => 'resolved', (err) => errInfo(err));
out.mismatchError = mismatch;
out.mismatchState = wrong.state;
// Decoder output formats for PCM-family codecs (the decoders' own formats).
out.pcmFormats = {};
for (const [codec, bytes] of [['pcm-s16', 8], ['pcm-s24', 12], ['pcm-s32', 16], ['pcm-f32', 16], ['pcm-u8', 4], ['ulaw', 4], ['alaw', 4]]) {
  const formats = [];
  let failure = null;
  const dec = new AudioDecoder({ output: (a) => { formats.push([a.format, a.numberOfFrames]); a.close(); }, error: (err) => { failure = errInfo(err); } });
  dec.configure({ codec, sampleRate: 48000, numberOfChannels: 1 });
  dec.decode(new EncodedAudioChunk({ type: 'key', timestamp: 0, data: new Uint8Array(bytes).fill(3) }));
  await withTimeout(dec.flush(), 10000).catch(() => {});
  out.pcmFormats[codec] = failure ?? formats;
}

// Opus at 44.1 kHz (Opus itself runs at 48 kHz).
{
  const chunks44 = [];
  const metas44 = [];
  let failure = null;
  const enc44 = new AudioEncoder({ output: (c, m) => { chunks44.push(c); metas44.push(m); }, error: (err) => { failure = errInfo(err); } });
  enc44.configure({ codec: 'opus', sampleRate: 44100, numberOfChannels: 1 });
  enc44.encode(new AudioData({ format: 'f32', sampleRate: 44100, numberOfFrames: 4410, numberOfChannels: 1, timestamp: 0, data: new Float32Array(4410).map((_, i) => 0.3 * Math.sin(i / 9)) }));
  await withTimeout(enc44.flush(), 20000).catch(() => {});
  const decoded44 = [];
  if (metas44[0]) {
    const dec = new AudioDecoder({ output: (a) => { decoded44.push([a.format, a.sampleRate, a.timestamp, a.numberOfFrames]); a.close(); }, error: (err) => { failure = errInfo(err); } });
    dec.configure(metas44[0].decoderConfig);
    for (const c of chunks44) dec.decode(c);
    await withTimeout(dec.flush(), 20000).catch(() => {});
  }
  out.opus44k = {
    failure,
    timestamps: chunks44.map((c) => c.timestamp),
    durations: chunks44.map((c) => c.duration),
    decoderConfig: metas44[0]?.decoderConfig && { ...metas44[0].decoderConfig, description: metas44[0].decoderConfig.description?.byteLength },
    decoded: decoded44,
  };
}
return out;
