// Each output callback runs in its own task: microtasks it queues (await chains) finish before the next output.
const W = 64, H = 64;
const frame = (i) => new VideoFrame(new Uint8Array(W * H * 1.5).fill(i * 9), { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 1000, duration: 1000 });
const out = {};
{
  const log = [];
  const enc = new VideoEncoder({ output: async (c) => { log.push('start' + c.timestamp); await null; await null; await null; log.push('end' + c.timestamp); }, error: () => {} });
  enc.configure({ codec: 'vp8', width: W, height: H, bitrate: 200000, framerate: 30 });
  for (let i = 0; i < 4; i++) { const f = frame(i); enc.encode(f, { keyFrame: i === 0 }); f.close(); }
  await enc.flush().then(async () => { log.push('flushStart'); await null; await null; log.push('flushEnd'); });
  await new Promise((r) => setTimeout(r, 50));
  enc.close();
  out.encoder = log;
}
{
  // A flush issued from an output callback settles after the flush already pending.
  const log = [];
  let issued = false;
  const enc = new VideoEncoder({ output: (c) => { if (!issued) { issued = true; enc.flush().then(() => log.push('inner')); } }, error: () => {} });
  enc.configure({ codec: 'vp8', width: W, height: H, bitrate: 200000, framerate: 30 });
  for (let i = 0; i < 3; i++) { const f = frame(i); enc.encode(f, { keyFrame: i === 0 }); f.close(); }
  await enc.flush().then(async () => { log.push('outer'); await null; await null; log.push('outerChainDone'); });
  await new Promise((r) => setTimeout(r, 100));
  enc.close();
  out.nestedFlush = log;
}
return out;
