// `ds-kafka sample`: write the bundled sample (stream, analytics config, ground truth) or render a new one
// from a scenario file, to try ds-kafka on a stream whose exact counts are known.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { InputError } from '../../errors.js';
import { packageRoot } from '../../native/addon.js';
import { generateScenarioSample, loadScenario } from '../../sample/generate.js';
import { createOutput } from '../output.js';

export function sampleBuilder(y: Argv) {
  return y
    .option('out', { alias: 'o', type: 'string', default: 'ds-kafka-sample', describe: 'output folder' })
    .option('scenario', { type: 'string', describe: 'scenario JSON to render (see samples/sample_720p.scenario.json); default: copy the bundled 720p sample' });
}

export async function sampleHandler(a: ArgumentsCamelCase<{ out: string; scenario?: string; quiet: boolean }>): Promise<void> {
  const out = createOutput('text', a.quiet);
  mkdirSync(a.out, { recursive: true });
  if (!a.scenario) {
    const files = ['sample_720p.h264', 'sample_720p.truth.json', 'config_nvdsanalytics.txt', 'sample_720p.scenario.json'];
    for (const f of files) copyFileSync(join(packageRoot, 'samples', f), join(a.out, f));
    out.result(`wrote ${files.map((f) => join(a.out, f)).join(', ')}`);
    out.result(`try: npx ds-kafka run -i ${join(a.out, files[0]!)} --analytics-config ${join(a.out, files[2]!)}`);
    return;
  }
  if (!existsSync(a.scenario)) throw new InputError(`scenario not found: ${a.scenario}`);
  const scenario = await loadScenario(a.scenario);
  const name = basename(a.scenario, extname(a.scenario));
  const stream = join(a.out, `${name}.h264`);
  const configPath = join(a.out, `${name}.config_nvdsanalytics.txt`);
  out.info(`rendering ${scenario.frames} frames of ${scenario.width}x${scenario.height}…`);
  const g = await generateScenarioSample(scenario, stream, { configPath });
  const expected = Object.entries(g.truth.expected.lc_cum).map(([k, v]) => `${k}=${v}`).join(' ');
  out.result(`wrote ${stream} (${g.stream.bytes} bytes), ${g.truthPath}, ${configPath}; expected lc_cum ${expected}`);
}
