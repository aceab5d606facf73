#include "core/analytics/line_crossing.h"

namespace dsk::analytics {

ModeThresholds thresholdsFor(LineCrossingMode mode) {
  switch (mode) {
    case LineCrossingMode::Strict:
      return {6000.0, 0.8, 20};
    case LineCrossingMode::Balanced:
      return {3000.0, 0.5, 10};
    case LineCrossingMode::Loose:
    default:
      return {1000.0, 0.1, 3};
  }
}

ScaledLine scaleLine(const LineCrossingRule& rule, double sx, double sy) {
  ScaledLine s;
  s.arrowFrom = geom::scale(rule.arrowFrom, sx, sy);
  s.arrowTo = geom::scale(rule.arrowTo, sx, sy);
  s.a = geom::scale(rule.lineA, sx, sy);
  s.b = geom::scale(rule.lineB, sx, sy);
  if (!geom::isFinite(s.a) || !geom::isFinite(s.b) || !geom::isFinite(s.arrowFrom) || !geom::isFinite(s.arrowTo))
    return s;
  // The side the arrow points to: the sign of the line normal's component along the arrow vector. When
  // the arrow crosses the line (the usual case) this is the side of its end point and the opposite of
  // its start point's side; it also works for an arrow drawn entirely on one side of the line.
  const Point lineDir = geom::sub(s.b, s.a);
  const Point arrowDir = geom::sub(s.arrowTo, s.arrowFrom);
  s.endSide = geom::sign(lineDir.x * arrowDir.y - lineDir.y * arrowDir.x);
  return s;
}

bool crossesLine(const ScaledLine& line, const LineCrossingRule& rule, const TrackSample& prev,
                 const TrackSample& curr, uint64_t framesSeen) {
  if (line.endSide == 0) return false;
  const ModeThresholds t = thresholdsFor(rule.mode);
  if (!(framesSeen > t.minFramesSeen)) return false;

  const Point& p0 = prev.bottomCentre;
  const Point& p1 = curr.bottomCentre;
  if (!(geom::squaredDistance(p0, p1) > t.minSquaredDisplacement)) return false;

  const double c = geom::cosine(geom::sub(p1, p0), geom::sub(line.arrowTo, line.arrowFrom));
  if (!(c >= t.minCosine)) return false;  // NaN fails too

  // Side change in the arrow's sense: strictly on the start side before, on the end side (or on the
  // line) now.
  const int before = geom::sign(geom::sideOfLine(line.a, line.b, p0));
  const int now = geom::sign(geom::sideOfLine(line.a, line.b, p1));
  if (before != -line.endSide) return false;
  if (now == -line.endSide) return false;

  if (rule.extended) return true;
  return geom::segmentsIntersect(prev.bottomCentre, curr.bottomCentre, line.a, line.b) ||
         geom::segmentsIntersect(prev.bottomLeft, curr.bottomLeft, line.a, line.b) ||
         geom::segmentsIntersect(prev.bottomRight, curr.bottomRight, line.a, line.b);
}

}  // namespace dsk::analytics
