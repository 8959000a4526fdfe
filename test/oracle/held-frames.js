// Decode 60 frames without closing any: Chrome's software decoders output every one and
// flush settles (no stall for held frames; the spec allows one, Chrome has none here).
const W = 640, H = 360, N = 60;
function frame(i) {
  const buf = new Uint8Array(W * H * 3 / 2);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) buf[y * W + x] = (x + y * 3 + i * 8) & 0xff;
  buf.fill(100 + i, W * H);
  return new VideoFrame(buf, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 33333, duration: 33333 });
}
const out = {};
for (const codec of ['vp8', 'vp09.00.10.08', 'av01.0.04M.08', 'avc1.42001f']) {
  const chunks = []; let dc = null;
  const enc = new VideoEncoder({ output: (c, m) => { const d = new Uint8Array(c.byteLength); c.copyTo(d); chunks.push({ type: c.type, timestamp: c.timestamp, d }); if (m?.decoderConfig) dc = m.decoderConfig; }, error: () => {} });
  enc.configure({ codec, width: W, height: H, bitrate: 1e6, framerate: 30, ...(codec.startsWith('avc') ? { avc: { format: 'annexb' } } : {}) });
  for (let i = 0; i < N; i++) { const f = frame(i); enc.encode(f, { keyFrame: i === 0 }); f.close(); }
  await enc.flush(); enc.close();
  const held = []; const errs = [];
  const dec = new VideoDecoder({ output: (f) => held.push(f), error: (e) => errs.push(errInfo(e)) });
  dec.configure(dc);
  for (const c of chunks) dec.decode(new EncodedVideoChunk({ type: c.type, timestamp: c.timestamp, data: c.d }));
  const flushed = dec.flush().then(() => 'flushed', (e) => 'rejected ' + e.name);
  const first = await withTimeout(flushed, 4000).catch(() => 'timeout');
  const r = { chunks: chunks.length, flushWithAllHeld: first, outputsWhileHeld: held.length, decodeQueueSize: dec.decodeQueueSize };
  for (const f of held) f.close();
  r.afterClosing = await withTimeout(flushed, 4000).catch(() => 'timeout');
  r.outputsTotal = held.length;
  for (const f of held) f.close();
  r.errors = errs;
  if (dec.state !== 'closed') dec.close();
  out[codec] = r;
}
return out;
