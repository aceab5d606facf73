// A library user's event handler that throws: the exception reaches process 'uncaughtException' (rethrown
// on the next tick, as from any Node event handler) instead of vanishing with a DEP0168 warning, and it
// costs nothing else: the other listeners, records() and the report still get everything.
// Run in a child process: the test runner itself treats uncaught exceptions as failures.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { sample } from '../helpers/samples.js';

const script = `
import { createPipeline } from ${JSON.stringify(join(repoRoot, 'src', 'index.ts'))};
const p = createPipeline({
  inputs: [${JSON.stringify(sample.stream)}],
  detector: 'motion',
  analyticsConfig: ${JSON.stringify(sample.analyticsConfig)},
  eventQueueSize: 100000,
});
let second = 0;
let messages = 0;
p.on('frame', () => { throw new Error('frame listener'); });
p.on('frame', () => second++);
p.on('message', () => { messages++; throw new Error('message listener'); });
p.on('eos', () => { throw new Error('eos listener'); });
p.start();
// Listening from here on: a failure to create or start the pipeline stays a plain crash.
const uncaught = {};
process.on('uncaughtException', (e) => (uncaught[e.message] = (uncaught[e.message] ?? 0) + 1));
const warnings = [];
process.on('warning', (w) => warnings.push(w.name + ': ' + w.message));
let records = 0;
for await (const r of p.records(100000)) records++;
let report;
try {
  report = await p.done;
} catch (e) {
  report = { rejected: e.message };
}
await new Promise((r) => setTimeout(r, 200));
console.log(JSON.stringify({ report: { frames: report.frames, eventsDropped: report.eventsDropped, built: report.messages?.built, rejected: report.rejected }, records, second, messages, uncaught, warnings }));
`;

describe('library event handlers that throw', () => {
  it('surface as uncaught exceptions on the next tick; records(), other listeners and the report lose nothing', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsk-handlers-'));
    const file = join(dir, 'throwing-handlers.mts');
    writeFileSync(file, script);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', file], { cwd: repoRoot, env: process.env });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      report: { frames: number; eventsDropped: number; built: number; rejected?: string };
      records: number;
      second: number;
      messages: number;
      uncaught: Record<string, number>;
      warnings: string[];
    };
    // The report arrives (a throwing 'eos' handler does not turn into a rejected run).
    expect(out.report.rejected).toBeUndefined();
    expect(out.report.frames).toBe(sample.truth.frames);
    expect(out.report.eventsDropped).toBe(0);
    // Every frame reaches records() and the listener after the throwing one.
    expect(out.records).toBe(sample.truth.frames);
    expect(out.second).toBe(sample.truth.frames);
    expect(out.messages).toBe(out.report.built);
    expect(out.messages).toBeGreaterThan(0);
    // Every exception surfaces, once per call, and none is swallowed with a DEP0168 warning.
    expect(out.uncaught).toEqual({ 'frame listener': sample.truth.frames, 'message listener': out.report.built, 'eos listener': 1 });
    expect(out.warnings.filter((w) => /DEP0168|N-API|callback/i.test(w))).toEqual([]);
  });
});
