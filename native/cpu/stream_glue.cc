// GStreamer glue of the CPU pipeline: builds one input's decode pipeline, moves decoded samples to the
// worker's queue (back-pressure for files, drop-oldest for live inputs), turns bus messages into errors and
// warnings, and counts frames the decoder swallowed. See pipeline.h for the pipeline's shape.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "cpu/pipeline_stream.h"

namespace dsk::cpu {

namespace detail {
bool hasScheme(const std::string& s) {
  const size_t p = s.find("://");
  if (p == std::string::npos || p == 0) return false;
  for (size_t i = 0; i < p; ++i)
    if (!std::isalnum(static_cast<unsigned char>(s[i])) && s[i] != '+' && s[i] != '-' && s[i] != '.') return false;
  return true;
}

std::string localPath(const std::string& input) {
  if (!hasScheme(input)) return input;
  if (input.rfind("file://", 0) != 0) return "";
  gchar* p = g_filename_from_uri(input.c_str(), nullptr, nullptr);
  std::string out = p ? p : input.substr(7);
  g_free(p);
  return out;
}
}  // namespace detail

using detail::hasScheme;
using detail::localPath;

GstFlowReturn GstGlue::onNewSample(GstAppSink* sink, gpointer user) {
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  GstSample* sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_FLUSHING;
  std::unique_lock<std::mutex> lock(s->m);
  if (s->live) {
    // Live: never hold the camera back; the oldest queued frame goes, and is counted.
    while (!s->closing && s->queue.size() >= s->capacity) {
      gst_sample_unref(s->queue.front());
      s->queue.pop_front();
      ++s->droppedFrames;
    }
  } else {
    // Files: back-pressure (the decoder waits for the worker), so nothing is ever dropped.
    s->spaceCv.wait(lock, [&] { return s->closing || s->queue.size() < s->capacity; });
  }
  if (s->closing) {
    lock.unlock();
    gst_sample_unref(sample);
    return GST_FLOW_FLUSHING;
  }
  s->queue.push_back(sample);
  s->frameCv.notify_one();
  return GST_FLOW_OK;
}

GstBusSyncReply GstGlue::onBusMessage(GstBus*, GstMessage* msg, gpointer user) {
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  switch (GST_MESSAGE_TYPE(msg)) {
    case GST_MESSAGE_ERROR: {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(msg, &err, &dbg);
      std::string text = describeError(*s, err, dbg, GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)));
      if (err) g_error_free(err);
      g_free(dbg);
      std::lock_guard<std::mutex> lock(s->m);
      if (!s->error) {
        s->error = true;
        s->errorMessage = text;
      }
      s->frameCv.notify_all();
      s->spaceCv.notify_all();
      break;
    }
    case GST_MESSAGE_WARNING: {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_warning(msg, &err, &dbg);
      // A network source's connection trouble ("server closed the connection") comes with the error that ends
      // the connection: the reconnecting state says it once, with the reason; a warning per attempt is noise.
      if (err && err->domain == GST_RESOURCE_ERROR && s->kind == "network") {
        g_error_free(err);
        g_free(dbg);
        break;
      }
      std::string text = s->input + ": " + (err ? err->message : "warning") + " (" +
                         GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)) + (dbg ? ": " + lastPart(dbg) : std::string()) + ")";
      if (err) g_error_free(err);
      g_free(dbg);
      std::lock_guard<std::mutex> lock(s->m);
      if (s->pendingWarnings.size() < 64)
        s->pendingWarnings.push_back(std::move(text));
      else
        ++s->droppedWarnings;
      s->frameCv.notify_all();
      break;
    }
    case GST_MESSAGE_EOS: {
      std::lock_guard<std::mutex> lock(s->m);
      s->eos = true;
      s->frameCv.notify_all();
      break;
    }
    default:
      break;
  }
  // A sync handler that returns GST_BUS_DROP owns the message and must unref it.
  gst_message_unref(msg);
  return GST_BUS_DROP;
}

// The useful tail of a GStreamer debug string ("../path/file.c(123): func (): /Pipeline/elem:\nreason").
std::string GstGlue::lastPart(const char* dbg) {
  std::string d(dbg);
  const size_t nl = d.rfind('\n');
  if (nl != std::string::npos && nl + 1 < d.size()) d = d.substr(nl + 1);
  if (d.size() > 200) d.resize(200);
  return d;
}

std::string GstGlue::describeError(const CpuPipeline::Stream& s, GError* err, const char* dbg, const char* src) {
  const std::string msg = err ? err->message : "unknown error";
  std::string detail = dbg ? lastPart(dbg) : "";
  if (detail.find(".c(") != std::string::npos) detail.clear();  // a source location, not a reason
  const std::string path = localPath(s.input);
  if (err && err->domain == GST_RESOURCE_ERROR) {
    if (!path.empty() &&
        (err->code == GST_RESOURCE_ERROR_NOT_FOUND || err->code == GST_RESOURCE_ERROR_OPEN_READ ||
         err->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE)) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) return "input not found: " + path;
    }
    return "cannot open " + s.input + ": " + msg + (detail.empty() ? "" : " (" + detail + ")");
  }
  (void)src;
  return "cannot decode " + s.input + ": " + msg + (detail.empty() ? "" : " (" + detail + ")");
}

void GstGlue::onPadAdded(GstElement*, GstPad* pad, gpointer user) {
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const GstStructure* st = caps && gst_caps_get_size(caps) > 0 ? gst_caps_get_structure(caps, 0) : nullptr;
  const bool video = st && g_str_has_prefix(gst_structure_get_name(st), "video/");
  if (caps) gst_caps_unref(caps);
  GstElement* target = nullptr;
  GstPad* sinkPad = nullptr;
  if (video) {
    GstElement* head = gst_bin_get_by_name(GST_BIN(s->pipeline), "dsk-head");
    if (head) {
      sinkPad = gst_element_get_static_pad(head, "sink");
      gst_object_unref(head);
    }
    if (sinkPad && gst_pad_is_linked(sinkPad)) {  // a second video stream in the file: discard it
      gst_object_unref(sinkPad);
      sinkPad = nullptr;
    }
  }
  if (!sinkPad) {
    // Audio, subtitles or a second video track: into a fakesink so they never stall or error the input.
    target = gst_element_factory_make("fakesink", nullptr);
    g_object_set(target, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add(GST_BIN(s->pipeline), target);
    gst_element_sync_state_with_parent(target);
    sinkPad = gst_element_get_static_pad(target, "sink");
  }
  gst_pad_link(pad, sinkPad);
  gst_object_unref(sinkPad);
}

// uridecodebin has exposed every stream of the input: one without video (an audio-only MP4) would otherwise
// never reach the appsink and never end.
void GstGlue::onNoMorePads(GstElement*, gpointer user) {
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  GstElement* head = gst_bin_get_by_name(GST_BIN(s->pipeline), "dsk-head");
  GstPad* sinkPad = head ? gst_element_get_static_pad(head, "sink") : nullptr;
  const bool video = sinkPad && gst_pad_is_linked(sinkPad);
  if (sinkPad) gst_object_unref(sinkPad);
  if (head) gst_object_unref(head);
  if (video) return;
  std::lock_guard<std::mutex> lock(s->m);
  if (!s->error) {
    s->error = true;
    s->errorMessage = "cannot decode " + s->input + ": no video stream in it (audio or other data only)";
  }
  s->frameCv.notify_all();
}

void GstGlue::onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer user) {
  GstElementFactory* f = gst_element_get_factory(element);
  const char* name = f ? GST_OBJECT_NAME(f) : nullptr;
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  // Only libav's video decoders have max-threads (avdec_aac has none: setting it prints a GLib warning).
  if (name && g_str_has_prefix(name, "avdec_") && g_object_class_find_property(G_OBJECT_GET_CLASS(element), "max-threads"))
    g_object_set(element, "max-threads", s->owner->options_.decoderThreads, nullptr);
  const char* klass = f ? gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS) : nullptr;
  if (klass && strstr(klass, "Decoder") && strstr(klass, "Video")) watchDecoder(element, *s);
}

// Corrupt input rarely produces a bus message: libav conceals what it can and silently drops frames it
// cannot decode. Every timestamp that enters the decoder must leave it (display order is PTS order), so a
// timestamp passed over by a later output frame is a frame the decoder dropped.
GstPadProbeReturn GstGlue::onDecoderIn(GstPad*, GstPadProbeInfo* info, gpointer user) {
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!buf) return GST_PAD_PROBE_OK;
  // Header-only buffers (codec config) produce no frame.
  if (!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_HEADER) || gst_buffer_get_size(buf) > 0) s->decoderIn.fetch_add(1);
  // Elementary streams carry only DTS (no PTS) out of the parser: those are accounted at end of stream.
  if (!GST_BUFFER_PTS_IS_VALID(buf)) return GST_PAD_PROBE_OK;
  std::lock_guard<std::mutex> lock(s->ptsMutex);
  if (!s->ptsTracking) return GST_PAD_PROBE_OK;
  if (!GST_CLOCK_TIME_IS_VALID(s->firstInPts)) s->firstInPts = GST_BUFFER_PTS(buf);
  s->pendingPts.insert(GST_BUFFER_PTS(buf));
  if (s->pendingPts.size() > 512) {  // timestamps not preserved by this decoder: stop tracking
    s->ptsTracking = false;
    s->pendingPts.clear();
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn GstGlue::onDecoderOut(GstPad*, GstPadProbeInfo* info, gpointer user) {
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!buf) return GST_PAD_PROBE_OK;
  s->decoderOut.fetch_add(1);
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_CORRUPTED)) s->corruptFrames.fetch_add(1);
  if (!GST_BUFFER_PTS_IS_VALID(buf)) return GST_PAD_PROBE_OK;
  const GstClockTime pts = GST_BUFFER_PTS(buf);
  std::lock_guard<std::mutex> lock(s->ptsMutex);
  if (!s->ptsTracking) return GST_PAD_PROBE_OK;
  uint64_t lost = 0;
  auto it = s->pendingPts.begin();
  while (it != s->pendingPts.end() && *it < pts) {
    it = s->pendingPts.erase(it);
    ++lost;
  }
  if (it != s->pendingPts.end() && *it == pts) s->pendingPts.erase(it);
  if (lost) {
    const GstClockTime base = GST_CLOCK_TIME_IS_VALID(s->firstInPts) ? s->firstInPts : 0;
    s->lastLostPtsMs = pts >= base ? static_cast<int64_t>((pts - base) / GST_MSECOND) : 0;
    s->lostFrames.fetch_add(lost);
  }
  return GST_PAD_PROBE_OK;
}

void GstGlue::watchDecoder(GstElement* dec, CpuPipeline::Stream& s) {
  GstPad* in = gst_element_get_static_pad(dec, "sink");
  GstPad* out = gst_element_get_static_pad(dec, "src");
  if (in) gst_pad_add_probe(in, GST_PAD_PROBE_TYPE_BUFFER, onDecoderIn, &s, nullptr);
  if (out) gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, onDecoderOut, &s, nullptr);
  if (in) gst_object_unref(in);
  if (out) gst_object_unref(out);
}

// At end of stream the decoder has drained: every frame that went in and did not come out is lost.
void GstGlue::flushLost(CpuPipeline::Stream& s) {
  std::lock_guard<std::mutex> lock(s.ptsMutex);
  s.pendingPts.clear();
  const uint64_t in = s.decoderIn.load(), out = s.decoderOut.load();
  const uint64_t total = in > out ? in - out : 0;
  if (total > s.lostFrames.load()) s.lostFrames = total;
}

void GstGlue::onSourceSetup(GstElement*, GstElement* source, gpointer user) {
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  GstElementFactory* f = gst_element_get_factory(source);
  const char* name = f ? GST_OBJECT_NAME(f) : "";
  if (g_strcmp0(name, "rtspsrc") == 0) {
    const guint64 timeoutUs = static_cast<guint64>(std::max(1000, s->owner->options_.connectTimeoutMs)) * 1000;
    g_object_set(source, "latency", 200, "tcp-timeout", timeoutUs, "timeout", timeoutUs, nullptr);
  }
}

GstPadProbeReturn GstGlue::onScalerCaps(GstPad*, GstPadProbeInfo* info, gpointer user) {
  auto* s = static_cast<CpuPipeline::Stream*>(user);
  GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
  if (ev && GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(ev, &caps);
    GstVideoInfo vi;
    if (caps && gst_video_info_from_caps(&vi, caps)) {
      s->srcWidth = GST_VIDEO_INFO_WIDTH(&vi);
      s->srcHeight = GST_VIDEO_INFO_HEIGHT(&vi);
    }
  }
  return GST_PAD_PROBE_OK;
}

// Builds the pipeline for one input; returns an error message (empty on success).
std::string GstGlue::build(CpuPipeline::Stream& s) {
  const PipelineOptions& o = s.owner->options_;
  const std::string path = localPath(s.input);
  if (!path.empty()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "input not found: " + path;
    if (S_ISDIR(st.st_mode)) return "input not found: " + path + " (is a directory)";
  }
  s.pipeline = gst_pipeline_new(("dsk-stream-" + std::to_string(s.id)).c_str());
  GstBus* bus = gst_element_get_bus(s.pipeline);
  gst_bus_set_sync_handler(bus, onBusMessage, &s, nullptr);
  gst_object_unref(bus);

  // Tail: videoconvert [! videoscale] ! appsink. videoconvert is a pass-through for the formats below.
  GstElement* convert = gst_element_factory_make("videoconvert", "dsk-head");
  s.appsink = gst_element_factory_make("appsink", "dsk-sink");
  GstElement* scale = nullptr;
  GstCaps* caps = nullptr;
  if (o.scaleInGstreamer && o.detector.processingWidth > 0) {
    scale = gst_element_factory_make("videoscale", "dsk-scale");
    caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                               o.detector.processingWidth & ~1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                               nullptr);
  } else {
    caps = gst_caps_from_string("video/x-raw,format={I420,NV12,YV12,NV21,Y42B,Y444,GRAY8}");
  }
  g_object_set(s.appsink, "caps", caps, "sync", (o.realtime && !s.live) ? TRUE : FALSE, "max-buffers", 1u,
               "drop", FALSE, "emit-signals", FALSE, "enable-last-sample", FALSE, "qos", FALSE, nullptr);
  gst_caps_unref(caps);
  GstAppSinkCallbacks cbs{};
  cbs.new_sample = onNewSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(s.appsink), &cbs, &s, nullptr);

  gst_bin_add_many(GST_BIN(s.pipeline), convert, s.appsink, nullptr);
  if (scale) {
    gst_bin_add(GST_BIN(s.pipeline), scale);
    GstPad* sp = gst_element_get_static_pad(scale, "sink");
    gst_pad_add_probe(sp, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, onScalerCaps, &s, nullptr);
    gst_object_unref(sp);
    if (!gst_element_link_many(convert, scale, s.appsink, nullptr)) return "internal: cannot link scaler";
  } else if (!gst_element_link(convert, s.appsink)) {
    return "internal: cannot link appsink";
  }

  if (s.kind == "h264") {
    GstElement* src = gst_element_factory_make("filesrc", nullptr);
    GstElement* parse = gst_element_factory_make("h264parse", nullptr);
    GstElement* dec = gst_element_factory_make("avdec_h264", nullptr);
    g_object_set(src, "location", path.c_str(), nullptr);
    g_object_set(dec, "max-threads", o.decoderThreads, nullptr);
    watchDecoder(dec, s);
    gst_bin_add_many(GST_BIN(s.pipeline), src, parse, dec, nullptr);
    if (!gst_element_link_many(src, parse, dec, convert, nullptr)) return "internal: cannot link decoder";
  } else {
    std::string uri = s.input;
    if (!hasScheme(uri)) {
      GError* err = nullptr;
      gchar* u = gst_filename_to_uri(path.c_str(), &err);
      if (!u) {
        std::string m = err ? err->message : "bad path";
        if (err) g_error_free(err);
        return "input not found: " + path + " (" + m + ")";
      }
      uri = u;
      g_free(u);
    }
    GstElement* dec = gst_element_factory_make("uridecodebin", nullptr);
    g_object_set(dec, "uri", uri.c_str(), nullptr);
    g_signal_connect(dec, "pad-added", G_CALLBACK(onPadAdded), &s);
    g_signal_connect(dec, "no-more-pads", G_CALLBACK(onNoMorePads), &s);
    g_signal_connect(dec, "source-setup", G_CALLBACK(onSourceSetup), &s);
    g_signal_connect(s.pipeline, "deep-element-added", G_CALLBACK(onElementAdded), &s);
    gst_bin_add(GST_BIN(s.pipeline), dec);
  }
  return "";
}

void GstGlue::teardown(CpuPipeline::Stream& s) {
  {
    std::lock_guard<std::mutex> lock(s.m);
    s.closing = true;
    s.spaceCv.notify_all();
  }
  if (s.pipeline) {
    gst_element_set_state(s.pipeline, GST_STATE_NULL);
    GstBus* bus = gst_element_get_bus(s.pipeline);
    gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
    gst_object_unref(bus);
    gst_object_unref(s.pipeline);
    s.pipeline = nullptr;
    s.appsink = nullptr;
  }
  std::lock_guard<std::mutex> lock(s.m);
  for (GstSample* x : s.queue) gst_sample_unref(x);
  s.queue.clear();
}

}  // namespace dsk::cpu
