#include "core/deepstream/pipeline_plan.h"

#include <cctype>
#include <stdexcept>

namespace dsk::ds {

namespace {

bool endsWith(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string scheme(const std::string& in) {
  const size_t p = in.find("://");
  return p == std::string::npos ? "" : lower(in.substr(0, p));
}

std::string b(bool v) { return v ? "true" : "false"; }
std::string n(long v) { return std::to_string(v); }

const char* const kSourceRoles[] = {"src-", "parse-", "dec-"};

}  // namespace

InputKind inputKind(const std::string& in) {
  const std::string s = scheme(in);
  if (s.empty()) return endsWith(lower(in), ".h264") || endsWith(lower(in), ".264") ? InputKind::H264File : InputKind::File;
  if (s == "rtsp" || s == "rtsps" || s == "rtspt") return InputKind::Rtsp;
  return InputKind::Uri;
}

bool isLiveInput(const std::string& in) {
  const std::string s = scheme(in);
  return s == "rtsp" || s == "rtsps" || s == "rtspt" || s == "udp" || s == "rtp" || s == "srt" || s == "rtmp";
}

PipelinePlan planPipeline(const PipelineSettings& s, const PlanCaps& caps) {
  if (s.inputs.empty()) throw std::invalid_argument("DeepStream pipeline: no inputs");
  if (s.muxWidth <= 0 || s.muxHeight <= 0) throw std::invalid_argument("DeepStream pipeline: bad muxer size");
  if (s.topic.empty())
    throw std::invalid_argument("DeepStream pipeline: no topic (nvmsgbroker would take the text after the last ';' of conn-str)");
  if (s.connStr.empty()) throw std::invalid_argument("DeepStream pipeline: no conn-str");

  PipelinePlan plan;
  const long batch = static_cast<long>(s.inputs.size());
  const std::string gpu = n(s.gpuId);
  for (const auto& in : s.inputs) plan.live = plan.live || isLiveInput(in);

  auto add = [&](std::string factory, std::string name, std::vector<PropSpec> props, int stream = -1) {
    plan.elements.push_back(ElementSpec{std::move(factory), std::move(name), stream, std::move(props)});
  };
  auto link = [&](const std::string& a, const std::string& z, std::string toPad = "", bool dynamic = false) {
    plan.links.push_back(LinkSpec{a, z, std::move(toPad), dynamic});
  };

  add("nvstreammux", "mux",
      {{"batch-size", n(batch), true},
       {"width", n(s.muxWidth)},
       {"height", n(s.muxHeight)},
       {"batched-push-timeout", n(s.batchedPushTimeoutUs)},
       {"live-source", b(plan.live)},
       {"gpu-id", gpu}});

  for (long i = 0; i < batch; ++i) {
    const std::string& in = s.inputs[static_cast<size_t>(i)];
    const int sid = static_cast<int>(i);
    const std::string idx = n(i), pad = "sink_" + idx;
    const InputKind kind = inputKind(in);
    plan.inputKinds.push_back(kind);
    if (kind == InputKind::H264File) {
      add("filesrc", "src-" + idx, {{"location", in, true}}, sid);
      add("h264parse", "parse-" + idx, {}, sid);
      add("nvv4l2decoder", "dec-" + idx, {{"gpu-id", gpu}}, sid);
      link("src-" + idx, "parse-" + idx);
      link("parse-" + idx, "dec-" + idx);
      link("dec-" + idx, "mux", pad);
    } else if (kind == InputKind::Rtsp && caps.nvurisrcbin) {
      // NVIDIA's source bin: reconnects a dropped, stalled or (init-*) unreachable RTSP camera itself. The
      // attempts and init interval are newer than the bin (not required: set only where the SDK has them).
      const int retryS = s.rtspReconnectIntervalS > 0 ? s.rtspReconnectIntervalS : 10;
      add("nvurisrcbin", "src-" + idx,
          {{"uri", in, true},
           {"rtsp-reconnect-interval", n(s.rtspReconnectIntervalS)},
           {"init-rtsp-reconnect-interval", n(retryS)},
           {"rtsp-reconnect-attempts", n(s.rtspReconnectAttempts)},
           {"gpu-id", gpu}},
          sid);
      link("src-" + idx, "mux", pad, true);
    } else {
      // The URI (files as file:// URIs: the SDK side converts paths) goes in "uri".
      add("uridecodebin", "src-" + idx, {{"uri", in, true}}, sid);
      link("src-" + idx, "mux", pad, true);
    }
  }

  add("queue", "queue-infer", {});
  add("nvinfer", "primary-infer",
      {{"config-file-path", s.inferConfig, true}, {"batch-size", n(batch)}, {"gpu-id", gpu}});
  add("queue", "queue-tracker", {});
  std::vector<PropSpec> trackerProps{{"ll-lib-file", s.trackerLib, true},
                                     {"tracker-width", n(s.trackerWidth)},
                                     {"tracker-height", n(s.trackerHeight)},
                                     {"gpu-id", gpu}};
  if (!s.trackerConfig.empty()) trackerProps.push_back({"ll-config-file", s.trackerConfig, true});
  add("nvtracker", "tracker", std::move(trackerProps));
  add("queue", "queue-analytics", {});
  add("nvdsanalytics", "analytics", {{"config-file", s.analyticsConfig, true}, {"gpu-id", gpu}});
  add("tee", "tee", {});
  add("queue", "queue-msg", {});
  std::vector<PropSpec> convProps{{"msg2p-lib", s.msgconvLib, true},
                                  {"payload-type", n(s.payloadType), true},
                                  {"comp-id", n(s.componentId), true}};
  if (!s.msgconvConfig.empty()) convProps.push_back({"config", s.msgconvConfig, true});
  add("nvmsgconv", "msgconv", std::move(convProps));
  std::vector<PropSpec> brokerProps{{"proto-lib", s.protoLib, true},
                                    {"conn-str", s.connStr, true},
                                    {"topic", s.topic, true},
                                    {"comp-id", n(s.componentId), true},
                                    {"sync", "false"}};
  if (!s.brokerConfig.empty()) brokerProps.push_back({"config", s.brokerConfig, true});
  add("nvmsgbroker", "msgbroker", std::move(brokerProps));
  add("queue", "queue-view", {});

  link("mux", "queue-infer");
  link("queue-infer", "primary-infer");
  link("primary-infer", "queue-tracker");
  link("queue-tracker", "tracker");
  link("tracker", "queue-analytics");
  link("queue-analytics", "analytics");
  link("analytics", "tee");
  link("tee", "queue-msg");
  link("queue-msg", "msgconv");
  link("msgconv", "msgbroker");
  link("tee", "queue-view");

  // Several streams are shown as one picture, as deepstream-app does: a square-ish grid at the muxer's size.
  auto tiled = [&](const std::string& from, const std::string& name) {
    if (batch <= 1) return from;
    long rows = 1;
    while (rows * rows < batch) ++rows;
    add("nvmultistreamtiler", name,
        {{"rows", n(rows)}, {"columns", n((batch + rows - 1) / rows)}, {"width", n(s.muxWidth)},
         {"height", n(s.muxHeight)}, {"gpu-id", gpu}});
    link(from, name);
    return name;
  };

  if (s.display) {
    const std::string last = tiled("queue-view", "tiler");
    add("nvvideoconvert", "osd-convert", {{"gpu-id", gpu}});
    add("nvdsosd", "osd", {{"gpu-id", gpu}});
    add("nveglglessink", "sink", {{"sync", b(!plan.live)}});
    link(last, "osd-convert");
    link("osd-convert", "osd");
    link("osd", "sink");
  } else {
    add("fakesink", "sink", {{"sync", "false"}, {"async", "false"}});
    link("queue-view", "sink");
  }

  if (!s.osdOutput.empty()) {
    // The nvdsosd picture (lines, ROIs and counts as nvdsanalytics' osd-mode draws them, boxes with ids)
    // encoded on the CPU with x264enc, which every SDK image can install (nvv4l2h264enc is missing on some
    // GPUs); several streams are tiled into one video, as deepstream-app does.
    add("queue", "queue-osdfile", {{"max-size-buffers", "8", false}});
    link("tee", "queue-osdfile");
    std::string last = tiled("queue-osdfile", "osdfile-tiler");
    add("nvvideoconvert", "osdfile-convert", {{"gpu-id", gpu}});
    add("nvdsosd", "osdfile-osd", {{"gpu-id", gpu}});
    add("nvvideoconvert", "osdfile-download", {{"gpu-id", gpu}});
    add("capsfilter", "osdfile-caps", {{"caps", "video/x-raw,format=I420", true}});
    add("x264enc", "osdfile-enc", {{"speed-preset", "ultrafast", false}, {"tune", "zerolatency", false}});
    add("h264parse", "osdfile-parse", {});
    add("mp4mux", "osdfile-mux", {});
    add("filesink", "osdfile-sink", {{"location", s.osdOutput, true}, {"sync", "false"}, {"async", "false"}});
    for (const char* next : {"osdfile-convert", "osdfile-osd", "osdfile-download", "osdfile-caps", "osdfile-enc",
                             "osdfile-parse", "osdfile-mux", "osdfile-sink"}) {
      link(last, next);
      last = next;
    }
  }
  return plan;
}

int streamOfObjectPath(const std::string& path) {
  // Components are "/Type:name"; the first one naming a source element wins.
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos + 1);
    if (next == std::string::npos) next = path.size();
    const std::string comp = path.substr(pos, next - pos);
    const size_t colon = comp.find(':');
    const std::string name = colon == std::string::npos ? comp : comp.substr(colon + 1);
    for (const char* role : kSourceRoles) {
      const std::string r(role);
      if (name.size() > r.size() && name.compare(0, r.size(), r) == 0) {
        const std::string digits = name.substr(r.size());
        bool ok = !digits.empty() && digits.size() < 6;
        for (char c : digits) ok = ok && std::isdigit(static_cast<unsigned char>(c));
        if (ok) return std::stoi(digits);
      }
    }
    pos = next;
  }
  return -1;
}

}  // namespace dsk::ds
