// copyTo({format}) from I420: the RGB values for a few YUV colours, default
// and explicit colour spaces. Compared with Chrome by the oracle.
const out = {};
const colours = { red709: [63, 102, 240], green: [150, 44, 21], grey: [126, 128, 128], white: [235, 128, 128] };
for (const [name, [y, u, v]] of Object.entries(colours)) {
  for (const [label, colorSpace] of [['default', undefined], ['bt601full', { matrix: 'smpte170m', fullRange: true, primaries: 'smpte170m', transfer: 'smpte170m' }]]) {
    const data = Uint8Array.from([...Array(16).fill(y), ...Array(4).fill(u), ...Array(4).fill(v)]);
    const f = new VideoFrame(data, { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0, ...(colorSpace ? { colorSpace } : {}) });
    const rgba = new Uint8Array(64);
    const r = await attempt(() => f.copyTo(rgba, { format: 'RGBA' }));
    out[`${name}/${label}`] = r.ok ? Array.from(rgba.subarray(20, 24)) : r.error;
    f.close();
  }
}
return out;
