// Line crossing, as nvdsanalytics: movement from the smoothed previous point to the current bottom
// centre must exceed the mode's squared displacement, point along the arrow (cosine threshold), come from
// an object seen for more than the mode's frame count, and change side of the line in the arrow's sense.
// extended=false additionally requires the movement of the bottom centre, bottom-left or bottom-right
// to intersect the finite segment.
#pragma once

#include <cstdint>

#include "core/analytics/analytics_config.h"
#include "core/analytics/object_history.h"

namespace dsk::analytics {

struct ModeThresholds {
  double minSquaredDisplacement;  // strictly greater than
  double minCosine;               // greater or equal
  uint64_t minFramesSeen;         // strictly greater than
};

ModeThresholds thresholdsFor(LineCrossingMode mode);

// A line rule in frame pixels.
struct ScaledLine {
  Point arrowFrom, arrowTo, a, b;
  // Sign of sideOfLine(a, b, .) on the side the arrow points to; 0 when the rule is unusable
  // (degenerate line or arrow, arrow parallel to the line, non-finite values): it then never counts.
  int endSide = 0;
};

ScaledLine scaleLine(const LineCrossingRule& rule, double sx, double sy);

// prev: smoothed previous anchors; curr: this frame's anchors; framesSeen includes this frame.
bool crossesLine(const ScaledLine& line, const LineCrossingRule& rule, const TrackSample& prev,
                 const TrackSample& curr, uint64_t framesSeen);

}  // namespace dsk::analytics
