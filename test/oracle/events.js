// Event and callback ordering: dequeue vs output vs flush, re-entrant calls from callbacks.
const W = 64, H = 64;
const frame = (i) => new VideoFrame(new Uint8Array(W * H * 1.5).fill(i * 9), { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 1000, duration: 1000 });
const cfg = { codec: 'vp8', width: W, height: H, bitrate: 200000, framerate: 30 };
const out = {};
async function encodeLog(n, hook) {
  const log = [];
  const enc = new VideoEncoder({ output: (c) => { log.push('out' + c.timestamp); hook?.(enc, log, c); }, error: (e) => log.push('err:' + e.name) });
  enc.ondequeue = () => log.push('dq' + enc.encodeQueueSize);
  enc.configure(cfg);
  for (let i = 0; i < n; i++) { const f = frame(i); enc.encode(f, { keyFrame: i === 0 }); f.close(); }
  log.push('queued' + enc.encodeQueueSize);
  const r = await withTimeout(enc.flush().then(() => 'flushed', (e) => 'flushRejected:' + e.name), 5000).catch(() => 'timeout');
  log.push(r, 'state:' + enc.state);
  if (enc.state !== 'closed') enc.close();
  return log;
}
out.plain = await encodeLog(3);
out.closeInOutput = await encodeLog(4, (enc, log, c) => { if (c.timestamp === 1000) { enc.close(); log.push('closed'); } });
out.resetInOutput = await encodeLog(4, (enc, log, c) => { if (c.timestamp === 1000) { enc.reset(); log.push('reset:' + enc.state + enc.encodeQueueSize); } });
out.flushInOutput = await encodeLog(3, (enc, log, c) => { if (c.timestamp === 0) enc.flush().then(() => log.push('innerFlushed'), (e) => log.push('innerFlushRejected:' + e.name)); });
// Two flushes back to back, and encode between.
{
  const log = [];
  const enc = new VideoEncoder({ output: (c) => log.push('out' + c.timestamp), error: (e) => log.push('err:' + e.name) });
  enc.configure(cfg);
  let f = frame(0); enc.encode(f, { keyFrame: true }); f.close();
  const p1 = enc.flush().then(() => log.push('f1'));
  f = frame(1); enc.encode(f); f.close();
  const p2 = enc.flush().then(() => log.push('f2'));
  await Promise.all([p1, p2]);
  enc.close();
  out.twoFlushes = log;
}
// Event listener vs ondequeue order and count with many encodes in one task.
{
  const log = [];
  const enc = new VideoEncoder({ output: () => {}, error: () => {} });
  enc.addEventListener('dequeue', () => log.push('listener'));
  enc.ondequeue = () => log.push('handler');
  enc.configure(cfg);
  for (let i = 0; i < 5; i++) { const f = frame(i); enc.encode(f); f.close(); }
  await enc.flush();
  out.dequeueCount = { count: log.length, firstTwo: log.slice(0, 2) };
  enc.close();
}
// Reset with a non-empty queue fires a dequeue?
{
  const log = [];
  const enc = new VideoEncoder({ output: () => {}, error: () => {} });
  enc.ondequeue = () => log.push('dq' + enc.encodeQueueSize);
  enc.configure(cfg);
  for (let i = 0; i < 5; i++) { const f = frame(i); enc.encode(f); f.close(); }
  enc.reset();
  log.push('afterReset' + enc.encodeQueueSize);
  await new Promise((r) => setTimeout(r, 200));
  out.resetDequeue = log;
  enc.close();
}
// Decoder: output vs flush, close in output.
{
  const chunks = []; let dc;
  const enc = new VideoEncoder({ output: (c, m) => { chunks.push(c); if (m?.decoderConfig) dc = m.decoderConfig; }, error: () => {} });
  enc.configure(cfg);
  for (let i = 0; i < 4; i++) { const f = frame(i); enc.encode(f, { keyFrame: i === 0 }); f.close(); }
  await enc.flush(); enc.close();
  const log = [];
  const dec = new VideoDecoder({ output: (f) => { log.push('out' + f.timestamp); f.close(); if (f.timestamp === 1000) { dec.close(); log.push('closed'); } }, error: (e) => log.push('err:' + e.name) });
  dec.configure(dc);
  for (const c of chunks) dec.decode(c);
  log.push(await withTimeout(dec.flush().then(() => 'flushed', (e) => 'flushRejected:' + e.name), 5000).catch(() => 'timeout'));
  out.decoderCloseInOutput = log;
}
return out;
