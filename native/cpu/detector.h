// The detection seam of the CPU backend. MotionDetector is the default; a model-based detector (e.g. an
// OpenCV DNN or ONNX Runtime model) implements the same interface later without touching the pipeline.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "core/tracking/detection.h"

namespace dsk::cpu {

using Detection = dsk::tracking::Detection;

// Time spent inside the last detect() call, split so the pipeline can report per-stage timings.
struct DetectorTimings {
  double scaleMs = 0;   // downscaling to the processing resolution
  double detectMs = 0;  // everything else
};

class Detector {
 public:
  virtual ~Detector() = default;

  // `gray` is one 8-bit single-channel frame (it may be a view into the decoder's buffer: stride-aware,
  // not to be kept after the call). Boxes come back in full-frame pixel coordinates: the frame size set by
  // setFrameSize(), or gray's own size when none was set. Called once per frame, in presentation order.
  virtual std::vector<Detection> detect(const cv::Mat& gray, int64_t ptsMs) = 0;

  // The size of the decoded frame, when the caller hands detect() an already downscaled image.
  virtual void setFrameSize(cv::Size fullFrame) { frameSize_ = fullFrame; }

  // The input size this detector works at for a frame of `fullFrame` (callers that can scale more
  // cheaply elsewhere, e.g. in GStreamer, may deliver frames at this size).
  virtual cv::Size processingSize(cv::Size fullFrame) const { return fullFrame; }

  virtual DetectorTimings lastTimings() const { return {}; }

 protected:
  cv::Size frameSize_{0, 0};
};

}  // namespace dsk::cpu
