// A trained detection network on OpenCV's DNN module (the CPU backend's nvinfer): colour input built
// from the decoder's planes at the network size, letterbox or stretch, normalisation, forward pass, output
// decoding (cpu/dnn_output.h), per-class NMS, boxes mapped to full-frame pixels and labels mapped to the
// analytics' class ids. A motion gate (a small background model) skips the network on frames where
// nothing moves and the last inference found nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/dnn.hpp>

#include "cpu/detector.h"
#include "cpu/dnn_config.h"
#include "cpu/motion_detector.h"

namespace dsk::cpu {

class DnnDetector : public Detector {
 public:
  // Loads the network and runs one inference on a blank image to check that its output parses as the
  // configured format. Throws std::runtime_error naming the model file when it cannot be read, and
  // DnnOutputError when the output does not fit output-format.
  explicit DnnDetector(DnnDetectorConfig config);

  std::vector<Detection> detect(const cv::Mat& gray, int64_t ptsMs) override;
  std::vector<Detection> detectFrame(const FrameView& frame, int64_t ptsMs) override;
  DetectorTimings lastTimings() const override { return timings_; }
  int interval() const override { return config_.interval; }
  bool shouldDetect(uint64_t frameNum, int64_t ptsMs) override;
  std::string describe() const override;

  const DnnDetectorConfig& config() const { return config_; }

  // Sets OpenCV's (process-wide) thread count for `streams` concurrent detectors: `threads` when > 0,
  // else the cores divided among the streams, at least 1. Returns the count set.
  static int configureThreads(int threads, int streams);

 private:
  std::vector<Detection> infer(const FrameView& frame);
  cv::Size inputSizeFor(cv::Size frame) const;
  bool gateOpen(const FrameView& frame, int64_t ptsMs);

  DnnDetectorConfig config_;
  cv::dnn::Net net_;
  std::vector<std::string> outputNames_;
  std::vector<int> reportedClass_;  // model class index -> reported class id, -1 = dropped
  float minScore_ = 0;
  std::unique_ptr<MotionDetector> gate_;
  cv::Mat bgr_, canvas_, blob_;
  std::vector<cv::Mat> outputs_;
  int64_t lastFoundMs_ = 0;         // stream time of the last inference that found objects (0: look at first)
  int64_t lastInferMs_ = INT64_MIN / 2;
  double nextDueMs_ = -1;          // inference-fps schedule, stream time
  DetectorTimings timings_;
};

}  // namespace dsk::cpu
