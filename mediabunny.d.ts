// `webcodecs-native/mediabunny`: resize, crop, rotate and flip for Mediabunny
// in Node (where it has no canvas), done natively. See lib/mediabunny.js.
import type { VideoFrame } from "./index";

/** A Mediabunny transform description (what `VideoSample.transform` hands a transformer). */
export interface TransformDescription {
  width: number;
  height: number;
  fit?: "fill" | "contain" | "cover";
  /** Clockwise degrees, applied before `flip`. */
  rotation?: 0 | 90 | 180 | 270;
  /** A horizontal mirror, applied after the rotation. */
  flip?: boolean;
  /** In the rotated and flipped picture. */
  crop?: { left: number; top: number; width: number; height: number } | null;
  alpha?: "keep" | "discard";
}

/** The parts of the mediabunny module used. */
export interface MediabunnyModule {
  VideoSample: new (frame: VideoFrame, init?: { timestamp?: number; duration?: number; rotation?: number; flip?: boolean }) => unknown;
  registerVideoSampleTransformer?: (transformer: (sample: any, description: any) => Promise<unknown> | unknown) => void;
}

export type Transformer = (sample: { toVideoFrame(): unknown; timestamp: number; duration: number }, description: TransformDescription) => Promise<unknown>;

/** Registers the transformer with Mediabunny (once per module); returns it. */
export function register(mediabunny: MediabunnyModule): Transformer;
/** The transformer for `mediabunny`, without registering it. */
export function createTransformer(mediabunny: MediabunnyModule): Transformer;
/** A new frame of `description.width`x`height` showing `frame` as the description says. */
export function transformFrame(frame: VideoFrame, description: TransformDescription): Promise<VideoFrame>;
