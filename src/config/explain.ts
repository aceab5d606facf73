// Human explanation of a parsed config (`ds-kafka config check <file>`), and detection of which kind of
// DeepStream config a file is.

import { readFileSync } from 'node:fs';
import type { AnalyticsParseResult, RuleOrigin } from './analytics-config.js';
import { formatWarning, type ConfigWarning } from './errors.js';
import type { FieldSource, LineCrossingMode, PayloadMapping, XY } from './resolved.js';

/** Per-mode thresholds (reference section 1), for explanations. */
export const MODE_THRESHOLDS: Record<LineCrossingMode, { dispSq: number; approxPx: number; cos: number; frames: number }> = {
  strict: { dispSq: 6000, approxPx: 77, cos: 0.8, frames: 20 },
  balanced: { dispSq: 3000, approxPx: 55, cos: 0.5, frames: 10 },
  loose: { dispSq: 1000, approxPx: 32, cos: 0.1, frames: 3 },
};

const pt = ([x, y]: XY): string => `(${x},${y})`;

function classes(ids: number[]): string {
  if (ids.length === 0) return 'objects of every class';
  return `objects of class${ids.length > 1 ? 'es' : ''} ${ids.join(', ')}`;
}

function modeText(mode: LineCrossingMode): string {
  const t = MODE_THRESHOLDS[mode];
  return `mode ${mode} (moves > ~${t.approxPx} px, cos ≥ ${t.cos}, seen > ${t.frames} frames)`;
}

const SOURCE_TEXT: Record<FieldSource, (key: string) => string> = {
  lc_curr: (k) => `crossings of line "${k}" in this frame`,
  lc_cum: (k) => `crossings of line "${k}" since the stream started`,
  roi_count: (k) => `objects inside "${k}" in this frame`,
  oc_status: (k) => `true when "${k}" is overcrowded in this frame`,
  obj_count: (k) => `objects of class ${k} in this frame`,
  dir_count: (k) => `objects moving in direction "${k}" in this frame`,
};

function at(origins: RuleOrigin[], streamId: number, kind: RuleOrigin['kind'], label: string): string {
  const o = origins.find((x) => x.streamId === streamId && x.kind === kind && x.label === label);
  return o ? ` [line ${o.line}]` : '';
}

/**
 * The text of `ds-kafka config check`: per stream, each rule in words, then the payload fields it
 * produces; then the analyticsModule constants; then every warning with file:line.
 */
export function explainConfig(
  result: AnalyticsParseResult,
  mapping: PayloadMapping,
  extraWarnings: ConfigWarning[] = [],
): string {
  const { config, origins } = result;
  const out: string[] = [];
  out.push(
    `${result.file}: analytics ${config.enable ? 'enabled' : 'DISABLED (enable=0): no counts are produced'}; ` +
      `coordinates in ${config.configWidth}x${config.configHeight} space, scaled to each frame's size; ` +
      `osd-mode ${config.osdMode}, display-font-size ${config.displayFontSize}` +
      (config.displayObjCnt ? ', display-obj-cnt on' : '') +
      (config.objCntWinMs ? `, obj-cnt-win-in-ms ${config.objCntWinMs}` : ''),
  );

  const streamIds = new Set<number>([...config.streams.map((s) => s.streamId), ...mapping.streams.map((s) => s.streamId)]);
  for (const id of [...streamIds].sort((a, b) => a - b)) {
    const s = config.streams.find((x) => x.streamId === id);
    const m = mapping.streams.find((x) => x.streamId === id);
    out.push('');
    out.push(`stream ${id}${m?.deviceId !== undefined ? ` (deviceId "${m.deviceId}")` : ''}${m ? '' : ' (not an input of this pipeline)'}:`);
    if (!s) out.push('  no rules');
    for (const l of s?.lines ?? []) {
      out.push(
        `  line "${l.label}"${at(origins, id, 'line', l.label)}: counts ${classes(l.classIds)} crossing ` +
          `${l.extended ? 'the infinite line through' : 'segment'} ${pt(l.line[0])}-${pt(l.line[1])} in the direction of ` +
          `arrow ${pt(l.arrow[0])}→${pt(l.arrow[1])}; ${l.extended ? 'extended line (extended=1)' : 'finite segment (extended=0)'}; ` +
          `${modeText(l.mode)}; each tracked object counts once`,
      );
    }
    for (const r of s?.rois ?? []) {
      out.push(
        `  roi "${r.label}"${at(origins, id, 'roi', r.label)}: counts ${classes(r.classIds)} ` +
          `${r.inverse ? 'OUTSIDE (inverse-roi=1)' : 'inside'} polygon ${r.polygon.map(pt).join(' ')}`,
      );
    }
    for (const o of s?.overcrowding ?? []) {
      out.push(
        `  overcrowding "${o.label}"${at(origins, id, 'overcrowding', o.label)}: overcrowded when ≥ ${o.objectThreshold} ` +
          `${classes(o.classIds)} are inside polygon ${o.polygon.map(pt).join(' ')} in a frame ` +
          `(time-threshold ${o.timeThresholdMs} ms is parsed but unused, as in DeepStream)`,
      );
    }
    for (const d of s?.directions ?? []) {
      const t = MODE_THRESHOLDS.balanced;
      out.push(
        `  direction "${d.label}"${at(origins, id, 'direction', d.label)}: marks ${classes(d.classIds)} moving along ` +
          `${pt(d.from)}→${pt(d.to)} (moves > ~${t.approxPx} px, cos ≥ ${t.cos}, seen > ${t.frames} frames; ` +
          `DeepStream always uses these balanced thresholds)`,
      );
    }
    if (m) {
      if (m.fields.length === 0) out.push('  payload fields: none');
      else {
        out.push('  payload fields (in analyticsModule):');
        const w = Math.max(...m.fields.map((f) => f.name.length));
        for (const f of m.fields) out.push(`    ${f.name.padEnd(w)}  ${SOURCE_TEXT[f.source](f.key)}`);
      }
    }
  }

  out.push('');
  const am = mapping.analyticsModule;
  out.push(
    `analyticsModule constants: id ${JSON.stringify(am.id)}, description ${JSON.stringify(am.description)}, ` +
      `source ${JSON.stringify(am.source)}, version ${JSON.stringify(am.version)}`,
  );
  const statics = Object.entries(mapping.staticFields);
  if (statics.length > 0) {
    out.push(`static fields: ${statics.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
  }

  const warnings = [...result.warnings, ...extraWarnings];
  out.push('');
  if (warnings.length === 0) out.push('no warnings');
  else {
    out.push(`${warnings.length} warning${warnings.length > 1 ? 's' : ''}:`);
    for (const w of warnings) out.push(`  ${formatWarning(w)}`);
  }
  return out.join('\n') + '\n';
}

export type ConfigKind = 'analytics' | 'kafka' | 'msgconv' | 'dnn-detector' | 'motion-detector' | 'tracker' | 'unknown';

/**
 * Which kind of DeepStream config a text is, from its group names (tolerant: never throws).
 * [message-broker] → kafka; [property] or [*-stream-N] → analytics; [sensorN], [placeN], [analyticsN],
 * [payload-fields], [payload-static] → msgconv. The kind with most matching groups wins; none → unknown.
 */
export function detectConfigKind(text: string): ConfigKind {
  const score: Record<'analytics' | 'kafka' | 'msgconv', number> = { analytics: 0, kafka: 0, msgconv: 0 };
  for (const line of text.split(/\r\n|\n|\r/)) {
    const m = /^\s*\[([^\]]*)\]\s*$/.exec(line);
    if (!m) continue;
    const g = m[1]!;
    if (g === 'message-broker') score.kafka++;
    else if (g === 'property' || /^(roi-filtering|overcrowding|line-crossing|direction-detection)-stream/.test(g)) score.analytics++;
    else if (/^(sensor|place|analytics)\d+$/.test(g) || g === 'payload-fields' || g === 'payload-static') score.msgconv++;
  }
  // The CPU backend's key files have only [property] (like nvinfer/nvtracker configs): tell them apart by keys.
  const groups = [...text.matchAll(/^\s*\[([^\]]*)\]\s*$/gm)].map((g) => g[1]);
  if (groups.length > 0 && groups.every((g) => g === 'property')) return propertyFileKind(text);
  let best: ConfigKind = 'unknown';
  let bestScore = 0;
  for (const k of ['analytics', 'kafka', 'msgconv'] as const) {
    if (score[k] > bestScore) {
      best = k;
      bestScore = score[k];
    }
  }
  return best;
}

/** The [property] keys each single-group config kind reads (the native parsers' lists; a unit test compares them). */
export const PROPERTY_KEYS = {
  analytics: ['enable', 'config-width', 'config-height', 'osd-mode', 'display-font-size', 'display-obj-cnt', 'obj-cnt-win-in-ms'],
  tracker: [
    'min-hits', 'probation-max-gap-ms', 'max-age-ms', 'coast-ms', 'iou-threshold', 'center-gate', 'max-area-ratio', 'class-aware',
    'output-filtered-box', 'default-frame-interval-ms', 'kalman-accel-std', 'kalman-measurement-std', 'kalman-initial-velocity-std',
  ],
  'motion-detector': [
    'algorithm', 'processing-width', 'history', 'var-threshold', 'dist2-threshold', 'mixtures', 'detect-shadows', 'shadow-threshold',
    'shadow-texture-tolerance', 'learning-rate', 'warmup-frames', 'selective-update', 'hold-margin', 'hold-ms', 'gain-compensation',
    'relearn-fraction', 'relearn-frames', 'interval', 'blur-kernel', 'open-kernel', 'close-kernel', 'min-area', 'max-area',
    'max-area-fraction', 'min-aspect', 'max-aspect', 'max-detections', 'class-id', 'region', 'region-width', 'region-height',
  ],
  'dnn-detector': [
    'model-file', 'config-file', 'framework', 'output-format', 'input-width', 'input-height', 'letterbox', 'letterbox-position',
    'pad-value', 'net-scale-factor', 'offsets', 'model-color-format', 'labelfile-path', 'class-id-offset', 'class-map',
    'pre-cluster-threshold', 'class-thresholds', 'nms-iou-threshold', 'cluster-mode', 'detected-min-w', 'detected-min-h',
    'max-detections', 'interval', 'inference-fps', 'threads', 'yolox-strides', 'motion-gate', 'gate-processing-width',
    'gate-min-area', 'gate-refresh-ms',
  ],
} as const;

/**
 * A [property]-only file: the kind whose keys it uses most (model-file always means a DNN detector), so a
 * typo or a bad value is reported by the right parser. No known key at all: unknown.
 */
function propertyFileKind(text: string): ConfigKind {
  const keys = [...text.matchAll(/^\s*([A-Za-z0-9_.-]+)\s*=/gm)].map((k) => k[1]!);
  if (keys.includes('model-file')) return 'dnn-detector';
  let best: ConfigKind = 'unknown';
  let bestScore = 0;
  for (const [kind, known] of Object.entries(PROPERTY_KEYS) as Array<[keyof typeof PROPERTY_KEYS, readonly string[]]>) {
    const score = keys.filter((k) => known.includes(k)).length;
    if (score > bestScore) {
      best = kind;
      bestScore = score;
    }
  }
  return best;
}

/** detectConfigKind of a file's content. */
export function detectConfigKindOfFile(path: string): ConfigKind {
  return detectConfigKind(readFileSync(path, 'utf8'));
}
