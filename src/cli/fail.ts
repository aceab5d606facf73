// Maps a thrown error to one clear line and the documented exit code.
import { ConfigError } from '../config/errors.js';
import { BrokerUnavailableError, DeliveryError, InputError } from '../errors.js';
import { NativeAddonMissingError } from '../native/addon.js';
import { ExitCode } from './exit-codes.js';
import type { Output } from './output.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Thrown by exitWhenFlushed while output is still being written; the process exits once it is. */
export class ExitPending extends Error {
  override name = 'ExitPending';
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return ExitCode.usage;
  if (err instanceof InputError) return ExitCode.input;
  if (err instanceof BrokerUnavailableError || err instanceof DeliveryError) return ExitCode.delivery;
  if (err instanceof NativeAddonMissingError) return ExitCode.internal;
  return ExitCode.internal;
}

let exiting = false;

/**
 * Exits with `code` once stdout and stderr hold nothing unwritten. Writes to a pipe are asynchronous:
 * process.exit() right after a long message would cut it (at 64 KiB, the pipe's buffer). When something
 * is still pending, this throws ExitPending (callers let it through) and exits from the write callback.
 */
export function exitWhenFlushed(code: number): never {
  exiting = true;
  process.exitCode = code;
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  if (pending.length === 0) process.exit(code);
  let left = pending.length;
  for (const s of pending) s.write('', () => --left === 0 && process.exit(code));
  // A reader that never reads must not hold the process forever.
  setTimeout(() => process.exit(code), 10_000).unref();
  throw new ExitPending();
}

export function fail(out: Output, err: unknown): never {
  // yargs may hand the same error on after the first report: say it once.
  if (err instanceof ExitPending || exiting) throw new ExitPending();
  const msg = err instanceof Error ? err.message : String(err);
  out.error(msg.split('\n')[0] ?? msg, { errorType: err instanceof Error ? err.name : typeof err });
  const rest = msg.split('\n').slice(1).join('\n');
  if (rest && !(err instanceof ConfigError)) process.stderr.write(rest + '\n');
  if (exitCodeFor(err) === ExitCode.internal && err instanceof Error && process.env.DS_KAFKA_DEBUG) {
    process.stderr.write(`${err.stack}\n`);
  }
  exitWhenFlushed(exitCodeFor(err));
}
