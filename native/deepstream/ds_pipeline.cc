#include "deepstream/ds_pipeline.h"

#include <sys/stat.h>

#include <stdexcept>

#ifndef DSK_DEEPSTREAM_DIR
#define DSK_DEEPSTREAM_DIR "/opt/nvidia/deepstream/deepstream"
#endif

namespace dsk::ds {

namespace {

const char* const kElements[] = {"nvstreammux", "nvinfer",   "nvtracker",   "nvdsanalytics", "nvmsgconv",
                                 "nvmsgbroker", "nvv4l2decoder", "h264parse", "uridecodebin", "tee",
                                 "queue",       "fakesink"};
const char* const kDisplayElements[] = {"nvvideoconvert", "nvdsosd", "nveglglessink", "nvmultistreamtiler"};

bool fileExists(const std::string& p) {
  struct stat st {};
  return !p.empty() && ::stat(p.c_str(), &st) == 0;
}

bool endsWith(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

bool isH264File(const std::string& in) {
  return in.find("://") == std::string::npos && (endsWith(in, ".h264") || endsWith(in, ".264"));
}

bool isNetwork(const std::string& in) {
  return in.find("://") != std::string::npos && in.rfind("file://", 0) != 0;
}

std::string toUri(const std::string& in) {
  if (in.find("://") != std::string::npos) return in;
  GError* err = nullptr;
  gchar* uri = gst_filename_to_uri(in.c_str(), &err);
  if (!uri) {
    std::string msg = err ? err->message : "invalid path";
    if (err) g_error_free(err);
    throw std::invalid_argument("input " + in + ": " + msg);
  }
  std::string out(uri);
  g_free(uri);
  return out;
}

GstElement* make(const char* factory, const std::string& name) {
  GstElement* e = gst_element_factory_make(factory, name.c_str());
  if (!e) throw std::runtime_error(std::string("DeepStream: cannot create element ") + factory +
                                   " (is the DeepStream SDK installed and GST_PLUGIN_PATH set?)");
  return e;
}

// Sets a property only when the element has it (old vs new nvstreammux, DeepStream releases).
template <typename T>
void setIfExists(GstElement* e, const char* prop, T value) {
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(e), prop)) g_object_set(G_OBJECT(e), prop, value, nullptr);
}

void link(GstElement* a, GstElement* b) {
  if (!gst_element_link(a, b))
    throw std::runtime_error(std::string("DeepStream: cannot link ") + GST_ELEMENT_NAME(a) + " -> " + GST_ELEMENT_NAME(b));
}

// uridecodebin's video pad -> the muxer's sink_N (NVMM memory only: the decoder must be nvv4l2decoder).
void onDecodedPad(GstElement* /*decodebin*/, GstPad* pad, gpointer muxSinkPad) {
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const GstCapsFeatures* f = gst_caps_get_features(caps, 0);
  const bool video = g_str_has_prefix(gst_structure_get_name(s), "video/");
  const bool nvmm = f && gst_caps_features_contains(f, "memory:NVMM");
  gst_caps_unref(caps);
  auto* sink = static_cast<GstPad*>(muxSinkPad);
  if (!video || gst_pad_is_linked(sink)) return;
  if (!nvmm) {
    GST_ELEMENT_ERROR(GST_PAD_PARENT(sink), STREAM, DECODE, ("decoder did not pick an NVIDIA decoder (no NVMM output)"),
                      (nullptr));
    return;
  }
  gst_pad_link(pad, sink);
}

GstPad* requestPad(GstElement* e, const std::string& name) {
#if GST_CHECK_VERSION(1, 20, 0)
  return gst_element_request_pad_simple(e, name.c_str());
#else
  return gst_element_get_request_pad(e, name.c_str());  // DeepStream 6.x images ship GStreamer 1.16
#endif
}

}  // namespace

std::vector<std::string> missingDeepStreamElements() {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  std::vector<std::string> missing;
  for (const char* name : kElements) {
    if (GstElementFactory* f = gst_element_factory_find(name)) {
      gst_object_unref(f);
    } else {
      missing.emplace_back(name);
    }
  }
  return missing;
}

std::string deepStreamDir() { return DSK_DEEPSTREAM_DIR; }

void DsPipeline::validate(DsPipelineOptions& o) {
  if (o.inputs.empty()) throw std::invalid_argument("DeepStream pipeline: no inputs");
  if (o.muxWidth <= 0 || o.muxHeight <= 0) throw std::invalid_argument("DeepStream pipeline: bad muxer size");
  if (o.topic.empty())
    throw std::invalid_argument("DeepStream pipeline: no topic (nvmsgbroker would take the text after the last ';' of conn-str)");
  if (o.connStr.empty()) throw std::invalid_argument("DeepStream pipeline: no conn-str");
  if (o.trackerLib.empty()) o.trackerLib = deepStreamDir() + "/lib/libnvds_nvmultiobjecttracker.so";
  if (o.protoLib.empty()) o.protoLib = deepStreamDir() + "/lib/libnvds_kafka_proto.so";
  const std::pair<const char*, const std::string*> files[] = {
      {"nvinfer config", &o.inferConfig},        {"nvdsanalytics config", &o.analyticsConfig},
      {"converter library (msg2p-lib)", &o.msgconvLib}, {"tracker library", &o.trackerLib},
      {"Kafka adaptor (proto-lib)", &o.protoLib}};
  for (const auto& [what, path] : files)
    if (!fileExists(*path)) throw std::runtime_error("DeepStream pipeline: " + std::string(what) + " not found: " + *path);
  for (const std::string* p : {&o.trackerConfig, &o.msgconvConfig, &o.brokerConfig})
    if (!p->empty() && !fileExists(*p)) throw std::runtime_error("DeepStream pipeline: file not found: " + *p);
  for (const auto& in : o.inputs)
    if (in.find("://") == std::string::npos && !fileExists(in))
      throw std::runtime_error("DeepStream pipeline: input not found: " + in);
  auto missing = missingDeepStreamElements();
  if (o.display) {
    for (const char* name : kDisplayElements) {
      if (GstElementFactory* f = gst_element_factory_find(name)) {
        gst_object_unref(f);
      } else {
        missing.emplace_back(name);
      }
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw std::runtime_error("DeepStream pipeline: GStreamer elements not found: " + list +
                             " (install the DeepStream SDK 7.x, or run in its container)");
  }
}

DsPipeline::DsPipeline(DsPipelineOptions options, DsPipelineCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  validate(options_);
  probe_ = std::make_unique<AnalyticsProbe>(options_.messages, options_.analyticsUniqueId, options_.componentId,
                                            ProbeCallbacks{callbacks_.onFrame, callbacks_.onMessage});
  build();
}

DsPipeline::~DsPipeline() {
  stop();
  if (busThread_.joinable()) busThread_.join();
  probe_.reset();
  if (pipeline_) gst_object_unref(pipeline_);
}

void DsPipeline::build() {
  pipeline_ = gst_pipeline_new("ds-kafka-deepstream");
  GstBin* bin = GST_BIN(pipeline_);
  const guint batch = static_cast<guint>(options_.inputs.size());
  bool live = false;
  for (const auto& in : options_.inputs) live = live || isNetwork(in);

  mux_ = make("nvstreammux", "mux");
  gst_bin_add(bin, mux_);
  g_object_set(G_OBJECT(mux_), "batch-size", batch, nullptr);
  setIfExists(mux_, "width", options_.muxWidth);
  setIfExists(mux_, "height", options_.muxHeight);
  setIfExists(mux_, "batched-push-timeout", options_.batchedPushTimeoutUs);
  setIfExists(mux_, "live-source", live ? TRUE : FALSE);
  setIfExists(mux_, "gpu-id", static_cast<guint>(options_.gpuId));

  for (guint i = 0; i < batch; ++i) {
    const std::string& in = options_.inputs[i];
    const std::string sinkName = "sink_" + std::to_string(i);
    GstPad* muxSink = requestPad(mux_, sinkName);
    if (!muxSink) throw std::runtime_error("DeepStream: nvstreammux refused pad " + sinkName);
    if (isH264File(in)) {
      GstElement* src = make("filesrc", "src-" + std::to_string(i));
      GstElement* parse = make("h264parse", "parse-" + std::to_string(i));
      GstElement* dec = make("nvv4l2decoder", "dec-" + std::to_string(i));
      g_object_set(G_OBJECT(src), "location", in.c_str(), nullptr);
      setIfExists(dec, "gpu-id", static_cast<guint>(options_.gpuId));
      gst_bin_add_many(bin, src, parse, dec, nullptr);
      link(src, parse);
      link(parse, dec);
      GstPad* decSrc = gst_element_get_static_pad(dec, "src");
      const GstPadLinkReturn r = gst_pad_link(decSrc, muxSink);
      gst_object_unref(decSrc);
      gst_object_unref(muxSink);
      if (r != GST_PAD_LINK_OK) throw std::runtime_error("DeepStream: cannot link decoder to nvstreammux " + sinkName);
    } else {
      GstElement* src = make("uridecodebin", "src-" + std::to_string(i));
      g_object_set(G_OBJECT(src), "uri", toUri(in).c_str(), nullptr);
      gst_bin_add(bin, src);
      // The pad reference is kept for the pipeline's life (released with the pipeline's pads).
      g_signal_connect_data(src, "pad-added", G_CALLBACK(onDecodedPad), muxSink,
                            [](gpointer pad, GClosure*) { gst_object_unref(GST_PAD(pad)); }, GConnectFlags(0));
    }
  }

  GstElement* infer = make("nvinfer", "primary-infer");
  g_object_set(G_OBJECT(infer), "config-file-path", options_.inferConfig.c_str(), nullptr);
  setIfExists(infer, "batch-size", batch);
  GstElement* tracker = make("nvtracker", "tracker");
  g_object_set(G_OBJECT(tracker), "ll-lib-file", options_.trackerLib.c_str(), "tracker-width", options_.trackerWidth,
               "tracker-height", options_.trackerHeight, nullptr);
  if (!options_.trackerConfig.empty())
    g_object_set(G_OBJECT(tracker), "ll-config-file", options_.trackerConfig.c_str(), nullptr);
  setIfExists(tracker, "gpu-id", static_cast<guint>(options_.gpuId));
  GstElement* analytics = make("nvdsanalytics", "analytics");
  g_object_set(G_OBJECT(analytics), "config-file", options_.analyticsConfig.c_str(), nullptr);
  GstElement* tee = make("tee", "tee");
  GstElement* qMsg = make("queue", "queue-msg");
  GstElement* conv = make("nvmsgconv", "msgconv");
  g_object_set(G_OBJECT(conv), "msg2p-lib", options_.msgconvLib.c_str(), "payload-type", options_.payloadType,
               "comp-id", options_.componentId, nullptr);
  if (!options_.msgconvConfig.empty()) g_object_set(G_OBJECT(conv), "config", options_.msgconvConfig.c_str(), nullptr);
  GstElement* broker = make("nvmsgbroker", "msgbroker");
  g_object_set(G_OBJECT(broker), "proto-lib", options_.protoLib.c_str(), "conn-str", options_.connStr.c_str(), "topic",
               options_.topic.c_str(), "comp-id", options_.componentId, "sync", FALSE, nullptr);
  if (!options_.brokerConfig.empty()) g_object_set(G_OBJECT(broker), "config", options_.brokerConfig.c_str(), nullptr);
  GstElement* qView = make("queue", "queue-view");
  gst_bin_add_many(bin, infer, tracker, analytics, tee, qMsg, conv, broker, qView, nullptr);
  link(mux_, infer);
  link(infer, tracker);
  link(tracker, analytics);
  link(analytics, tee);
  link(tee, qMsg);
  link(qMsg, conv);
  link(conv, broker);
  link(tee, qView);

  if (options_.display) {
    GstElement* last = qView;
    if (batch > 1) {
      GstElement* tiler = make("nvmultistreamtiler", "tiler");
      guint rows = 1;
      while (rows * rows < batch) ++rows;
      g_object_set(G_OBJECT(tiler), "rows", rows, "columns", (batch + rows - 1) / rows, "width", options_.muxWidth,
                   "height", options_.muxHeight, nullptr);
      gst_bin_add(bin, tiler);
      link(last, tiler);
      last = tiler;
    }
    GstElement* vconv = make("nvvideoconvert", "osd-convert");
    GstElement* osd = make("nvdsosd", "osd");
    GstElement* sink = make("nveglglessink", "sink");
    g_object_set(G_OBJECT(sink), "sync", live ? FALSE : TRUE, nullptr);
    gst_bin_add_many(bin, vconv, osd, sink, nullptr);
    link(last, vconv);
    link(vconv, osd);
    link(osd, sink);
  } else {
    GstElement* sink = make("fakesink", "sink");
    g_object_set(G_OBJECT(sink), "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add(bin, sink);
    link(qView, sink);
  }

  GstPad* analyticsSrc = gst_element_get_static_pad(analytics, "src");
  probe_->attach(analyticsSrc);
  gst_object_unref(analyticsSrc);
}

void DsPipeline::start() {
  if (started_.exchange(true)) throw std::logic_error("DeepStream pipeline: already started");
  startTime_ = std::chrono::steady_clock::now();
  if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The bus says why (nvmsgbroker: broker unreachable; nvinfer: bad config or engine build failure).
    std::string why = "cannot start the pipeline";
    GstBus* bus = gst_element_get_bus(pipeline_);
    if (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
      GError* err = nullptr;
      gst_message_parse_error(m, &err, nullptr);
      why = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(m))) + ": " + (err ? err->message : "error");
      if (err) g_error_free(err);
      gst_message_unref(m);
    }
    gst_object_unref(bus);
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    finished_ = true;
    throw std::runtime_error("DeepStream pipeline: " + why);
  }
  busThread_ = std::thread([this] { busLoop(); });
}

void DsPipeline::busLoop() {
  GstBus* bus = gst_element_get_bus(pipeline_);
  std::string error;
  for (;;) {
    GstMessage* m = gst_bus_timed_pop_filtered(
        bus, 100 * GST_MSECOND, GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_WARNING | GST_MESSAGE_EOS));
    if (!m) {
      const int64_t nowNs =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
      if (stopping_ && nowNs > stopDeadlineNs_.load()) break;  // EOS did not get through in time
      continue;
    }
    const GstMessageType type = GST_MESSAGE_TYPE(m);
    if (type == GST_MESSAGE_EOS) {
      gst_message_unref(m);
      break;
    }
    GError* err = nullptr;
    gchar* dbg = nullptr;
    if (type == GST_MESSAGE_ERROR)
      gst_message_parse_error(m, &err, &dbg);
    else
      gst_message_parse_warning(m, &err, &dbg);
    const std::string text = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(m))) + ": " + (err ? err->message : "?");
    if (err) g_error_free(err);
    g_free(dbg);
    gst_message_unref(m);
    if (type == GST_MESSAGE_WARNING) {
      if (callbacks_.onWarning) callbacks_.onWarning(text);
      continue;
    }
    error = text;
    if (callbacks_.onError) callbacks_.onError(text);
    break;
  }
  gst_object_unref(bus);
  finish(error);
}

void DsPipeline::finish(const std::string& error) {
  gst_element_set_state(pipeline_, GST_STATE_NULL);  // nvmsgbroker flushes (up to 10 s) while stopping
  probe_->detach();
  DsRunSummary s;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_.empty()) error_ = error;
    wallMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - startTime_).count();
  }
  finished_ = true;
  s = stats();
  if (callbacks_.onEos) callbacks_.onEos(s);
}

void DsPipeline::stop(int timeoutMs, bool wait) {
  if (!started_ || finished_) return;
  if (!stopping_.exchange(true)) {
    stopDeadlineNs_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          (std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs)).time_since_epoch())
                          .count();
    // EOS through the sources so nvmsgconv/nvmsgbroker see the end of stream and flush what is queued; the
    // bus thread tears down when it arrives, or at the deadline.
    gst_element_send_event(pipeline_, gst_event_new_eos());
  }
  if (!wait || std::this_thread::get_id() == busThread_.get_id()) return;
  if (busThread_.joinable()) busThread_.join();
}

DsRunSummary DsPipeline::stats() const {
  DsRunSummary s;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s.error = error_;
    s.wallMs = finished_ ? wallMs_
                         : (started_ ? std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - startTime_).count()
                                     : 0);
  }
  s.stopped = stopping_.load();
  s.probe = probe_ ? probe_->stats() : ProbeStats{};
  return s;
}

}  // namespace dsk::ds
