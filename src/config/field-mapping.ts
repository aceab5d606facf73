// Which fields each stream's analyticsModule carries, and where each is read from (PayloadMapping).
//
// Per stream, in this order (labels verbatim from the config, never from code; each group of fields in
// config order):
//   lines        lc_curr_<label>   (lc_curr: objLCCurrCnt[label], crossings in this frame)
//                lc_cum_<label>    (lc_cum:  objLCCumCnt[label], crossings since the stream started)
//   ROIs         roi_<label>       (roi_count: objInROIcnt[label], objects inside in this frame)
//   overcrowding oc_<label>        (oc_status: ocStatus[label], boolean)
//                oc_count_<label>  (roi_count: objInROIcnt[label]; DeepStream puts the OC polygon's
//                                   per-frame count there, under the OC label)
//   directions   dir_<label>       (dir_count: objects whose dirStatus is DIR:<label> in this frame)
//   obj counts   obj_count_<class> (obj_count: objCnt[class]) — only for the class ids of
//                [payload-fields] obj-count-classes, or, when that is absent and [property]
//                display-obj-cnt=1, for the class ids named in the stream's class-id keys (ascending).
//                Otherwise none: "every class" cannot be enumerated from the config.
// With [property] enable=0 no counted field is produced.
// Then [payload-fields] is applied: omit, renames (keyed by the default name), templates.
// Every final name is validated (non-empty, no control characters, ...); two fields of one stream with the
// same final name, a field named id/description/source/version, or a field that collides with a
// [payload-static] name, is a ConfigError naming both.

import { ConfigError, makeWarning, type ConfigLocation, type ConfigWarning } from './errors.js';
import {
  DEFAULT_TEMPLATES,
  DEFAULT_ANALYTICS_MODULE,
  RESERVED_FIELD_NAMES,
  expandTemplate,
  sensorIdForStream,
  validateFieldName,
  type MsgconvConfig,
  type StaticValue,
  type TemplateKind,
} from './msgconv-config.js';
import type { RuleOrigin } from './analytics-config.js';
import type { FieldSource, PayloadField, PayloadMapping, ResolvedAnalyticsConfig, StreamMapping } from './resolved.js';

export interface BuildMappingOptions {
  /** Receives warnings (unused renames, streams configured but not among the inputs, ...). */
  warnings?: ConfigWarning[];
  /** Where each rule is written (loadAnalyticsConfig's origins): an error about a rule's field names its line. */
  origins?: RuleOrigin[];
}

const RULE_KIND: Partial<Record<TemplateKind, RuleOrigin['kind']>> = {
  lc_curr: 'line',
  lc_cum: 'line',
  roi: 'roi',
  oc: 'overcrowding',
  oc_count: 'overcrowding',
  dir: 'direction',
};

interface Candidate {
  kind: TemplateKind;
  source: FieldSource;
  key: string;
  defaultName: string;
  /** Why the field has its final name (for collision messages). */
  origin: string;
  loc: ConfigLocation | undefined;
  name: string;
}

function describeCandidate(c: Candidate): string {
  const via = c.name === c.defaultName ? '' : ` (${c.origin}${c.loc ? ` at ${locText(c.loc)}` : ''})`;
  return `${c.defaultName}${via}`;
}

function locText(loc: ConfigLocation): string {
  return `${loc.file ?? ''}${loc.line !== undefined ? `:${loc.line}` : ''}`;
}

export function buildPayloadMapping(
  analytics: ResolvedAnalyticsConfig,
  msgconv: MsgconvConfig | undefined,
  streamIds: number[],
  options: BuildMappingOptions = {},
): PayloadMapping {
  const warnings = options.warnings ?? [];
  const pf = msgconv?.payloadFields;
  const renames = new Map<string, { to: string; loc: ConfigLocation }>();
  for (const r of pf?.renames ?? []) renames.set(r.from, { to: r.to, loc: r.loc });
  const omit = new Map<string, ConfigLocation>();
  for (const o of pf?.omit ?? []) omit.set(o.name, o.loc);
  const usedRenames = new Set<string>();
  const usedOmits = new Set<string>();

  const staticFields: Record<string, StaticValue> = {};
  const staticLoc = new Map<string, ConfigLocation>();
  for (const s of msgconv?.staticFields ?? []) {
    const prev = staticLoc.get(s.name);
    if (prev) {
      throw new ConfigError(`static field "${s.name}" is defined twice (also at ${locText(prev)})`, s.loc);
    }
    staticLoc.set(s.name, s.loc);
    staticFields[s.name] = s.value;
  }

  const ids: number[] = [];
  for (const id of streamIds) {
    if (!Number.isSafeInteger(id) || id < 0) throw new ConfigError(`stream id ${id} is not a non-negative integer`);
    if (!ids.includes(id)) ids.push(id);
  }
  for (const s of analytics.streams) {
    if (!ids.includes(s.streamId)) {
      warnings.push(
        makeWarning(
          'unused',
          `rules for stream ${s.streamId} are configured, but the pipeline's streams are ${ids.length ? ids.join(', ') : '(none)'}; they are not used`,
        ),
      );
    }
  }

  const streams: StreamMapping[] = ids.map((streamId) => {
    const cfg = analytics.enable ? analytics.streams.find((s) => s.streamId === streamId) : undefined;
    const cands: Candidate[] = [];
    const add = (kind: TemplateKind, source: FieldSource, key: string, vars: { label?: string; class?: string }) => {
      const defaultName = expandTemplate(DEFAULT_TEMPLATES[kind], { ...vars, stream: streamId });
      if (omit.has(defaultName)) {
        usedOmits.add(defaultName);
        return;
      }
      const rename = renames.get(defaultName);
      const tpl = pf?.templates[kind];
      let name = defaultName;
      let origin = 'default';
      let loc: ConfigLocation | undefined;
      if (rename) {
        usedRenames.add(defaultName);
        name = rename.to;
        origin = `renamed to "${rename.to}"`;
        loc = rename.loc;
      } else if (tpl) {
        name = expandTemplate(tpl.value, { ...vars, stream: streamId });
        origin = `template "${tpl.value}"`;
        loc = tpl.loc;
      }
      loc ??= options.origins?.find((o) => o.streamId === streamId && o.kind === RULE_KIND[kind] && o.label === vars.label);
      cands.push({ kind, source, key, defaultName, origin, loc, name });
    };

    if (cfg) {
      for (const l of cfg.lines) {
        add('lc_curr', 'lc_curr', l.label, { label: l.label });
        add('lc_cum', 'lc_cum', l.label, { label: l.label });
      }
      for (const r of cfg.rois) add('roi', 'roi_count', r.label, { label: r.label });
      for (const o of cfg.overcrowding) {
        add('oc', 'oc_status', o.label, { label: o.label });
        add('oc_count', 'roi_count', o.label, { label: o.label });
      }
      for (const d of cfg.directions) add('dir', 'dir_count', d.label, { label: d.label });
    }
    if (analytics.enable) {
      let classes: number[] = [];
      if (pf?.objCountClasses) classes = pf.objCountClasses.value;
      else if (analytics.displayObjCnt && cfg) {
        const set = new Set<number>();
        for (const r of [...cfg.lines, ...cfg.rois, ...cfg.overcrowding, ...cfg.directions]) {
          for (const c of r.classIds) set.add(c);
        }
        classes = [...set].sort((a, b) => a - b);
      }
      for (const c of classes) add('obj_count', 'obj_count', String(c), { class: String(c) });
    }

    const byName = new Map<string, Candidate>();
    for (const c of cands) {
      validateFieldName(c.name, c.loc ?? {}, `payload field name (from ${c.defaultName})`);
      if (RESERVED_FIELD_NAMES.includes(c.name)) {
        throw new ConfigError(
          `stream ${streamId}: payload field ${describeCandidate(c)} would be named "${c.name}", a fixed field of analyticsModule`,
          c.loc ?? {},
        );
      }
      const sl = staticLoc.get(c.name);
      if (sl) {
        throw new ConfigError(
          `stream ${streamId}: payload field name "${c.name}" is produced by both ${describeCandidate(c)} and the static field at ${locText(sl)}`,
          c.loc ?? sl,
        );
      }
      const prev = byName.get(c.name);
      if (prev) {
        throw new ConfigError(
          `stream ${streamId}: payload field name "${c.name}" is produced by both ${describeCandidate(prev)} and ${describeCandidate(c)}`,
          c.loc ?? prev.loc ?? {},
        );
      }
      byName.set(c.name, c);
    }
    const fields: PayloadField[] = cands.map((c) => ({ name: c.name, source: c.source, key: c.key }));
    const out: StreamMapping = { streamId, fields };
    const deviceId = sensorIdForStream(msgconv, streamId);
    if (deviceId !== undefined) out.deviceId = deviceId;
    return out;
  });

  for (const r of pf?.renames ?? []) {
    if (!usedRenames.has(r.from)) {
      warnings.push(makeWarning('unused', `no stream has a field named "${r.from}" to rename`, r.loc));
    }
  }
  for (const o of pf?.omit ?? []) {
    if (!usedOmits.has(o.name)) warnings.push(makeWarning('unused', `no stream has a field named "${o.name}" to omit`, o.loc));
  }

  return {
    streams,
    analyticsModule: { ...(msgconv?.analyticsModule ?? DEFAULT_ANALYTICS_MODULE) },
    staticFields,
  };
}
