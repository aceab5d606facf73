// The native producer's spool (--spool-dir) without a broker (a closed port): what is not acknowledged stays
// on disk across producer instances, re-sending never blocks the JavaScript thread even when librdkafka's
// queue is full, one process per spool, and a full spool says so and keeps sending from memory.
// The end-to-end proof against a real broker and SIGKILL is test/integration/durable-counts.test.ts.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NativeKafkaProducer } from '../../src/kafka/native-producer.js';
import type { ProducerEvent } from '../../src/kafka/types.js';

const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-spool-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Nothing listens on port 1: every message waits, as with a broker that is down.
const nowhere = { bootstrapServers: '127.0.0.1:1', topic: 't', deliveryTimeoutMs: 60_000 };
const payload = (i: number) => JSON.stringify({ messageid: `m-${i}`, n: i, pad: 'x'.repeat(200) });

describe('native producer spool', () => {
  it('keeps unacknowledged messages across producers; re-sending a large spool never blocks JavaScript', async () => {
    const spoolDir = join(dir, 'a');
    const first = new NativeKafkaProducer({ ...nowhere, spoolDir });
    for (let i = 0; i < 300; i++) first.send('cam', payload(i));
    expect(first.stats().spool).toMatchObject({ spooled: 300, pending: 300, unspooled: 0 });
    const closed = await first.close(100);
    expect(closed.delivered).toBe(0);
    expect(closed.spool?.pending).toBe(300);
    expect(readdirSync(spoolDir).some((f) => f.endsWith('.log'))).toBe(true);

    // librdkafka may queue only 10 messages: the other 290 wait in the poll thread, not in this constructor.
    const logs: string[] = [];
    const t0 = performance.now();
    const second = new NativeKafkaProducer({ ...nowhere, spoolDir, properties: [['queue.buffering.max.messages', '10']] }, (e: ProducerEvent) => {
      if (e.type === 'log') logs.push(e.message);
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 300)); // the event loop runs while the re-send waits for room
    expect(second.stats()).toMatchObject({ produced: 300, delivered: 0 });
    expect(second.stats().spool).toMatchObject({ resent: 300, pending: 300 });
    expect(logs.join('\n')).toMatch(/re-sending 300 unacknowledged message\(s\) from an earlier run/);
    // One process per spool: the directory is locked while a producer has it.
    expect(() => new NativeKafkaProducer({ ...nowhere, spoolDir })).toThrow(/in use by another ds-kafka process/);
    const end = await second.close(100);
    expect(end.inFlight).toBe(0); // not yet queued or purged: counted as failed, still on disk
    expect(end.failed).toBe(300);
    expect(end.spool?.pending).toBe(300);
  });

  it('a full spool warns and keeps sending from memory', async () => {
    const logs: string[] = [];
    const p = new NativeKafkaProducer({ ...nowhere, spoolDir: join(dir, 'b'), spoolMaxBytes: 2500 }, (e) => {
      if (e.type === 'log') logs.push(e.message);
    });
    for (let i = 0; i < 20; i++) p.send('cam', payload(i));
    const s = p.stats();
    expect(s.produced).toBe(20);
    expect(s.spool!.spooled).toBeGreaterThan(0);
    expect(s.spool!.spooled + s.spool!.unspooled).toBe(20);
    expect(s.spool!.unspooled).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(logs.join('\n')).toMatch(/spool full \(limit 2500 bytes\); further messages are kept in memory only/);
    await p.close(100);
  });
});
