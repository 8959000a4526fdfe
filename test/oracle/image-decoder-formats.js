// What ImageDecoder gives for every image in the media folder: tracks,
// frame counts, repetition, per-frame format, size, colour space, timing,
// and the four quadrant colours after copyTo RGBA.
const files = [
  ['four-colors.png', 'image/png'], ['four-colors.jpg', 'image/jpeg'], ['four-colors.gif', 'image/gif'],
  ['four-colors.webp', 'image/webp'], ['four-colors.avif', 'image/avif'], ['four-colors-flip.avif', 'image/avif'],
  ['four-colors-flip.gif', 'image/gif'], ['four-colors-limited-range-420-8bpc.jpg', 'image/jpeg'],
  ['four-colors-limited-range-420-8bpc.webp', 'image/webp'], ['four-colors-limited-range-420-8bpc.avif', 'image/avif'],
  ['four-colors-limited-range-422-8bpc.avif', 'image/avif'], ['four-colors-limited-range-444-8bpc.avif', 'image/avif'],
  ['four-colors-full-range-bt2020-pq-444-10bpc.avif', 'image/avif'], ['four-colors-full-range-hlg-420-10bpc.avif', 'image/avif'],
  ['four-colors-full-range-hlg-420-12bpc.avif', 'image/avif'], ['four-colors-full-range-hlg-422-10bpc.avif', 'image/avif'],
  ['four-colors-full-range-hlg-422-12bpc.avif', 'image/avif'], ['four-colors-full-range-hlg-444-10bpc.avif', 'image/avif'],
  ['four-colors-full-range-hlg-444-12bpc.avif', 'image/avif'], ['pattern.png', 'image/png'], ['animated-zero-delay.gif', 'image/gif'],
];
const out = {};
for (const [name, type] of files) {
  const r = {};
  try {
    const d = new ImageDecoder({ type, data: await media(name) });
    await d.tracks.ready;
    await d.completed;
    r.tracks = [];
    for (let i = 0; i < d.tracks.length; i++) {
      const t = d.tracks[i];
      r.tracks.push({ animated: t.animated, frameCount: t.frameCount, repetitionCount: t.repetitionCount, selected: t.selected });
    }
    r.selectedIndex = d.tracks.selectedIndex;
    r.frames = [];
    const n = d.tracks.selectedTrack.frameCount;
    for (let i = 0; i < n; i++) {
      const { image, complete } = await d.decode({ frameIndex: i });
      const f = { complete, format: image.format, codedWidth: image.codedWidth, codedHeight: image.codedHeight,
        displayWidth: image.displayWidth, displayHeight: image.displayHeight, timestamp: image.timestamp, duration: image.duration,
        visibleRect: [image.visibleRect.x, image.visibleRect.y, image.visibleRect.width, image.visibleRect.height],
        colorSpace: image.colorSpace.toJSON(), rotation: image.rotation, flip: image.flip };
      const w = image.displayWidth, h = image.displayHeight;
      if (w >= 4) {
        try {
          const buf = new Uint8Array(image.visibleRect.width * image.visibleRect.height * 4);
          await image.copyTo(buf, { format: 'RGBA' });
          const vw = image.visibleRect.width, vh = image.visibleRect.height;
          const px = (x, y) => Array.from(buf.subarray((y * vw + x) * 4, (y * vw + x) * 4 + 4));
          f.quadrants = [px(vw >> 2, vh >> 2), px(3 * vw >> 2, vh >> 2), px(vw >> 2, 3 * vh >> 2), px(3 * vw >> 2, 3 * vh >> 2)];
        } catch (e) { f.copyError = errInfo(e); }
      } else {
        try {
          const buf = new Uint8Array(image.allocationSize({ format: 'RGBA' }));
          await image.copyTo(buf, { format: 'RGBA' });
          f.pixels = Array.from(buf);
        } catch (e) { f.copyError = errInfo(e); }
      }
      image.close();
      r.frames.push(f);
    }
    d.close();
  } catch (e) { r.error = errInfo(e); }
  out[name] = r;
}
return out;
