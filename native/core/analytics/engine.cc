// AnalyticsEngine: nvdsanalytics' counting on plain data (shared/docs/deepstream-reference.md §1, §2, §8).
//
// Reproduced from DeepStream
//  - Reference point: bottom centre (left + width/2, top + height) for ROI, overcrowding, line crossing and
//    direction. Config coordinates are scaled from configWidth x configHeight to each frame's size; the
//    displacement thresholds are therefore in frame pixels.
//  - Line crossing: per-object 50-frame history; the smoothed previous point is the mean of the oldest
//    samples; squared displacement / cosine / frames-seen thresholds per mode (strict 6000/0.8/>20,
//    balanced 3000/0.5/>10, loose 1000/0.1/>3); side change in the arrow's sense in every mode;
//    extended=0 requires the bottom-centre, bottom-left or bottom-right track to intersect the finite
//    segment, extended=1 uses the infinite line; each object counts at most once per label; an object
//    unseen for more than 300 ms (ptsMs) is forgotten, so a returning id counts again. objLCCumCnt never
//    resets. objLCCurrCnt is this frame's crossings; lcStatus lists labels only in the crossing frame.
//  - ROI: flags objects inside (inverse: outside) and counts them per label; never removes objects.
//  - Overcrowding: status = objects inside this frame >= object-threshold; the count also goes to
//    objInROIcnt under the OC label; time-threshold is parsed and unused, as in DeepStream.
//  - Direction: balanced thresholds whatever the mode (disp^2 > 3000, seen > 10 frames, cos >= 0.5)
//    -> "DIR:<label>"; almost static over the history -> "STOPPED".
//  - objCnt: every object of the frame per class id (no class filter, no ROI), for every stream, configured
//    or not. Every configured label is present in its maps every frame (0 / false when nothing happened).
//  - Class filters: empty list or a list containing -1 = every class. A repeated label in one rule kind
//    replaces the earlier one (kept at the earlier position).
//  - Id 0xFFFFFFFFFFFFFFFF is DeepStream's UNTRACKED_OBJECT_ID: such objects get ROI/OC/objCnt but no line
//    crossing or direction (those need a tracker).
//
// Choices where the reference is silent
//  - "Oldest samples": the history holds the samples of previous frames (up to 50, current excluded); the
//    smoothed previous point is the mean of its 2 oldest samples (its only sample on the second frame).
//    The three anchors (centre/left/right) are smoothed the same way.
//  - "Seen for more than N frames" counts the frames the object appeared in since it was (re)created,
//    including the current frame (loose can count from the 4th appearance on).
//  - Side change: the smoothed previous point must lie strictly on the start side; the current point on
//    the end side or exactly on the line (so a line on the frame edge, reached by clipped boxes, counts).
//    The arrow's sense is the side the arrow vector points to relative to the line (equals "start side ->
//    end side" when the arrow crosses the line, still defined when it does not). An arrow parallel to the
//    line, or a zero-length line/arrow, never counts.
//  - Loose mode applies the 0.1 cosine threshold (plus the side change), not only the side change.
//  - extended=0: the side change is judged on the bottom centre; the segment-intersection test accepts any
//    of the three anchor tracks (smoothed previous anchor -> current anchor), touching included.
//  - Forgetting: an object whose last sighting is more than 300 ms (strictly) away from the current frame's
//    ptsMs, in either direction (a jump back in time starts afresh), is forgotten at the start of the frame.
//    At most 20000 objects are remembered per stream; beyond that the least recently seen tenth is forgotten.
//  - A frame-size change mid-stream clears the position histories (they are in the old frame's pixels) but
//    keeps counted flags and frames-seen.
//  - The same id twice in one frame: only its first occurrence feeds line crossing / direction; every
//    occurrence counts for objCnt, ROI and overcrowding.
//  - Boxes: a negative width/height is normalised (the box spans the same pixels); a non-finite box still
//    counts in objCnt but is ignored by every spatial rule and does not update the object's history. A
//    frame size <= 0 means "same as config size" (scale 1).
//  - Polygons with fewer than 3 vertices flag nothing, even with inverse. Points on a polygon's boundary
//    are inside.
//  - Overcrowding per-object ocStatus lists every OC label whose polygon contains the object, whether or
//    not the threshold is reached (DeepStream: "labels of the overcrowding ROIs the object is in").
//    When an ROI and an OC rule share a label, the OC count wins in objInROIcnt.
//  - "STOPPED": seen > 10 frames, at least 10 history samples, and every history sample within 10 px of the
//    current bottom centre. With several matching directions the best aligned (largest cosine) wins.
//  - enable=false behaves like a stream without config: objCnt only. obj-cnt-win-in-ms is not applied
//    (objCnt is per frame).
//  - Only objects with some status appear in FrameAnalytics::objects (as NvDsAnalyticsObjInfo), in input
//    order.
#include "core/analytics/engine.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_set>
#include <utility>

#include "core/analytics/direction.h"
#include "core/analytics/geometry.h"
#include "core/analytics/line_crossing.h"
#include "core/analytics/object_history.h"
#include "core/analytics/roi.h"
#include "core/analytics/rule_common.h"

namespace dsk {
namespace {

using analytics::classMatches;

constexpr uint64_t kUntrackedObjectId = UINT64_MAX;

template <typename Rule>
void lastLabelWins(std::vector<Rule>& rules) {
  std::vector<Rule> out;
  std::map<std::string, size_t> at;
  for (auto& r : rules) {
    auto it = at.find(r.label);
    if (it != at.end()) {
      out[it->second] = std::move(r);
    } else {
      at.emplace(r.label, out.size());
      out.push_back(std::move(r));
    }
  }
  rules = std::move(out);
}

AnalyticsConfig normalise(AnalyticsConfig cfg) {
  for (auto& s : cfg.streams) {
    lastLabelWins(s.rois);
    lastLabelWins(s.overcrowding);
    lastLabelWins(s.lines);
    lastLabelWins(s.directions);
  }
  return cfg;
}

// Config geometry in one frame size.
struct ScaledGeometry {
  int width = -1, height = -1;
  std::vector<analytics::ScaledPolygon> rois, overcrowding;
  std::vector<analytics::ScaledLine> lines;
  std::vector<analytics::ScaledDirection> directions;
};

struct StreamState {
  const StreamAnalyticsConfig* cfg = nullptr;  // null: not configured (objCnt only)
  ScaledGeometry geo;
  analytics::ObjectStore objects;
  std::vector<uint64_t> lcCum;
};

uint64_t saturatingInc(uint64_t v) { return v == UINT64_MAX ? v : v + 1; }

}  // namespace

struct AnalyticsEngine::Impl {
  AnalyticsConfig config;
  std::mutex mu;
  std::map<int, std::unique_ptr<StreamState>> streams;

  StreamState& stream(int streamId) {
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = streams[streamId];
    if (!slot) {
      slot = std::make_unique<StreamState>();
      slot->cfg = config.enable ? config.stream(streamId) : nullptr;
      if (slot->cfg) slot->lcCum.assign(slot->cfg->lines.size(), 0);
    }
    return *slot;
  }

  void rescale(StreamState& st, int frameWidth, int frameHeight) {
    if (st.geo.width == frameWidth && st.geo.height == frameHeight) return;
    if (st.geo.width != -1) st.objects.clearHistories();
    st.geo = ScaledGeometry{};
    st.geo.width = frameWidth;
    st.geo.height = frameHeight;
    const double sx = frameWidth > 0 && config.configWidth > 0
                          ? static_cast<double>(frameWidth) / config.configWidth
                          : 1.0;
    const double sy = frameHeight > 0 && config.configHeight > 0
                          ? static_cast<double>(frameHeight) / config.configHeight
                          : 1.0;
    const StreamAnalyticsConfig& c = *st.cfg;
    for (const auto& r : c.rois) st.geo.rois.push_back(analytics::scalePolygon(r.polygon, sx, sy));
    for (const auto& r : c.overcrowding) st.geo.overcrowding.push_back(analytics::scalePolygon(r.polygon, sx, sy));
    for (const auto& r : c.lines) st.geo.lines.push_back(analytics::scaleLine(r, sx, sy));
    for (const auto& r : c.directions) st.geo.directions.push_back(analytics::scaleDirection(r, sx, sy));
  }
};

AnalyticsEngine::AnalyticsEngine(AnalyticsConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->config = normalise(std::move(config));
}

AnalyticsEngine::~AnalyticsEngine() = default;

const AnalyticsConfig& AnalyticsEngine::config() const { return impl_->config; }

void AnalyticsEngine::forgetObjects(int streamId) { impl_->stream(streamId).objects.clear(); }

FrameAnalytics AnalyticsEngine::process(const FrameInput& frame) {
  FrameAnalytics out;
  out.streamId = frame.streamId;
  out.frameNum = frame.frameNum;
  out.ptsMs = frame.ptsMs;

  for (const auto& o : frame.objects) {
    auto& n = out.objCnt[o.classId];
    if (n != UINT32_MAX) ++n;
  }

  StreamState& st = impl_->stream(frame.streamId);
  if (!st.cfg) return out;
  const StreamAnalyticsConfig& cfg = *st.cfg;
  impl_->rescale(st, frame.frameWidth, frame.frameHeight);

  const size_t n = frame.objects.size();
  std::vector<std::optional<geom::BoxAnchors>> anchors(n);
  for (size_t i = 0; i < n; ++i) anchors[i] = geom::anchorsOf(frame.objects[i].box);
  std::vector<ObjectAnalytics> status(n);
  for (size_t i = 0; i < n; ++i) {
    status[i].id = frame.objects[i].id;
    status[i].classId = frame.objects[i].classId;
  }

  // ROI filtering.
  for (size_t r = 0; r < cfg.rois.size(); ++r) {
    const RoiRule& rule = cfg.rois[r];
    uint32_t count = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!anchors[i] || !classMatches(rule.classIds, frame.objects[i].classId)) continue;
      if (!analytics::roiFlags(st.geo.rois[r], rule.inverse, anchors[i]->bottomCentre)) continue;
      ++count;
      status[i].roiStatus.push_back(rule.label);
    }
    out.objInROIcnt[rule.label] = count;
  }

  // Overcrowding.
  for (size_t r = 0; r < cfg.overcrowding.size(); ++r) {
    const OvercrowdingRule& rule = cfg.overcrowding[r];
    uint32_t count = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!anchors[i] || !classMatches(rule.classIds, frame.objects[i].classId)) continue;
      if (!analytics::ocContains(st.geo.overcrowding[r], anchors[i]->bottomCentre)) continue;
      ++count;
      status[i].ocStatus.push_back(rule.label);
    }
    out.objInROIcnt[rule.label] = count;
    out.ocStatus[rule.label] = analytics::isOvercrowded(count, rule.objectThreshold);
  }

  // Line crossing and direction (tracked objects only).
  std::vector<uint64_t> lcCurr(cfg.lines.size(), 0);
  if (!cfg.lines.empty() || !cfg.directions.empty()) {
    st.objects.expire(frame.ptsMs);
    std::unordered_set<uint64_t> seenThisFrame;
    for (size_t i = 0; i < n; ++i) {
      const TrackedObject& obj = frame.objects[i];
      if (!anchors[i] || obj.id == kUntrackedObjectId) continue;
      if (!seenThisFrame.insert(obj.id).second) continue;  // duplicate id in this frame
      analytics::ObjectState& os = st.objects.touch(obj.id, frame.ptsMs, cfg.lines.size());
      os.framesSeen = saturatingInc(os.framesSeen);
      const analytics::TrackSample& curr = *anchors[i];
      if (!os.history.empty()) {
        const analytics::TrackSample prev = os.history.smoothedPrevious();
        for (size_t l = 0; l < cfg.lines.size(); ++l) {
          const LineCrossingRule& rule = cfg.lines[l];
          if (os.counted[l] || !classMatches(rule.classIds, obj.classId)) continue;
          if (!analytics::crossesLine(st.geo.lines[l], rule, prev, curr, os.framesSeen)) continue;
          os.counted[l] = true;
          ++lcCurr[l];
          st.lcCum[l] = saturatingInc(st.lcCum[l]);
          status[i].lcStatus.push_back(rule.label);
        }
        if (!cfg.directions.empty())
          status[i].dirStatus = analytics::detectDirection(cfg.directions, st.geo.directions, obj.classId,
                                                           os.history, prev, curr, os.framesSeen);
      }
      os.history.push(curr);
    }
  }
  for (size_t l = 0; l < cfg.lines.size(); ++l) {
    out.objLCCurrCnt[cfg.lines[l].label] = lcCurr[l];
    out.objLCCumCnt[cfg.lines[l].label] = st.lcCum[l];
  }

  for (auto& s : status)
    if (!s.roiStatus.empty() || !s.ocStatus.empty() || !s.lcStatus.empty() || !s.dirStatus.empty())
      out.objects.push_back(std::move(s));
  return out;
}

}  // namespace dsk
