// The live page's picture (--http-port): a FrameSink that keeps, per stream, a JPEG of the latest
// annotated frame (rules, boxes with ids, trails, lc_cum panel; osd_draw.h) at most every intervalMs of
// stream time, at most maxWidth wide. Conversion, drawing and encoding cost ~3-5 ms at 640 px and run on
// the stream's worker only when a snapshot is due (2 per second by default); readers get a copy.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/analytics/analytics_config.h"
#include "cpu/osd/osd_draw.h"
#include "cpu/pipeline.h"

namespace dsk::cpu::osd {

class SnapshotSink : public FrameSink {
 public:
  SnapshotSink(const AnalyticsConfig& cfg, size_t streams, int maxWidth = 640, int intervalMs = 500);
  void onFrame(const FrameView& frame, const FrameResult& result) override;
  // The latest JPEG of the stream; empty when there is none yet.
  std::vector<unsigned char> latest(int streamId) const;

 private:
  struct Stream {
    std::unique_ptr<OsdRenderer> renderer;
    int64_t nextMs = 0;
    cv::Mat bgr;
    mutable std::mutex m;
    std::vector<unsigned char> jpeg;
  };
  int maxWidth_, intervalMs_;
  std::vector<std::unique_ptr<Stream>> streams_;
};

// Several sinks as one (the annotated video and the live page's snapshots together).
class FrameSinks : public FrameSink {
 public:
  explicit FrameSinks(std::vector<std::shared_ptr<FrameSink>> sinks) : sinks_(std::move(sinks)) {}
  void onFrame(const FrameView& frame, const FrameResult& result) override;
  std::string onStreamEnd(int streamId, StreamState state) override;

 private:
  std::vector<std::shared_ptr<FrameSink>> sinks_;
};

}  // namespace dsk::cpu::osd
