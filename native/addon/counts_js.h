// JavaScript -> native for resumed line-crossing counts (--resume-counts), shared by both backends' bindings.
#pragma once

#include <napi.h>

#include <vector>

#include "core/analytics/cumulative_base.h"

namespace dsk::addon {

// options.cumulativeBase: [{ label: count }] per stream index (absent/undefined: none). Throws
// std::invalid_argument for a count that is not an integer in 0..2^53-1.
std::vector<CumulativeBase> cumulativeBasesFrom(const Napi::Value& v);

}  // namespace dsk::addon
