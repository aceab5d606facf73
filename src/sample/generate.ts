// Scenario → `<name>.h264` (native renderer + x264) + `<name>.truth.json` (exact expected counts), and
// optionally the matching config_nvdsanalytics.txt.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

import { generateSampleStream, type GeneratedStream } from '../native/generator.js';
import { computeGroundTruth, type GroundTruth } from './ground-truth.js';
import { normalizeScenario, scenarioConfigText, ScenarioError, type NormalizedScenario, type Scenario } from './scenario.js';

export interface GeneratedSample {
  streamPath: string;
  truthPath: string;
  configPath?: string;
  stream: GeneratedStream;
  truth: GroundTruth;
}

export interface GenerateOptions {
  /** Also write the scenario's config_nvdsanalytics.txt here. */
  configPath?: string;
}

/** `dir/name.h264` → `dir/name.truth.json`. */
export function truthPathFor(streamPath: string): string {
  const ext = extname(streamPath);
  return join(dirname(streamPath), `${basename(streamPath, ext)}.truth.json`);
}

/** Reads and validates a scenario file; its name defaults to the file name without .json. */
export async function loadScenario(path: string): Promise<NormalizedScenario> {
  let raw: Scenario;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Scenario;
  } catch (err) {
    throw new ScenarioError(`${path}: ${(err as Error).message}`);
  }
  return normalizeScenario({ ...raw, name: raw.name ?? basename(path, extname(path)) });
}

export async function generateScenarioSample(scenario: Scenario, streamPath: string, options: GenerateOptions = {}): Promise<GeneratedSample> {
  const s = normalizeScenario(scenario);
  const truth = computeGroundTruth(s);
  const stream = await generateSampleStream(JSON.stringify(s), streamPath);
  if (stream.frames !== truth.frames || stream.width !== truth.width || stream.height !== truth.height)
    throw new Error(`generator and ground truth disagree: ${JSON.stringify(stream)} vs ${truth.frames} frames ${truth.width}x${truth.height}`);
  const truthPath = truthPathFor(streamPath);
  await writeFile(truthPath, `${JSON.stringify(truth, null, 2)}\n`);
  const out: GeneratedSample = { streamPath, truthPath, stream, truth };
  if (options.configPath) {
    await writeFile(options.configPath, scenarioConfigText(s));
    out.configPath = options.configPath;
  }
  return out;
}
