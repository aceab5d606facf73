// Small helpers shared by the rule modules.
#pragma once

#include <algorithm>
#include <vector>

namespace dsk::analytics {

// DeepStream's class-id list: empty, or containing -1, means every class.
inline bool classMatches(const std::vector<int>& classIds, int classId) {
  if (classIds.empty()) return true;
  return std::any_of(classIds.begin(), classIds.end(), [&](int c) { return c == -1 || c == classId; });
}

}  // namespace dsk::analytics
