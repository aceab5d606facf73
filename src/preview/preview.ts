// The line preview: every analytics rule of one stream drawn on a decoded frame, as a PNG. Decoding and
// drawing are native (native/cpu/osd/); JavaScript receives only the PNG bytes.
//
//   const png = await renderPreview({ input: 'cam.mp4', analyticsConfig: 'config_nvdsanalytics.txt', atSeconds: 2 });
import { loadAnalyticsConfig } from '../config/analytics-config.js';
import { formatWarning } from '../config/errors.js';
import type { ResolvedAnalyticsConfig } from '../config/resolved.js';
import { InputError } from '../errors.js';
import { loadAddon } from '../native/addon.js';
import type { NativePreviewResult } from '../native/osd.js';
import { checkInput } from '../pipeline/options.js';

export interface PreviewOptions {
  /** Video file (.h264, .mp4, .mkv, .avi) or URI. */
  input: string;
  /** config_nvdsanalytics.txt path, or a resolved config. */
  analyticsConfig: string | ResolvedAnalyticsConfig;
  /** Whose rules to draw ([...-stream-N] groups); default 0. */
  stream?: number;
  /** The first frame at or after this time; default the first frame. */
  atSeconds?: number;
  /** Frame index from 0 (instead of atSeconds). */
  frame?: number;
  /** Output width in pixels, aspect kept (default: the video's size). */
  width?: number;
}

/** The PNG and the frame drawn on (index, time); warnings: the config's plus the drawing's (coordinates
 * outside config-width/height are drawn clipped). */
export type PreviewImage = NativePreviewResult;

/** The preview with its details. Throws InputError (input missing, undecodable, frame past the end), ConfigError (bad config). */
export async function renderPreviewImage(o: PreviewOptions): Promise<PreviewImage> {
  checkInput(o.input);
  if (o.frame !== undefined && o.atSeconds !== undefined) throw new InputError('give either a frame or a time, not both');
  if (o.frame !== undefined && !(Number.isInteger(o.frame) && o.frame >= 0)) throw new InputError(`frame must be a whole number >= 0, got ${o.frame}`);
  if (o.atSeconds !== undefined && !(o.atSeconds >= 0)) throw new InputError(`time must be >= 0 s, got ${o.atSeconds}`);
  const stream = o.stream ?? 0;
  if (!(Number.isInteger(stream) && stream >= 0)) throw new InputError(`stream must be a whole number >= 0, got ${stream}`);
  const warnings: string[] = [];
  let config: ResolvedAnalyticsConfig;
  let fileReportsBounds = false;
  if (typeof o.analyticsConfig === 'string') {
    const r = loadAnalyticsConfig(o.analyticsConfig);
    config = r.config;
    // The file's own warnings name file:line; its out-of-bounds ones replace the drawing's (same points).
    for (const w of r.warnings) {
      const bounds = w.code === 'out-of-bounds';
      fileReportsBounds ||= bounds;
      warnings.push(formatWarning(w) + (bounds ? ': drawn clipped' : ''));
    }
  } else {
    config = o.analyticsConfig;
  }
  try {
    const r = await loadAddon().renderPreview({
      input: o.input,
      analyticsConfigJson: JSON.stringify(config),
      streamId: stream,
      ...(o.frame !== undefined ? { frame: o.frame } : {}),
      ...(o.atSeconds !== undefined ? { atMs: o.atSeconds * 1000 } : {}),
      ...(o.width !== undefined ? { width: o.width } : {}),
    });
    const drawing = fileReportsBounds ? r.warnings.filter((w) => !w.includes('outside config-width')) : r.warnings;
    return { ...r, warnings: [...warnings, ...drawing] };
  } catch (err) {
    // Input problems (not found, cannot decode, past the end) are the input's fault: exit code 3.
    throw new InputError((err as Error).message);
  }
}

/** PNG bytes of the preview (see renderPreviewImage for the details and warnings). */
export async function renderPreview(o: PreviewOptions): Promise<Buffer> {
  return (await renderPreviewImage(o)).png;
}
