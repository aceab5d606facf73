#include "cpu/osd/frame_grab.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <sys/stat.h>

#include <cmath>
#include <memory>
#include <stdexcept>

#include "cpu/gst_runtime.h"
#include "cpu/pipeline_stream.h"  // detail::localPath / hasScheme

namespace dsk::cpu::osd {

namespace {
struct Unref {
  void operator()(GstElement* e) const {
    gst_element_set_state(e, GST_STATE_NULL);
    gst_object_unref(e);
  }
};

std::string busError(GstElement* pipeline) {
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  gst_object_unref(bus);
  if (!m) return "";
  GError* err = nullptr;
  gst_message_parse_error(m, &err, nullptr);
  std::string text = err ? err->message : "unknown error";
  if (err) g_error_free(err);
  gst_message_unref(m);
  return text;
}
}  // namespace

GrabbedFrame grabFrame(const std::string& input, int64_t frame, double atMs, int timeoutMs) {
  gst::ensureInitialized();
  gst::requireElements({"uridecodebin", "videoconvert", "appsink"});
  std::string uri = input;
  if (!detail::hasScheme(input)) {
    struct stat st {};
    if (::stat(input.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) throw std::runtime_error("input not found: " + input);
    gchar* u = gst_filename_to_uri(input.c_str(), nullptr);
    if (!u) throw std::runtime_error("input not found: " + input);
    uri = u;
    g_free(u);
  }
  GstElement* pipe = gst_pipeline_new("dsk-grab");
  std::unique_ptr<GstElement, Unref> hold(pipe);
  GstElement* dec = gst_element_factory_make("uridecodebin", nullptr);
  GstElement* conv = gst_element_factory_make("videoconvert", nullptr);
  GstElement* sink = gst_element_factory_make("appsink", nullptr);
  g_object_set(dec, "uri", uri.c_str(), nullptr);
  GstCaps* bgr = gst_caps_from_string("video/x-raw,format=BGR");
  g_object_set(sink, "caps", bgr, "sync", FALSE, "max-buffers", 2u, "drop", FALSE, nullptr);
  gst_caps_unref(bgr);
  gst_bin_add_many(GST_BIN(pipe), dec, conv, sink, nullptr);
  gst_element_link(conv, sink);
  // The first video stream to the converter; audio and anything else into fakesinks (never stall or error).
  g_signal_connect(dec, "pad-added", G_CALLBACK(+[](GstElement* d, GstPad* pad, gpointer user) {
                     GstCaps* caps = gst_pad_get_current_caps(pad);
                     if (!caps) caps = gst_pad_query_caps(pad, nullptr);
                     const bool video = caps && gst_caps_get_size(caps) > 0 &&
                                        g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
                     if (caps) gst_caps_unref(caps);
                     GstPad* sp = gst_element_get_static_pad(static_cast<GstElement*>(user), "sink");
                     if (video && !gst_pad_is_linked(sp)) {
                       gst_pad_link(pad, sp);
                     } else {
                       GstElement* fake = gst_element_factory_make("fakesink", nullptr);
                       g_object_set(fake, "sync", FALSE, "async", FALSE, nullptr);
                       GstObject* bin = gst_element_get_parent(d);
                       gst_bin_add(GST_BIN(bin), fake);
                       gst_object_unref(bin);
                       gst_element_sync_state_with_parent(fake);
                       GstPad* fp = gst_element_get_static_pad(fake, "sink");
                       gst_pad_link(pad, fp);
                       gst_object_unref(fp);
                     }
                     gst_object_unref(sp);
                   }),
                   conv);
  if (gst_element_set_state(pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    const std::string e = busError(pipe);
    throw std::runtime_error("cannot decode " + input + (e.empty() ? "" : ": " + e));
  }
  int64_t index = 0;
  bool haveFirst = false;
  GstClockTime first = 0;
  int waitedMs = 0;
  while (true) {
    GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 100 * GST_MSECOND);
    if (!s) {
      const std::string e = busError(pipe);
      if (!e.empty()) throw std::runtime_error("cannot decode " + input + ": " + e);
      if (!gst_app_sink_is_eos(GST_APP_SINK(sink))) {
        if ((waitedMs += 100) < timeoutMs) continue;
        throw std::runtime_error("cannot decode " + input + ": no frame within " + std::to_string(timeoutMs) + " ms");
      }
      const std::string want = frame >= 0 ? "frame " + std::to_string(frame) : "time " + std::to_string(atMs / 1000.0) + " s";
      throw std::runtime_error(want + " is beyond the end of " + input + " (" + std::to_string(index) + " frames)");
    }
    waitedMs = 0;
    GstBuffer* buf = gst_sample_get_buffer(s);
    int64_t ptsMs = 0;
    if (buf && GST_BUFFER_PTS_IS_VALID(buf)) {
      if (!haveFirst) {
        haveFirst = true;
        first = GST_BUFFER_PTS(buf);
      }
      ptsMs = GST_BUFFER_PTS(buf) >= first ? static_cast<int64_t>((GST_BUFFER_PTS(buf) - first) / GST_MSECOND) : 0;
    }
    const bool hit = frame >= 0 ? index == frame : static_cast<double>(ptsMs) + 0.5 >= atMs;
    if (hit) {
      GstVideoInfo info;
      GstVideoFrame vf;
      if (!buf || !gst_video_info_from_caps(&info, gst_sample_get_caps(s)) ||
          !gst_video_frame_map(&vf, &info, buf, GST_MAP_READ)) {
        gst_sample_unref(s);
        throw std::runtime_error("cannot decode " + input + ": unreadable frame");
      }
      GrabbedFrame out;
      cv::Mat view(GST_VIDEO_FRAME_HEIGHT(&vf), GST_VIDEO_FRAME_WIDTH(&vf), CV_8UC3, GST_VIDEO_FRAME_PLANE_DATA(&vf, 0),
                   static_cast<size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0)));
      out.bgr = view.clone();
      gst_video_frame_unmap(&vf);
      gst_sample_unref(s);
      out.frameNum = index;
      out.ptsMs = ptsMs;
      return out;
    }
    gst_sample_unref(s);
    ++index;
  }
}

}  // namespace dsk::cpu::osd
