// Loading the CPU backend's detector and tracker configs (config/detector_motion.txt,
// config/tracker_sort.txt) from GLib-style key files. Errors are KeyFileError naming file, line and key.
#pragma once

#include <string>

#include "core/tracking/sort_tracker.h"
#include "cpu/keyfile_lite.h"
#include "cpu/motion_detector.h"

namespace dsk::cpu {

MotionDetectorConfig motionDetectorConfigFromKeyFile(const keyfile::KeyFile& file);
tracking::TrackerConfig trackerConfigFromKeyFile(const keyfile::KeyFile& file);

// An empty path gives the built-in defaults (the same values as the shipped config files).
MotionDetectorConfig loadMotionDetectorConfig(const std::string& path);
tracking::TrackerConfig loadTrackerConfig(const std::string& path);

}  // namespace dsk::cpu
