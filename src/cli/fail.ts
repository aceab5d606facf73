// Maps a thrown error to one clear line and the documented exit code.
import { ConfigError } from '../config/errors.js';
import { BrokerUnavailableError, DeliveryError, InputError } from '../errors.js';
import { NativeAddonMissingError } from '../native/addon.js';
import { ExitCode } from './exit-codes.js';
import type { Output } from './output.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return ExitCode.usage;
  if (err instanceof InputError) return ExitCode.input;
  if (err instanceof BrokerUnavailableError || err instanceof DeliveryError) return ExitCode.delivery;
  if (err instanceof NativeAddonMissingError) return ExitCode.internal;
  return ExitCode.internal;
}

export function fail(out: Output, err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  out.error(msg.split('\n')[0] ?? msg, { errorType: err instanceof Error ? err.name : typeof err });
  const rest = msg.split('\n').slice(1).join('\n');
  if (rest && !(err instanceof ConfigError)) process.stderr.write(rest + '\n');
  if (exitCodeFor(err) === ExitCode.internal && err instanceof Error && process.env.DS_KAFKA_DEBUG) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.exit(exitCodeFor(err));
}
