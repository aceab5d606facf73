// The DeepStream pipeline as data: which elements, with which properties, linked how. SDK-free, so the
// description (sources, per-source isolation, queues, gpu-id, live inputs) is unit-tested on machines without
// DeepStream; native/deepstream/ds_pipeline.cc only instantiates it with GStreamer.
//
//   per input N (elements named "<role>-N", so a bus message's source path tells its stream):
//     .h264/.264 file   filesrc src-N ! h264parse parse-N ! nvv4l2decoder dec-N     -> mux.sink_N (static)
//     rtsp:// (SDK has nvurisrcbin)  nvurisrcbin src-N rtsp-reconnect-*=...        -> mux.sink_N (pad-added)
//     anything else     uridecodebin src-N                                          -> mux.sink_N (pad-added)
//   nvstreammux mux ! queue ! nvinfer ! queue ! nvtracker ! queue ! nvdsanalytics ! tee
//     tee ! queue ! nvmsgconv ! nvmsgbroker
//     tee ! queue ! [nvmultistreamtiler] ! nvvideoconvert ! nvdsosd ! nveglglessink   (display)
//     tee ! queue ! fakesink                                                          (no display)
//     tee ! queue ! [nvmultistreamtiler] ! nvvideoconvert ! nvdsosd ! nvvideoconvert ! video/x-raw,I420
//         ! x264enc ! h264parse ! mp4mux ! filesink                                  (osdOutput: annotated MP4)
//
// Per-source isolation: an error posted by an element of stream N (streamOfObjectPath) ends stream N only:
// its source elements are stopped and an EOS is sent into mux.sink_N; the other streams go on, and the run
// fails only when every stream failed.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dsk::ds {

// What the pipeline is built from (the SDK-free part of the DeepStream backend's options).
struct PipelineSettings {
  std::vector<std::string> inputs;  // stream N = inputs[N]: a path or a URI
  // nvstreammux
  int muxWidth = 1920;
  int muxHeight = 1080;
  int batchedPushTimeoutUs = 40000;  // deepstream-app's default for file inputs
  int gpuId = 0;                     // nvstreammux, decoders, nvinfer, nvtracker, nvdsanalytics, display elements
  // nvurisrcbin reconnects RTSP itself (no backoff: a fixed interval). rtsp-reconnect-interval is its stall
  // watchdog (s since the last data; 0 = off), init-rtsp-reconnect-interval its wait after an error (the same
  // value, 10 s when the watchdog is off), rtsp-reconnect-attempts its limit (-1 = forever).
  int rtspReconnectIntervalS = 10;
  int rtspReconnectAttempts = -1;
  // nvinfer / nvtracker / nvdsanalytics
  std::string inferConfig;           // nvinfer config-file ("" = the default for the SDK, see sdk_version.h)
  std::string defaultConfigDir;      // where the shipped defaults are (config/deepstream)
  std::string trackerLib;            // default <sdk>/lib/libnvds_nvmultiobjecttracker.so
  std::string trackerConfig;         // ll-config-file; "" = the library's defaults
  int trackerWidth = 640;            // tracker-width / tracker-height: as NVIDIA's nvdsanalytics sample app
  int trackerHeight = 480;           // (deepstream-nvdsanalytics-test: 640 x 480)
  std::string analyticsConfig;       // required: nvdsanalytics config-file
  // nvmsgconv / nvmsgbroker
  std::string msgconvConfig;         // nvmsgconv config; "" = converter defaults
  std::string msgconvLib;            // msg2p-lib: path of libnvds_dskafka_msgconv.so (required)
  int payloadType = 257;             // NVDS_PAYLOAD_CUSTOM
  int componentId = 2;               // comp-id shared by nvmsgconv and nvmsgbroker
  std::string protoLib;              // default <sdk>/lib/libnvds_kafka_proto.so
  std::string connStr;               // "host;port" (the topic goes in `topic`)
  std::string brokerConfig;          // cfg_kafka.txt
  std::string topic;                 // required: never rely on conn-str's last field
  bool display = false;              // true: OSD + nveglglessink; false: fakesink
  std::string osdOutput;             // annotated MP4 (nvdsosd, x264enc, mp4mux); streams tiled; "" = none
};

// What the installed GStreamer/DeepStream offers (probed by the SDK side; all false here).
struct PlanCaps {
  bool nvurisrcbin = false;  // nvurisrcbin registered and has rtsp-reconnect-interval (DeepStream >= 6.2)
};

struct PropSpec {
  std::string name;
  std::string value;      // GStreamer's string form (gst_util_set_object_arg)
  bool required = false;  // false: set only when the element has the property (differs across releases)
};

struct ElementSpec {
  std::string factory;
  std::string name;
  int stream = -1;  // the input it belongs to, -1 = shared
  std::vector<PropSpec> props;
  const std::string* prop(const std::string& n) const {
    for (const auto& p : props)
      if (p.name == n) return &p.value;
    return nullptr;
  }
};

struct LinkSpec {
  std::string from, to;
  std::string toPad;     // "" = any compatible pad; "sink_N" = the muxer's request pad
  bool dynamic = false;  // from's "pad-added" (decodebins): linked when the video pad appears
};

enum class InputKind { H264File, File, Rtsp, Uri };

struct PipelinePlan {
  std::vector<ElementSpec> elements;
  std::vector<LinkSpec> links;
  bool live = false;  // nvstreammux live-source; display sink sync=false
  std::vector<InputKind> inputKinds;
  const ElementSpec* element(const std::string& name) const {
    for (const auto& e : elements)
      if (e.name == name) return &e;
    return nullptr;
  }
};

InputKind inputKind(const std::string& input);
// Live inputs: network streams that do not end (rtsp, rtsps, udp, rtp, srt, rtmp). http(s) and file are not
// live: nvstreammux must wait for their frames rather than push partial batches on a timer.
bool isLiveInput(const std::string& input);

// Throws std::invalid_argument for unusable settings (no inputs, no topic, ...).
PipelinePlan planPipeline(const PipelineSettings& s, const PlanCaps& caps);

// The stream a GStreamer object belongs to, from its path (gst_object_get_path_string):
// "/GstPipeline:ds-kafka-deepstream/GstURIDecodeBin:src-2/GstDecodeBin:decodebin0/..." -> 2; -1 when the object
// is not part of a source (nvinfer, nvmsgbroker, the pipeline itself: those errors end the run).
int streamOfObjectPath(const std::string& path);

}  // namespace dsk::ds
