// The CPU backend's detector choice. `dnn`: a trained network on OpenCV DNN (config/detector_dnn.txt,
// model installed by `npm run setup`); `motion`: background subtraction (config/detector_motion.txt), the
// no-model fallback. `auto` (the default) picks dnn when its model is installed, else motion and says why.
// Configs are parsed here (natively, the same code the pipeline uses) so a bad file fails before anything
// starts, as a ConfigError naming file, line and key.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { loadAddon, packageRoot } from './addon.js';
import type { KeyFileValue } from './pipeline.js';

export type DetectorKind = 'dnn' | 'motion';
export type DetectorChoice = 'auto' | DetectorKind;

export interface ResolvedDetector {
  kind: DetectorKind;
  /** The detector key file the pipeline loads. */
  configPath: string;
  /** Why this detector (for the run's info line). */
  reason: string;
  /** The detector's resolved parameters (DNN: model, model-file, input size, class map, ...; motion: class-id, ...). */
  config: Record<string, unknown>;
}

declare module './addon.js' {
  interface NativeAddon {
    /** Resolved DNN-detector parameters of a key file and/or overrides (checks files exist; no model load). */
    dnnDetectorConfig(pathOrOverrides?: string | Record<string, KeyFileValue>, overrides?: Record<string, KeyFileValue>): Record<string, unknown>;
    /** Loads the model and runs one inference; returns a description, throws naming the file. */
    dnnDetectorProbe(pathOrOverrides?: string | Record<string, KeyFileValue>, overrides?: Record<string, KeyFileValue>): string;
    /** The output decoders on a hand-made tensor, then optionally NMS (a test seam). */
    dnnDecode(options: {
      format: 'ssd' | 'yolov5' | 'yolov8' | 'yolox';
      shape: number[];
      data: Float32Array;
      inputWidth?: number;
      inputHeight?: number;
      minScore?: number;
      strides?: number[];
      nmsIou?: number;
      merge?: boolean;
      maxDetections?: number;
    }): Array<{ x: number; y: number; width: number; height: number; modelClass: number; score: number }>;
  }
}

export const DEFAULT_DETECTOR_CONFIGS: Record<DetectorKind, string> = {
  dnn: join(packageRoot, 'config', 'detector_dnn.txt'),
  motion: join(packageRoot, 'config', 'detector_motion.txt'),
};

/** A DNN detector config names its network (`model-file`); anything else is a motion-detector config. */
export function detectorKindOfFile(path: string): DetectorKind {
  return /^\s*model-file\s*=/m.test(readFileSync(path, 'utf8')) ? 'dnn' : 'motion';
}

function asConfigError(err: unknown): ConfigError {
  return err instanceof ConfigError ? err : new ConfigError((err as Error)?.message ?? String(err));
}

/** Native errors of a model that exists but cannot be used: corrupt, or an output that does not parse. */
export function isModelError(err: unknown): boolean {
  return /^(cannot load model|model .* (does not produce|fails on))/.test((err as Error)?.message ?? '');
}

/** Parses a DNN detector config (throws ConfigError, e.g. when its model file is missing). */
export function dnnDetectorConfig(path: string): Record<string, unknown> {
  try {
    return loadAddon().dnnDetectorConfig(path);
  } catch (err) {
    throw asConfigError(err);
  }
}

/** Whether the default DNN detector can run here, and if not why (one line). */
export function dnnModelStatus(configPath = DEFAULT_DETECTOR_CONFIGS.dnn): { installed: boolean; reason: string; config?: Record<string, unknown> } {
  if (!existsSync(configPath)) return { installed: false, reason: `no DNN detector config (${configPath})` };
  try {
    const config = loadAddon().dnnDetectorConfig(configPath);
    return { installed: true, reason: `model ${String(config['model'])} installed`, config };
  } catch (err) {
    const m = (err as Error).message;
    if (/model file not found/.test(m)) return { installed: false, reason: 'DNN model not installed (run `npm run setup`)' };
    return { installed: false, reason: m };
  }
}

export function resolveDetector(choice: DetectorChoice = 'auto', configPath?: string): ResolvedDetector {
  let kind: DetectorKind;
  let reason: string;
  if (configPath !== undefined) {
    if (!existsSync(configPath)) throw new ConfigError(`detector config not found: ${configPath}`);
    const fileKind = detectorKindOfFile(configPath);
    if (choice !== 'auto' && choice !== fileKind)
      throw new ConfigError(`${configPath} is a ${fileKind} detector config, but --detector ${choice} was asked for`);
    kind = fileKind;
    reason = `--detector-config ${configPath}`;
  } else if (choice === 'auto') {
    const status = dnnModelStatus();
    if (status.config) return { kind: 'dnn', configPath: DEFAULT_DETECTOR_CONFIGS.dnn, reason: status.reason, config: status.config };
    kind = 'motion';
    reason = `${status.reason}; using the motion detector`;
  } else {
    kind = choice;
    reason = `--detector ${choice}`;
  }
  const path = configPath ?? DEFAULT_DETECTOR_CONFIGS[kind];
  try {
    const config = kind === 'dnn' ? loadAddon().dnnDetectorConfig(path) : loadAddon().cpuDetectorConfig(path);
    return { kind, configPath: path, reason, config };
  } catch (err) {
    throw asConfigError(err);
  }
}
