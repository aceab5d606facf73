// Counts carried over from an earlier run (durable counting state, --resume-counts): added to the engine's
// (or nvdsanalytics') cumulative line-crossing counts so lc_cum_<label> continues across restarts instead
// of dropping to 0. Applied to the frame's output, so every consumer (payload, frame events, report, OSD)
// sees the same continued count. Both backends call it; nvdsanalytics itself cannot be seeded.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/types.h"

namespace dsk {

using CumulativeBase = std::map<std::string, uint64_t>;  // line label -> count at resume

// Adds base[label] to frame.objLCCumCnt[label] (saturating) for the labels this frame reports; labels of the
// base the current config no longer has are ignored (the caller said so when it resolved the state).
void applyCumulativeBase(FrameAnalytics& frame, const CumulativeBase& base);

}  // namespace dsk
