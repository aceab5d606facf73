// Sample-stream generator: scenario JSON → rendered frames → H.264 elementary stream on disk.
#pragma once

#include <cstdint>
#include <string>

namespace dsk::generator {

struct GenerateResult {
  int frames = 0;
  int width = 0;
  int height = 0;
  uint64_t bytes = 0;
};

// Blocking; call it off the JS thread. Throws std::invalid_argument (bad scenario) or std::runtime_error
// (missing GStreamer elements, unwritable path, encoder failure). A partial output file that did not
// exist before the call is removed on failure.
GenerateResult generateSample(const std::string& scenarioJson, const std::string& outPath);

}  // namespace dsk::generator
