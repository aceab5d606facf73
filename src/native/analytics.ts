// The nvdsanalytics-like counting engine (native/core/analytics/, binding native/addon/analytics_binding.cc):
// line crossing, ROI, overcrowding and direction on tracked boxes, per stream, with DeepStream's semantics
// (shared/docs/deepstream-reference.md §1, §2, §8).
import type { ResolvedAnalyticsConfig } from '../config/resolved.js';
import { loadAddon } from './addon.js';

/** One tracked box, in frame pixels. */
export interface AnalyticsObjectInput {
  /** Tracker id: a non-negative integer (number below 2^64, or bigint). 2^64-1 = untracked (no LC/direction). */
  id: number | bigint;
  /** 32-bit integer class id. */
  classId: number;
  left: number;
  top: number;
  width: number;
  height: number;
  confidence?: number;
}

export interface AnalyticsFrameInput {
  /** 32-bit integer; the stream index of the config's `-stream-N` groups. */
  streamId: number;
  /** Non-negative integer (number or bigint). */
  frameNum: number | bigint;
  /** Presentation time in ms (finite; floored). Objects unseen for > 300 ms are forgotten. */
  ptsMs: number;
  /** Size the boxes are in; config coordinates are scaled to it. <= 0 or NaN = config size. */
  frameWidth: number;
  frameHeight: number;
  objects: AnalyticsObjectInput[];
}

/** As NvDsAnalyticsObjInfo; only objects with some status are listed. */
export interface AnalyticsObjectResult {
  id: number | bigint;
  classId: number;
  roiStatus: string[];
  ocStatus: string[];
  /** Line labels crossed in this very frame. */
  lcStatus: string[];
  /** `DIR:<label>`, `STOPPED` or ''. */
  dirStatus: string;
}

/** As NvDsAnalyticsFrameMeta. Every configured label is present every frame. */
export interface AnalyticsFrameResult {
  streamId: number;
  frameNum: number | bigint;
  ptsMs: number;
  ocStatus: Record<string, boolean>;
  objInROIcnt: Record<string, number>;
  objLCCurrCnt: Record<string, number>;
  objLCCumCnt: Record<string, number>;
  /** Class id (decimal string) -> objects of that class in the frame. */
  objCnt: Record<string, number>;
  objects: AnalyticsObjectResult[];
}

export interface NativeAnalyticsEngine {
  /** Throws TypeError on a malformed frame (nothing is processed then). */
  process(frame: AnalyticsFrameInput): AnalyticsFrameResult;
  /** Validates every frame first, then processes them in order. */
  processBatch(frames: AnalyticsFrameInput[]): AnalyticsFrameResult[];
  /** Forgets a stream's objects (positions, counted flags) and keeps its cumulative counts: a source that reconnected. */
  forgetObjects(streamId: number): void;
}

declare module './addon.js' {
  interface NativeAddon {
    AnalyticsEngine: new (json: string) => NativeAnalyticsEngine;
  }
}

/** A native engine for one resolved config. Throws an Error naming the JSON path on a malformed config. */
export function createAnalyticsEngine(config: ResolvedAnalyticsConfig): NativeAnalyticsEngine {
  const { AnalyticsEngine } = loadAddon();
  return new AnalyticsEngine(JSON.stringify(config));
}
