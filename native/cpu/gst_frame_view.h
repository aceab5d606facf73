// FrameView over a mapped GstVideoFrame (views into GStreamer's memory: valid until the frame is unmapped).
#pragma once

#include <gst/video/video.h>

#include "cpu/frame_view.h"

namespace dsk::cpu {

FrameView frameViewOf(const GstVideoFrame& vf);

}  // namespace dsk::cpu
