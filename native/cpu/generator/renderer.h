// Renders a scenario's frames with OpenCV: a seeded, textured static background; objects as textured
// filled rectangles/ellipses whose bounding box is exactly the scenario's box; a slow global brightness
// drift and optional exposure steps; per-pixel Gaussian sensor noise. Deterministic: frame n depends only
// on (scenario, n).
//
// Motion detectors work on luma (where a red or blue car can be as bright as asphalt) and drop pixels that
// look like shadows (darker than the background). So each object's colour keeps its hue but is lightened,
// when needed, to stand clearly above the background luma along its path (mean + 60, 99th percentile
// + 45, at most 225), unless the scenario fixes its luma (`luma`: e.g. a truly dark object, 25-50, on a
// mid-grey background); and its fine-grained texture keeps the pixels it covers changing while it moves.
#pragma once

#include <opencv2/core.hpp>

#include <vector>

#include "cpu/generator/scenario.h"

namespace dsk::generator {

class Renderer {
 public:
  explicit Renderer(const Scenario& scenario);

  // Renders frame `index` (0-based) into `out` as 8-bit BGR, width × height.
  void render(int index, cv::Mat& out);

  const cv::Mat& background() const { return background_; }

 private:
  struct Sprite {
    cv::Mat bgr;     // height × width
    cv::Mat mask;    // 8-bit, 255 where the object covers the pixel
    cv::Mat shadow;  // CV_32FC3, (height + 2 pad) × (width + 2 pad): brightness factor of the cast shadow
  };
  static constexpr int kShadowPad = 4;  // soft shadow edge, pixels

  void buildBackground();
  Sprite buildSprite(const SceneObject& o, size_t index) const;
  struct PathLuma {
    double mean = 0, p99 = 0;
  };
  PathLuma backgroundLumaAlong(const SceneObject& o) const;

  const Scenario& s_;
  cv::Mat background_;
  cv::Mat backgroundGray_;
  std::vector<Sprite> sprites_;
  static constexpr double kLumaMargin = 60;
  static constexpr double kMaxBodyLuma = 225;
  static constexpr int kNoiseFields = 6;
  static constexpr int kNoiseMargin = 61;  // odd, so consecutive offsets rarely line up
  std::vector<cv::Mat> noiseBank_;
  cv::Mat composed_, shaded_, shadowTmp_;
};

// Mixes a seed with a stream of integers into a 64-bit seed (splitmix64), for per-frame/per-object RNGs.
uint64_t mixSeed(uint64_t seed, uint64_t a, uint64_t b = 0);

}  // namespace dsk::generator
