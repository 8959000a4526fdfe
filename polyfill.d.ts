// `import 'webcodecs-native/polyfill'` installs the classes on globalThis.
// Where TypeScript's "dom" library already declares them (it has WebCodecs),
// the globals keep the DOM's types, as @types/node does for fetch: declaring
// them again with another type would be an error.
import type * as wc from "./index";

declare global {
  var VideoEncoder: typeof globalThis extends { onmessage: any; VideoEncoder: infer T } ? T : typeof wc.VideoEncoder;
  var VideoDecoder: typeof globalThis extends { onmessage: any; VideoDecoder: infer T } ? T : typeof wc.VideoDecoder;
  var VideoFrame: typeof globalThis extends { onmessage: any; VideoFrame: infer T } ? T : typeof wc.VideoFrame;
  var EncodedVideoChunk: typeof globalThis extends { onmessage: any; EncodedVideoChunk: infer T } ? T : typeof wc.EncodedVideoChunk;
  var VideoColorSpace: typeof globalThis extends { onmessage: any; VideoColorSpace: infer T } ? T : typeof wc.VideoColorSpace;
  var AudioEncoder: typeof globalThis extends { onmessage: any; AudioEncoder: infer T } ? T : typeof wc.AudioEncoder;
  var AudioDecoder: typeof globalThis extends { onmessage: any; AudioDecoder: infer T } ? T : typeof wc.AudioDecoder;
  var AudioData: typeof globalThis extends { onmessage: any; AudioData: infer T } ? T : typeof wc.AudioData;
  var EncodedAudioChunk: typeof globalThis extends { onmessage: any; EncodedAudioChunk: infer T } ? T : typeof wc.EncodedAudioChunk;
  var ImageDecoder: typeof globalThis extends { onmessage: any; ImageDecoder: infer T } ? T : typeof wc.ImageDecoder;
  var ImageTrackList: typeof globalThis extends { onmessage: any; ImageTrackList: infer T } ? T : typeof wc.ImageTrackList;
  var ImageTrack: typeof globalThis extends { onmessage: any; ImageTrack: infer T } ? T : typeof wc.ImageTrack;
}

export {};
