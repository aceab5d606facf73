#include "core/analytics/cumulative_base.h"

#include <limits>

namespace dsk {

void applyCumulativeBase(FrameAnalytics& frame, const CumulativeBase& base) {
  if (base.empty()) return;
  for (auto& [label, count] : frame.objLCCumCnt) {
    auto it = base.find(label);
    if (it == base.end()) continue;
    const uint64_t max = std::numeric_limits<uint64_t>::max();
    count = it->second > max - count ? max : count + it->second;
  }
}

}  // namespace dsk
