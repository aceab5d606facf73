// One decoded frame of a video as BGR, for the line preview: a small GStreamer pipeline of its own
// (uridecodebin ! videoconvert ! appsink, video streams only), decoded from the start up to the wanted frame.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace dsk::cpu::osd {

struct GrabbedFrame {
  cv::Mat bgr;
  int64_t frameNum = 0;  // index from 0
  int64_t ptsMs = 0;     // from the first frame
};

// frame >= 0: that frame (index from 0); otherwise the first frame at or after atMs. Throws
// std::runtime_error: "input not found: ...", "cannot decode ...", "frame N is beyond the end of ...".
GrabbedFrame grabFrame(const std::string& input, int64_t frame, double atMs, int timeoutMs = 30000);

}  // namespace dsk::cpu::osd
