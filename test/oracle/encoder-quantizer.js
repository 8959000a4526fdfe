// Issue 9 item 2: how bitrateMode "quantizer" applies encode()'s per-frame
// vp9/av1 quantizer. Returns each chunk (base64) so that the quantizer each
// frame was coded with can be read from its frame header afterwards:
//   node test/oracle/qindex-of.js test/oracle/results/encoder-quantizer.chromium.json
// (ffmpeg's trace_headers). Frames: two before any quantizer, then values on
// and between the libraries' steps, none (keeps the last?), null, another
// codec's member, and values beyond a byte and beyond an unsigned short.
const W = 64, H = 48;
const frame = (i) => {
  const data = new Uint8Array(W * H * 1.5);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = ((x * 7) ^ (y * 13) ^ (i * 31)) & 255;
  for (let k = W * H; k < data.length; k++) data[k] = (k * 5 + i) & 255;
  return new VideoFrame(data, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 33333, duration: 33333 });
};
const base64 = (bytes) => btoa(String.fromCharCode(...bytes));
const out = {};
for (const [codec, key] of [['vp09.00.10.08', 'vp9'], ['av01.0.04M.08', 'av1']]) {
  const other = key === 'vp9' ? 'av1' : 'vp9';
  const options = [
    { keyFrame: true }, { keyFrame: false, [key]: {} },
    { keyFrame: true, [key]: { quantizer: 0 } }, { keyFrame: false, [key]: { quantizer: 1 } }, { keyFrame: false, [key]: { quantizer: 2 } },
    { keyFrame: false, [key]: { quantizer: 6 } }, { keyFrame: false, [key]: { quantizer: 20 } }, { keyFrame: false, [key]: { quantizer: 30 } },
    { keyFrame: false, [key]: { quantizer: 63 } }, { keyFrame: false }, { keyFrame: true }, { keyFrame: false, [key]: { quantizer: 64 } },
    { keyFrame: false, [key]: { quantizer: 249 } }, { keyFrame: false, [key]: { quantizer: 253 } }, { keyFrame: false, [key]: { quantizer: 255 } },
    { keyFrame: false, [key]: { quantizer: null } }, { keyFrame: false, [other]: { quantizer: 50 }, avc: { quantizer: 40 } },
    { keyFrame: false, [key]: { quantizer: 1000 } }, { keyFrame: false, [key]: { quantizer: 70000 } }, { keyFrame: false, [key]: { quantizer: -1 } },
    { keyFrame: false, [key]: { quantizer: 12.9 } }, { keyFrame: false, [key]: { quantizer: NaN } },
  ];
  const chunks = []; const errs = []; const thrown = [];
  const enc = new VideoEncoder({
    output: (c) => { const b = new Uint8Array(c.byteLength); c.copyTo(b); chunks.push(base64(b)); },
    error: (e) => errs.push(e.name),
  });
  enc.configure({ codec, width: W, height: H, framerate: 30, bitrateMode: 'quantizer' });
  for (let i = 0; i < options.length; i++) {
    const f = frame(i);
    try { enc.encode(f, options[i]); } catch (e) { thrown.push(`${i}: ${e.name}`); }
    f.close();
  }
  await enc.flush().catch((e) => errs.push(`flush: ${e.name}`));
  enc.close();
  out[codec] = { options: options.map((o) => JSON.stringify(o)), chunks, errs, thrown };
}
return out;
