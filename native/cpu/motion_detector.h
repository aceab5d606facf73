// Default CPU detector: background subtraction (MOG2 or KNN) on a downscaled grayscale frame, shadow
// removal, morphology, outer contours -> boxes, area/aspect filters and an optional region polygon.
// Configured by config/detector_motion.txt (see loadMotionDetectorConfig in cpu/configs.h).
#pragma once

#include <memory>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/video/background_segm.hpp>

#include "core/types.h"
#include "cpu/detector.h"

namespace dsk::cpu {

struct MotionDetectorConfig {
  enum class Algorithm { Mog2, Knn };
  Algorithm algorithm = Algorithm::Mog2;
  int processingWidth = 320;      // width the detector works at (height keeps the aspect); 0 = full frame
  int history = 300;              // frames in the background model
  double varThreshold = 25;       // MOG2: squared Mahalanobis distance for foreground
  double dist2Threshold = 400;    // KNN: squared distance for foreground
  int mixtures = 3;               // MOG2: Gaussians per pixel
  bool detectShadows = true;
  double shadowThreshold = 0.5;   // a pixel darker than the background by at most this factor is shadow
  double learningRate = -1;       // -1 = automatic (1/min(2*frames, history)); 0 = frozen background
  int warmupFrames = 15;          // frames learnt before detections are reported
  int interval = 0;               // frames skipped between detections (like nvinfer's interval); the
                                  // tracker coasts on its prediction in skipped frames
  int blurKernel = 0;             // Gaussian blur (odd, processing pixels) before subtraction; 0 = off
  int openKernel = 3;             // morphological opening (removes speckles), processing pixels; 0 = off
  int closeKernel = 7;            // morphological closing (joins fragments), processing pixels; 0 = off
  double minArea = 400;           // box area in full-frame pixels
  double maxArea = 0;             // 0 = no limit
  double maxAreaFraction = 0.5;   // boxes larger than this fraction of the frame are dropped (lighting)
  double minAspect = 0.1;         // width / height
  double maxAspect = 10;
  int maxDetections = 64;         // largest boxes kept
  int classId = 0;                // class id given to every detection
  std::vector<Point> region;      // detection region polygon (empty = whole frame)
  int regionWidth = 0;            // the region's coordinate space; 0 = frame pixels
  int regionHeight = 0;
};

class MotionDetector : public Detector {
 public:
  explicit MotionDetector(MotionDetectorConfig config);

  std::vector<Detection> detect(const cv::Mat& gray, int64_t ptsMs) override;
  cv::Size processingSize(cv::Size fullFrame) const override;
  DetectorTimings lastTimings() const override { return timings_; }

  const MotionDetectorConfig& config() const { return config_; }
  // The foreground mask of the last frame (processing resolution), for debugging.
  const cv::Mat& lastMask() const { return mask_; }

 private:
  void buildRegionMask(cv::Size proc, cv::Size full);

  MotionDetectorConfig config_;
  cv::Ptr<cv::BackgroundSubtractor> subtractor_;
  cv::Mat pyramid_[2], small_, blurred_, fg_, mask_, regionMask_;
  std::vector<std::vector<cv::Point>> contours_;
  cv::Mat openElem_, closeElem_;
  cv::Size regionFor_{0, 0};
  uint64_t frames_ = 0;
  DetectorTimings timings_;
};

}  // namespace dsk::cpu
