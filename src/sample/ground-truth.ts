// Exact expected line-crossing counts for a scenario, computed from its trajectories alone (independent of
// the analytics engine): what a perfect detector + tracker + nvdsanalytics would report.
//
// Per line label, an object counts when the bottom centre of its box moves from the side the arrow starts
// on to the side it points to, through the segment (extended=false) or anywhere on the infinite line
// (extended=true); each object counts at most once per label. Positions are sampled once per frame while
// the object is visible (present and at least partly inside the frame), as a detector would see it. A
// sample exactly on the line counts as having reached the other side, as in the project's engine
// (native/core/analytics: so a line on a frame edge, reached by clipped boxes, still counts); resting on
// the line does not flip it back and forth.
import {
  normalizeScenario,
  positionAt,
  visibleAt,
  type NormalizedLine,
  type NormalizedObject,
  type NormalizedScenario,
  type Scenario,
} from './scenario.js';

export interface Crossing {
  frame: number;
  objectIndex: number;
  label: string;
}

/** A line of the truth file: the scenario's normalized line. */
export type TruthLine = NormalizedLine;

/** The `<name>.truth.json` written next to a generated stream. */
export interface GroundTruth {
  scenario: string;
  width: number;
  height: number;
  frames: number;
  fps: number;
  /** Config space of `lines` (as config_nvdsanalytics.txt's config-width/-height). */
  configWidth: number;
  configHeight: number;
  lines: TruthLine[];
  objects: Array<{ index: number; id: string; classId: number; firstFrame: number; lastFrame: number }>;
  expected: {
    /** objLCCumCnt at the end of the stream, per label (every label present, 0 when nothing crosses). */
    lc_cum: Record<string, number>;
    /** Counted crossings in frame order: the first frame where the bottom centre is on the line or beyond it. */
    crossings: Crossing[];
  };
}

/** Every side change of one object's path relative to one line (counted or not). */
export interface SideChange {
  frame: number;
  objectIndex: number;
  label: string;
  /** True when moving in the arrow's sense. */
  forward: boolean;
  /** Where the path meets the infinite line, frame pixels; and whether that is on the segment. */
  at: { x: number; y: number };
  onSegment: boolean;
  /** Counted: forward, on the segment (or extended), the object's first such crossing for this label. */
  counted: boolean;
}

type P = { x: number; y: number };

/** A line in frame pixels with the sign of the side the arrow points to. */
export interface FrameLine {
  label: string;
  a: P;
  b: P;
  extended: boolean;
  classIds: number[];
  /** side(p) === endSide means p is where the arrow points. */
  endSide: 1 | -1;
}

export function frameLine(s: NormalizedScenario, l: NormalizedLine): FrameLine {
  const sx = s.width / s.analytics.configWidth;
  const sy = s.height / s.analytics.configHeight;
  const a = { x: l.line[0][0] * sx, y: l.line[0][1] * sy };
  const b = { x: l.line[1][0] * sx, y: l.line[1][1] * sy };
  const dir = { x: (l.arrow[1][0] - l.arrow[0][0]) * sx, y: (l.arrow[1][1] - l.arrow[0][1]) * sy };
  const c = (b.x - a.x) * dir.y - (b.y - a.y) * dir.x;
  return { label: l.label, a, b, extended: l.extended, classIds: l.classIds, endSide: c > 0 ? 1 : -1 };
}

export function sideOf(l: Pick<FrameLine, 'a' | 'b'>, p: P): -1 | 0 | 1 {
  const c = (l.b.x - l.a.x) * (p.y - l.a.y) - (l.b.y - l.a.y) * (p.x - l.a.x);
  return c > 0 ? 1 : c < 0 ? -1 : 0;
}

/** Distance from p to the segment (or, extended, the infinite line). */
export function distanceToLine(l: Pick<FrameLine, 'a' | 'b' | 'extended'>, p: P): number {
  const dx = l.b.x - l.a.x;
  const dy = l.b.y - l.a.y;
  let t = ((p.x - l.a.x) * dx + (p.y - l.a.y) * dy) / (dx * dx + dy * dy);
  if (!l.extended) t = Math.min(1, Math.max(0, t));
  return Math.hypot(p.x - (l.a.x + t * dx), p.y - (l.a.y + t * dy));
}

function appliesTo(classIds: number[], classId: number): boolean {
  return classIds.length === 0 || classIds.includes(-1) || classIds.includes(classId);
}

/** The frames where the object is visible, in order (a scenario keeps them contiguous). */
export function visibleFrames(s: NormalizedScenario, o: NormalizedObject): number[] {
  const out: number[] = [];
  for (let f = Math.max(0, o.appear); f <= Math.min(s.frames - 1, o.disappear); ++f) if (visibleAt(s, o, f)) out.push(f);
  return out;
}

/** All side changes of every object's path for every line, in frame order. */
export function sideChanges(scenario: Scenario | NormalizedScenario): SideChange[] {
  const s = normalizeScenario(scenario);
  const lines = s.analytics.lines.map((l) => frameLine(s, l));
  const out: SideChange[] = [];
  s.objects.forEach((o, objectIndex) => {
    const frames = visibleFrames(s, o);
    for (const l of lines) {
      if (!appliesTo(l.classIds, o.classId)) continue;
      let counted = false;
      let lastSide: -1 | 0 | 1 = 0; // the side the path is on (a point on the line flips it)
      let lastPoint: P | undefined;
      let prevRaw: -1 | 0 | 1 | undefined;
      for (const f of frames) {
        const p = positionAt(o, f);
        const side = sideOf(l, p);
        const raw = prevRaw;
        prevRaw = side;
        if (lastSide === 0) {
          // not on a side yet (the object started exactly on the line)
          if (side !== 0) lastSide = side;
          lastPoint = p;
          continue;
        }
        if (side === lastSide || (side === 0 && raw === 0)) {
          lastPoint = p;
          continue;
        }
        // Reached the line or the other side: a crossing in the sense lastSide → other side.
        let at = p;
        if (side !== 0 && lastPoint) {
          const d0 = (l.b.x - l.a.x) * (lastPoint.y - l.a.y) - (l.b.y - l.a.y) * (lastPoint.x - l.a.x);
          const d1 = (l.b.x - l.a.x) * (p.y - l.a.y) - (l.b.y - l.a.y) * (p.x - l.a.x);
          const t = d0 / (d0 - d1);
          at = { x: lastPoint.x + (p.x - lastPoint.x) * t, y: lastPoint.y + (p.y - lastPoint.y) * t };
        }
        const dx = l.b.x - l.a.x;
        const dy = l.b.y - l.a.y;
        const u = ((at.x - l.a.x) * dx + (at.y - l.a.y) * dy) / (dx * dx + dy * dy);
        const onSegment = u >= 0 && u <= 1;
        const forward = lastSide !== l.endSide;
        const counts = forward && (l.extended || onSegment) && !counted;
        if (counts) counted = true;
        out.push({ frame: f, objectIndex, label: l.label, forward, at, onSegment, counted: counts });
        lastSide = lastSide === 1 ? -1 : 1;
        lastPoint = p;
      }
    }
  });
  const labelOrder = new Map(s.analytics.lines.map((l, i) => [l.label, i]));
  return out.sort((x, y) => x.frame - y.frame || x.objectIndex - y.objectIndex || labelOrder.get(x.label)! - labelOrder.get(y.label)!);
}

export function computeGroundTruth(scenario: Scenario | NormalizedScenario): GroundTruth {
  const s = normalizeScenario(scenario);
  const crossings: Crossing[] = sideChanges(s)
    .filter((c) => c.counted)
    .map((c) => ({ frame: c.frame, objectIndex: c.objectIndex, label: c.label }));
  const lc_cum: Record<string, number> = {};
  for (const l of s.analytics.lines) lc_cum[l.label] = 0;
  for (const c of crossings) lc_cum[c.label] = (lc_cum[c.label] ?? 0) + 1;
  return {
    scenario: s.name,
    width: s.width,
    height: s.height,
    frames: s.frames,
    fps: s.fps,
    configWidth: s.analytics.configWidth,
    configHeight: s.analytics.configHeight,
    lines: s.analytics.lines.map((l) => ({ ...l })),
    objects: s.objects.map((o, index) => {
      const f = visibleFrames(s, o);
      return { index, id: o.id, classId: o.classId, firstFrame: f[0] ?? -1, lastFrame: f[f.length - 1] ?? -1 };
    }),
    expected: { lc_cum, crossings },
  };
}

/** objLCCumCnt expected after `frame` (inclusive), per label. */
export function expectedCumulativeAt(truth: GroundTruth, frame: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of truth.lines) out[l.label] = 0;
  for (const c of truth.expected.crossings) if (c.frame <= frame) out[c.label] = (out[c.label] ?? 0) + 1;
  return out;
}
