#!/usr/bin/python3
"""Measure the pretrained detectors of config/models/models.json with Debian's OpenCV 4.6.

Run from the repo root after `bash scripts/setup-models.sh`:

    /usr/bin/python3 bench/models/measure_models.py            # speed + recall tables
    /usr/bin/python3 bench/models/measure_models.py --speed    # speed only
    /usr/bin/python3 bench/models/measure_models.py --dump /tmp/panels   # also write PNG overlays

Needs python3-opencv (cv2 4.6) and python3-numpy (apt). Uses /usr/bin/python3, not pyenv.

Speed: median ms per call over --runs calls on a real frame, with cv.setNumThreads(1) and (2);
"forward" is net.forward() alone, "total" adds blob preparation and output decoding; "fwd-min" is the fastest forward.

Recall: on hand-counted frames (GROUND_TRUTH below: frame -> number of people / vehicles a
person sees in the frame, counted by looking at the frames) and on samples/real/*.truth.json
(objects with firstFrame..lastFrame; a frame's count is the objects alive in it). Matching is by
count per frame: hits = min(detections >= threshold, truth), false positives =
max(0, detections - truth). The PNG overlays (--dump) were inspected to check that the counted
detections sit on real objects (see config/models/README.md for what was seen).

This file is also the reference for the C++ pre-processing and decoding (class Detector).
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import time

import cv2 as cv
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MIRROR = os.environ.get("SAMPLE_VIDEOS_GIT", "/work/.mirror/intel-iot-devkit+sample-videos/repo")

PERSON = "person"
VEHICLE = "vehicle"
# COCO ids (0-based, yolox-nano.labels.txt order) that count as a vehicle.
COCO_VEHICLES = {1, 2, 3, 5, 7}  # bicycle, car, motorcycle, bus, truck
# Seen from straight above, YOLOX-Nano calls most cars "cell phone" (67) with scores 0.75-0.87.
# The "+overhead" rows also count a cell phone box covering >= 1% of the frame as a vehicle.
OVERHEAD_AS_VEHICLE = {67}
OVERHEAD_MIN_AREA = 0.01

# Hand counts, made by looking at every listed frame (PNG, full resolution).
# clip -> {"group": PERSON|VEHICLE, "counts": {frame_index: visible objects}}.
# "Visible" = a person would count it: at least about half of the object in the frame and
# not hidden behind another object; a head alone at the border does not count.
GROUND_TRUTH = {
    # intel-iot-devkit/sample-videos (CC BY 4.0), 768x432, 10 fps: one person at a time at a
    # table, mostly seen from behind; every 50th frame.
    "one-by-one-person-detection.mp4": {"group": PERSON, "counts": {
        0: 0, 50: 0, 100: 1, 150: 1, 200: 0, 250: 1, 300: 1, 350: 1, 400: 1, 450: 0, 500: 0,
        550: 1, 600: 1, 650: 1, 700: 0, 750: 1, 800: 1, 850: 1, 900: 0, 950: 1, 1000: 1,
        1050: 1, 1100: 1, 1150: 1, 1200: 0, 1250: 1, 1300: 1, 1350: 1}},
    # NVIDIA DeepStream reference app stream (deepstream-tracker-3d/streams), 1920x1080,
    # 30 fps: a shop seen from a ceiling camera, 7-9 people, many partly hidden; every 75th frame.
    "Retail02_short.mp4": {"group": PERSON, "counts": {
        0: 9, 75: 7, 150: 7, 225: 9, 300: 8, 375: 9, 450: 9, 525: 9, 600: 8}},
    # intel-iot-devkit/sample-videos (CC BY 4.0), 768x432, 12.5 fps: cars seen from straight
    # above driving through a car park (hard for COCO models); every 10th frame.
    "car-detection.mp4": {"group": VEHICLE, "counts": {
        0: 0, 10: 0, 20: 0, 30: 0, 40: 0, 50: 0, 60: 1, 70: 1, 80: 1, 90: 1, 100: 1, 110: 0,
        120: 0, 130: 0, 140: 0, 150: 0, 160: 0, 170: 0, 180: 0, 190: 1, 200: 2, 210: 2, 220: 2,
        230: 1, 240: 0, 250: 0, 260: 0, 270: 0, 280: 0, 290: 0, 300: 0, 310: 0, 320: 0, 330: 1,
        340: 1, 350: 0, 360: 0, 370: 0}},
}
# Where the hand-counted clips come from when they are not in samples/real/ (bare git mirrors).
CLIP_SOURCES = {
    "one-by-one-person-detection.mp4": (MIRROR, "one-by-one-person-detection.mp4"),
    "car-detection.mp4": (MIRROR, "car-detection.mp4"),
    "Retail02_short.mp4": (os.environ.get("DEEPSTREAM_GIT", "/work/.mirror/NVIDIA+DeepStream/repo"),
                           "src/apps/reference_apps/deepstream-tracker-3d/streams/Retail02_short.mp4"),
}


def load_manifest():
    with open(os.path.join(ROOT, "config", "models", "models.json")) as f:
        return json.load(f)["models"]


def read_labels(path):
    with open(os.path.join(ROOT, path)) as f:
        return [l.rstrip("\n") for l in f if l.strip()]


class Detector:
    """Pre-processing + forward + decoding, exactly as documented in config/models/README.md."""

    def __init__(self, m, models_dir, size=None):
        self.m = m
        self.W, self.H = size or (m["input"]["width"], m["input"]["height"])
        self.name = m["name"] + ("@%dx%d" % (self.W, self.H) if m["output"]["format"] == "yolox-raw" else "")
        path = os.path.join(models_dir, m["name"], m["file"])
        if m["framework"] == "tensorflow":
            self.net = cv.dnn.readNetFromTensorflow(path, os.path.join(ROOT, m["textGraph"]))
        else:
            self.net = cv.dnn.readNet(path)
        self.net.setPreferableBackend(cv.dnn.DNN_BACKEND_OPENCV)
        self.net.setPreferableTarget(cv.dnn.DNN_TARGET_CPU)
        self.labels = read_labels(m["labels"])
        self.fmt = m["output"]["format"]
        if self.fmt == "yolox-raw":
            grids, strides = [], []
            for s in (8, 16, 32):
                gh, gw = self.H // s, self.W // s
                yv, xv = np.meshgrid(np.arange(gh), np.arange(gw), indexing="ij")
                grids.append(np.stack((xv, yv), 2).reshape(-1, 2))
                strides.append(np.full((gh * gw, 1), s))
            self.grid = np.concatenate(grids).astype(np.float32)
            self.stride = np.concatenate(strides).astype(np.float32)

    # -- pre-processing ------------------------------------------------------------------
    def blob(self, frame):
        if self.fmt == "ssd-detection-output":
            # plain resize of the whole frame, BGR->RGB, raw 0..255 (the graph scales itself)
            self.ctx = None
            return cv.dnn.blobFromImage(frame, 1.0, (self.W, self.H), (0, 0, 0), swapRB=True, crop=False)
        # YOLOX: letterbox to the top-left of a 114-grey canvas, BGR, raw 0..255
        h, w = frame.shape[:2]
        r = min(self.W / w, self.H / h)
        nw, nh = int(round(w * r)), int(round(h * r))
        canvas = np.full((self.H, self.W, 3), 114, np.uint8)
        canvas[:nh, :nw] = cv.resize(frame, (nw, nh), interpolation=cv.INTER_LINEAR)
        self.ctx = r
        return cv.dnn.blobFromImage(canvas, 1.0, (self.W, self.H), (0, 0, 0), swapRB=False, crop=False)

    def forward(self, blob):
        self.net.setInput(blob)
        return self.net.forward()

    # -- decoding: list of (classId, score, x1, y1, x2, y2) in frame pixels ------------------
    def decode(self, out, frame_shape, min_score=0.05, nms_iou=0.45):
        fh, fw = frame_shape[:2]
        dets = []
        if self.fmt == "ssd-detection-output":
            for _, cls, score, x1, y1, x2, y2 in out.reshape(-1, 7):
                if score < min_score:
                    continue
                dets.append((int(cls), float(score),
                             max(0.0, x1) * fw, max(0.0, y1) * fh, min(1.0, x2) * fw, min(1.0, y2) * fh))
            return dets  # NMS already done inside DetectionOutput
        p = out.reshape(-1, out.shape[-1])
        cls = p[:, 5:].argmax(1)
        score = p[:, 4] * p[np.arange(len(p)), 5 + cls]
        keep = score >= min_score
        p, cls, score = p[keep], cls[keep], score[keep]
        cxy = (p[:, :2] + self.grid[keep]) * self.stride[keep]
        wh = np.exp(p[:, 2:4]) * self.stride[keep]
        r = self.ctx
        x1y1 = (cxy - wh / 2) / r
        x2y2 = (cxy + wh / 2) / r
        boxes = [[float(a), float(b), float(c - a), float(d - b)] for (a, b), (c, d) in zip(x1y1, x2y2)]
        # class-aware NMS (offset trick: boxes of different classes never overlap)
        off = [[bx + c * 4096.0, by, bw, bh] for (bx, by, bw, bh), c in zip(boxes, cls)]
        idx = cv.dnn.NMSBoxes(off, score.tolist(), min_score, nms_iou) if boxes else []
        for i in np.array(idx).reshape(-1):
            x1, y1 = x1y1[i]
            x2, y2 = x2y2[i]
            dets.append((int(cls[i]), float(score[i]),
                         float(max(0, x1)), float(max(0, y1)), float(min(fw, x2)), float(min(fh, y2))))
        dets.sort(key=lambda d: -d[1])
        return dets

    def detect(self, frame, min_score=0.05):
        return self.decode(self.forward(self.blob(frame)), frame.shape, min_score)

    def group_of(self, cls, overhead=False):
        if self.fmt == "ssd-detection-output":
            return PERSON if self.labels[cls] == "person" else None
        if cls == 0:
            return PERSON
        if cls in COCO_VEHICLES or (overhead and cls in OVERHEAD_AS_VEHICLE):
            return VEHICLE
        return None


def agnostic_nms(dets, iou=0.6):
    """Merge boxes of one group whatever their class (a car also labelled truck counts once)."""
    if not dets:
        return dets
    boxes = [[d[2], d[3], d[4] - d[2], d[5] - d[3]] for d in dets]
    idx = cv.dnn.NMSBoxes(boxes, [d[1] for d in dets], 0.0, iou)
    return [dets[i] for i in np.array(idx).reshape(-1)]


# -- clips ----------------------------------------------------------------------------------
def clip_path(name, cache):
    """A samples/real/ clip, or an intel-iot-devkit clip taken from the bare git mirror."""
    p = os.path.join(ROOT, "samples", "real", name)
    if os.path.isfile(p):
        return p
    out = os.path.join(cache, name)
    if not os.path.isfile(out):
        repo, inner = CLIP_SOURCES.get(name, (MIRROR, name))
        os.makedirs(cache, exist_ok=True)
        with open(out, "wb") as f:
            if subprocess.run(["git", "-C", repo, "show", "HEAD:" + inner], stdout=f,
                              stderr=subprocess.DEVNULL).returncode != 0:
                f.close()
                os.remove(out)
                return None
    return out


def read_frames(path, wanted):
    wanted = sorted(set(wanted))
    cap = cv.VideoCapture(path)
    frames, i = {}, 0
    while wanted and i <= wanted[-1]:
        ok, f = cap.read()
        if not ok:
            break
        if i in wanted:
            frames[i] = f
        i += 1
    return frames


def truth_sets(cache, step):
    sets = []
    for clip, gt in GROUND_TRUTH.items():
        sets.append((clip, clip_path(clip, cache), gt["group"], dict(gt["counts"]), "hand count"))
    for tj in sorted(glob.glob(os.path.join(ROOT, "samples", "real", "*.truth.json"))):
        with open(tj) as f:
            t = json.load(f)
        clip = os.path.join(os.path.dirname(tj), t["clip"])
        objs = t.get("objects", [])
        if not objs or not os.path.isfile(clip):
            continue
        # truth classIds follow the DeepStream resnet10 order: 0 car, 1 bicycle, 2 person, 3 roadsign
        group = PERSON if all(o.get("classId") == 2 for o in objs) else VEHICLE
        counts = {}
        for fi in range(0, int(t["frames"]), step):
            counts[fi] = sum(1 for o in objs if o["firstFrame"] <= fi <= o["lastFrame"])
        sets.append((os.path.basename(clip), clip, group, counts, "truth.json"))
    return sets


def measure_speed(dets, frame, runs):
    rows = []
    for d in dets:
        for threads in (1, 2):
            cv.setNumThreads(threads)
            b = d.blob(frame)
            for _ in range(5):
                d.forward(b)
            fw, tot = [], []
            for _ in range(runs):
                t0 = time.perf_counter()
                b = d.blob(frame)
                t1 = time.perf_counter()
                out = d.forward(b)
                t2 = time.perf_counter()
                d.decode(out, frame.shape, 0.3)
                t3 = time.perf_counter()
                fw.append((t2 - t1) * 1e3)
                tot.append((t3 - t0) * 1e3)
            rows.append((d.name, threads, float(np.median(fw)), float(np.min(fw)), float(np.median(tot))))
    cv.setNumThreads(2)
    return rows


def draw(frame, dets, det, thr, title):
    img = frame.copy()
    for cls, score, x1, y1, x2, y2 in dets:
        if score < thr:
            continue
        g = det.group_of(cls)
        col = (0, 255, 0) if g == PERSON else (0, 200, 255) if g == VEHICLE else (160, 160, 160)
        cv.rectangle(img, (int(x1), int(y1)), (int(x2), int(y2)), col, 2)
        cv.putText(img, "%s %.2f" % (det.labels[cls][:5], score), (int(x1) + 2, int(y1) + 14),
                   cv.FONT_HERSHEY_SIMPLEX, 0.45, col, 1, cv.LINE_AA)
    cv.putText(img, title, (6, 20), cv.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 255), 2, cv.LINE_AA)
    return img


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "models"))
    ap.add_argument("--cache", default="/tmp/ds-kafka-model-clips")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--speed", action="store_true", help="speed table only")
    ap.add_argument("--recall", action="store_true", help="recall table only")
    ap.add_argument("--step", type=int, default=10, help="frame step on truth.json clips")
    ap.add_argument("--thresholds", default="0.2,0.3,0.4,0.5")
    ap.add_argument("--dump", help="write PNG overlays (score >= lowest threshold) to this folder")
    ap.add_argument("--only", help="comma-separated model names")
    ap.add_argument("--clips", help="comma-separated substrings: only clips whose name contains one")
    ap.add_argument("--yolox-sizes", default="416x416,416x256,512x288,640x640",
                    help="extra WxH input sizes to try for YOLOX models ('' for none)")
    a = ap.parse_args()

    print("OpenCV", cv.__version__)
    manifest = load_manifest()
    if a.only:
        manifest = [m for m in manifest if m["name"] in a.only.split(",")]
    dets = []
    for m in manifest:
        dets.append(Detector(m, a.models_dir))
        if m["output"]["format"] == "yolox-raw" and a.yolox_sizes:
            # YOLOX's ONNX graph takes any input size that is a multiple of 32
            for wh in a.yolox_sizes.split(","):
                w, h = (int(v) for v in wh.split("x"))
                if (w, h) != (m["input"]["width"], m["input"]["height"]):
                    dets.append(Detector(m, a.models_dir, (w, h)))
    thrs = [float(x) for x in a.thresholds.split(",")]

    if not a.recall:
        src = clip_path("one-by-one-person-detection.mp4", a.cache) or \
            (glob.glob(os.path.join(ROOT, "samples", "real", "*.mp4")) or [None])[0]
        frame = read_frames(src, [300])[300]
        print("\nSpeed on a %dx%d frame, median of %d runs (ms)" % (frame.shape[1], frame.shape[0], a.runs))
        print("(min = best single forward: what an unloaded machine gives; median is hit by other load)")
        print("%-22s %7s %9s %9s %9s" % ("model", "threads", "forward", "fwd-min", "total"))
        for name, th, fw, fmin, tot in measure_speed(dets, frame, a.runs):
            print("%-22s %7d %9.1f %9.1f %9.1f" % (name, th, fw, fmin, tot))
    if a.speed:
        return

    cv.setNumThreads(2)
    print("\nRecall (hits / truth) and false positives, count-matched per frame")
    print("%-32s %-8s %-29s %6s %6s  %s" % ("clip", "group", "model", "frames", "truth",
                                           "  ".join("t=%.1f rec/FP" % t for t in thrs)))
    for clip, path, group, counts, kind in truth_sets(a.cache, a.step):
        if a.clips and not any(c in clip for c in a.clips.split(",")):
            continue
        if path is None:
            print("%-38s missing" % clip)
            continue
        frames = read_frames(path, counts.keys())
        runs = [(d, False) for d in dets]
        if group == VEHICLE:
            runs += [(d, True) for d in dets if d.fmt == "yolox-raw"]
        for d, overhead in runs:
            if group == VEHICLE and d.fmt == "ssd-detection-output":
                continue  # person-only model
            hits = {t: 0 for t in thrs}
            fps = {t: 0 for t in thrs}
            total = 0
            for fi, n in sorted(counts.items()):
                if fi not in frames:
                    continue
                f = frames[fi]
                area = float(f.shape[0] * f.shape[1])
                ds = [x for x in d.detect(f, min(thrs)) if d.group_of(x[0], overhead) == group and
                      (x[0] not in OVERHEAD_AS_VEHICLE or (x[4] - x[2]) * (x[5] - x[3]) >= OVERHEAD_MIN_AREA * area)]
                ds = agnostic_nms(ds)
                total += n
                for t in thrs:
                    k = sum(1 for x in ds if x[1] >= t)
                    hits[t] += min(k, n)
                    fps[t] += max(0, k - n)
                if a.dump:
                    os.makedirs(a.dump, exist_ok=True)
                    tag = d.name + ("+overhead" if overhead else "")
                    img = draw(f, ds, d, min(thrs), "%s f%d truth=%d" % (tag, fi, n))
                    cv.imwrite(os.path.join(a.dump, "%s_%s_%05d.png" % (os.path.splitext(clip)[0], tag, fi)), img)
            cells = "  ".join("%5.0f%% %4d" % (100.0 * hits[t] / max(1, total), fps[t]) for t in thrs)
            name = d.name + ("+overhead" if overhead else "")
            print("%-32s %-8s %-29s %6d %6d  %s" % (clip[:32], group, name, len(frames), total, cells))


if __name__ == "__main__":
    main()
