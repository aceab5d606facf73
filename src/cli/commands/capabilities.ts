import { loadAddon } from '../../native/addon.js';
import { createOutput } from '../output.js';

export function capabilitiesHandler(): void {
  const caps = loadAddon().capabilities();
  createOutput().result(JSON.stringify(caps, null, 2));
}
