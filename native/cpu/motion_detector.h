// Default CPU detector: background subtraction (MOG2 or KNN) on a downscaled grayscale frame with
// exposure compensation and a selective background update, optional shadow removal, morphology, outer
// contours -> boxes, area/aspect filters and an optional region polygon.
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
  // Shadow removal. Off by default: on a single (luma) channel MOG2's shadow test has no colour to check,
  // so every pixel darker than the background by a factor in [shadowThreshold, 1] is "shadow", including
  // most of a dark object (its box then shrinks to the part darker than that, often not its feet).
  bool detectShadows = false;
  double shadowThreshold = 0.5;   // a pixel darker than the background by at most this factor is shadow
  // With shadows on: a connected region of shadow candidates stays shadow only if the ratio
  // frame/background is uniform over its interior (relative standard deviation at most this), as under a
  // cast shadow; an object brings its own texture. 0 = keep every MOG2 shadow (OpenCV's behaviour).
  double shadowTextureTolerance = 0.06;
  double learningRate = -1;       // -1 = automatic (1/min(2*frames, history)); 0 = frozen background
  int warmupFrames = 15;          // frames learnt before detections are reported
  // Selective update: the background is not learnt inside the boxes of the current detections (grown by
  // holdMargin processing pixels), so an object that waits is not absorbed into the background (and
  // leaves no ghost when it moves on); a pixel held longer than holdMs is learnt again (a parked object
  // becomes background after that). Ghosts (outline sharper in the background than in the frame) are not
  // held. false = MOG2 learns every pixel (OpenCV's behaviour).
  bool selectiveUpdate = true;
  int holdMargin = 2;
  int64_t holdMs = 10000;
  // Exposure compensation: each frame is divided by the global gain between it and the background
  // (ratio of means over pixels outside current detections), so an auto-exposure step or a lighting drift
  // does not turn the frame into foreground.
  bool gainCompensation = true;
  // When more than this fraction of the (region's) pixels turns foreground at once, outside the last
  // frame's detections (a change compensation cannot undo: lights switched on in part of the scene, an
  // exposure jump that saturates), the model is re-learnt from the current frame and detections are
  // suppressed for relearnFrames frames (tracks coast meanwhile). Objects entering add ~1-2 % per frame.
  // 0 = off.
  double relearnFraction = 0.1;
  int relearnFrames = 3;
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
  int interval() const override { return config_.interval; }
  std::string describe() const override { return "motion"; }

  const MotionDetectorConfig& config() const { return config_; }
  // The foreground mask of the last frame (processing resolution), for debugging.
  const cv::Mat& lastMask() const { return mask_; }
  // The exposure gain compensated in the last frame (1 = none), for debugging.
  double lastGain() const { return gain_; }

 private:
  void buildRegionMask(cv::Size proc, cv::Size full);
  double learningRateNow() const;
  double frozenRate() const;
  const cv::Mat* compensateGain(const cv::Mat& in);
  void removeShadows(const cv::Mat& in);
  void dropGhosts(const cv::Mat& in, const std::vector<const std::vector<cv::Point>*>& contours, std::vector<cv::Rect>& held);
  void learnSelectively(const cv::Mat& in, const std::vector<cv::Rect>& held, int64_t ptsMs);
  void relearn(const cv::Mat& in);

  MotionDetectorConfig config_;
  cv::Ptr<cv::BackgroundSubtractor> subtractor_;
  cv::Mat pyramid_[2], small_, blurred_, fg_, mask_, regionMask_;
  // Selective update / gain compensation state (processing resolution).
  cv::Mat learnFrame_;   // what the model learns: the frame outside held boxes, the last background inside
  cv::Mat holdMask_;     // 255 inside the held boxes of the last frame
  cv::Mat holdSince_;    // CV_32S: ms (relative to firstPts_) since which each pixel has been held
  cv::Mat compensated_, scratch_, scratch2_, labels_, gradFrame_, gradBackground_;
  std::vector<double> stats_;
  std::vector<uint8_t> keep_;
  int64_t firstPts_ = -1;
  int relearnLeft_ = 0;
  bool heldAny_ = false;     // the last frame held pixels out of the update
  bool learnAfter_ = false;  // this frame learns in a second pass (selective update)
  bool selective_ = false;    // the selective update is in force this frame
  bool relearnt_ = false;     // the model was re-learnt recently and learns every pixel for a while
  double gain_ = 1;
  std::vector<std::vector<cv::Point>> contours_;
  cv::Mat openElem_, closeElem_;
  cv::Size regionFor_{0, 0};
  uint64_t frames_ = 0;
  uint64_t rateFrames_ = 0;  // frames since the model (re)started, for the automatic learning rate
  double regionArea_ = 0;
  DetectorTimings timings_;
};

}  // namespace dsk::cpu
