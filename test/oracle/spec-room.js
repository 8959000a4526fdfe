// Behaviours where the spec leaves room (or where we were unsure): compared
// with Chrome by ../../../shared/tools/chrome-oracle.mjs. Not a test file.
const out = {};
const rgba = () => new Uint8Array(4 * 4 * 4).fill(9);
const i420 = (w, h) => new Uint8Array(w * h * 1.5).fill(100);

// VideoFrame attributes after close.
{
  const f = new VideoFrame(i420(4, 4), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 33, duration: 7 });
  f.close();
  out.closedFrame = { format: f.format, codedWidth: f.codedWidth, displayWidth: f.displayWidth, timestamp: f.timestamp, duration: f.duration,
    visibleRect: f.visibleRect, codedRect: f.codedRect, rotation: f.rotation, flip: f.flip, colorSpace: f.colorSpace.toJSON() };
}
// Default colour spaces.
out.defaultColor = {};
for (const [format, data] of [['I420', i420(4, 4)], ['NV12', i420(4, 4)], ['RGBA', rgba()], ['BGRX', rgba()]]) {
  const f = new VideoFrame(data, { format, codedWidth: 4, codedHeight: 4, timestamp: 0 });
  out.defaultColor[format] = f.colorSpace.toJSON();
  f.close();
}
// visibleRect with a buffer holding only the visible part.
out.visibleOnlyBuffer = await attempt(() => {
  const f = new VideoFrame(new Uint8Array(2 * 2 * 4), { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0, visibleRect: { x: 2, y: 2, width: 2, height: 2 } });
  const r = { allocationSize: f.allocationSize(), codedWidth: f.codedWidth, visibleRect: f.visibleRect.toJSON() };
  f.close();
  return r;
});
out.visibleFullBuffer = await attempt(async () => {
  const data = new Uint8Array(4 * 4 * 4).map((_, i) => i >> 2);
  const f = new VideoFrame(data, { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0, visibleRect: { x: 2, y: 2, width: 2, height: 2 } });
  const dst = new Uint8Array(16);
  await f.copyTo(dst);
  f.close();
  return Array.from(dst).filter((_, i) => i % 4 === 0);
});
// Encoder config validity and support.
const base = { codec: 'avc1.42001f', width: 320, height: 240 };
out.encoderSupport = {};
for (const [name, extra] of Object.entries({
  displayWidthOnly: { displayWidth: 640 }, framerateZero: { framerate: 0 }, framerateNegative: { framerate: -1 }, bitrateZero: { bitrate: 0 },
  oddWidth: { width: 321 }, levelTooLow: { width: 1920, height: 1080 }, badLevel: { codec: 'avc1.420099' }, quantizer: { bitrateMode: 'quantizer' },
  l1t2: { scalabilityMode: 'L1T2' }, unknownKey: { foo: 1 }, contentHint: { contentHint: 'motion' },
})) {
  out.encoderSupport[name] = await attempt(() => VideoEncoder.isConfigSupported({ ...base, ...extra }));
}
out.decoderSupport = await attempt(() => VideoDecoder.isConfigSupported({ codec: 'avc1.42001f', foo: 1, codedWidth: 320, codedHeight: 240 }));
out.decoderSupportRotation = await attempt(() => VideoDecoder.isConfigSupported({ codec: 'avc1.42001f', rotation: 45 }));
// Encoder output metadata shape, and decoded frame colour space.
{
  const metas = [];
  const chunks = [];
  const enc = new VideoEncoder({ output: (c, m) => { chunks.push(c); metas.push(m === undefined ? '$undefined' : m); }, error: () => {} });
  enc.configure({ ...base, bitrate: 300000, framerate: 30 });
  for (let i = 0; i < 3; i++) { const f = new VideoFrame(i420(320, 240), { format: 'I420', codedWidth: 320, codedHeight: 240, timestamp: i }); enc.encode(f); f.close(); }
  await enc.flush();
  enc.close();
  const dc = metas[0].decoderConfig;
  out.metadata = { firstKeys: Object.keys(metas[0]).sort(), dcKeys: Object.keys(dc).sort(), colorSpace: dc.colorSpace, later: metas.slice(1).map((m) => (typeof m === 'object' ? Object.keys(m) : m)),
    descriptionType: Object.prototype.toString.call(dc.description) };
  const frames = [];
  const dec = new VideoDecoder({ output: (f) => { frames.push({ colorSpace: f.colorSpace.toJSON(), duration: f.duration, codedHeight: f.codedHeight }); f.close(); }, error: () => {} });
  dec.configure(dc);
  for (const c of chunks) dec.decode(c);
  await dec.flush();
  dec.close();
  out.decodedFrame = frames[0];
}
// Codec state errors.
{
  const enc = new VideoEncoder({ output: () => {}, error: () => {} });
  enc.close();
  out.closeTwice = await attempt(() => enc.close());
  out.flushClosed = await attempt(() => enc.flush());
  out.resetClosed = await attempt(() => enc.reset());
  const enc2 = new VideoEncoder({ output: () => {}, error: () => {} });
  const f = new VideoFrame(i420(4, 4), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 });
  f.close();
  out.encodeClosedFrameUnconfigured = await attempt(() => enc2.encode(f));
  enc2.close();
}
out.chunkNoDuration = new EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array(1) }).duration;
return out;
