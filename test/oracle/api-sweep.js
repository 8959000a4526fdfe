// A broad sweep of VideoFrame, chunk, AudioData, codec-state and VideoColorSpace behaviours.
const out = {};
const i420 = (w, h, v = 100) => new Uint8Array(w * h * 1.5).fill(v);
const mk = (init = {}) => new VideoFrame(i420(16, 16), { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp: 10, duration: 5, ...init });
const desc = (f) => ({ format: f.format, coded: [f.codedWidth, f.codedHeight], visible: f.visibleRect && f.visibleRect.toJSON(), display: [f.displayWidth, f.displayHeight], ts: f.timestamp, dur: f.duration, rot: f.rotation, flip: f.flip });
const sync = (fn) => { try { const r = fn(); return { ok: true, r }; } catch (e) { return { threw: errInfo(e) }; } };
// 1. VideoFrame from VideoFrame with overrides
const base = mk();
out.vfOverrides = {
  ts: sync(() => { const f = new VideoFrame(base, { timestamp: 99 }); const d = desc(f); f.close(); return d; }),
  durNull: sync(() => { const f = new VideoFrame(base, { duration: undefined }); const d = desc(f); f.close(); return d; }),
  visible: sync(() => { const f = new VideoFrame(base, { visibleRect: { x: 2, y: 2, width: 8, height: 8 } }); const d = desc(f); f.close(); return d; }),
  visibleOdd: sync(() => { const f = new VideoFrame(base, { visibleRect: { x: 1, y: 1, width: 8, height: 8 } }); const d = desc(f); f.close(); return d; }),
  visibleOut: sync(() => { const f = new VideoFrame(base, { visibleRect: { x: 10, y: 0, width: 8, height: 8 } }); const d = desc(f); f.close(); return d; }),
  displayOnlyW: sync(() => { const f = new VideoFrame(base, { displayWidth: 30 }); f.close(); }),
  display: sync(() => { const f = new VideoFrame(base, { displayWidth: 30, displayHeight: 7 }); const d = desc(f); f.close(); return d; }),
  displayZero: sync(() => { const f = new VideoFrame(base, { displayWidth: 0, displayHeight: 7 }); f.close(); }),
  rotate: sync(() => { const f = new VideoFrame(base, { rotation: 90, flip: true }); const d = desc(f); f.close(); return d; }),
  rotateBad: sync(() => { const f = new VideoFrame(base, { rotation: 45 }); const d = desc(f); f.close(); return d; }),
  rotate450: sync(() => { const f = new VideoFrame(base, { rotation: 450 }); const d = desc(f); f.close(); return d; }),
  rotateNeg: sync(() => { const f = new VideoFrame(base, { rotation: -90 }); const d = desc(f); f.close(); return d; }),
  metadata: sync(() => { const f = new VideoFrame(base, { metadata: { foo: 1 } }); const m = f.metadata(); f.close(); return m; }),
};
const closed = mk(); closed.close();
out.vfFromClosed = sync(() => new VideoFrame(closed));
base.close();
// 2. copyTo rect / layout / errors
{
  const f = mk();
  out.copyTo = {
    rectOdd: await attempt(() => f.copyTo(new Uint8Array(1000), { rect: { x: 1, y: 0, width: 4, height: 4 } })),
    rectEven: await attempt(async () => { const l = await f.copyTo(new Uint8Array(1000), { rect: { x: 2, y: 2, width: 4, height: 4 } }); return l; }),
    rectOut: await attempt(() => f.copyTo(new Uint8Array(1000), { rect: { x: 14, y: 0, width: 4, height: 4 } })),
    tooSmall: await attempt(() => f.copyTo(new Uint8Array(10))),
    layout: await attempt(() => f.copyTo(new Uint8Array(2000), { layout: [{ offset: 0, stride: 20 }, { offset: 400, stride: 10 }, { offset: 600, stride: 10 }] })),
    layoutShortStride: await attempt(() => f.copyTo(new Uint8Array(2000), { layout: [{ offset: 0, stride: 8 }, { offset: 400, stride: 10 }, { offset: 600, stride: 10 }] })),
    layoutWrongCount: await attempt(() => f.copyTo(new Uint8Array(2000), { layout: [{ offset: 0, stride: 16 }] })),
    layoutOverlap: await attempt(() => f.copyTo(new Uint8Array(2000), { layout: [{ offset: 0, stride: 16 }, { offset: 100, stride: 8 }, { offset: 300, stride: 8 }] })),
    allocRGBA: sync(() => f.allocationSize({ format: 'RGBA' })),
    allocRectRGBA: sync(() => f.allocationSize({ format: 'RGBA', rect: { x: 1, y: 1, width: 3, height: 3 } })),
    allocBadFormat: sync(() => f.allocationSize({ format: 'NV12' })),
  };
  f.close();
  out.copyTo.closed = await attempt(() => f.copyTo(new Uint8Array(1000)));
  out.copyTo.allocClosed = sync(() => f.allocationSize());
}
// 3. chunks
out.chunks = {
  badType: sync(() => new EncodedVideoChunk({ type: 'foo', timestamp: 0, data: new Uint8Array(1) })),
  nanTs: sync(() => new EncodedVideoChunk({ type: 'key', timestamp: NaN, data: new Uint8Array(1) })),
  bigTs: sync(() => { const c = new EncodedVideoChunk({ type: 'key', timestamp: 2 ** 60, data: new Uint8Array(1) }); return c.timestamp; }),
  fracTs: sync(() => { const c = new EncodedVideoChunk({ type: 'key', timestamp: 1.7, duration: 2.5, data: new Uint8Array(1) }); return [c.timestamp, c.duration]; }),
  negDur: sync(() => new EncodedVideoChunk({ type: 'key', timestamp: 0, duration: -1, data: new Uint8Array(1) })),
  noData: sync(() => new EncodedVideoChunk({ type: 'key', timestamp: 0 })),
  transfer: sync(() => { const b = new ArrayBuffer(8); const c = new EncodedVideoChunk({ type: 'key', timestamp: 0, data: b, transfer: [b] }); return [b.byteLength, c.byteLength]; }),
  transferDup: sync(() => { const b = new ArrayBuffer(8); return new EncodedVideoChunk({ type: 'key', timestamp: 0, data: b, transfer: [b, b] }).byteLength; }),
  copySmall: sync(() => new EncodedAudioChunk({ type: 'key', timestamp: 0, data: new Uint8Array(8) }).copyTo(new Uint8Array(4))),

};
// 4. AudioData
{
  const mkA = () => new AudioData({ format: 'f32-planar', sampleRate: 48000, numberOfFrames: 10, numberOfChannels: 2, timestamp: 0, data: new Float32Array(20).map((_, i) => i) });
  const a = mkA();
  out.audio = {
    offsetBeyond: sync(() => a.allocationSize({ planeIndex: 0, frameOffset: 11 })),
    offsetEnd: sync(() => a.allocationSize({ planeIndex: 0, frameOffset: 10 })),
    countBeyond: sync(() => a.allocationSize({ planeIndex: 0, frameOffset: 5, frameCount: 6 })),
    planeBeyond: sync(() => a.allocationSize({ planeIndex: 2 })),
    toInterleavedPlane1: sync(() => a.allocationSize({ planeIndex: 1, format: 'f32' })),
    toS16: sync(() => a.allocationSize({ planeIndex: 0, format: 's16' })),
    copySmall: sync(() => a.copyTo(new Float32Array(3), { planeIndex: 0 })),
    copyPart: sync(() => { const d = new Float32Array(4); a.copyTo(d, { planeIndex: 1, frameOffset: 3, frameCount: 4 }); return Array.from(d); }),
    zeroFrames: sync(() => new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 0, numberOfChannels: 1, timestamp: 0, data: new Float32Array(0) })),
    zeroRate: sync(() => new AudioData({ format: 'f32', sampleRate: 0, numberOfFrames: 1, numberOfChannels: 1, timestamp: 0, data: new Float32Array(1) })),
    smallData: sync(() => new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 0, data: new Float32Array(7) })),
    duration: sync(() => { const x = new AudioData({ format: 'f32', sampleRate: 44100, numberOfFrames: 1000, numberOfChannels: 1, timestamp: 5, data: new Float32Array(1000) }); return [x.duration, x.timestamp]; }),
  };
  a.close();
  out.audio.closedAttrs = { fmt: a.format, sr: a.sampleRate, n: a.numberOfFrames, ch: a.numberOfChannels, dur: a.duration, ts: a.timestamp };
  out.audio.closedAlloc = sync(() => a.allocationSize({ planeIndex: 0 }));
}
// 5. codec state machine
{
  const errs = [];
  const enc = new VideoEncoder({ output() {}, error: (e) => errs.push(errInfo(e)) });
  const f = mk();
  out.state = {
    encodeUnconfigured: sync(() => enc.encode(f)),
    flushUnconfigured: await attempt(() => enc.flush()),
    configureBad: sync(() => enc.configure({ codec: 'vp8', width: 0, height: 16 })),
    stateAfterBad: enc.state,
    configureMissing: sync(() => enc.configure({ codec: 'vp8' })),
    configureEmptyCodec: sync(() => enc.configure({ codec: '', width: 16, height: 16 })),
  };
  enc.configure({ codec: 'notacodec', width: 16, height: 16 });
  const p = enc.flush().then(() => 'resolved', (e) => errInfo(e));
  out.state.unsupportedFlush = await withTimeout(p, 3000).catch(() => 'timeout');
  out.state.unsupportedState = enc.state;
  out.state.unsupportedErrors = errs.slice();
  out.state.closeAgain = sync(() => enc.close());
  f.close();
}
{
  const errs = [];
  const enc = new VideoEncoder({ output() {}, error: (e) => errs.push(errInfo(e)) });
  enc.configure({ codec: 'vp8', width: 16, height: 16 });
  const f = mk();
  enc.encode(f);
  const p = enc.flush().then(() => 'resolved', (e) => errInfo(e));
  enc.reset();
  out.resetDuringFlush = { flush: await p, state: enc.state, errors: errs, queue: enc.encodeQueueSize };
  out.encodeAfterReset = sync(() => enc.encode(f));
  enc.configure({ codec: 'vp8', width: 16, height: 16 });
  out.encodeWrongOptions = sync(() => enc.encode(f, { keyFrame: 'yes' }));
  out.encodeSizeChange = await attempt(async () => { const g = new VideoFrame(i420(32, 32), { format: 'I420', codedWidth: 32, codedHeight: 32, timestamp: 0 }); enc.encode(g); g.close(); await enc.flush(); return { errs, state: enc.state }; });
  f.close();
  if (enc.state !== 'closed') enc.close();
}
{
  const errs = [];
  const dec = new VideoDecoder({ output() {}, error: (e) => errs.push(errInfo(e)) });
  dec.configure({ codec: 'vp8' });
  out.decodeDeltaFirst = sync(() => dec.decode(new EncodedVideoChunk({ type: 'delta', timestamp: 0, data: new Uint8Array([1, 2, 3]) })));
  out.decodeDeltaFirstState = dec.state;
  out.decodeGarbageKey = await attempt(async () => { dec.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array(50).fill(7) })); await dec.flush(); });
  out.decodeGarbageState = { state: dec.state, errs };
}
// 6. VideoColorSpace
out.colorSpace = {
  empty: new VideoColorSpace().toJSON(),
  partial: new VideoColorSpace({ primaries: 'bt709', fullRange: true }).toJSON(),
  bad: sync(() => new VideoColorSpace({ primaries: 'foo' })),
  keys: Object.keys(new VideoColorSpace().toJSON()),
};
return out;
