// The core SORT tracker (native/core/tracking/) exposed for tests and tuning: run it over scripted
// detections without any video. Config keys are those of config/tracker_sort.txt.
import { loadAddon } from './addon.js';

export interface SimDetection {
  left: number;
  top: number;
  width: number;
  height: number;
  classId?: number;
  confidence?: number;
}

export interface SimFrame {
  /** Presentation time; default frame index x 33.3 ms. */
  ptsMs?: number;
  detections?: SimDetection[];
  /** The detector skipped this frame (detector interval): tracks coast on their prediction. */
  skipped?: boolean;
}

export interface SimTrackedObject {
  id: number;
  classId: number;
  left: number;
  top: number;
  width: number;
  height: number;
  confidence: number;
  /** Missed in this frame: held at its last measured box (coast-ms). */
  coasting: boolean;
}

/** A path of a tracker key file, or [property] keys -> values (e.g. { 'min-hits': 3, 'max-age-ms': 500 }). */
export type TrackerConfigInput = string | Record<string, string | number | boolean>;

declare module './addon.js' {
  interface NativeAddon {
    trackerSimulate(config: TrackerConfigInput | undefined, frames: SimFrame[]): SimTrackedObject[][];
    trackerConfig(config?: TrackerConfigInput): Record<string, number | boolean>;
  }
}

/** Confirmed tracks output for each frame (tentative tracks are never output). */
export function trackerSimulate(config: TrackerConfigInput | undefined, frames: SimFrame[]): SimTrackedObject[][] {
  return loadAddon().trackerSimulate(config, frames);
}

/** The resolved tracker parameters; throws naming file, line and key for a bad config. */
export function trackerConfig(config?: TrackerConfigInput): Record<string, number | boolean> {
  return loadAddon().trackerConfig(config);
}
