// Drawing of analytics rules and tracking results onto a BGR picture (the line preview and the annotated
// video; the nvdsosd picture of a DeepStream pipeline). Coordinates of the rules are in the analytics
// config's config-width x config-height space and are scaled to the picture with the analytics engine's own
// scaling (core/analytics); anything outside the picture is clipped by OpenCV.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/analytics/analytics_config.h"
#include "cpu/pipeline.h"

namespace dsk::cpu::osd {

// Fixed colours per rule kind, as B, G, R (OpenCV's order). Tests look for them in decoded pictures;
// addon.osdColours() returns them as [R, G, B].
struct Bgr {
  uint8_t b, g, r;
  cv::Scalar scalar() const { return cv::Scalar(b, g, r); }
};
namespace colours {
constexpr Bgr kLine{0, 255, 255};          // yellow: line-crossing segment (and its dashed extension)
constexpr Bgr kLineFlash{255, 255, 255};   // white, thicker: the line for ~0.5 s after a crossing counted
constexpr Bgr kLineArrow{255, 0, 255};     // magenta: the counted direction, drawn across the segment's midpoint
constexpr Bgr kRoi{0, 200, 0};             // green: ROI filtering polygon (filled translucently)
constexpr Bgr kOvercrowding{0, 0, 255};    // red: overcrowding polygon (filled translucently; stronger when on)
constexpr Bgr kDirection{255, 255, 0};     // cyan: direction-detection arrow
constexpr Bgr kBox{0, 140, 255};           // orange: tracked boxes and their bottom-centre trails
constexpr Bgr kText{255, 255, 255};        // white text on a dark panel
}  // namespace colours

constexpr double kFillAlpha = 0.3;         // ROI / overcrowding fill opacity
constexpr int64_t kFlashMs = 500;          // how long a line flashes after a crossing
constexpr int64_t kTrailMs = 2000;         // how much of each object's bottom-centre path is drawn

// Live state for drawRules (the annotated video); absent for the preview.
struct RuleState {
  std::map<std::string, bool> flash;        // line label -> a crossing counted within kFlashMs
  std::map<std::string, bool> overcrowded;  // overcrowding label -> on in this frame
};

// One warning per rule with a coordinate outside [0, config-width] x [0, config-height] (or not finite).
std::vector<std::string> outOfBoundsWarnings(const AnalyticsConfig& cfg, const StreamAnalyticsConfig& stream);

// Draws every rule of one stream: ROIs and overcrowding polygons filled with their names (and thresholds),
// line-crossing segments with their counted direction (an arrow across the midpoint whose head is on the
// side objects must arrive at), label, and for extended=1 a dashed extension to the picture's edges;
// direction-detection arrows with labels.
void drawRules(cv::Mat& bgr, const AnalyticsConfig& cfg, const StreamAnalyticsConfig& stream,
               const RuleState* state = nullptr);

// DeepStream sample-model class names (0 car, 1 bicycle, 2 person, 3 roadsign), else the number.
std::string classLabel(int classId);

// The annotated video's drawing for one stream, frame after frame: rules (lines flash when a crossing
// counts), tracked boxes with id and class, each object's recent bottom-centre trail and a lc_cum panel.
class OsdRenderer {
 public:
  OsdRenderer(AnalyticsConfig cfg, int streamId);
  // `bgr` shows the frame `r` describes; boxes (in r.width x r.height) are scaled to its size.
  void draw(cv::Mat& bgr, const FrameResult& r);

 private:
  AnalyticsConfig cfg_;
  int streamId_;
  const StreamAnalyticsConfig* stream_ = nullptr;
  std::map<std::string, int64_t> flashUntil_;
  struct Trail {
    std::deque<std::pair<int64_t, cv::Point>> points;  // (ptsMs, bottom centre)
    int64_t lastSeenMs = 0;
  };
  std::map<uint64_t, Trail> trails_;
};

}  // namespace dsk::cpu::osd
