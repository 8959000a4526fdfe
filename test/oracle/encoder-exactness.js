// Issue 8 items 14 and 18: frame orientation reaching the encoder (the first
// frame's rotation/flip in decoderConfig, DataError for a later frame
// oriented otherwise), and the colour space decoderConfig reports for RGB input.
const W = 64, H = 48;
const res = {};
const i420 = (extra = {}) => new VideoFrame(new Uint8Array(W * H * 1.5).fill(100), { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 0, ...extra });
const rgba = (extra = {}) => new VideoFrame(new Uint8Array(W * H * 4).fill(200), { format: 'RGBA', codedWidth: W, codedHeight: H, timestamp: 0, ...extra });
async function run(codec, frames) {
  const configs = []; const errs = []; const throws = [];
  const enc = new VideoEncoder({ output: (c, m) => { if (m && m.decoderConfig) configs.push({ rotation: m.decoderConfig.rotation, flip: m.decoderConfig.flip, colorSpace: m.decoderConfig.colorSpace ?? null }); }, error: (e) => errs.push(e.name) });
  enc.configure({ codec, width: W, height: H, bitrate: 200000, framerate: 30 });
  for (const [i, f] of frames.entries()) {
    const r = await attempt(() => enc.encode(f, { keyFrame: i === 0 }));
    throws.push(r.ok ? 'ok' : r.error.name);
    f.close();
  }
  const state = enc.state;
  await enc.flush().catch((e) => errs.push('flush:' + e.name));
  if (enc.state !== 'closed') enc.close();
  return { configs, errs, throws, state };
}
for (const codec of ['vp8', 'vp09.00.10.08', 'av01.0.04M.08', 'avc1.42001f']) {
  res[`orientation.${codec}`] = await run(codec, [i420({ rotation: 90, flip: true }), i420({ rotation: 90, flip: true }), i420({ rotation: 0 }), i420({ rotation: 90, flip: false })]);
  res[`rgb.${codec}`] = await run(codec, [rgba(), rgba()]);
}
// Decoding the RGB-sourced stream: what colour space its frames report.
{
  const chunks = []; let dc;
  const enc = new VideoEncoder({ output: (c, m) => { chunks.push(c); if (m && m.decoderConfig) dc ??= m.decoderConfig; }, error: () => {} });
  enc.configure({ codec: 'avc1.42001f', width: W, height: H, bitrate: 200000, framerate: 30 });
  const f = rgba(); enc.encode(f, { keyFrame: true }); f.close();
  await enc.flush(); enc.close();
  const cs = [];
  const dec = new VideoDecoder({ output: (fr) => { cs.push(fr.colorSpace.toJSON()); fr.close(); }, error: () => {} });
  const plain = { codec: dc.codec, description: dc.description };
  dec.configure(plain);
  for (const c of chunks) dec.decode(c);
  await dec.flush(); dec.close();
  res.rgbDecodedColor = cs[0];
}
return res;
