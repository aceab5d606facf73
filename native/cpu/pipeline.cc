#include "cpu/pipeline.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <set>
#include <stdexcept>
#include <sys/stat.h>

#include <opencv2/core.hpp>

#include "core/analytics/engine.h"
#include "cpu/gst_frame_view.h"
#include "cpu/gst_runtime.h"

namespace dsk::cpu {

namespace {
using Clock = std::chrono::steady_clock;
double msBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

bool endsWithNoCase(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
  return true;
}

bool hasScheme(const std::string& s) {
  const size_t p = s.find("://");
  if (p == std::string::npos || p == 0) return false;
  for (size_t i = 0; i < p; ++i)
    if (!std::isalnum(static_cast<unsigned char>(s[i])) && s[i] != '+' && s[i] != '-' && s[i] != '.') return false;
  return true;
}

// Local path of a plain path or a file:// URI; empty for other URIs.
std::string localPath(const std::string& input) {
  if (!hasScheme(input)) return input;
  if (input.rfind("file://", 0) != 0) return "";
  gchar* p = g_filename_from_uri(input.c_str(), nullptr, nullptr);
  std::string out = p ? p : input.substr(7);
  g_free(p);
  return out;
}

// Live sources (cameras, network streams) cannot be held back: when processing lags, old frames are dropped
// (and counted). Everything else (files, http downloads) gets back-pressure and loses nothing.
bool isLiveUri(const std::string& input) {
  static const char* kLive[] = {"rtsp://", "rtsps://", "rtspt://", "rtspu://", "udp://", "rtp://", "srt://", "rist://"};
  for (const char* p : kLive)
    if (input.size() >= strlen(p) && g_ascii_strncasecmp(input.c_str(), p, strlen(p)) == 0) return true;
  return false;
}
}  // namespace

const char* toString(StreamState s) {
  switch (s) {
    case StreamState::Starting: return "starting";
    case StreamState::Running: return "running";
    case StreamState::Eos: return "eos";
    case StreamState::Error: return "error";
    case StreamState::Stopped: return "stopped";
  }
  return "unknown";
}

std::string inputKind(const std::string& input) {
  if (hasScheme(input) && input.rfind("file://", 0) != 0) return "network";
  const std::string path = localPath(input);
  if (endsWithNoCase(path, ".h264") || endsWithNoCase(path, ".264") || endsWithNoCase(path, ".avc") ||
      endsWithNoCase(path, ".h26l"))
    return "h264";
  return "file";
}

// ---------------------------------------------------------------------------------------------------------

struct CpuPipeline::Stream {
  CpuPipeline* owner = nullptr;
  int id = 0;
  std::string input;
  std::string kind;
  bool live = false;

  GstElement* pipeline = nullptr;
  GstElement* appsink = nullptr;
  std::thread worker;

  // Decoder -> worker handoff (guarded by m).
  std::mutex m;
  std::condition_variable frameCv;  // worker waits for frames / bus events
  std::condition_variable spaceCv;  // streaming thread waits for room (file inputs)
  std::deque<GstSample*> queue;
  size_t capacity = 4;
  bool closing = false;             // the worker is tearing down: the streaming thread must not wait
  bool eos = false;
  bool error = false;
  std::string errorMessage;
  std::vector<std::string> pendingWarnings;
  uint64_t droppedWarnings = 0;
  uint64_t droppedFrames = 0;

  // Frames the decoder swallowed: presentation times that went in and never came out (decoder probes).
  std::mutex ptsMutex;
  std::set<GstClockTime> pendingPts;
  bool ptsTracking = true;
  std::atomic<uint64_t> lostFrames{0};
  std::atomic<uint64_t> decoderIn{0}, decoderOut{0};
  std::atomic<uint64_t> corruptFrames{0};
  std::atomic<int64_t> lastLostPtsMs{-1};  // where the last loss was seen; -1 = unknown
  GstClockTime firstInPts = GST_CLOCK_TIME_NONE;

  // Decoded size when GStreamer downscales (set from the caps event before the scaler).
  std::atomic<int> srcWidth{0}, srcHeight{0};

  std::unique_ptr<Detector> detector;
  std::unique_ptr<tracking::SortTracker> tracker;

  mutable std::mutex statsMutex;
  StreamSummary summary;
  bool ended = false;
};

template <typename F>
void CpuPipeline::callback(F&& f) {
  std::lock_guard<std::mutex> lock(callbackMutex_);
  try {
    f();
  } catch (...) {
    // A throwing callback must never take the video thread down.
  }
}

CpuPipeline::CpuPipeline(PipelineOptions options, PipelineCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  if (options_.inputs.empty()) throw std::invalid_argument("CpuPipeline: no inputs");
  if (options_.queueFrames < 1 || options_.queueFrames > 256)
    throw std::invalid_argument("CpuPipeline: queueFrames must be in [1, 256]");
  if (options_.decoderThreads < 0) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    options_.decoderThreads = cores / options_.inputs.size() >= 3 ? 0 : 1;
  }
  gst::ensureInitialized();
  std::vector<std::string> needed = {"appsink", "videoconvert"};
  bool needH264 = false, needUri = false;
  for (const auto& in : options_.inputs) {
    if (in.empty()) throw std::invalid_argument("CpuPipeline: empty input");
    (inputKind(in) == "h264" ? needH264 : needUri) = true;
  }
  if (needH264) needed.insert(needed.end(), {"filesrc", "h264parse", "avdec_h264"});
  if (needUri) needed.push_back("uridecodebin");
  if (options_.scaleInGstreamer) needed.push_back("videoscale");
  gst::requireElements(needed);

  engine_ = std::make_unique<AnalyticsEngine>(options_.analytics);
  ids_ = std::make_shared<tracking::IdSource>();
  for (size_t i = 0; i < options_.inputs.size(); ++i) {
    auto s = std::make_unique<Stream>();
    s->owner = this;
    s->id = static_cast<int>(i);
    s->input = options_.inputs[i];
    s->kind = inputKind(s->input);
    s->live = isLiveUri(s->input);
    s->capacity = static_cast<size_t>(options_.queueFrames);
    s->detector = options_.detectorFactory ? options_.detectorFactory(s->id)
                                           : std::make_unique<MotionDetector>(options_.detector);
    if (!s->detector) throw std::invalid_argument("CpuPipeline: detectorFactory returned no detector");
    s->tracker = std::make_unique<tracking::SortTracker>(options_.tracker, ids_);
    s->summary.streamId = s->id;
    s->summary.input = s->input;
    s->summary.live = s->live;
    s->summary.detector = s->detector->describe();
    streams_.push_back(std::move(s));
  }
}

CpuPipeline::~CpuPipeline() {
  stop();
  for (auto& s : streams_) {
    if (!s->worker.joinable()) continue;
    if (s->worker.get_id() == std::this_thread::get_id())
      s->worker.detach();  // destroyed from its own callback: the thread ends right after
    else
      s->worker.join();
  }
}

void CpuPipeline::start() {
  if (started_.exchange(true)) throw std::logic_error("CpuPipeline: start() called twice");
  startTime_ = Clock::now();
  active_ = static_cast<int>(streams_.size());
  for (auto& s : streams_) {
    Stream* sp = s.get();
    sp->worker = std::thread([this, sp] { runStream(*sp); });
  }
}

void CpuPipeline::stop() {
  stopping_ = true;
  for (auto& s : streams_) {
    std::lock_guard<std::mutex> lock(s->m);
    s->closing = true;
    s->frameCv.notify_all();
    s->spaceCv.notify_all();
  }
  if (!started_) {
    // Never started: nothing runs; report an empty, stopped run once.
    if (!finished_.exchange(true)) {
      doneCv_.notify_all();
    }
    return;
  }
  const auto self = std::this_thread::get_id();
  bool fromWorker = false;
  for (auto& s : streams_)
    if (s->worker.get_id() == self) fromWorker = true;
  if (fromWorker) return;  // called from a callback: the workers end on their own
  for (auto& s : streams_)
    if (s->worker.joinable()) s->worker.join();
}

bool CpuPipeline::wait(int timeoutMs) {
  std::unique_lock<std::mutex> lock(doneMutex_);
  if (timeoutMs < 0) {
    doneCv_.wait(lock, [&] { return finished_.load(); });
    return true;
  }
  return doneCv_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return finished_.load(); });
}

RunSummary CpuPipeline::stats() const {
  RunSummary r;
  const auto now = Clock::now();
  for (const auto& s : streams_) {
    std::lock_guard<std::mutex> lock(s->statsMutex);
    StreamSummary ss = s->summary;
    if (!s->ended && started_) {
      ss.wallMs = msBetween(startTime_, now);
      ss.fps = ss.wallMs > 0 ? ss.frames * 1000.0 / ss.wallMs : 0;
    }
    r.frames += ss.frames;
    r.wallMs = std::max(r.wallMs, ss.wallMs);
    r.streams.push_back(std::move(ss));
  }
  r.stopped = stopping_.load();
  r.fps = r.wallMs > 0 ? r.frames * 1000.0 / r.wallMs : 0;
  return r;
}

// ---- GStreamer glue (C callbacks) ------------------------------------------------------------------------

struct GstGlue {
  static GstFlowReturn onNewSample(GstAppSink* sink, gpointer user) {
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

  static GstBusSyncReply onBusMessage(GstBus*, GstMessage* msg, gpointer user) {
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
  static std::string lastPart(const char* dbg) {
    std::string d(dbg);
    const size_t nl = d.rfind('\n');
    if (nl != std::string::npos && nl + 1 < d.size()) d = d.substr(nl + 1);
    if (d.size() > 200) d.resize(200);
    return d;
  }

  static std::string describeError(const CpuPipeline::Stream& s, GError* err, const char* dbg, const char* src) {
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

  static void onPadAdded(GstElement*, GstPad* pad, gpointer user) {
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

  static void onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer user) {
    GstElementFactory* f = gst_element_get_factory(element);
    const char* name = f ? GST_OBJECT_NAME(f) : nullptr;
    auto* s = static_cast<CpuPipeline::Stream*>(user);
    if (name && g_str_has_prefix(name, "avdec_"))
      g_object_set(element, "max-threads", s->owner->options_.decoderThreads, nullptr);
    const char* klass = f ? gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS) : nullptr;
    if (klass && strstr(klass, "Decoder") && strstr(klass, "Video")) watchDecoder(element, *s);
  }

  // Corrupt input rarely produces a bus message: libav conceals what it can and silently drops frames it
  // cannot decode. Every timestamp that enters the decoder must leave it (display order is PTS order), so a
  // timestamp passed over by a later output frame is a frame the decoder dropped.
  static GstPadProbeReturn onDecoderIn(GstPad*, GstPadProbeInfo* info, gpointer user) {
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

  static GstPadProbeReturn onDecoderOut(GstPad*, GstPadProbeInfo* info, gpointer user) {
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

  static void watchDecoder(GstElement* dec, CpuPipeline::Stream& s) {
    GstPad* in = gst_element_get_static_pad(dec, "sink");
    GstPad* out = gst_element_get_static_pad(dec, "src");
    if (in) gst_pad_add_probe(in, GST_PAD_PROBE_TYPE_BUFFER, onDecoderIn, &s, nullptr);
    if (out) gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, onDecoderOut, &s, nullptr);
    if (in) gst_object_unref(in);
    if (out) gst_object_unref(out);
  }

  // At end of stream the decoder has drained: every frame that went in and did not come out is lost.
  static void flushLost(CpuPipeline::Stream& s) {
    std::lock_guard<std::mutex> lock(s.ptsMutex);
    s.pendingPts.clear();
    const uint64_t in = s.decoderIn.load(), out = s.decoderOut.load();
    const uint64_t total = in > out ? in - out : 0;
    if (total > s.lostFrames.load()) s.lostFrames = total;
  }

  static void onSourceSetup(GstElement*, GstElement* source, gpointer user) {
    auto* s = static_cast<CpuPipeline::Stream*>(user);
    GstElementFactory* f = gst_element_get_factory(source);
    const char* name = f ? GST_OBJECT_NAME(f) : "";
    if (g_strcmp0(name, "rtspsrc") == 0) {
      const guint64 timeoutUs = static_cast<guint64>(std::max(1000, s->owner->options_.connectTimeoutMs)) * 1000;
      g_object_set(source, "latency", 200, "tcp-timeout", timeoutUs, "timeout", timeoutUs, nullptr);
    }
  }

  static GstPadProbeReturn onScalerCaps(GstPad*, GstPadProbeInfo* info, gpointer user) {
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
  static std::string build(CpuPipeline::Stream& s) {
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
      g_signal_connect(dec, "source-setup", G_CALLBACK(onSourceSetup), &s);
      g_signal_connect(s.pipeline, "deep-element-added", G_CALLBACK(onElementAdded), &s);
      gst_bin_add(GST_BIN(s.pipeline), dec);
    }
    return "";
  }

  static void teardown(CpuPipeline::Stream& s) {
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
};

// ---- the worker ------------------------------------------------------------------------------------------

void CpuPipeline::runStream(Stream& s) {
  std::string err;
  try {
    err = GstGlue::build(s);
  } catch (const std::exception& e) {
    err = std::string("internal error: ") + e.what();
  }
  if (!err.empty()) {
    GstGlue::teardown(s);
    finishStream(s, StreamState::Error, err);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(s.statsMutex);
    s.summary.state = StreamState::Running;
  }
  if (gst_element_set_state(s.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The element that failed posts the reason on the bus (handled synchronously): give it a moment.
    std::unique_lock<std::mutex> lock(s.m);
    s.frameCv.wait_for(lock, std::chrono::milliseconds(500), [&] { return s.error; });
    if (!s.error) {
      s.error = true;
      s.errorMessage = "cannot start " + s.input + ": the pipeline refused to play";
    }
  }

  GstVideoInfo info;
  gst_video_info_init(&info);
  GstCaps* lastCaps = nullptr;
  bool havePts = false;
  GstClockTime firstPts = 0;
  uint64_t frameNum = 0;
  cv::Size lastFull{0, 0};
  const auto connectDeadline = Clock::now() + std::chrono::milliseconds(options_.connectTimeoutMs);
  StreamState endState = StreamState::Eos;
  std::string endError;
  uint64_t reportedLost = 0, reportedCorrupt = 0;
  Clock::time_point lastLossReport{};
  auto warn = [&](const std::string& w) {
    {
      std::lock_guard<std::mutex> lock(s.statsMutex);
      ++s.summary.warnings;
    }
    if (callbacks_.onWarning) callback([&] { callbacks_.onWarning(s.id, w); });
  };
  // Decoder losses become warnings, at most one a second (plus a final one at end of stream).
  auto reportLoss = [&](bool force) {
    const uint64_t lost = s.lostFrames.load(), corrupt = s.corruptFrames.load();
    if (lost == reportedLost && corrupt == reportedCorrupt) return;
    const auto now = Clock::now();
    if (!force && (reportedLost || reportedCorrupt) && now - lastLossReport < std::chrono::seconds(1)) return;
    std::string m = s.input + ": corrupt or undecodable data: ";
    if (lost > reportedLost) {
      m += std::to_string(lost - reportedLost) + " frame(s) could not be decoded";
      const int64_t near = s.lastLostPtsMs.load();
      m += near >= 0 ? " (near " + std::to_string(near) + " ms)" : " (counted at end of stream)";
      s.lastLostPtsMs = -1;
    }
    if (corrupt > reportedCorrupt)
      m += std::string(lost > reportedLost ? "; " : "") + std::to_string(corrupt - reportedCorrupt) +
           " frame(s) decoded with errors";
    m += "; skipped, continuing";
    reportedLost = lost;
    reportedCorrupt = corrupt;
    lastLossReport = now;
    {
      std::lock_guard<std::mutex> lock(s.statsMutex);
      s.summary.undecodable = lost;
    }
    warn(m);
  };

  while (true) {
    GstSample* sample = nullptr;
    std::vector<std::string> warnings;
    uint64_t droppedNow = 0;
    const auto waitStart = Clock::now();
    {
      std::unique_lock<std::mutex> lock(s.m);
      s.frameCv.wait_for(lock, std::chrono::milliseconds(100), [&] {
        return !s.queue.empty() || s.eos || s.error || s.closing || !s.pendingWarnings.empty();
      });
      warnings.swap(s.pendingWarnings);
      droppedNow = s.droppedFrames;
      if (s.closing) {
        endState = StreamState::Stopped;
      } else if (s.error) {
        endState = StreamState::Error;
        endError = s.errorMessage;
      } else if (!s.queue.empty()) {
        sample = s.queue.front();
        s.queue.pop_front();
        s.spaceCv.notify_one();
      } else if (s.eos) {
        endState = StreamState::Eos;
      }
    }
    for (auto& w : warnings) warn(w);
    reportLoss(false);
    {
      std::lock_guard<std::mutex> lock(s.statsMutex);
      s.summary.dropped = droppedNow;
    }
    if (!sample) {
      if (endState == StreamState::Stopped || endState == StreamState::Error) break;
      bool eos;
      {
        std::lock_guard<std::mutex> lock(s.m);
        eos = s.eos && s.queue.empty();
      }
      if (eos) {
        endState = StreamState::Eos;
        GstGlue::flushLost(s);
        reportLoss(true);
        // Containers declare their duration: ending well short of it means truncated or corrupt data
        // that the demuxer skipped (elementary .h264 streams have no reliable duration).
        gint64 duration = -1;
        if (s.kind == "file" && frameNum > 0 && s.pipeline &&
            gst_element_query_duration(s.pipeline, GST_FORMAT_TIME, &duration) && duration > 0) {
          const int64_t durMs = duration / static_cast<gint64>(GST_MSECOND);
          int64_t lastPts;
          {
            std::lock_guard<std::mutex> lock(s.statsMutex);
            lastPts = s.summary.lastPtsMs;
          }
          if (lastPts + 1000 < durMs)
            warn(s.input + ": stream ended at " + std::to_string(lastPts) + " ms of its " + std::to_string(durMs) +
                 " ms duration (truncated or corrupt data skipped)");
        }
        break;
      }
      if (s.kind == "network" && frameNum == 0 && Clock::now() > connectDeadline) {
        endState = StreamState::Error;
        endError = "cannot open " + s.input + ": no video received within " +
                   std::to_string(options_.connectTimeoutMs) + " ms (camera unreachable or not streaming)";
        break;
      }
      continue;
    }
    const double waitMs = msBetween(waitStart, Clock::now());

    // ---- one frame ----
    FrameResult r;
    r.streamId = s.id;
    r.frameNum = frameNum;
    r.timings.decodeWaitMs = waitMs;
    try {
      GstCaps* caps = gst_sample_get_caps(sample);
      GstBuffer* buf = gst_sample_get_buffer(sample);
      if (caps && caps != lastCaps) {
        if (!gst_video_info_from_caps(&info, caps)) throw std::runtime_error("unsupported caps");
        lastCaps = caps;
      }
      if (!buf || !lastCaps) throw std::runtime_error("sample without buffer or caps");
      const GstClockTime pts = GST_BUFFER_PTS(buf);
      if (GST_CLOCK_TIME_IS_VALID(pts)) {
        if (!havePts) {
          havePts = true;
          firstPts = pts;
        }
        r.ptsMs = pts >= firstPts ? static_cast<int64_t>((pts - firstPts) / GST_MSECOND) : 0;
      } else {
        const double fps = GST_VIDEO_INFO_FPS_N(&info) > 0 && GST_VIDEO_INFO_FPS_D(&info) > 0
                               ? static_cast<double>(GST_VIDEO_INFO_FPS_N(&info)) / GST_VIDEO_INFO_FPS_D(&info)
                               : 30.0;
        r.ptsMs = static_cast<int64_t>(frameNum * 1000.0 / fps);
      }
      const int w = GST_VIDEO_INFO_WIDTH(&info), h = GST_VIDEO_INFO_HEIGHT(&info);
      cv::Size full(w, h);
      if (options_.scaleInGstreamer && s.srcWidth > 0) full = cv::Size(s.srcWidth, s.srcHeight);
      if (full != lastFull) {
        s.detector->setFrameSize(full);
        lastFull = full;
      }
      r.width = full.width;
      r.height = full.height;

      // Detector interval (nvinfer's `interval`): skipped frames are not even mapped; tracks coast.
      const bool detectThisFrame = s.detector->shouldDetect(frameNum, r.ptsMs);
      std::vector<Detection> dets;
      if (detectThisFrame) {
        const auto t0 = Clock::now();
        GstVideoFrame vf;
        if (!gst_video_frame_map(&vf, &info, buf, GST_MAP_READ)) throw std::runtime_error("cannot map frame");
        // Views of the decoder's planes: no conversion, no copy (the luma plane is the grayscale frame).
        const FrameView view = frameViewOf(vf);
        const double mapMs = msBetween(t0, Clock::now());
        try {
          dets = s.detector->detectFrame(view, r.ptsMs);
        } catch (...) {
          gst_video_frame_unmap(&vf);
          throw;
        }
        gst_video_frame_unmap(&vf);
        const DetectorTimings dt = s.detector->lastTimings();
        r.timings.scaleMs = mapMs + dt.scaleMs;
        r.timings.detectMs = dt.detectMs;
        r.timings.inferMs = dt.inferMs;
        r.timings.inferred = dt.inferred;
      }

      const auto t1 = Clock::now();
      r.objects = detectThisFrame ? s.tracker->update(dets, r.ptsMs) : s.tracker->predict(r.ptsMs);
      const auto t2 = Clock::now();
      r.timings.trackMs = msBetween(t1, t2);

      FrameInput fi;
      fi.streamId = s.id;
      fi.frameNum = frameNum;
      fi.ptsMs = r.ptsMs;
      fi.frameWidth = full.width;
      fi.frameHeight = full.height;
      fi.objects = r.objects;
      r.analytics = engine_->process(fi);
      const auto t3 = Clock::now();
      r.timings.analyticsMs = msBetween(t2, t3);
      r.timings.processMs = r.timings.scaleMs + r.timings.detectMs + r.timings.trackMs + r.timings.analyticsMs;
    } catch (const std::exception& e) {
      gst_sample_unref(sample);
      endState = StreamState::Error;
      endError = "cannot process " + s.input + " frame " + std::to_string(frameNum) + ": " + e.what();
      break;
    }
    gst_sample_unref(sample);
    {
      std::lock_guard<std::mutex> lock(s.statsMutex);
      StreamSummary& sm = s.summary;
      sm.frames = frameNum + 1;
      sm.width = r.width;
      sm.height = r.height;
      sm.lastPtsMs = r.ptsMs;
      sm.stages.decodeWait.add(r.timings.decodeWaitMs);
      sm.stages.scale.add(r.timings.scaleMs);
      sm.stages.detect.add(r.timings.detectMs);
      if (r.timings.inferred) sm.stages.infer.add(r.timings.inferMs);
      sm.stages.track.add(r.timings.trackMs);
      sm.stages.analytics.add(r.timings.analyticsMs);
      sm.stages.process.add(r.timings.processMs);
    }
    ++frameNum;
    if (callbacks_.onFrame) callback([&] { callbacks_.onFrame(r); });
  }

  GstGlue::teardown(s);
  {
    std::lock_guard<std::mutex> lock(s.m);
    std::lock_guard<std::mutex> lock2(s.statsMutex);
    s.summary.dropped = s.droppedFrames;
  }
  finishStream(s, endState, endError);
}

void CpuPipeline::finishStream(Stream& s, StreamState state, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(s.statsMutex);
    s.summary.state = state;
    s.summary.error = error;
    s.summary.wallMs = msBetween(startTime_, Clock::now());
    s.summary.fps = s.summary.wallMs > 0 ? s.summary.frames * 1000.0 / s.summary.wallMs : 0;
    s.ended = true;
  }
  if (state == StreamState::Error && callbacks_.onError) callback([&] { callbacks_.onError(s.id, error); });
  if (--active_ == 0) {
    RunSummary summary = stats();
    summary.stopped = false;
    for (const auto& ss : summary.streams)
      if (ss.state == StreamState::Stopped) summary.stopped = true;
    if (callbacks_.onEos) callback([&] { callbacks_.onEos(summary); });
    {
      std::lock_guard<std::mutex> lock(doneMutex_);
      finished_ = true;
    }
    doneCv_.notify_all();
  }
}

}  // namespace dsk::cpu
