#include "cpu/pipeline.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include "core/analytics/engine.h"
#include "cpu/gst_runtime.h"
#include "cpu/pipeline_stream.h"

namespace dsk::cpu {

using detail::hasScheme;
using detail::localPath;

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
    case StreamState::Connecting: return "connecting";
    case StreamState::Running: return "running";
    case StreamState::Reconnecting: return "reconnecting";
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

// ---- the worker: stream_worker.cc --------------------------------------------------------------------

void CpuPipeline::finishStream(Stream& s, StreamState state, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(s.statsMutex);
    s.summary.state = state;
    s.summary.error = error;
    s.summary.wallMs = msBetween(startTime_, Clock::now());
    s.summary.fps = s.summary.wallMs > 0 ? s.summary.frames * 1000.0 / s.summary.wallMs : 0;
    s.ended = true;
  }
  if (callbacks_.onState) {
    StateChange c;
    c.streamId = s.id;
    c.state = state;
    c.reason = error;
    {
      std::lock_guard<std::mutex> lock(s.statsMutex);
      c.reconnects = s.summary.reconnects;
    }
    callback([&] { callbacks_.onState(c); });
  }
  if (state == StreamState::Error && callbacks_.onError) callback([&] { callbacks_.onError(s.id, error); });
  if (options_.frameSink) {
    const std::string w = options_.frameSink->onStreamEnd(s.id, state);
    if (!w.empty() && callbacks_.onWarning) callback([&] { callbacks_.onWarning(s.id, w); });
  }
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
