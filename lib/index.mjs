import webcodecs from './index.js';

export const { VideoEncoder, VideoDecoder, VideoFrame, EncodedVideoChunk, VideoColorSpace, AudioEncoder, AudioDecoder, AudioData, EncodedAudioChunk, ImageDecoder, ImageTrackList, ImageTrack, buildInfo, toTransferable, fromTransferable } = webcodecs;
export default webcodecs;
