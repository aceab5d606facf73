#include "cpu/osd/osd_video.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cstring>

#include <opencv2/imgproc.hpp>

#include "cpu/gst_runtime.h"

namespace dsk::cpu::osd {

namespace {
FrameView copyOf(const FrameView& v) {
  FrameView c;
  c.luma = v.luma.clone();
  c.chroma = v.chroma;
  c.vuOrder = v.vuOrder;
  if (!v.u.empty()) c.u = v.u.clone();
  if (!v.v.empty()) c.v = v.v.clone();
  if (!v.uv.empty()) c.uv = v.uv.clone();
  return c;
}
}  // namespace

OsdEncoder::OsdEncoder(std::string path, AnalyticsConfig cfg, int streamId, size_t queueFrames)
    : path_(std::move(path)), renderer_(std::move(cfg), streamId), capacity_(queueFrames) {
  thread_ = std::thread([this] { run(); });
}

OsdEncoder::~OsdEncoder() { finish(); }

void OsdEncoder::push(const FrameView& view, const FrameResult& r) {
  // 4:2:0 frames are copied as one contiguous I420/NV12 image (OpenCV converts it to BGR in one SIMD pass,
  // BT.601 limited range like the decoder's output); anything else keeps its planes for FrameView::toBgr.
  Item it;
  it.result = r;
  const cv::Size s = view.size();
  const bool even = s.width % 2 == 0 && s.height % 2 == 0;
  const cv::Size half(s.width / 2, s.height / 2);
  if (even && view.chroma == FrameView::Chroma::Planar && view.u.size() == half && view.v.size() == half) {
    it.yuv.create(s.height * 3 / 2, s.width, CV_8UC1);
    view.luma.copyTo(it.yuv.rowRange(0, s.height));
    cv::Mat u(half, CV_8UC1, it.yuv.ptr(s.height)), v(half, CV_8UC1, it.yuv.ptr(s.height) + half.area());
    view.u.copyTo(u);
    view.v.copyTo(v);
    it.code = cv::COLOR_YUV2BGR_I420;
  } else if (even && view.chroma == FrameView::Chroma::SemiPlanar420 && view.uv.size() == half) {
    it.yuv.create(s.height * 3 / 2, s.width, CV_8UC1);
    view.luma.copyTo(it.yuv.rowRange(0, s.height));
    cv::Mat uv(half, CV_8UC2, it.yuv.ptr(s.height));
    view.uv.copyTo(uv);
    it.code = view.vuOrder ? cv::COLOR_YUV2BGR_NV21 : cv::COLOR_YUV2BGR_NV12;
  } else {
    it.view = copyOf(view);
  }
  std::unique_lock<std::mutex> lock(m_);
  cv_.wait(lock, [&] { return queue_.size() < capacity_ || failed_ || closing_; });
  if (failed_ || closing_) return;
  queue_.push_back(std::move(it));
  cv_.notify_all();
}

void OsdEncoder::run() {
  while (true) {
    Item it;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) break;  // closing and drained
      it = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
    }
    if (failed_) continue;
    std::string e;
    try {
      e = encode(it);
    } catch (const std::exception& ex) {
      e = ex.what();
    }
    if (!e.empty()) {
      std::lock_guard<std::mutex> lock(m_);
      failed_ = true;
      error_ = e;
      queue_.clear();
      cv_.notify_all();
    }
  }
  const std::string e = endStream();
  std::lock_guard<std::mutex> lock(m_);
  if (error_.empty()) error_ = e;
}

// The encoder is built when the second frame (or the end) gives the frame interval: x264enc and mp4mux
// want a frame rate in the caps (with 0/1 the MP4 lost its last frame).
std::string OsdEncoder::open() {
  int fpsN = 25, fpsD = 1;
  gst_util_double_to_fraction(static_cast<double>(GST_SECOND) / static_cast<double>(lastDuration_), &fpsN, &fpsD);
  GError* err = nullptr;
  pipeline_ = gst_parse_launch(
      "appsrc name=src format=time ! "
      "x264enc speed-preset=ultrafast tune=zerolatency threads=1 key-int-max=60 pass=qual quantizer=26 ! h264parse ! "
      "mp4mux ! "
      "filesink name=out",
      &err);
  if (!pipeline_) {
    std::string m = err ? err->message : "cannot build the encoder";
    if (err) g_error_free(err);
    return "annotated video " + path_ + ": " + m;
  }
  if (err) g_error_free(err);
  GstElement* out = gst_bin_get_by_name(GST_BIN(pipeline_), "out");
  g_object_set(out, "location", path_.c_str(), nullptr);
  gst_object_unref(out);
  appsrc_ = gst_bin_get_by_name(GST_BIN(pipeline_), "src");
  GstCaps* caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, width_,
                                      "height", G_TYPE_INT, height_, "framerate", GST_TYPE_FRACTION, fpsN, fpsD,
                                      "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr);
  g_object_set(appsrc_, "caps", caps, "block", TRUE, "max-bytes", static_cast<guint64>(width_) * height_ * 3,
               nullptr);
  gst_caps_unref(caps);
  if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    return "annotated video " + path_ + ": cannot open for writing";
  return "";
}

std::string OsdEncoder::encode(Item& it) {
  const cv::Size size = it.code >= 0 ? cv::Size(it.yuv.cols, it.yuv.rows * 2 / 3) : it.view.size();
  if (width_ == 0) {  // x264 wants even sizes (4:2:0)
    width_ = std::max(2, size.width & ~1);
    height_ = std::max(2, size.height & ~1);
  }
  if (it.code >= 0)
    cv::cvtColor(it.yuv, bgr_, it.code);
  else
    it.view.toBgr(cv::Rect(0, 0, size.width, size.height), size, bgr_);
  renderer_.draw(bgr_, it.result);
  if (bgr_.cols != width_ || bgr_.rows != height_) {
    cv::Mat fit;
    cv::resize(bgr_, fit, cv::Size(width_, height_));
    bgr_ = fit;
  }
  cv::cvtColor(bgr_, i420_, cv::COLOR_BGR2YUV_I420);  // one contiguous Y, U, V image

  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, width_, height_);
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstMapInfo map;
  gst_buffer_map(buf, &map, GST_MAP_WRITE);
  const uint8_t* src = i420_.ptr();
  for (int p = 0; p < 3; ++p) {
    const int w = p == 0 ? width_ : width_ / 2, h = p == 0 ? height_ : height_ / 2;
    const int stride = GST_VIDEO_INFO_PLANE_STRIDE(&info, p);
    uint8_t* dst = map.data + GST_VIDEO_INFO_PLANE_OFFSET(&info, p);
    for (int y = 0; y < h; ++y) std::memcpy(dst + static_cast<size_t>(y) * stride, src + static_cast<size_t>(y) * w, w);
    src += static_cast<size_t>(w) * h;
  }
  gst_buffer_unmap(buf, &map);
  GST_BUFFER_PTS(buf) = static_cast<GstClockTime>(it.result.ptsMs) * GST_MSECOND;
  // One frame behind: a frame's duration is known when the next arrives (the MP4 keeps the last frame too).
  GstBuffer* ready = pending_;
  pending_ = buf;
  if (!ready) return "";
  if (GST_BUFFER_PTS(buf) > GST_BUFFER_PTS(ready)) lastDuration_ = GST_BUFFER_PTS(buf) - GST_BUFFER_PTS(ready);
  GST_BUFFER_DURATION(ready) = lastDuration_;
  return pushBuffer(ready);
}

std::string OsdEncoder::pushBuffer(GstBuffer* buf) {
  if (!pipeline_) {
    const std::string e = open();
    if (!e.empty()) {
      gst_buffer_unref(buf);
      return e;
    }
  }
  if (gst_app_src_push_buffer(GST_APP_SRC(appsrc_), buf) != GST_FLOW_OK) {
    GstBus* bus = gst_element_get_bus(pipeline_);
    GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    gst_object_unref(bus);
    std::string text = "encoder stopped";
    if (m) {
      GError* err = nullptr;
      gst_message_parse_error(m, &err, nullptr);
      if (err) text = err->message, g_error_free(err);
      gst_message_unref(m);
    }
    return "annotated video " + path_ + ": " + text;
  }
  ++written_;
  return "";
}

std::string OsdEncoder::endStream() {
  if (!pipeline_ && !pending_) return "";
  std::string error;
  if (pending_) {
    GST_BUFFER_DURATION(pending_) = lastDuration_;
    GstBuffer* last = pending_;
    pending_ = nullptr;
    if (!failed_) error = pushBuffer(last);
    else gst_buffer_unref(last);
  }
  if (!pipeline_) return error;
  gst_app_src_end_of_stream(GST_APP_SRC(appsrc_));
  GstBus* bus = gst_element_get_bus(pipeline_);
  GstMessage* m = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
                                             static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_object_unref(bus);
  if (!m) {
    error = "annotated video " + path_ + ": not finalised within 30 s";
  } else {
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError* err = nullptr;
      gst_message_parse_error(m, &err, nullptr);
      error = "annotated video " + path_ + ": " + (err ? err->message : "error");
      if (err) g_error_free(err);
    }
    gst_message_unref(m);
  }
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  gst_object_unref(appsrc_);
  gst_object_unref(pipeline_);
  appsrc_ = nullptr;
  pipeline_ = nullptr;
  return error;
}

std::string OsdEncoder::finish() {
  {
    std::lock_guard<std::mutex> lock(m_);
    if (finished_) return error_;
    finished_ = true;
    closing_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(m_);
  if (error_.empty() && written_ == 0) return "annotated video " + path_ + ": no frames, nothing written";
  return error_;
}

OsdVideoSink::OsdVideoSink(const std::vector<std::string>& outputs, const AnalyticsConfig& cfg) {
  gst::ensureInitialized();
  gst::requireElements({"appsrc", "x264enc", "h264parse", "mp4mux", "filesink"});
  for (size_t i = 0; i < outputs.size(); ++i)
    encoders_.push_back(outputs[i].empty() ? nullptr : std::make_unique<OsdEncoder>(outputs[i], cfg, static_cast<int>(i)));
}

void OsdVideoSink::onFrame(const FrameView& frame, const FrameResult& r) {
  if (r.streamId >= 0 && static_cast<size_t>(r.streamId) < encoders_.size() && encoders_[r.streamId])
    encoders_[r.streamId]->push(frame, r);
}

std::string OsdVideoSink::onStreamEnd(int streamId, StreamState) {
  if (streamId < 0 || static_cast<size_t>(streamId) >= encoders_.size() || !encoders_[streamId]) return "";
  return encoders_[streamId]->finish();
}

}  // namespace dsk::cpu::osd
