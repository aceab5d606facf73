// ROI filtering, overcrowding and objCnt (shared/docs/deepstream-reference.md §1, §2).
// The reference point of a box is its bottom centre; boxAt(x, y) builds a 40x80 box whose bottom centre is (x, y).
import { describe, expect, it } from 'vitest';
import type { XY } from '../../src/config/resolved.js';
import { createAnalyticsEngine } from '../../src/native/analytics.js';
import type { AnalyticsFrameInput, AnalyticsObjectInput } from '../../src/native/analytics.js';
import { analyticsConfig, boxAt } from '../helpers/synthetic-tracks.js';

const SQUARE: XY[] = [
  [100, 100],
  [500, 100],
  [500, 500],
  [100, 500],
];

function frame(objects: AnalyticsObjectInput[], extra: Partial<AnalyticsFrameInput> = {}): AnalyticsFrameInput {
  return { streamId: 0, frameNum: 0, ptsMs: 0, frameWidth: 1920, frameHeight: 1080, objects, ...extra };
}

const obj = (id: number, classId: number, x: number, y: number): AnalyticsObjectInput => ({ id, classId, ...boxAt(x, y) });

describe('ROI filtering', () => {
  const engine = () =>
    createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          rois: [
            { label: 'In', polygon: SQUARE, inverse: false, classIds: [] },
            { label: 'Out', polygon: SQUARE, inverse: true, classIds: [] },
            { label: 'InCls1', polygon: SQUARE, inverse: false, classIds: [1] },
            { label: 'InCls02', polygon: SQUARE, inverse: false, classIds: [0, 2] },
          ],
        },
      ]),
    );

  it('flags objects inside (boundary included), inverse flags those outside, with class filters', () => {
    // id 1 (class 0) at (300,300): inside. id 2 (class 0) at (600,300): outside. id 3 (class 1) at (500,300):
    // on the right edge -> inside. id 4 (class 0): NaN box -> no spatial rule. id 5 (class 2) at (300,300): inside.
    // In: 1, 3, 5 -> 3.  Out (inverse): 2 -> 1.  InCls1: 3 -> 1.  InCls02: 1, 5 -> 2.
    const r = engine().process(
      frame([
        obj(1, 0, 300, 300),
        obj(2, 0, 600, 300),
        obj(3, 1, 500, 300),
        { id: 4, classId: 0, left: Number.NaN, top: 10, width: 10, height: 10 },
        obj(5, 2, 300, 300),
      ]),
    );
    expect(r.objInROIcnt).toEqual({ In: 3, Out: 1, InCls1: 1, InCls02: 2 });
    // objCnt: every object per class, the NaN box included: class 0 -> ids 1, 2, 4.
    expect(r.objCnt).toEqual({ '0': 3, '1': 1, '2': 1 });
    expect(r.ocStatus).toEqual({});
    expect(r.objLCCumCnt).toEqual({});
    expect(r.objects.map((o) => [o.id, o.roiStatus])).toEqual([
      [1, ['In', 'InCls02']],
      [2, ['Out']],
      [3, ['In', 'InCls1']],
      [5, ['In', 'InCls02']],
    ]);
  });

  it('uses the bottom centre, not the box centre', () => {
    // Box 40x80 with bottom centre (300, 540): its centre (300, 500) is on the square's edge, its bottom
    // centre is 40 px below the square -> outside.
    const r = engine().process(frame([obj(1, 0, 300, 540)]));
    expect(r.objInROIcnt.In).toBe(0);
    expect(r.objInROIcnt.Out).toBe(1);
  });

  it('reports every label with 0 on an empty frame', () => {
    expect(engine().process(frame([])).objInROIcnt).toEqual({ In: 0, Out: 0, InCls1: 0, InCls02: 0 });
  });

  it('a degenerate polygon flags nothing, even inverted', () => {
    const e = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          rois: [
            { label: 'Empty', polygon: [], inverse: true, classIds: [] },
            { label: 'Two', polygon: [[0, 0], [100, 100]], inverse: false, classIds: [] },
          ],
        },
      ]),
    );
    const r = e.process(frame([obj(1, 0, 50, 50), obj(2, 0, 900, 900)]));
    expect(r.objInROIcnt).toEqual({ Empty: 0, Two: 0 });
    expect(r.objects).toEqual([]);
  });

  it('scales the polygon from config to frame size', () => {
    // Config square (100..500)^2 in 1920x1080 -> (50..250)^2 in a 960x540 frame.
    // (200, 200) is inside the scaled square; (300, 300) would be inside the unscaled one only.
    const r = engine().process(frame([obj(1, 0, 200, 200), obj(2, 0, 300, 300)], { frameWidth: 960, frameHeight: 540 }));
    expect(r.objInROIcnt.In).toBe(1);
    expect(r.objects.find((o) => o.id === 1)?.roiStatus).toContain('In');
    expect(r.objects.find((o) => o.id === 2)?.roiStatus).toEqual(['Out']);
  });

  it('a concave polygon: a point in the notch is outside', () => {
    // U shape: the notch (200..400, 100..400) is not part of the polygon.
    const U: XY[] = [
      [100, 100],
      [200, 100],
      [200, 400],
      [400, 400],
      [400, 100],
      [500, 100],
      [500, 500],
      [100, 500],
    ];
    const e = createAnalyticsEngine(analyticsConfig([{ streamId: 0, rois: [{ label: 'U', polygon: U, inverse: false, classIds: [] }] }]));
    const r = e.process(frame([obj(1, 0, 300, 250), obj(2, 0, 150, 250), obj(3, 0, 300, 450)]));
    // (300,250) in the notch -> out; (150,250) left arm -> in; (300,450) bottom bar -> in.
    expect(r.objInROIcnt.U).toBe(2);
    expect(r.objects.map((o) => o.id)).toEqual([2, 3]);
  });
});

describe('overcrowding', () => {
  const engine = () =>
    createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          overcrowding: [
            { label: 'Crowd', polygon: SQUARE, objectThreshold: 3, timeThresholdMs: 2000, classIds: [] },
            { label: 'Trucks', polygon: SQUARE, objectThreshold: 1, timeThresholdMs: 2000, classIds: [2] },
          ],
        },
      ]),
    );

  it('status when the count inside reaches the threshold; the count goes to objInROIcnt', () => {
    const e = engine();
    // Frame 0: ids 1, 2 inside (class 0), id 3 outside -> Crowd 2 < 3 -> false; Trucks 0 < 1 -> false.
    const r0 = e.process(frame([obj(1, 0, 200, 200), obj(2, 0, 300, 300), obj(3, 0, 900, 900)]));
    expect(r0.ocStatus).toEqual({ Crowd: false, Trucks: false });
    expect(r0.objInROIcnt).toEqual({ Crowd: 2, Trucks: 0 });
    // per-object ocStatus lists the OC regions the object is in, overcrowded or not
    expect(r0.objects.map((o) => [o.id, o.ocStatus])).toEqual([
      [1, ['Crowd']],
      [2, ['Crowd']],
    ]);
    // Frame 1: ids 1, 2 (class 0) and 4 (class 2) inside -> Crowd 3 >= 3 -> true; Trucks 1 >= 1 -> true.
    const r1 = e.process(frame([obj(1, 0, 200, 200), obj(2, 0, 300, 300), obj(4, 2, 400, 400)], { frameNum: 1, ptsMs: 40 }));
    expect(r1.ocStatus).toEqual({ Crowd: true, Trucks: true });
    expect(r1.objInROIcnt).toEqual({ Crowd: 3, Trucks: 1 });
    expect(r1.objects.find((o) => o.id === 4)?.ocStatus).toEqual(['Crowd', 'Trucks']);
    // Frame 2: nobody -> false and 0, every label still present.
    const r2 = e.process(frame([], { frameNum: 2, ptsMs: 80 }));
    expect(r2.ocStatus).toEqual({ Crowd: false, Trucks: false });
    expect(r2.objInROIcnt).toEqual({ Crowd: 0, Trucks: 0 });
  });

  it('time-threshold is parsed but unused: status is per frame', () => {
    // timeThresholdMs = 2000 but a single frame with 3 objects is already overcrowded.
    const r = engine().process(frame([obj(1, 0, 200, 200), obj(2, 0, 210, 210), obj(3, 0, 220, 220)]));
    expect(r.ocStatus.Crowd).toBe(true);
  });

  it('objectThreshold 0 is literally "count >= 0": always overcrowded', () => {
    const e = createAnalyticsEngine(
      analyticsConfig([
        { streamId: 0, overcrowding: [{ label: 'Z', polygon: SQUARE, objectThreshold: 0, timeThresholdMs: 0, classIds: [] }] },
      ]),
    );
    expect(e.process(frame([])).ocStatus).toEqual({ Z: true });
  });

  it('ROI and overcrowding counts share objInROIcnt; a shared label takes the OC count', () => {
    const e = createAnalyticsEngine(
      analyticsConfig([
        {
          streamId: 0,
          rois: [
            { label: 'Zone', polygon: SQUARE, inverse: true, classIds: [] },
            { label: 'R', polygon: SQUARE, inverse: false, classIds: [] },
          ],
          overcrowding: [{ label: 'Zone', polygon: SQUARE, objectThreshold: 5, timeThresholdMs: 0, classIds: [] }],
        },
      ]),
    );
    // inside: ids 1, 2; outside: id 3. ROI 'Zone' (inverse) would say 1, OC 'Zone' says 2; R says 2.
    const r = e.process(frame([obj(1, 0, 200, 200), obj(2, 0, 300, 300), obj(3, 0, 900, 900)]));
    expect(r.objInROIcnt).toEqual({ R: 2, Zone: 2 });
    expect(r.ocStatus).toEqual({ Zone: false });
  });
});

describe('objCnt and unconfigured streams', () => {
  it('a stream without config produces objCnt only', () => {
    const e = createAnalyticsEngine(analyticsConfig([{ streamId: 0, rois: [{ label: 'In', polygon: SQUARE, inverse: false, classIds: [] }] }]));
    const r = e.process(frame([obj(1, 0, 200, 200), obj(2, 3, 200, 200), obj(3, 3, 900, 900)], { streamId: 5 }));
    expect(r).toEqual({
      streamId: 5,
      frameNum: 0,
      ptsMs: 0,
      ocStatus: {},
      objInROIcnt: {},
      objLCCurrCnt: {},
      objLCCumCnt: {},
      objCnt: { '0': 1, '3': 2 },
      objects: [],
    });
  });

  it('enable=false behaves like no config', () => {
    const e = createAnalyticsEngine(
      analyticsConfig([{ streamId: 0, rois: [{ label: 'In', polygon: SQUARE, inverse: false, classIds: [] }] }], { enable: false }),
    );
    const r = e.process(frame([obj(1, 0, 200, 200)]));
    expect(r.objInROIcnt).toEqual({});
    expect(r.objCnt).toEqual({ '0': 1 });
  });
});
