// What a detector hands to the tracker: one box in full-frame pixel coordinates.
#pragma once

#include "core/types.h"

namespace dsk::tracking {

struct Detection {
  Box box;
  int classId = 0;
  double confidence = 1.0;
};

}  // namespace dsk::tracking
