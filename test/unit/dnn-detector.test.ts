// The DNN detector's parts that need no video: config validation (file:line:key errors), model loading
// errors, output decoding of every supported format on hand-made tensors, and weighted NMS.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadAddon } from '../../src/native/addon.js';
import { DEFAULT_DETECTOR_CONFIGS, detectorKindOfFile, dnnModelStatus, resolveDetector } from '../../src/native/detector.js';
import { repoRoot, runCli } from '../helpers/cli.js';

const addon = loadAddon();
const dir = mkdtempSync(join(tmpdir(), 'dsk-dnn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modelsDir = join(repoRoot, 'config', 'models');
/** A DNN config in `dir` whose paths point at the shipped label file and, unless given, a model path. */
function dnnConfig(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, ['[property]', ...lines, ''].join('\n'));
  return path;
}

describe('DNN detector config', () => {
  it('the shipped default and the SSDLite alternative parse, with DeepStream class ids', () => {
    expect(dnnModelStatus().installed, 'run `npm run setup` (scripts/setup-models.sh) to install the models').toBe(true);
    const c = addon.dnnDetectorConfig(DEFAULT_DETECTOR_CONFIGS.dnn);
    expect(c).toMatchObject({ 'output-format': 'yolox', 'input-width': 640, 'input-height': 0, letterbox: true, labels: 80 });
    expect(c['class-map']).toMatchObject({ person: 2, bicycle: 1, car: 0, truck: 0 });
    const s = addon.dnnDetectorConfig(join(repoRoot, 'config', 'detector_dnn_ssdlite.txt'));
    expect(s).toMatchObject({ 'output-format': 'ssd', 'input-width': 300, letterbox: false, 'class-map': { person: 2 } });
    expect(detectorKindOfFile(DEFAULT_DETECTOR_CONFIGS.dnn)).toBe('dnn');
    expect(detectorKindOfFile(DEFAULT_DETECTOR_CONFIGS.motion)).toBe('motion');
  });

  const labels = join(modelsDir, 'yolox-nano.labels.txt');
  const cases: Array<[string, string[], RegExp]> = [
    ['missing model file', ['model-file=/nonexistent/m.onnx', `labelfile-path=${labels}`], /bad-1\.txt:2: key 'model-file' in \[property\]: model file not found: \/nonexistent\/m\.onnx/],
    ['no model-file key', [`labelfile-path=${labels}`], /bad-2\.txt: key 'model-file' in \[property\] is required/],
    ['unknown key', ['model-file=MODEL', `labelfile-path=${labels}`, 'input-widht=320'], /bad-3\.txt:4: key 'input-widht'/],
    ['bad output format', ['model-file=MODEL', `labelfile-path=${labels}`, 'output-format=detr'], /bad-4\.txt:4: key 'output-format'.*expected one of/],
    ['class-map label not in the label file', ['model-file=MODEL', `labelfile-path=${labels}`, 'class-map=persn:2'], /bad-5\.txt:4: key 'class-map'.*'persn' is not in the label file/],
    ['threshold out of range', ['model-file=MODEL', `labelfile-path=${labels}`, 'pre-cluster-threshold=1.5'], /bad-6\.txt:4: key 'pre-cluster-threshold'.*out of range/],
  ];
  cases.forEach(([what, lines, re], i) => {
    it(`rejects a config with ${what}, naming file, line and key`, () => {
      const model = join(repoRoot, 'models', 'yolox-nano', 'yolox_nano.onnx');
      const path = dnnConfig(`bad-${i + 1}.txt`, lines.map((l) => l.replace('MODEL', model)));
      expect(() => addon.dnnDetectorConfig(path)).toThrow(re);
      expect(() => resolveDetector('dnn', path)).toThrow(ConfigError);
    });
  });

  it('a corrupt model file is an error naming it; so is a model whose output is not the configured format', () => {
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, Buffer.from('this is not an ONNX model'.repeat(100)));
    const c1 = dnnConfig('corrupt.txt', [`model-file=${corrupt}`, `labelfile-path=${labels}`, 'output-format=yolox']);
    expect(() => addon.dnnDetectorProbe(c1)).toThrow(new RegExp(`cannot load model ${corrupt.replace(/[.]/g, '\\.')}`));
    const model = join(dir, 'yolox.onnx');
    copyFileSync(join(repoRoot, 'models', 'yolox-nano', 'yolox_nano.onnx'), model);
    const c2 = dnnConfig('wrong-format.txt', [`model-file=${model}`, `labelfile-path=${labels}`, 'output-format=ssd', 'input-width=416', 'input-height=416']);
    expect(() => addon.dnnDetectorProbe(c2)).toThrow(/does not produce output-format=ssd: .*expects a DetectionOutput tensor \[1x1xNx7\], got \[1x3549x85\]/);
    const c3 = dnnConfig('wrong-strides.txt', [`model-file=${model}`, `labelfile-path=${labels}`, 'output-format=yolox', 'input-width=416', 'input-height=416', 'yolox-strides=8;16']);
    expect(() => addon.dnnDetectorProbe(c3)).toThrow(/yolox\.onnx does not produce output-format=yolox: .*3549 candidates, but input 416x416 with strides gives 3380/);
  });

  it('the CLI reports a missing or corrupt model as a config error (exit 2) naming the file', async () => {
    const missing = dnnConfig('cli-missing.txt', ['model-file=/nonexistent/yolo.onnx', `labelfile-path=${labels}`]);
    const r1 = await runCli(['run', '-i', join(repoRoot, 'samples', 'sample_720p.h264'), '--detector-config', missing]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/cli-missing\.txt:2: key 'model-file'.*model file not found: \/nonexistent\/yolo\.onnx/);
    const corrupt = join(dir, 'corrupt2.onnx');
    writeFileSync(corrupt, Buffer.alloc(4096, 7));
    const bad = dnnConfig('cli-corrupt.txt', [`model-file=${corrupt}`, `labelfile-path=${labels}`, 'output-format=yolox']);
    const r2 = await runCli(['run', '-i', join(repoRoot, 'samples', 'sample_720p.h264'), '--detector-config', bad]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/cannot load model .*corrupt2\.onnx/);
    const r3 = await runCli(['run', '-i', join(repoRoot, 'samples', 'sample_720p.h264'), '--detector', 'motion', '--detector-config', DEFAULT_DETECTOR_CONFIGS.dnn]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/is a dnn detector config, but --detector motion was asked for/);
  });

  it('warns when the motion detector runs with rules that filter a class it never reports', async () => {
    const clip = join(repoRoot, 'samples', 'real', 'people-one-by-one-c');
    const r = await runCli(['run', '-i', `${clip}.mp4`, '--analytics-config', `${clip}.analytics.txt`, '--detector', 'motion']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/"enter", "leave" count only class-id 2, but the motion detector reports every object as class 0/);
    expect(r.stderr).toMatch(/detector: motion \(--detector motion\)/);
  });

  it('capabilities lists both detectors and the installed model; config check explains detector and tracker files', async () => {
    const caps = await runCli(['capabilities']);
    expect(caps.code).toBe(0);
    const c = JSON.parse(caps.stdout) as { detectors: { default: string; dnn: { available: boolean; model: string }; motion: { available: boolean } } };
    expect(c.detectors).toMatchObject({ default: 'dnn', dnn: { available: true, model: 'yolox_nano' }, motion: { available: true } });
    const check = await runCli(['config', 'check', DEFAULT_DETECTOR_CONFIGS.dnn, DEFAULT_DETECTOR_CONFIGS.motion, join(repoRoot, 'config', 'tracker_sort.txt')]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/detector_dnn\.txt: DNN detector config; model-file=.*yolox_nano\.onnx/);
    expect(check.stdout).toMatch(/detector_motion\.txt: motion detector config; algorithm=mog2/);
    expect(check.stdout).toMatch(/tracker_sort\.txt: tracker config; min-hits=3/);
    const bad = dnnConfig('check-bad.txt', ['model-file=/nonexistent/x.onnx', `labelfile-path=${labels}`]);
    const r = await runCli(['config', 'check', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/check-bad\.txt:2: key 'model-file'/);
  });
});

describe('DNN output decoding', () => {
  it('ssd: normalised corners to input pixels; padding rows end the list; threshold applies', () => {
    const rows = [
      [0, 1, 0.9, 0.1, 0.2, 0.3, 0.6],
      [0, 1, 0.2, 0.5, 0.5, 0.6, 0.6], // below threshold
      [-1, 0, 0, 0, 0, 0, 0], // padding
      [0, 1, 0.95, 0, 0, 1, 1], // after padding: ignored
    ];
    const out = addon.dnnDecode({ format: 'ssd', shape: [1, 1, 4, 7], data: Float32Array.from(rows.flat()), inputWidth: 300, inputHeight: 200, minScore: 0.3 });
    expect(out).toHaveLength(1);
    expect(out[0]!.modelClass).toBe(1);
    expect(out[0]!.x).toBeCloseTo(30);
    expect(out[0]!.y).toBeCloseTo(40);
    expect(out[0]!.width).toBeCloseTo(60);
    expect(out[0]!.height).toBeCloseTo(80);
  });

  it('yolov5: centre/size in input pixels, score = objectness x class score, best class', () => {
    const rows = [
      [100, 50, 20, 40, 0.9, 0.1, 0.8], // class 1, score 0.72
      [10, 10, 4, 4, 0.2, 0.9, 0.1], // 0.18: dropped
    ];
    const out = addon.dnnDecode({ format: 'yolov5', shape: [1, 2, 7], data: Float32Array.from(rows.flat()), minScore: 0.3 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ x: 90, y: 30, width: 20, height: 40, modelClass: 1 });
    expect(out[0]!.score).toBeCloseTo(0.72);
  });

  it('yolov8: [1, 4 + C, N] is read column-wise, without objectness', () => {
    // Two candidates (N = 2), two classes: columns are candidates.
    const cx = [100, 200], cy = [50, 60], w = [20, 30], h = [40, 50], c0 = [0.1, 0.7], c1 = [0.9, 0.2];
    const out = addon.dnnDecode({ format: 'yolov8', shape: [1, 6, 2], data: Float32Array.from([...cx, ...cy, ...w, ...h, ...c0, ...c1]), minScore: 0.3 });
    expect(out.map((d) => [d.modelClass, Math.round(d.x), Math.round(d.y)])).toEqual([[1, 90, 30], [0, 185, 35]]);
  });

  it('yolox: grid-relative rows decoded per stride; a row count that does not fit the input is an error', () => {
    // input 64x32, strides 16 and 32: 4x2 + 2x1 = 10 rows. Put one object in cell (gx 1, gy 1) of stride 16.
    const rows: number[][] = Array.from({ length: 10 }, () => [0, 0, 0, 0, 0, 0.9]);
    rows[1 * 4 + 1] = [0.5, 0.25, Math.log(2), Math.log(3), 0.8, 1.0];
    const data = Float32Array.from(rows.flat());
    const out = addon.dnnDecode({ format: 'yolox', shape: [1, 10, 6], data, inputWidth: 64, inputHeight: 32, strides: [16, 32], minScore: 0.3 });
    expect(out).toHaveLength(1);
    // cx = (0.5 + 1) * 16 = 24, cy = (0.25 + 1) * 16 = 20, w = 2 * 16, h = 3 * 16
    expect(out[0]).toMatchObject({ x: 8, y: -4, width: 32, height: 48, modelClass: 0 });
    expect(() => addon.dnnDecode({ format: 'yolox', shape: [1, 10, 6], data, inputWidth: 64, inputHeight: 64, strides: [16, 32], minScore: 0.3 })).toThrow(
      /10 candidates, but input 64x64 with strides gives 20/,
    );
  });

  it('a tensor of the wrong shape is an error, not zero detections', () => {
    expect(() => addon.dnnDecode({ format: 'ssd', shape: [1, 10, 6], data: new Float32Array(60), minScore: 0.3 })).toThrow(/expects a DetectionOutput tensor/);
    expect(() => addon.dnnDecode({ format: 'yolov5', shape: [1, 10, 4], data: new Float32Array(40), minScore: 0.3 })).toThrow(/no class scores/);
  });

  it('NMS is per class; weighted merging averages a cluster by score instead of keeping one jittering box', () => {
    // Three overlapping candidates of class 0 with bottoms 100, 110, 120 and one of class 1 at the same place.
    const rows = [
      [50, 50, 40, 100, 0.9, 1, 0], // y 0..100
      [50, 55, 40, 110, 0.9, 1, 0], // y 0..110
      [50, 60, 40, 120, 0.9, 1, 0], // y 0..120
      [50, 50, 40, 100, 0.8, 0, 1], // class 1: not suppressed by class 0
    ];
    const data = Float32Array.from(rows.flat());
    const base = { format: 'yolov5' as const, shape: [1, 4, 7], data, minScore: 0.3, nmsIou: 0.5 };
    const plain = addon.dnnDecode({ ...base, merge: false });
    expect(plain.map((d) => d.modelClass).sort()).toEqual([0, 1]);
    const merged = addon.dnnDecode({ ...base, merge: true });
    const c0 = merged.find((d) => d.modelClass === 0)!;
    expect(c0.y + c0.height).toBeCloseTo(110); // the mean bottom of the cluster
    expect(merged.find((d) => d.modelClass === 1)!.height).toBeCloseTo(100);
  });
});
