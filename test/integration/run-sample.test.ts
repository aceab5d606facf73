// The main job end to end against the real broker: the shipped sample through the CPU backend, published
// by the native producer (and by the kafkajs path), read back with kcat (independent client): final
// lc_cum_<label> equals the ground truth, keys are the device id, every message validates against the
// schema and carries every configured label.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { ensureTopic } from '../../src/kafka/admin.js';
import { loadMessageValidator } from '../../src/schema/validate.js';
import { kcatRead, runCli } from '../helpers/cli.js';
import { deliveryLine, sample } from '../helpers/samples.js';

const bootstrap = inject('kafkaBootstrap');
const port = inject('kafkaPort');
const validate = loadMessageValidator();
const labels = Object.keys(sample.truth.expected.lc_cum);

for (const producer of ['native', 'kafkajs'] as const) {
  describe(`ds-kafka run on the shipped sample, --producer ${producer}`, () => {
    it('publishes the ground-truth counts in the seed shape, keyed by device id', { timeout: 180_000 }, async () => {
      const topic = `run-${producer}-${randomUUID().slice(0, 8)}`;
      await ensureTopic(bootstrap, topic);
      const r = await runCli(
        [
          'run', '-i', sample.stream, '--detector', sample.detector,
          '--analytics-config', sample.analyticsConfig,
          '--msgconv-config', sample.msgconvConfig,
          '-c', sample.kafkaConfig,
          '--conn-str', `localhost;${port};${topic}`,
          '--device-id', 'gate-7',
          '--producer', producer,
          '--log-format', 'json',
        ],
        { timeoutMs: 150_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      const d = deliveryLine(r.stdout);
      expect(d.built).toBeGreaterThan(0);
      expect(d.delivered).toBe(d.built);
      expect(d.failed + d.inFlight + d.lost).toBe(0);

      const msgs = await kcatRead(bootstrap, topic);
      expect(msgs).toHaveLength(d.built);
      const parsed = msgs.map((m) => {
        expect(m.key).toBe('gate-7');
        expect(validate(m.value)).toBeUndefined();
        return JSON.parse(m.value) as { messageid: string; deviceId: string; analyticsModule: Record<string, unknown> };
      });
      expect(new Set(parsed.map((p) => p.messageid)).size).toBe(parsed.length);
      for (const p of parsed) {
        expect(p.deviceId).toBe('gate-7');
        expect(p.analyticsModule.description).toBe('Vehicle Detection and License Plate Recognition');
        for (const l of labels) {
          expect(p.analyticsModule).toHaveProperty(`lc_curr_${l}`);
          expect(p.analyticsModule).toHaveProperty(`lc_cum_${l}`);
        }
        // Sent only on crossings (the seed's policy): some label crossed in this frame.
        expect(labels.some((l) => (p.analyticsModule[`lc_curr_${l}`] as number) > 0)).toBe(true);
      }
      const last = parsed[parsed.length - 1]!.analyticsModule;
      for (const l of labels) expect(last[`lc_cum_${l}`]).toBe(sample.truth.expected.lc_cum[l]);
      // One message per crossing frame: the per-frame counts add up to the totals.
      for (const l of labels) {
        expect(parsed.reduce((s, p) => s + (p.analyticsModule[`lc_curr_${l}`] as number), 0)).toBe(sample.truth.expected.lc_cum[l]);
      }
    });
  });
}

describe('ds-kafka run without a topic to publish to', () => {
  it('prints the counts when no --conn-str is given', { timeout: 120_000 }, async () => {
    const r = await runCli(['run', '-i', sample.stream, '--detector', sample.detector, '--analytics-config', sample.analyticsConfig]);
    expect(r.code, r.stderr).toBe(0);
    const counts = Object.entries(sample.truth.expected.lc_cum)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    expect(r.stdout).toContain(`lc_cum ${counts}`);
  });
});
