// Network inputs' options from JavaScript (CpuPipeline options -> PipelineOptions): connectTimeoutMs,
// stallTimeoutMs and reconnect { attempts, initialDelayMs, maxDelayMs } (cpu/reconnect_policy.h).
// Throws std::invalid_argument naming the option for out-of-range values.
#pragma once

#include <napi.h>

#include "cpu/pipeline.h"

namespace dsk::addon {

void configureLiveSources(const Napi::Object& options, dsk::cpu::PipelineOptions& out);

}  // namespace dsk::addon
