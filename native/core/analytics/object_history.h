// Per-object memory for line crossing and direction: a bounded history of the box's bottom anchors,
// how many frames the object has been seen, when it was last seen, and which line labels it has already
// been counted on. ObjectStore forgets objects unseen for longer than kForgetAfterMs (DeepStream: ~300 ms).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "core/analytics/geometry.h"

namespace dsk::analytics {

using TrackSample = geom::BoxAnchors;

class ObjectHistory {
 public:
  static constexpr size_t kCapacity = 50;  // DeepStream's 50-frame history
  static constexpr size_t kSmoothing = 2;  // the previous point is the mean of this many oldest samples

  bool empty() const { return samples_.empty(); }
  size_t size() const { return samples_.size(); }
  const std::deque<TrackSample>& samples() const { return samples_; }

  // Mean of the (up to) kSmoothing oldest samples. Precondition: !empty().
  TrackSample smoothedPrevious() const;

  void push(const TrackSample& s);
  void clear() { samples_.clear(); }

 private:
  std::deque<TrackSample> samples_;
};

struct ObjectState {
  ObjectHistory history;        // samples of previous frames (the current one is appended after the rules ran)
  uint64_t framesSeen = 0;      // frames in which the object appeared, including the current one
  int64_t lastSeenPts = 0;
  std::vector<bool> counted;    // per line rule index: already counted for that label
};

class ObjectStore {
 public:
  static constexpr int64_t kForgetAfterMs = 300;
  static constexpr size_t kMaxObjects = 20000;  // bound memory when pts never advances

  // Forgets every object whose last sighting is more than kForgetAfterMs away from ptsMs (either way:
  // a jump back in time also starts afresh).
  void expire(int64_t ptsMs);

  // The state for id, created when absent. lineCount sizes the counted flags.
  ObjectState& touch(uint64_t id, int64_t ptsMs, size_t lineCount);

  // Histories hold frame-pixel points; when the frame size changes they no longer compare.
  void clearHistories();
  void clear() { objects_.clear(); }

  size_t size() const { return objects_.size(); }

 private:
  void evictOldest();
  std::unordered_map<uint64_t, ObjectState> objects_;
};

}  // namespace dsk::analytics
