// The CPU backend pipeline: per input, GStreamer decodes (on its own threads) into a small bounded queue;
// a worker thread per input runs detection -> tracking -> analytics and reports each frame to a C++
// callback. Frames never leave C++. Usable without Node: the N-API binding is a thin adapter.
//
//   .h264/.264 files:  filesrc ! h264parse ! avdec_h264 max-threads=0 ! videoconvert ! appsink
//   anything else:     uridecodebin uri=<file:// | rtsp:// | ...> ! videoconvert ! appsink
//   (appsink caps: I420/NV12/YV12/GRAY8, so videoconvert is a pass-through for decoders' native output and
//    the luma plane is used in place as the grayscale frame; optional GStreamer-side downscaling)
//
// Threads and callbacks: every callback runs on a pipeline worker thread, serialised (never two at once),
// so a callback must not block for long (hand work off, as the N-API binding does). onEos is called exactly
// once, after every stream has ended (end of stream, error or stop()).
//
// Network inputs come back: a dropped, stalled or unreachable source is reconnected with backoff (forever
// by default) while the other streams go on; see PipelineOptions::reconnect and StreamState.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/analytics/analytics_config.h"
#include "core/analytics/cumulative_base.h"
#include "core/tracking/sort_tracker.h"
#include "core/types.h"
#include "cpu/detector.h"
#include "cpu/motion_detector.h"
#include "cpu/reconnect_policy.h"

namespace dsk {
class AnalyticsEngine;
}

namespace dsk::cpu {

class FrameSink;

struct PipelineOptions {
  std::vector<std::string> inputs;      // stream N = inputs[N]: a file path or a URI
  AnalyticsConfig analytics;            // one engine for all streams (rules keyed by stream id)
  MotionDetectorConfig detector;
  tracking::TrackerConfig tracker;
  // Replaces the MotionDetector (one detector per stream), e.g. for a model-based detector.
  std::function<std::unique_ptr<Detector>(int streamId)> detectorFactory;
  bool realtime = false;                // pace file inputs at their frame rate (as a live camera would)
  int queueFrames = 4;                  // decoded frames buffered per stream between decoder and worker
  // Network inputs (rtsp://, http://, udp://, ...): a connection that shows no frame within connectTimeoutMs,
  // or none for stallTimeoutMs once running (0 = no watchdog), errors or (live sources) ends is retried after
  // a backoff (reconnect_policy.h); tracks are cleared then, counters are not. Files never retry.
  int connectTimeoutMs = 8000;
  int stallTimeoutMs = 10000;
  ReconnectPolicy reconnect;
  bool scaleInGstreamer = false;        // downscale with videoscale in GStreamer instead of cv::resize
  // avdec_* max-threads: 0 = libav's own (one per core), N = N threads, -1 = auto: 1 when the machine has
  // fewer than 3 cores per stream (each stream's worker needs a core of its own; measured on 2 cores: one
  // decoder thread costs ~25% less CPU per frame than libav's frame threading), else 0.
  int decoderThreads = -1;
  // Sees every processed frame's pixels and results (e.g. the annotated-video encoder, cpu/osd/); null: none.
  std::shared_ptr<FrameSink> frameSink;
  // Per stream index: line-crossing counts resumed from an earlier run (durable state); added to lc_cum.
  std::vector<CumulativeBase> cumulativeBase;
};

// Milliseconds spent per stage for one frame.
struct StageTimings {
  double decodeWaitMs = 0;  // worker waited for the decoder (0 when a frame was already queued)
  double scaleMs = 0;       // buffer map + downscale to the processing resolution
  double detectMs = 0;
  double inferMs = 0;       // of detectMs: a network's forward pass (DNN detector; 0 when skipped)
  bool inferred = false;    // the network ran on this frame
  double trackMs = 0;
  double analyticsMs = 0;
  double processMs = 0;     // scale + detect + track + analytics (what the worker spends per frame)
};

struct FrameResult {
  int streamId = 0;
  uint64_t frameNum = 0;          // from 0, per stream
  int64_t ptsMs = 0;              // from the stream's first frame
  int width = 0;                  // decoded frame size (boxes are in these coordinates)
  int height = 0;
  std::vector<TrackedObject> objects;  // confirmed tracks in this frame
  FrameAnalytics analytics;       // from AnalyticsEngine::process
  StageTimings timings;
};

struct StageStat {
  uint64_t count = 0;
  double totalMs = 0;
  double maxMs = 0;
  double meanMs() const { return count ? totalMs / count : 0; }
  void add(double ms) {
    ++count;
    totalMs += ms;
    if (ms > maxMs) maxMs = ms;
  }
};

struct StageStats {
  StageStat decodeWait, scale, detect, infer, track, analytics, process;  // infer: frames the network ran on
};

// connecting (before the first frame) -> running -> [reconnecting -> running]* -> eos | error | stopped.
// error is final: a file that cannot be read, or a network input that ran out of reconnect attempts.
enum class StreamState { Connecting, Running, Reconnecting, Eos, Error, Stopped };
const char* toString(StreamState s);

struct StateChange {
  int streamId = 0;
  StreamState state = StreamState::Connecting;
  std::string reason;       // reconnecting: what ended the connection; error: the error
  int attempt = 0;          // reconnecting: the attempt about to be made (1-based, per outage)
  int64_t retryInMs = -1;   // reconnecting: the backoff before that attempt
  uint64_t reconnects = 0;  // outages so far (times the stream went to reconnecting)
};

// A consumer of decoded frames. onFrame runs on the stream's worker thread after analytics, while the frame
// is mapped (the view is valid only during the call: copy what you keep); streams call it concurrently,
// each from its own worker. onStreamEnd runs once per stream on its worker thread, after its last frame and before
// onEos; a non-empty return is reported as a warning of that stream.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void onFrame(const FrameView& frame, const FrameResult& result) = 0;
  virtual std::string onStreamEnd(int streamId, StreamState state) { return ""; }
};

struct StreamSummary {
  int streamId = 0;
  std::string input;
  StreamState state = StreamState::Connecting;
  std::string error;        // when state == Error
  uint64_t reconnects = 0;  // network inputs: outages (times the stream went to reconnecting)
  uint64_t frames = 0;      // frames processed
  uint64_t dropped = 0;     // frames dropped before processing (live inputs only, when the worker lags)
  uint64_t warnings = 0;
  uint64_t undecodable = 0; // frames the decoder could not decode (corrupt input), skipped
  int width = 0, height = 0;
  double wallMs = 0;        // from start() to the end of this stream
  double fps = 0;           // frames / wall time
  int64_t lastPtsMs = 0;
  bool live = false;
  std::string detector;     // Detector::describe()
  StageStats stages;
};

struct RunSummary {
  std::vector<StreamSummary> streams;
  double wallMs = 0;
  bool stopped = false;     // stop() was called before every stream ended
  uint64_t frames = 0;      // all streams
  double fps = 0;           // all streams' frames / wall time
};

struct PipelineCallbacks {
  std::function<void(const FrameResult&)> onFrame;
  std::function<void(int streamId, const std::string& message)> onWarning;
  std::function<void(int streamId, const std::string& message)> onError;
  std::function<void(const StateChange&)> onState;  // every state a stream enters, final ones included
  std::function<void(const RunSummary&)> onEos;
};

struct GstGlue;
struct StreamWorker;

class CpuPipeline {
 public:
  // Throws std::invalid_argument for options that can never work (no inputs, bad sizes) and
  // std::runtime_error when GStreamer or a needed element is missing. Input problems (missing file,
  // undecodable data, unreachable camera) are reported through onError after start(), per stream.
  CpuPipeline(PipelineOptions options, PipelineCallbacks callbacks);
  ~CpuPipeline();  // stop()s
  CpuPipeline(const CpuPipeline&) = delete;
  CpuPipeline& operator=(const CpuPipeline&) = delete;

  void start();  // once
  // Graceful and idempotent: stops decoding, ends every stream (state Stopped) and waits for the workers
  // (except the calling thread when called from a callback). onEos still fires, with stopped = true.
  void stop();
  // Waits until onEos has been called, or timeoutMs passes (< 0: forever). True when finished.
  bool wait(int timeoutMs = -1);
  bool finished() const { return finished_.load(); }

  RunSummary stats() const;  // a snapshot, safe from any thread
  const PipelineOptions& options() const { return options_; }

 private:
  friend struct GstGlue;
  friend struct StreamWorker;
  struct Stream;
  void runStream(Stream& s);
  void finishStream(Stream& s, StreamState state, const std::string& error);
  template <typename F>
  void callback(F&& f);

  PipelineOptions options_;
  PipelineCallbacks callbacks_;
  std::unique_ptr<AnalyticsEngine> engine_;
  std::shared_ptr<tracking::IdSource> ids_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::mutex callbackMutex_;
  mutable std::mutex doneMutex_;
  std::condition_variable doneCv_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> finished_{false};
  std::atomic<int> active_{0};
  std::chrono::steady_clock::time_point startTime_;
};

// Classifies an input: "h264" (elementary stream file), "file" (other local file), "network" (URI other
// than file://). Exposed for tests.
std::string inputKind(const std::string& input);

}  // namespace dsk::cpu
