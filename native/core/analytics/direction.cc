#include "core/analytics/direction.h"

#include "core/analytics/rule_common.h"

namespace dsk::analytics {

ScaledDirection scaleDirection(const DirectionRule& rule, double sx, double sy) {
  return ScaledDirection{geom::sub(geom::scale(rule.to, sx, sy), geom::scale(rule.from, sx, sy))};
}

std::string detectDirection(const std::vector<DirectionRule>& rules, const std::vector<ScaledDirection>& scaled,
                            int classId, const ObjectHistory& history, const TrackSample& prev,
                            const TrackSample& curr, uint64_t framesSeen) {
  bool anyRule = false;
  for (const auto& r : rules) anyRule = anyRule || classMatches(r.classIds, classId);
  if (!anyRule || !(framesSeen > DirectionThresholds::kMinFramesSeen) || history.empty()) return {};

  const Point& p0 = prev.bottomCentre;
  const Point& p1 = curr.bottomCentre;
  const double disp2 = geom::squaredDistance(p0, p1);
  if (disp2 > DirectionThresholds::kMinSquaredDisplacement) {
    const Point movement = geom::sub(p1, p0);
    double best = -2;
    const DirectionRule* winner = nullptr;
    for (size_t i = 0; i < rules.size() && i < scaled.size(); ++i) {
      if (!classMatches(rules[i].classIds, classId)) continue;
      const double c = geom::cosine(movement, scaled[i].vector);
      if (c >= DirectionThresholds::kMinCosine && c > best) {
        best = c;
        winner = &rules[i];
      }
    }
    return winner ? "DIR:" + winner->label : std::string();
  }

  if (history.size() < DirectionThresholds::kMinFramesSeen) return {};  // not enough evidence yet
  for (const auto& s : history.samples())
    if (!(geom::squaredDistance(s.bottomCentre, p1) <= DirectionThresholds::kStoppedSquaredRadius)) return {};
  return "STOPPED";
}

}  // namespace dsk::analytics
