// ImageDecoder on the generated fixtures (test/fixtures/images): JPEG
// subsampling and EXIF orientation, BMP, lossy/lossless/alpha WebP, APNG and
// animated WebP (frame timing, repetition), and the AVIF with two tracks.
async function describe(name, type, init = {}) {
  const r = {};
  try {
    const d = new ImageDecoder({ type, data: await media(name), ...init });
    await d.tracks.ready;
    await d.completed;
    r.type = d.type; r.complete = d.complete;
    r.tracks = [];
    for (let i = 0; i < d.tracks.length; i++) {
      const t = d.tracks[i];
      r.tracks.push([t.animated, t.frameCount, t.repetitionCount, t.selected]);
    }
    r.selectedIndex = d.tracks.selectedIndex;
    r.frames = [];
    const n = d.tracks.selectedTrack.frameCount;
    for (let i = 0; i < n; i++) {
      const { image, complete } = await d.decode({ frameIndex: i });
      const vw = image.visibleRect.width, vh = image.visibleRect.height;
      const buf = new Uint8Array(vw * vh * 4);
      await image.copyTo(buf, { format: 'RGBA' });
      const px = (x, y) => Array.from(buf.subarray((y * vw + x) * 4, (y * vw + x) * 4 + 4));
      const cs = image.colorSpace;
      r.frames.push([complete, image.format, image.codedWidth, image.codedHeight, image.displayWidth, image.displayHeight,
        image.timestamp, image.duration, cs.primaries, cs.transfer, cs.matrix, cs.fullRange, image.rotation, image.flip,
        px(vw >> 2, vh >> 2), px(3 * vw >> 2, vh >> 2), px(vw >> 2, 3 * vh >> 2), px(3 * vw >> 2, 3 * vh >> 2), px(2, 2)]);
      image.close();
    }
    d.close();
  } catch (e) { r.error = errInfo(e); }
  return r;
}
const out = {};
for (const [name, type] of [
  ['quad-444.jpg', 'image/jpeg'], ['quad-422.jpg', 'image/jpeg'], ['quad-orient6.jpg', 'image/jpeg'],
  ['quad-orient3.jpg', 'image/jpeg'], ['quad-orient5.jpg', 'image/jpeg'], ['quad-24.bmp', 'image/bmp'], ['quad-32.bmp', 'image/bmp'],
  ['quad-lossy.webp', 'image/webp'], ['alpha-lossy.webp', 'image/webp'], ['alpha-lossless.webp', 'image/webp'],
  ['anim.png', 'image/png'], ['anim.webp', 'image/webp'], ['anim-alpha.webp', 'image/webp'],
]) out[name] = await describe(name, type);
out['flip-avif-still'] = await describe('four-colors-flip.avif', 'image/avif', { preferAnimation: false });
out['flip-avif-anim'] = await describe('four-colors-flip.avif', 'image/avif', { preferAnimation: true });
out['anim.png-still'] = await describe('anim.png', 'image/png', { preferAnimation: false });
out['gif-as-png'] = await describe('four-colors.gif', 'image/png');
out['png-desired'] = await describe('four-colors.png', 'image/png', { desiredWidth: 160, desiredHeight: 120 });
return out;
