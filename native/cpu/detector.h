// The detection seam of the CPU backend: MotionDetector (background subtraction, no model) and
// DnnDetector (a trained network on OpenCV DNN) implement it; the pipeline only sees this interface.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/tracking/detection.h"
#include "cpu/frame_view.h"

namespace dsk::cpu {

using Detection = dsk::tracking::Detection;

// Time spent inside the last detect() call, split so the pipeline can report per-stage timings.
struct DetectorTimings {
  double scaleMs = 0;   // downscaling to the processing resolution
  double detectMs = 0;  // everything else
  double inferMs = 0;   // of detectMs: the network's forward pass (0 when it did not run)
  bool inferred = false;  // the network ran on this frame (false: skipped by the motion gate)
};

class Detector {
 public:
  virtual ~Detector() = default;

  // `gray` is one 8-bit single-channel frame (it may be a view into the decoder's buffer: stride-aware,
  // not to be kept after the call). Boxes come back in full-frame pixel coordinates: the frame size set by
  // setFrameSize(), or gray's own size when none was set. Called once per frame, in presentation order.
  virtual std::vector<Detection> detect(const cv::Mat& gray, int64_t ptsMs) = 0;

  // The pipeline's entry point: the whole decoded frame (luma + chroma views). Detectors that need colour
  // override it; the default hands the luma plane to detect().
  virtual std::vector<Detection> detectFrame(const FrameView& frame, int64_t ptsMs) { return detect(frame.luma, ptsMs); }

  // Frames skipped between detections (nvinfer's `interval`); the tracker coasts in skipped frames.
  virtual int interval() const { return 0; }

  // Whether to detect on this frame (else the tracker predicts). Default: every (interval + 1)-th frame.
  virtual bool shouldDetect(uint64_t frameNum, int64_t /*ptsMs*/) {
    const int n = interval();
    return n <= 0 || frameNum % static_cast<uint64_t>(n + 1) == 0;
  }

  // One line for logs and capabilities, e.g. "dnn ssdlite-person (300x300)".
  virtual std::string describe() const { return "detector"; }

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
