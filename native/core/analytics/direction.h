// Direction detection, as nvdsanalytics: the movement from the smoothed previous point to the current
// bottom centre, for an object seen for more than 10 frames, with squared displacement > 3000 and
// cos(movement, direction) >= 0.5 gets "DIR:<label>" (always the balanced thresholds, whatever the
// configured mode). An object that stayed almost static over its history gets "STOPPED".
#pragma once

#include <string>
#include <vector>

#include "core/analytics/analytics_config.h"
#include "core/analytics/object_history.h"

namespace dsk::analytics {

struct DirectionThresholds {
  static constexpr double kMinSquaredDisplacement = 3000.0;
  static constexpr double kMinCosine = 0.5;
  static constexpr uint64_t kMinFramesSeen = 10;  // strictly greater than
  // "Almost static": every bottom-centre sample in the history (and the current one) lies within this
  // distance of the current point. Squared pixels: 10 px.
  static constexpr double kStoppedSquaredRadius = 100.0;
};

struct ScaledDirection {
  Point vector;  // to - from, in frame pixels; zero or non-finite -> never matches
};

ScaledDirection scaleDirection(const DirectionRule& rule, double sx, double sy);

// The status for one object given the stream's direction rules (parallel vectors), or "" when none
// applies. When several directions match, the one best aligned with the movement (largest cosine) wins;
// ties go to the first configured.
std::string detectDirection(const std::vector<DirectionRule>& rules, const std::vector<ScaledDirection>& scaled,
                            int classId, const ObjectHistory& history, const TrackSample& prev,
                            const TrackSample& curr, uint64_t framesSeen);

}  // namespace dsk::analytics
