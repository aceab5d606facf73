// Errors and warnings of the config parsers. Both carry the location they are about (file, line, group,
// key) so that `ds-kafka config check` and the pipeline can point at the exact line of the user's file.
//
// Message form: `config_nvdsanalytics.txt:14: [line-crossing-stream-0] line-crossing-Exit: expected 8 ...`
// Parts that are unknown are left out (`file: message`, `file:3: [group] message`, `conn-str: message`).

/** Where in a config file something was found. Every field is optional; files set file and line. */
export interface ConfigLocation {
  /** File name as the user gave it (or a pseudo-source such as `--conn-str`). */
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** Group name without brackets. */
  group?: string;
  /** Key inside the group. */
  key?: string;
}

/** Formats a location as the prefix of a message, e.g. `cfg.txt:14: [group] key: `. */
export function formatLocation(loc: ConfigLocation): string {
  let out = '';
  if (loc.file !== undefined) {
    out += loc.file;
    if (loc.line !== undefined) out += `:${loc.line}`;
    out += ': ';
  } else if (loc.line !== undefined) {
    out += `line ${loc.line}: `;
  }
  if (loc.group !== undefined) out += `[${capValue(loc.group)}] `;
  if (loc.key !== undefined) out += `${capValue(loc.key)}: `;
  return out;
}

/** A long value in a message: its first 80 characters and its length (a 100 kB label stays readable). */
export function capValue(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}

/** Caps every very long run of non-spaces, then the whole text, so messages stay one readable line. */
export function capMessage(text: string): string {
  const capped = text.replace(/\S{200,}/g, (w) => capValue(w));
  return capped.length <= 2000 ? capped : capValue(capped, 1000);
}

/** A configuration mistake that stops the pipeline from starting. */
export class ConfigError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly group: string | undefined;
  readonly key: string | undefined;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(detail: string, loc: ConfigLocation = {}) {
    detail = capMessage(detail);
    super(formatLocation(loc) + detail);
    this.name = 'ConfigError';
    this.file = loc.file;
    this.line = loc.line;
    this.group = loc.group;
    this.key = loc.key;
    this.detail = detail;
  }
}

/** Machine-readable kind of a warning (stable; tests and the CLI may filter on it). */
export type ConfigWarningCode =
  | 'unknown-group'
  | 'unknown-key'
  | 'duplicate-key'
  | 'duplicate-group'
  | 'duplicate-label'
  | 'out-of-bounds'
  | 'missing-key'
  | 'missing-enable'
  | 'disabled'
  | 'degenerate-geometry'
  | 'label-characters'
  | 'label-overlap'
  | 'unused'
  | 'deepstream-difference';

/** A problem that does not stop parsing. Returned, never printed by the parsers. */
export interface ConfigWarning extends ConfigLocation {
  code: ConfigWarningCode;
  /** The message without the location prefix. */
  message: string;
}

export function makeWarning(code: ConfigWarningCode, message: string, loc: ConfigLocation = {}): ConfigWarning {
  const w: ConfigWarning = { code, message: capMessage(message) };
  if (loc.file !== undefined) w.file = loc.file;
  if (loc.line !== undefined) w.line = loc.line;
  if (loc.group !== undefined) w.group = loc.group;
  if (loc.key !== undefined) w.key = loc.key;
  return w;
}

/** `file:line: [group] key: message`, for printing a warning. */
export function formatWarning(w: ConfigWarning): string {
  return formatLocation(w) + w.message;
}
