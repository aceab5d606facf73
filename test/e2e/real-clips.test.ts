// Counting on real footage: every committed clip of samples/real/ through the real pipeline (GStreamer
// decode -> the shipped DNN detector -> SORT -> analytics) ends with exactly the ground truth's lc_cum per
// label, and each counted crossing lies within a few frames of the hand-established one (a real
// detector's box edges differ by a few pixels from a person's reading of the feet).
import { describe, expect, it } from 'vitest';
import { createPipeline } from '../../src/pipeline/pipeline.js';
import type { FrameRecord } from '../../src/pipeline/events.js';
import { dnnModelStatus } from '../../src/native/detector.js';
import { runCpuPipeline } from '../../src/native/pipeline.js';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { realClips } from '../helpers/real-clips.js';

const FRAME_TOLERANCE = 3;
const clips = realClips();

describe('DNN detector: exact counts on real clips with frame-by-frame ground truth', () => {
  it('has at least two clips with people and one with vehicles, and the model is installed', () => {
    const classes = clips.map((c) => c.truth);
    expect(clips.length).toBeGreaterThanOrEqual(3);
    expect(classes.filter((t) => JSON.stringify(t).includes('"classId": 2') || /person/.test(JSON.stringify(t))).length).toBeGreaterThanOrEqual(2);
    expect(classes.filter((t) => /car/.test(JSON.stringify(t))).length).toBeGreaterThanOrEqual(1);
    expect(dnnModelStatus().installed, 'the DNN model is installed by `npm run setup`').toBe(true);
  });

  for (const clip of clips) {
    it(clip.name, { timeout: 240_000 }, async () => {
      const counted: Array<{ label: string; frame: number }> = [];
      let frames = 0;
      // A clip may name the detector config its camera needs (the overhead car park: a viewpoint class map).
      const detectorConfig = clip.truth.detectorConfig ? join(repoRoot, clip.truth.detectorConfig) : undefined;
      const p = createPipeline({ inputs: [clip.video], analyticsConfig: clip.analyticsConfig, detector: 'dnn', detectorConfig });
      p.on('frame', (r: FrameRecord) => {
        frames++;
        for (const [label, n] of Object.entries(r.objLCCurrCnt)) for (let i = 0; i < n; i++) counted.push({ label, frame: r.frameNum });
      });
      const report = await p.start().done;
      const s = report.streams[0]!;
      expect(s.state).toBe('eos');
      expect(s.frames).toBe(clip.truth.frames);
      expect(frames).toBe(clip.truth.frames);
      expect(s.detector).toMatch(/^dnn /);
      expect(s.lcCum).toEqual(clip.truth.expected.lcCum);
      // Each true crossing is matched by one counted crossing of its label, close in time.
      const left = [...counted];
      for (const c of clip.truth.crossings) {
        const i = left.findIndex((x) => x.label === c.label && Math.abs(x.frame - c.frame) <= FRAME_TOLERANCE);
        expect(i, `${c.object} crossing ${c.label} at frame ${c.frame}; counted: ${JSON.stringify(counted)}`).toBeGreaterThanOrEqual(0);
        left.splice(i, 1);
      }
      expect(left).toEqual([]);
    });
  }
});

describe('DNN detector: the motion gate skips the network only where nothing moves', () => {
  async function inferences(name: string, detectorConfig: string): Promise<{ inferred: boolean[]; objects: number[]; frames: number }> {
    const clip = clips.find((c) => c.name === name)!;
    const inferred: boolean[] = [];
    const objects: number[] = [];
    const r = await runCpuPipeline({ inputs: [clip.video], detectorKind: 'dnn', detectorConfigPath: join(repoRoot, 'config', detectorConfig) }, (f) => {
      inferred[f.frameNum] = f.timings.inferred;
      objects[f.frameNum] = f.numObjects;
    });
    expect(r.streams[0]!.frames).toBe(clip.truth.frames);
    expect(r.streams[0]!.timings.infer.count).toBe(inferred.filter(Boolean).length);
    return { inferred, objects, frames: clip.truth.frames };
  }

  it('cars-overhead (long empty stretches): the network runs on well under the frames, yet on every frame with a tracked car', { timeout: 240_000 }, async () => {
    const { inferred, objects, frames } = await inferences('cars-overhead', 'detector_dnn_overhead.txt');
    expect(inferred.filter(Boolean).length).toBeLessThan(frames * 0.7);
    // 12.5 fps with inference-fps 10: at most one frame in five is skipped by the rate, never two in a row
    // while a car is in view.
    for (let i = 1; i < frames; i++) if (objects[i]! > 0 && objects[i - 1]! > 0) expect(inferred[i] || inferred[i - 1], `frame ${i}`).toBe(true);
  });

  it('people-one-by-one-a: while someone is in view (10 fps, inference-fps 10) every frame is inferred', { timeout: 240_000 }, async () => {
    const { inferred, objects } = await inferences('people-one-by-one-a', 'detector_dnn.txt');
    objects.forEach((n, i) => {
      if (n > 0) expect(inferred[i], `frame ${i}`).toBe(true);
    });
  });
});
