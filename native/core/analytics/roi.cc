#include "core/analytics/roi.h"

#include "core/analytics/geometry.h"

namespace dsk::analytics {

ScaledPolygon scalePolygon(const std::vector<Point>& polygon, double sx, double sy) {
  ScaledPolygon out;
  out.points = geom::scale(polygon, sx, sy);
  out.usable = geom::isUsablePolygon(out.points);
  return out;
}

bool roiFlags(const ScaledPolygon& polygon, bool inverse, const Point& p) {
  if (!polygon.usable || !geom::isFinite(p)) return false;
  return geom::pointInPolygon(polygon.points, p) != inverse;
}

}  // namespace dsk::analytics
