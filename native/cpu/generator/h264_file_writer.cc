#include "cpu/generator/h264_file_writer.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <cstring>
#include <stdexcept>

#include "cpu/gst_runtime.h"

namespace dsk::generator {

namespace {

GstElement* make(const char* factory, const char* name) {
  GstElement* e = gst_element_factory_make(factory, name);
  if (!e) throw std::runtime_error(std::string("could not create GStreamer element ") + factory);
  return e;
}

std::string takeError(GstMessage* msg) {
  GError* err = nullptr;
  gchar* dbg = nullptr;
  gst_message_parse_error(msg, &err, &dbg);
  std::string text = err ? err->message : "unknown error";
  if (GST_MESSAGE_SRC(msg)) {
    gchar* src = gst_object_get_path_string(GST_MESSAGE_SRC(msg));
    text = std::string(src ? src : "?") + ": " + text;
    g_free(src);
  }
  if (dbg && *dbg) text += " (" + std::string(dbg) + ")";
  if (err) g_error_free(err);
  g_free(dbg);
  return text;
}

}  // namespace

H264FileWriter::H264FileWriter(const std::string& path, int width, int height, int fps, const EncoderSettings& enc)
    : path_(path), width_(width), height_(height), fps_(fps) {
  if (path.empty()) throw std::runtime_error("output path is empty");
  gst::requireElements({"appsrc", "videoconvert", "x264enc", "h264parse", "capsfilter", "filesink"});

  pipeline_ = gst_pipeline_new("dsk-sample-writer");
  GstElement* src = nullptr;
  GstElement* convert = nullptr;
  GstElement* i420 = nullptr;
  GstElement* encoder = nullptr;
  GstElement* parse = nullptr;
  GstElement* filter = nullptr;
  GstElement* sink = nullptr;
  try {
    src = make("appsrc", "src");
    convert = make("videoconvert", "convert");
    i420 = make("capsfilter", "i420");
    encoder = make("x264enc", "encoder");
    parse = make("h264parse", "parse");
    filter = make("capsfilter", "bytestream");
    sink = make("filesink", "sink");
  } catch (...) {
    for (GstElement* e : {src, convert, i420, encoder, parse, filter, sink})
      if (e) gst_object_unref(gst_object_ref_sink(e));
    teardown();
    throw;
  }
  gst_bin_add_many(GST_BIN(pipeline_), src, convert, i420, encoder, parse, filter, sink, nullptr);
  appsrc_ = src;

  GstCaps* raw = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "BGR", "width", G_TYPE_INT, width,
                                     "height", G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION, fps, 1,
                                     "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, nullptr);
  g_object_set(src, "caps", raw, "format", GST_FORMAT_TIME, "is-live", FALSE, "block", FALSE, "max-bytes",
               static_cast<guint64>(width) * height * 3 * 64, nullptr);
  gst_caps_unref(raw);

  // 4:2:0: left alone, videoconvert would hand x264 Y444 and get a High 4:4:4 stream that hardware
  // decoders (nvv4l2decoder) refuse.
  GstCaps* yuv = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", nullptr);
  g_object_set(i420, "caps", yuv, nullptr);
  gst_caps_unref(yuv);

  g_object_set(encoder, "bitrate", static_cast<guint>(enc.bitrateKbps), "key-int-max", static_cast<guint>(enc.keyIntMax),
               "bframes", 0u, "threads", static_cast<guint>(enc.threads), "sliced-threads", FALSE, nullptr);
  gst_util_set_object_arg(G_OBJECT(encoder), "speed-preset", enc.speedPreset.c_str());

  g_object_set(parse, "config-interval", -1, nullptr);  // SPS/PPS before every IDR: decodable from any keyframe
  GstCaps* h264 = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING, "byte-stream", "alignment",
                                      G_TYPE_STRING, "au", "profile", G_TYPE_STRING, "high", nullptr);
  g_object_set(filter, "caps", h264, nullptr);
  gst_caps_unref(h264);
  g_object_set(sink, "location", path.c_str(), "sync", FALSE, "async", FALSE, nullptr);

  if (!gst_element_link_many(src, convert, i420, encoder, parse, filter, sink, nullptr)) {
    teardown();
    throw std::runtime_error("could not link appsrc → videoconvert → I420 → x264enc → h264parse → filesink");
  }
  bus_ = gst_element_get_bus(pipeline_);
  if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    std::string detail;
    if (GstMessage* msg = gst_bus_pop_filtered(bus_, GST_MESSAGE_ERROR)) {
      detail = takeError(msg);
      gst_message_unref(msg);
    }
    teardown();
    throw std::runtime_error("cannot write " + path + (detail.empty() ? "" : ": " + detail));
  }
}

H264FileWriter::~H264FileWriter() { teardown(); }

void H264FileWriter::teardown() {
  if (pipeline_) {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(pipeline_);
    pipeline_ = nullptr;
  }
  if (bus_) {
    gst_object_unref(bus_);
    bus_ = nullptr;
  }
  appsrc_ = nullptr;
}

void H264FileWriter::checkBus(bool block) {
  if (!bus_) throw std::runtime_error("encoder pipeline is not running");
  const GstMessageType types = static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  while (true) {
    GstMessage* msg = block ? gst_bus_timed_pop_filtered(bus_, 300 * GST_SECOND, types)
                            : gst_bus_pop_filtered(bus_, types);
    if (!msg) {
      if (!block) return;
      teardown();
      throw std::runtime_error("encoding " + path_ + " failed: no end-of-stream after 300 s");
    }
    const bool eos = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
    std::string err = eos ? std::string() : takeError(msg);
    gst_message_unref(msg);
    if (!eos) {
      teardown();
      throw std::runtime_error("encoding " + path_ + " failed: " + err);
    }
    if (block) return;  // EOS while waiting for it
  }
}

void H264FileWriter::push(const cv::Mat& bgr) {
  if (finished_ || !appsrc_) throw std::runtime_error("encoder pipeline is closed");
  if (bgr.cols != width_ || bgr.rows != height_ || bgr.type() != CV_8UC3)
    throw std::runtime_error("frame size/type does not match the stream");
  checkBus(false);
  // Back-pressure without appsrc's block=true, which could wait forever if downstream had stopped: keep at
  // most a few frames queued, watching the bus for errors while the encoder catches up.
  const guint64 limit = static_cast<guint64>(width_) * height_ * 3 * 4;
  while (gst_app_src_get_current_level_bytes(GST_APP_SRC(appsrc_)) > limit) {
    if (GstMessage* msg = gst_bus_timed_pop_filtered(bus_, 5 * GST_MSECOND, GST_MESSAGE_ERROR)) {
      std::string err = takeError(msg);
      gst_message_unref(msg);
      teardown();
      throw std::runtime_error("encoding " + path_ + " failed: " + err);
    }
  }
  const gsize rowBytes = static_cast<gsize>(width_) * 3;
  const gsize stride = GST_ROUND_UP_4(rowBytes);  // GStreamer's default stride for packed 24-bit RGB
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, stride * height_, nullptr);
  GstMapInfo map;
  if (!gst_buffer_map(buf, &map, GST_MAP_WRITE)) {
    gst_buffer_unref(buf);
    throw std::runtime_error("could not map a video buffer");
  }
  for (int y = 0; y < height_; ++y) {
    std::memcpy(map.data + stride * y, bgr.ptr(y), rowBytes);
    if (stride > rowBytes) std::memset(map.data + stride * y + rowBytes, 0, stride - rowBytes);
  }
  gst_buffer_unmap(buf, &map);
  GST_BUFFER_PTS(buf) = gst_util_uint64_scale(pushed_, GST_SECOND, static_cast<guint64>(fps_));
  GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(pushed_ + 1, GST_SECOND, static_cast<guint64>(fps_)) - GST_BUFFER_PTS(buf);
  GST_BUFFER_OFFSET(buf) = pushed_;
  const GstFlowReturn ret = gst_app_src_push_buffer(GST_APP_SRC(appsrc_), buf);  // takes ownership
  ++pushed_;
  if (ret != GST_FLOW_OK) {
    checkBus(false);  // a posted error explains it better
    teardown();
    throw std::runtime_error(std::string("encoder pipeline refused a frame: ") + gst_flow_get_name(ret));
  }
}

void H264FileWriter::finish() {
  if (finished_) return;
  if (!appsrc_) throw std::runtime_error("encoder pipeline is closed");
  finished_ = true;
  gst_app_src_end_of_stream(GST_APP_SRC(appsrc_));
  checkBus(true);
  teardown();
}

}  // namespace dsk::generator
