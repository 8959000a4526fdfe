// Issue 8 item 13: copyTo to RGB formats in the display-p3 colour space, from
// RGB and from YUV frames, and the padding byte of RGBX/BGRX outputs.
const res = {};
const colors = { red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255], white: [255, 255, 255], gray: [128, 128, 128], orange: [250, 160, 30], black: [0, 0, 0] };
for (const [name, c] of Object.entries(colors)) {
  const px = new Uint8Array(4 * 4 * 4);
  for (let i = 0; i < 16; i++) px.set([...c, 77], i * 4);
  const f = new VideoFrame(px, { format: 'RGBA', codedWidth: 4, codedHeight: 4, timestamp: 0 });
  for (const format of ['RGBA', 'RGBX', 'BGRA', 'BGRX']) {
    for (const colorSpace of ['srgb', 'display-p3']) {
      const out = new Uint8Array(64);
      const r = await attempt(() => f.copyTo(out, { format, colorSpace }));
      res[`rgba.${name}.${format}.${colorSpace}`] = r.ok ? Array.from(out.subarray(0, 4)) : r.error.name;
    }
  }
  f.close();
}
// I420 frames (REC709 by default) of a few colours.
const yuv = { red709: [63, 102, 240], mid: [128, 128, 128], cyanish: [170, 166, 16] };
for (const [name, [y, u, v]] of Object.entries(yuv)) {
  const b = new Uint8Array(16 * 16 * 1.5);
  b.fill(y, 0, 256); b.fill(u, 256, 320); b.fill(v, 320, 384);
  const f = new VideoFrame(b, { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp: 0 });
  for (const [format, colorSpace] of [['RGBA', 'srgb'], ['RGBA', 'display-p3'], ['BGRX', 'display-p3'], ['RGBX', 'srgb']]) {
    const out = new Uint8Array(16 * 16 * 4);
    const r = await attempt(() => f.copyTo(out, { format, colorSpace }));
    res[`i420.${name}.${format}.${colorSpace}`] = r.ok ? Array.from(out.subarray(0, 4)) : r.error.name;
  }
  f.close();
}
return res;
