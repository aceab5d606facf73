// Loads the compiled N-API addon (build/Release/ds_kafka.node) once, with an error that says how to
// build it when it is missing. DS_KAFKA_ADDON points at another build (used by tests and benchmarks).
//
// Each concern declares its part of the addon's API next to its TypeScript wrapper, by augmenting
// NativeAddon (`declare module '../native/addon.js' { interface NativeAddon { ... } }`).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeCapabilities {
  backends: Array<'cpu' | 'deepstream'>;
  deepstream: boolean;
  versions: {
    gstreamer: string;
    gstreamerBuild: string;
    opencv: string;
    librdkafka: string;
    librdkafkaBuild: string;
    napi: string;
  };
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface NativeAddon {
  capabilities(): NativeCapabilities;
}

/** The package root (where package.json, config/, schema/ and build/ live), from src/ or dist/. */
export const packageRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: NativeAddon | undefined;

export class NativeAddonMissingError extends Error {
  constructor(path: string, cause: unknown) {
    super(
      `ds-kafka's native addon could not be loaded from ${path}: ${(cause as Error)?.message ?? cause}\n` +
        `Build it with: npm run build:native (system packages: sudo bash scripts/setup-system.sh)`,
    );
    this.name = 'NativeAddonMissingError';
  }
}

export function addonPath(): string {
  return process.env.DS_KAFKA_ADDON ?? join(packageRoot, 'build', 'Release', 'ds_kafka.node');
}

export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) throw new NativeAddonMissingError(path, new Error('file not found'));
  try {
    cached = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    throw new NativeAddonMissingError(path, err);
  }
  return cached;
}
