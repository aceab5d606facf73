// When a frame becomes a message (native/core/payload/send_policy.h, dsk::SendDecider): by default only
// frames with a line crossing (the seed); optionally every N-th frame, on ROI-count change, on
// overcrowding change. Never one message per object (the occupancy-analytics flood): one decision per
// stream per frame, with one reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sendDecision, type SendPolicyInput, type SendReason } from '../../src/native/payload.js';
import type { FrameAnalyticsRecord } from '../../src/payload/build.js';

function frame(frameNum: number, patch: Partial<FrameAnalyticsRecord> = {}): FrameAnalyticsRecord {
  return {
    streamId: 0,
    frameNum,
    ptsMs: Math.round(frameNum * 33.3),
    objLCCurrCnt: { straight: 0 },
    objLCCumCnt: { straight: 0 },
    objInROIcnt: {},
    ocStatus: {},
    objCnt: {},
    ...patch,
  };
}

const sentAt = (decisions: Array<SendReason | null>, frames: FrameAnalyticsRecord[]) =>
  decisions.flatMap((d, i) => (d ? [frames[i]!.frameNum] : []));

describe('SendDecider', () => {
  it('default: only frames where a line was crossed (objLCCurrCnt > 0), whatever else changes', () => {
    let cum = 0;
    const frames = Array.from({ length: 120 }, (_, i) => {
      const crossed = i === 10 || i === 11 || i === 90 ? (i === 90 ? 2 : 1) : 0;
      cum += crossed;
      return frame(i, {
        objLCCurrCnt: { straight: crossed, Exit: 0 },
        objLCCumCnt: { straight: cum, Exit: 0 },
        objInROIcnt: { RF: i % 7 },
        ocStatus: { OC: i % 2 === 0 },
        objCnt: { '0': i % 5 },
      });
    });
    const d = sendDecision(undefined, frames);
    expect(d).toHaveLength(frames.length);
    expect(sentAt(d, frames)).toEqual([10, 11, 90]);
    expect(new Set(d.filter(Boolean))).toEqual(new Set(['line-crossing']));
    expect(sendDecision({}, frames)).toEqual(d);
    // A crossing on any label counts; cumulative counts alone do not.
    expect(sendDecision(undefined, [frame(0, { objLCCurrCnt: { straight: 0, Exit: 1 } }), frame(1, { objLCCumCnt: { straight: 5 } })])).toEqual([
      'line-crossing',
      null,
    ]);
  });

  it('frame interval N: every frame with frameNum % N == 0, crossings still reported as such', () => {
    const frames = Array.from({ length: 100 }, (_, i) => frame(i, { objLCCurrCnt: { straight: i === 45 || i === 60 ? 1 : 0 } }));
    const d = sendDecision({ frameInterval: 30 }, frames);
    expect(sentAt(d, frames)).toEqual([0, 30, 45, 60, 90]);
    expect(d[0]).toBe('interval');
    expect(d[45]).toBe('line-crossing');
    expect(d[60]).toBe('line-crossing'); // one message with one reason, not two
    // Interval only.
    expect(sentAt(sendDecision({ onLineCrossing: false, frameInterval: 30 }, frames), frames)).toEqual([0, 30, 60, 90]);
    // frameNum, not position in the sequence (frames can be skipped).
    const sparse = [3, 5, 10, 14, 15, 20, 21].map((n) => frame(n));
    expect(sentAt(sendDecision({ frameInterval: 5 }, sparse), sparse)).toEqual([5, 10, 15, 20]);
    // 0 disables it.
    expect(sendDecision({ frameInterval: 0 }, frames.slice(0, 3))).toEqual([null, null, null]);
    // Nothing at all when every trigger is off.
    expect(sendDecision({ onLineCrossing: false }, frames).every((x) => x === null)).toBe(true);
  });

  it('roi-change: the first frame (initial state) and every frame whose ROI counts differ from the previous one', () => {
    const roi: Array<Record<string, number>> = [{ A: 0 }, { A: 0 }, { A: 1 }, { A: 1 }, { A: 1, B: 0 }, { A: 1, B: 0 }, { A: 0, B: 0 }, { A: 0, B: 0 }];
    const frames = roi.map((r, i) => frame(i, { objInROIcnt: r }));
    const d = sendDecision({ onLineCrossing: false, onRoiChange: true }, frames);
    expect(d).toEqual(['roi-change', null, 'roi-change', null, 'roi-change', null, 'roi-change', null]);
    // Overcrowding flips do not trigger it.
    const oc = frames.map((f, i) => ({ ...f, objInROIcnt: { A: 1 }, ocStatus: { OC: i % 2 === 0 } }));
    expect(sentAt(sendDecision({ onLineCrossing: false, onRoiChange: true }, oc), oc)).toEqual([0]);
  });

  it('overcrowding-change: the first frame and every flip of any ocStatus', () => {
    const states = [false, false, true, true, true, false, false, true];
    const frames = states.map((s, i) => frame(i, { ocStatus: { OC: s }, objInROIcnt: { OC: s ? 9 : i } }));
    const d = sendDecision({ onLineCrossing: false, onOvercrowdingChange: true }, frames);
    expect(d).toEqual(['overcrowding-change', null, 'overcrowding-change', null, null, 'overcrowding-change', null, 'overcrowding-change']);
  });

  it('keeps each stream’s state apart when streams interleave', () => {
    const frames: FrameAnalyticsRecord[] = [];
    for (let i = 0; i < 6; i++) {
      frames.push(frame(i, { streamId: 0, objInROIcnt: { A: 1 } })); // never changes after the first frame
      frames.push(frame(i, { streamId: 1, objInROIcnt: { A: i } })); // changes every frame
    }
    const d = sendDecision({ onLineCrossing: false, onRoiChange: true }, frames);
    expect(d.filter((_, i) => frames[i]!.streamId === 0)).toEqual(['roi-change', null, null, null, null, null]);
    expect(d.filter((_, i) => frames[i]!.streamId === 1)).toEqual(Array(6).fill('roi-change'));
  });

  it('a frame that meets every trigger at once is one message (reason by priority)', () => {
    const all: SendPolicyInput = { onLineCrossing: true, frameInterval: 1, onRoiChange: true, onOvercrowdingChange: true };
    const f = frame(0, { objLCCurrCnt: { straight: 3 }, objInROIcnt: { A: 5 }, ocStatus: { A: true } });
    expect(sendDecision(all, [f])).toEqual(['line-crossing']);
    expect(sendDecision({ ...all, onLineCrossing: false }, [f])).toEqual(['overcrowding-change']);
    expect(sendDecision({ ...all, onLineCrossing: false, onOvercrowdingChange: false }, [f])).toEqual(['roi-change']);
    expect(sendDecision({ frameInterval: 1, onLineCrossing: false }, [f])).toEqual(['interval']);
  });

  // A reference model of the documented policy, checked against the native decider on random sequences;
  // the property also states the flood rule: at most one message per stream per frame.
  it('matches the documented policy on random multi-stream sequences, at most one message per stream per frame', () => {
    const policyArb: fc.Arbitrary<SendPolicyInput> = fc.record({
      onLineCrossing: fc.boolean(),
      frameInterval: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 7 })),
      onRoiChange: fc.boolean(),
      onOvercrowdingChange: fc.boolean(),
    });
    const small = (n: number) => fc.dictionary(fc.constantFrom('A', 'B', 'straight'), fc.nat(n), { maxKeys: 2 });
    const step = fc.record({
      streamId: fc.integer({ min: 0, max: 2 }),
      objLCCurrCnt: small(2),
      objInROIcnt: small(2),
      ocStatus: fc.dictionary(fc.constantFrom('A', 'B'), fc.boolean(), { maxKeys: 2 }),
    });
    const same = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
    fc.assert(
      fc.property(policyArb, fc.array(step, { maxLength: 60 }), (policy, steps) => {
        const nextFrame = new Map<number, number>();
        const frames = steps.map((s) => {
          const n = nextFrame.get(s.streamId) ?? 0;
          nextFrame.set(s.streamId, n + 1 + (n % 3 === 2 ? 1 : 0)); // some skipped frame numbers
          return frame(n, { ...s, objLCCumCnt: {} });
        });
        const got = sendDecision(policy, frames);
        const prev = new Map<number, FrameAnalyticsRecord>();
        const want = frames.map((f): SendReason | null => {
          const p = prev.get(f.streamId);
          prev.set(f.streamId, f);
          if (policy.onLineCrossing && Object.values(f.objLCCurrCnt).some((v) => v > 0)) return 'line-crossing';
          if (policy.onOvercrowdingChange && Object.keys(f.ocStatus).length > 0 && (!p || !same(p.ocStatus, f.ocStatus))) return 'overcrowding-change';
          if (policy.onRoiChange && Object.keys(f.objInROIcnt).length > 0 && (!p || !same(p.objInROIcnt, f.objInROIcnt))) return 'roi-change';
          if (policy.frameInterval && f.frameNum % policy.frameInterval === 0) return 'interval';
          return null;
        });
        expect(got).toEqual(want);
        const perStreamFrame = new Map<string, number>();
        got.forEach((d, i) => {
          if (!d) return;
          const k = `${frames[i]!.streamId}/${frames[i]!.frameNum}`;
          perStreamFrame.set(k, (perStreamFrame.get(k) ?? 0) + 1);
        });
        for (const n of perStreamFrame.values()) expect(n).toBe(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('validates the whole sequence before deciding (TypeError/RangeError naming the frame)', () => {
    expect(() => sendDecision({}, [frame(0), { ...frame(1), objLCCurrCnt: { a: -1 } }])).toThrow(/frames\[1\]\.objLCCurrCnt\[a\]/);
    expect(() => sendDecision({ frameInterval: -1 }, [])).toThrow(/policy\.frameInterval/);
    expect(() => sendDecision({ onRoiChange: 1 as unknown as boolean }, [])).toThrow(/policy\.onRoiChange must be a boolean/);
  });
});
