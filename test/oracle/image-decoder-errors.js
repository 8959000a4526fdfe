// ImageDecoder's errors and life cycle: bad inits, unsupported and wrong
// types, corrupt and truncated data, frame indices past the end, reset() and
// close() with decodes pending, and isTypeSupported's answers.
const out = {};
const png = await media('four-colors.png');
const gif = await media('four-colors-flip.gif');
const settle = (p) => p.then((v) => ({ ok: typeof v === 'object' && v !== null ? Object.keys(v) : v }), (e) => errInfo(e));
out.noType = await attempt(() => new ImageDecoder({ data: png }));
out.noData = await attempt(() => new ImageDecoder({ type: 'image/png' }));
out.badType = await attempt(() => new ImageDecoder({ type: 'png', data: png }));
out.emptyType = await attempt(() => new ImageDecoder({ type: '', data: png }));
out.unsupported = await attempt(() => new ImageDecoder({ type: 'image/x-icon', data: png }));
out.paramsType = await attempt(() => new ImageDecoder({ type: 'image/png; charset=foo', data: png }));
out.upperType = await attempt(() => { const d = new ImageDecoder({ type: 'IMAGE/PNG', data: png }); const t = d.type; d.close(); return t; });
const detached = new ArrayBuffer(8); structuredClone(detached, { transfer: [detached] });
out.detached = await attempt(() => new ImageDecoder({ type: 'image/png', data: detached }));
out.emptyData = await attempt(() => new ImageDecoder({ type: 'image/png', data: new Uint8Array(0) }));
out.string = await attempt(() => new ImageDecoder({ type: 'image/png', data: 'abc' }));
out.types = {};
for (const t of ['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png', 'image/apng', 'image/gif', 'image/webp', 'image/avif', 'image/bmp',
  'image/x-ms-bmp', 'image/x-icon', 'image/vnd.microsoft.icon', 'image/svg+xml', 'image/tiff', 'image/jxl', 'video/mp4', 'IMAGE/PNG', 'image/png;x=y', 'foo']) {
  out.types[t] = await settle(ImageDecoder.isTypeSupported(t));
}
out.isTypeSupportedEmpty = await settle(ImageDecoder.isTypeSupported(''));
{
  const d = new ImageDecoder({ type: 'image/png', data: gif });
  out.wrongType = { ready: await settle(d.tracks.ready), completed: await settle(d.completed), decode: await settle(d.decode()) };
  d.close();
}
{
  const bad = new Uint8Array(png); for (let i = 60; i < bad.length; i++) bad[i] ^= 0x5a;
  const d = new ImageDecoder({ type: 'image/png', data: bad });
  out.corrupt = { ready: await settle(d.tracks.ready), completed: await settle(d.completed), decode: await settle(d.decode()), state: [d.complete, d.tracks.length] };
}
{
  const d = new ImageDecoder({ type: 'image/png', data: png.slice(0, 200) });
  out.truncated = { ready: await settle(d.tracks.ready), completed: await settle(d.completed), decode: await settle(d.decode()), complete: d.complete };
}
{
  const d = new ImageDecoder({ type: 'image/gif', data: gif });
  await d.tracks.ready;
  out.pastEnd = await settle(d.decode({ frameIndex: 2 }));
  out.pastEndState = await attempt(() => d.tracks.length);
  out.negative = await settle(d.decode({ frameIndex: -1 }));
  const p1 = d.decode({ frameIndex: 0 }), p2 = d.decode({ frameIndex: 1 });
  d.reset();
  out.reset = [await settle(p1), await settle(p2)];
  out.afterReset = await settle(d.decode({ frameIndex: 1 }).then((r) => { const v = [r.complete, r.image.timestamp]; r.image.close(); return v; }));
  const p3 = d.decode({ frameIndex: 0 });
  d.close();
  out.close = await settle(p3);
  out.afterClose = { decode: await settle(d.decode()), reset: await attempt(() => d.reset()), close: await attempt(() => d.close()), tracks: await attempt(() => d.tracks.length), complete: d.complete, type: d.type };
  out.completedAfterClose = await settle(d.completed);
}
{
  const d = new ImageDecoder({ type: 'image/gif', data: gif });
  const ready = d.tracks.ready; const completed = d.completed;
  d.close();
  out.closeEarly = { ready: await settle(ready), completed: await settle(completed) };
}
{
  const d = new ImageDecoder({ type: 'image/gif', data: gif });
  await d.tracks.ready;
  const t = d.tracks[0];
  out.trackProps = { selectedIndex: d.tracks.selectedIndex, keys: Object.keys(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(t))), listKeys: Object.keys(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(d.tracks))) };
  t.selected = false;
  out.deselected = { selectedIndex: d.tracks.selectedIndex, selectedTrack: d.tracks.selectedTrack === null, decode: await settle(d.decode()) };
  t.selected = true;
  out.reselected = { selectedIndex: d.tracks.selectedIndex, decode: await settle(d.decode().then((r) => { r.image.close(); return 'ok'; })) };
  out.protoKeys = Object.keys(Object.getOwnPropertyDescriptors(ImageDecoder.prototype));
  out.result = await d.decode({ frameIndex: 1 }).then((r) => { const k = Object.keys(r); r.image.close(); return k; });
  out.transferred = null;
  d.close();
}
{
  const buf = new Uint8Array(png).buffer;
  const d = new ImageDecoder({ type: 'image/png', data: buf, transfer: [buf] });
  out.transfer = { detachedAfter: buf.byteLength, decode: await settle(d.decode().then((r) => { r.image.close(); return 'ok'; })) };
  d.close();
}
return out;
