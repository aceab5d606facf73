#include "deepstream/ds_pipeline.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "deepstream/ds_sources.h"
#include "deepstream/sdk_runtime.h"
#include "nvds_version.h"

#ifndef DSK_DEEPSTREAM_DIR
#define DSK_DEEPSTREAM_DIR "/opt/nvidia/deepstream/deepstream"
#endif

namespace dsk::ds {

namespace {

const char* const kElements[] = {"nvstreammux", "nvinfer",   "nvtracker",    "nvdsanalytics", "nvmsgconv",
                                 "nvmsgbroker", "nvv4l2decoder", "h264parse", "uridecodebin", "tee",
                                 "queue",       "fakesink"};
const char* const kDisplayElements[] = {"nvvideoconvert", "nvdsosd", "nveglglessink", "nvmultistreamtiler"};
const char* const kOsdFileElements[] = {"nvvideoconvert", "nvdsosd", "nvmultistreamtiler", "capsfilter",
                                        "x264enc",        "mp4mux",  "filesink"};

bool fileExists(const std::string& p) {
  struct stat st {};
  return !p.empty() && ::stat(p.c_str(), &st) == 0;
}

std::string readFile(const std::string& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
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

bool hasFactory(const char* name) {
  if (GstElementFactory* f = gst_element_factory_find(name)) {
    gst_object_unref(f);
    return true;
  }
  return false;
}

bool hasProperty(GstElement* e, const char* prop) {
  return g_object_class_find_property(G_OBJECT_GET_CLASS(e), prop) != nullptr;
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
  for (const char* name : kElements)
    if (!hasFactory(name)) missing.emplace_back(name);
  return missing;
}

std::string deepStreamDir() { return DSK_DEEPSTREAM_DIR; }

SdkVersion builtSdkVersion() { return SdkVersion{NVDS_VERSION_MAJOR, NVDS_VERSION_MINOR}; }

std::optional<SdkVersion> runtimeSdkVersion() { return lookupRuntimeSdkVersion(); }

PlanCaps probeCaps() {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
  PlanCaps caps;
  if (GstElement* e = gst_element_factory_make("nvurisrcbin", nullptr)) {
    caps.nvurisrcbin = hasProperty(e, "rtsp-reconnect-interval");
    gst_object_unref(gst_object_ref_sink(e));
  }
  return caps;
}

void DsPipeline::validate(DsPipelineOptions& o) {
  const std::string versionError = sdkVersionMismatch("ds-kafka's DeepStream backend", builtSdkVersion(), runtimeSdkVersion());
  if (!versionError.empty()) throw std::runtime_error(versionError);
  if (o.trackerLib.empty()) o.trackerLib = deepStreamDir() + "/lib/libnvds_nvmultiobjecttracker.so";
  if (o.protoLib.empty()) o.protoLib = deepStreamDir() + "/lib/libnvds_kafka_proto.so";
  if (o.inferConfig.empty()) {
    // The shipped default for this SDK generation, if its model is installed; otherwise a clear error.
    const SdkVersion sdk = runtimeSdkVersion().value_or(builtSdkVersion());
    const std::string name = defaultInferConfigName(sdk);
    if (name.empty())
      throw std::runtime_error("DeepStream pipeline: ds-kafka has no default nvinfer config for DeepStream " + sdk.str() +
                               " (it ships defaults for 6.0-6.3 and >= 7.1); give your detector's config with --infer-config");
    const std::string dir = o.defaultConfigDir.empty() ? std::string("config/deepstream") : o.defaultConfigDir;
    o.inferConfig = dir + "/" + name;
    if (!fileExists(o.inferConfig))
      throw std::runtime_error("DeepStream pipeline: default nvinfer config not found: " + o.inferConfig + "; give --infer-config");
    const std::string missingModel = inferConfigMissingModel(readFile(o.inferConfig), dir, fileExists);
    if (!missingModel.empty())
      throw std::runtime_error("DeepStream pipeline: the default nvinfer config " + o.inferConfig + " (DeepStream " + sdk.str() +
                               ") needs the SDK's sample model " + missingModel +
                               ", which is not installed (install the SDK samples, or give your own --infer-config)");
  }
  (void)planPipeline(o, PlanCaps{});  // required options
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
  if (o.display)
    for (const char* name : kDisplayElements)
      if (!hasFactory(name)) missing.emplace_back(name);
  if (!o.osdOutput.empty())
    for (const char* name : kOsdFileElements)
      if (!hasFactory(name) && std::find(missing.begin(), missing.end(), name) == missing.end()) missing.emplace_back(name);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw std::runtime_error("DeepStream pipeline: GStreamer elements not found: " + list + " (built for DeepStream " +
                             builtSdkVersion().str() + ": run inside that SDK's environment, GST_PLUGIN_PATH set)");
  }
}

DsPipeline::DsPipeline(DsPipelineOptions options, DsPipelineCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  validate(options_);
  probe_ = std::make_unique<AnalyticsProbe>(options_.messages, options_.analyticsUniqueId, options_.componentId,
                                            ProbeCallbacks{callbacks_.onFrame, callbacks_.onMessage});
  try {
    build();
  } catch (...) {
    // The destructor does not run for a throwing constructor: release what build() made.
    for (GstPad* p : muxSinkPads_) gst_object_unref(p);
    muxSinkPads_.clear();
    if (pipeline_) gst_object_unref(pipeline_);
    pipeline_ = nullptr;
    throw;
  }
}

DsPipeline::~DsPipeline() {
  stop();
  if (busThread_.joinable()) busThread_.join();
  probe_.reset();
  for (GstPad* p : muxSinkPads_) gst_object_unref(p);
  if (pipeline_) gst_object_unref(pipeline_);
}

void DsPipeline::build() {
  plan_ = planPipeline(options_, probeCaps());
  pipeline_ = gst_pipeline_new("ds-kafka-deepstream");
  GstBin* bin = GST_BIN(pipeline_);
  const size_t streams = options_.inputs.size();
  sources_.assign(streams, {});
  streamFailed_ = std::make_unique<std::atomic<bool>[]>(streams);
  for (size_t i = 0; i < streams; ++i) streamFailed_[i] = false;

  for (const ElementSpec& spec : plan_.elements) {
    GstElement* e = gst_element_factory_make(spec.factory.c_str(), spec.name.c_str());
    if (!e)
      throw std::runtime_error("DeepStream: cannot create element " + spec.factory +
                               " (is the DeepStream SDK installed and GST_PLUGIN_PATH set?)");
    gst_bin_add(bin, e);  // the bin owns it from here (build() failures release the whole pipeline)
    for (const PropSpec& p : spec.props) {
      if (!hasProperty(e, p.name.c_str())) {
        if (p.required)
          throw std::runtime_error("DeepStream: " + spec.factory + " has no property " + p.name + " in this SDK release");
        continue;
      }
      std::string value = p.value;
      if (p.name == "uri") value = toUri(value);
      gst_util_set_object_arg(G_OBJECT(e), p.name.c_str(), value.c_str());
    }
    if (spec.stream >= 0) sources_[static_cast<size_t>(spec.stream)].push_back(e);
  }
  mux_ = gst_bin_get_by_name(bin, "mux");
  gst_object_unref(mux_);  // borrowed: the bin keeps it

  muxSinkPads_.assign(streams, nullptr);
  for (size_t i = 0; i < streams; ++i) {
    const std::string pad = "sink_" + std::to_string(i);
    muxSinkPads_[i] = requestPad(mux_, pad);
    if (!muxSinkPads_[i]) throw std::runtime_error("DeepStream: nvstreammux refused pad " + pad);
  }

  for (const LinkSpec& l : plan_.links) {
    GstElement* a = gst_bin_get_by_name(bin, l.from.c_str());
    GstElement* z = gst_bin_get_by_name(bin, l.to.c_str());
    gst_object_unref(a);
    gst_object_unref(z);
    if (!l.toPad.empty()) {
      const size_t stream = static_cast<size_t>(std::stoul(l.toPad.substr(5)));
      GstPad* muxSink = muxSinkPads_.at(stream);
      if (l.dynamic) {
        linkDecodedVideo(a, muxSink, &streamFailed_[stream]);
      } else {
        GstPad* srcPad = gst_element_get_static_pad(a, "src");
        const GstPadLinkReturn r = srcPad ? gst_pad_link(srcPad, muxSink) : GST_PAD_LINK_REFUSED;
        if (srcPad) gst_object_unref(srcPad);
        if (r != GST_PAD_LINK_OK) throw std::runtime_error("DeepStream: cannot link " + l.from + " to nvstreammux " + l.toPad);
      }
    } else if (!gst_element_link(a, z)) {
      throw std::runtime_error("DeepStream: cannot link " + l.from + " -> " + l.to);
    }
  }

  GstElement* analytics = gst_bin_get_by_name(bin, "analytics");
  GstPad* analyticsSrc = gst_element_get_static_pad(analytics, "src");
  probe_->attach(analyticsSrc);
  gst_object_unref(analyticsSrc);
  gst_object_unref(analytics);
}

void DsPipeline::start() {
  if (started_.exchange(true)) throw std::logic_error("DeepStream pipeline: already started");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    startTime_ = std::chrono::steady_clock::now();
  }
  // Blocks while nvinfer deserialises or builds its TensorRT engine. A source that fails already here (a file
  // that cannot be read, ...) ends its stream only: it is taken out (locked in NULL) and the start retried.
  std::vector<int> failedAtStart;
  for (;;) {
    if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE) break;
    // The bus says why (nvmsgbroker: broker unreachable; nvinfer: bad config or engine build failure).
    std::string why = "cannot start the pipeline";
    std::map<int, std::string> sourceErrors;  // per stream, its first error
    bool sharedError = false;
    GstBus* bus = gst_element_get_bus(pipeline_);
    while (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
      GError* err = nullptr;
      gst_message_parse_error(m, &err, nullptr);
      const std::string text = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(m))) + ": " + (err ? err->message : "error");
      gchar* path = gst_object_get_path_string(GST_MESSAGE_SRC(m));
      const int stream = streamOfObjectPath(path ? path : "");
      g_free(path);
      if (err) g_error_free(err);
      gst_message_unref(m);
      if (stream >= 0 && !streamFailed_[static_cast<size_t>(stream)]) {
        sourceErrors.emplace(stream, text);
      } else if (stream < 0 && !sharedError) {
        sharedError = true;
        why = text;
      }
    }
    gst_object_unref(bus);
    size_t alive = 0;
    for (size_t i = 0; i < sources_.size(); ++i) alive += streamFailed_[i] ? 0 : 1;
    if (sharedError || sourceErrors.empty() || sourceErrors.size() >= alive) {
      if (!sharedError && !sourceErrors.empty()) why = "every input failed; last: " + sourceErrors.rbegin()->second;
      gst_element_set_state(pipeline_, GST_STATE_NULL);
      finished_ = true;
      throw std::runtime_error("DeepStream pipeline: " + why);
    }
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    for (const auto& [stream, text] : sourceErrors) {
      streamFailed_[static_cast<size_t>(stream)] = true;
      for (GstElement* e : sources_[static_cast<size_t>(stream)]) gst_element_set_locked_state(e, TRUE);
      reportStreamError(stream, "stream " + std::to_string(stream) + " (" + options_.inputs[static_cast<size_t>(stream)] + "): " + text);
      failedAtStart.push_back(stream);
    }
  }
  for (int stream : failedAtStart) endStreamPad(stream);
  bool stopNow = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    busThread_ = std::thread([this] { busLoop(); });
    running_ = true;
    if (stopRequested_) stopNow = eosSent_ = true;
  }
  if (stopNow) sendEos();
}

void DsPipeline::sendEos() {
  stopDeadlineNs_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        (std::chrono::steady_clock::now() + std::chrono::milliseconds(stopTimeoutMs_.load())).time_since_epoch())
                        .count();
  // EOS through the sources so nvmsgconv/nvmsgbroker see the end of stream and flush what is queued; the
  // bus thread tears down when it arrives, or at the deadline.
  gst_element_send_event(pipeline_, gst_event_new_eos());
}

void DsPipeline::reportStreamError(int stream, const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    streamErrors_.emplace_back(stream, text);
  }
  if (callbacks_.onStreamError) callbacks_.onStreamError(stream, text);
}

void DsPipeline::endStreamPad(int stream) {
  // nvstreammux goes on with the other streams and sends EOS downstream when every pad has ended.
  endMuxerPad(muxSinkPads_[static_cast<size_t>(stream)]);
}

void DsPipeline::resumePlaying() {
  // An error while the pipeline prerolls aborts its state change (GstBin): it would stay PAUSED and never
  // reach EOS. Ask for PLAYING again (the bus thread is the only one changing states once start() returned).
  GstState state = GST_STATE_VOID_PENDING, pending = GST_STATE_VOID_PENDING;
  gst_element_get_state(pipeline_, &state, &pending, 0);
  if (state != GST_STATE_PLAYING || pending != GST_STATE_VOID_PENDING) gst_element_set_state(pipeline_, GST_STATE_PLAYING);
}

bool DsPipeline::isolateStream(int stream, const std::string& text) {
  if (stream < 0 || static_cast<size_t>(stream) >= sources_.size()) return false;
  if (!streamFailed_[static_cast<size_t>(stream)].exchange(true)) {
    reportStreamError(stream, text);
    endStreamPad(stream);
    resumePlaying();
  }
  for (size_t i = 0; i < sources_.size(); ++i)
    if (!streamFailed_[i]) return true;
  return false;  // every stream failed: nothing left to run
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
    gchar* path = gst_object_get_path_string(GST_MESSAGE_SRC(m));
    const int stream = streamOfObjectPath(path ? path : "");
    g_free(path);
    const std::string text = std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(m))) + ": " + (err ? err->message : "?");
    if (err) g_error_free(err);
    g_free(dbg);
    gst_message_unref(m);
    if (type == GST_MESSAGE_WARNING) {
      if (callbacks_.onWarning) callbacks_.onWarning(text);
      continue;
    }
    if (stream >= 0 && stopping_) {
      // After stop(): the EOS can make a source complain (h264parse: "no valid frames" when stopped before the
      // first one). Not a failure of the input: a warning, the run still ends by EOS.
      if (callbacks_.onWarning) callbacks_.onWarning("stream " + std::to_string(stream) + " while stopping: " + text);
      // The source may not pass the EOS on after its error: end its muxer pad so the EOS gets through.
      if (static_cast<size_t>(stream) < sources_.size() && !streamFailed_[static_cast<size_t>(stream)].exchange(true)) {
        endStreamPad(stream);
        resumePlaying();
      }
      continue;
    }
    if (stream >= 0) {
      const std::string streamText = "stream " + std::to_string(stream) + " (" + options_.inputs[static_cast<size_t>(stream)] + "): " + text;
      if (isolateStream(stream, streamText)) continue;  // the other streams go on
      error = "every input failed; last: " + streamText;
    } else {
      error = text;
    }
    if (callbacks_.onError) callbacks_.onError(error);
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
  if (finished_) return;  // (before start(): remembered, start() then stops right after PLAYING)
  bool send = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    stopTimeoutMs_ = timeoutMs;
    if (!running_) {
      stopRequested_ = true;  // start() is still bringing the pipeline up: it sends the EOS once PLAYING
      return;
    }
    if (!eosSent_) send = eosSent_ = true;
  }
  if (send) sendEos();
  if (!wait || std::this_thread::get_id() == busThread_.get_id()) return;
  if (busThread_.joinable()) busThread_.join();
}

DsRunSummary DsPipeline::stats() const {
  DsRunSummary s;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s.error = error_;
    s.streamErrors = streamErrors_;
    s.wallMs = finished_ ? wallMs_
                         : (started_ ? std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - startTime_).count()
                                     : 0);
  }
  s.stopped = stopping_.load();
  s.probe = probe_ ? probe_->stats() : ProbeStats{};
  return s;
}

}  // namespace dsk::ds
