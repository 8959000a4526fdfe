// Issue 8 items 2, 15, 16, 17: the colour space a decoder derives from a VP8/VP9
// stream when the config has none; member order of returned dictionaries;
// nullable VideoColorSpaceInit members echoed; key chunks whose bitstream is
// not a key frame.
const W = 64, H = 48;
function frame(i, colorSpace) {
  const buf = new Uint8Array(W * H * 3 / 2);
  for (let j = 0; j < W * H; j++) buf[j] = (j * 7 + i * 13) & 0xff;
  buf.fill(120, W * H);
  const init = { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 1000 };
  if (colorSpace) init.colorSpace = colorSpace;
  return new VideoFrame(buf, init);
}
async function encode(codec, colorSpace, n = 2) {
  const chunks = []; let dc = null;
  const enc = new VideoEncoder({ output: (c, m) => { chunks.push(c); if (m && m.decoderConfig && !dc) dc = m.decoderConfig; }, error: () => {} });
  enc.configure({ codec, width: W, height: H, bitrate: 300000, framerate: 30 });
  for (let i = 0; i < n; i++) { const f = frame(i, colorSpace); enc.encode(f, { keyFrame: i === 0 }); f.close(); }
  await enc.flush(); enc.close();
  return { chunks, dc };
}
async function decodeColor(config, chunks) {
  const out = []; const errs = [];
  const dec = new VideoDecoder({ output: (f) => { out.push(f.colorSpace.toJSON()); f.close(); }, error: (e) => errs.push(e.name) });
  dec.configure(config);
  for (const c of chunks) dec.decode(c);
  await dec.flush().catch(() => {});
  if (dec.state !== 'closed') dec.close();
  return { first: out[0] ?? null, errs };
}
const res = {};
// 2: what each stream says, decoded with a config that has no colorSpace.
const spaces = {
  bt709: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false },
  smpte170m: { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false },
  bt470bg: { primaries: 'bt470bg', transfer: 'smpte170m', matrix: 'bt470bg', fullRange: false },
  bt2020: { primaries: 'bt2020', transfer: 'pq', matrix: 'bt2020-ncl', fullRange: false },
  full709: { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: true },
};
for (const codec of ['vp8', 'vp09.00.10.08', 'av01.0.04M.08', 'avc1.42001f']) {
  for (const [name, cs] of Object.entries(spaces)) {
    const { chunks, dc } = await encode(codec, cs);
    const plain = { codec: dc.codec, codedWidth: dc.codedWidth, codedHeight: dc.codedHeight };
    if (dc.description) plain.description = dc.description;
    res[`stream.${codec}.${name}`] = { encoderSays: dc.colorSpace ?? null, decoded: await decodeColor(plain, chunks) };
  }
}
// The config's colorSpace overrides the stream's only where given.
{
  const { chunks, dc } = await encode('vp09.00.10.08', spaces.bt709);
  res.override = (await decodeColor({ codec: dc.codec, colorSpace: { primaries: 'bt470bg' } }, chunks));
}
// 15 and 16: member order and nullable members.
const sup = await VideoDecoder.isConfigSupported({ codec: 'vp8', colorSpace: { primaries: 'bt709' } });
res.decoderSupportKeys = Object.keys(sup);
res.decoderSupportConfigKeys = Object.keys(sup.config);
res.decoderSupportColorSpace = sup.config.colorSpace;
res.decoderSupportColorSpaceKeys = Object.keys(sup.config.colorSpace);
const esup = await VideoEncoder.isConfigSupported({ codec: 'vp8', width: 64, height: 48, bitrate: 100000, framerate: 30, avc: { format: 'annexb' } });
res.encoderSupportKeys = Object.keys(esup);
res.encoderSupportConfigKeys = Object.keys(esup.config);
const asup = await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2, opus: { complexity: 5 } });
res.audioEncoderSupportConfigKeys = Object.keys(asup.config);
res.audioEncoderSupportOpusKeys = Object.keys(asup.config.opus);
const adsup = await AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 });
res.audioDecoderSupportConfigKeys = Object.keys(adsup.config);
{
  const { chunks, dc } = await encode('vp8', null);
  res.vp8DecoderConfigKeys = Object.keys(dc);
  res.vp8DecoderConfigColorKeys = dc.colorSpace ? Object.keys(dc.colorSpace) : null;
  const f = frame(0);
  res.frameColorSpaceJsonKeys = Object.keys(f.colorSpace.toJSON());
  res.visibleRectJsonKeys = Object.keys(f.visibleRect.toJSON());
  const layout = await f.copyTo(new Uint8Array(f.allocationSize()));
  res.planeLayoutKeys = Object.keys(layout[0]);
  f.close();
}
{
  const { chunks, dc } = await encode('avc1.42001f', null);
  res.avcDecoderConfigKeys = Object.keys(dc);
}
// 17: junk marked key.
const junk = new Uint8Array(64); for (let i = 0; i < 64; i++) junk[i] = (i * 37 + 11) & 0xff;
const annexbJunk = new Uint8Array([0, 0, 0, 1, 0x41, 0x9a, 0x22, 0x11, 0x33, 0, 0, 1, 0x01, 0x22]); // a non-IDR slice
async function keyCheck(config, data) {
  const errs = [];
  const dec = new VideoDecoder({ output: (f) => f.close(), error: (e) => errs.push(e.name) });
  dec.configure(config);
  const r = await attempt(() => dec.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data })));
  const state = dec.state;
  await new Promise((r) => setTimeout(r, 300));
  const after = dec.state;
  if (dec.state !== 'closed') dec.close();
  return { decode: r.ok ? 'ok' : r.error.name, threw: r.threw ?? null, state, after, errs };
}
for (const codec of ['vp8', 'vp09.00.10.08', 'av01.0.04M.08', 'avc1.42001f', 'hvc1.1.6.L93.B0']) {
  res[`keyJunk.${codec}`] = await keyCheck({ codec }, junk);
}
res['keyJunk.avc1.annexbDelta'] = await keyCheck({ codec: 'avc1.42001f' }, annexbJunk);
{
  const { chunks, dc } = await encode('avc1.42001f', null, 3);
  const d = new Uint8Array(chunks[1].byteLength); chunks[1].copyTo(d);
  res['keyJunk.avc1.avcDelta'] = await keyCheck(dc, d);
  res['keyJunk.avc1.avcJunk'] = await keyCheck(dc, junk);
}
return res;
