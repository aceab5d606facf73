#include "cpu/dnn_detector.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>

#include "cpu/dnn_output.h"

namespace dsk::cpu {

namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

MotionDetectorConfig gateConfig(const DnnDetectorConfig& c) {
  MotionDetectorConfig g;
  g.processingWidth = c.gateProcessingWidth;
  g.minArea = c.gateMinArea;
  // Any moving area wakes the network, however large (a lorry filling the view); lighting changes are the
  // motion detector's own business (gain compensation, re-learning), not motion.
  g.maxAreaFraction = 0;
  g.minAspect = 0;
  g.maxAspect = 1000;
  g.warmupFrames = 5;
  g.interval = 0;
  return g;
}
}  // namespace

int DnnDetector::configureThreads(int threads, int streams) {
  int n = threads;
  if (n <= 0) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    n = std::max(1, cores / std::max(1, streams));
  }
  cv::setNumThreads(n);
  return n;
}

DnnDetector::DnnDetector(DnnDetectorConfig config) : config_(std::move(config)) {
  // OpenCV DNN also prints its exceptions as [ERROR] log lines on stderr: they reach the user once, in
  // the error this constructor throws, and must not break --log-format json output.
  static const bool quiet = [] {
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_FATAL);
    return true;
  }();
  (void)quiet;
  try {
    net_ = cv::dnn::readNet(config_.modelFile, config_.configFile, config_.framework);
  } catch (const cv::Exception& e) {
    throw std::runtime_error("cannot load model " + config_.modelFile +
                             (config_.configFile.empty() ? "" : " (with " + config_.configFile + ")") +
                             ": corrupt or not a " + (config_.framework.empty() ? "supported" : config_.framework) +
                             " model: " + e.err);
  }
  if (net_.empty()) throw std::runtime_error("cannot load model " + config_.modelFile + ": OpenCV returned an empty network");
  net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  for (const auto& n : net_.getUnconnectedOutLayersNames()) outputNames_.push_back(n);

  for (size_t i = 0; i < config_.labels.size(); ++i) {
    auto it = config_.classMap.find(config_.labels[i]);
    reportedClass_.push_back(it == config_.classMap.end() ? -1 : it->second);
  }
  minScore_ = static_cast<float>(config_.scoreThreshold);
  for (const auto& [id, t] : config_.classThresholds) minScore_ = std::min(minScore_, static_cast<float>(t));
  if (config_.gate) gate_ = std::make_unique<MotionDetector>(gateConfig(config_));

  // One inference on a blank frame: catches a model whose output is not the configured format now, with
  // the file named, instead of as silent zero detections later (and warms the network up).
  const cv::Size probe = inputSizeFor({16 * 32, 9 * 32});
  cv::Mat blank(probe, CV_8UC1, cv::Scalar(16));
  FrameView fv;
  fv.luma = blank;
  try {
    infer(fv);
  } catch (const DnnOutputError& e) {
    throw DnnOutputError("model " + config_.modelFile + " does not produce output-format=" +
                         toString(config_.outputFormat) + ": " + e.what());
  } catch (const cv::Exception& e) {
    throw std::runtime_error("model " + config_.modelFile + " fails on a " + std::to_string(probe.width) + "x" +
                             std::to_string(probe.height) + " input (check input-width/height): " + e.err);
  }
}

cv::Size DnnDetector::inputSizeFor(cv::Size frame) const {
  if (config_.inputHeight > 0) return {config_.inputWidth, config_.inputHeight};
  // The letterboxed content's height, rounded up to the stride multiple fully convolutional detectors need:
  // a 16:9 frame at width 416 gets 416x256 instead of 416x416 (same pixels of content, 40% less work).
  const double h = static_cast<double>(config_.inputWidth) * frame.height / std::max(1, frame.width);
  return {config_.inputWidth, std::max(32, (static_cast<int>(std::ceil(h)) + 31) / 32 * 32)};
}

std::string DnnDetector::describe() const {
  const std::string height = config_.inputHeight > 0 ? std::to_string(config_.inputHeight) : "auto";
  return "dnn " + config_.modelName + " (" + std::to_string(config_.inputWidth) + "x" + height +
         ", " + toString(config_.outputFormat) + (config_.gate ? ", motion-gated" : "") + ")";
}

bool DnnDetector::shouldDetect(uint64_t frameNum, int64_t ptsMs) {
  if (config_.inferenceFps <= 0) return Detector::shouldDetect(frameNum, ptsMs);
  // A fixed rate in stream time, whatever the frame rate: a 10 fps camera is detected on every frame, a
  // 30 fps one on every third (5 ms of slack for rounded presentation times).
  const double period = 1000.0 / config_.inferenceFps;
  const double t = static_cast<double>(ptsMs);
  if (nextDueMs_ >= 0 && t + 5 < nextDueMs_ && t >= nextDueMs_ - 2 * period) return false;
  // Due (or first frame, or time jumped back): schedule the next one; after a gap, restart from now.
  nextDueMs_ = (nextDueMs_ < 0 || t >= nextDueMs_ + period || t < nextDueMs_ - 2 * period) ? t + period : nextDueMs_ + period;
  return true;
}

std::vector<Detection> DnnDetector::detect(const cv::Mat& gray, int64_t ptsMs) {
  FrameView fv;
  fv.luma = gray;
  return detectFrame(fv, ptsMs);
}

bool DnnDetector::gateOpen(const FrameView& frame, int64_t ptsMs) {
  if (!gate_) return true;
  gate_->setFrameSize(frameSize_.width > 0 ? frameSize_ : frame.size());
  const bool moving = !gate_->detect(frame.luma, ptsMs).empty();
  // Objects found recently may be standing still (the gate's background has absorbed them) and one
  // inference can miss them: keep looking for two refresh periods after the last one was found, longer
  // than the tracker coasts, so a missed still person is found again before their track ends.
  const bool recent = ptsMs - lastFoundMs_ <= 2 * static_cast<int64_t>(config_.gateRefreshMs);
  return moving || recent || ptsMs - lastInferMs_ >= config_.gateRefreshMs || ptsMs < lastInferMs_;
}

std::vector<Detection> DnnDetector::detectFrame(const FrameView& frame, int64_t ptsMs) {
  timings_ = {};
  const auto t0 = Clock::now();
  if (frame.luma.empty()) return {};
  if (!gateOpen(frame, ptsMs)) {
    timings_.detectMs = msSince(t0);
    return {};
  }
  lastInferMs_ = ptsMs;
  auto dets = infer(frame);
  if (!dets.empty()) lastFoundMs_ = ptsMs;
  timings_.detectMs = msSince(t0) - timings_.scaleMs;
  return dets;
}

std::vector<Detection> DnnDetector::infer(const FrameView& frame) {
  const cv::Size full = frameSize_.width > 0 ? frameSize_ : frame.size();
  const cv::Size in = inputSizeFor(full);
  const cv::Size src = frame.size();

  // Colour at the network size straight from the decoder's planes (letterboxed or stretched).
  auto t0 = Clock::now();
  double r = 1, dx = 0, dy = 0;  // network pixel = frame pixel * r + (dx, dy); stretch scales per axis
  double rx = static_cast<double>(in.width) / src.width, ry = static_cast<double>(in.height) / src.height;
  if (config_.letterbox) {
    r = std::min(rx, ry);
    const cv::Size content(std::max(1, cvRound(src.width * r)), std::max(1, cvRound(src.height * r)));
    if (config_.letterboxCentred) {
      dx = (in.width - content.width) / 2;
      dy = (in.height - content.height) / 2;
    }
    frame.toBgr(cv::Rect(0, 0, src.width, src.height), content, bgr_);
    canvas_.create(in, CV_8UC3);
    canvas_.setTo(cv::Scalar::all(config_.padValue));
    bgr_.copyTo(canvas_(cv::Rect(static_cast<int>(dx), static_cast<int>(dy), content.width, content.height)));
    rx = ry = r;
  } else {
    frame.toBgr(cv::Rect(0, 0, src.width, src.height), in, canvas_);
  }
  const cv::Scalar mean(config_.offsets[0], config_.offsets[1], config_.offsets[2]);
  cv::dnn::blobFromImage(canvas_, blob_, config_.netScaleFactor, in, mean, config_.rgb, false, CV_32F);
  timings_.scaleMs = msSince(t0);

  t0 = Clock::now();
  net_.setInput(blob_);
  net_.forward(outputs_, outputNames_);
  timings_.inferMs = msSince(t0);
  timings_.inferred = true;
  if (outputs_.empty()) throw DnnOutputError("the network produced no output");

  auto raw = decodeDetections(outputs_[0], config_.outputFormat, in, minScore_, config_.yoloxStrides);
  // Labels first (drop what the analytics cannot use), then per-class thresholds, then NMS.
  std::vector<RawDetection> usable;
  usable.reserve(raw.size());
  for (auto& d : raw) {
    const int idx = d.modelClass - config_.classIdOffset;
    if (idx < 0 || idx >= static_cast<int>(reportedClass_.size()) || reportedClass_[idx] < 0) continue;
    const int cls = reportedClass_[idx];
    auto ct = config_.classThresholds.find(cls);
    if (d.score < (ct == config_.classThresholds.end() ? config_.scoreThreshold : ct->second)) continue;
    d.modelClass = cls;  // from here on: the reported class id
    usable.push_back(d);
  }
  // NMS per reported class, not per model class: a vehicle the model scores as both "car" and "truck"
  // (both class 0) must become one box, not two tracks counted twice.
  usable = nmsPerClass(std::move(usable), static_cast<float>(config_.nmsThreshold), config_.maxDetections,
                       config_.mergeBoxes);

  // Network pixels -> decoded-frame pixels -> full-frame pixels (the frame may arrive downscaled).
  const double fx = static_cast<double>(full.width) / src.width, fy = static_cast<double>(full.height) / src.height;
  std::vector<Detection> out;
  for (const auto& d : usable) {
    double x1 = (d.box.x - dx) / rx * fx, y1 = (d.box.y - dy) / ry * fy;
    double x2 = (d.box.x + d.box.width - dx) / rx * fx, y2 = (d.box.y + d.box.height - dy) / ry * fy;
    x1 = std::clamp(x1, 0.0, static_cast<double>(full.width));
    x2 = std::clamp(x2, 0.0, static_cast<double>(full.width));
    y1 = std::clamp(y1, 0.0, static_cast<double>(full.height));
    y2 = std::clamp(y2, 0.0, static_cast<double>(full.height));
    if (x2 - x1 < config_.minBoxWidth || y2 - y1 < config_.minBoxHeight) continue;
    Detection det;
    det.box = {x1, y1, x2 - x1, y2 - y1};
    det.classId = d.modelClass;
    det.confidence = d.score;
    out.push_back(det);
  }
  return out;
}

}  // namespace dsk::cpu
