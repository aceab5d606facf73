#include "cpu/motion_detector.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>

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

double MotionDetector::learningRateNow() const {
  // OpenCV's automatic schedule (1/min(2*frames, history), frames counted from the model's start),
  // computed here because the model may be applied twice per frame (detect, then learn).
  if (config_.learningRate >= 0 && rateFrames_ > 1) return config_.learningRate;
  return 1.0 / std::min(2.0 * static_cast<double>(std::max<uint64_t>(rateFrames_, 1)), static_cast<double>(config_.history));
}

double MotionDetector::frozenRate() const {
  // MOG2 takes 0 as "do not learn"; KNN derives its update periods from log(1 - rate) and needs a rate
  // above 0 (1e-8: one update in tens of millions of frames).
  return config_.algorithm == MotionDetectorConfig::Algorithm::Knn ? 1e-8 : 0.0;
}

const cv::Mat* MotionDetector::compensateGain(const cv::Mat& in) {
  gain_ = 1;
  if (learnFrame_.size() != in.size()) return &in;
  // Global gain between the frame and the background, over the pixels outside the last frame's held
  // boxes: ratio of means, then again over the pixels that agree with that first estimate (objects not
  // yet held, saturated pixels and other outliers drop out).
  const cv::Mat* valid = nullptr;
  if (!holdMask_.empty() && cv::countNonZero(holdMask_) > 0) {
    cv::compare(holdMask_, 0, scratch_, cv::CMP_EQ);
    valid = &scratch_;
  }
  const cv::Mat none;
  const double total = static_cast<double>(in.total());
  if (valid && cv::countNonZero(*valid) < total / 8) return &in;  // too little background to tell
  const double m0 = cv::mean(learnFrame_, valid ? *valid : none)[0];
  const double m1 = cv::mean(in, valid ? *valid : none)[0];
  if (m0 < 4 || m1 < 4) return &in;  // (near) black: nothing to compensate
  double g = m1 / m0;
  if (std::abs(g - 1) < 0.01) return &in;  // within a level or two: the model's own variance covers it
  learnFrame_.convertTo(scratch2_, CV_8U, g);
  cv::absdiff(in, scratch2_, scratch2_);
  cv::compare(scratch2_, 12, scratch2_, cv::CMP_LE);
  if (valid) cv::bitwise_and(scratch2_, *valid, scratch2_);
  if (cv::countNonZero(scratch2_) >= total / 8) {
    const double b0 = cv::mean(learnFrame_, scratch2_)[0];
    const double b1 = cv::mean(in, scratch2_)[0];
    if (b0 >= 4 && b1 >= 4) g = b1 / b0;
  }
  if (std::abs(g - 1) < 0.002) return &in;
  gain_ = g;
  in.convertTo(compensated_, CV_8U, 1.0 / g);
  return &compensated_;
}

void MotionDetector::removeShadows(const cv::Mat& in) {
  // MOG2/KNN mark shadows 127, foreground 255.
  cv::threshold(fg_, mask_, 200, 255, cv::THRESH_BINARY);
  if (config_.shadowTextureTolerance <= 0 || learnFrame_.size() != in.size()) return;
  cv::compare(fg_, 127, scratch_, cv::CMP_EQ);
  if (cv::countNonZero(scratch_) == 0) return;
  // A cast shadow scales the background by a smooth factor, so inside a shadow region the ratio
  // frame/background is nearly constant; an object (even one as dark as a shadow) brings its own texture.
  // Per connected region of shadow candidates: the relative standard deviation of the ratio over its
  // interior (the region eroded by one pixel, which drops the penumbra); above the tolerance the whole
  // region is foreground after all.
  const int n = cv::connectedComponents(scratch_, labels_, 8, CV_32S);
  if (n <= 1) return;
  cv::erode(scratch_, scratch2_, cv::Mat());
  stats_.assign(static_cast<size_t>(n) * 3, 0.0);
  for (int y = 0; y < in.rows; ++y) {
    const uchar* f = in.ptr<uchar>(y);
    const uchar* b = learnFrame_.ptr<uchar>(y);
    const uchar* inner = scratch2_.ptr<uchar>(y);
    const int* lab = labels_.ptr<int>(y);
    for (int x = 0; x < in.cols; ++x) {
      if (!inner[x]) continue;
      const double r = (f[x] + 1.0) / (b[x] + 1.0);
      double* st = &stats_[static_cast<size_t>(lab[x]) * 3];
      st[0] += 1, st[1] += r, st[2] += r * r;
    }
  }
  const double tol2 = config_.shadowTextureTolerance * config_.shadowTextureTolerance;
  keep_.assign(static_cast<size_t>(n), 0);
  bool any = false;
  for (int k = 1; k < n; ++k) {
    const double* st = &stats_[static_cast<size_t>(k) * 3];
    if (st[0] < 4) continue;  // too thin to judge: a shadow sliver
    const double mean = st[1] / st[0];
    const double var = st[2] / st[0] - mean * mean;
    if (var > tol2 * mean * mean) keep_[k] = 1, any = true;
  }
  if (!any) return;
  for (int y = 0; y < in.rows; ++y) {
    const int* lab = labels_.ptr<int>(y);
    uchar* m = mask_.ptr<uchar>(y);
    for (int x = 0; x < in.cols; ++x)
      if (keep_[static_cast<size_t>(lab[x])]) m[x] = 255;
  }
}

void MotionDetector::dropGhosts(const cv::Mat& in, const std::vector<const std::vector<cv::Point>*>& contours,
                                std::vector<cv::Rect>& held) {
  // A "ghost" is foreground where the background model is wrong, not where something is: typically where
  // an object stood while the model formed (start-up) and has since left. Holding it would keep it for
  // hold-ms. An object's outline is an edge in the current frame; a ghost's outline is an edge only in
  // the background (the departed object's silhouette). Boxes whose contour is sharper in the background
  // than in the frame are not held: the model learns them away at its usual rate (they are still
  // reported, so a misjudged object is never lost).
  cv::morphologyEx(in, gradFrame_, cv::MORPH_GRADIENT, cv::Mat());
  cv::morphologyEx(learnFrame_, gradBackground_, cv::MORPH_GRADIENT, cv::Mat());
  size_t w = 0;
  for (size_t i = 0; i < held.size(); ++i) {
    double f = 0, b = 0;
    for (const cv::Point& p : *contours[i]) {
      f += gradFrame_.at<uchar>(p);
      b += gradBackground_.at<uchar>(p);
    }
    if (b > f) continue;  // ghost
    held[w++] = held[i];
  }
  held.resize(w);
}

void MotionDetector::learnSelectively(const cv::Mat& in, const std::vector<cv::Rect>& held, int64_t ptsMs) {
  const cv::Rect frame(0, 0, in.cols, in.rows);
  holdMask_.setTo(0);
  for (const cv::Rect& r : held) {
    const int m = config_.holdMargin;
    const cv::Rect g = cv::Rect(r.x - m, r.y - m, r.width + 2 * m, r.height + 2 * m) & frame;
    if (!g.empty()) holdMask_(g).setTo(255);
  }
  if (config_.detectShadows) {
    // Shadow pixels are not learnt either (nor copied into learnFrame_, which removeShadows() uses as
    // the background): a cast shadow must not become part of the background it darkens.
    cv::compare(fg_, 127, scratch_, cv::CMP_EQ);
    holdMask_.setTo(255, scratch_);
  }
  const int32_t t = static_cast<int32_t>(std::min<int64_t>(ptsMs - firstPts_, INT32_MAX));
  cv::compare(holdMask_, 0, scratch_, cv::CMP_EQ);
  holdSince_.setTo(t, scratch_);
  if (config_.holdMs > 0 && t - config_.holdMs > 0) {
    // Held for longer than holdMs: learnt again (a parked object becomes background).
    cv::compare(holdSince_, static_cast<double>(t - config_.holdMs), scratch2_, cv::CMP_LT);
    holdMask_.setTo(0, scratch2_);
  }
  if (!selective_) holdMask_.setTo(0);  // young model: learn (and copy) everything
  cv::compare(holdMask_, 0, scratch_, cv::CMP_EQ);
  in.copyTo(learnFrame_, scratch_);
  heldAny_ = cv::countNonZero(holdMask_) > 0;
  if (learnAfter_) subtractor_->apply(learnFrame_, scratch2_, learningRateNow());
}

void MotionDetector::relearn(const cv::Mat& in) {
  // Learning rate 1 replaces every pixel's mixture with the current frame; the automatic rate restarts
  // (fast at first), and detections wait relearnFrames frames.
  subtractor_->apply(in, fg_, 1.0);
  in.copyTo(learnFrame_);
  holdMask_.setTo(0);
  heldAny_ = false;
  relearnt_ = true;
  rateFrames_ = 1;
  relearnLeft_ = config_.relearnFrames;
  mask_.setTo(0);
}

std::vector<Detection> MotionDetector::detect(const cv::Mat& gray, int64_t ptsMs) {
  std::vector<Detection> out;
  timings_ = {};
  if (gray.empty()) return out;
  const cv::Size full = frameSize_.width > 0 ? frameSize_ : gray.size();
  const cv::Size proc = processingSize(full);

  auto t0 = Clock::now();
  const cv::Mat* in = &gray;
  if (gray.size() != proc) {
    // INTER_AREA (box averaging) in halving steps: OpenCV vectorises the exact 2:1 case, which is ~5x faster
    // than one 4:1 INTER_AREA pass and gives the same 4x4 average for 1280->320.
    const cv::Mat* src = &gray;
    int step = 0;
    while (src->cols / 2 >= proc.width && src->rows / 2 >= proc.height) {
      cv::Mat& dst = pyramid_[step++ % 2];
      cv::resize(*src, dst, cv::Size(src->cols / 2, src->rows / 2), 0, 0, cv::INTER_AREA);
      src = &dst;
    }
    if (src->size() != proc) {
      // Less than 2:1 left after the halving steps: bilinear is accurate enough there and several times
      // faster than INTER_AREA's generic (non-integer) path.
      const bool integer = src->cols % proc.width == 0 && src->rows % proc.height == 0;
      cv::resize(*src, small_, proc, 0, 0, integer ? cv::INTER_AREA : cv::INTER_LINEAR);
      src = &small_;
    }
    in = src;
  }
  if (config_.blurKernel > 1) {
    const int k = config_.blurKernel | 1;
    cv::GaussianBlur(*in, blurred_, {k, k}, 0);
    in = &blurred_;
  }
  timings_.scaleMs = msSince(t0);

  t0 = Clock::now();
  if (learnFrame_.size() != in->size()) {
    learnFrame_ = in->clone();
    holdMask_ = cv::Mat::zeros(in->size(), CV_8UC1);
    holdSince_ = cv::Mat::zeros(in->size(), CV_32SC1);
  }
  if (firstPts_ < 0) firstPts_ = ptsMs;
  if (config_.gainCompensation) in = compensateGain(*in);
  ++frames_;
  ++rateFrames_;
  if (frames_ <= static_cast<uint64_t>(config_.warmupFrames) || relearnLeft_ > 0) {
    // Warm-up (or re-learning after a global change): learn every pixel, report nothing.
    subtractor_->apply(*in, fg_, learningRateNow());
    in->copyTo(learnFrame_);
    holdMask_.setTo(0);
    heldAny_ = false;
    if (relearnLeft_ > 0) --relearnLeft_;
    timings_.detectMs = msSince(t0);
    return out;
  }
  // With the selective update the model learns afterwards, from learnFrame_ (see learnSelectively) - unless
  // nothing was held in the last frame and the rate is slow: then one pass learns the whole frame (a new
  // object's first frame moves the model by at most 1 %), which saves the second pass on empty scenes.
  // After a re-learn the model still learns every pixel for 2 x warmup-frames frames: the objects it took
  // in with the frame leave ghosts when they move away, which must fade, not be held. (At the start the
  // warm-up does that, and holding from the first reported frame keeps early objects whole.)
  if (relearnt_ && rateFrames_ > 2 * static_cast<uint64_t>(config_.warmupFrames)) relearnt_ = false;
  selective_ = config_.selectiveUpdate && !relearnt_;
  learnAfter_ = selective_ && (heldAny_ || learningRateNow() > 0.01);
  subtractor_->apply(*in, fg_, learnAfter_ ? frozenRate() : learningRateNow());
  if (config_.detectShadows) removeShadows(*in);
  else cv::threshold(fg_, mask_, 200, 255, cv::THRESH_BINARY);
  if (regionFor_ != proc) {
    buildRegionMask(proc, full);
    regionArea_ = regionMask_.empty() ? static_cast<double>(proc.area()) : cv::countNonZero(regionMask_);
  }
  if (!regionMask_.empty()) cv::bitwise_and(mask_, regionMask_, mask_);
  if (config_.relearnFraction > 0 && regionArea_ > 0) {
    // Objects enter the picture gradually; a change of the whole scene turns a large part of it into
    // foreground at once. Count the foreground outside the last frame's held boxes.
    cv::compare(holdMask_, 0, scratch_, cv::CMP_EQ);
    cv::bitwise_and(scratch_, mask_, scratch_);
    if (cv::countNonZero(scratch_) > config_.relearnFraction * regionArea_) {
      relearn(*in);
      timings_.detectMs = msSince(t0);
      return out;
    }
  }
  if (!openElem_.empty()) cv::morphologyEx(mask_, mask_, cv::MORPH_OPEN, openElem_);
  if (!closeElem_.empty()) cv::morphologyEx(mask_, mask_, cv::MORPH_CLOSE, closeElem_);

  // Outer contours -> bounding boxes (faster than connected-component labelling on sparse masks).
  contours_.clear();
  // Every boundary pixel (not only the corners) when the selective update needs the ghost test below.
  cv::findContours(mask_, contours_, cv::RETR_EXTERNAL, selective_ ? cv::CHAIN_APPROX_NONE : cv::CHAIN_APPROX_SIMPLE);
  const double sx = static_cast<double>(full.width) / proc.width;
  const double sy = static_cast<double>(full.height) / proc.height;
  const double frameArea = static_cast<double>(full.width) * full.height;
  std::vector<cv::Rect> rects;
  std::vector<const std::vector<cv::Point>*> kept;
  for (const auto& c : contours_) {
    const cv::Rect r = cv::boundingRect(c);
    Detection d;
    d.box.left = r.x * sx;
    d.box.top = r.y * sy;
    d.box.width = r.width * sx;
    d.box.height = r.height * sy;
    const double area = d.box.width * d.box.height;
    if (area < config_.minArea) continue;
    if (config_.maxArea > 0 && area > config_.maxArea) continue;
    if (config_.maxAreaFraction > 0 && area > config_.maxAreaFraction * frameArea) continue;
    const double aspect = d.box.width / d.box.height;
    if (aspect < config_.minAspect || aspect > config_.maxAspect) continue;
    d.classId = config_.classId;
    // Fraction of the box the region fills: a cheap confidence.
    d.confidence = std::min(1.0, std::max(0.0, cv::contourArea(c)) / (static_cast<double>(r.width) * r.height));
    out.push_back(d);
    rects.push_back(r);
    kept.push_back(&c);
  }
  if (static_cast<int>(out.size()) > config_.maxDetections) {
    std::vector<size_t> order(out.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::partial_sort(order.begin(), order.begin() + config_.maxDetections, order.end(), [&](size_t a, size_t b) {
      return out[a].box.width * out[a].box.height > out[b].box.width * out[b].box.height;
    });
    order.resize(config_.maxDetections);
    std::vector<Detection> keptDets;
    std::vector<cv::Rect> keptRects;
    std::vector<const std::vector<cv::Point>*> keptContours;
    for (size_t i : order) {
      keptDets.push_back(out[i]);
      keptRects.push_back(rects[i]);
      keptContours.push_back(kept[i]);
    }
    out.swap(keptDets);
    rects.swap(keptRects);
    kept.swap(keptContours);
  }
  if (selective_ && !rects.empty()) dropGhosts(*in, kept, rects);
  learnSelectively(*in, rects, ptsMs);
  timings_.detectMs = msSince(t0);
  return out;
}

}  // namespace dsk::cpu
