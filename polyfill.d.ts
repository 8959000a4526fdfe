// `import 'webcodecs-native/polyfill'` installs the classes on globalThis.
import type * as wc from "./index";

declare global {
  var VideoEncoder: typeof wc.VideoEncoder;
  var VideoDecoder: typeof wc.VideoDecoder;
  var VideoFrame: typeof wc.VideoFrame;
  var EncodedVideoChunk: typeof wc.EncodedVideoChunk;
  var VideoColorSpace: typeof wc.VideoColorSpace;
  var AudioEncoder: typeof wc.AudioEncoder;
  var AudioDecoder: typeof wc.AudioDecoder;
  var AudioData: typeof wc.AudioData;
  var EncodedAudioChunk: typeof wc.EncodedAudioChunk;
  var ImageDecoder: typeof wc.ImageDecoder;
  var ImageTrackList: typeof wc.ImageTrackList;
  var ImageTrack: typeof wc.ImageTrack;
}

export {};
