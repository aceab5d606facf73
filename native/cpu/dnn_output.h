// Decoding a detection network's output tensor into boxes, per output format, plus per-class NMS.
// Pure functions on cv::Mat so they are unit-testable with hand-made tensors. A tensor whose shape does
// not fit the format is an error (DnnOutputError), never "no detections".
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cpu/dnn_config.h"

namespace dsk::cpu {

class DnnOutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RawDetection {
  cv::Rect2f box;       // network-input pixels
  int modelClass = 0;   // the model's class index
  float score = 0;
};

// "[1x1x100x7]"
std::string shapeString(const cv::Mat& m);

// SSD DetectionOutput: [1, 1, N, 7] rows of (image, class, score, x1, y1, x2, y2), corners normalised to
// the input. YOLOv5/YOLOX: [1, N, 5 + C] rows of (cx, cy, w, h, objectness, C class scores); YOLOX's are
// grid-relative and decoded with `strides`. YOLOv8: [1, 4 + C, N] columns of (cx, cy, w, h, C scores).
// `minScore` drops candidates early (the lowest per-class threshold).
std::vector<RawDetection> decodeDetections(const cv::Mat& out, DnnOutputFormat format, cv::Size input,
                                           float minScore, const std::vector<int>& strides);

// Greedy NMS within each model class, best first; keeps at most maxDetections overall. With `merge`, each
// kept box becomes the score-weighted mean of the candidates it suppressed (like nvinfer's clustering
// modes that average): one-stage detectors emit several overlapping candidates whose edges differ by
// 10-20 px, and the single best-scored one jitters from frame to frame - the bottom edge is the point
// line crossing counts.
std::vector<RawDetection> nmsPerClass(std::vector<RawDetection> dets, float iouThreshold, int maxDetections,
                                      bool merge = false);

}  // namespace dsk::cpu
