// `ds-kafka preview`: draws every analytics rule of a stream on a decoded frame and writes a PNG, to check
// where lines, their directions, ROIs and arrows actually lie before counting anything.
import { writeFileSync } from 'node:fs';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { InputError } from '../../errors.js';
import { renderPreviewImage } from '../../preview/preview.js';
import { UsageError } from '../fail.js';
import { createOutput, type LogFormat } from '../output.js';

export function previewBuilder(y: Argv) {
  return y
    .option('input', { alias: 'i', type: 'string', demandOption: true, describe: 'video file or URI (.h264, .mp4, .mkv, .avi, file://, rtsp://)' })
    .option('analytics-config', { type: 'string', demandOption: true, describe: 'config_nvdsanalytics.txt whose rules are drawn' })
    .option('stream', { type: 'number', default: 0, describe: 'draw the rules of [...-stream-N]' })
    .option('at', { type: 'number', describe: 'the first frame at or after this time (seconds)' })
    .option('frame', { type: 'number', describe: 'frame index from 0 (default 0)' })
    .option('width', { type: 'number', describe: 'output width in pixels, aspect kept (default: the video\'s size)' })
    .option('output', { alias: 'o', type: 'string', default: 'preview.png', describe: 'PNG to write' })
    .check((a) => {
      if (a.at !== undefined && a.frame !== undefined) throw new UsageError('give --at or --frame, not both');
      if (a.frame !== undefined && !(Number.isInteger(a.frame) && (a.frame as number) >= 0)) throw new UsageError('--frame must be a whole number >= 0');
      if (a.at !== undefined && !((a.at as number) >= 0)) throw new UsageError('--at must be >= 0 seconds');
      if (!(Number.isInteger(a.stream) && (a.stream as number) >= 0)) throw new UsageError('--stream must be a whole number >= 0');
      if (a.width !== undefined && !(Number.isInteger(a.width) && (a.width as number) >= 16)) throw new UsageError('--width must be a whole number >= 16');
      return true;
    });
}

interface PreviewArgs {
  input: string;
  analyticsConfig: string;
  stream: number;
  at?: number;
  frame?: number;
  width?: number;
  output: string;
  quiet: boolean;
  logFormat: LogFormat;
}

export async function previewHandler(a: ArgumentsCamelCase<PreviewArgs>): Promise<void> {
  const out = createOutput(a.logFormat, a.quiet);
  const img = await renderPreviewImage({
    input: a.input,
    analyticsConfig: a.analyticsConfig,
    stream: a.stream,
    ...(a.at !== undefined ? { atSeconds: a.at } : {}),
    ...(a.frame !== undefined ? { frame: a.frame } : {}),
    ...(a.width !== undefined ? { width: a.width } : {}),
  });
  for (const w of img.warnings) out.warn(w);
  try {
    writeFileSync(a.output, img.png);
  } catch (err) {
    throw new InputError(`cannot write ${a.output}: ${(err as Error).message}`);
  }
  out.result(
    `wrote ${a.output}: stream ${a.stream} rules on frame ${img.frameNum} (${(img.ptsMs / 1000).toFixed(2)} s) of ${a.input}, ${img.width}x${img.height}`,
    { event: 'preview', output: a.output, stream: a.stream, frameNum: img.frameNum, ptsMs: img.ptsMs, width: img.width, height: img.height, warnings: img.warnings },
  );
}
