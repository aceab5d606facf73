// Human or JSON-lines output for the CLI. Errors are one line on stderr.
export type LogFormat = 'text' | 'json';

export interface Output {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Result lines: printed even with --quiet. */
  result(msg: string, fields?: Record<string, unknown>): void;
}

export function createOutput(format: LogFormat = 'text', quiet = false): Output {
  const emit = (level: string, msg: string, fields: Record<string, unknown> | undefined, stream: NodeJS.WriteStream) => {
    if (format === 'json') {
      stream.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
    } else {
      const prefix = level === 'warn' ? 'warning: ' : level === 'error' ? 'error: ' : '';
      stream.write(`${prefix}${msg}\n`);
    }
  };
  return {
    info: (m, f) => !quiet && emit('info', m, f, process.stderr),
    warn: (m, f) => emit('warn', m, f, process.stderr),
    error: (m, f) => emit('error', m, f, process.stderr),
    result: (m, f) => emit('result', m, f, process.stdout),
  };
}
