// Compiled by test/types.test.js with `tsc --noEmit --strict`, without and
// with TypeScript's "dom" library: every class and the main dictionaries of
// webcodecs-native used as a program would, and the polyfill's globals.
import {
  AudioData, AudioDecoder, AudioEncoder, buildInfo, EncodedAudioChunk, EncodedVideoChunk, ImageDecoder, ImageTrack, ImageTrackList,
  VideoColorSpace, VideoDecoder, VideoEncoder, VideoFrame, toTransferable, fromTransferable,
} from 'webcodecs-native';
import type {
  AudioDecoderConfig, AudioEncoderConfig, EncodedVideoChunkMetadata, ImageDecodeResult, VideoDecoderConfig, VideoEncoderConfig,
  VideoFrameCopyToOptions, VideoPixelFormat, TransferableMedia,
} from 'webcodecs-native';
import 'webcodecs-native/polyfill';
import { register, transformFrame } from 'webcodecs-native/mediabunny';

async function video(): Promise<number> {
  const config: VideoEncoderConfig = { codec: 'avc1.42001f', width: 320, height: 240, bitrate: 500_000, latencyMode: 'realtime', avc: { format: 'annexb' } };
  const support = await VideoEncoder.isConfigSupported(config);
  const chunks: EncodedVideoChunk[] = [];
  let decoderConfig: VideoDecoderConfig | undefined;
  const encoder = new VideoEncoder({
    output(chunk: EncodedVideoChunk, metadata?: EncodedVideoChunkMetadata) {
      chunks.push(chunk);
      decoderConfig ??= metadata?.decoderConfig;
    },
    error(e: DOMException) { throw e; },
  });
  encoder.ondequeue = () => {};
  encoder.configure(config);
  const format: VideoPixelFormat = 'I420';
  const frame = new VideoFrame(new Uint8Array(320 * 240 * 1.5), { format, codedWidth: 320, codedHeight: 240, timestamp: 0, colorSpace: { matrix: 'bt709' } });
  encoder.encode(frame, { keyFrame: true });
  frame.close();
  await encoder.flush();
  const decoder = new VideoDecoder({ output: (f: VideoFrame) => f.close(), error: () => {} });
  if (decoderConfig) decoder.configure(decoderConfig);
  for (const c of chunks) decoder.decode(c);
  await decoder.flush();
  const copy: VideoFrameCopyToOptions = { format: 'RGBA', colorSpace: 'srgb' };
  const space = new VideoColorSpace({ primaries: 'bt709', fullRange: false });
  const json: { fullRange?: boolean | null } = space.toJSON();
  const bytes = new Uint8Array(16);
  chunks[0]?.copyTo(bytes);
  return (support.supported ? 1 : 0) + copy.format!.length + (json.fullRange ? 1 : 0) + decoder.decodeQueueSize + encoder.encodeQueueSize;
}

async function audio(): Promise<string> {
  const config: AudioEncoderConfig = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2, bitrate: 64000, opus: { frameDuration: 20000 } };
  const chunks: EncodedAudioChunk[] = [];
  const encoder = new AudioEncoder({ output: (c: EncodedAudioChunk) => chunks.push(c), error: () => {} });
  encoder.configure(config);
  const data = new AudioData({ format: 'f32-planar', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 2, timestamp: 0, data: new Float32Array(1920) });
  encoder.encode(data);
  const out = new Float32Array(data.allocationSize({ planeIndex: 0, format: 'f32' }) / 4);
  data.copyTo(out, { planeIndex: 0, format: 'f32' });
  data.close();
  await encoder.flush();
  const decoderConfig: AudioDecoderConfig = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2 };
  const decoder = new AudioDecoder({ output: (d: AudioData) => d.close(), error: () => {} });
  decoder.configure(decoderConfig);
  return (await AudioDecoder.isConfigSupported(decoderConfig)).supported ? decoder.state : 'closed';
}

async function images(stream: ReadableStream<Uint8Array>): Promise<number> {
  const decoder = new ImageDecoder({ type: 'image/png', data: stream, preferAnimation: true, premultiplyAlpha: 'none' });
  await decoder.tracks.ready;
  const list: ImageTrackList = decoder.tracks;
  const track: ImageTrack | null = list.selectedTrack;
  const first: ImageTrack = list[0];
  first.selected = true;
  const result: ImageDecodeResult = await decoder.decode({ frameIndex: 0, completeFramesOnly: false });
  const frame: VideoFrame = result.image;
  frame.close();
  await decoder.completed;
  decoder.reset();
  decoder.close();
  return (track?.frameCount ?? 0) + first.repetitionCount + (await ImageDecoder.isTypeSupported('image/gif') ? 1 : 0);
}

// The polyfill's globals: constructible wherever the code expects the browser's classes.
const GlobalDecoder = globalThis.ImageDecoder;
const globalFrame = new globalThis.VideoFrame(new Uint8Array(16), { format: 'RGBA', codedWidth: 2, codedHeight: 2, timestamp: 0 });
globalFrame.close();
const flavour: 'lgpl' | 'gpl' | 'other' = buildInfo.flavour;

// Moving media between worker_threads.
function moved(frame: VideoFrame, port: import('node:worker_threads').MessagePort): VideoFrame {
  const value: TransferableMedia = toTransferable(frame, { clone: true });
  port.postMessage(value, value.transfer);
  const back: VideoFrame = fromTransferable(value as TransferableMedia & { webcodecs: 'VideoFrame' });
  return back;
}

// Mediabunny's transforms (its module's types need the DOM's: a stand-in
// with its shape here), and the same work on a frame directly.
register({ VideoSample: class { constructor(readonly frame: VideoFrame) {} }, registerVideoSampleTransformer() {} });
async function resized(frame: VideoFrame): Promise<VideoFrame> {
  return transformFrame(frame, { width: 160, height: 90, fit: 'contain', rotation: 90, crop: { left: 0, top: 0, width: 320, height: 180 } });
}

export { video, audio, images, GlobalDecoder, flavour, moved, resized };
