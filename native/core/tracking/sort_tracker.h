// SORT-style multi-object tracker: constant-velocity Kalman prediction, optimal (Hungarian) assignment on
// IoU, then a centre-distance fallback for small fast boxes whose prediction no longer overlaps.
//
// Guarantees the analytics rely on (docs/deepstream-reference.md section 8):
//  - probation: a new track gets an output id only after `minHits` detections; tentative tracks are never
//    output and never share an id (ids are drawn when a track is confirmed, not when it is created);
//  - a confirmed track survives `maxAgeMs` of presentation time without detections (lost buffer), and
//    keeps its id if it is matched again within that time;
//  - through a gap of up to `coastMs` it is still output, held at its last measured box (never at a
//    prediction: a stopped object must not drift across a line), so the analytics neither forget it nor
//    count a crossing the detector did not see; matching uses the Kalman prediction as usual;
//  - ids are monotonic 64-bit and never reused within a run (an IdSource may be shared by the trackers
//    of several streams so ids are unique across them).
// Pure C++; one tracker per stream; not thread-safe (IdSource is).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/tracking/detection.h"
#include "core/tracking/kalman.h"
#include "core/types.h"

namespace dsk::tracking {

struct TrackerConfig {
  int minHits = 3;                  // detections (in consecutive frames) before a track is confirmed
  int64_t probationMaxGapMs = 0;    // a tentative track unseen for longer than this dies (0: first miss)
  int64_t maxAgeMs = 1000;          // lost buffer: a confirmed track unseen for longer is dropped
  int64_t coastMs = 500;            // a confirmed track unseen for at most this long is still output, at its
                                    // last measured box (flagged coasting); 0 = only matched tracks
  double iouThreshold = 0.2;        // minimum IoU(predicted, detected) for an IoU match
  double centerGate = 2.5;          // fallback: centre distance <= centerGate * max side of the two boxes
                                    // (0 disables the fallback)
  double maxAreaRatio = 4.0;        // fallback: area ratio between the two boxes at most this
  bool classAware = true;           // only match detections of the track's class
  bool outputFilteredBox = false;   // output the Kalman-filtered box instead of the detection: smoother,
                                    // but it lags (frames late at a line) and overshoots when objects stop
  double defaultFrameIntervalMs = 33.333;       // used when presentation times do not advance
  KalmanNoise noise;
};

class IdSource {
 public:
  uint64_t next() { return next_.fetch_add(1, std::memory_order_relaxed); }
 private:
  std::atomic<uint64_t> next_{1};
};

struct TrackerStats {
  uint64_t frames = 0;
  uint64_t tracksCreated = 0;    // tentative tracks started
  uint64_t tracksConfirmed = 0;  // ids handed out
  size_t liveTracks = 0;         // tentative + confirmed (including lost) right now
};

class SortTracker {
 public:
  explicit SortTracker(TrackerConfig config, std::shared_ptr<IdSource> ids = nullptr);

  // One frame's detections at presentation time ptsMs (non-decreasing). Returns the confirmed tracks
  // matched in this frame, in id order.
  std::vector<TrackedObject> update(const std::vector<Detection>& detections, int64_t ptsMs);

  // A frame without detections because the detector skipped it (detector interval, like nvinfer's
  // `interval`): tracks coast on their Kalman prediction; no track is confirmed, missed or dropped.
  // Returns the confirmed tracks matched at the last detection frame, at their predicted boxes, and the
  // coasting ones at their last measured boxes.
  std::vector<TrackedObject> predict(int64_t ptsMs);

  const TrackerConfig& config() const { return config_; }
  TrackerStats stats() const;

 private:
  struct Track {
    BoxKalman kf;
    Box predicted;
    Box lastBox;
    Box filteredAtUpdate;    // the Kalman box right after the last update (to move a raw box in skipped frames)
    int classId = 0;
    double confidence = 1;
    int hits = 0;
    bool confirmed = false;
    bool matchedNow = false;
    uint64_t id = 0;         // 0 until confirmed
    int64_t lastSeenMs = 0;
  };

  bool coasts(const Track& t, int64_t ptsMs) const;

  TrackerConfig config_;
  std::shared_ptr<IdSource> ids_;
  std::vector<Track> tracks_;
  bool havePts_ = false;
  int64_t lastPtsMs_ = 0;
  TrackerStats stats_;
};

double iou(const Box& a, const Box& b);

}  // namespace dsk::tracking
