// Byte-exact messages, written out by hand: the seed's shape from the shipped-style configs, and a mapping
// that uses every source and every static type. Both builders must produce exactly these strings.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAnalyticsConfig } from '../../src/config/analytics-config.js';
import { buildPayloadMapping } from '../../src/config/field-mapping.js';
import { parseMsgconvConfig } from '../../src/config/msgconv-config.js';
import type { PayloadMapping } from '../../src/config/resolved.js';
import { buildPayloadNative } from '../../src/native/payload.js';
import { buildPayload, type FrameAnalyticsRecord, type MessageContext } from '../../src/payload/build.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/configs/${name}`, import.meta.url)), 'utf8');

const SEED_CTX: MessageContext = {
  messageId: '34359fe1-fa36-4268-b6fc-a302dbab8be9',
  timestamp: '2022-08-20T09:05:01.695Z',
  deviceId: 'device_test',
};

function expectBoth(mapping: PayloadMapping, frame: FrameAnalyticsRecord, ctx: MessageContext, want: string): void {
  expect(buildPayload(mapping, frame, ctx)).toBe(want);
  expect(buildPayloadNative(mapping, frame, ctx)).toBe(want);
}

function seedFrame(curr: number, cum: number): FrameAnalyticsRecord {
  return {
    streamId: 0,
    frameNum: 1234,
    ptsMs: 41133,
    objLCCurrCnt: { straight: curr },
    objLCCumCnt: { straight: cum },
    objInROIcnt: {},
    ocStatus: {},
    objCnt: { '0': 4, '2': 1 },
  };
}

describe('byte-exact payloads', () => {
  const analytics = parseAnalyticsConfig(fixture('config_nvdsanalytics_seed_style.txt'), 'seed.txt').config;

  it("the seed's message, from seed-style configs (labels from config, no patched SDK)", () => {
    const mapping = buildPayloadMapping(analytics, parseMsgconvConfig(fixture('msgconv_config.txt'), 'm.txt').config, [0]);
    expectBoth(
      mapping,
      seedFrame(1, 39),
      SEED_CTX,
      '{"messageid":"34359fe1-fa36-4268-b6fc-a302dbab8be9","@timestamp":"2022-08-20T09:05:01.695Z","deviceId":"device_test",' +
        '"analyticsModule":{"id":"XYZ","description":"Vehicle Detection and License Plate Recognition","source":"OpenALR","version":"1.0",' +
        '"lc_curr_straight":1,"lc_cum_straight":39}}',
    );
  });

  it("DeepStream's quoted description is written without the quotes (the seed's \\\"...\\\" never reappears)", () => {
    const mapping = buildPayloadMapping(analytics, parseMsgconvConfig(fixture('msgconv_config_quoted.txt'), 'q.txt').config, [0]);
    expectBoth(
      mapping,
      seedFrame(0, 40),
      { ...SEED_CTX, timestamp: '2022-08-20T09:05:02.000Z' },
      '{"messageid":"34359fe1-fa36-4268-b6fc-a302dbab8be9","@timestamp":"2022-08-20T09:05:02.000Z","deviceId":"device_test",' +
        '"analyticsModule":{"id":"XYZ","description":"Vehicle Detection and License Plate Recognition","source":"OpenALR","version":"1.0",' +
        '"lc_curr_straight":0,"lc_cum_straight":40}}',
    );
  });

  it('every source, absent labels as 0/false, statics of every type after the counts, escapes as JSON.stringify', () => {
    const mapping: PayloadMapping = {
      streams: [
        { streamId: 1, fields: [{ name: 'never', source: 'lc_cum', key: 'straight' }] },
        {
          streamId: 0,
          fields: [
            { name: 'lc_curr_straight', source: 'lc_curr', key: 'straight' },
            { name: 'lc_cum_straight', source: 'lc_cum', key: 'straight' },
            { name: 'lc_cum_Exit', source: 'lc_cum', key: 'Exit' },
            { name: 'roi_RF', source: 'roi_count', key: 'RF' },
            { name: 'oc_OC', source: 'oc_status', key: 'OC' },
            { name: 'oc_quiet', source: 'oc_status', key: 'quiet' },
            { name: 'obj_count_2', source: 'obj_count', key: '2' },
            { name: 'obj_count_7', source: 'obj_count', key: '7' },
            { name: 'dir_North', source: 'dir_count', key: 'North' },
            { name: 'dir_South', source: 'dir_count', key: 'South' },
            { name: 'entered', source: 'lc_cum', key: 'Entry "gate" \\ 1' },
          ],
        },
      ],
      analyticsModule: { id: 'cam-7', description: 'Line "A"\tcount\n', source: 'ds-kafka', version: '2.0' },
      staticFields: { site: 'Zürich 😀', lane: 3, ratio: 0.1, big: 1e21, tiny: 1e-7, neg: -2.5, wide: 1e20, live: true, test: false, ctl: '\u0000\u001f\u007f' },
    };
    const frame: FrameAnalyticsRecord = {
      streamId: 0,
      frameNum: 90,
      ptsMs: 3000,
      objLCCurrCnt: { straight: 2 },
      objLCCumCnt: { straight: Number.MAX_SAFE_INTEGER, 'Entry "gate" \\ 1': 17 },
      objInROIcnt: { RF: 4294967295 },
      ocStatus: { OC: true },
      objCnt: { '2': 6, '0': 1 },
      dirCnt: { North: 3 },
    };
    expectBoth(
      mapping,
      frame,
      { messageId: '00000000-0000-4000-8000-000000000000', timestamp: '1999-12-31T23:59:59.999Z', deviceId: 'gate\\1 "east"' },
      '{"messageid":"00000000-0000-4000-8000-000000000000","@timestamp":"1999-12-31T23:59:59.999Z","deviceId":"gate\\\\1 \\"east\\"",' +
        '"analyticsModule":{"id":"cam-7","description":"Line \\"A\\"\\tcount\\n","source":"ds-kafka","version":"2.0",' +
        '"lc_curr_straight":2,"lc_cum_straight":9007199254740991,"lc_cum_Exit":0,"roi_RF":4294967295,"oc_OC":true,"oc_quiet":false,' +
        '"obj_count_2":6,"obj_count_7":0,"dir_North":3,"dir_South":0,"entered":17,' +
        '"site":"Zürich 😀","lane":3,"ratio":0.1,"big":1e+21,"tiny":1e-7,"neg":-2.5,"wide":100000000000000000000,"live":true,"test":false,' +
        '"ctl":"\\u0000\\u001f\u007f"}}',
    );
  });

  it('a stream without a mapping gets the analyticsModule header and the statics only', () => {
    const mapping: PayloadMapping = {
      streams: [{ streamId: 0, fields: [{ name: 'lc_cum_straight', source: 'lc_cum', key: 'straight' }] }],
      analyticsModule: { id: 'XYZ', description: '', source: 'OpenALR', version: '1.0' },
      staticFields: { zone: 'north' },
    };
    expectBoth(
      mapping,
      { ...seedFrame(1, 1), streamId: 3 },
      SEED_CTX,
      '{"messageid":"34359fe1-fa36-4268-b6fc-a302dbab8be9","@timestamp":"2022-08-20T09:05:01.695Z","deviceId":"device_test",' +
        '"analyticsModule":{"id":"XYZ","description":"","source":"OpenALR","version":"1.0","zone":"north"}}',
    );
  });
});
