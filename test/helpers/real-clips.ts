// The committed real clips (samples/real/) and their frame-by-frame ground truth (<clip>.truth.json).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export interface RealClipTruth {
  clip: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  analyticsConfig: string;
  /** Repository-relative detector config the clip's camera needs (default: the shipped default). */
  detectorConfig?: string;
  crossings: Array<{ object: string; label: string; frame: number; note?: string }>;
  expected: { lcCum: Record<string, number> };
}

export interface RealClip {
  name: string;
  video: string;
  analyticsConfig: string;
  truth: RealClipTruth;
}

export const realDir = join(repoRoot, 'samples', 'real');

export function realClips(): RealClip[] {
  return readdirSync(realDir)
    .filter((f) => f.endsWith('.truth.json'))
    .sort()
    .map((f) => {
      const truth = JSON.parse(readFileSync(join(realDir, f), 'utf8')) as RealClipTruth;
      return {
        name: f.replace(/\.truth\.json$/, ''),
        video: join(realDir, truth.clip),
        analyticsConfig: join(realDir, truth.analyticsConfig),
        truth,
      };
    });
}
