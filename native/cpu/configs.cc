#include "cpu/configs.h"

#include <limits>

namespace dsk::cpu {

namespace {
constexpr const char* kGroup = "property";

void rejectUnknownGroups(const keyfile::KeyFile& file) {
  for (const auto& e : file.entries())
    if (e.group != kGroup) file.fail(e, "unknown group [" + e.group + "] (expected [property])");
}
}  // namespace

MotionDetectorConfig motionDetectorConfigFromKeyFile(const keyfile::KeyFile& file) {
  rejectUnknownGroups(file);
  keyfile::GroupReader r(file, kGroup);
  MotionDetectorConfig c;
  const double big = 1e12;
  c.algorithm = r.getChoice("algorithm", 0, {"mog2", "knn"}) == 0 ? MotionDetectorConfig::Algorithm::Mog2
                                                                     : MotionDetectorConfig::Algorithm::Knn;
  c.processingWidth = static_cast<int>(r.getInt("processing-width", c.processingWidth, 0, 8192));
  if (c.processingWidth != 0 && c.processingWidth < 32)
    file.fail(*file.find(kGroup, "processing-width"), "must be 0 (full frame) or at least 32");
  c.history = static_cast<int>(r.getInt("history", c.history, 1, 100000));
  c.varThreshold = r.getDouble("var-threshold", c.varThreshold, 0.1, 10000);
  c.dist2Threshold = r.getDouble("dist2-threshold", c.dist2Threshold, 0.1, 1e6);
  c.mixtures = static_cast<int>(r.getInt("mixtures", c.mixtures, 1, 8));
  c.detectShadows = r.getBool("detect-shadows", c.detectShadows);
  c.shadowThreshold = r.getDouble("shadow-threshold", c.shadowThreshold, 0, 1);
  c.shadowTextureTolerance = r.getDouble("shadow-texture-tolerance", c.shadowTextureTolerance, 0, 10);
  c.learningRate = r.getDouble("learning-rate", c.learningRate, -1, 1);
  c.warmupFrames = static_cast<int>(r.getInt("warmup-frames", c.warmupFrames, 0, 100000));
  c.selectiveUpdate = r.getBool("selective-update", c.selectiveUpdate);
  c.holdMargin = static_cast<int>(r.getInt("hold-margin", c.holdMargin, 0, 1000));
  c.holdMs = r.getInt("hold-ms", c.holdMs, 0, 86400000);
  c.gainCompensation = r.getBool("gain-compensation", c.gainCompensation);
  c.relearnFraction = r.getDouble("relearn-fraction", c.relearnFraction, 0, 1);
  c.relearnFrames = static_cast<int>(r.getInt("relearn-frames", c.relearnFrames, 0, 100000));
  c.interval = static_cast<int>(r.getInt("interval", c.interval, 0, 1000));
  c.blurKernel = static_cast<int>(r.getInt("blur-kernel", c.blurKernel, 0, 31));
  c.openKernel = static_cast<int>(r.getInt("open-kernel", c.openKernel, 0, 63));
  c.closeKernel = static_cast<int>(r.getInt("close-kernel", c.closeKernel, 0, 63));
  c.minArea = r.getDouble("min-area", c.minArea, 0, big);
  c.maxArea = r.getDouble("max-area", c.maxArea, 0, big);
  c.maxAreaFraction = r.getDouble("max-area-fraction", c.maxAreaFraction, 0, 1);
  c.minAspect = r.getDouble("min-aspect", c.minAspect, 0, 1000);
  c.maxAspect = r.getDouble("max-aspect", c.maxAspect, 0, 1000);
  if (c.maxAspect < c.minAspect) file.fail(*file.find(kGroup, "max-aspect"), "must be >= min-aspect");
  c.maxDetections = static_cast<int>(r.getInt("max-detections", c.maxDetections, 1, 10000));
  c.classId = static_cast<int>(r.getInt("class-id", c.classId, 0, std::numeric_limits<int>::max()));
  const auto region = r.getDoubleList("region");
  if (!region.empty()) {
    const keyfile::Entry& e = *file.find(kGroup, "region");
    if (region.size() % 2 != 0 || region.size() < 6)
      file.fail(e, "expected at least 3 points as x1;y1;x2;y2;x3;y3;... (an even count of numbers)");
    for (size_t i = 0; i < region.size(); i += 2) {
      if (region[i] < 0 || region[i + 1] < 0) file.fail(e, "coordinates must be non-negative");
      c.region.push_back({region[i], region[i + 1]});
    }
  }
  c.regionWidth = static_cast<int>(r.getInt("region-width", 0, 0, 65536));
  c.regionHeight = static_cast<int>(r.getInt("region-height", 0, 0, 65536));
  if ((c.regionWidth == 0) != (c.regionHeight == 0))
    file.fail(*file.find(kGroup, c.regionWidth ? "region-width" : "region-height"),
              "region-width and region-height go together");
  r.rejectUnknownKeys();
  return c;
}

tracking::TrackerConfig trackerConfigFromKeyFile(const keyfile::KeyFile& file) {
  rejectUnknownGroups(file);
  keyfile::GroupReader r(file, kGroup);
  tracking::TrackerConfig c;
  c.minHits = static_cast<int>(r.getInt("min-hits", c.minHits, 1, 1000));
  c.probationMaxGapMs = r.getInt("probation-max-gap-ms", c.probationMaxGapMs, 0, 3600000);
  c.maxAgeMs = r.getInt("max-age-ms", c.maxAgeMs, 0, 86400000);
  c.coastMs = r.getInt("coast-ms", c.coastMs, 0, 86400000);
  c.iouThreshold = r.getDouble("iou-threshold", c.iouThreshold, 0.01, 1);
  c.centerGate = r.getDouble("center-gate", c.centerGate, 0, 100);
  c.maxAreaRatio = r.getDouble("max-area-ratio", c.maxAreaRatio, 1, 1000);
  c.classAware = r.getBool("class-aware", c.classAware);
  c.outputFilteredBox = r.getBool("output-filtered-box", c.outputFilteredBox);
  c.defaultFrameIntervalMs = r.getDouble("default-frame-interval-ms", c.defaultFrameIntervalMs, 0.1, 10000);
  c.noise.accelStdFactor = r.getDouble("kalman-accel-std", c.noise.accelStdFactor, 0, 1000);
  c.noise.measurementStdFactor = r.getDouble("kalman-measurement-std", c.noise.measurementStdFactor, 0.0001, 100);
  c.noise.initialVelocityStdFactor =
      r.getDouble("kalman-initial-velocity-std", c.noise.initialVelocityStdFactor, 0, 10000);
  r.rejectUnknownKeys();
  return c;
}

MotionDetectorConfig loadMotionDetectorConfig(const std::string& path) {
  if (path.empty()) return {};
  return motionDetectorConfigFromKeyFile(keyfile::KeyFile::load(path));
}

tracking::TrackerConfig loadTrackerConfig(const std::string& path) {
  if (path.empty()) return {};
  return trackerConfigFromKeyFile(keyfile::KeyFile::load(path));
}

}  // namespace dsk::cpu
