// Audio encoders and decoders across flush(): output timestamps, durations, counts; decoderConfig repeats.
const out = {};
const pcm = (i, frames, rate = 48000) => new AudioData({ format: 'f32', sampleRate: rate, numberOfChannels: 2, numberOfFrames: frames, timestamp: Math.round(i * frames * 1e6 / rate), data: new Float32Array(frames * 2).map((_, k) => Math.sin((i * frames + (k >> 1)) / 20) * 0.3) });
for (const [name, config, frames] of [['opus', { codec: 'opus', sampleRate: 48000, numberOfChannels: 2, bitrate: 64000 }, 480], ['opus-odd', { codec: 'opus', sampleRate: 48000, numberOfChannels: 2, bitrate: 64000 }, 700]]) {
  const log = [];
  const chunks = []; let dc;
  const enc = new AudioEncoder({ output: (c, m) => { chunks.push(c); if (m?.decoderConfig) dc = m.decoderConfig; log.push([c.timestamp, c.duration, c.type, !!m?.decoderConfig]); }, error: (e) => log.push(e.name) });
  enc.configure(config);
  let i = 0;
  for (let n = 0; n < 5; n++) { const a = pcm(i++, frames); enc.encode(a); a.close(); }
  await enc.flush(); log.push('|');
  for (let n = 0; n < 5; n++) { const a = pcm(i++, frames); enc.encode(a); a.close(); }
  await enc.flush(); log.push('|');
  enc.close();
  out[name + ' encode'] = log;
  const dlog = [];
  const dec = new AudioDecoder({ output: (a) => { dlog.push([a.timestamp, a.numberOfFrames, a.format]); a.close(); }, error: (e) => dlog.push(e.name) });
  dec.configure(dc);
  for (const [k, c] of chunks.entries()) { dec.decode(c); if (k === 3) { await dec.flush(); dlog.push('|'); } }
  await dec.flush();
  dec.close();
  out[name + ' decode'] = dlog;
  const nlog = [];
  const bare = new AudioDecoder({ output: (a) => { nlog.push([a.timestamp, a.numberOfFrames]); a.close(); }, error: (e) => nlog.push(e.name) });
  bare.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 });
  for (const [k, c] of chunks.entries()) { bare.decode(c); if (k === 3) { await bare.flush(); nlog.push('|'); } }
  await bare.flush();
  bare.close();
  out[name + ' decode without description'] = nlog;
}
return out;
