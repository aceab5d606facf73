// A sample-stream scenario (src/sample/scenario.ts documents the JSON format and owns the defaults; this
// parser applies the same defaults so the binding also accepts a raw scenario file).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dsk::generator {

struct Waypoint {
  int frame = 0;
  double x = 0;  // bottom centre of the box, frame pixels
  double y = 0;
};

enum class Shape { Rect, Ellipse };

struct SceneObject {
  int width = 0, height = 0;
  Shape shape = Shape::Rect;
  uint8_t r = 200, g = 60, b = 60;
  double texture = 40;  // amplitude of the object's own surface texture, 8-bit levels
  double luma = -1;     // >= 0: mean body luma as given (hue kept), no push away from the background
  // Cast shadow: the object's shape moved by (shadowDx, shadowDy) darkens what lies under it to
  // shadowFactor of its brightness (soft edge); drawn under every object. shadowFactor 1 = no shadow.
  double shadowDx = 0, shadowDy = 0, shadowFactor = 1;
  int appear = 0;       // first frame where the object is present
  int disappear = 0;    // last frame where the object is present (inclusive)
  std::vector<Waypoint> path;
};

enum class BackgroundKind { Road, Plaza, Plain };

// A global exposure change (a camera's auto-exposure/gain step): from `frame` on the whole image is
// multiplied by `gain` (absolute, relative to the scene's base exposure), reached linearly over
// `rampFrames` frames from the previous level (0 = a step).
struct ExposureStep {
  int frame = 0;
  double gain = 1;
  int rampFrames = 0;
};

struct Scenario {
  uint64_t seed = 1;
  int width = 1280, height = 720;
  int fps = 30;
  int frames = 0;
  BackgroundKind background = BackgroundKind::Road;
  double backgroundTexture = 1.0;  // 0..2, scales the background's noise/texture
  double noise = 2.0;              // per-pixel Gaussian sensor-noise sigma, 8-bit levels
  double lightingAmplitude = 0.03; // relative brightness drift (0.03 = ±3 %)
  double lightingPeriodFrames = 300;
  std::vector<ExposureStep> exposureSteps;  // frames strictly increasing
  // encoder
  int bitrateKbps = 0;  // 0: derived from resolution and fps
  int keyIntMax = 60;
  std::string speedPreset = "veryfast";
  std::vector<SceneObject> objects;
};

// Throws std::invalid_argument with a message naming the offending field.
Scenario parseScenario(const std::string& json);

// Bottom-centre position at `frame` (linear between waypoints, clamped to the ends). Same arithmetic as
// src/sample/scenario.ts positionAt().
void positionAt(const SceneObject& o, int frame, double& x, double& y);

// The exposure gain at `frame` (1 before the first step).
double exposureAt(const Scenario& s, int frame);

inline bool presentAt(const SceneObject& o, int frame) { return frame >= o.appear && frame <= o.disappear; }

}  // namespace dsk::generator
