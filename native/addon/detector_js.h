// The CPU backend's detector choice from JavaScript options: `detectorKind` ('motion' | 'dnn'),
// `detectorConfigPath` and `detector` (key overrides), applied to PipelineOptions.
#pragma once

#include <napi.h>

#include "cpu/pipeline.h"

namespace dsk::addon {

// Throws KeyFileError (file:line: key ...) for a bad config and std::runtime_error for a model that
// cannot be loaded; the DNN model is loaded later, once per stream, by the pipeline's constructor.
void configureDetector(const Napi::Object& options, dsk::cpu::PipelineOptions& out);

}  // namespace dsk::addon
