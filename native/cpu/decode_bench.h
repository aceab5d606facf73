// Decode-only throughput, the baseline the full CPU pipeline is measured against:
//   filesrc ! h264parse ! avdec_h264 max-threads=0 ! fakesink sync=false   (.h264 files)
//   uridecodebin ! fakesink sync=false                                     (anything else)
#pragma once

#include <cstdint>
#include <string>

namespace dsk::cpu {

struct DecodeBenchResult {
  uint64_t frames = 0;
  double wallMs = 0;   // PLAYING to EOS (pipeline construction excluded)
  double fps = 0;
  std::string error;   // empty on success
};

// Blocking; runs on the calling thread. Never throws for input problems (they come back in `error`).
DecodeBenchResult decodeOnly(const std::string& input, int decoderThreads = 0, int timeoutMs = 600000);

}  // namespace dsk::cpu
