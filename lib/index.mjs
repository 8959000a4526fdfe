import webcodecs from './index.js';

export const { VideoEncoder, VideoDecoder, VideoFrame, EncodedVideoChunk, VideoColorSpace, buildInfo } = webcodecs;
export default webcodecs;
