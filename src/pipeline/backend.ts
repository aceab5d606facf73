// --backend auto|cpu|deepstream: which backend runs, and why (said once at start).
import { loadAddon } from '../native/addon.js';
import { InputError } from '../errors.js';
import type { Backend } from './options.js';

export interface BackendChoice {
  backend: 'cpu' | 'deepstream';
  reason: string;
}

export function chooseBackend(requested: Backend): BackendChoice {
  const caps = loadAddon().capabilities();
  if (requested === 'cpu') return { backend: 'cpu', reason: 'requested with --backend cpu' };
  if (!caps.deepstream) {
    if (requested === 'deepstream') {
      throw new InputError(
        'the DeepStream backend is not in this build of ds-kafka (no DeepStream SDK was found when the addon was built; ' +
          'rebuild with DEEPSTREAM_DIR set, or use docker/Dockerfile.deepstream)',
      );
    }
    return { backend: 'cpu', reason: 'this build has no DeepStream backend: no SDK was found when it was built' };
  }
  // Compiled in, but are the nv* elements registered (GPU driver, plugins)? The DeepStream binding knows.
  const ds = loadAddon() as unknown as {
    deepstreamElementsAvailable?: () => { ok: boolean; missing: string[]; versionError?: string };
  };
  const avail = ds.deepstreamElementsAvailable?.() ?? { ok: false, missing: ['deepstream binding'] };
  if (avail.ok) return { backend: 'deepstream', reason: 'DeepStream SDK compiled in and its elements are registered' };
  // Built for another DeepStream release than the one running here: the backend refuses to run.
  if (avail.versionError) {
    if (requested === 'deepstream') throw new InputError(avail.versionError);
    return { backend: 'cpu', reason: avail.versionError };
  }
  if (requested === 'deepstream') throw new InputError(`DeepStream elements not available: ${avail.missing.join(', ')}`);
  return { backend: 'cpu', reason: `DeepStream elements not available (${avail.missing.join(', ')})` };
}
