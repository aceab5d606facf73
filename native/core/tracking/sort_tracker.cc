#include "core/tracking/sort_tracker.h"

#include <algorithm>
#include <cmath>

#include "core/tracking/assignment.h"

namespace dsk::tracking {

double iou(const Box& a, const Box& b) {
  const double x1 = std::max(a.left, b.left), y1 = std::max(a.top, b.top);
  const double x2 = std::min(a.left + a.width, b.left + b.width);
  const double y2 = std::min(a.top + a.height, b.top + b.height);
  const double inter = std::max(0.0, x2 - x1) * std::max(0.0, y2 - y1);
  const double uni = a.width * a.height + b.width * b.height - inter;
  return uni > 0 ? inter / uni : 0;
}

SortTracker::SortTracker(TrackerConfig config, std::shared_ptr<IdSource> ids)
    : config_(config), ids_(ids ? std::move(ids) : std::make_shared<IdSource>()) {
  if (config_.minHits < 1) config_.minHits = 1;
}

bool SortTracker::coasts(const Track& t, int64_t ptsMs) const {
  return config_.coastMs > 0 && ptsMs - t.lastSeenMs <= config_.coastMs;
}

TrackerStats SortTracker::stats() const {
  TrackerStats s = stats_;
  s.liveTracks = tracks_.size();
  return s;
}

std::vector<TrackedObject> SortTracker::predict(int64_t ptsMs) {
  ++stats_.frames;
  double dtMs = config_.defaultFrameIntervalMs;
  if (havePts_ && ptsMs > lastPtsMs_) dtMs = static_cast<double>(ptsMs - lastPtsMs_);
  if (havePts_ && ptsMs < lastPtsMs_) ptsMs = lastPtsMs_;
  havePts_ = true;
  lastPtsMs_ = ptsMs;
  std::vector<TrackedObject> out;
  for (auto& t : tracks_) {
    t.predicted = t.kf.predict(dtMs / 1000.0);
    if (!t.confirmed) continue;
    if (t.matchedNow) {
      Box b = t.predicted;
      if (!config_.outputFilteredBox) {
        // The raw box moved by the filter's predicted motion since the last detection.
        b = t.lastBox;
        b.left += (t.predicted.left + t.predicted.width / 2) - (t.filteredAtUpdate.left + t.filteredAtUpdate.width / 2);
        b.top += (t.predicted.top + t.predicted.height) - (t.filteredAtUpdate.top + t.filteredAtUpdate.height);
      }
      out.push_back({t.id, t.classId, b, t.confidence, false});
    } else if (coasts(t, ptsMs)) {
      out.push_back({t.id, t.classId, t.lastBox, t.confidence, true});
    }
  }
  std::sort(out.begin(), out.end(), [](const TrackedObject& a, const TrackedObject& b) { return a.id < b.id; });
  return out;
}

std::vector<TrackedObject> SortTracker::update(const std::vector<Detection>& dets, int64_t ptsMs) {
  ++stats_.frames;
  double dtMs = config_.defaultFrameIntervalMs;
  if (havePts_ && ptsMs > lastPtsMs_) dtMs = static_cast<double>(ptsMs - lastPtsMs_);
  if (havePts_ && ptsMs < lastPtsMs_) ptsMs = lastPtsMs_;  // never go back in time
  havePts_ = true;
  lastPtsMs_ = ptsMs;

  // Tracks already past their lost buffer at this frame's time never match again (a long gap without
  // frames must not let an old id come back).
  tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(),
                               [&](const Track& t) {
                                 const int64_t unseen = ptsMs - t.lastSeenMs;
                                 return t.confirmed ? unseen > config_.maxAgeMs
                                                    : (config_.probationMaxGapMs > 0 && unseen > config_.probationMaxGapMs);
                               }),
                tracks_.end());
  for (auto& t : tracks_) {
    t.predicted = t.kf.predict(dtMs / 1000.0);
    t.matchedNow = false;
  }

  const size_t nd = dets.size();
  std::vector<int> detTrack(nd, -1);   // detection -> track index
  std::vector<char> trackMatched(tracks_.size(), 0);

  auto classOk = [&](const Track& t, const Detection& d) { return !config_.classAware || t.classId == d.classId; };

  // One assignment round over the given tracks and the still-free detections.
  auto round = [&](const std::vector<int>& trackIdx, bool byIou) {
    std::vector<int> freeDets;
    for (size_t d = 0; d < nd; ++d)
      if (detTrack[d] < 0) freeDets.push_back(static_cast<int>(d));
    if (trackIdx.empty() || freeDets.empty()) return;
    std::vector<std::vector<double>> cost(trackIdx.size(), std::vector<double>(freeDets.size(), kForbidden));
    for (size_t r = 0; r < trackIdx.size(); ++r) {
      const Track& t = tracks_[trackIdx[r]];
      for (size_t c = 0; c < freeDets.size(); ++c) {
        const Detection& d = dets[freeDets[c]];
        if (!classOk(t, d)) continue;
        if (byIou) {
          const double v = iou(t.predicted, d.box);
          if (v >= config_.iouThreshold && v > 0) cost[r][c] = 1.0 - v;
        } else {
          const Box& p = t.predicted;
          const double dx = (p.left + p.width / 2) - (d.box.left + d.box.width / 2);
          const double dy = (p.top + p.height / 2) - (d.box.top + d.box.height / 2);
          const double side = std::max({p.width, p.height, d.box.width, d.box.height, 1.0});
          const double dist = std::sqrt(dx * dx + dy * dy) / side;
          const double a1 = std::max(1.0, p.width * p.height), a2 = std::max(1.0, d.box.width * d.box.height);
          const double ratio = a1 > a2 ? a1 / a2 : a2 / a1;
          if (dist <= config_.centerGate && ratio <= config_.maxAreaRatio) cost[r][c] = dist;
        }
      }
    }
    for (auto [r, c] : solveAssignment(cost)) {
      detTrack[freeDets[c]] = trackIdx[r];
      trackMatched[trackIdx[r]] = 1;
    }
  };

  std::vector<int> confirmed, tentative;
  for (size_t i = 0; i < tracks_.size(); ++i)
    (tracks_[i].confirmed ? confirmed : tentative).push_back(static_cast<int>(i));
  // Confirmed tracks pick first, so a tentative track can never take a confirmed track's detection.
  round(confirmed, true);
  round(tentative, true);
  if (config_.centerGate > 0) {
    std::vector<int> rest;
    for (int i : confirmed)
      if (!trackMatched[i]) rest.push_back(i);
    round(rest, false);
    rest.clear();
    for (int i : tentative)
      if (!trackMatched[i]) rest.push_back(i);
    round(rest, false);
  }

  for (size_t d = 0; d < nd; ++d) {
    const int ti = detTrack[d];
    if (ti < 0) continue;
    Track& t = tracks_[ti];
    const Box filtered = t.kf.update(dets[d].box);
    t.filteredAtUpdate = filtered;
    t.lastBox = config_.outputFilteredBox ? filtered : dets[d].box;
    t.confidence = dets[d].confidence;
    t.lastSeenMs = ptsMs;
    ++t.hits;
    t.matchedNow = true;
    if (!t.confirmed && t.hits >= config_.minHits) {
      t.confirmed = true;
      t.id = ids_->next();
      ++stats_.tracksConfirmed;
    }
  }

  // Drop expired tracks: tentative ones after probationMaxGapMs unseen, confirmed ones after maxAgeMs.
  std::vector<Track> kept;
  kept.reserve(tracks_.size() + nd);
  for (size_t i = 0; i < tracks_.size(); ++i) {
    Track& t = tracks_[i];
    if (!trackMatched[i]) {
      const int64_t unseen = ptsMs - t.lastSeenMs;
      if (t.confirmed ? unseen > config_.maxAgeMs : unseen > config_.probationMaxGapMs) continue;
    }
    kept.push_back(std::move(t));
  }
  tracks_ = std::move(kept);

  std::vector<TrackedObject> out;
  for (const auto& t : tracks_) {
    if (!t.confirmed) continue;
    if (t.matchedNow)
      out.push_back({t.id, t.classId, t.lastBox, t.confidence, false});
    else if (coasts(t, ptsMs))
      out.push_back({t.id, t.classId, t.lastBox, t.confidence, true});
  }

  // New tentative tracks for unmatched detections.
  for (size_t d = 0; d < nd; ++d) {
    if (detTrack[d] >= 0) continue;
    Track t;
    t.kf = BoxKalman(dets[d].box, config_.noise);
    t.predicted = t.lastBox = t.filteredAtUpdate = dets[d].box;
    t.classId = dets[d].classId;
    t.confidence = dets[d].confidence;
    t.hits = 1;
    t.lastSeenMs = ptsMs;
    ++stats_.tracksCreated;
    if (config_.minHits <= 1) {
      t.confirmed = true;
      t.id = ids_->next();
      ++stats_.tracksConfirmed;
      out.push_back({t.id, t.classId, t.lastBox, t.confidence});
    }
    tracks_.push_back(std::move(t));
  }

  std::sort(out.begin(), out.end(), [](const TrackedObject& a, const TrackedObject& b) { return a.id < b.id; });
  return out;
}

}  // namespace dsk::tracking
