#include "core/analytics/object_history.h"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace dsk::analytics {

TrackSample ObjectHistory::smoothedPrevious() const {
  const size_t n = std::min(kSmoothing, samples_.size());
  TrackSample mean{};
  if (n == 0) return mean;
  auto add = [](Point& acc, const Point& p) {
    acc.x += p.x;
    acc.y += p.y;
  };
  for (size_t i = 0; i < n; ++i) {
    add(mean.bottomCentre, samples_[i].bottomCentre);
    add(mean.bottomLeft, samples_[i].bottomLeft);
    add(mean.bottomRight, samples_[i].bottomRight);
  }
  const double k = static_cast<double>(n);
  for (Point* p : {&mean.bottomCentre, &mean.bottomLeft, &mean.bottomRight}) {
    p->x /= k;
    p->y /= k;
  }
  return mean;
}

void ObjectHistory::push(const TrackSample& s) {
  samples_.push_back(s);
  while (samples_.size() > kCapacity) samples_.pop_front();
}

namespace {
int64_t absGap(int64_t a, int64_t b) {
  // Saturating |a - b| (pts come from the caller and may be anything).
  if (a >= b) return (b < 0 && a > INT64_MAX + b) ? INT64_MAX : a - b;
  return (a < 0 && b > INT64_MAX + a) ? INT64_MAX : b - a;
}
}  // namespace

void ObjectStore::expire(int64_t ptsMs) {
  for (auto it = objects_.begin(); it != objects_.end();) {
    if (absGap(ptsMs, it->second.lastSeenPts) > kForgetAfterMs)
      it = objects_.erase(it);
    else
      ++it;
  }
}

ObjectState& ObjectStore::touch(uint64_t id, int64_t ptsMs, size_t lineCount) {
  auto it = objects_.find(id);
  if (it == objects_.end()) {
    if (objects_.size() >= kMaxObjects) evictOldest();
    it = objects_.emplace(id, ObjectState{}).first;
  }
  ObjectState& s = it->second;
  if (s.counted.size() != lineCount) s.counted.resize(lineCount, false);
  s.lastSeenPts = ptsMs;
  return s;
}

void ObjectStore::clearHistories() {
  for (auto& [id, s] : objects_) s.history.clear();
}

void ObjectStore::evictOldest() {
  // Forget the least recently seen tenth in one pass, so a flood of new ids costs amortised O(1) each.
  std::vector<std::pair<int64_t, uint64_t>> byAge;
  byAge.reserve(objects_.size());
  for (const auto& [id, s] : objects_) byAge.emplace_back(s.lastSeenPts, id);
  const size_t drop = std::max<size_t>(1, byAge.size() / 10);
  std::nth_element(byAge.begin(), byAge.begin() + static_cast<std::ptrdiff_t>(drop - 1), byAge.end());
  for (size_t i = 0; i < drop; ++i) objects_.erase(byAge[i].second);
}

}  // namespace dsk::analytics
