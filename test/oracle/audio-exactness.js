// Issue 8 items 5-8, 20, 21: AudioDecoderConfig/AudioEncoderConfig validity
// and support answers, Opus options, Vorbis/FLAC descriptions, and decoder
// output timestamps from a negative first timestamp.
const res = {};
const tryEnc = async (config) => { const r = await attempt(() => AudioEncoder.isConfigSupported(config)); return r.ok ? r.value.supported : r.error.name; };
const tryDec = async (config) => { const r = await attempt(() => AudioDecoder.isConfigSupported(config)); return r.ok ? r.value.supported : r.error.name; };
const opus = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2 };
// 5
res.decRate0 = await tryDec({ ...opus, sampleRate: 0 });
res.decChannels0 = await tryDec({ ...opus, numberOfChannels: 0 });
// 6
res.encBitrate0 = await tryEnc({ ...opus, bitrate: 0 });
for (const d of [0, 1, 2500, 5000, 10000, 20000, 30000, 40000, 60000, 80000, 100000, 120000, 120001, 1000000]) {
  res[`frameDuration.${d}`] = await tryEnc({ ...opus, opus: { frameDuration: d } });
}
res.opusRate1 = await tryEnc({ ...opus, sampleRate: 1 });
res.opusRate8000 = await tryEnc({ ...opus, sampleRate: 8000 });
res.opusRate96000 = await tryEnc({ ...opus, sampleRate: 96000 });
res.opusComplexity11 = await tryEnc({ ...opus, opus: { complexity: 11 } });
res.opusPacketloss101 = await tryEnc({ ...opus, opus: { packetlossperc: 101 } });
res.aacRate1 = await tryEnc({ codec: 'mp4a.40.2', sampleRate: 1, numberOfChannels: 2 });
res.flacLevel9 = await tryEnc({ codec: 'flac', sampleRate: 48000, numberOfChannels: 2, flac: { compressLevel: 9 } });
res.flacBlock1 = await tryEnc({ codec: 'flac', sampleRate: 48000, numberOfChannels: 2, flac: { blockSize: 1 } });
// 7
res.usedtx = await tryEnc({ ...opus, opus: { usedtx: true } });
for (const ch of [3, 6, 8, 9, 16, 255, 256]) res[`opusChannels.${ch}`] = await tryEnc({ ...opus, numberOfChannels: ch });
// 8
res.vorbisNoDescription = await tryDec({ codec: 'vorbis', sampleRate: 48000, numberOfChannels: 1 });
res.flacNoDescription = await tryDec({ codec: 'flac', sampleRate: 48000, numberOfChannels: 1 });
async function configureOnly(config) {
  const errs = [];
  const dec = new AudioDecoder({ output: (d) => d.close(), error: (e) => errs.push(e.name) });
  const r = await attempt(() => dec.configure(config));
  await new Promise((r) => setTimeout(r, 300));
  const state = dec.state;
  if (state !== 'closed') dec.close();
  return { configure: r.ok ? 'ok' : r.error.name, state, errs };
}
res.vorbisNoDescriptionConfigure = await configureOnly({ codec: 'vorbis', sampleRate: 48000, numberOfChannels: 1 });
res.flacNoDescriptionConfigure = await configureOnly({ codec: 'flac', sampleRate: 48000, numberOfChannels: 1 });
// 20: the bare 34-byte STREAMINFO.
const flac = await media('sfx.flac');
const streaminfo = flac.subarray(8, 42);
res.flacBareStreaminfo = await tryDec({ codec: 'flac', sampleRate: 48000, numberOfChannels: 1, description: streaminfo });
res.flacFullDescription = await tryDec({ codec: 'flac', sampleRate: 48000, numberOfChannels: 1, description: flac.subarray(0, 42) });
res.flacBareStreaminfoConfigure = await configureOnly({ codec: 'flac', sampleRate: 48000, numberOfChannels: 1, description: streaminfo });
// 21: ADTS frames from -21334 µs.
const adts = await media('sfx.adts');
const frames = [];
for (let at = 0; at + 7 <= adts.length && frames.length < 12; ) {
  const len = ((adts[at + 3] & 3) << 11) | (adts[at + 4] << 3) | (adts[at + 5] >> 5);
  frames.push(adts.subarray(at, at + len));
  at += len;
}
const stamps = [];
const dec = new AudioDecoder({ output: (d) => { stamps.push([d.timestamp, d.numberOfFrames]); d.close(); }, error: (e) => stamps.push(e.name) });
dec.configure({ codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 1 });
frames.forEach((data, i) => dec.decode(new EncodedAudioChunk({ type: 'key', timestamp: -21334 + i * 21333, data })));
await dec.flush();
dec.close();
res.aacTimestamps = stamps;
return res;
