// AAC (ADTS) and MP3 decoding across flush(): frame counts and timestamps of the outputs.
const out = {};
function adtsFrames(b) { const f = []; for (let i = 0; i + 7 <= b.length;) { const len = ((b[i + 3] & 3) << 11) | (b[i + 4] << 3) | (b[i + 5] >> 5); if (len < 7) break; f.push(b.subarray(i, i + len)); i += len; } return f; }
function mp3Frames(b) {
  const rates = [[11025, 12000, 8000], [0, 0, 0], [22050, 24000, 16000], [44100, 48000, 32000]];
  const kbps1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], kbps2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
  let i = 0; const f = [];
  if (b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) i = 10 + ((b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9]);
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff || (b[i + 1] & 0xe0) !== 0xe0) { i++; continue; }
    const ver = (b[i + 1] >> 3) & 3, br = b[i + 2] >> 4, sr = (b[i + 2] >> 2) & 3, pad = (b[i + 2] >> 1) & 1;
    const rate = rates[ver][sr]; const kbps = (ver === 3 ? kbps1 : kbps2)[br];
    if (!rate || !kbps) { i++; continue; }
    const len = ver === 3 ? Math.floor(144000 * kbps / rate) + pad : Math.floor(72000 * kbps / rate) + pad;
    f.push({ data: b.subarray(i, i + len), rate, spf: ver === 3 ? 1152 : 576 }); i += len;
  }
  return f;
}
async function run(config, frames, spf, rate, flushAt) {
  const log = [];
  const dec = new AudioDecoder({ output: (a) => { log.push([a.timestamp, a.numberOfFrames]); a.close(); }, error: (e) => log.push(e.name) });
  dec.configure(config);
  for (let k = 0; k < frames.length; k++) {
    dec.decode(new EncodedAudioChunk({ type: 'key', timestamp: Math.round(k * spf * 1e6 / rate), data: frames[k] }));
    if (k === flushAt) { await dec.flush(); log.push('|'); }
  }
  await dec.flush();
  dec.close();
  return log;
}
const adts = adtsFrames(new Uint8Array(await media('sfx.adts'))).slice(0, 12);
const sr = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000][(adts[0][2] >> 2) & 15];
const ch = ((adts[0][2] & 1) << 2) | (adts[0][3] >> 6);
out.aac = await run({ codec: 'mp4a.40.2', sampleRate: sr, numberOfChannels: ch }, adts, 1024, sr, 5);
const mp3 = mp3Frames(new Uint8Array(await media('sfx.mp3'))).slice(0, 12);
out.mp3 = await run({ codec: 'mp3', sampleRate: mp3[0].rate, numberOfChannels: 2 }, mp3.map((f) => f.data), mp3[0].spf, mp3[0].rate, 5);
out.info = { aacFrames: adts.length, sr, ch, mp3Frames: mp3.length, mp3Rate: mp3[0].rate };
return out;
