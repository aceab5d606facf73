#include "cpu/gst_frame_view.h"

namespace dsk::cpu {

namespace {
cv::Mat component(const GstVideoFrame& vf, int comp, int type) {
  auto* f = const_cast<GstVideoFrame*>(&vf);
  return cv::Mat(GST_VIDEO_FRAME_COMP_HEIGHT(f, comp), GST_VIDEO_FRAME_COMP_WIDTH(f, comp), type,
                 GST_VIDEO_FRAME_COMP_DATA(f, comp), static_cast<size_t>(GST_VIDEO_FRAME_COMP_STRIDE(f, comp)));
}
}  // namespace

FrameView frameViewOf(const GstVideoFrame& vf) {
  FrameView v;
  v.luma = component(vf, GST_VIDEO_COMP_Y, CV_8UC1);
  switch (GST_VIDEO_FRAME_FORMAT(&vf)) {
    case GST_VIDEO_FORMAT_I420:
    case GST_VIDEO_FORMAT_YV12:
    case GST_VIDEO_FORMAT_Y42B:
    case GST_VIDEO_FORMAT_Y444:
      // COMP_* resolve the plane order (YV12 stores V before U).
      v.chroma = FrameView::Chroma::Planar;
      v.u = component(vf, GST_VIDEO_COMP_U, CV_8UC1);
      v.v = component(vf, GST_VIDEO_COMP_V, CV_8UC1);
      break;
    case GST_VIDEO_FORMAT_NV12:
    case GST_VIDEO_FORMAT_NV21: {
      v.chroma = FrameView::Chroma::SemiPlanar420;
      v.vuOrder = GST_VIDEO_FRAME_FORMAT(&vf) == GST_VIDEO_FORMAT_NV21;
      auto* f = const_cast<GstVideoFrame*>(&vf);
      // Plane 1 holds interleaved chroma pairs at half width.
      v.uv = cv::Mat(GST_VIDEO_FRAME_COMP_HEIGHT(f, GST_VIDEO_COMP_U), GST_VIDEO_FRAME_COMP_WIDTH(f, GST_VIDEO_COMP_U),
                     CV_8UC2, GST_VIDEO_FRAME_PLANE_DATA(f, 1), static_cast<size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(f, 1)));
      break;
    }
    default:
      break;  // GRAY8 and anything else: luma only
  }
  return v;
}

}  // namespace dsk::cpu
