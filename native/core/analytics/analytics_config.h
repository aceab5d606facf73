// The resolved analytics configuration: what config_nvdsanalytics.txt means, after the TypeScript parser
// (src/config/) has applied DeepStream's defaults. It crosses from TS to C++ as JSON (one parser only,
// in TS); see docs in src/config/resolved.ts for the JSON shape. Coordinates are in
// configWidth x configHeight space; the engine scales them to each frame's size.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace dsk {

enum class LineCrossingMode { Loose, Balanced, Strict };

struct LineCrossingRule {
  std::string label;
  Point arrowFrom, arrowTo;   // direction arrow: counts only movement from arrowFrom's side to arrowTo's
  Point lineA, lineB;         // the counting segment
  std::vector<int> classIds;  // empty = every class
  bool extended = true;       // DeepStream default when absent
  LineCrossingMode mode = LineCrossingMode::Loose;
};

struct RoiRule {
  std::string label;
  std::vector<Point> polygon;
  bool inverse = false;
  std::vector<int> classIds;
};

struct OvercrowdingRule {
  std::string label;
  std::vector<Point> polygon;
  int objectThreshold = 1;
  int timeThresholdMs = 2000;  // parsed, unused (as in DeepStream)
  std::vector<int> classIds;
};

struct DirectionRule {
  std::string label;
  Point from, to;
  std::vector<int> classIds;
};

struct StreamAnalyticsConfig {
  int streamId = 0;
  std::vector<RoiRule> rois;
  std::vector<OvercrowdingRule> overcrowding;
  std::vector<LineCrossingRule> lines;
  std::vector<DirectionRule> directions;
};

struct AnalyticsConfig {
  bool enable = true;
  int configWidth = 1920;
  int configHeight = 1080;
  int objCntWinMs = 0;
  std::vector<StreamAnalyticsConfig> streams;

  const StreamAnalyticsConfig* stream(int streamId) const {
    for (const auto& s : streams)
      if (s.streamId == streamId) return &s;
    return nullptr;
  }
};

// Parses the JSON produced by src/config/resolved.ts. Throws std::invalid_argument naming the JSON path
// on a shape error (the TS layer validated the user's file already; this guards the boundary).
AnalyticsConfig analyticsConfigFromJson(const std::string& json);

}  // namespace dsk
