// Detector configuration for the CPU backend: the pipeline's detector choice (detector_js.h) and
//   addon.cpuDetectorConfig(pathOrObject?, overrides?) -> resolved motion-detector parameters
//   addon.dnnDetectorConfig(pathOrObject?, overrides?) -> resolved DNN-detector parameters (no model load)
//   addon.dnnDetectorProbe(path, overrides?) -> loads the model once and checks its output
//   addon.dnnDecode(...) -> the output decoders on a hand-made tensor (tests)
#include <napi.h>

#include <map>
#include <memory>
#include <string>

#include "addon/detector_js.h"
#include "addon/keyfile_js.h"
#include "addon/registry.h"
#include "cpu/configs.h"
#include "cpu/dnn_config.h"
#include "cpu/dnn_detector.h"
#include "cpu/dnn_output.h"

namespace dsk::addon {

namespace {
using dsk::cpu::DnnDetectorConfig;
using dsk::cpu::MotionDetectorConfig;

std::string stringOpt(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

DnnDetectorConfig dnnConfigFrom(const std::string& path, const Napi::Value& overrides) {
  if (path.empty() && !overrides.IsObject())
    throw std::invalid_argument("the dnn detector needs a config file (config/detector_dnn.txt) or options");
  return dsk::cpu::dnnDetectorConfigFromKeyFile(keyFileFrom(path, overrides, "detector options"));
}
}  // namespace

void configureDetector(const Napi::Object& o, dsk::cpu::PipelineOptions& out) {
  const std::string kind = stringOpt(o, "detectorKind");
  const std::string path = stringOpt(o, "detectorConfigPath");
  if (kind.empty() || kind == "motion") {
    out.detector = dsk::cpu::motionDetectorConfigFromKeyFile(keyFileFrom(path, o.Get("detector"), "detector options"));
    out.detectorFactory = nullptr;
    return;
  }
  if (kind != "dnn") throw std::invalid_argument("detectorKind must be 'motion' or 'dnn', got '" + kind + "'");
  auto cfg = std::make_shared<const DnnDetectorConfig>(dnnConfigFrom(path, o.Get("detector")));
  Napi::Value inputs = o.Get("inputs");
  const int streams = inputs.IsArray() ? static_cast<int>(inputs.As<Napi::Array>().Length()) : 1;
  dsk::cpu::DnnDetector::configureThreads(cfg->threads, streams);
  out.detectorFactory = [cfg](int) { return std::make_unique<dsk::cpu::DnnDetector>(*cfg); };
}

namespace {

Napi::Value MotionConfigJs(const Napi::CallbackInfo& info) {

  Napi::Env env = info.Env();
  try {
    const std::string path = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    const Napi::Value overrides = info[0].IsObject() ? info[0] : info[1];
    const MotionDetectorConfig c = dsk::cpu::motionDetectorConfigFromKeyFile(keyFileFrom(path, overrides, "detector options"));
    auto o = Napi::Object::New(env);
    o.Set("algorithm", c.algorithm == MotionDetectorConfig::Algorithm::Mog2 ? "mog2" : "knn");
    o.Set("processing-width", c.processingWidth);
    o.Set("history", c.history);
    o.Set("var-threshold", c.varThreshold);
    o.Set("dist2-threshold", c.dist2Threshold);
    o.Set("mixtures", c.mixtures);
    o.Set("detect-shadows", c.detectShadows);
    o.Set("shadow-threshold", c.shadowThreshold);
    o.Set("shadow-texture-tolerance", c.shadowTextureTolerance);
    o.Set("learning-rate", c.learningRate);
    o.Set("warmup-frames", c.warmupFrames);
    o.Set("selective-update", c.selectiveUpdate);
    o.Set("hold-margin", c.holdMargin);
    o.Set("hold-ms", static_cast<double>(c.holdMs));
    o.Set("gain-compensation", c.gainCompensation);
    o.Set("relearn-fraction", c.relearnFraction);
    o.Set("relearn-frames", c.relearnFrames);
    o.Set("interval", c.interval);
    o.Set("blur-kernel", c.blurKernel);
    o.Set("open-kernel", c.openKernel);
    o.Set("close-kernel", c.closeKernel);
    o.Set("min-area", c.minArea);
    o.Set("max-area", c.maxArea);
    o.Set("max-area-fraction", c.maxAreaFraction);
    o.Set("min-aspect", c.minAspect);
    o.Set("max-aspect", c.maxAspect);
    o.Set("max-detections", c.maxDetections);
    o.Set("class-id", c.classId);
    auto region = Napi::Array::New(env);
    uint32_t n = 0;
    for (const auto& p : c.region) {
      region.Set(n++, p.x);
      region.Set(n++, p.y);
    }
    o.Set("region", region);
    o.Set("region-width", c.regionWidth);
    o.Set("region-height", c.regionHeight);
    return o;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}


Napi::Value DnnConfigJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const std::string path = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    const Napi::Value overrides = info[0].IsObject() ? info[0] : info[1];
    const DnnDetectorConfig c = dnnConfigFrom(path, overrides);
    auto o = Napi::Object::New(env);
    o.Set("model-file", c.modelFile);
    o.Set("config-file", c.configFile);
    o.Set("framework", c.framework.empty() ? "auto" : c.framework);
    o.Set("output-format", dsk::cpu::toString(c.outputFormat));
    o.Set("input-width", c.inputWidth);
    o.Set("input-height", c.inputHeight);
    o.Set("letterbox", c.letterbox);
    o.Set("net-scale-factor", c.netScaleFactor);
    auto offsets = Napi::Array::New(env, c.offsets.size());
    for (size_t i = 0; i < c.offsets.size(); ++i) offsets.Set(static_cast<uint32_t>(i), c.offsets[i]);
    o.Set("offsets", offsets);
    o.Set("model-color-format", c.rgb ? 0 : 1);
    o.Set("labelfile-path", c.labelFile);
    o.Set("labels", static_cast<double>(c.labels.size()));
    auto map = Napi::Object::New(env);
    for (const auto& [label, id] : c.classMap) map.Set(label, id);
    o.Set("class-map", map);
    o.Set("pre-cluster-threshold", c.scoreThreshold);
    o.Set("nms-iou-threshold", c.nmsThreshold);
    o.Set("interval", c.interval);
    o.Set("inference-fps", c.inferenceFps);
    o.Set("cluster-mode", c.mergeBoxes ? "weighted" : "nms");
    o.Set("threads", c.threads);
    o.Set("motion-gate", c.gate);
    o.Set("gate-refresh-ms", c.gateRefreshMs);
    o.Set("model", c.modelName);
    return o;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// Loads the model and runs one inference (what the pipeline does per stream): a corrupt model or an
// output that does not parse throws here, naming the file.
Napi::Value DnnProbeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const std::string path = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    const Napi::Value overrides = info[0].IsObject() ? info[0] : info[1];
    dsk::cpu::DnnDetector d(dnnConfigFrom(path, overrides));
    return Napi::String::New(env, d.describe());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// Test seam for the output decoders: a hand-made tensor -> boxes after thresholds and NMS.
//   dnnDecode({ format, shape: number[], data: Float32Array, inputWidth, inputHeight, minScore, strides?,
//               nmsIou?, merge?, maxDetections? }) -> [{ x, y, width, height, modelClass, score }]
Napi::Value DnnDecodeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    if (!info[0].IsObject()) throw std::invalid_argument("dnnDecode: options object expected");
    auto o = info[0].As<Napi::Object>();
    const std::string format = o.Get("format").ToString().Utf8Value();
    static const std::map<std::string, dsk::cpu::DnnOutputFormat> kFormats = {
        {"ssd", dsk::cpu::DnnOutputFormat::Ssd}, {"yolov5", dsk::cpu::DnnOutputFormat::Yolov5},
        {"yolov8", dsk::cpu::DnnOutputFormat::Yolov8}, {"yolox", dsk::cpu::DnnOutputFormat::Yolox}};
    auto f = kFormats.find(format);
    if (f == kFormats.end()) throw std::invalid_argument("dnnDecode: unknown format " + format);
    auto shapeArr = o.Get("shape").As<Napi::Array>();
    std::vector<int> shape;
    for (uint32_t i = 0; i < shapeArr.Length(); ++i) shape.push_back(shapeArr.Get(i).As<Napi::Number>().Int32Value());
    auto data = o.Get("data").As<Napi::Float32Array>();
    size_t total = 1;
    for (int d : shape) total *= static_cast<size_t>(d);
    if (total != data.ElementLength()) throw std::invalid_argument("dnnDecode: data length does not match shape");
    cv::Mat tensor(static_cast<int>(shape.size()), shape.data(), CV_32F, data.Data());
    std::vector<int> strides = {8, 16, 32};
    if (o.Get("strides").IsArray()) {
      strides.clear();
      auto sa = o.Get("strides").As<Napi::Array>();
      for (uint32_t i = 0; i < sa.Length(); ++i) strides.push_back(sa.Get(i).As<Napi::Number>().Int32Value());
    }
    auto num = [&](const char* k, double def) { return o.Get(k).IsNumber() ? o.Get(k).As<Napi::Number>().DoubleValue() : def; };
    const cv::Size input(static_cast<int>(num("inputWidth", 416)), static_cast<int>(num("inputHeight", 416)));
    auto dets = dsk::cpu::decodeDetections(tensor, f->second, input, static_cast<float>(num("minScore", 0.3)), strides);
    if (o.Get("nmsIou").IsNumber())
      dets = dsk::cpu::nmsPerClass(std::move(dets), static_cast<float>(num("nmsIou", 0.45)),
                                   static_cast<int>(num("maxDetections", 100)),
                                   o.Get("merge").IsBoolean() && o.Get("merge").As<Napi::Boolean>().Value());
    auto out = Napi::Array::New(env, dets.size());
    for (size_t i = 0; i < dets.size(); ++i) {
      auto d = Napi::Object::New(env);
      d.Set("x", dets[i].box.x);
      d.Set("y", dets[i].box.y);
      d.Set("width", dets[i].box.width);
      d.Set("height", dets[i].box.height);
      d.Set("modelClass", dets[i].modelClass);
      d.Set("score", dets[i].score);
      out.Set(static_cast<uint32_t>(i), d);
    }
    return out;
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("dnnDecode", Napi::Function::New(env, DnnDecodeJs, "dnnDecode"));
  exports.Set("cpuDetectorConfig", Napi::Function::New(env, MotionConfigJs, "cpuDetectorConfig"));
  exports.Set("dnnDetectorConfig", Napi::Function::New(env, DnnConfigJs, "dnnDetectorConfig"));
  exports.Set("dnnDetectorProbe", Napi::Function::New(env, DnnProbeJs, "dnnDetectorProbe"));
}

}  // namespace
}  // namespace dsk::addon

DSK_REGISTER_BINDING(detector, dsk::addon::Init);
