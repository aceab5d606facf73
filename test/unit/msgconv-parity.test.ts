// The DeepStream path publishes what the CPU backend publishes for the same analytics record:
//   DeepStream: NvDsAnalyticsFrameMeta/ObjInfo-shaped meta -> FrameAnalytics (the probe's conversion templates,
//               instantiated on mirrors of the SDK structs) -> SendDecider -> core buildPayload -> DskExtMsg on
//               the event meta -> meta copy -> our converter -> the bytes nvmsgbroker gets
//   CPU:        the same record -> core buildPayload (native/core/payload, the CPU backend's builder)
//   and src/payload/build.ts (the kafkajs path's twin).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAnalyticsConfig } from '../../src/config/analytics-config.js';
import { buildPayloadMapping } from '../../src/config/field-mapping.js';
import { parseMsgconvConfig } from '../../src/config/msgconv-config.js';
import type { PayloadMapping } from '../../src/config/resolved.js';
import { loadAddon } from '../../src/native/addon.js';
import { deepstreamPathMessages, type DsAnalyticsFrame } from '../../src/native/msgconv.js';
import { buildPayload, type FrameAnalyticsRecord } from '../../src/payload/build.js';

const addon = loadAddon();
const read = (rel: string) => readFileSync(fileURLToPath(new URL(`../../${rel}`, import.meta.url)), 'utf8');

function sampleMapping(): PayloadMapping {
  const analytics = parseAnalyticsConfig(read('samples/config_nvdsanalytics.txt'), 'config_nvdsanalytics.txt').config;
  const msgconv = parseMsgconvConfig(
    read('config/msgconv_config.txt') + '\n[payload-static]\nsite=warehouse-7\nfloor=2\noutdoor=false\n',
    'msgconv_config.txt',
  ).config;
  return buildPayloadMapping(analytics, msgconv, [0]);
}

/** The record the CPU backend reports for a frame (dirCnt from the objects' dirStatus). */
function recordOf(f: DsAnalyticsFrame): FrameAnalyticsRecord {
  const dirCnt: Record<string, number> = {};
  for (const o of f.objects ?? [])
    if (o.dirStatus?.startsWith('DIR:')) dirCnt[o.dirStatus.slice(4)] = (dirCnt[o.dirStatus.slice(4)] ?? 0) + 1;
  return {
    streamId: f.streamId,
    frameNum: f.frameNum,
    ptsMs: 0,
    objLCCurrCnt: f.frameMeta.objLCCurrCnt ?? {},
    objLCCumCnt: f.frameMeta.objLCCumCnt ?? {},
    objInROIcnt: f.frameMeta.objInROIcnt ?? {},
    ocStatus: f.frameMeta.ocStatus ?? {},
    objCnt: f.frameMeta.objCnt ?? {},
    dirCnt,
  };
}

describe('DeepStream path (probe + converter) vs CPU backend (core buildPayload): same bytes', () => {
  it('the sample config: one message per crossing frame, identical to the CPU builder and the TS twin', () => {
    const mapping = sampleMapping();
    const mappingJson = JSON.stringify(mapping);
    let cumStraight = 0;
    let cumExit = 0;
    const frames: DsAnalyticsFrame[] = [];
    for (let n = 0; n < 300; n++) {
      const straight = n % 37 === 5 ? 1 : 0;
      const exit = n % 91 === 50 ? 2 : 0;
      cumStraight += straight;
      cumExit += exit;
      frames.push({
        streamId: 0,
        frameNum: n,
        ntpTimestampNs: 1_661_000_000_000_000_000 + n * 33_366_666,
        frameMeta: {
          objLCCurrCnt: { straight, Exit: exit },
          objLCCumCnt: { straight: cumStraight, Exit: cumExit },
          objCnt: { 0: 3, 2: n % 4 },
        },
        objects: straight ? [{ id: 1000 + n, classId: 0, lcStatus: ['straight'] }] : [],
      });
    }
    const msgs = deepstreamPathMessages(mappingJson, frames, {
      deviceIds: ['device_test'],
      configText: read('config/msgconv_config.txt'),
    });
    const crossing = frames.filter((f) => (f.frameMeta.objLCCurrCnt!.straight ?? 0) + (f.frameMeta.objLCCurrCnt!.Exit ?? 0) > 0);
    expect(msgs.map((m) => m.frameNum)).toEqual(crossing.map((f) => f.frameNum));
    for (const m of msgs) {
      const frame = frames[m.frameNum]!;
      expect(m.reason).toBe('line-crossing');
      expect(m.ctx.deviceId).toBe('device_test');
      expect(m.ctx.timestamp).toBe(new Date(Math.floor(frame.ntpTimestampNs! / 1e6)).toISOString());
      const cpu = addon.msgconvBuildPayload(mappingJson, recordOf(frame), m.ctx);
      expect(m.payload).toBe(cpu);
      expect(m.payload).toBe(buildPayload(mapping, recordOf(frame), m.ctx));
    }
    const first = JSON.parse(msgs[0]!.payload);
    expect(first.analyticsModule).toMatchObject({ id: 'XYZ', lc_curr_straight: 1, lc_cum_straight: 1, site: 'warehouse-7', floor: 2, outdoor: false });
  });

  it('--resume-counts on DeepStream: resumed counts are added to nvdsanalytics\' lc_cum (configured labels only) before the payload', () => {
    const mappingJson = JSON.stringify(sampleMapping());
    const frames: DsAnalyticsFrame[] = [3, 7].map((frameNum, i) => ({
      streamId: 0,
      frameNum,
      frameMeta: { objLCCurrCnt: { straight: 1, Exit: 0 }, objLCCumCnt: { straight: i + 1, Exit: 0 } },
      objects: [{ id: 1 + i, classId: 0, lcStatus: ['straight'] }],
    }));
    const base = { straight: 40, Exit: 7, removed: 99 };
    const msgs = deepstreamPathMessages(mappingJson, frames, { cumulativeBase: [base] });
    const cum = msgs.map((m) => JSON.parse(m.payload).analyticsModule as Record<string, unknown>);
    expect(cum.map((a) => [a.lc_cum_straight, a.lc_cum_Exit, a.lc_curr_straight])).toEqual([[41, 7, 1], [42, 7, 1]]);
    expect(JSON.stringify(cum)).not.toContain('removed');
    // Without a base nothing changes (and the other stream's base never leaks into stream 0).
    const plain = deepstreamPathMessages(mappingJson, frames, { cumulativeBase: [{}, { straight: 5 }] });
    expect(plain.map((m) => JSON.parse(m.payload).analyticsModule.lc_cum_straight)).toEqual([1, 2]);
  });

  it('any record, any policy: the DeepStream path and the CPU builder agree byte for byte (property)', () => {
    const label = fc.constantFrom('straight', 'Exit', 'Entry', 'RF', 'é 😀', 'a"b\\c', 'zone-1');
    const counts64 = fc.dictionary(label, fc.integer({ min: 0, max: 2 ** 40 }), { maxKeys: 4 });
    const counts32 = fc.dictionary(label, fc.integer({ min: 0, max: 0xffffffff }), { maxKeys: 4 });
    const frameArb = fc.record({
      frameMeta: fc.record({
        objLCCurrCnt: fc.dictionary(label, fc.integer({ min: 0, max: 3 }), { maxKeys: 3 }),
        objLCCumCnt: counts64,
        objInROIcnt: counts32,
        ocStatus: fc.dictionary(label, fc.boolean(), { maxKeys: 3 }),
        objCnt: fc.dictionary(fc.constantFrom('0', '1', '2', '7'), fc.integer({ min: 0, max: 50 }), { maxKeys: 3 }),
      }),
      objects: fc.array(
        fc.record({ id: fc.nat(), classId: fc.nat(9), dirStatus: fc.constantFrom('', 'STOPPED', 'DIR:North', 'DIR:South') }),
        { maxLength: 4 },
      ),
    });
    const fieldsArb = fc.array(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 8 }),
        source: fc.constantFrom('lc_curr', 'lc_cum', 'roi_count', 'oc_status', 'obj_count', 'dir_count'),
        key: fc.oneof(label, fc.constantFrom('0', '2', 'North', 'South')),
      }),
      { maxLength: 6 },
    );
    const policyArb = fc.record({
      onLineCrossing: fc.boolean(),
      frameInterval: fc.constantFrom(0, 1, 3),
      onRoiChange: fc.boolean(),
      onOvercrowdingChange: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 12 }), fieldsArb, policyArb, (fs, fields, policy) => {
        const mapping = {
          streams: [{ streamId: 0, fields }],
          analyticsModule: { id: 'XYZ', description: 'd', source: 's', version: '1.0' },
          staticFields: { site: 'w7', n: 2.5, on: true },
        } as PayloadMapping;
        const mappingJson = JSON.stringify(mapping);
        const frames: DsAnalyticsFrame[] = fs.map((f, i) => ({ streamId: 0, frameNum: i, ...f }));
        for (const m of deepstreamPathMessages(mappingJson, frames, { policy })) {
          const rec = recordOf(frames[m.frameNum]!);
          expect(m.payload).toBe(addon.msgconvBuildPayload(mappingJson, rec, m.ctx));
          expect(m.payload).toBe(buildPayload(mapping, rec, m.ctx));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('send policy: only crossing frames by default (the seed), plus every N-th frame and changes when asked', () => {
    const mappingJson = JSON.stringify(sampleMapping());
    const frames: DsAnalyticsFrame[] = Array.from({ length: 10 }, (_, n) => ({
      streamId: 0,
      frameNum: n,
      frameMeta: { objLCCurrCnt: { straight: n === 4 ? 1 : 0 }, objInROIcnt: { A: n < 6 ? 1 : 2 } },
    }));
    expect(deepstreamPathMessages(mappingJson, frames).map((m) => [m.frameNum, m.reason])).toEqual([[4, 'line-crossing']]);
    expect(deepstreamPathMessages(mappingJson, frames, { policy: { frameInterval: 5 } }).map((m) => m.frameNum)).toEqual([0, 4, 5]);
    expect(
      deepstreamPathMessages(mappingJson, frames, { policy: { onLineCrossing: false, onRoiChange: true } }).map((m) => m.reason),
    ).toEqual(['roi-change', 'roi-change']);
  });

  it('deviceId per stream ("stream-<N>" when not given), one message per stream per frame at most', () => {
    const mappingJson = JSON.stringify({ streams: [], analyticsModule: { id: 'a', description: '', source: '', version: '' }, staticFields: {} });
    const frames: DsAnalyticsFrame[] = [0, 1, 2].map((s) => ({ streamId: s, frameNum: 0, frameMeta: { objLCCurrCnt: { x: 1 } } }));
    const msgs = deepstreamPathMessages(mappingJson, frames, { deviceIds: ['cam-a', ''] });
    expect(msgs.map((m) => m.ctx.deviceId)).toEqual(['cam-a', 'stream-1', 'stream-2']);
    expect(msgs.map((m) => JSON.parse(m.payload).deviceId)).toEqual(['cam-a', 'stream-1', 'stream-2']);
  });

  it('leaves no DskExtMsg behind', () => {
    expect(addon.msgconvExtMsgLive()).toBe(0);
  });
});
