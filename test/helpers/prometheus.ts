// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every line must be
// a comment (# HELP / # TYPE / other), blank, or a sample `name{label="value",...} value [timestamp]`;
// label values are unescaped (\\ \" \n); every sample must belong to a family declared by # TYPE before it
// (histogram/summary samples by their _bucket/_sum/_count/_created suffixes); no family is declared twice,
// no series appears twice. Anything else throws with the line number.
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(s: string, where: string): number {
  // As Prometheus reads them (Go's ParseFloat): Inf and NaN in any letter case. prom-client writes "Nan"
  // for an empty event-loop-lag summary.
  if (/^\+?inf$/i.test(s)) return Infinity;
  if (/^-inf$/i.test(s)) return -Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$/.test(s)) throw new Error(`${where}: bad value "${s}"`);
  return Number(s);
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 0;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without "="`);
    const name = text.slice(i, eq).trim();
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label "${name}" twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value of "${name}" not quoted`);
    let v = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const n = text[++j];
        if (n === 'n') v += '\n';
        else if (n === '\\' || n === '"') v += n;
        else throw new Error(`${where}: bad escape "\\${n}" in label "${name}"`);
      } else v += text[j];
    }
    if (j >= text.length) throw new Error(`${where}: unterminated label value of "${name}"`);
    labels[name] = v;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`${where}: expected "," or "}" after label "${name}"`);
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const series = new Set<string>();
  const familyOf = (sample: string): Family | undefined => {
    const direct = families.get(sample);
    if (direct) return direct;
    for (const suffix of ['_bucket', '_sum', '_count', '_created', '_total']) {
      if (!sample.endsWith(suffix)) continue;
      const f = families.get(sample.slice(0, -suffix.length));
      if (f && (f.type === 'histogram' || f.type === 'summary' || (f.type === 'counter' && suffix !== '_bucket'))) return f;
    }
    return undefined;
  };
  text.split('\n').forEach((raw, n) => {
    const where = `line ${n + 1}`;
    const line = raw.trimEnd();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, arg = ''] = m;
      if (!NAME.test(name!)) throw new Error(`${where}: bad metric name "${name}"`);
      let f = families.get(name!);
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(arg)) throw new Error(`${where}: bad type "${arg}"`);
        if (f?.samples.length || (f && f.type !== 'untyped')) throw new Error(`${where}: TYPE of ${name} given twice or after its samples`);
        if (f) f.type = arg as MetricType;
        else families.set(name!, (f = { name: name!, type: arg as MetricType, samples: [] }));
      } else {
        if (f?.help !== undefined) throw new Error(`${where}: HELP of ${name} given twice`);
        if (f) f.help = arg;
        else families.set(name!, { name: name!, type: 'untyped', help: arg, samples: [] });
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?/.exec(line);
    if (!m) throw new Error(`${where}: not a sample: ${line}`);
    const name = m[1]!;
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (m[2]) ({ labels, rest } = parseLabels(rest.slice(1), where));
    const parts = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) throw new Error(`${where}: expected " value [timestamp]" after ${name}`);
    const value = parseValue(parts[0]!, where);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp "${parts[1]}"`);
    const f = familyOf(name);
    if (!f) throw new Error(`${where}: sample ${name} has no # TYPE before it`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`${where}: series ${key} twice`);
    series.add(key);
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`${where}: counter ${name} is ${value}`);
    f.samples.push({ name, labels, value });
  });
  return families;
}

/** The one sample of a family whose labels include `match` (throws when there is not exactly one). */
export function sampleValue(families: Map<string, Family>, family: string, match: Record<string, string> = {}): number {
  const f = families.get(family);
  if (!f) throw new Error(`no metric family ${family}`);
  const hits = f.samples.filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${family}${JSON.stringify(match)}: ${hits.length} samples`);
  return hits[0]!.value;
}
