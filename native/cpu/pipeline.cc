#include "cpu/pipeline.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include <opencv2/core.hpp>

#include "core/analytics/engine.h"
#include "cpu/gst_frame_view.h"
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
      if (options_.frameSink) {  // e.g. the annotated video: sees the pixels while mapped
        GstVideoFrame vf;
        if (!gst_video_frame_map(&vf, &info, buf, GST_MAP_READ)) throw std::runtime_error("cannot map frame");
        try { options_.frameSink->onFrame(frameViewOf(vf), r); } catch (...) { gst_video_frame_unmap(&vf); throw; }
        gst_video_frame_unmap(&vf);
      }
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
