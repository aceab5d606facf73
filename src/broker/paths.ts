// Where ds-kafka keeps what it downloads and runs locally (Kafka jars, broker data and logs).
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  if (process.env.DS_KAFKA_CACHE) return process.env.DS_KAFKA_CACHE;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'ds-kafka');
}
