// Key frames and decoderConfig after flush() and after configure() again (same config, new bitrate, new size).
const frame = (w, h, i) => new VideoFrame(new Uint8Array(w * h * 1.5).fill(i * 9 & 255), { format: 'I420', codedWidth: w, codedHeight: h, timestamp: i * 1000, duration: 1000 });
const out = {};
for (const codec of ['vp8', 'vp09.00.10.08', 'avc1.42001f', 'av01.0.04M.08']) {
  const log = [];
  const enc = new VideoEncoder({ output: (c, m) => log.push([c.timestamp, c.type, m?.decoderConfig ? [m.decoderConfig.codedWidth, m.decoderConfig.codedHeight] : null]), error: (e) => log.push(e.name) });
  const base = { codec, width: 64, height: 64, bitrate: 200000, framerate: 30, ...(codec.startsWith('avc') ? { avc: { format: 'annexb' } } : {}) };
  enc.configure(base);
  let t = 0;
  const run = async (w, h, n) => { for (let i = 0; i < n; i++) { const f = frame(w, h, t++); enc.encode(f); f.close(); } await enc.flush(); log.push('|'); };
  await run(64, 64, 2);
  enc.configure(base); await run(64, 64, 2);
  enc.configure({ ...base, bitrate: 300000 }); await run(64, 64, 2);
  enc.configure({ ...base, width: 96, height: 80 }); await run(96, 80, 2);
  await run(96, 80, 1);
  enc.close();
  out[codec] = log;
}
return out;
