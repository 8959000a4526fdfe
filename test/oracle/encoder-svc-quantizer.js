// Issue 9 items 1, 2 and 6: temporal SVC (scalabilityMode) and bitrateMode
// "quantizer": which configurations Chrome supports, the temporalLayerId
// sequence (with a key frame requested mid-stream), which chunks a
// base-layer-only decoder accepts, and per-frame quantizer ranges.
const W = 128, H = 96;
const res = {};
const frame = (i) => {
  const data = new Uint8Array(W * H * 1.5);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = (x * 2 + y + i * 7) & 255;
  data.fill(128, W * H);
  return new VideoFrame(data, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 33333, duration: 33333 });
};
const codecs = ['vp8', 'vp09.00.10.08', 'av01.0.04M.08', 'avc1.42001f', 'avc1.64001f'];
const modes = ['L1T1', 'L1T2', 'L1T3', 'L2T1', 'L2T2', 'L1T3_KEY', 'S2T1', 'L3T3_KEY', 'S3T3', 'L2T2h'];
const support = {};
for (const codec of codecs) {
  for (const scalabilityMode of modes) {
    const r = await attempt(() => VideoEncoder.isConfigSupported({ codec, width: W, height: H, bitrate: 300000, framerate: 30, scalabilityMode }));
    support[`${codec} ${scalabilityMode}`] = r.ok ? r.value.supported : r.error.name;
  }
  for (const bitrateMode of ['constant', 'variable', 'quantizer']) {
    const r = await attempt(() => VideoEncoder.isConfigSupported({ codec, width: W, height: H, framerate: 30, bitrateMode }));
    support[`${codec} ${bitrateMode}`] = r.ok ? r.value.supported : r.error.name;
  }
}
res.support = support;

async function encode(codec, config, n, options) {
  const chunks = []; const errs = []; const metas = [];
  const enc = new VideoEncoder({
    output: (c, m) => { const b = new Uint8Array(c.byteLength); c.copyTo(b); chunks.push({ type: c.type, timestamp: c.timestamp, bytes: b, layer: m?.svc?.temporalLayerId }); metas.push(m ? Object.keys(m) : []); },
    error: (e) => errs.push(e.name + ': ' + e.message),
  });
  const cfg = { codec, width: W, height: H, framerate: 30, ...config };
  if (codec.startsWith('avc1')) cfg.avc = { format: 'annexb' };
  const c = await attempt(() => enc.configure(cfg));
  if (!c.ok) return { configure: c.error.name };
  for (let i = 0; i < n; i++) {
    const f = frame(i);
    const r = await attempt(() => enc.encode(f, options(i)));
    f.close();
    if (!r.ok) { errs.push('encode ' + i + ': ' + r.error.name); break; }
  }
  await enc.flush().catch((e) => errs.push('flush: ' + e.name));
  if (enc.state !== 'closed') enc.close();
  return { chunks, errs, metas };
}

async function decodeCount(codec, chunks) {
  let frames = 0; const errs = [];
  const dec = new VideoDecoder({ output: (f) => { frames++; f.close(); }, error: (e) => errs.push(e.name) });
  dec.configure({ codec });
  for (const c of chunks) dec.decode(new EncodedVideoChunk({ type: c.type, timestamp: c.timestamp, data: c.bytes }));
  await dec.flush().catch((e) => errs.push('flush:' + e.name));
  if (dec.state !== 'closed') dec.close();
  return { frames, errs };
}

for (const codec of codecs) {
  for (const scalabilityMode of ['L1T2', 'L1T3']) {
    const out = await encode(codec, { bitrate: 300000, scalabilityMode }, 14, (i) => ({ keyFrame: i === 0 || i === 7 }));
    if (!out.chunks) { res[`${codec} ${scalabilityMode}`] = out; continue; }
    const layers = out.chunks.map((c) => c.layer);
    const entry = { layers, types: out.chunks.map((c) => c.type[0]).join(''), errs: out.errs, metaKeys: out.metas[1] };
    const top = scalabilityMode === 'L1T2' ? 1 : 2;
    for (let keep = 0; keep < top; keep++) {
      const subset = out.chunks.filter((c) => c.layer <= keep);
      entry[`upTo${keep}`] = { chunks: subset.length, ...(await decodeCount(codec, subset)) };
    }
    res[`${codec} ${scalabilityMode}`] = entry;
  }
  // Quantizer mode: sizes for a range of per-frame quantizers, and out-of-range values.
  const key = codec.startsWith('vp09') ? 'vp9' : codec.startsWith('av01') ? 'av1' : 'avc';
  const qs = key === 'vp9' || key === 'av1' ? [0, 10, 20, 30, 40, 50, 63] : [0, 10, 20, 30, 40, 51];
  const q = await encode(codec, { bitrateMode: 'quantizer' }, qs.length, (i) => ({ keyFrame: true, [key]: { quantizer: qs[i] } }));
  res[`${codec} quantizer`] = q.chunks ? { qs, sizes: q.chunks.map((c) => c.bytes.length), errs: q.errs } : q;
  const bad = await encode(codec, { bitrateMode: 'quantizer' }, 1, () => ({ [key]: { quantizer: key === 'avc' ? 52 : 64 } }));
  res[`${codec} quantizer out of range`] = bad.chunks ? { chunks: bad.chunks.length, errs: bad.errs } : bad;
  const none = await encode(codec, { bitrateMode: 'quantizer' }, 2, (i) => ({ keyFrame: i === 0 }));
  res[`${codec} quantizer missing`] = none.chunks ? { sizes: none.chunks.map((c) => c.bytes.length > 0), errs: none.errs } : none;
}
return res;
