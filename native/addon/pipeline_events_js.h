// The CPU pipeline's events as JavaScript objects (pipeline_binding.cc delivers them): frames, messages,
// state changes and the run summary. JS thread only.
#pragma once

#include <napi.h>

#include <cstdint>

#include "core/types.h"
#include "cpu/pipeline.h"
#include "kafka/analytics_publisher.h"

namespace dsk::addon {

Napi::Object summaryToJs(Napi::Env env, const dsk::cpu::RunSummary& r, uint64_t eventsDropped);
Napi::Object messageToJs(Napi::Env env, const dsk::kafka::PublishedMessage& m, const dsk::FrameAnalytics& record);
Napi::Object frameToJs(Napi::Env env, const dsk::cpu::FrameResult& f);
// { kind: 'state', streamId, state, reason?, attempt?, retryInMs?, reconnects }
Napi::Object stateToJs(Napi::Env env, const dsk::cpu::StateChange& c);

}  // namespace dsk::addon
