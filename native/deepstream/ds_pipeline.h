// The DeepStream backend's pipeline, the GPU twin of native/cpu/pipeline.h:
//
//   per input: filesrc ! h264parse ! nvv4l2decoder        (.h264/.264 elementary streams)
//              uridecodebin uri=...                        (anything else: files, rtsp://, http://)
//   -> nvstreammux (batch-size = inputs, width x height, live-source for network inputs)
//   -> nvinfer (config-file) -> nvtracker (ll-lib-file, ll-config-file) -> nvdsanalytics (config-file)
//      [probe on nvdsanalytics' src pad: analytics_probe.h]
//   -> tee -> queue -> nvmsgconv (config, msg2p-lib = libnvds_dskafka_msgconv.so, payload-type 257, comp-id)
//              -> nvmsgbroker (proto-lib libnvds_kafka_proto.so, conn-str, config cfg_kafka.txt, topic, sync=false)
//          -> queue -> [nvmultistreamtiler (inputs > 1) -> nvvideoconvert -> nvdsosd -> nveglglessink] (display)
//                      fakesink                                                                   (no display)
//
// Defaults follow DeepStream's sample configs (deepstream-test4/-nvdsanalytics). Threads: GStreamer's
// streaming threads plus one bus thread; callbacks come from them and must not block.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/msgconv/frame_messages.h"
#include "deepstream/analytics_probe.h"

namespace dsk::ds {

struct DsPipelineOptions {
  std::vector<std::string> inputs;  // stream N = inputs[N]: a path or a URI
  // nvstreammux
  int muxWidth = 1920;
  int muxHeight = 1080;
  int batchedPushTimeoutUs = 40000;  // deepstream-app's default for file inputs
  int gpuId = 0;
  // nvinfer / nvtracker / nvdsanalytics
  std::string inferConfig;           // required: nvinfer config-file
  std::string trackerLib;            // default <sdk>/lib/libnvds_nvmultiobjecttracker.so
  std::string trackerConfig;         // ll-config-file (e.g. config_tracker_NvDCF_perf.yml); "" = the library's defaults
  int trackerWidth = 640;            // tracker-width / tracker-height: deepstream-app's sample values
  int trackerHeight = 384;
  std::string analyticsConfig;       // required: nvdsanalytics config-file (config_nvdsanalytics.txt)
  int analyticsUniqueId = -1;        // nvdsanalytics' unique-id the probe reads (-1 = any)
  // nvmsgconv / nvmsgbroker
  std::string msgconvConfig;         // nvmsgconv config (msgconv_config.txt); "" = converter defaults
  std::string msgconvLib;            // msg2p-lib: path of libnvds_dskafka_msgconv.so (required)
  int payloadType = 257;             // NVDS_PAYLOAD_CUSTOM
  int componentId = 2;               // comp-id shared by nvmsgconv and nvmsgbroker
  std::string protoLib;              // default <sdk>/lib/libnvds_kafka_proto.so
  std::string connStr;               // "host;port" (the topic goes in `topic`)
  std::string brokerConfig;          // cfg_kafka.txt
  std::string topic;                 // required: never rely on conn-str's last field
  // display
  bool display = false;              // true: OSD + nveglglessink; false: fakesink (--no-display)
  // what the probe sends
  msgconv::FrameMessageOptions messages;
};

struct DsRunSummary {
  double wallMs = 0;
  bool stopped = false;      // stop() was called before the end
  std::string error;         // the first pipeline error, if any
  ProbeStats probe;
};

struct DsPipelineCallbacks {
  std::function<void(const FrameAnalytics&, int numObjects)> onFrame;                   // streaming thread
  std::function<void(const FrameAnalytics&, const msgconv::FrameMessage&)> onMessage;  // streaming thread
  std::function<void(const std::string& message)> onWarning;                           // bus thread
  std::function<void(const std::string& message)> onError;                             // bus thread
  std::function<void(const DsRunSummary&)> onEos;                                      // once, bus thread
};

// The DeepStream elements the pipeline needs; the missing ones (factories not registered).
std::vector<std::string> missingDeepStreamElements();
// The SDK root the library was built against (DEEPSTREAM_DIR), for default library paths.
std::string deepStreamDir();

class DsPipeline {
 public:
  // Throws std::invalid_argument for unusable options, std::runtime_error for missing elements/files.
  DsPipeline(DsPipelineOptions options, DsPipelineCallbacks callbacks);
  ~DsPipeline();  // stop()s
  DsPipeline(const DsPipeline&) = delete;
  DsPipeline& operator=(const DsPipeline&) = delete;

  // The constructor's checks (required options, files, elements) and defaults (library paths), alone, so
  // a binding can fail early. Throws like the constructor.
  static void validate(DsPipelineOptions& options);

  void start();  // once; throws when the pipeline cannot reach PLAYING (e.g. broker unreachable)
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

  DsPipelineOptions options_;
  DsPipelineCallbacks callbacks_;
  std::unique_ptr<AnalyticsProbe> probe_;
  GstElement* pipeline_ = nullptr;
  GstElement* mux_ = nullptr;
  std::thread busThread_;
  std::atomic<bool> started_{false}, stopping_{false}, finished_{false};
  std::atomic<int64_t> stopDeadlineNs_{0};  // steady_clock, once stopping_
  mutable std::mutex mutex_;
  std::string error_;
  std::chrono::steady_clock::time_point startTime_;
  double wallMs_ = 0;
};

}  // namespace dsk::ds
