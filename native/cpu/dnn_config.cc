#include "cpu/dnn_config.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>

#include <algorithm>
#include <cctype>
#include <fstream>

namespace dsk::cpu {

namespace {
constexpr const char* kGroup = "property";

using keyfile::lower;
using keyfile::trim;

std::vector<std::string> splitList(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    const size_t semi = v.find(';', start);
    const std::string part = trim(v.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
    if (!part.empty()) out.push_back(part);
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  return out;
}

bool isFile(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// "config/../models/x" -> "models/x" for messages and logs (the file exists: checked before).
std::string canonical(const std::string& p) {
  char* rp = ::realpath(p.c_str(), nullptr);
  if (!rp) return p;
  std::string out = rp;
  std::free(rp);
  return out;
}

// Paths in a file are relative to that file's folder (so a config and its model can move together);
// paths given programmatically (line 0) are relative to the working directory.
std::string resolvePath(const keyfile::KeyFile& file, const keyfile::Entry& e) {
  if (e.value.empty() || e.value[0] == '/' || e.line == 0) return e.value;
  const std::string& name = file.name();
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? e.value : name.substr(0, slash + 1) + e.value;
}

// "label:value;label:value" (labels may contain spaces; the last ':' separates the value).
std::vector<std::pair<std::string, std::string>> parsePairs(const keyfile::KeyFile& file, const keyfile::Entry& e) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& part : splitList(e.value)) {
    const size_t colon = part.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == part.size())
      file.fail(e, "expected label:value pairs separated by ';', got '" + part + "'");
    out.emplace_back(lower(trim(part.substr(0, colon))), trim(part.substr(colon + 1)));
  }
  return out;
}

int toInt(const keyfile::KeyFile& file, const keyfile::Entry& e, const std::string& s, int min, int max) {
  try {
    size_t used = 0;
    const long v = std::stol(s, &used);
    if (used != s.size() || v < min || v > max) throw std::out_of_range("");
    return static_cast<int>(v);
  } catch (const std::exception&) {
    file.fail(e, "'" + s + "' is not an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
}
}  // namespace

const char* toString(DnnOutputFormat f) {
  switch (f) {
    case DnnOutputFormat::Ssd: return "ssd";
    case DnnOutputFormat::Yolov5: return "yolov5";
    case DnnOutputFormat::Yolov8: return "yolov8";
    case DnnOutputFormat::Yolox: return "yolox";
  }
  return "unknown";
}

std::map<std::string, int> defaultDnnClassMap() {
  // DeepStream's sample detectors (resnet10 / TrafficCamNet): car 0, bicycle 1, person 2, roadsign 3.
  // COCO's road vehicles are cars there; two-wheelers are bicycles.
  return {{"car", 0},     {"truck", 0},     {"bus", 0},       {"bicycle", 1}, {"motorcycle", 1},
          {"motorbike", 1}, {"person", 2}, {"pedestrian", 2}, {"stop sign", 3}, {"roadsign", 3}};
}

DnnDetectorConfig dnnDetectorConfigFromKeyFile(const keyfile::KeyFile& file) {
  for (const auto& e : file.entries())
    if (e.group != kGroup) file.fail(e, "unknown group [" + e.group + "] (expected [property])");
  keyfile::GroupReader r(file, kGroup);
  DnnDetectorConfig c;

  const keyfile::Entry* model = file.find(kGroup, "model-file");
  r.getString("model-file", "");
  if (!model || model->value.empty())
    throw keyfile::KeyFileError(file.name() + ": key 'model-file' in [property] is required (the network's weights)");
  c.modelFile = resolvePath(file, *model);
  if (!isFile(c.modelFile))
    file.fail(*model, "model file not found: " + c.modelFile + " (the shipped models are installed by `npm run setup`)");
  c.modelFile = canonical(c.modelFile);
  if (const keyfile::Entry* cfg = file.find(kGroup, "config-file"); cfg && !cfg->value.empty()) {
    c.configFile = resolvePath(file, *cfg);
    if (!isFile(c.configFile)) file.fail(*cfg, "file not found: " + c.configFile);
    c.configFile = canonical(c.configFile);
  }
  r.getString("config-file", "");
  static const std::vector<std::string> kFrameworks = {"auto", "tensorflow", "onnx", "caffe", "darknet"};
  const int fw = r.getChoice("framework", 0, kFrameworks);
  c.framework = fw == 0 ? "" : kFrameworks[fw];
  c.outputFormat = static_cast<DnnOutputFormat>(r.getChoice("output-format", 0, {"ssd", "yolov5", "yolov8", "yolox"}));
  c.letterbox = r.getBool("letterbox", c.outputFormat != DnnOutputFormat::Ssd);
  c.inputWidth = static_cast<int>(r.getInt("input-width", c.inputWidth, 16, 4096));
  c.inputHeight = static_cast<int>(r.getInt("input-height", c.inputHeight, 0, 4096));
  if (c.inputHeight == 0 && !c.letterbox)
    file.fail(*file.find(kGroup, "input-height"), "0 (from the frame's aspect ratio) needs letterbox=1");
  if (c.inputHeight > 0 && c.inputHeight < 16) file.fail(*file.find(kGroup, "input-height"), "must be 0 or at least 16");
  c.letterboxCentred = r.getChoice("letterbox-position", c.outputFormat == DnnOutputFormat::Yolox ? 0 : 1,
                                   {"top-left", "center"}) == 1;
  c.padValue = r.getDouble("pad-value", c.padValue, 0, 255);
  c.netScaleFactor = r.getDouble("net-scale-factor", c.netScaleFactor, 1e-9, 1e6);
  if (r.has("offsets")) {
    c.offsets = r.getDoubleList("offsets");
    if (c.offsets.size() != 3 && c.offsets.size() != 1)
      file.fail(*file.find(kGroup, "offsets"), "expected 1 or 3 values (per channel, in the model's channel order)");
    if (c.offsets.size() == 1) c.offsets.assign(3, c.offsets[0]);
  } else {
    r.getDoubleList("offsets");
  }
  c.rgb = r.getInt("model-color-format", 0, 0, 1) == 0;

  if (const keyfile::Entry* lf = file.find(kGroup, "labelfile-path"); lf && !lf->value.empty()) {
    c.labelFile = resolvePath(file, *lf);
    std::ifstream in(c.labelFile);
    if (!in) file.fail(*lf, "label file not found: " + c.labelFile);
    std::string line;
    while (std::getline(in, line)) {
      line = trim(line);
      if (!line.empty() && line[0] != '#') c.labels.push_back(lower(line));
    }
    if (c.labels.empty()) file.fail(*lf, "label file is empty: " + c.labelFile);
  }
  r.getString("labelfile-path", "");
  c.classIdOffset = static_cast<int>(r.getInt("class-id-offset", c.classIdOffset, -1000, 1000));

  c.classMap = defaultDnnClassMap();
  if (const keyfile::Entry* cm = file.find(kGroup, "class-map"); cm) {
    c.classMap.clear();
    for (const auto& [label, id] : parsePairs(file, *cm)) {
      if (!c.labels.empty() && std::find(c.labels.begin(), c.labels.end(), label) == c.labels.end())
        file.fail(*cm, "label '" + label + "' is not in the label file " + c.labelFile);
      c.classMap[label] = toInt(file, *cm, id, 0, 1 << 20);
    }
  }
  r.getString("class-map", "");
  if (c.labels.empty()) file.fail(*model, "labelfile-path is required (the model's class names, one per line)");
  bool anyMapped = false;
  for (const auto& l : c.labels) anyMapped = anyMapped || c.classMap.count(l);
  if (!anyMapped) {
    const keyfile::Entry* at = file.find(kGroup, "class-map");
    file.fail(at ? *at : *file.find(kGroup, "labelfile-path"),
              "no label of " + c.labelFile + " is mapped to a class id: set class-map=<label>:<id>;...");
  }

  c.scoreThreshold = r.getDouble("pre-cluster-threshold", c.scoreThreshold, 0, 1);
  if (const keyfile::Entry* ct = file.find(kGroup, "class-thresholds"); ct) {
    for (const auto& [id, thr] : parsePairs(file, *ct)) {
      try {
        const double t = std::stod(thr);
        if (t < 0 || t > 1) throw std::out_of_range("");
        c.classThresholds[toInt(file, *ct, id, 0, 1 << 20)] = t;
      } catch (const keyfile::KeyFileError&) {
        throw;
      } catch (const std::exception&) {
        file.fail(*ct, "threshold '" + thr + "' is not a number in [0, 1]");
      }
    }
  }
  r.getString("class-thresholds", "");
  c.nmsThreshold = r.getDouble("nms-iou-threshold", c.nmsThreshold, 0, 1);
  c.mergeBoxes = r.getChoice("cluster-mode", c.mergeBoxes ? 0 : 1, {"weighted", "nms"}) == 0;
  c.minBoxWidth = r.getDouble("detected-min-w", c.minBoxWidth, 0, 1e6);
  c.minBoxHeight = r.getDouble("detected-min-h", c.minBoxHeight, 0, 1e6);
  c.maxDetections = static_cast<int>(r.getInt("max-detections", c.maxDetections, 1, 10000));
  c.interval = static_cast<int>(r.getInt("interval", c.interval, 0, 1000));
  c.inferenceFps = r.getDouble("inference-fps", c.inferenceFps, 0, 1000);
  c.threads = static_cast<int>(r.getInt("threads", c.threads, 0, 256));
  if (r.has("yolox-strides")) {
    c.yoloxStrides.clear();
    for (double s : r.getDoubleList("yolox-strides")) {
      if (s < 1 || s != static_cast<int>(s)) file.fail(*file.find(kGroup, "yolox-strides"), "strides are positive integers");
      c.yoloxStrides.push_back(static_cast<int>(s));
    }
  } else {
    r.getDoubleList("yolox-strides");
  }
  c.gate = r.getBool("motion-gate", c.gate);
  c.gateProcessingWidth = static_cast<int>(r.getInt("gate-processing-width", c.gateProcessingWidth, 32, 4096));
  c.gateMinArea = r.getDouble("gate-min-area", c.gateMinArea, 0, 1e12);
  c.gateRefreshMs = static_cast<int>(r.getInt("gate-refresh-ms", c.gateRefreshMs, 0, 3600000));
  r.rejectUnknownKeys();

  const size_t slash = c.modelFile.rfind('/');
  c.modelName = slash == std::string::npos ? c.modelFile : c.modelFile.substr(slash + 1);
  if (const size_t dot = c.modelName.rfind('.'); dot != std::string::npos && dot > 0) c.modelName.resize(dot);
  return c;
}

DnnDetectorConfig loadDnnDetectorConfig(const std::string& path) {
  return dnnDetectorConfigFromKeyFile(keyfile::KeyFile::load(path));
}

}  // namespace dsk::cpu
