#include "cpu/frame_view.h"

#include <opencv2/imgproc.hpp>

namespace dsk::cpu {

namespace {
// Chroma planes are subsampled: map a full-resolution rectangle onto them.
cv::Rect scaledRect(const cv::Rect& r, const cv::Size& full, const cv::Size& plane) {
  const double sx = static_cast<double>(plane.width) / full.width;
  const double sy = static_cast<double>(plane.height) / full.height;
  cv::Rect s(cvFloor(r.x * sx), cvFloor(r.y * sy), cvCeil(r.width * sx), cvCeil(r.height * sy));
  return s & cv::Rect(0, 0, plane.width, plane.height);
}
}  // namespace

void FrameView::toBgr(const cv::Rect& roiIn, cv::Size out, cv::Mat& dst) const {
  const cv::Rect roi = roiIn & cv::Rect(0, 0, luma.cols, luma.rows);
  thread_local cv::Mat y, cb, cr, ycrcb;
  // INTER_AREA averages when shrinking (what a network's training images looked like); linear otherwise.
  auto interp = [&](const cv::Size& from) {
    return from.width > out.width && from.height > out.height ? cv::INTER_AREA : cv::INTER_LINEAR;
  };
  cv::resize(luma(roi), y, out, 0, 0, interp(roi.size()));
  if (chroma == Chroma::None) {
    cv::cvtColor(y, dst, cv::COLOR_GRAY2BGR);
    return;
  }
  if (chroma == Chroma::SemiPlanar420) {
    const cv::Rect r = scaledRect(roi, luma.size(), uv.size());
    cv::Mat both;
    cv::resize(uv(r), both, out, 0, 0, interp(r.size()));
    cv::Mat parts[2];
    cv::split(both, parts);
    cb = vuOrder ? parts[1] : parts[0];
    cr = vuOrder ? parts[0] : parts[1];
  } else {
    const cv::Rect r = scaledRect(roi, luma.size(), u.size());
    cv::resize(u(r), cb, out, 0, 0, interp(r.size()));
    cv::resize(v(r), cr, out, 0, 0, interp(r.size()));
  }
  // Decoders output limited-range video (Y 16-235, C 16-240); OpenCV's YCrCb is full range (JPEG-like,
  // what detectors are trained on): expand before converting.
  y.convertTo(y, CV_8U, 255.0 / 219.0, -16.0 * 255.0 / 219.0);
  cb.convertTo(cb, CV_8U, 255.0 / 224.0, 128.0 - 128.0 * 255.0 / 224.0);
  cr.convertTo(cr, CV_8U, 255.0 / 224.0, 128.0 - 128.0 * 255.0 / 224.0);
  cv::Mat planes[3] = {y, cr, cb};
  cv::merge(planes, 3, ycrcb);
  cv::cvtColor(ycrcb, dst, cv::COLOR_YCrCb2BGR);
}

}  // namespace dsk::cpu
