// The live page in a real headless browser (Debian's chromium through playwright-core) during a real run:
// `ds-kafka run --realtime --http-port 0` on a real clip with the DNN detector, publishing to the test
// broker. The page must load nothing from outside the server, show the stream and its line labels, and a
// counter on it must change while we watch (a person crosses a line); then a screenshot is taken.
// DS_KAFKA_SCREENSHOT=<file.png> also keeps the screenshot (docs/live-page.png is made that way).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureTopic } from '../../src/kafka/admin.js';
import { haveChromium, launchBrowser, CHROMIUM } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus.js';
import { realClips } from '../helpers/real-clips.js';
import { sample } from '../helpers/samples.js';

const bootstrap = inject('kafkaBootstrap');
const port = inject('kafkaPort');
const tmp = mkdtempSync(join(tmpdir(), 'ds-kafka-page-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the live page in a headless browser', () => {
  it('updates a counter live during a run and renders a non-empty screenshot', { timeout: 180_000 }, async () => {
    expect(haveChromium, `${CHROMIUM} not found: run npm run setup (scripts/setup-system.sh installs chromium)`).toBe(true);
    const clip = realClips().find((c) => c.name === 'people-one-by-one-a')!;
    const labels = Object.keys(clip.truth.expected.lcCum);
    const topic = `http-page-${randomUUID().slice(0, 8)}`;
    await ensureTopic(bootstrap, topic);
    let url = '';
    let err = '';
    let pid = 0;
    const run = runCli(
      ['run', '-i', clip.video, '--analytics-config', clip.analyticsConfig, '--msgconv-config', sample.msgconvConfig,
        '--conn-str', `localhost;${port};${topic}`, '--realtime', '--http-port', '0'],
      {
        timeoutMs: 170_000,
        onSpawn: (p) => (pid = p),
        onStderr: (c) => {
          err += c;
          url ||= /^http: live page (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(err)?.[1] ?? '';
        },
      },
    );
    const browser = await launchBrowser();
    try {
      const t0 = Date.now();
      while (!url && Date.now() - t0 < 30_000) await sleep(100);
      expect(url, err).not.toBe('');
      const page = await browser.context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(url);

      // The stream card with one counter per line label of the config.
      await page.locator('.counter .v').first().waitFor({ timeout: 20_000 });
      expect(await page.locator('.counter .l').allTextContents()).toEqual(labels);
      expect(await page.locator('.card h2 .t').textContent()).toBe('Stream 0 · device_test');
      const before = (await page.locator('.counter .v').allTextContents()).join(',');
      // A person crosses a line while the page is open: a counter changes without reloading.
      const seen: string[] = [before];
      for (const end = Date.now() + 60_000; seen.at(-1) === before; await sleep(200)) {
        if (Date.now() > end) throw new Error(`no counter changed in 60 s (${seen.join(' ')}); stderr: ${err}`);
        seen.push((await page.locator('.counter .v').allTextContents()).join(','));
      }
      const after = (await page.locator('.counter .v').allTextContents()).map(Number);
      expect(await page.locator('.card .st').textContent()).toBe('running');
      expect(await page.locator('#run').textContent()).toBe('running');
      expect(await page.locator('svg.chart path').count()).toBe(labels.length);

      // What the page shows is what /metrics says (no crossing in between: they are seconds apart).
      const m = parsePrometheusText(await (await fetch(`${url}metrics`)).text());
      labels.forEach((label, i) => {
        expect(after[i], label).toBe(sampleValue(m, 'ds_kafka_line_crossings_total', { stream: '0', device: 'device_test', label }));
      });

      await sleep(1200); // one more chart sample
      const png = await page.screenshot({ fullPage: true });
      writeFileSync(join(tmp, 'live-page.png'), png);
      if (process.env.DS_KAFKA_SCREENSHOT) writeFileSync(process.env.DS_KAFKA_SCREENSHOT, png);
      // A real PNG of the viewport's width with content (a blank page compresses to ~3 KB).
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.readUInt32BE(16)).toBe(1100);
      expect(png.readUInt32BE(20)).toBeGreaterThan(300);
      expect(png.length).toBeGreaterThan(15_000);

      // Nothing was loaded from anywhere but this server, and the page's script ran without errors.
      expect(requests.length).toBeGreaterThan(0);
      for (const r of requests) expect(r.startsWith(url), r).toBe(true);
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
    }
    const r = await run;
    expect([0, 143], r.stderr).toContain(r.code);
  });
});
