// The message-converter config (nvmsgconv's `config`, e.g. msgconv_config.txt) plus this project's
// extension groups.
//
// DeepStream groups (others are warnings):
//   [sensorN]     enable, type, id, location, description, coordinate   N = stream index; `id` is the
//                 default deviceId of stream N.
//   [placeN]      enable, id, type, name, location, coordinate, place-sub-field1..3 (kept, not used)
//   [analyticsN]  enable, id, description, source, version              [analytics0] -> analyticsModule
//   `enable` absent = enabled (choice: these groups only describe things; enable=0 skips the group).
//   A missing or non-numeric N is an error.
//
// analyticsModule when [analytics0] is absent or disabled: DEFAULT_ANALYTICS_MODULE below. When the group
// is present, a missing key is an empty string (the group is taken as written).
//
// Extension groups (ours; DeepStream's converter ignores unknown groups):
//   [payload-fields]
//     <default-field-name>=<new-name>   rename one counted field, e.g. lc_curr_straight=crossings_now
//                                       (the key is the name the field would have without any rename or
//                                       template; applies on every stream that has the field)
//     lc-curr-template, lc-cum-template, roi-template, oc-template, oc-count-template, dir-template,
//     obj-count-template                name templates; placeholders {label} (not obj-count), {class}
//                                       (obj-count only), {stream}. A rename beats a template.
//     obj-count-classes=0;2             emit obj_count_<class> for these class ids on every stream
//     omit=<default-field-name>;...     drop fields from the payload
//   [payload-static]
//     <name>=<value>                    constant field added to analyticsModule after the counted fields.
//                                       Unquoted true/false -> boolean, unquoted JSON numbers -> number,
//                                       anything else (and every "quoted" value) -> string.
// Field names must be non-empty, without control characters or surrounding whitespace, not __proto__;
// static names may not be id/description/source/version, nor repeat.

import { ConfigError, makeWarning, type ConfigLocation, type ConfigWarning } from './errors.js';
import {
  entryLocation,
  getBool,
  getIntList,
  getList,
  getString,
  groupLocation,
  parseKeyFile,
  type KeyFileEntry,
  type KeyFileGroup, readConfigFile } from './keyfile.js';

export interface AnalyticsModuleInfo {
  id: string;
  description: string;
  source: string;
  version: string;
}

export const DEFAULT_ANALYTICS_MODULE: Readonly<AnalyticsModuleInfo> = Object.freeze({
  id: 'ds-kafka',
  description: 'Video analytics counts (line crossing, ROI, overcrowding, direction)',
  source: 'ds-kafka',
  version: '1.0',
});

/** Fixed keys of analyticsModule; no other field may take these names. */
export const RESERVED_FIELD_NAMES: readonly string[] = ['id', 'description', 'source', 'version'];

export interface MsgconvSensor {
  index: number;
  enable: boolean;
  id: string | undefined;
  type: string | undefined;
  description: string | undefined;
  location: string | undefined;
  coordinate: string | undefined;
  line: number;
}
export interface MsgconvPlace {
  index: number;
  enable: boolean;
  id: string | undefined;
  type: string | undefined;
  name: string | undefined;
  location: string | undefined;
  coordinate: string | undefined;
  /** place-sub-field1..3 and the like, verbatim. */
  subFields: Array<[string, string]>;
  line: number;
}

export interface MsgconvAnalytics extends AnalyticsModuleInfo {
  index: number;
  enable: boolean;
  line: number;
}

/** What a name template applies to. */
export type TemplateKind = 'lc_curr' | 'lc_cum' | 'roi' | 'oc' | 'oc_count' | 'dir' | 'obj_count';

export const DEFAULT_TEMPLATES: Readonly<Record<TemplateKind, string>> = Object.freeze({
  lc_curr: 'lc_curr_{label}',
  lc_cum: 'lc_cum_{label}',
  roi: 'roi_{label}',
  oc: 'oc_{label}',
  oc_count: 'oc_count_{label}',
  dir: 'dir_{label}',
  obj_count: 'obj_count_{class}',
});

const TEMPLATE_KEYS: Record<string, TemplateKind> = {
  'lc-curr-template': 'lc_curr',
  'lc-cum-template': 'lc_cum',
  'roi-template': 'roi',
  'oc-template': 'oc',
  'oc-count-template': 'oc_count',
  'dir-template': 'dir',
  'obj-count-template': 'obj_count',
};

export interface LocatedValue<T> {
  value: T;
  loc: ConfigLocation;
}

export interface PayloadFieldOptions {
  /** default field name -> new name, in file order. */
  renames: Array<{ from: string; to: string; loc: ConfigLocation }>;
  templates: Partial<Record<TemplateKind, LocatedValue<string>>>;
  objCountClasses: LocatedValue<number[]> | undefined;
  omit: Array<{ name: string; loc: ConfigLocation }>;
}

export type StaticValue = string | number | boolean;

export interface MsgconvConfig {
  file: string;
  /** From [analytics0], or DEFAULT_ANALYTICS_MODULE. */
  analyticsModule: AnalyticsModuleInfo;
  /** True when analyticsModule came from an enabled [analytics0]. */
  analyticsModuleFromFile: boolean;
  analytics: MsgconvAnalytics[];
  sensors: MsgconvSensor[];
  places: MsgconvPlace[];
  payloadFields: PayloadFieldOptions;
  /** [payload-static], in file order. */
  staticFields: Array<{ name: string; value: StaticValue; loc: ConfigLocation }>;
}

export interface MsgconvParseResult {
  config: MsgconvConfig;
  warnings: ConfigWarning[];
}

export function emptyMsgconvConfig(file = '<defaults>'): MsgconvConfig {
  return {
    file,
    analyticsModule: { ...DEFAULT_ANALYTICS_MODULE },
    analyticsModuleFromFile: false,
    analytics: [],
    sensors: [],
    places: [],
    payloadFields: { renames: [], templates: {}, objCountClasses: undefined, omit: [] },
    staticFields: [],
  };
}

/** Throws ConfigError unless `name` can be a payload field name. */
export function validateFieldName(name: string, loc: ConfigLocation, what = 'field name'): void {
  if (name === '') throw new ConfigError(`${what} is empty`, loc);
  if (/[\x00-\x1f\x7f]/.test(name)) throw new ConfigError(`${what} ${JSON.stringify(name)} contains a control character`, loc);
  if (name.trim() !== name) throw new ConfigError(`${what} ${JSON.stringify(name)} starts or ends with whitespace`, loc);
  if (name === '__proto__') throw new ConfigError(`${what} "__proto__" is not allowed`, loc);
  if (name.length > 256) throw new ConfigError(`${what} is longer than 256 characters`, loc);
  // Lone surrogates cannot be encoded as UTF-8 JSON.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) {
    throw new ConfigError(`${what} contains an unpaired surrogate`, loc);
  }
}

/** Expands a name template. */
export function expandTemplate(template: string, vars: { label?: string; class?: string; stream: number }): string {
  return template.replace(/\{(label|class|stream)\}/g, (_m, v: string) =>
    v === 'stream' ? String(vars.stream) : v === 'label' ? (vars.label ?? '') : (vars.class ?? ''),
  );
}

function validateTemplate(e: KeyFileEntry, kind: TemplateKind): string {
  const t = getString(e).trim();
  const allowed = kind === 'obj_count' ? ['class', 'stream'] : ['label', 'stream'];
  for (const m of t.matchAll(/\{([^}]*)\}/g)) {
    if (!allowed.includes(m[1]!)) {
      throw new ConfigError(
        `unknown placeholder {${m[1]}} (this template knows ${allowed.map((a) => `{${a}}`).join(', ')})`,
        entryLocation(e),
      );
    }
  }
  validateFieldName(expandTemplate(t, { label: 'x', class: '0', stream: 0 }), entryLocation(e), 'template');
  return t;
}

/**
 * Types a [payload-static] value: unquoted true/false and JSON numbers are typed, the rest are strings.
 * An integer beyond 2^53 would lose digits as a JSON number (consumers read it as a double): it stays an
 * exact string, with a warning.
 */
export function typeStaticValue(e: KeyFileEntry, warnings?: ConfigWarning[]): StaticValue {
  const s = getString(e);
  if (e.quoted) return s;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s)) {
    const n = Number(s);
    if (/^-?\d+$/.test(s) && !Number.isSafeInteger(n)) {
      warnings?.push(
        makeWarning(
          'out-of-bounds',
          `${s} is beyond 2^53: as a JSON number it would lose digits (${n}); sent as the string "${s}" instead (quote it to say so)`,
          entryLocation(e),
        ),
      );
      return s;
    }
    if (Number.isFinite(n)) return n;
  }
  return s;
}

function indexOf(group: KeyFileGroup, prefix: string): number {
  const m = /^(\d+)$/.exec(group.name.slice(prefix.length));
  if (!m || Number(m[1]) > 65535) {
    throw new ConfigError(
      `missing or invalid index: expected [${prefix}<N>] with N = 0, 1, ... (the stream / module index)`,
      groupLocation(group),
    );
  }
  return Number(m[1]);
}

const SENSOR_KEYS = ['enable', 'type', 'id', 'location', 'description', 'coordinate'];
const PLACE_KEYS = ['enable', 'id', 'type', 'name', 'location', 'coordinate'];
const ANALYTICS_KEYS = ['enable', 'id', 'description', 'source', 'version'];

function unknownKey(e: KeyFileEntry, known: string[]): ConfigWarning {
  return makeWarning('unknown-key', `unknown key, ignored (known here: ${known.join(', ')})`, entryLocation(e));
}

/** Parses msgconv_config.txt text. Throws ConfigError; returns warnings. */
export function parseMsgconvConfig(text: string, fileName: string): MsgconvParseResult {
  const { keyFile, warnings } = parseKeyFile(text, fileName);
  const cfg = emptyMsgconvConfig(fileName);

  for (const group of keyFile.groups) {
    const name = group.name;
    if (/^sensor/.test(name)) {
      const s: MsgconvSensor = {
        index: indexOf(group, 'sensor'),
        enable: true,
        id: undefined,
        type: undefined,
        description: undefined,
        location: undefined,
        coordinate: undefined,
        line: group.line,
      };
      for (const e of group.entries) {
        if (e.key === 'enable') s.enable = getBool(e);
        else if (SENSOR_KEYS.includes(e.key)) {
          (s as unknown as Record<string, string>)[e.key] = getString(e);
        } else warnings.push(unknownKey(e, SENSOR_KEYS));
      }
      if (s.enable && s.id !== undefined && s.id.trim() === '') {
        throw new ConfigError('sensor id is empty', entryLocation(group.entries.find((e) => e.key === 'id')!));
      }
      cfg.sensors.push(s);
    } else if (/^place/.test(name)) {
      const p: MsgconvPlace = {
        index: indexOf(group, 'place'),
        enable: true,
        id: undefined,
        type: undefined,
        name: undefined,
        location: undefined,
        coordinate: undefined,
        subFields: [],
        line: group.line,
      };
      for (const e of group.entries) {
        if (e.key === 'enable') p.enable = getBool(e);
        else if (PLACE_KEYS.includes(e.key)) (p as unknown as Record<string, string>)[e.key] = getString(e);
        else if (/^place-sub-field\d+$/.test(e.key)) p.subFields.push([e.key, getString(e)]);
        else warnings.push(unknownKey(e, [...PLACE_KEYS, 'place-sub-fieldN']));
      }
      cfg.places.push(p);
    } else if (/^analytics/.test(name)) {
      const a: MsgconvAnalytics = { index: indexOf(group, 'analytics'), enable: true, id: '', description: '', source: '', version: '', line: group.line };
      for (const e of group.entries) {
        if (e.key === 'enable') a.enable = getBool(e);
        else if (e.key === 'id' || e.key === 'description' || e.key === 'source' || e.key === 'version') a[e.key] = getString(e);
        else warnings.push(unknownKey(e, ANALYTICS_KEYS));
      }
      cfg.analytics.push(a);
      if (a.index === 0 && a.enable) {
        cfg.analyticsModule = { id: a.id, description: a.description, source: a.source, version: a.version };
        cfg.analyticsModuleFromFile = true;
      } else if (a.index === 0) {
        warnings.push(
          makeWarning('disabled', 'analytics0 disabled: analyticsModule uses the ds-kafka defaults', groupLocation(group)),
        );
      } else {
        warnings.push(
          makeWarning('unused', `only [analytics0] feeds analyticsModule; [${name}] is kept but not used`, groupLocation(group)),
        );
      }
    } else if (name === 'payload-fields') {
      parsePayloadFields(group, cfg.payloadFields, warnings);
    } else if (name === 'payload-static') {
      for (const e of group.entries) {
        validateFieldName(e.key, entryLocation(e), 'static field name');
        if (RESERVED_FIELD_NAMES.includes(e.key)) {
          throw new ConfigError(
            `"${e.key}" is a fixed field of analyticsModule (set it in [analytics0] instead)`,
            entryLocation(e),
          );
        }
        cfg.staticFields.push({ name: e.key, value: typeStaticValue(e, warnings), loc: entryLocation(e) });
      }
    } else {
      warnings.push(
        makeWarning(
          'unknown-group',
          'unknown group, ignored (known: [sensorN], [placeN], [analyticsN], [payload-fields], [payload-static])',
          groupLocation(group),
        ),
      );
    }
  }

  // Two groups with the same index ([sensor0] and [sensor00]) — the later one wins, like a repeated label.
  for (const list of [cfg.sensors, cfg.places, cfg.analytics] as Array<Array<{ index: number; line: number }>>) {
    const seen = new Map<number, number>();
    for (const item of list) {
      const prev = seen.get(item.index);
      if (prev !== undefined) {
        warnings.push(
          makeWarning('duplicate-group', `index ${item.index} defined again (first at line ${prev}); the later one wins`, {
            file: fileName,
            line: item.line,
          }),
        );
      }
      seen.set(item.index, item.line);
    }
  }
  return { config: cfg, warnings };
}

function parsePayloadFields(group: KeyFileGroup, out: PayloadFieldOptions, warnings: ConfigWarning[]): void {
  for (const e of group.entries) {
    const kind = TEMPLATE_KEYS[e.key];
    if (kind) {
      out.templates[kind] = { value: validateTemplate(e, kind), loc: entryLocation(e) };
    } else if (e.key === 'obj-count-classes') {
      const ids = getIntList(e, 'class id');
      for (const id of ids) {
        if (id < 0) throw new ConfigError(`class id ${id} is invalid: list class ids >= 0`, entryLocation(e));
      }
      out.objCountClasses = { value: [...new Set(ids)], loc: entryLocation(e) };
    } else if (e.key === 'omit') {
      for (const n of getList(e).map((x) => x.trim())) {
        if (n === '') continue;
        out.omit.push({ name: n, loc: entryLocation(e) });
      }
    } else if (/-template$/.test(e.key)) {
      throw new ConfigError(
        `unknown template (known: ${Object.keys(TEMPLATE_KEYS).join(', ')})`,
        entryLocation(e),
      );
    } else {
      const to = getString(e).trim();
      validateFieldName(e.key, entryLocation(e), 'field to rename');
      validateFieldName(to, entryLocation(e), 'new field name');
      out.renames.push({ from: e.key, to, loc: entryLocation(e) });
    }
  }
  if (group.entries.length === 0) {
    warnings.push(makeWarning('unused', 'empty group', groupLocation(group)));
  }
}

/** Reads (synchronously) and parses a converter config file. */
export function loadMsgconvConfig(path: string): MsgconvParseResult {
  return parseMsgconvConfig(readConfigFile(path, 'converter config'), path);
}

/** The device id of a stream: `id` of the enabled [sensorN] with N = streamId (the last one if repeated). */
export function sensorIdForStream(cfg: MsgconvConfig | undefined, streamId: number): string | undefined {
  if (!cfg) return undefined;
  let id: string | undefined;
  for (const s of cfg.sensors) if (s.index === streamId && s.enable && s.id !== undefined) id = s.id;
  return id;
}
