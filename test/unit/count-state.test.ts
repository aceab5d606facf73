// What the counting state saves and when (src/state/): only acknowledged messages move it (message and
// delivery events may arrive in either order), counts never go back, and the file round-trips.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PayloadMapping } from '../../src/config/resolved.js';
import { CountStateWriter } from '../../src/state/resume.js';
import { readStateFile } from '../../src/state/state-file.js';
import { StateFollower } from '../../src/state/state-follower.js';

const dir = mkdtempSync(join(tmpdir(), 'ds-kafka-count-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mapping: PayloadMapping = {
  streams: [{ streamId: 0, fields: [{ name: 'lc_cum_in', source: 'lc_cum', key: 'in' }, { name: 'lc_curr_in', source: 'lc_curr', key: 'in' }] }],
  analyticsModule: { id: 'x', description: '', source: '', version: '1' },
  staticFields: {},
};
const message = (id: string, cum: number) => JSON.stringify({ messageid: id, '@timestamp': '2026-11-30T10:00:00.000Z', deviceId: 'cam', analyticsModule: { lc_cum_in: cum, lc_curr_in: 1 } });
const analytics = [{ streamId: 0, rois: [], overcrowding: [], directions: [], lines: [{ label: 'in', arrow: [[0, 0], [1, 1]], line: [[0, 1], [1, 0]], classIds: [], extended: true, mode: 'loose' }] }] as never;

function setup(sub: string, saveWhen: 'acknowledged' | 'handed-over') {
  const stateDir = join(dir, sub);
  const writer = new CountStateWriter(stateDir, [{ streamId: 0, deviceId: 'cam', counts: { in: 5 }, from: '', messages: 2 }], analytics, (m) => {
    throw new Error(m);
  }, 0);
  return { stateDir, writer, follower: new StateFollower(writer, mapping, saveWhen) };
}

describe('counting state', () => {
  it('acknowledged mode: a message counts once its delivery report says ok, in either order', () => {
    const { stateDir, writer, follower } = setup('ack', 'acknowledged');
    follower.onMessage(0, 1, message('a', 6));
    expect(writer.counts(0)).toEqual({ in: 5 }); // not acknowledged yet
    follower.onDelivery(1, true);
    expect(writer.counts(0)).toEqual({ in: 6 });
    follower.onDelivery(2, true); // the report before its message event
    follower.onMessage(0, 2, message('b', 7));
    expect(writer.counts(0)).toEqual({ in: 7 });
    follower.onMessage(0, 3, message('c', 8));
    follower.onDelivery(3, false); // failed: never saved
    expect(writer.counts(0)).toEqual({ in: 7 });
    follower.onMessage(0, 0, message('old', 3)); // unproduced (seq 0) and lower: counts never go back
    expect(writer.counts(0)).toEqual({ in: 7 });
    follower.onEnd([{ streamId: 0, lcCum: { in: 9 } }], false); // undelivered left: the final counts are not taken
    const saved = readStateFile(stateDir, 'cam')!.state;
    expect(saved).toMatchObject({ deviceId: 'cam', lcCum: { in: 7 }, messages: 5, lastMessageId: 'old' });
  });

  it('handed-over mode (spool, DeepStream): saved when built; a clean end saves the final counts', () => {
    const { stateDir, writer, follower } = setup('handed', 'handed-over');
    follower.onMessage(0, 4, message('a', 6));
    expect(writer.counts(0)).toEqual({ in: 6 });
    follower.onEnd([{ streamId: 0, lcCum: { in: 8 } }], true);
    expect(readStateFile(stateDir, 'cam')!.state.lcCum).toEqual({ in: 8 });
  });
});
