// The annotated video and the live page's pictures from JavaScript options: `osdOutputs` (string[], one MP4
// path per stream, "" = none; cpu/osd/osd_video.h) and `snapshots` (true: keep a JPEG of the latest annotated
// frame per stream; cpu/osd/snapshot_sink.h) become PipelineOptions::frameSink. Absent: no sink, no cost.
#pragma once

#include <napi.h>

#include <memory>

#include "cpu/osd/snapshot_sink.h"
#include "cpu/pipeline.h"

namespace dsk::addon {

// Returns the snapshot sink when `snapshots` was asked for (the wrapper serves snapshot(streamId) from it).
std::shared_ptr<dsk::cpu::osd::SnapshotSink> configureOsd(const Napi::Object& options, dsk::cpu::PipelineOptions& out);

}  // namespace dsk::addon
