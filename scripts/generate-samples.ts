// Regenerates the shipped sample: samples/sample_720p.h264 (H.264 elementary stream, like DeepStream's
// sample_720p.h264), sample_720p.truth.json (exact expected counts), sample_720p.scenario.json (what it
// was rendered from) and config_nvdsanalytics.txt (its lines).
//
//   npx tsx scripts/generate-samples.ts                     # the shipped sample, into samples/
//   npx tsx scripts/generate-samples.ts --fixtures OUT_DIR  # also every test/fixtures/scenarios/*.json
//
// Needs the native addon (npm run build:native, or DS_KAFKA_ADDON=path/to/ds_kafka.node).
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkScenario } from '../src/sample/check.js';
import { generateScenarioSample, loadScenario } from '../src/sample/generate.js';
import { scenarioConfigText, type Scenario } from '../src/sample/scenario.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_BYTES = 3 * 1024 * 1024;

const sample720p: Scenario = {
  name: "sample_720p",
  description: "Shipped sample: an intersection seen from a pole camera, 18 s at 1280x720@30. 'straight' (seed-style, arrow points up) and 'Exit' (right-hand side, arrow points right). Counted: four objects cross 'straight' upwards, three cross 'Exit' rightwards. Not counted: one crosses 'straight' downwards, one crosses 'Exit' leftwards, one stops above 'straight' and walks back, one turns back before it. Stops last 0.8 s and keep the whole box at least 60 px from the line.",
  seed: 720,
  durationSec: 18,
  noise: 2,
  lighting: { amplitude: 0.04, periodFrames: 360 },
  objects: [
    { id: "car-up-1", size: [80, 140], color: "#c83232", path: [{ frame: 0, x: 420, y: 865 }, { frame: 170, x: 420, y: -10 }] },
    { id: "car-down-1", size: [80, 140], color: "#2f5fc8", path: [{ frame: 20, x: 760, y: -5 }, { frame: 190, x: 760, y: 870 }] },
    { id: "person-up", size: [36, 72], shape: "ellipse", color: "#e6c828", path: [{ frame: 60, x: 300, y: 800 }, { frame: 333, x: 300, y: -10 }] },
    { id: "car-right-1", size: [130, 70], color: "#20b4c8", path: [{ frame: 120, x: -80, y: 300 }, { frame: 330, x: 1400, y: 300 }] },
    { id: "person-right", size: [36, 72], shape: "ellipse", color: "#dc7820", path: [{ frame: 150, x: -20, y: 620 }, { frame: 400, x: 1300, y: 620 }] },
    { id: "car-stop-cross", size: [80, 140], color: "#1e9646", path: [{ frame: 180, x: 900, y: 865 }, { frame: 221, x: 900, y: 660 }, { frame: 245, x: 900, y: 660 }, { frame: 379, x: 900, y: -10 }] },
    { id: "person-stop-back", size: [36, 72], shape: "ellipse", color: "#ff5fa0", path: [{ frame: 250, x: 560, y: -5 }, { frame: 375, x: 560, y: 370 }, { frame: 399, x: 560, y: 370 }, { frame: 523, x: 560, y: -5 }] },
    { id: "car-left-1", size: [130, 70], color: "#8c32a0", path: [{ frame: 400, x: 1400, y: 580 }, { frame: 639, x: -100, y: 580 }] },
    { id: "car-turn-back", size: [80, 140], color: "#dcdc3c", path: [{ frame: 330, x: 680, y: 865 }, { frame: 371, x: 680, y: 660 }, { frame: 412, x: 680, y: 865 }] },
    { id: "car-up-2", size: [80, 140], color: "#2f5fc8", path: [{ frame: 380, x: 440, y: 865 }, { frame: 539, x: 440, y: -5 }] },
    { id: "car-right-2", size: [130, 70], color: "#c83232", path: [{ frame: 300, x: -80, y: 190 }, { frame: 539, x: 1400, y: 190 }] }
  ],
  analytics: {
    configWidth: 1280,
    configHeight: 720,
    lines: [
      { label: "straight", arrow: [[640, 600], [640, 300]], line: [[200, 450], [1080, 450]], extended: false, mode: "loose" },
      { label: "Exit", arrow: [[1100, 400], [1220, 400]], line: [[1160, 150], [1160, 650]], extended: false, mode: "loose" }
    ]
  }
};

async function render(scenario: Scenario, dir: string, name: string, withConfig: boolean): Promise<void> {
  const issues = checkScenario(scenario);
  if (issues.length > 0) throw new Error(`scenario "${name}" is not clean:\n  ${issues.join('\n  ')}`);
  const started = Date.now();
  const out = await generateScenarioSample(scenario, join(dir, `${name}.h264`), withConfig ? { configPath: join(dir, 'config_nvdsanalytics.txt') } : {});
  const { stream, truth } = out;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${out.streamPath}: ${stream.frames} frames ${stream.width}x${stream.height} @${truth.fps} (${(stream.frames / truth.fps).toFixed(1)} s), ` +
      `${(stream.bytes / 1024 / 1024).toFixed(2)} MB, expected lc_cum ${JSON.stringify(truth.expected.lc_cum)} [${secs} s]`,
  );
}

async function main(): Promise<void> {
  const samples = join(root, 'samples');
  await mkdir(samples, { recursive: true });
  await writeFile(join(samples, 'sample_720p.scenario.json'), `${JSON.stringify(sample720p, null, 2)}\n`);
  await render(sample720p, samples, 'sample_720p', true);
  const { size: bytes } = await stat(join(samples, 'sample_720p.h264'));
  if (bytes > MAX_BYTES) throw new Error(`samples/sample_720p.h264 is ${bytes} bytes, over the 3 MB budget: lower encoder.bitrateKbps`);
  console.log(`${join(samples, 'config_nvdsanalytics.txt')}:\n${scenarioConfigText(sample720p)}`);

  const i = process.argv.indexOf('--fixtures');
  if (i >= 0) {
    const outDir = resolve(process.argv[i + 1] ?? join(root, 'build-samples'));
    await mkdir(outDir, { recursive: true });
    const dir = join(root, 'test', 'fixtures', 'scenarios');
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
      const s = await loadScenario(join(dir, file));
      await render(s, outDir, s.name, false);
      await writeFile(join(outDir, `${s.name}.config_nvdsanalytics.txt`), scenarioConfigText(s));
    }
  }
}

main().catch((err: unknown) => {
  console.error((err as Error)?.message ?? err);
  process.exit(1);
});
