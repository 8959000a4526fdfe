// VP8, VP9 and AV1 encoder outputs and support answers, compared with Chrome
// by ../../../shared/tools/chrome-oracle.mjs. Not a test file. (Chromium has
// no HEVC encoder; compare codec shapes, never bytes.)
const out = {};
const frameOf = (w, h, i) => {
  const data = new Uint8Array(w * h * 1.5).map((_, k) => (k * 7 + i * 13) & 0xff);
  return new VideoFrame(data, { format: 'I420', codedWidth: w, codedHeight: h, timestamp: i * 33333, duration: 33333 });
};

async function encodeShapes(config, n = 6) {
  const chunks = [];
  const metas = [];
  let error = null;
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); metas.push(m); }, error: (e) => { error = errInfo(e); } });
  encoder.configure(config);
  for (let i = 0; i < n; i++) {
    const f = frameOf(config.width, config.height, i);
    encoder.encode(f, { keyFrame: i === 3 });
    f.close();
  }
  await withTimeout(encoder.flush(), 20000).catch((e) => { error = error ?? errInfo(e); });
  encoder.close();
  const config0 = metas[0]?.decoderConfig;
  return {
    error,
    count: chunks.length,
    types: chunks.map((c) => c.type),
    timestamps: chunks.map((c) => c.timestamp),
    durations: chunks.map((c) => c.duration),
    metadataKeys: metas.map((m) => Object.keys(m).sort().join(',')),
    decoderConfig: config0 && { ...config0, description: config0.description ? `bytes:${config0.description.byteLength > 0}` : undefined },
    laterConfigs: metas.slice(1).filter((m) => m.decoderConfig).length,
  };
}

for (const codec of ['vp8', 'vp09.00.10.08', 'av01.0.04M.08']) {
  out[codec] = await encodeShapes({ codec, width: 64, height: 48, bitrate: 500000, framerate: 30 });
  out[`${codec} realtime`] = await encodeShapes({ codec, width: 64, height: 48, bitrate: 500000, latencyMode: 'realtime' });
  out[`${codec} support`] = {};
  for (const [w, h] of [[33, 17], [1, 1], [16, 16], [8192, 4320]]) {
    out[`${codec} support`][`${w}x${h}`] = (await VideoEncoder.isConfigSupported({ codec, width: w, height: h })).supported;
  }
  out[`${codec} decoder support`] = (await VideoDecoder.isConfigSupported({ codec })).supported;
}
out.moreSupport = {};
for (const codec of ['vp09.01.10.08', 'vp09.02.10.10', 'vp09.03.10.10', 'av01.0.04M.10', 'av01.1.04M.08', 'av01.2.04M.12',
  'vp09.00.10.08.01.01.01.01.00', 'av01.0.04M.08.0.111.01.01.01.0', 'vp09.0.10.08', 'av01.0.4M.08', 'hvc1.1.6.L93.B0', 'hev1.1.6.L93.B0']) {
  out.moreSupport[codec] = {
    encode: (await VideoEncoder.isConfigSupported({ codec, width: 64, height: 48 })).supported,
    decode: (await VideoDecoder.isConfigSupported({ codec })).supported,
  };
}
// A VP9 key frame marked delta, and a delta marked key.
{
  const enc = await (async () => {
    const chunks = [];
    const encoder = new VideoEncoder({ output: (c) => chunks.push(c), error: () => {} });
    encoder.configure({ codec: 'vp8', width: 64, height: 48 });
    for (let i = 0; i < 2; i++) { const f = frameOf(64, 48, i); encoder.encode(f); f.close(); }
    await encoder.flush();
    return chunks;
  })();
  const bytes = (c) => { const b = new Uint8Array(c.byteLength); c.copyTo(b); return b; };
  const decoder = new VideoDecoder({ output: (f) => f.close(), error: () => {} });
  decoder.configure({ codec: 'vp8' });
  out.deltaMarkedKey = await attempt(() => decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: bytes(enc[1]) })));
  out.keyAccepted = await attempt(() => decoder.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: bytes(enc[0]) })));
}
return out;
