// Type definitions for webcodecs-native, shaped like TypeScript's lib.dom
// WebCodecs declarations (the subset this version implements).

export type AllowSharedBufferSource = ArrayBuffer | SharedArrayBuffer | ArrayBufferView;
export type BufferSource = ArrayBuffer | ArrayBufferView;
export type CodecState = "closed" | "configured" | "unconfigured";
export type EncodedVideoChunkType = "delta" | "key";
export type HardwareAcceleration = "no-preference" | "prefer-hardware" | "prefer-software";
export type AlphaOption = "discard" | "keep";
export type LatencyMode = "quality" | "realtime";
export type VideoEncoderBitrateMode = "constant" | "quantizer" | "variable";
export type AvcBitstreamFormat = "annexb" | "avc";
export type HevcBitstreamFormat = "annexb" | "hevc";
export type VideoPixelFormat =
  | "I420" | "I420P10" | "I420P12" | "I420A" | "I420AP10" | "I420AP12"
  | "I422" | "I422P10" | "I422P12" | "I422A" | "I422AP10" | "I422AP12"
  | "I444" | "I444P10" | "I444P12" | "I444A" | "I444AP10" | "I444AP12"
  | "NV12" | "RGBA" | "RGBX" | "BGRA" | "BGRX";
export type VideoColorPrimaries = "bt470bg" | "bt709" | "bt2020" | "smpte170m" | "smpte432";
export type VideoTransferCharacteristics = "bt709" | "hlg" | "iec61966-2-1" | "linear" | "pq" | "smpte170m";
export type VideoMatrixCoefficients = "bt470bg" | "bt709" | "bt2020-ncl" | "rgb" | "smpte170m";
export type PredefinedColorSpace = "display-p3" | "srgb";

export interface DOMRectInit { x?: number; y?: number; width?: number; height?: number; }
export interface DOMRectReadOnly {
  readonly x: number; readonly y: number; readonly width: number; readonly height: number;
  readonly top: number; readonly right: number; readonly bottom: number; readonly left: number;
  toJSON(): any;
}

export interface PlaneLayout { offset: number; stride: number; }

export interface VideoColorSpaceInit {
  fullRange?: boolean | null;
  matrix?: VideoMatrixCoefficients | null;
  primaries?: VideoColorPrimaries | null;
  transfer?: VideoTransferCharacteristics | null;
}

export declare class VideoColorSpace {
  constructor(init?: VideoColorSpaceInit);
  readonly fullRange: boolean | null;
  readonly matrix: VideoMatrixCoefficients | null;
  readonly primaries: VideoColorPrimaries | null;
  readonly transfer: VideoTransferCharacteristics | null;
  toJSON(): VideoColorSpaceInit;
}

/** The members of the VideoFrame Metadata Registry; others are left out. */
export interface VideoFrameMetadata { rtpTimestamp?: number; }

export interface VideoFrameInit {
  duration?: number;
  timestamp?: number;
  alpha?: AlphaOption;
  visibleRect?: DOMRectInit;
  rotation?: number;
  flip?: boolean;
  displayWidth?: number;
  displayHeight?: number;
  metadata?: VideoFrameMetadata;
}

export interface VideoFrameBufferInit {
  format: VideoPixelFormat;
  codedWidth: number;
  codedHeight: number;
  timestamp: number;
  duration?: number;
  layout?: PlaneLayout[];
  visibleRect?: DOMRectInit;
  rotation?: number;
  flip?: boolean;
  displayWidth?: number;
  displayHeight?: number;
  colorSpace?: VideoColorSpaceInit;
  transfer?: ArrayBuffer[];
  metadata?: VideoFrameMetadata;
}

export interface VideoFrameCopyToOptions {
  rect?: DOMRectInit;
  layout?: PlaneLayout[];
  format?: VideoPixelFormat;
  colorSpace?: PredefinedColorSpace;
}

export declare class VideoFrame {
  constructor(source: VideoFrame, init?: VideoFrameInit);
  constructor(data: AllowSharedBufferSource, init: VideoFrameBufferInit);
  readonly codedHeight: number;
  readonly codedRect: DOMRectReadOnly | null;
  readonly codedWidth: number;
  readonly colorSpace: VideoColorSpace;
  readonly displayHeight: number;
  readonly displayWidth: number;
  readonly duration: number | null;
  readonly format: VideoPixelFormat | null;
  readonly timestamp: number;
  readonly visibleRect: DOMRectReadOnly | null;
  readonly rotation: number;
  readonly flip: boolean;
  allocationSize(options?: VideoFrameCopyToOptions): number;
  clone(): VideoFrame;
  close(): void;
  copyTo(destination: AllowSharedBufferSource, options?: VideoFrameCopyToOptions): Promise<PlaneLayout[]>;
  metadata(): VideoFrameMetadata;
}

export interface EncodedVideoChunkInit {
  type: EncodedVideoChunkType;
  timestamp: number;
  duration?: number;
  data: AllowSharedBufferSource;
  transfer?: ArrayBuffer[];
}

export declare class EncodedVideoChunk {
  constructor(init: EncodedVideoChunkInit);
  readonly byteLength: number;
  readonly duration: number | null;
  readonly timestamp: number;
  readonly type: EncodedVideoChunkType;
  copyTo(destination: AllowSharedBufferSource): void;
}

export interface VideoDecoderConfig {
  codec: string;
  description?: AllowSharedBufferSource;
  codedWidth?: number;
  codedHeight?: number;
  displayAspectWidth?: number;
  displayAspectHeight?: number;
  colorSpace?: VideoColorSpaceInit;
  hardwareAcceleration?: HardwareAcceleration;
  optimizeForLatency?: boolean;
  rotation?: number;
  flip?: boolean;
}

export interface AvcEncoderConfig { format?: AvcBitstreamFormat; }
export interface HevcEncoderConfig { format?: HevcBitstreamFormat; }

export interface VideoEncoderConfig {
  codec: string;
  width: number;
  height: number;
  displayWidth?: number;
  displayHeight?: number;
  bitrate?: number;
  framerate?: number;
  hardwareAcceleration?: HardwareAcceleration;
  alpha?: AlphaOption;
  scalabilityMode?: string;
  bitrateMode?: VideoEncoderBitrateMode;
  latencyMode?: LatencyMode;
  contentHint?: string;
  avc?: AvcEncoderConfig;
  hevc?: HevcEncoderConfig;
}

export interface VideoEncoderEncodeOptionsForAvc { quantizer?: number | null; }
export interface VideoEncoderEncodeOptionsForHevc { quantizer?: number | null; }
export interface VideoEncoderEncodeOptionsForVp9 { quantizer?: number | null; }
export interface VideoEncoderEncodeOptionsForAv1 { quantizer?: number | null; }
export interface VideoEncoderEncodeOptions {
  keyFrame?: boolean;
  avc?: VideoEncoderEncodeOptionsForAvc;
  hevc?: VideoEncoderEncodeOptionsForHevc;
  vp9?: VideoEncoderEncodeOptionsForVp9;
  av1?: VideoEncoderEncodeOptionsForAv1;
}

export interface VideoDecoderSupport { config?: VideoDecoderConfig; supported?: boolean; }
export interface VideoEncoderSupport { config?: VideoEncoderConfig; supported?: boolean; }

export interface SvcOutputMetadata { temporalLayerId?: number; }
export interface EncodedVideoChunkMetadata {
  decoderConfig?: VideoDecoderConfig;
  svc?: SvcOutputMetadata;
  alphaSideData?: AllowSharedBufferSource;
}

export type WebCodecsErrorCallback = (error: DOMException) => void;
export type VideoFrameOutputCallback = (output: VideoFrame) => void;
export type EncodedVideoChunkOutputCallback = (chunk: EncodedVideoChunk, metadata?: EncodedVideoChunkMetadata) => void;

export interface VideoDecoderInit { output: VideoFrameOutputCallback; error: WebCodecsErrorCallback; }
export interface VideoEncoderInit { output: EncodedVideoChunkOutputCallback; error: WebCodecsErrorCallback; }

export interface VideoDecoderEventMap { dequeue: Event; }
export interface VideoEncoderEventMap { dequeue: Event; }

export declare class VideoDecoder extends EventTarget {
  constructor(init: VideoDecoderInit);
  readonly decodeQueueSize: number;
  ondequeue: ((this: VideoDecoder, ev: Event) => any) | null;
  readonly state: CodecState;
  close(): void;
  configure(config: VideoDecoderConfig): void;
  decode(chunk: EncodedVideoChunk): void;
  flush(): Promise<void>;
  reset(): void;
  static isConfigSupported(config: VideoDecoderConfig): Promise<VideoDecoderSupport>;
}

export declare class VideoEncoder extends EventTarget {
  constructor(init: VideoEncoderInit);
  readonly encodeQueueSize: number;
  ondequeue: ((this: VideoEncoder, ev: Event) => any) | null;
  readonly state: CodecState;
  close(): void;
  configure(config: VideoEncoderConfig): void;
  encode(frame: VideoFrame, options?: VideoEncoderEncodeOptions): void;
  flush(): Promise<void>;
  reset(): void;
  static isConfigSupported(config: VideoEncoderConfig): Promise<VideoEncoderSupport>;
}

export type AudioSampleFormat = "f32" | "f32-planar" | "s16" | "s16-planar" | "s32" | "s32-planar" | "u8" | "u8-planar";
export type EncodedAudioChunkType = "delta" | "key";
export type BitrateMode = "constant" | "variable";
export type OpusBitstreamFormat = "ogg" | "opus";
export type OpusSignal = "auto" | "music" | "voice";
export type OpusApplication = "audio" | "lowdelay" | "voip";
export type AacBitstreamFormat = "aac" | "adts";

export interface AudioDataInit {
  format: AudioSampleFormat;
  sampleRate: number;
  numberOfFrames: number;
  numberOfChannels: number;
  timestamp: number;
  data: AllowSharedBufferSource;
  transfer?: ArrayBuffer[];
}

export interface AudioDataCopyToOptions {
  planeIndex: number;
  frameOffset?: number;
  frameCount?: number;
  format?: AudioSampleFormat;
}

export declare class AudioData {
  constructor(init: AudioDataInit);
  readonly duration: number;
  readonly format: AudioSampleFormat | null;
  readonly numberOfChannels: number;
  readonly numberOfFrames: number;
  readonly sampleRate: number;
  readonly timestamp: number;
  allocationSize(options: AudioDataCopyToOptions): number;
  clone(): AudioData;
  close(): void;
  copyTo(destination: AllowSharedBufferSource, options: AudioDataCopyToOptions): void;
}

export interface EncodedAudioChunkInit {
  type: EncodedAudioChunkType;
  timestamp: number;
  duration?: number;
  data: AllowSharedBufferSource;
  transfer?: ArrayBuffer[];
}

export declare class EncodedAudioChunk {
  constructor(init: EncodedAudioChunkInit);
  readonly byteLength: number;
  readonly duration: number | null;
  readonly timestamp: number;
  readonly type: EncodedAudioChunkType;
  copyTo(destination: AllowSharedBufferSource): void;
}

export interface AudioDecoderConfig {
  codec: string;
  sampleRate: number;
  numberOfChannels: number;
  description?: AllowSharedBufferSource;
}

export interface OpusEncoderConfig {
  format?: OpusBitstreamFormat;
  signal?: OpusSignal;
  application?: OpusApplication;
  /** Microseconds: 2500, 5000, 10000, 20000 (default), 40000, 60000, 80000, 100000 or 120000. */
  frameDuration?: number;
  complexity?: number;
  packetlossperc?: number;
  useinbandfec?: boolean;
  usedtx?: boolean;
}
export interface AacEncoderConfig { format?: AacBitstreamFormat; }
export interface FlacEncoderConfig { blockSize?: number; compressLevel?: number; }

export interface AudioEncoderConfig {
  codec: string;
  sampleRate: number;
  numberOfChannels: number;
  bitrate?: number;
  bitrateMode?: BitrateMode;
  opus?: OpusEncoderConfig;
  aac?: AacEncoderConfig;
  flac?: FlacEncoderConfig;
}

export interface AudioDecoderSupport { config?: AudioDecoderConfig; supported?: boolean; }
export interface AudioEncoderSupport { config?: AudioEncoderConfig; supported?: boolean; }
export interface EncodedAudioChunkMetadata { decoderConfig?: AudioDecoderConfig; }

export type AudioDataOutputCallback = (output: AudioData) => void;
export type EncodedAudioChunkOutputCallback = (output: EncodedAudioChunk, metadata?: EncodedAudioChunkMetadata) => void;
export interface AudioDecoderInit { output: AudioDataOutputCallback; error: WebCodecsErrorCallback; }
export interface AudioEncoderInit { output: EncodedAudioChunkOutputCallback; error: WebCodecsErrorCallback; }

export declare class AudioDecoder extends EventTarget {
  constructor(init: AudioDecoderInit);
  readonly decodeQueueSize: number;
  ondequeue: ((this: AudioDecoder, ev: Event) => any) | null;
  readonly state: CodecState;
  close(): void;
  configure(config: AudioDecoderConfig): void;
  decode(chunk: EncodedAudioChunk): void;
  flush(): Promise<void>;
  reset(): void;
  static isConfigSupported(config: AudioDecoderConfig): Promise<AudioDecoderSupport>;
}

export declare class AudioEncoder extends EventTarget {
  constructor(init: AudioEncoderInit);
  readonly encodeQueueSize: number;
  ondequeue: ((this: AudioEncoder, ev: Event) => any) | null;
  readonly state: CodecState;
  close(): void;
  configure(config: AudioEncoderConfig): void;
  encode(data: AudioData): void;
  flush(): Promise<void>;
  reset(): void;
  static isConfigSupported(config: AudioEncoderConfig): Promise<AudioEncoderSupport>;
}

export type ImageBufferSource = AllowSharedBufferSource | ReadableStream<Uint8Array>;
export type PremultiplyAlpha = "none" | "premultiply" | "default";
export type ColorSpaceConversion = "none" | "default";

export interface ImageDecoderInit {
  type: string;
  /**
   * The encoded image: a buffer, a ReadableStream of bytes, or (extension) a
   * Node.js Readable of Buffers.
   */
  data: ImageBufferSource | NodeJS.ReadableStream;
  colorSpaceConversion?: ColorSpaceConversion;
  desiredWidth?: number;
  desiredHeight?: number;
  preferAnimation?: boolean;
  premultiplyAlpha?: PremultiplyAlpha;
  transfer?: ArrayBuffer[];
}

export interface ImageDecodeOptions { frameIndex?: number; completeFramesOnly?: boolean; }
export interface ImageDecodeResult { complete: boolean; image: VideoFrame; }

export declare class ImageTrack {
  private constructor();
  readonly animated: boolean;
  readonly frameCount: number;
  readonly repetitionCount: number;
  selected: boolean;
}

export declare class ImageTrackList {
  private constructor();
  readonly [index: number]: ImageTrack;
  readonly length: number;
  readonly ready: Promise<void>;
  readonly selectedIndex: number;
  readonly selectedTrack: ImageTrack | null;
}

export declare class ImageDecoder {
  constructor(init: ImageDecoderInit);
  readonly complete: boolean;
  readonly completed: Promise<void>;
  readonly tracks: ImageTrackList;
  readonly type: string;
  close(): void;
  decode(options?: ImageDecodeOptions): Promise<ImageDecodeResult>;
  reset(): void;
  static isTypeSupported(type: string): Promise<boolean>;
}

/** What the loaded binary was built with (webcodecs-native extension). */
export declare const buildInfo: {
  /** FFmpeg's version string. */
  readonly ffmpeg: string;
  readonly libavcodec: string;
  /** libavcodec's licence text, e.g. "LGPL version 2.1 or later". */
  readonly license: string;
  /** "lgpl" (LGPL 2.1+) or "gpl" (GPL 2+: x264 or a distribution's FFmpeg). */
  readonly flavour: "lgpl" | "gpl" | "other";
  /** FFmpeg encoders and decoders WebCodecs can use that are present, e.g. ["libopenh264"]. */
  readonly encoders: readonly string[];
  readonly decoders: readonly string[];
  /**
   * Encoder libraries called directly, for what FFmpeg's wrappers cannot do:
   * "openh264" (H.264 temporal layers, and per-frame QP where x264 takes none)
   * always; "x265" (HEVC per-frame QP) in development builds on x265 3.5.
   */
  readonly directEncoders: readonly string[];
  /**
   * The libraries linked into the binary (FFmpeg and the codec libraries of a
   * release build; empty for a source build, which uses the system's FFmpeg),
   * each listed in its package's THIRD-PARTY-NOTICES.
   */
  readonly libraries: readonly { readonly license: string; readonly name: string; readonly version: string }[];
};

/**
 * A VideoFrame, AudioData or encoded chunk as a structured-cloneable value
 * for `worker.postMessage(value, value.transfer)` (webcodecs-native
 * extension: Node cannot make these classes cloneable). A frame's pixels are
 * not copied; without `{clone: true}` the source is closed, as the spec's
 * transfer closes it.
 */
export interface TransferableMedia {
  readonly webcodecs: "VideoFrame" | "AudioData" | "EncodedVideoChunk" | "EncodedAudioChunk";
  /** What must go in postMessage's transfer list. */
  readonly transfer: (ArrayBuffer | import("node:worker_threads").MessagePort)[];
  readonly [member: string]: unknown;
}
export declare function toTransferable(value: VideoFrame | AudioData | EncodedVideoChunk | EncodedAudioChunk, options?: { clone?: boolean }): TransferableMedia;
/** The object a toTransferable() value stands for, in the receiving thread (a frame can be taken once). */
export declare function fromTransferable(value: TransferableMedia & { webcodecs: "VideoFrame" }): VideoFrame;
export declare function fromTransferable(value: TransferableMedia & { webcodecs: "AudioData" }): AudioData;
export declare function fromTransferable(value: TransferableMedia & { webcodecs: "EncodedVideoChunk" }): EncodedVideoChunk;
export declare function fromTransferable(value: TransferableMedia & { webcodecs: "EncodedAudioChunk" }): EncodedAudioChunk;
export declare function fromTransferable(value: TransferableMedia): VideoFrame | AudioData | EncodedVideoChunk | EncodedAudioChunk;
