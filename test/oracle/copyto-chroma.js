// How copyTo({format: 'RGBA'}) upsamples chroma: an 8x4 I420 frame, flat
// luma, whose chroma columns alternate between two colours and whose chroma
// rows differ. Nearest-neighbour repeats each sample over its 2x2 pixels;
// interpolation blends neighbours.
const w = 8, h = 4;
const data = new Uint8Array(w * h * 1.5);
data.fill(128, 0, w * h);
const u = [60, 200, 60, 200, 200, 60, 200, 60];
const v = [200, 60, 200, 60, 60, 200, 60, 200];
data.set(u, w * h);
data.set(v, w * h + (w / 2) * (h / 2));
const frame = new VideoFrame(data, { format: 'I420', codedWidth: w, codedHeight: h, timestamp: 0, colorSpace: { matrix: 'bt709', fullRange: true, primaries: 'bt709', transfer: 'bt709' } });
const out = new Uint8Array(w * h * 4);
await frame.copyTo(out, { format: 'RGBA' });
frame.close();
const rows = [];
for (let y = 0; y < h; y++) rows.push(Array.from({ length: w }, (_, x) => Array.from(out.subarray((y * w + x) * 4, (y * w + x) * 4 + 3)).join(',')));
return rows;
