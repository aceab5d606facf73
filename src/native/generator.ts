// The native sample-stream generator (native/addon/generator_binding.cc): renders a scenario with OpenCV
// and encodes it with GStreamer (appsrc → videoconvert → x264enc → h264parse → filesink) into an H.264
// elementary stream, on a worker thread. src/sample/generate.ts is the usual entry point.
import { loadAddon } from './addon.js';

export interface GeneratedStream {
  frames: number;
  width: number;
  height: number;
  /** Size of the written .h264 file. */
  bytes: number;
}

declare module './addon.js' {
  interface NativeAddon {
    /**
     * Renders `scenarioJson` (src/sample/scenario.ts's Scenario, as JSON) to `outPath`. Rejects with an
     * Error on a bad scenario, an unwritable path or a missing GStreamer plugin (naming its package).
     */
    generateSample(scenarioJson: string, outPath: string): Promise<GeneratedStream>;
  }
}

export function generateSampleStream(scenarioJson: string, outPath: string): Promise<GeneratedStream> {
  return loadAddon().generateSample(scenarioJson, outPath);
}
