import { loadAddon } from '../../native/addon.js';
import { DEFAULT_DETECTOR_CONFIGS, dnnModelStatus } from '../../native/detector.js';
import { createOutput } from '../output.js';

export function capabilitiesHandler(): void {
  const caps = loadAddon().capabilities();
  const dnn = dnnModelStatus();
  const detectors = {
    default: dnn.installed ? 'dnn' : 'motion',
    dnn: {
      available: dnn.installed,
      config: DEFAULT_DETECTOR_CONFIGS.dnn,
      ...(dnn.config
        ? {
            model: dnn.config['model'],
            modelFile: dnn.config['model-file'],
            input: `${String(dnn.config['input-width'])}x${String(dnn.config['input-height'])}`,
            classMap: dnn.config['class-map'],
          }
        : { reason: dnn.reason }),
    },
    motion: { available: true, config: DEFAULT_DETECTOR_CONFIGS.motion },
  };
  createOutput().result(JSON.stringify({ ...caps, detectors }, null, 2));
}
