// The worker thread of one input (CpuPipeline::runStream): builds its GStreamer pipeline, takes decoded frames
// off the queue and runs detection -> tracking -> analytics -> callbacks on each, and, for network inputs,
// reconnects when the connection errors, stalls, never shows a frame or (live sources) ends:
//
//   connecting -> running -> (lost) reconnecting -[backoff]-> running -> ... -> eos | error | stopped
//
// Across a reconnect the stream's frame numbers and presentation times continue (the outage shows as a gap
// in ptsMs), its tracker starts afresh (ids are never reused: no object from before can match one after)
// and the analytics engine forgets the stream's objects but keeps its cumulative counts.
#include <algorithm>
#include <functional>
#include <stdexcept>

#include <opencv2/core.hpp>

#include "core/analytics/engine.h"
#include "cpu/gst_frame_view.h"
#include "cpu/pipeline_stream.h"

namespace dsk::cpu {

namespace {
using Clock = std::chrono::steady_clock;
double msBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}
}  // namespace

struct StreamWorker {
  CpuPipeline& p;
  CpuPipeline::Stream& s;
  const PipelineOptions& o;
  const bool network;

  // Across connections.
  uint64_t frameNum = 0;
  int64_t ptsBaseMs = 0;  // where this connection's presentation times start
  int64_t lastPtsMs = 0;
  Clock::time_point lastFrameAt{};
  cv::Size lastFull{0, 0};
  uint64_t reportedLost = 0, reportedCorrupt = 0;
  Clock::time_point lastLossReport{};

  // This connection.
  GstVideoInfo info{};
  GstCaps* lastCaps = nullptr;
  bool havePts = false;
  GstClockTime firstPts = 0;
  uint64_t connFrames = 0;
  std::string endError;

  StreamWorker(CpuPipeline& pipeline, CpuPipeline::Stream& stream)
      : p(pipeline), s(stream), o(pipeline.options_), network(stream.kind == "network") {}

  void run();
  ConnectionEnd connectOnce();
  bool processFrame(GstSample* sample, double waitMs);
  void endOfStream();
  void prepareReconnect();
  bool backoff(int64_t ms);
  void setState(StreamState st, const std::string& reason = "", int attempt = 0, int64_t retryInMs = -1);
  void warn(const std::string& w);
  void reportLoss(bool force);
};

void CpuPipeline::runStream(Stream& s) { StreamWorker(*this, s).run(); }

void StreamWorker::run() {
  // Seeded per stream and run, so cameras that dropped together do not retry in step.
  Backoff delays(o.reconnect, static_cast<uint64_t>(Clock::now().time_since_epoch().count()) ^
                                  (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(s.id + 1)));
  setState(StreamState::Connecting);
  int attempt = 0;
  StreamState endState = StreamState::Eos;
  std::string finalError;
  while (true) {
    const ConnectionEnd end = connectOnce();
    if (end == ConnectionEnd::Stopped) {
      endState = StreamState::Stopped;
      break;
    }
    if (!shouldReconnect(end, network, s.live)) {
      endState = end == ConnectionEnd::Eos ? StreamState::Eos : StreamState::Error;
      finalError = endError;
      break;
    }
    if (connFrames > 0) attempt = 0;  // the source worked again: a new outage starts counting afresh
    ++attempt;
    if (o.reconnect.exhausted(attempt)) {
      endState = StreamState::Error;
      finalError = endError + " (gave up after " + std::to_string(o.reconnect.maxAttempts) + " reconnect attempt" +
                   (o.reconnect.maxAttempts == 1 ? "" : "s") + ")";
      break;
    }
    const int64_t delay = delays.next(attempt);
    setState(StreamState::Reconnecting, endError, attempt, delay);
    prepareReconnect();
    if (!backoff(delay)) {
      endState = StreamState::Stopped;
      break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(s.m);
    std::lock_guard<std::mutex> lock2(s.statsMutex);
    s.summary.dropped = s.droppedFrames;
  }
  p.finishStream(s, endState, finalError);
}

// One connection (for a file: the whole run), from building the pipeline to its end; torn down on return.
ConnectionEnd StreamWorker::connectOnce() {
  {
    std::lock_guard<std::mutex> lock(s.m);
    if (p.stopping_) return ConnectionEnd::Stopped;  // stop() sets stopping_ before it takes this lock
    s.closing = false;  // teardown of the previous connection set it
    s.eos = s.error = false;
    s.errorMessage.clear();
  }
  lastCaps = nullptr;
  havePts = false;
  connFrames = 0;
  gst_video_info_init(&info);
  std::string err;
  try {
    err = GstGlue::build(s);
  } catch (const std::exception& e) {
    err = std::string("internal error: ") + e.what();
  }
  if (!err.empty()) {
    GstGlue::teardown(s);
    endError = err;
    return ConnectionEnd::ProcessingError;  // a missing file or a missing element: retrying changes nothing
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

  const auto connectStart = Clock::now();
  ConnectionEnd end = ConnectionEnd::Eos;
  while (true) {
    GstSample* sample = nullptr;
    std::vector<std::string> warnings;
    uint64_t droppedNow = 0;
    bool stopped = false, failed = false, ended = false;
    const auto waitStart = Clock::now();
    {
      std::unique_lock<std::mutex> lock(s.m);
      s.frameCv.wait_for(lock, std::chrono::milliseconds(100), [&] {
        return !s.queue.empty() || s.eos || s.error || s.closing || !s.pendingWarnings.empty();
      });
      warnings.swap(s.pendingWarnings);
      droppedNow = s.droppedFrames;
      if (s.closing) {
        stopped = true;
      } else if (s.error) {
        failed = true;
        endError = s.errorMessage;
      } else if (!s.queue.empty()) {
        sample = s.queue.front();
        s.queue.pop_front();
        s.spaceCv.notify_one();
      } else if (s.eos) {
        ended = true;
      }
    }
    for (auto& w : warnings) warn(w);
    reportLoss(false);
    {
      std::lock_guard<std::mutex> lock(s.statsMutex);
      s.summary.dropped = droppedNow;
    }
    if (stopped) {
      end = ConnectionEnd::Stopped;
      break;
    }
    if (failed) {
      end = ConnectionEnd::Error;
      break;
    }
    if (ended) {
      end = ConnectionEnd::Eos;
      endOfStream();
      break;
    }
    const auto now = Clock::now();
    if (!sample) {
      if (network && connFrames == 0 && now - connectStart > std::chrono::milliseconds(o.connectTimeoutMs)) {
        end = ConnectionEnd::ConnectTimeout;
        endError = "cannot open " + s.input + ": no video received within " + std::to_string(o.connectTimeoutMs) +
                   " ms (camera unreachable or not streaming)";
        break;
      }
      if (network && connFrames > 0 && o.stallTimeoutMs > 0 &&
          now - lastFrameAt > std::chrono::milliseconds(o.stallTimeoutMs)) {
        end = ConnectionEnd::Stall;
        endError = s.input + ": no frame for " + std::to_string(o.stallTimeoutMs) + " ms (source stalled)";
        break;
      }
      continue;
    }
    if (!processFrame(sample, msBetween(waitStart, now))) {
      end = ConnectionEnd::ProcessingError;
      break;
    }
  }
  GstGlue::teardown(s);
  return end;
}

// Decoder losses become warnings, at most one a second (plus a final one at end of stream).
void StreamWorker::reportLoss(bool force) {
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
}

void StreamWorker::warn(const std::string& w) {
  {
    std::lock_guard<std::mutex> lock(s.statsMutex);
    ++s.summary.warnings;
  }
  if (p.callbacks_.onWarning) p.callback([&] { p.callbacks_.onWarning(s.id, w); });
}

void StreamWorker::endOfStream() {
  GstGlue::flushLost(s);
  reportLoss(true);
  // Containers declare their duration: ending well short of it means truncated or corrupt data that the
  // demuxer skipped (elementary .h264 streams have no reliable duration).
  gint64 duration = -1;
  if (s.kind == "file" && frameNum > 0 && s.pipeline &&
      gst_element_query_duration(s.pipeline, GST_FORMAT_TIME, &duration) && duration > 0) {
    const int64_t durMs = duration / static_cast<gint64>(GST_MSECOND);
    if (lastPtsMs + 1000 < durMs)
      warn(s.input + ": stream ended at " + std::to_string(lastPtsMs) + " ms of its " + std::to_string(durMs) +
           " ms duration (truncated or corrupt data skipped)");
  }
}

// Before the next connection: tracks start afresh (a new tracker; ids stay unique as they come from the
// pipeline's shared source), the engine forgets the stream's objects (counts stay), and what was in flight
// in the old decoder is not a decoding loss.
void StreamWorker::prepareReconnect() {
  s.tracker = std::make_unique<tracking::SortTracker>(o.tracker, p.ids_);
  p.engine_->forgetObjects(s.id);
  std::lock_guard<std::mutex> lock(s.ptsMutex);
  s.pendingPts.clear();
  s.ptsTracking = true;
  s.firstInPts = GST_CLOCK_TIME_NONE;
  s.decoderIn.store(s.decoderOut.load());
}

// Waits out a reconnect delay; false when stop() came first.
bool StreamWorker::backoff(int64_t ms) {
  std::unique_lock<std::mutex> lock(s.m);
  if (p.stopping_) return false;
  s.closing = false;  // set by the teardown; from here on only stop() sets it (and wakes us)
  return !s.frameCv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return s.closing; });
}

void StreamWorker::setState(StreamState st, const std::string& reason, int attempt, int64_t retryInMs) {
  StateChange c;
  {
    std::lock_guard<std::mutex> lock(s.statsMutex);
    if (st == StreamState::Reconnecting && s.summary.state != StreamState::Reconnecting) ++s.summary.reconnects;
    s.summary.state = st;
    c.reconnects = s.summary.reconnects;
  }
  c.streamId = s.id;
  c.state = st;
  c.reason = reason;
  c.attempt = attempt;
  c.retryInMs = retryInMs;
  if (p.callbacks_.onState) p.callback([&] { p.callbacks_.onState(c); });
}

// One frame: detection -> tracking -> analytics -> frame sink -> onFrame. False (endError set) when it failed.
bool StreamWorker::processFrame(GstSample* sample, double waitMs) {
  const auto now = Clock::now();
  if (connFrames == 0) {
    // This connection's timeline continues the last one's, the outage included (never back in time).
    if (frameNum > 0) ptsBaseMs = lastPtsMs + std::max<int64_t>(1, static_cast<int64_t>(msBetween(lastFrameAt, now)));
    setState(StreamState::Running);
  }
  lastFrameAt = now;
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
      r.ptsMs = ptsBaseMs + (pts >= firstPts ? static_cast<int64_t>((pts - firstPts) / GST_MSECOND) : 0);
    } else {
      const double fps = GST_VIDEO_INFO_FPS_N(&info) > 0 && GST_VIDEO_INFO_FPS_D(&info) > 0
                             ? static_cast<double>(GST_VIDEO_INFO_FPS_N(&info)) / GST_VIDEO_INFO_FPS_D(&info)
                             : 30.0;
      r.ptsMs = ptsBaseMs + static_cast<int64_t>(connFrames * 1000.0 / fps);
    }
    const int w = GST_VIDEO_INFO_WIDTH(&info), h = GST_VIDEO_INFO_HEIGHT(&info);
    cv::Size full(w, h);
    if (o.scaleInGstreamer && s.srcWidth > 0) full = cv::Size(s.srcWidth, s.srcHeight);
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
    r.analytics = p.engine_->process(fi);
    if (static_cast<size_t>(s.id) < o.cumulativeBase.size()) applyCumulativeBase(r.analytics, o.cumulativeBase[s.id]);
    const auto t3 = Clock::now();
    r.timings.analyticsMs = msBetween(t2, t3);
    r.timings.processMs = r.timings.scaleMs + r.timings.detectMs + r.timings.trackMs + r.timings.analyticsMs;
    if (o.frameSink) {  // e.g. the annotated video: sees the pixels while mapped
      GstVideoFrame vf;
      if (!gst_video_frame_map(&vf, &info, buf, GST_MAP_READ)) throw std::runtime_error("cannot map frame");
      try { o.frameSink->onFrame(frameViewOf(vf), r); } catch (...) { gst_video_frame_unmap(&vf); throw; }
      gst_video_frame_unmap(&vf);
    }
  } catch (const std::exception& e) {
    gst_sample_unref(sample);
    endError = "cannot process " + s.input + " frame " + std::to_string(frameNum) + ": " + e.what();
    return false;
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
  lastPtsMs = r.ptsMs;
  ++frameNum;
  ++connFrames;
  if (p.callbacks_.onFrame) p.callback([&] { p.callbacks_.onFrame(r); });
  return true;
}

}  // namespace dsk::cpu
