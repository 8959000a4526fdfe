// VideoFrameMetadata from an init and from another frame: which members stay, how they convert.
const out = {};
const f0 = new VideoFrame(new Uint8Array(16 * 16 * 1.5), { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp: 0,
  metadata: { rtpTimestamp: 5, captureTime: 3.5, receiveTime: 4, foo: 1, segments: [], backgroundBlur: { enabled: true }, humanFaces: [], flags: 1 } });
out.fromBuffer = f0.metadata();
out.keys = Object.keys(f0.metadata());
const f1 = new VideoFrame(f0, { metadata: { rtpTimestamp: 7, bar: 2 } });
out.fromFrame = f1.metadata();
const f2 = new VideoFrame(f0, {});
out.inherited = f2.metadata();
out.badRtp = (() => { try { return new VideoFrame(f0, { metadata: { rtpTimestamp: -1 } }).metadata(); } catch (e) { return errInfo(e); } })();
out.badCapture = (() => { try { return new VideoFrame(f0, { metadata: { captureTime: 'x' } }).metadata(); } catch (e) { return errInfo(e); } })();
out.nonSerializable = (() => { try { return new VideoFrame(f0, { metadata: { foo: () => 1 } }).metadata(); } catch (e) { return errInfo(e); } })();
f0.close(); f1.close(); f2.close();
return out;
