// Another Node project installs ds-kafka from a packed tarball (the addon builds at install time),
// typechecks against its typed API and runs it: the package as users get it, not the repo.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { sample } from '../helpers/samples.js';

// Async: a blocking child process would starve vitest's worker RPC for minutes.
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const consumerSource = `
import { createPipeline, config, loadAddon, type RunReport, type FrameRecord } from 'ds-kafka';

const caps = loadAddon().capabilities();
const parsed = config.parseAnalyticsConfig('[property]\\nenable=1\\nconfig-width=1280\\nconfig-height=720\\n', 'inline.txt');
const frames: FrameRecord[] = [];
const p = createPipeline({ inputs: [process.argv[2]!], analyticsConfig: process.argv[3]!, detector: 'motion' });
p.on('frame', (f) => frames.push(f));
const report: RunReport = await p.start().done;
console.log(JSON.stringify({ backends: caps.backends, width: parsed.config.configWidth, frames: frames.length, lcCum: report.streams[0]!.lcCum }));
`;

describe('the packed package in another project', () => {
  it('installs from the tarball, typechecks and runs', { timeout: 600_000 }, async () => {
    const tgz = (await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: repoRoot })).stdout.trim().split('\n').at(-1)!;
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    writeFileSync(join(app, 'index.ts'), consumerSource);
    writeFileSync(
      join(app, 'tsconfig.json'),
      // A Node project has @types/node; borrow the repo's rather than downloading it again.
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false,
          typeRoots: [join(repoRoot, 'node_modules', '@types')], types: ['node'],
        },
      }),
    );
    // --foreground-scripts: the addon's cmake-js build output is visible if it fails.
    await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', join(dir, tgz)], { cwd: app, timeout: 540_000, maxBuffer: 64 << 20 });
    // Typecheck the consumer against the package's declarations (the repo's TypeScript compiler).
    await run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: app }).catch((e: { stdout?: string }) => {
      throw new Error(`the consumer does not typecheck against the package:\n${e.stdout}`);
    });
    const { stdout: out } = await run(process.execPath, ['index.js', sample.stream, sample.analyticsConfig], { cwd: app });
    const result = JSON.parse(out.trim()) as { backends: string[]; width: number; frames: number; lcCum: Record<string, number> };
    expect(result.backends).toContain('cpu');
    expect(result.width).toBe(1280);
    expect(result.frames).toBe(sample.truth.frames);
    expect(result.lcCum).toEqual(sample.truth.expected.lc_cum);
  });
});
