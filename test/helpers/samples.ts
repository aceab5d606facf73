// The shipped sample and its ground truth, and helpers to read a run's JSON result lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

// The generated sample paints shapes for the motion detector (a trained network does not see them as
// objects): every run on it says --detector motion; the real clips (test/helpers/real-clips.ts) are the
// DNN detector's.
export const sample = {
  detector: 'motion' as const,
  stream: join(repoRoot, 'samples', 'sample_720p.h264'),
  analyticsConfig: join(repoRoot, 'samples', 'config_nvdsanalytics.txt'),
  msgconvConfig: join(repoRoot, 'config', 'msgconv_config.txt'),
  kafkaConfig: join(repoRoot, 'config', 'cfg_kafka.txt'),
  truth: JSON.parse(readFileSync(join(repoRoot, 'samples', 'sample_720p.truth.json'), 'utf8')) as {
    frames: number;
    expected: { lc_cum: Record<string, number> };
  },
};

export interface DeliveryLine {
  event: 'delivery';
  built: number;
  produced: number;
  delivered: number;
  failed: number;
  inFlight: number;
  lost: number;
}

/** The result lines of `ds-kafka run --log-format json` (stdout). */
export function resultLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => o.level === 'result');
}

export function deliveryLine(stdout: string): DeliveryLine {
  const d = resultLines(stdout).find((o) => o.event === 'delivery');
  if (!d) throw new Error(`no delivery result line in:\n${stdout}`);
  return d as unknown as DeliveryLine;
}
