// "Physically clean" checks: a scenario's ground truth is only exact for a real motion detector + tracker
// + nvdsanalytics (loose mode) if nothing in it is borderline. checkScenario() lists what is not clean:
//  - objects whose boxes come closer than minGapPx (a detector would merge them);
//  - an object whose bottom centre (the point nvdsanalytics counts) comes within nearLinePx of a line
//    without crossing it: a detected box is only as exact as one processing pixel (5 frame pixels at the
//    shipped processing-width for 1280) plus the tracker's smoothing;
//  - a crossing (either sense) that is slow (displacement from the mean of its older samples, the way
//    nvdsanalytics smooths the previous point, below minDisplacementPx), oblique (|cos| to the arrow below
//    minCos), young (seen fewer than minFramesBefore frames), not fully inside the frame, or too close
//    to the end of the object's visibility (minFramesAfter);
//  - an object whose visibility has gaps (it would come back with a new tracker id);
//  - an object standing still for more than maxStillFrames (the shipped detector holds a waiting object
//    out of its background model for hold-ms = 10 s, then lets it fade into the background), or standing
//    still with its bottom centre within nearLinePx of a line.
// What the motion detector used to need and no longer does (config/detector_motion.txt): whole boxes
// 60 px away from lines and stops of at most 1 s (a still object was absorbed into the background and its
// box shrank or jumped: selective-update), bodies at least 60 luma levels from the background (dark ones
// were cut by shadow removal: detect-shadows=0, shadow-texture-tolerance), a steady exposure
// (gain-compensation). Objects in view during the detector's warm-up (the first ~1 s) may still be seen
// only in part for a while: keep what matters to the counts later than that.
import { distanceToLine, frameLine, sideOf, sideChanges, visibleFrames, type FrameLine } from './ground-truth.js';
import { boxAt, normalizeScenario, positionAt, type NormalizedObject, type NormalizedScenario, type Scenario } from './scenario.js';

export interface CleanlinessOptions {
  minGapPx?: number;
  nearLinePx?: number;
  minDisplacementPx?: number;
  minCos?: number;
  minFramesBefore?: number;
  minFramesAfter?: number;
  edgeMarginPx?: number;
  maxStillFrames?: number;
}

const DEFAULTS: Required<CleanlinessOptions> = {
  minGapPx: 24,
  nearLinePx: 15,
  minDisplacementPx: 40,
  minCos: 0.5,
  minFramesBefore: 10,
  minFramesAfter: 10,
  edgeMarginPx: 4,
  maxStillFrames: 150,
};

/** Problems that would make the ground truth unreachable for a real pipeline; empty when clean. */
export function checkScenario(scenario: Scenario, options: CleanlinessOptions = {}): string[] {
  const opt = { ...DEFAULTS, ...options };
  const s = normalizeScenario(scenario);
  const issues: string[] = [];
  const name = (i: number) => `object ${i} (${s.objects[i]!.id})`;
  const vis = s.objects.map((o) => visibleFrames(s, o));

  vis.forEach((frames, i) => {
    if (frames.length === 0) issues.push(`${name(i)} is never visible`);
    for (let k = 1; k < frames.length; ++k)
      if (frames[k] !== frames[k - 1]! + 1) {
        issues.push(`${name(i)} leaves the frame and comes back (frames ${frames[k - 1]}–${frames[k]})`);
        break;
      }
  });

  // separation
  for (let i = 0; i < s.objects.length; ++i)
    for (let j = i + 1; j < s.objects.length; ++j) {
      const fi = new Set(vis[i]);
      for (const f of vis[j]!) {
        if (!fi.has(f)) continue;
        const a = boxAt(s.objects[i]!, f);
        const b = boxAt(s.objects[j]!, f);
        const gapX = Math.max(b.left - (a.left + a.width), a.left - (b.left + b.width));
        const gapY = Math.max(b.top - (a.top + a.height), a.top - (b.top + b.height));
        const gap = Math.max(gapX, gapY);
        if (gap < opt.minGapPx) {
          issues.push(`${name(i)} and ${name(j)} are ${gap.toFixed(1)} px apart at frame ${f} (< ${opt.minGapPx})`);
          break;
        }
      }
    }

  const lines = s.analytics.lines.map((l) => frameLine(s, l));
  const changes = sideChanges(s);

  // standing still
  s.objects.forEach((o, i) => {
    const frames = vis[i]!;
    let run = 0;
    let reportedLong = false;
    const reportedNear = new Set<string>();
    for (let k = 1; k < frames.length; ++k) {
      const a = positionAt(o, frames[k - 1]!);
      const b = positionAt(o, frames[k]!);
      run = Math.hypot(b.x - a.x, b.y - a.y) < 0.5 ? run + 1 : 0;
      if (run === 0) continue;
      if (run > opt.maxStillFrames && !reportedLong) {
        issues.push(`${name(i)} stands still for more than ${opt.maxStillFrames} frames (from frame ${frames[k]! - run})`);
        reportedLong = true;
      }
      for (const l of lines) {
        if (reportedNear.has(l.label) || distanceToLine(l, positionAt(o, frames[k]!)) >= opt.nearLinePx) continue;
        issues.push(`${name(i)} stands still at frame ${frames[k]} with its bottom centre within ${opt.nearLinePx} px of line "${l.label}"`);
        reportedNear.add(l.label);
      }
    }
  });

  // near a line without crossing it
  s.objects.forEach((o, i) => {
    for (const l of lines) {
      let runStart = -1;
      const frames = vis[i]!;
      for (let k = 0; k <= frames.length; ++k) {
        const f = frames[k];
        const near = f !== undefined && distanceToLine(l, positionAt(o, f)) < opt.nearLinePx;
        if (near && runStart < 0) runStart = f!;
        if (!near && runStart >= 0) {
          const runEnd = frames[k - 1]!;
          const crossed = changes.some(
            (c) => c.objectIndex === i && c.label === l.label && c.frame >= runStart && c.frame <= runEnd + 1,
          );
          if (!crossed)
            issues.push(`${name(i)}'s bottom centre is within ${opt.nearLinePx} px of line "${l.label}" (frames ${runStart}–${runEnd}) without crossing it`);
          runStart = -1;
        }
      }
    }
  });

  // every crossing is clean
  const arrowDir = new Map(
    s.analytics.lines.map((l) => {
      const dx = (l.arrow[1][0] - l.arrow[0][0]) * (s.width / s.analytics.configWidth);
      const dy = (l.arrow[1][1] - l.arrow[0][1]) * (s.height / s.analytics.configHeight);
      const n = Math.hypot(dx, dy);
      return [l.label, { x: dx / n, y: dy / n }];
    }),
  );
  for (const c of changes) {
    const o = s.objects[c.objectIndex]!;
    const frames = vis[c.objectIndex]!;
    const first = frames[0]!;
    const last = frames[frames.length - 1]!;
    const what = `${name(c.objectIndex)} crossing "${c.label}" ${c.forward ? 'forward' : 'backward'} at frame ${c.frame}`;
    if (!c.onSegment && !lines.find((l) => l.label === c.label)!.extended) {
      const l = lines.find((x) => x.label === c.label)!;
      const d = Math.min(Math.hypot(c.at.x - l.a.x, c.at.y - l.a.y), Math.hypot(c.at.x - l.b.x, c.at.y - l.b.y));
      if (d < opt.nearLinePx + o.size[0] / 2) issues.push(`${what}: passes ${d.toFixed(0)} px from the segment's end`);
      continue; // not a segment crossing; only its distance from the ends matters
    }
    if (c.frame - first < opt.minFramesBefore) issues.push(`${what}: seen only ${c.frame - first} frames before`);
    if (last - c.frame < opt.minFramesAfter) issues.push(`${what}: visible only ${last - c.frame} frames after`);
    const b = boxAt(o, c.frame);
    const m = opt.edgeMarginPx;
    if (b.left < m || b.top < m || b.left + b.width > s.width - m || b.top + b.height > s.height - m)
      issues.push(`${what}: box not fully inside the frame`);
    const disp = smoothedDisplacement(s, o, c.frame, first);
    if (disp < opt.minDisplacementPx) issues.push(`${what}: moved only ${disp.toFixed(1)} px from its smoothed previous position`);
    const p0 = positionAt(o, Math.max(first, c.frame - 5));
    const p1 = positionAt(o, c.frame);
    const n = Math.hypot(p1.x - p0.x, p1.y - p0.y);
    const dir = arrowDir.get(c.label)!;
    const cos = n > 0 ? Math.abs(((p1.x - p0.x) * dir.x + (p1.y - p0.y) * dir.y) / n) : 0;
    if (cos < opt.minCos) issues.push(`${what}: moves at |cos| ${cos.toFixed(2)} to the arrow (< ${opt.minCos})`);
  }
  return issues;
}

/** Bottom centre of the box as a detector sees it: clipped to the frame. */
function detectedPoint(s: NormalizedScenario, o: NormalizedObject, frame: number): { x: number; y: number } {
  const b = boxAt(o, frame);
  const left = Math.max(0, b.left);
  const right = Math.min(s.width, b.left + b.width);
  return { x: (left + right) / 2, y: Math.min(s.height, b.top + b.height) };
}

/** Distance from the (detected) position at `frame` to the mean of the oldest samples of a 50-frame history. */
function smoothedDisplacement(s: NormalizedScenario, o: NormalizedObject, frame: number, first: number): number {
  const start = Math.max(first, frame - 50);
  const end = Math.min(frame - 1, start + 9);
  if (end < start) return 0;
  let x = 0;
  let y = 0;
  for (let f = start; f <= end; ++f) {
    const p = detectedPoint(s, o, f);
    x += p.x;
    y += p.y;
  }
  const n = end - start + 1;
  const p = detectedPoint(s, o, frame);
  return Math.hypot(p.x - x / n, p.y - y / n);
}

/** Distance between a box and a line segment (extended: the infinite line); 0 when they touch. */
export function distanceBoxToLine(
  l: Pick<FrameLine, 'a' | 'b' | 'extended'>,
  box: { left: number; top: number; width: number; height: number },
): number {
  const corners = [
    { x: box.left, y: box.top },
    { x: box.left + box.width, y: box.top },
    { x: box.left + box.width, y: box.top + box.height },
    { x: box.left, y: box.top + box.height },
  ];
  const sides = new Set(corners.map((c) => sideOf(l, c)));
  const straddles = sides.has(0) || (sides.has(1) && sides.has(-1));
  if (l.extended) return straddles ? 0 : Math.min(...corners.map((c) => distanceToLine(l, c)));
  const inside = (p: { x: number; y: number }) =>
    p.x >= box.left && p.x <= box.left + box.width && p.y >= box.top && p.y <= box.top + box.height;
  if (inside(l.a) || inside(l.b)) return 0;
  // the segment crosses an edge of the box?
  for (let k = 0; k < 4; ++k) {
    const c0 = corners[k]!;
    const c1 = corners[(k + 1) % 4]!;
    const s0 = sideOf(l, c0);
    const s1 = sideOf(l, c1);
    const t0 = sideOf({ a: c0, b: c1 }, l.a);
    const t1 = sideOf({ a: c0, b: c1 }, l.b);
    if (s0 !== s1 && t0 !== t1) return 0;
  }
  const edgeDist = (p: { x: number; y: number }) => {
    const dx = Math.max(box.left - p.x, 0, p.x - (box.left + box.width));
    const dy = Math.max(box.top - p.y, 0, p.y - (box.top + box.height));
    return Math.hypot(dx, dy);
  };
  return Math.min(edgeDist(l.a), edgeDist(l.b), ...corners.map((c) => distanceToLine({ ...l, extended: false }, c)));
}
