// How many inputs a codec takes before it is saturated: the queue size right
// after each encode()/decode() once the configuration has taken effect (the
// control message queue is processed synchronously), and the size the first
// dequeue event sees when 40 inputs wait behind configure().
const W = 320, H = 240;
const frame = (i) => new VideoFrame(new Uint8Array(W * H * 1.5).fill(i * 5), { format: 'I420', codedWidth: W, codedHeight: H, timestamp: i * 1000, duration: 1000 });
const audio = (i) => new AudioData({ format: 'f32', sampleRate: 48000, numberOfChannels: 2, numberOfFrames: 960, timestamp: i * 20000, data: new Float32Array(1920).fill(0.01 * (i % 7)) });
async function probe(make, configure, input, n) {
  const sizes = [];
  let first = null;
  const codec = make();
  codec.ondequeue = () => { first ??= codec.encodeQueueSize ?? codec.decodeQueueSize; };
  configure(codec);
  for (let i = 0; i < 40; i++) input(codec, i);
  await codec.flush();
  const firstDequeue = first;
  for (let i = 0; i < n; i++) { input(codec, i); sizes.push(codec.encodeQueueSize ?? codec.decodeQueueSize); }
  await codec.flush();
  codec.close();
  return { firstDequeue, sync: sizes };
}
const out = {};
const chunks = {}; const configs = {};
for (const codec of ['vp8', 'vp09.00.10.08', 'avc1.42001f', 'av01.0.04M.08']) {
  chunks[codec] = [];
  out[codec + ' encoder'] = await probe(() => new VideoEncoder({ output: (c, m) => { chunks[codec].push(c); if (m?.decoderConfig) configs[codec] = m.decoderConfig; }, error: () => {} }),
    (e) => e.configure({ codec, width: W, height: H, bitrate: 500000, framerate: 30 }),
    (e, i) => { const f = frame(i); e.encode(f, { keyFrame: i === 0 }); f.close(); }, 8);
  const c = chunks[codec];
  out[codec + ' decoder'] = await probe(() => new VideoDecoder({ output: (f) => f.close(), error: () => {} }),
    (d) => d.configure(configs[codec]),
    (d, i) => d.decode(i % 40 === 0 ? c[0] : c[i % 40]), 4);
}
const opus = [];
let opusConfig;
out['opus encoder'] = await probe(() => new AudioEncoder({ output: (c, m) => { opus.push(c); if (m?.decoderConfig) opusConfig = m.decoderConfig; }, error: () => {} }),
  (e) => e.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2, bitrate: 64000 }),
  (e, i) => { const a = audio(i); e.encode(a); a.close(); }, 8);
out['opus decoder'] = await probe(() => new AudioDecoder({ output: (a) => a.close(), error: () => {} }),
  (d) => d.configure(opusConfig), (d, i) => d.decode(opus[i % opus.length]), 4);
return out;
