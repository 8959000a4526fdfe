// Issue 8 items 9, 11, 12: VideoFrame(frame, init) with alpha "discard",
// rotations added to flipped frames, and visibleRect on an anamorphic frame.
const res = {};
const W = 8, H = 4;
const make = (format, bytesPerPixel, extra = {}) => new VideoFrame(new Uint8Array(W * H * bytesPerPixel * 4), { format, codedWidth: W, codedHeight: H, timestamp: 0, ...extra });
// 9
const alphaFormats = { I420A: 2.5, I422A: 3, I444A: 4, RGBA: 4, BGRA: 4, I420AP10: 5, I422AP10: 6, I444AP10: 8, I420: 1.5, RGBX: 4 };
for (const [format, bpp] of Object.entries(alphaFormats)) {
  const r = await attempt(() => { const f = make(format, bpp); const g = new VideoFrame(f, { alpha: 'discard' }); const k = new VideoFrame(f, { alpha: 'keep' }); const out = [g.format, k.format, g.allocationSize(), f.allocationSize()]; f.close(); g.close(); k.close(); return out; });
  res[`alpha.${format}`] = r.ok ? r.value : r.error.name;
}
// 11: base rotation x base flip x added rotation x added flip
const rot = {};
for (const baseRotation of [0, 90, 180, 270]) for (const baseFlip of [false, true]) for (const rotation of [0, 90, 180, 270]) for (const flip of [false, true]) {
  const f = make('I420', 1.5, { rotation: baseRotation, flip: baseFlip });
  const g = new VideoFrame(f, { rotation, flip });
  rot[`${baseRotation}${baseFlip ? 'f' : ''}+${rotation}${flip ? 'f' : ''}`] = [g.rotation, g.flip, g.displayWidth, g.displayHeight];
  f.close(); g.close();
}
res.rotations = rot;
// 12: anamorphic source (8x8 coded, 16x8 display)
{
  const f = new VideoFrame(new Uint8Array(8 * 8 * 1.5), { format: 'I420', codedWidth: 8, codedHeight: 8, timestamp: 0, displayWidth: 16, displayHeight: 8 });
  const cases = { v4x8: { visibleRect: { x: 0, y: 0, width: 4, height: 8 } }, v8x4: { visibleRect: { x: 0, y: 0, width: 8, height: 4 } }, v4x8r90: { visibleRect: { x: 0, y: 0, width: 4, height: 8 }, rotation: 90 }, none: {}, r90: { rotation: 90 } };
  for (const [k, init] of Object.entries(cases)) { const g = new VideoFrame(f, init); res[`anamorphic.${k}`] = [g.displayWidth, g.displayHeight, g.rotation]; g.close(); }
  const rotated = new VideoFrame(f, { rotation: 90 });
  for (const [k, init] of Object.entries(cases)) { const g = new VideoFrame(rotated, init); res[`anamorphicRotated.${k}`] = [g.displayWidth, g.displayHeight, g.rotation]; g.close(); }
  rotated.close(); f.close();
}
return res;
