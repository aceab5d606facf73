// One decoded frame as the detectors see it: views into the decoder's planes (no copy). The luma plane is
// the grayscale frame motion detection works on; colour detectors build a small BGR image from the luma
// and chroma planes at the size they need, so the full-resolution frame is never converted.
#pragma once

#include <opencv2/core.hpp>

namespace dsk::cpu {

struct FrameView {
  enum class Chroma { None, Planar, SemiPlanar420 };  // Planar: any subsampling (from the planes' sizes)
  cv::Mat luma;                    // CV_8UC1, full resolution (stride-aware view)
  Chroma chroma = Chroma::None;
  cv::Mat u, v;                    // planar formats (I420/YV12/Y42B/Y444): Cb and Cr planes
  cv::Mat uv;                      // semi-planar (NV12/NV21): CV_8UC2 interleaved chroma
  bool vuOrder = false;            // NV21: Cr before Cb

  bool hasColour() const { return chroma != Chroma::None; }
  cv::Size size() const { return luma.size(); }

  // `roi` (full-frame pixels) resized to `out` as BGR; grey when the frame has no chroma. `dst` is reused.
  void toBgr(const cv::Rect& roi, cv::Size out, cv::Mat& dst) const;
};

}  // namespace dsk::cpu
