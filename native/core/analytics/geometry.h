// Plane geometry used by the analytics rules: side of a line, segment intersection, point in polygon,
// config-space -> frame-space scaling and the reference points of a box. Everything is NaN-safe: a
// non-finite input makes a predicate false, never undefined behaviour.
#pragma once

#include <optional>
#include <vector>

#include "core/types.h"

namespace dsk::geom {

inline bool isFinite(double v) { return v - v == 0; }  // false for NaN and +-Inf
inline bool isFinite(const Point& p) { return isFinite(p.x) && isFinite(p.y); }

// Cross product (a - o) x (b - o): > 0 when b is counter-clockwise of a around o (in y-up terms).
inline double cross(const Point& o, const Point& a, const Point& b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}
inline double dot(const Point& a, const Point& b) { return a.x * b.x + a.y * b.y; }
inline Point sub(const Point& a, const Point& b) { return {a.x - b.x, a.y - b.y}; }
inline double squaredDistance(const Point& a, const Point& b) {
  const double dx = a.x - b.x, dy = a.y - b.y;
  return dx * dx + dy * dy;
}

// Signed side of p relative to the infinite line through a->b: > 0 one side, < 0 the other, 0 on it.
inline double sideOfLine(const Point& a, const Point& b, const Point& p) { return cross(a, b, p); }

// -1, 0 or +1; 0 also for NaN.
inline int sign(double v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); }

// Cosine of the angle between u and v; NaN when either is (near) zero-length or not finite.
double cosine(const Point& u, const Point& v);

// p lies on the closed segment [a, b] (collinear and within its bounding box).
bool onSegment(const Point& a, const Point& b, const Point& p);

// The closed segments [p1, p2] and [q1, q2] share at least one point (touching counts).
bool segmentsIntersect(const Point& p1, const Point& p2, const Point& q1, const Point& q2);

// p inside the simple polygon, boundary included. Fewer than 3 vertices or any non-finite value -> false.
bool pointInPolygon(const std::vector<Point>& polygon, const Point& p);

// A polygon that can contain anything: >= 3 vertices, all finite.
bool isUsablePolygon(const std::vector<Point>& polygon);

inline Point scale(const Point& p, double sx, double sy) { return {p.x * sx, p.y * sy}; }
std::vector<Point> scale(const std::vector<Point>& polygon, double sx, double sy);

// The three bottom points of a box that the rules track.
struct BoxAnchors {
  Point bottomCentre;  // (left + width/2, top + height): the documented reference point
  Point bottomLeft;
  Point bottomRight;
};

// A negative width/height is normalised (the box spans the same pixels); a box with a non-finite
// coordinate has no anchors (it cannot be placed, so spatial rules ignore it).
std::optional<BoxAnchors> anchorsOf(const Box& box);

}  // namespace dsk::geom
