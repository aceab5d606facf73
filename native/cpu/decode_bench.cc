#include "cpu/decode_bench.h"

#include <gst/gst.h>

#include <atomic>
#include <chrono>

#include "cpu/gst_runtime.h"
#include "cpu/pipeline.h"

namespace dsk::cpu {

namespace {
GstPadProbeReturn countBuffer(GstPad*, GstPadProbeInfo*, gpointer user) {
  static_cast<std::atomic<uint64_t>*>(user)->fetch_add(1, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

void linkVideo(GstElement*, GstPad* pad, gpointer user) {
  GstElement* sink = static_cast<GstElement*>(user);
  GstPad* sp = gst_element_get_static_pad(sink, "sink");
  GstCaps* caps = gst_pad_query_caps(pad, nullptr);
  const bool video = caps && gst_caps_get_size(caps) > 0 &&
                     g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
  if (caps) gst_caps_unref(caps);
  if (video && !gst_pad_is_linked(sp)) gst_pad_link(pad, sp);
  gst_object_unref(sp);
}
}  // namespace

DecodeBenchResult decodeOnly(const std::string& input, int decoderThreads, int timeoutMs) {
  DecodeBenchResult r;
  try {
    gst::ensureInitialized();
  } catch (const std::exception& e) {
    r.error = e.what();
    return r;
  }
  GstElement* pipeline = gst_pipeline_new("dsk-decode-bench");
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(sink, "sync", FALSE, nullptr);
  gst_bin_add(GST_BIN(pipeline), sink);
  if (inputKind(input) == "h264") {
    GstElement* src = gst_element_factory_make("filesrc", nullptr);
    GstElement* parse = gst_element_factory_make("h264parse", nullptr);
    GstElement* dec = gst_element_factory_make("avdec_h264", nullptr);
    if (!src || !parse || !dec) {
      r.error = "filesrc/h264parse/avdec_h264 not available";
      gst_object_unref(pipeline);
      return r;
    }
    g_object_set(src, "location", input.c_str(), nullptr);
    g_object_set(dec, "max-threads", decoderThreads, nullptr);
    gst_bin_add_many(GST_BIN(pipeline), src, parse, dec, nullptr);
    gst_element_link_many(src, parse, dec, sink, nullptr);
  } else {
    GstElement* dec = gst_element_factory_make("uridecodebin", nullptr);
    std::string uri = input;
    if (input.find("://") == std::string::npos) {
      gchar* u = gst_filename_to_uri(input.c_str(), nullptr);
      uri = u ? u : input;
      g_free(u);
    }
    g_object_set(dec, "uri", uri.c_str(), nullptr);
    g_signal_connect(dec, "pad-added", G_CALLBACK(linkVideo), sink);
    gst_bin_add(GST_BIN(pipeline), dec);
  }
  std::atomic<uint64_t> frames{0};
  GstPad* sp = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(sp, GST_PAD_PROBE_TYPE_BUFFER, countBuffer, &frames, nullptr);
  gst_object_unref(sp);

  const auto t0 = std::chrono::steady_clock::now();
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(timeoutMs) * GST_MSECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const auto t1 = std::chrono::steady_clock::now();
  if (!msg) {
    r.error = "decode timed out";
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* err = nullptr;
    gst_message_parse_error(msg, &err, nullptr);
    r.error = std::string("cannot decode ") + input + ": " + (err ? err->message : "error");
    if (err) g_error_free(err);
  }
  if (msg) gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  r.frames = frames.load();
  r.wallMs = std::chrono::duration<double, std::milli>(t1 - t0).count();
  r.fps = r.wallMs > 0 ? r.frames * 1000.0 / r.wallMs : 0;
  return r;
}

}  // namespace dsk::cpu
