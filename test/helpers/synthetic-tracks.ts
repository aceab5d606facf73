// Synthetic trajectories and config builders for the analytics engine tests.
//
// A track is a list of bottom-centre positions, one per frame index; buildFrames() turns a set of tracks
// into consecutive frames (ptsMs = frame * frameMs, default 40 ms = 25 fps), including frames in which no
// track is present, so the engine sees time pass exactly as a pipeline would.
import type { LineCrossingMode, ResolvedAnalyticsConfig, ResolvedStreamAnalytics, XY } from '../../src/config/resolved.js';
import type {
  AnalyticsFrameInput,
  AnalyticsFrameResult,
  AnalyticsObjectInput,
  NativeAnalyticsEngine,
} from '../../src/native/analytics.js';

export type LineRule = ResolvedStreamAnalytics['lines'][number];
export type RoiRule = ResolvedStreamAnalytics['rois'][number];
export type OcRule = ResolvedStreamAnalytics['overcrowding'][number];
export type DirRule = ResolvedStreamAnalytics['directions'][number];

/** A whole config, 1920x1080 config space unless told otherwise. */
export function analyticsConfig(
  streams: Array<Partial<ResolvedStreamAnalytics> & { streamId: number }>,
  opts: { configWidth?: number; configHeight?: number; enable?: boolean } = {},
): ResolvedAnalyticsConfig {
  return {
    enable: opts.enable ?? true,
    configWidth: opts.configWidth ?? 1920,
    configHeight: opts.configHeight ?? 1080,
    osdMode: 2,
    displayFontSize: 12,
    displayObjCnt: false,
    objCntWinMs: 0,
    streams: streams.map((s) => ({
      rois: [],
      overcrowding: [],
      lines: [],
      directions: [],
      ...s,
    })),
  };
}

export function lineRule(
  label: string,
  arrow: [XY, XY],
  line: [XY, XY],
  opts: { mode?: LineCrossingMode; extended?: boolean; classIds?: number[] } = {},
): LineRule {
  return { label, arrow, line, mode: opts.mode ?? 'loose', extended: opts.extended ?? true, classIds: opts.classIds ?? [] };
}

/**
 * The horizontal test line y = 500 from x = x1 to x = x2 (default 400..1500).
 * 'down': arrow (950,400) -> (950,600), counts movement from y < 500 to y >= 500.
 * 'up': arrow (950,600) -> (950,400), counts movement from y > 500 to y <= 500.
 */
export function horizontalLine(
  label: string,
  sense: 'down' | 'up',
  opts: { mode?: LineCrossingMode; extended?: boolean; classIds?: number[]; x1?: number; x2?: number } = {},
): LineRule {
  const arrow: [XY, XY] = sense === 'down' ? [[950, 400], [950, 600]] : [[950, 600], [950, 400]];
  return lineRule(label, arrow, [[opts.x1 ?? 400, 500], [opts.x2 ?? 1500, 500]], opts);
}

/** Box size used when a track does not say otherwise. */
export const BOX_W = 40;
export const BOX_H = 80;

export interface TrackPoint {
  frame: number;
  /** bottom centre */
  x: number;
  y: number;
  /** box size (default BOX_W x BOX_H) */
  w?: number;
  h?: number;
}

export interface Track {
  id: number | bigint;
  classId: number;
  points: TrackPoint[];
}

/** Position at frame startFrame + k is start + k * velocity, for k = 0 .. frames - 1. */
export function moving(
  id: number | bigint,
  start: XY,
  velocity: XY,
  frames: number,
  opts: { startFrame?: number; classId?: number; w?: number; h?: number } = {},
): Track {
  const first = opts.startFrame ?? 0;
  const points: TrackPoint[] = [];
  for (let k = 0; k < frames; k++)
    points.push({ frame: first + k, x: start[0] + k * velocity[0], y: start[1] + k * velocity[1], w: opts.w, h: opts.h });
  return { id, classId: opts.classId ?? 0, points };
}

/** Explicit positions, one per consecutive frame from startFrame. */
export function path(
  id: number | bigint,
  positions: XY[],
  opts: { startFrame?: number; classId?: number; w?: number; h?: number } = {},
): Track {
  const first = opts.startFrame ?? 0;
  return {
    id,
    classId: opts.classId ?? 0,
    points: positions.map(([x, y], k) => ({ frame: first + k, x, y, w: opts.w, h: opts.h })),
  };
}

/** `n` copies of a position. */
export function repeat(p: XY, n: number): XY[] {
  return Array.from({ length: n }, () => [p[0], p[1]] as XY);
}

/** A box whose bottom centre is (x, y). */
export function boxAt(x: number, y: number, w = BOX_W, h = BOX_H): Pick<AnalyticsObjectInput, 'left' | 'top' | 'width' | 'height'> {
  return { left: x - w / 2, top: y - h, width: w, height: h };
}

/** Frames 0 .. lastFrame (default: the last frame of any track) with every track's box in its frames. */
export function buildFrames(
  tracks: Track[],
  opts: { streamId?: number; frameMs?: number; width?: number; height?: number; lastFrame?: number; ptsOffset?: number } = {},
): AnalyticsFrameInput[] {
  const last = opts.lastFrame ?? Math.max(0, ...tracks.flatMap((t) => t.points.map((p) => p.frame)));
  const frames: AnalyticsFrameInput[] = [];
  for (let f = 0; f <= last; f++)
    frames.push({
      streamId: opts.streamId ?? 0,
      frameNum: f,
      ptsMs: (opts.ptsOffset ?? 0) + f * (opts.frameMs ?? 40),
      frameWidth: opts.width ?? 1920,
      frameHeight: opts.height ?? 1080,
      objects: [],
    });
  for (const t of tracks)
    for (const p of t.points) {
      const frame = frames[p.frame];
      if (frame) frame.objects.push({ id: t.id, classId: t.classId, ...boxAt(p.x, p.y, p.w, p.h) });
    }
  return frames;
}

/** Frame indices at which objLCCurrCnt[label] > 0 (repeated once per crossing). */
export function crossingFrames(results: AnalyticsFrameResult[], label: string): number[] {
  const out: number[] = [];
  results.forEach((r, i) => {
    for (let n = 0; n < (r.objLCCurrCnt[label] ?? 0); n++) out.push(i);
  });
  return out;
}

export function finalCum(results: AnalyticsFrameResult[], label: string): number | undefined {
  return results[results.length - 1]?.objLCCumCnt[label];
}

/** Runs tracks through a fresh pass of `engine` and returns one result per frame. */
export function run(engine: NativeAnalyticsEngine, tracks: Track[], opts: Parameters<typeof buildFrames>[1] = {}): AnalyticsFrameResult[] {
  return engine.processBatch(buildFrames(tracks, opts));
}
