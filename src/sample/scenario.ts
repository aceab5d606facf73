// Sample-stream scenarios: a JSON description of a synthetic scene (background, sensor noise, lighting,
// moving objects with exact piecewise-linear paths) plus the nvdsanalytics line set it is meant for.
// The native renderer (native/cpu/generator/) turns a scenario into an H.264 stream; ground-truth.ts turns
// the same trajectories into the counts a perfect detector + tracker + nvdsanalytics would report.
//
// Coordinates: object paths are in frame pixels (width × height); lines are in config space
// (configWidth × configHeight, like config_nvdsanalytics.txt) and are scaled to the frame.
//
// Ground truth is exact for the trajectories; for a real detector + tracker to reach it, keep scenarios
// "clean" (check.ts checks it and says why; scripts/generate-samples.ts refuses unclean ones): objects
// ≥ 24 px apart, crossings that move ≥ 40 px from nvdsanalytics' smoothed previous point, fully inside the
// frame, seen ≥ 10 frames before and after; the bottom centre of an object that must not count stays
// ≥ 15 px from the line (its box may overlap it); stops last ≤ 150 frames (5 s at 30 fps).
import { ANALYTICS_DEFAULTS } from '../config/analytics-config.js';
import type { LineCrossingMode, ResolvedAnalyticsConfig, XY } from '../config/resolved.js';

export type RGB = [number, number, number];

/** Where the object's box bottom centre is at `frame` (frame pixels). The box is size[0] × size[1] above it. */
export interface Waypoint {
  frame: number;
  x: number;
  y: number;
}

export interface ScenarioObject {
  /** Free-form name, for humans and reports. */
  id?: string;
  /** Box width × height in pixels; the rendered shape's bounding box is exactly this box. */
  size: [number, number];
  /** 'rect' (vehicle-like, with windows) or 'ellipse' (a person seen from above). Default 'rect'. */
  shape?: 'rect' | 'ellipse';
  /**
   * '#rrggbb' or [r, g, b]; default: a palette colour by index. Unless `luma` is given, the renderer keeps
   * the hue but pushes the brightness at least 60 levels of luma away from the background along the path
   * (darker if the colour is darker, else lighter): motion detectors work on luma, where a red car can look
   * like asphalt.
   */
  color?: string | RGB;
  /** Amplitude (8-bit levels) of the object's own fine-grained surface texture. Default 40. */
  texture?: number;
  /**
   * 0..255: the body's mean luma, exactly (hue of `color` kept), instead of the automatic push away from
   * the background: e.g. 25–50 for a truly dark object (dark clothes, a black car) on a mid-grey plaza,
   * which a shadow-removing detector may take for a shadow.
   */
  luma?: number;
  /**
   * A cast shadow: the object's shape moved by `offset` (frame pixels) darkens what lies under it to
   * `factor` (default 0.6) of its brightness, with a soft edge; objects are drawn over shadows. Not part
   * of the object's box (ground truth is unaffected): a detector should leave it out.
   */
  shadow?: { offset: [number, number]; factor?: number };
  /** Class id a perfect detector would report (matched against the lines' classIds). Default 0. */
  classId?: number;
  /** First frame where the object is present (held at its first waypoint until the path starts). Default: first waypoint's frame. */
  appear?: number;
  /** Last frame where the object is present, inclusive (held at its last waypoint after). Default: last waypoint's frame. */
  disappear?: number;
  /** Piecewise-linear path of the box's bottom centre; frames strictly increasing. */
  path: Waypoint[];
}

/** One line-crossing entry, as `line-crossing-<label>=arrow;segment` in config_nvdsanalytics.txt. */
export interface ScenarioLine {
  label: string;
  /** Direction arrow [from, to], config space. Crossings count when moving in this sense. */
  arrow: [XY, XY];
  /** Line segment [a, b], config space. */
  line: [XY, XY];
  /** As in nvdsanalytics: default true (infinite line). */
  extended?: boolean;
  /** Default 'loose'. */
  mode?: LineCrossingMode;
  /** Default [-1] (every class). */
  classIds?: number[];
}

export interface ScenarioAnalytics {
  /** Config space; default the scenario's width/height. */
  configWidth?: number;
  configHeight?: number;
  lines: ScenarioLine[];
}

export interface Scenario {
  /** Default: the file name without .json (loadScenario) or 'scenario'. */
  name?: string;
  description?: string;
  /** Seeds the background, the objects' textures and the sensor noise. Same seed → identical bytes. */
  seed: number;
  /** Default 1280 × 720 (both even). */
  width?: number;
  height?: number;
  /** Integer frames per second. Default 30. */
  fps?: number;
  /** Frame count; or durationSec (× fps, rounded); default: until the last object has gone. */
  frames?: number;
  durationSec?: number;
  background?: {
    /** 'road' (an intersection seen from a pole camera, default), 'plaza' (paved square), 'plain'. */
    kind?: 'road' | 'plaza' | 'plain';
    /** 0..2, scales the background's texture/grain. Default 1. */
    texture?: number;
  };
  /** Per-pixel Gaussian sensor-noise sigma in 8-bit levels. Default 2. */
  noise?: number;
  /** Slow global brightness drift: gain 1 + amplitude·sin(2π·frame/periodFrames). Defaults 0.03, 10 s. */
  lighting?: { amplitude?: number; periodFrames?: number };
  /**
   * Global exposure changes (a camera's auto-exposure/gain stepping): from `frame` on the whole image is
   * multiplied by `gain` (absolute: 1 = the base exposure; e.g. 1.35 = +35 %), reached linearly over
   * `rampFrames` frames (default 0: a step). Frames strictly increasing. Ground truth is unaffected.
   */
  exposureSteps?: Array<{ frame: number; gain: number; rampFrames?: number }>;
  /** x264 settings. bitrateKbps default: 1000 at 1280×720@30, scaled by pixels × fps; keyIntMax 60; speedPreset 'veryfast'. */
  encoder?: { bitrateKbps?: number; keyIntMax?: number; speedPreset?: string };
  objects: ScenarioObject[];
  analytics: ScenarioAnalytics;
}

export interface NormalizedLine {
  label: string;
  arrow: [XY, XY];
  line: [XY, XY];
  extended: boolean;
  mode: LineCrossingMode;
  classIds: number[];
}

export interface NormalizedObject extends ScenarioObject {
  id: string;
  shape: 'rect' | 'ellipse';
  classId: number;
  appear: number;
  disappear: number;
}

/** A scenario with every default applied; what the renderer receives and ground truth reads. */
export interface NormalizedScenario extends Scenario {
  name: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  objects: NormalizedObject[];
  analytics: { configWidth: number; configHeight: number; lines: NormalizedLine[] };
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(`scenario: ${message}`);
    this.name = 'ScenarioError';
  }
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => isNum(v) && Number.isInteger(v);

function intIn(v: unknown, where: string, lo: number, hi: number): number {
  if (!isInt(v) || v < lo || v > hi) throw new ScenarioError(`${where}: expected an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  return v;
}

function xy(v: unknown, where: string): XY {
  if (!Array.isArray(v) || v.length !== 2 || !isInt(v[0]) || !isInt(v[1]) || v[0] < 0 || v[1] < 0)
    throw new ScenarioError(`${where}: expected [x, y] with non-negative integers (config_nvdsanalytics.txt syntax)`);
  return [v[0], v[1]];
}

const MODES: LineCrossingMode[] = ['loose', 'balanced', 'strict'];
const LABEL_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Checks the structure and applies the defaults. Throws ScenarioError naming the offending field. */
export function normalizeScenario(input: Scenario): NormalizedScenario {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ScenarioError('expected a JSON object');
  const s = input;
  if (!isInt(s.seed) || s.seed < 0 || s.seed > Number.MAX_SAFE_INTEGER) throw new ScenarioError('seed: expected a non-negative integer');
  const width = s.width === undefined ? 1280 : intIn(s.width, 'width', 16, 7680);
  const height = s.height === undefined ? 720 : intIn(s.height, 'height', 16, 4320);
  if (width % 2 || height % 2) throw new ScenarioError('width/height: must be even (4:2:0 video)');
  const fps = s.fps === undefined ? 30 : intIn(s.fps, 'fps', 1, 240);
  if (s.noise !== undefined && (!isNum(s.noise) || s.noise < 0 || s.noise > 50)) throw new ScenarioError('noise: expected 0..50');
  if (!Array.isArray(s.objects)) throw new ScenarioError('objects: expected an array');
  if (s.exposureSteps !== undefined) {
    if (!Array.isArray(s.exposureSteps)) throw new ScenarioError('exposureSteps: expected an array of {frame, gain, rampFrames?}');
    s.exposureSteps.forEach((e, k) => {
      const w = `exposureSteps[${k}]`;
      if (typeof e !== 'object' || e === null) throw new ScenarioError(`${w}: expected {frame, gain, rampFrames?}`);
      intIn(e.frame, `${w}.frame`, 0, 10_000_000);
      if (!isNum(e.gain) || e.gain < 0.1 || e.gain > 10) throw new ScenarioError(`${w}.gain: expected 0.1..10`);
      if (e.rampFrames !== undefined) intIn(e.rampFrames, `${w}.rampFrames`, 0, 10_000);
      const prev = s.exposureSteps![k - 1];
      if (prev && e.frame <= prev.frame) throw new ScenarioError(`${w}.frame: step frames must increase strictly`);
    });
  }

  const objects: NormalizedObject[] = s.objects.map((o, i) => {
    const where = `objects[${i}]`;
    if (typeof o !== 'object' || o === null) throw new ScenarioError(`${where}: expected an object`);
    if (!Array.isArray(o.size) || o.size.length !== 2) throw new ScenarioError(`${where}.size: expected [width, height]`);
    intIn(o.size[0], `${where}.size[0]`, 2, 4096);
    intIn(o.size[1], `${where}.size[1]`, 2, 4096);
    if (o.shape !== undefined && o.shape !== 'rect' && o.shape !== 'ellipse')
      throw new ScenarioError(`${where}.shape: expected "rect" or "ellipse"`);
    if (o.color !== undefined) {
      const ok =
        (typeof o.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(o.color)) ||
        (Array.isArray(o.color) && o.color.length === 3 && o.color.every((c) => isInt(c) && c >= 0 && c <= 255));
      if (!ok) throw new ScenarioError(`${where}.color: expected "#rrggbb" or [r, g, b]`);
    }
    if (o.luma !== undefined && (!isNum(o.luma) || o.luma < 0 || o.luma > 255)) throw new ScenarioError(`${where}.luma: expected 0..255`);
    if (o.shadow !== undefined) {
      const sh = o.shadow;
      if (typeof sh !== 'object' || sh === null || !Array.isArray(sh.offset) || sh.offset.length !== 2 || !sh.offset.every((v) => isNum(v) && Math.abs(v) <= 4096))
        throw new ScenarioError(`${where}.shadow.offset: expected [dx, dy]`);
      if (sh.factor !== undefined && (!isNum(sh.factor) || sh.factor < 0.05 || sh.factor > 1)) throw new ScenarioError(`${where}.shadow.factor: expected 0.05..1`);
    }
    if (!Array.isArray(o.path) || o.path.length === 0) throw new ScenarioError(`${where}.path: expected a non-empty array of {frame, x, y}`);
    o.path.forEach((p, k) => {
      const w = `${where}.path[${k}]`;
      if (typeof p !== 'object' || p === null || !isInt(p.frame) || p.frame < 0 || !isNum(p.x) || !isNum(p.y))
        throw new ScenarioError(`${w}: expected {frame: integer ≥ 0, x: number, y: number}`);
      const prev = o.path[k - 1];
      if (prev && p.frame <= prev.frame) throw new ScenarioError(`${w}.frame: waypoint frames must increase strictly`);
    });
    const first = o.path[0]!;
    const last = o.path[o.path.length - 1]!;
    const appear = o.appear === undefined ? first.frame : intIn(o.appear, `${where}.appear`, 0, 10_000_000);
    const disappear = o.disappear === undefined ? last.frame : intIn(o.disappear, `${where}.disappear`, 0, 10_000_000);
    if (disappear < appear) throw new ScenarioError(`${where}.disappear: before appear`);
    const classId = o.classId === undefined ? 0 : intIn(o.classId, `${where}.classId`, 0, 1_000_000);
    return { ...o, id: o.id ?? `object${i}`, shape: o.shape ?? 'rect', classId, appear, disappear };
  });

  let frames: number;
  if (s.frames !== undefined) frames = intIn(s.frames, 'frames', 1, 1_000_000);
  else if (s.durationSec !== undefined) {
    if (!isNum(s.durationSec) || s.durationSec <= 0) throw new ScenarioError('durationSec: must be a positive number');
    frames = Math.max(1, Math.round(s.durationSec * fps));
  } else frames = Math.max(1, ...objects.map((o) => o.disappear + 1));

  const a = s.analytics;
  if (typeof a !== 'object' || a === null || !Array.isArray(a.lines)) throw new ScenarioError('analytics.lines: expected an array');
  const configWidth = a.configWidth === undefined ? width : intIn(a.configWidth, 'analytics.configWidth', 1, 100_000);
  const configHeight = a.configHeight === undefined ? height : intIn(a.configHeight, 'analytics.configHeight', 1, 100_000);
  const labels = new Set<string>();
  const lines: NormalizedLine[] = a.lines.map((l, i) => {
    const where = `analytics.lines[${i}]`;
    if (typeof l.label !== 'string' || !LABEL_RE.test(l.label)) throw new ScenarioError(`${where}.label: expected a word (letters, digits, _ . -)`);
    if (labels.has(l.label)) throw new ScenarioError(`${where}.label: "${l.label}" is used twice`);
    labels.add(l.label);
    if (!Array.isArray(l.arrow) || l.arrow.length !== 2) throw new ScenarioError(`${where}.arrow: expected [[x, y], [x, y]]`);
    if (!Array.isArray(l.line) || l.line.length !== 2) throw new ScenarioError(`${where}.line: expected [[x, y], [x, y]]`);
    const arrow: [XY, XY] = [xy(l.arrow[0], `${where}.arrow[0]`), xy(l.arrow[1], `${where}.arrow[1]`)];
    const line: [XY, XY] = [xy(l.line[0], `${where}.line[0]`), xy(l.line[1], `${where}.line[1]`)];
    if (line[0][0] === line[1][0] && line[0][1] === line[1][1]) throw new ScenarioError(`${where}.line: the two points are equal`);
    const cross = (line[1][0] - line[0][0]) * (arrow[1][1] - arrow[0][1]) - (line[1][1] - line[0][1]) * (arrow[1][0] - arrow[0][0]);
    if (cross === 0) throw new ScenarioError(`${where}.arrow: parallel to the line (or zero length), so it has no crossing sense`);
    if (l.extended !== undefined && typeof l.extended !== 'boolean') throw new ScenarioError(`${where}.extended: expected a boolean`);
    if (l.mode !== undefined && !MODES.includes(l.mode)) throw new ScenarioError(`${where}.mode: expected loose, balanced or strict`);
    if (l.classIds !== undefined && (!Array.isArray(l.classIds) || !l.classIds.every((c) => isInt(c) && c >= -1)))
      throw new ScenarioError(`${where}.classIds: expected an array of integers ≥ -1`);
    return { label: l.label, arrow, line, extended: l.extended ?? true, mode: l.mode ?? 'loose', classIds: l.classIds ?? [-1] };
  });
  // config_nvdsanalytics.txt sets extended, mode and class-id per [line-crossing-stream-N] group, so one
  // scenario's lines must agree on them to be expressible in one file.
  const l0 = lines[0];
  for (const l of lines.slice(1)) {
    if (l0 && (l.extended !== l0.extended || l.mode !== l0.mode || l.classIds.join(';') !== l0.classIds.join(';')))
      throw new ScenarioError(
        `analytics.lines: "${l.label}" differs from "${l0.label}" in extended/mode/classIds; config_nvdsanalytics.txt sets them per group`,
      );
  }

  return {
    ...s,
    name: s.name ?? 'scenario',
    width,
    height,
    fps,
    frames,
    objects,
    analytics: { configWidth, configHeight, lines },
  };
}

/** Bottom-centre position at `frame`: linear between waypoints, clamped to the ends. Same arithmetic as native/cpu/generator/scenario.cc. */
export function positionAt(o: Pick<ScenarioObject, 'path'>, frame: number): { x: number; y: number } {
  const p = o.path;
  const first = p[0]!;
  const last = p[p.length - 1]!;
  if (frame <= first.frame) return { x: first.x, y: first.y };
  if (frame >= last.frame) return { x: last.x, y: last.y };
  let i = 0;
  while (i + 1 < p.length && p[i + 1]!.frame < frame) ++i;
  const a = p[i]!;
  const b = p[i + 1]!;
  const t = (frame - a.frame) / (b.frame - a.frame);
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

/** The object's box at `frame` (exact, before the renderer's rounding to whole pixels). */
export function boxAt(o: NormalizedObject, frame: number): { left: number; top: number; width: number; height: number } {
  const { x, y } = positionAt(o, frame);
  return { left: x - o.size[0] / 2, top: y - o.size[1], width: o.size[0], height: o.size[1] };
}

/** True when the object exists at `frame` and at least part of its box is inside the frame. */
export function visibleAt(s: NormalizedScenario, o: NormalizedObject, frame: number): boolean {
  if (frame < o.appear || frame > o.disappear || frame < 0 || frame >= s.frames) return false;
  const b = boxAt(o, frame);
  return b.left < s.width && b.top < s.height && b.left + b.width > 0 && b.top + b.height > 0;
}

/** The scenario's lines as config_nvdsanalytics.txt would resolve them (stream 0). */
export function scenarioAnalyticsConfig(scenario: Scenario): ResolvedAnalyticsConfig {
  const s = normalizeScenario(scenario);
  return {
    enable: ANALYTICS_DEFAULTS.enable,
    configWidth: s.analytics.configWidth,
    configHeight: s.analytics.configHeight,
    osdMode: ANALYTICS_DEFAULTS.osdMode,
    displayFontSize: ANALYTICS_DEFAULTS.displayFontSize,
    displayObjCnt: ANALYTICS_DEFAULTS.displayObjCnt,
    objCntWinMs: ANALYTICS_DEFAULTS.objCntWinMs,
    streams: [
      {
        streamId: 0,
        rois: [],
        overcrowding: [],
        lines: s.analytics.lines.map((l) => ({
          label: l.label,
          arrow: [[...l.arrow[0]], [...l.arrow[1]]] as [XY, XY],
          line: [[...l.line[0]], [...l.line[1]]] as [XY, XY],
          // as src/config/analytics-config.ts resolves `class-id`: -1 (every class) becomes []
          classIds: l.classIds.includes(-1) ? [] : [...l.classIds],
          extended: l.extended,
          mode: l.mode,
        })),
        directions: [],
      },
    ],
  };
}

/** A config_nvdsanalytics.txt (GLib key-file) holding the scenario's lines for stream 0. */
export function scenarioConfigText(scenario: Scenario): string {
  const s = normalizeScenario(scenario);
  const { lines } = s.analytics;
  const out = [
    `# Line-crossing config for the synthetic scenario "${s.name}" (generated by ds-kafka; see src/sample/).`,
    `# line-crossing-<label>=arrow x1;y1;x2;y2 ; segment x1;y1;x2;y2 (config-width x config-height space)`,
    '[property]',
    'enable=1',
    `config-width=${s.analytics.configWidth}`,
    `config-height=${s.analytics.configHeight}`,
    'osd-mode=2',
    'display-font-size=12',
    '',
  ];
  if (lines.length > 0) {
    out.push('[line-crossing-stream-0]', 'enable=1');
    for (const l of lines) out.push(`line-crossing-${l.label}=${[...l.arrow[0], ...l.arrow[1], ...l.line[0], ...l.line[1]].join(';')}`);
    const l0 = lines[0]!;
    out.push(`class-id=${l0.classIds.join(';')}`, `extended=${l0.extended ? 1 : 0}`, `mode=${l0.mode}`, '');
  }
  return out.join('\n');
}
