// Streamed data: what decode() gives for a frame whose bytes have partly
// arrived, with completeFramesOnly false and true (a progressive JPEG, an
// animated GIF), and how frameCount and complete change meanwhile.
async function run(name, type, cut, frameIndex) {
  const bytes = await media(name);
  let release;
  const gate = new Promise((r) => { release = r; });
  const stream = new ReadableStream({
    start(c) { c.enqueue(bytes.slice(0, cut)); },
    async pull(c) { await gate; c.enqueue(bytes.slice(cut)); c.close(); },
  });
  const d = new ImageDecoder({ type, data: stream });
  const r = { ready: await withTimeout(d.tracks.ready.then(() => 'ok', (e) => e.name), 2000) };
  r.frameCountEarly = d.tracks.length ? d.tracks.selectedTrack.frameCount : null;
  r.completeEarly = d.complete;
  const partial = d.decode({ frameIndex, completeFramesOnly: false }).then((x) => { const v = { complete: x.complete, format: x.image.format, w: x.image.codedWidth }; x.image.close(); return v; }, (e) => e.name);
  const whole = d.decode({ frameIndex, completeFramesOnly: true }).then((x) => { const v = { complete: x.complete }; x.image.close(); return v; }, (e) => e.name);
  r.partialBeforeRest = await Promise.race([partial, new Promise((res) => setTimeout(() => res('pending'), 500))]);
  r.wholeBeforeRest = await Promise.race([whole, new Promise((res) => setTimeout(() => res('pending'), 500))]);
  release();
  r.partial = await partial;
  r.whole = await whole;
  await d.completed;
  r.frameCountEnd = d.tracks.selectedTrack.frameCount;
  d.close();
  return r;
}
return {
  progressiveJpeg: await run('four-colors.jpg', 'image/jpeg', 700, 0),
  gifSecondFrame: await run('four-colors-flip.gif', 'image/gif', 1600, 1),
  gifFirstFrameArrived: await run('four-colors-flip.gif', 'image/gif', 1600, 0),
};
