// config_nvdsanalytics.txt → ResolvedAnalyticsConfig, with DeepStream's defaults applied.
//
// Behaviour follows DeepStream's nvdsanalytics key-file parser (nvdsanalytics_property_parser.cpp), with
// the differences listed below made on purpose (a typo should stop the pipeline, not silently count wrong):
//
// [property]
//   enable             bool, default true        (DeepStream: required)
//   config-width/height int > 0, default 1920x1080 with a warning (DeepStream: required; the native
//                      engine's own default is 1920x1080, native/core/analytics/analytics_config.h)
//   osd-mode           0..2, default 2           display-font-size  int >= 0, default 12 (0 keeps 12, as DS)
//   display-obj-cnt    bool, default false       obj-cnt-win-in-ms  int >= 0, default 0
//   A missing [property] group is a warning (DeepStream refuses the file) and every default applies.
//
// [<kind>-stream-N]  (N = the muxer sink pad index; a missing or non-numeric N is an error, DeepStream
//   silently reads it as 0)
//   enable   bool. ABSENT = DISABLED, as in DeepStream (gboolean enable = FALSE), with a warning.
//   class-id `;` list of ints; empty, absent or containing -1 = every class -> []. Other negatives: error.
//   Group-level class-id / mode / extended / thresholds apply to every label of the group, wherever they
//   appear in the group. A repeated label (same key twice, or the same label in another group of the same
//   kind and stream) replaces the earlier one in its position, with a warning.
//   Groups with enable=0 are validated and then contribute nothing.
//   An enabled group without any rule key is an error (DeepStream: "ROI not specified in group").
//
//   roi-filtering:       roi-<label>=x1;y1;...;xn;yn (>= 3 points), inverse-roi (bool, default false)
//   overcrowding:        roi-<label>=polygon, object-threshold (int >= 0, default 1),
//                        time-threshold (ms, int >= 0, default 2000; parsed, unused, as in DeepStream)
//   line-crossing:       line-crossing-<label>=arrow x1;y1;x2;y2 then line x1;y1;x2;y2 (exactly 8),
//                        extended (bool, default TRUE), mode (loose|balanced|strict, default loose)
//   direction-detection: direction-<label>=x1;y1;x2;y2 (exactly 4; DeepStream accepts longer lists and
//                        reads the first 4), mode (validated; DeepStream always uses balanced thresholds)
//
// Errors (ConfigError): odd polygon count, < 3 points, wrong line/direction count, a negative or
// non-integer coordinate (DeepStream reads coordinates with g_key_file_get_integer_list, so decimals are
// rejected there too), unknown mode (DeepStream falls back to loose/balanced with a g_print), bad class-id,
// bad int/bool, missing/invalid stream index, non-positive config-width/height, empty label.
// Warnings: unknown keys and groups, coordinates outside config-width x config-height, zero-length or
// parallel arrow/line, labels with spaces/quotes/backslashes, ROI and overcrowding sharing a label.

import { ConfigError, makeWarning, type ConfigLocation, type ConfigWarning } from './errors.js';
import {
  entryLocation,
  findEntry,
  getBool,
  getInt,
  getIntList,
  getString,
  groupLocation,
  parseKeyFile,
  type KeyFileEntry,
  type KeyFileGroup, readConfigFile } from './keyfile.js';
import type { LineCrossingMode, ResolvedAnalyticsConfig, ResolvedStreamAnalytics, XY } from './resolved.js';

export const ANALYTICS_DEFAULTS = {
  enable: true,
  configWidth: 1920,
  configHeight: 1080,
  osdMode: 2,
  displayFontSize: 12,
  displayObjCnt: false,
  objCntWinMs: 0,
  objectThreshold: 1,
  timeThresholdMs: 2000,
  extended: true,
  mode: 'loose' as LineCrossingMode,
} as const;

/** The largest stream index accepted in a group name. */
export const MAX_STREAM_INDEX = 65535;

export type AnalyticsRuleKind = 'roi' | 'overcrowding' | 'line' | 'direction';

/** Where a rule of the resolved config was written (for explanations and error messages). */
export interface RuleOrigin extends ConfigLocation {
  file: string;
  line: number;
  group: string;
  key: string;
  streamId: number;
  kind: AnalyticsRuleKind;
  label: string;
}

export interface AnalyticsParseResult {
  /** The file name the text was parsed under. */
  file: string;
  config: ResolvedAnalyticsConfig;
  warnings: ConfigWarning[];
  /** One entry per rule of config.streams (enabled rules only). */
  origins: RuleOrigin[];
}

const GROUP_KINDS: Array<{ prefix: string; kind: AnalyticsRuleKind; ruleKeyPrefix: string }> = [
  { prefix: 'roi-filtering-stream', kind: 'roi', ruleKeyPrefix: 'roi-' },
  { prefix: 'overcrowding-stream', kind: 'overcrowding', ruleKeyPrefix: 'roi-' },
  { prefix: 'line-crossing-stream', kind: 'line', ruleKeyPrefix: 'line-crossing-' },
  { prefix: 'direction-detection-stream', kind: 'direction', ruleKeyPrefix: 'direction-' },
];

const MODES: readonly LineCrossingMode[] = ['loose', 'balanced', 'strict'];

type Roi = ResolvedStreamAnalytics['rois'][number];
type Oc = ResolvedStreamAnalytics['overcrowding'][number];
type Line = ResolvedStreamAnalytics['lines'][number];
type Dir = ResolvedStreamAnalytics['directions'][number];

interface StreamState {
  rois: Map<string, { rule: Roi; origin: RuleOrigin }>;
  overcrowding: Map<string, { rule: Oc; origin: RuleOrigin }>;
  lines: Map<string, { rule: Line; origin: RuleOrigin }>;
  directions: Map<string, { rule: Dir; origin: RuleOrigin }>;
}

const PROPERTY_KEYS = new Set([
  'enable',
  'config-width',
  'config-height',
  'osd-mode',
  'display-font-size',
  'display-obj-cnt',
  'obj-cnt-win-in-ms',
]);

/** Parses config_nvdsanalytics.txt text. Throws ConfigError; returns warnings. */
export function parseAnalyticsConfig(text: string, fileName: string): AnalyticsParseResult {
  const { keyFile, warnings } = parseKeyFile(text, fileName);

  const config: ResolvedAnalyticsConfig = {
    enable: ANALYTICS_DEFAULTS.enable,
    configWidth: ANALYTICS_DEFAULTS.configWidth,
    configHeight: ANALYTICS_DEFAULTS.configHeight,
    osdMode: ANALYTICS_DEFAULTS.osdMode,
    displayFontSize: ANALYTICS_DEFAULTS.displayFontSize,
    displayObjCnt: ANALYTICS_DEFAULTS.displayObjCnt,
    objCntWinMs: ANALYTICS_DEFAULTS.objCntWinMs,
    streams: [],
  };

  // [property] first: coordinates of the other groups are checked against config-width/height.
  const property = keyFile.groups.find((g) => g.name === 'property');
  if (!property) {
    warnings.push(
      makeWarning(
        'missing-key',
        `no [property] group: using enable=1, config-width=${config.configWidth}, config-height=${config.configHeight} ` +
          `(DeepStream's nvdsanalytics refuses a file without [property])`,
        { file: fileName },
      ),
    );
  } else {
    parseProperty(property, config, warnings);
  }

  const streams = new Map<number, StreamState>();
  for (const group of keyFile.groups) {
    if (group.name === 'property') continue;
    const kindInfo = GROUP_KINDS.find((k) => group.name.startsWith(k.prefix));
    if (!kindInfo) {
      warnings.push(
        makeWarning(
          'unknown-group',
          'unknown group, ignored (known: [property], [roi-filtering-stream-N], [overcrowding-stream-N], ' +
            '[line-crossing-stream-N], [direction-detection-stream-N])',
          groupLocation(group),
        ),
      );
      continue;
    }
    const streamId = parseStreamIndex(group, kindInfo.prefix);
    parseRuleGroup(group, kindInfo.kind, kindInfo.ruleKeyPrefix, streamId, config, streams, warnings);
  }

  const origins: RuleOrigin[] = [];
  for (const streamId of [...streams.keys()].sort((a, b) => a - b)) {
    const st = streams.get(streamId)!;
    const out: ResolvedStreamAnalytics = {
      streamId,
      rois: [...st.rois.values()].map((v) => v.rule),
      overcrowding: [...st.overcrowding.values()].map((v) => v.rule),
      lines: [...st.lines.values()].map((v) => v.rule),
      directions: [...st.directions.values()].map((v) => v.rule),
    };
    if (out.rois.length + out.overcrowding.length + out.lines.length + out.directions.length === 0) continue;
    for (const m of [st.lines, st.rois, st.overcrowding, st.directions]) {
      for (const v of m.values()) origins.push(v.origin);
    }
    for (const oc of st.overcrowding.values()) {
      const roi = st.rois.get(oc.rule.label);
      if (roi) {
        warnings.push(
          makeWarning(
            'label-overlap',
            `label "${oc.rule.label}" is used by both roi-filtering (line ${roi.origin.line}) and overcrowding on ` +
              `stream ${streamId}; DeepStream keeps one objInROIcnt entry per label, so the two counts mix`,
            { file: oc.origin.file, line: oc.origin.line, group: oc.origin.group, key: oc.origin.key },
          ),
        );
      }
    }
    config.streams.push(out);
  }

  if (!config.enable) {
    warnings.push(
      makeWarning('disabled', 'analytics disabled (enable=0 in [property]): no counts are produced', {
        ...(property ? groupLocation(property) : { file: fileName }),
        ...(property && findEntry(property, 'enable') ? { line: findEntry(property, 'enable')!.line, key: 'enable' } : {}),
      }),
    );
  }
  return { file: fileName, config, warnings, origins };
}

/** Reads (synchronously: done once at startup) and parses a config_nvdsanalytics.txt file; errors name the path as given. */
export function loadAnalyticsConfig(path: string): AnalyticsParseResult {
  return parseAnalyticsConfig(readConfigFile(path, 'analytics config'), path);
}

function parseProperty(group: KeyFileGroup, config: ResolvedAnalyticsConfig, warnings: ConfigWarning[]): void {
  for (const e of group.entries) {
    switch (e.key) {
      case 'enable':
        config.enable = getBool(e);
        break;
      case 'config-width':
        config.configWidth = positiveDimension(e);
        break;
      case 'config-height':
        config.configHeight = positiveDimension(e);
        break;
      case 'osd-mode':
        config.osdMode = getInt(e, { min: 0, max: 2 });
        break;
      case 'display-font-size': {
        const n = getInt(e, { min: 0 });
        config.displayFontSize = n === 0 ? ANALYTICS_DEFAULTS.displayFontSize : n;
        break;
      }
      case 'display-obj-cnt':
        config.displayObjCnt = getBool(e);
        break;
      case 'obj-cnt-win-in-ms':
        config.objCntWinMs = getInt(e, { min: 0 });
        break;
      default:
        warnings.push(unknownKey(e, [...PROPERTY_KEYS]));
    }
  }
  for (const [key, value] of [
    ['config-width', config.configWidth],
    ['config-height', config.configHeight],
  ] as const) {
    if (!findEntry(group, key)) {
      warnings.push(
        makeWarning(
          'missing-key',
          `${key} not set: using ${value}; every coordinate in the file is read in config-width x config-height ` +
            `space (DeepStream requires this key)`,
          groupLocation(group),
        ),
      );
    }
  }
}

function positiveDimension(e: KeyFileEntry): number {
  const n = getInt(e);
  if (n <= 0) {
    throw new ConfigError(`must be a positive number of pixels, got ${n}`, entryLocation(e));
  }
  return n;
}

function parseStreamIndex(group: KeyFileGroup, prefix: string): number {
  const rest = group.name.slice(prefix.length);
  const m = /^-(\d+)$/.exec(rest);
  const expected = `expected [${prefix}-<N>] where N is the stream index (the muxer's sink pad, 0 for the first input)`;
  if (!m) {
    const what = rest === '' || rest === '-' ? 'missing stream index' : `invalid stream index "${rest.replace(/^-/, '')}"`;
    throw new ConfigError(`${what}: ${expected}`, groupLocation(group));
  }
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n > MAX_STREAM_INDEX) {
    throw new ConfigError(`stream index ${m[1]} is too large (at most ${MAX_STREAM_INDEX})`, groupLocation(group));
  }
  return n;
}

function unknownKey(e: KeyFileEntry, known: string[]): ConfigWarning {
  return makeWarning('unknown-key', `unknown key, ignored (known here: ${known.join(', ')})`, entryLocation(e));
}

function parseClassIds(e: KeyFileEntry): number[] {
  const ids = getIntList(e, 'class id');
  if (ids.includes(-1)) return [];
  const out: number[] = [];
  for (const id of ids) {
    if (id < 0) {
      throw new ConfigError(`class id ${id} is invalid: use class ids >= 0, or -1 (or nothing) for every class`, entryLocation(e));
    }
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

function parseMode(e: KeyFileEntry): LineCrossingMode {
  const s = getString(e).trim();
  if ((MODES as readonly string[]).includes(s)) return s as LineCrossingMode;
  throw new ConfigError(`unknown mode "${s}": use loose, balanced or strict`, entryLocation(e));
}

function coordinates(e: KeyFileEntry): number[] {
  const values = getIntList(e, 'coordinate');
  values.forEach((v, i) => {
    if (v < 0) {
      throw new ConfigError(`coordinate ${i + 1} is negative (${v}); coordinates must be >= 0`, entryLocation(e));
    }
  });
  return values;
}

function checkBounds(e: KeyFileEntry, pts: XY[], config: ResolvedAnalyticsConfig, warnings: ConfigWarning[]): void {
  const outside = pts.filter(([x, y]) => x > config.configWidth || y > config.configHeight);
  if (outside.length > 0) {
    warnings.push(
      makeWarning(
        'out-of-bounds',
        `point${outside.length > 1 ? 's' : ''} ${outside.map(([x, y]) => `(${x},${y})`).join(' ')} outside ` +
          `config-width x config-height (${config.configWidth}x${config.configHeight})`,
        entryLocation(e),
      ),
    );
  }
}

function polygon(e: KeyFileEntry, config: ResolvedAnalyticsConfig, warnings: ConfigWarning[]): XY[] {
  const v = coordinates(e);
  if (v.length % 2 !== 0) {
    throw new ConfigError(`expected an even number of values (x1;y1;x2;y2;...), got ${v.length}`, entryLocation(e));
  }
  if (v.length < 6) {
    throw new ConfigError(`a polygon needs at least 3 points (6 values), got ${v.length / 2}`, entryLocation(e));
  }
  const pts: XY[] = [];
  for (let i = 0; i < v.length; i += 2) pts.push([v[i]!, v[i + 1]!]);
  checkBounds(e, pts, config, warnings);
  let area2 = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x1, y1] = pts[i]!;
    const [x2, y2] = pts[(i + 1) % pts.length]!;
    area2 += x1 * y2 - x2 * y1;
  }
  if (area2 === 0) {
    warnings.push(makeWarning('degenerate-geometry', 'polygon has zero area: nothing can be inside it', entryLocation(e)));
  }
  return pts;
}

function lineRule(e: KeyFileEntry, config: ResolvedAnalyticsConfig, warnings: ConfigWarning[]) {
  const v = coordinates(e);
  if (v.length !== 8) {
    throw new ConfigError(
      `expected 8 values (arrow x1;y1;x2;y2 then line x1;y1;x2;y2), got ${v.length}`,
      entryLocation(e),
    );
  }
  const arrow: [XY, XY] = [
    [v[0]!, v[1]!],
    [v[2]!, v[3]!],
  ];
  const line: [XY, XY] = [
    [v[4]!, v[5]!],
    [v[6]!, v[7]!],
  ];
  checkBounds(e, [...arrow, ...line], config, warnings);
  const ax = arrow[1][0] - arrow[0][0];
  const ay = arrow[1][1] - arrow[0][1];
  const lx = line[1][0] - line[0][0];
  const ly = line[1][1] - line[0][1];
  if (ax === 0 && ay === 0) {
    warnings.push(makeWarning('degenerate-geometry', 'the direction arrow has zero length: nothing will be counted', entryLocation(e)));
  } else if (lx === 0 && ly === 0) {
    warnings.push(makeWarning('degenerate-geometry', 'the line has zero length: nothing will be counted', entryLocation(e)));
  } else if (ax * ly - ay * lx === 0) {
    warnings.push(
      makeWarning(
        'degenerate-geometry',
        'the direction arrow is parallel to the line: no object can cross it in the arrow\'s sense',
        entryLocation(e),
      ),
    );
  }
  return { arrow, line };
}

function directionRule(e: KeyFileEntry, config: ResolvedAnalyticsConfig, warnings: ConfigWarning[]) {
  const v = coordinates(e);
  if (v.length !== 4) {
    const hint = v.length === 8 ? ' (a direction is one arrow; the 8-value form is for line-crossing-<label>)' : '';
    throw new ConfigError(
      `expected 4 values (x1;y1;x2;y2: the direction from point 1 to point 2), got ${v.length}${hint}`,
      entryLocation(e),
    );
  }
  const from: XY = [v[0]!, v[1]!];
  const to: XY = [v[2]!, v[3]!];
  checkBounds(e, [from, to], config, warnings);
  if (from[0] === to[0] && from[1] === to[1]) {
    warnings.push(makeWarning('degenerate-geometry', 'the direction has zero length: nothing will match it', entryLocation(e)));
  }
  return { from, to };
}

function checkLabel(e: KeyFileEntry, prefix: string, warnings: ConfigWarning[]): string {
  const label = e.key.slice(prefix.length);
  if (label === '') {
    throw new ConfigError(`empty label: write ${prefix}<label>=... (the label names the counts in the payload)`, entryLocation(e));
  }
  if (/[\s"\\]/.test(label)) {
    warnings.push(
      makeWarning(
        'label-characters',
        `label "${label}" contains spaces, quotes or backslashes; it is used verbatim in payload field names`,
        entryLocation(e),
      ),
    );
  }
  return label;
}

const GROUP_KEYS: Record<AnalyticsRuleKind, string[]> = {
  roi: ['enable', 'class-id', 'inverse-roi', 'roi-<label>'],
  overcrowding: ['enable', 'class-id', 'object-threshold', 'time-threshold', 'roi-<label>'],
  line: ['enable', 'class-id', 'extended', 'mode', 'line-crossing-<label>'],
  direction: ['enable', 'class-id', 'mode', 'direction-<label>'],
};

function parseRuleGroup(
  group: KeyFileGroup,
  kind: AnalyticsRuleKind,
  rulePrefix: string,
  streamId: number,
  config: ResolvedAnalyticsConfig,
  streams: Map<number, StreamState>,
  warnings: ConfigWarning[],
): void {
  let enable: boolean | undefined;
  let classIds: number[] = [];
  let inverse = false;
  let objectThreshold: number = ANALYTICS_DEFAULTS.objectThreshold;
  let timeThresholdMs: number = ANALYTICS_DEFAULTS.timeThresholdMs;
  let extended: boolean = ANALYTICS_DEFAULTS.extended;
  let mode: LineCrossingMode = ANALYTICS_DEFAULTS.mode;
  let modeEntry: KeyFileEntry | undefined;
  const rules: Array<{ e: KeyFileEntry; label: string; geom: unknown }> = [];

  for (const e of group.entries) {
    const k = e.key;
    if (k === 'enable') enable = getBool(e);
    else if (k === 'class-id') classIds = parseClassIds(e);
    else if (k === 'inverse-roi' && kind === 'roi') inverse = getBool(e);
    else if (k === 'object-threshold' && kind === 'overcrowding') objectThreshold = getInt(e, { min: 0 });
    else if (k === 'time-threshold' && kind === 'overcrowding') timeThresholdMs = getInt(e, { min: 0 });
    else if (k === 'extended' && kind === 'line') extended = getBool(e);
    else if (k === 'mode' && (kind === 'line' || kind === 'direction')) {
      mode = parseMode(e);
      modeEntry = e;
    } else if (k.startsWith(rulePrefix)) {
      const label = checkLabel(e, rulePrefix, warnings);
      let geom: unknown;
      if (kind === 'roi' || kind === 'overcrowding') geom = polygon(e, config, warnings);
      else if (kind === 'line') geom = lineRule(e, config, warnings);
      else geom = directionRule(e, config, warnings);
      rules.push({ e, label, geom });
    } else {
      warnings.push(unknownKey(e, GROUP_KEYS[kind]));
    }
  }

  if (enable === undefined) {
    warnings.push(
      makeWarning(
        'missing-enable',
        'no enable key: the group is disabled, as in DeepStream (add enable=1 to use it)',
        groupLocation(group),
      ),
    );
  }
  if (!enable) {
    if (enable === false) {
      warnings.push(makeWarning('disabled', 'group disabled (enable=0): contributes nothing', groupLocation(group)));
    }
    return;
  }
  if (rules.length === 0) {
    throw new ConfigError(
      `no ${rulePrefix}<label>=... key in an enabled group (DeepStream refuses it too)`,
      groupLocation(group),
    );
  }
  if (kind === 'direction' && modeEntry && mode !== 'balanced') {
    warnings.push(
      makeWarning(
        'deepstream-difference',
        `mode=${mode} has no effect on direction detection: DeepStream always uses the balanced thresholds`,
        entryLocation(modeEntry),
      ),
    );
  }

  let st = streams.get(streamId);
  if (!st) {
    st = { rois: new Map(), overcrowding: new Map(), lines: new Map(), directions: new Map() };
    streams.set(streamId, st);
  }
  for (const { e, label, geom } of rules) {
    const origin: RuleOrigin = { file: e.file, line: e.line, group: e.group, key: e.key, streamId, kind, label };
    const map: Map<string, { rule: unknown; origin: RuleOrigin }> =
      kind === 'roi' ? st.rois : kind === 'overcrowding' ? st.overcrowding : kind === 'line' ? st.lines : st.directions;
    const prev = map.get(label);
    if (prev) {
      warnings.push(
        makeWarning(
          'duplicate-label',
          `label "${label}" was already defined for stream ${streamId} at ${prev.origin.file}:${prev.origin.line} ` +
            `[${prev.origin.group}]; this one replaces it`,
          entryLocation(e),
        ),
      );
    }
    let rule: Roi | Oc | Line | Dir;
    if (kind === 'roi') rule = { label, polygon: geom as XY[], inverse, classIds: [...classIds] };
    else if (kind === 'overcrowding') {
      rule = { label, polygon: geom as XY[], objectThreshold, timeThresholdMs, classIds: [...classIds] };
    } else if (kind === 'line') {
      const g = geom as { arrow: [XY, XY]; line: [XY, XY] };
      rule = { label, arrow: g.arrow, line: g.line, classIds: [...classIds], extended, mode };
    } else {
      const g = geom as { from: XY; to: XY };
      rule = { label, from: g.from, to: g.to, classIds: [...classIds] };
    }
    // Map.set on an existing key keeps its position: a replaced label stays where it was first defined.
    map.set(label, { rule, origin });
  }
}
