// AVIF item structures made with avifenc (libavif 0.11): an alpha auxiliary
// item (columns 0-7 transparent), a 2x2 grid of 64x64 cells, and irot/imir
// transforms on the primary item.
const out = {};
for (const name of ['alpha.avif', 'grid.avif', 'quad-irot1-imir0.avif']) {
  try {
    const d = new ImageDecoder({ type: 'image/avif', data: await media(name) });
    await d.completed;
    const { image } = await d.decode();
    const vw = image.visibleRect.width, vh = image.visibleRect.height;
    const buf = new Uint8Array(vw * vh * 4);
    await image.copyTo(buf, { format: 'RGBA' });
    const px = (x, y) => Array.from(buf.subarray((y * vw + x) * 4, (y * vw + x) * 4 + 4));
    out[name] = { tracks: d.tracks.length, format: image.format, coded: [image.codedWidth, image.codedHeight], display: [image.displayWidth, image.displayHeight],
      rotation: image.rotation, flip: image.flip, colorSpace: image.colorSpace.toJSON(),
      quadrants: [px(vw >> 2, vh >> 2), px(3 * vw >> 2, vh >> 2), px(vw >> 2, 3 * vh >> 2), px(3 * vw >> 2, 3 * vh >> 2)], corner: px(2, 2) };
    image.close();
    d.close();
  } catch (e) { out[name] = errInfo(e); }
}
return out;
