#include "cpu/motion_detector.h"

#include <algorithm>
#include <chrono>

#include <opencv2/imgproc.hpp>

namespace dsk::cpu {

namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
}  // namespace

MotionDetector::MotionDetector(MotionDetectorConfig config) : config_(std::move(config)) {
  if (config_.algorithm == MotionDetectorConfig::Algorithm::Mog2) {
    auto mog = cv::createBackgroundSubtractorMOG2(config_.history, config_.varThreshold, config_.detectShadows);
    mog->setNMixtures(config_.mixtures);
    mog->setShadowThreshold(config_.shadowThreshold);
    subtractor_ = mog;
  } else {
    auto knn = cv::createBackgroundSubtractorKNN(config_.history, config_.dist2Threshold, config_.detectShadows);
    knn->setShadowThreshold(config_.shadowThreshold);
    subtractor_ = knn;
  }
  if (config_.openKernel > 0)
    openElem_ = cv::getStructuringElement(cv::MORPH_ELLIPSE, {config_.openKernel, config_.openKernel});
  if (config_.closeKernel > 0)
    closeElem_ = cv::getStructuringElement(cv::MORPH_ELLIPSE, {config_.closeKernel, config_.closeKernel});
}

cv::Size MotionDetector::processingSize(cv::Size full) const {
  if (config_.processingWidth <= 0 || full.width <= config_.processingWidth) return full;
  const int w = config_.processingWidth & ~1;
  const int h = std::max(2, static_cast<int>(static_cast<int64_t>(full.height) * w / full.width) & ~1);
  return {w, h};
}

void MotionDetector::buildRegionMask(cv::Size proc, cv::Size full) {
  regionFor_ = proc;
  regionMask_.release();
  if (config_.region.size() < 3) return;
  const double rw = config_.regionWidth > 0 ? config_.regionWidth : full.width;
  const double rh = config_.regionHeight > 0 ? config_.regionHeight : full.height;
  std::vector<cv::Point> pts;
  for (const auto& p : config_.region)
    pts.emplace_back(cvRound(p.x / rw * proc.width), cvRound(p.y / rh * proc.height));
  regionMask_ = cv::Mat::zeros(proc, CV_8UC1);
  cv::fillPoly(regionMask_, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(255));
}

std::vector<Detection> MotionDetector::detect(const cv::Mat& gray, int64_t /*ptsMs*/) {
  std::vector<Detection> out;
  timings_ = {};
  if (gray.empty()) return out;
  const cv::Size full = frameSize_.width > 0 ? frameSize_ : gray.size();
  const cv::Size proc = processingSize(full);

  auto t0 = Clock::now();
  const cv::Mat* in = &gray;
  if (gray.size() != proc) {
    // INTER_AREA: box-filter averaging, exact and fast for integer ratios (1280->320 is 4:1).
    cv::resize(gray, small_, proc, 0, 0, cv::INTER_AREA);
    in = &small_;
  }
  if (config_.blurKernel > 1) {
    const int k = config_.blurKernel | 1;
    cv::GaussianBlur(*in, small_, {k, k}, 0);
    in = &small_;
  }
  timings_.scaleMs = msSince(t0);

  t0 = Clock::now();
  subtractor_->apply(*in, fg_, config_.learningRate);
  ++frames_;
  if (frames_ <= static_cast<uint64_t>(config_.warmupFrames)) {
    timings_.detectMs = msSince(t0);
    return out;
  }
  // Shadows are 127 in the mask, foreground 255: keeping > 200 removes them.
  cv::threshold(fg_, mask_, 200, 255, cv::THRESH_BINARY);
  if (regionFor_ != proc) buildRegionMask(proc, full);
  if (!regionMask_.empty()) cv::bitwise_and(mask_, regionMask_, mask_);
  if (!openElem_.empty()) cv::morphologyEx(mask_, mask_, cv::MORPH_OPEN, openElem_);
  if (!closeElem_.empty()) cv::morphologyEx(mask_, mask_, cv::MORPH_CLOSE, closeElem_);

  const int n = cv::connectedComponentsWithStats(mask_, labels_, stats_, centroids_, 8, CV_32S);
  const double sx = static_cast<double>(full.width) / proc.width;
  const double sy = static_cast<double>(full.height) / proc.height;
  const double frameArea = static_cast<double>(full.width) * full.height;
  for (int i = 1; i < n; ++i) {
    const int* s = stats_.ptr<int>(i);
    Detection d;
    d.box.left = s[cv::CC_STAT_LEFT] * sx;
    d.box.top = s[cv::CC_STAT_TOP] * sy;
    d.box.width = s[cv::CC_STAT_WIDTH] * sx;
    d.box.height = s[cv::CC_STAT_HEIGHT] * sy;
    const double area = d.box.width * d.box.height;
    if (area < config_.minArea) continue;
    if (config_.maxArea > 0 && area > config_.maxArea) continue;
    if (config_.maxAreaFraction > 0 && area > config_.maxAreaFraction * frameArea) continue;
    const double aspect = d.box.width / d.box.height;
    if (aspect < config_.minAspect || aspect > config_.maxAspect) continue;
    d.classId = config_.classId;
    // Fraction of the box that is foreground: a cheap confidence.
    d.confidence = std::min(1.0, s[cv::CC_STAT_AREA] / (static_cast<double>(s[cv::CC_STAT_WIDTH]) * s[cv::CC_STAT_HEIGHT]));
    out.push_back(d);
  }
  if (static_cast<int>(out.size()) > config_.maxDetections) {
    std::partial_sort(out.begin(), out.begin() + config_.maxDetections, out.end(), [](const Detection& a, const Detection& b) {
      return a.box.width * a.box.height > b.box.width * b.box.height;
    });
    out.resize(config_.maxDetections);
  }
  timings_.detectMs = msSince(t0);
  return out;
}

}  // namespace dsk::cpu
