// The DeepStream backend's pipeline, the GPU twin of native/cpu/pipeline.h. What it is made of (elements,
// properties, links, per-source isolation) is decided by the SDK-free plan in core/deepstream/pipeline_plan.h
// (unit-tested without DeepStream); this file instantiates the plan with GStreamer and runs it:
//
//   sources (filesrc ! h264parse ! nvv4l2decoder | nvurisrcbin for RTSP | uridecodebin) -> nvstreammux
//   -> queue -> nvinfer -> queue -> nvtracker -> queue -> nvdsanalytics [probe: analytics_probe.h] -> tee
//   -> queue -> nvmsgconv (msg2p-lib = libnvds_dskafka_msgconv.so) -> nvmsgbroker (libnvds_kafka_proto.so)
//   -> queue -> [nvmultistreamtiler] -> nvvideoconvert -> nvdsosd -> nveglglessink | fakesink
//
// An error from one source ends that stream only (EOS into its muxer pad, what it still sends dropped), also when
// it fails while the pipeline starts; the run fails when all failed.
// Threads: start() blocks while nvinfer loads or builds its TensorRT engine (seconds to minutes), so callers
// run it off their main thread (the N-API binding uses a worker). Callbacks come from GStreamer's streaming
// threads and our bus thread and must not block.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/deepstream/pipeline_plan.h"
#include "core/deepstream/sdk_version.h"
#include "core/msgconv/frame_messages.h"
#include "deepstream/analytics_probe.h"

namespace dsk::ds {

struct DsPipelineOptions : PipelineSettings {
  int analyticsUniqueId = -1;  // nvdsanalytics' unique-id the probe reads (-1 = any)
  msgconv::FrameMessageOptions messages;  // what the probe sends
};

struct DsRunSummary {
  double wallMs = 0;
  bool stopped = false;      // stop() was called before the end
  std::string error;         // the error that ended the run, if any
  std::vector<std::pair<int, std::string>> streamErrors;  // streams that failed alone (the others went on)
  ProbeStats probe;
};

struct DsPipelineCallbacks {
  std::function<void(const FrameAnalytics&, int numObjects)> onFrame;                   // streaming thread
  std::function<void(const FrameAnalytics&, const msgconv::FrameMessage&)> onMessage;  // streaming thread
  std::function<void(const std::string& message)> onWarning;                           // bus thread
  std::function<void(const std::string& message)> onError;                             // bus thread
  std::function<void(int stream, const std::string& message)> onStreamError;          // bus thread
  std::function<void(const DsRunSummary&)> onEos;                                      // once, bus thread
};

// The DeepStream elements the pipeline needs; the missing ones (factories not registered).
std::vector<std::string> missingDeepStreamElements();
// The SDK root the library was built against (DEEPSTREAM_DIR), for default library paths.
std::string deepStreamDir();
// The SDK release the code was compiled against (nvds_version.h) and the one running (nvds_version()).
SdkVersion builtSdkVersion();
std::optional<SdkVersion> runtimeSdkVersion();
// What the installed plugins offer (nvurisrcbin with rtsp-reconnect-interval).
PlanCaps probeCaps();

class DsPipeline {
 public:
  // Throws std::invalid_argument for unusable options, std::runtime_error for missing elements/files.
  DsPipeline(DsPipelineOptions options, DsPipelineCallbacks callbacks);
  ~DsPipeline();  // stop()s
  DsPipeline(const DsPipeline&) = delete;
  DsPipeline& operator=(const DsPipeline&) = delete;

  // The constructor's checks (SDK version, required options, files, elements) and defaults (library paths,
  // the nvinfer config for this SDK), alone, so a binding can fail early. Throws like the constructor.
  static void validate(DsPipelineOptions& options);

  // Once; blocks until PLAYING (nvinfer's engine load/build). Throws when the pipeline cannot reach PLAYING
  // (e.g. broker unreachable). stop() during start() is remembered and applied once PLAYING is reached.
  void start();
  // Graceful and idempotent: sends EOS so nvmsgbroker flushes; the pipeline is torn down when the EOS
  // arrives or after timeoutMs. wait = true: returns once torn down (never from a callback's thread);
  // wait = false: returns at once (onEos follows). Never call with wait = true from a thread that onEos /
  // onError must reach first (the N-API binding uses wait = false).
  void stop(int timeoutMs = 10000, bool wait = true);
  bool finished() const { return finished_.load(); }
  DsRunSummary stats() const;

 private:
  void build();
  void busLoop();
  void finish(const std::string& error);
  bool isolateStream(int stream, const std::string& text);  // bus thread; false: the run must end
  void reportStreamError(int stream, const std::string& text);
  void endStreamPad(int stream);
  void resumePlaying();
  void sendEos();

  DsPipelineOptions options_;
  DsPipelineCallbacks callbacks_;
  std::unique_ptr<AnalyticsProbe> probe_;
  GstElement* pipeline_ = nullptr;
  GstElement* mux_ = nullptr;
  PipelinePlan plan_;
  std::vector<GstPad*> muxSinkPads_;                 // sink_N, owned (one ref each)
  std::vector<std::vector<GstElement*>> sources_;    // the source elements of stream N (owned by the pipeline)
  std::unique_ptr<std::atomic<bool>[]> streamFailed_;  // per stream: isolated (bus thread, start(), pad-added)
  std::thread busThread_;
  std::atomic<bool> started_{false}, stopping_{false}, finished_{false};
  bool running_ = false;        // bus thread launched (under mutex_)
  bool stopRequested_ = false;  // stop() came during start() (under mutex_)
  bool eosSent_ = false;        // (under mutex_)
  std::vector<std::pair<int, std::string>> streamErrors_;  // (under mutex_)
  std::atomic<int64_t> stopDeadlineNs_{INT64_MAX};  // steady_clock, once the EOS is sent
  std::atomic<int> stopTimeoutMs_{10000};
  mutable std::mutex mutex_;
  std::string error_;
  std::chrono::steady_clock::time_point startTime_;
  double wallMs_ = 0;
};

}  // namespace dsk::ds
