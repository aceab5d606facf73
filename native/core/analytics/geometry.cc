#include "core/analytics/geometry.h"

#include <algorithm>
#include <cmath>

namespace dsk::geom {

double cosine(const Point& u, const Point& v) {
  const double nu = std::hypot(u.x, u.y), nv = std::hypot(v.x, v.y);
  if (!(nu > 0) || !(nv > 0) || !isFinite(nu) || !isFinite(nv)) return std::nan("");
  // Divide first so huge vectors do not overflow the product.
  return (u.x / nu) * (v.x / nv) + (u.y / nu) * (v.y / nv);
}

bool onSegment(const Point& a, const Point& b, const Point& p) {
  if (!isFinite(a) || !isFinite(b) || !isFinite(p)) return false;
  if (cross(a, b, p) != 0) return false;
  return p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) && p.y >= std::min(a.y, b.y) &&
         p.y <= std::max(a.y, b.y);
}

bool segmentsIntersect(const Point& p1, const Point& p2, const Point& q1, const Point& q2) {
  if (!isFinite(p1) || !isFinite(p2) || !isFinite(q1) || !isFinite(q2)) return false;
  const int d1 = sign(cross(q1, q2, p1));
  const int d2 = sign(cross(q1, q2, p2));
  const int d3 = sign(cross(p1, p2, q1));
  const int d4 = sign(cross(p1, p2, q2));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;  // proper crossing
  // Touching / collinear cases.
  if (d1 == 0 && onSegment(q1, q2, p1)) return true;
  if (d2 == 0 && onSegment(q1, q2, p2)) return true;
  if (d3 == 0 && onSegment(p1, p2, q1)) return true;
  if (d4 == 0 && onSegment(p1, p2, q2)) return true;
  return false;
}

bool isUsablePolygon(const std::vector<Point>& polygon) {
  if (polygon.size() < 3) return false;
  return std::all_of(polygon.begin(), polygon.end(), [](const Point& p) { return isFinite(p); });
}

bool pointInPolygon(const std::vector<Point>& polygon, const Point& p) {
  if (!isUsablePolygon(polygon) || !isFinite(p)) return false;
  const size_t n = polygon.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++)
    if (onSegment(polygon[j], polygon[i], p)) return true;  // boundary counts as inside
  bool inside = false;
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Point& a = polygon[i];
    const Point& b = polygon[j];
    if ((a.y > p.y) != (b.y > p.y)) {
      const double xAtY = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
      if (p.x < xAtY) inside = !inside;
    }
  }
  return inside;
}

std::vector<Point> scale(const std::vector<Point>& polygon, double sx, double sy) {
  std::vector<Point> out;
  out.reserve(polygon.size());
  for (const auto& p : polygon) out.push_back(scale(p, sx, sy));
  return out;
}

std::optional<BoxAnchors> anchorsOf(const Box& in) {
  Box b = in;
  if (!isFinite(b.left) || !isFinite(b.top) || !isFinite(b.width) || !isFinite(b.height)) return std::nullopt;
  if (b.width < 0) {
    b.left += b.width;
    b.width = -b.width;
  }
  if (b.height < 0) {
    b.top += b.height;
    b.height = -b.height;
  }
  const double bottom = b.top + b.height;
  const double right = b.left + b.width;
  const double centre = b.left + b.width / 2;
  if (!isFinite(bottom) || !isFinite(right) || !isFinite(centre)) return std::nullopt;  // overflowed
  return BoxAnchors{{centre, bottom}, {b.left, bottom}, {right, bottom}};
}

}  // namespace dsk::geom
