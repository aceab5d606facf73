// ROI filtering and overcrowding: which objects a polygon flags. Both use the bottom centre of the box.
#pragma once

#include <vector>

#include "core/types.h"

namespace dsk::analytics {

// A polygon in frame pixels. Unusable polygons (fewer than 3 vertices, non-finite) flag nothing,
// not even with inverse (a broken ROI must not suddenly flag every object).
struct ScaledPolygon {
  std::vector<Point> points;
  bool usable = false;
};

ScaledPolygon scalePolygon(const std::vector<Point>& polygon, double sx, double sy);

// ROI filtering: inside the polygon (boundary included), or outside it when inverse.
bool roiFlags(const ScaledPolygon& polygon, bool inverse, const Point& bottomCentre);

// Overcrowding: inside the polygon (there is no inverse for overcrowding).
inline bool ocContains(const ScaledPolygon& polygon, const Point& bottomCentre) {
  return roiFlags(polygon, false, bottomCentre);
}

// DeepStream: overcrowded when the objects inside in this frame >= object-threshold. time-threshold is
// parsed but unused.
inline bool isOvercrowded(uint32_t inside, int objectThreshold) {
  return static_cast<long long>(inside) >= static_cast<long long>(objectThreshold);
}

}  // namespace dsk::analytics
