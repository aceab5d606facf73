// Analytics engine: counts like nvdsanalytics for one config, across streams.
// Pure C++ (no GStreamer, no DeepStream): fed one FrameInput per frame per stream, in frame order.
// Semantics: ../shared/docs/deepstream-reference.md sections 1, 2 and 8.
#pragma once

#include <memory>

#include "core/analytics/analytics_config.h"
#include "core/types.h"

namespace dsk {

class AnalyticsEngine {
 public:
  explicit AnalyticsEngine(AnalyticsConfig config);
  ~AnalyticsEngine();
  AnalyticsEngine(const AnalyticsEngine&) = delete;
  AnalyticsEngine& operator=(const AnalyticsEngine&) = delete;

  // Not thread-safe per stream; different streams may be processed from different threads.
  FrameAnalytics process(const FrameInput& frame);

  // Forgets every object of a stream (positions, counted flags) and keeps its cumulative counts: for a
  // source that reconnected, whose tracks start afresh. Same threading rule as process() for that stream.
  void forgetObjects(int streamId);

  const AnalyticsConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dsk
