// Drawing of analytics rules (native/cpu/osd/): the line preview and the annotated video's options.
//
//   addon.renderPreview({ input, analyticsConfigJson, streamId?, frame?, atMs?, width? })
//     -> Promise<{ png: Buffer, width, height, frameNum, ptsMs, warnings: string[] }>
//        decodes one frame (frame index, else the first at or after atMs; default frame 0), draws every rule
//        of stream streamId scaled from config-width/height (width: output width, aspect kept) and encodes a PNG.
//   addon.osdColours() -> { line: [r, g, b], lineFlash, lineArrow, roi, overcrowding, direction, box, text }
//   configureOsd(options, PipelineOptions) (osd_js.h): options.osdOutputs / snapshots -> the frame sink.
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "addon/osd_js.h"
#include "addon/registry.h"
#include "core/analytics/analytics_config.h"
#include "cpu/osd/frame_grab.h"
#include "cpu/osd/osd_draw.h"
#include "cpu/osd/osd_video.h"

namespace dsk::addon {

std::shared_ptr<dsk::cpu::osd::SnapshotSink> configureOsd(const Napi::Object& o, dsk::cpu::PipelineOptions& out) {
  std::vector<std::shared_ptr<dsk::cpu::FrameSink>> sinks;
  Napi::Value v = o.Get("osdOutputs");
  if (!v.IsUndefined() && !v.IsNull()) {
    if (!v.IsArray()) throw std::invalid_argument("CpuPipeline: options.osdOutputs must be an array of paths");
    auto arr = v.As<Napi::Array>();
    std::vector<std::string> paths(out.inputs.size());
    bool any = false;
    for (uint32_t i = 0; i < arr.Length() && i < paths.size(); ++i) {
      if (!arr.Get(i).IsString()) throw std::invalid_argument("CpuPipeline: options.osdOutputs[" + std::to_string(i) + "] must be a string");
      paths[i] = arr.Get(i).As<Napi::String>().Utf8Value();
      any = any || !paths[i].empty();
    }
    if (any) sinks.push_back(std::make_shared<dsk::cpu::osd::OsdVideoSink>(paths, out.analytics));
  }
  std::shared_ptr<dsk::cpu::osd::SnapshotSink> snapshots;
  Napi::Value sv = o.Get("snapshots");
  if (sv.IsBoolean() && sv.As<Napi::Boolean>().Value()) {
    snapshots = std::make_shared<dsk::cpu::osd::SnapshotSink>(out.analytics, out.inputs.size());
    sinks.push_back(snapshots);
  }
  if (sinks.size() == 1) out.frameSink = sinks[0];
  if (sinks.size() > 1) out.frameSink = std::make_shared<dsk::cpu::osd::FrameSinks>(sinks);
  return snapshots;
}

namespace {

class PreviewWorker : public Napi::AsyncWorker {
 public:
  PreviewWorker(Napi::Env env, std::string input, AnalyticsConfig cfg, int streamId, int64_t frame, double atMs, int width)
      : Napi::AsyncWorker(env), input_(std::move(input)), cfg_(std::move(cfg)), streamId_(streamId), frame_(frame),
        atMs_(atMs), width_(width), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      grabbed_ = dsk::cpu::osd::grabFrame(input_, frame_, atMs_);
      cv::Mat& img = grabbed_.bgr;
      if (width_ > 0 && width_ != img.cols) {
        const int h = std::max(2, static_cast<int>(std::lround(static_cast<double>(img.rows) * width_ / img.cols)));
        cv::resize(img, img, cv::Size(width_, h), 0, 0, width_ < img.cols ? cv::INTER_AREA : cv::INTER_LINEAR);
      }
      if (const StreamAnalyticsConfig* s = cfg_.stream(streamId_)) {
        warnings_ = dsk::cpu::osd::outOfBoundsWarnings(cfg_, *s);
        dsk::cpu::osd::drawRules(img, cfg_, *s);
      } else {
        warnings_.push_back("stream " + std::to_string(streamId_) + " has no rules in the analytics config: nothing drawn");
      }
      if (!cv::imencode(".png", img, png_, {cv::IMWRITE_PNG_COMPRESSION, 9})) SetError("cannot encode the PNG");
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    auto o = Napi::Object::New(env);
    o.Set("png", Napi::Buffer<uint8_t>::Copy(env, png_.data(), png_.size()));
    o.Set("width", grabbed_.bgr.cols);
    o.Set("height", grabbed_.bgr.rows);
    o.Set("frameNum", static_cast<double>(grabbed_.frameNum));
    o.Set("ptsMs", static_cast<double>(grabbed_.ptsMs));
    auto w = Napi::Array::New(env, warnings_.size());
    for (size_t i = 0; i < warnings_.size(); ++i) w.Set(static_cast<uint32_t>(i), warnings_[i]);
    o.Set("warnings", w);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::string input_;
  AnalyticsConfig cfg_;
  int streamId_;
  int64_t frame_;
  double atMs_;
  int width_;
  dsk::cpu::osd::GrabbedFrame grabbed_;
  std::vector<uchar> png_;
  std::vector<std::string> warnings_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value RenderPreview(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    if (!info[0].IsObject()) throw std::invalid_argument("renderPreview: options object expected");
    auto o = info[0].As<Napi::Object>();
    if (!o.Get("input").IsString()) throw std::invalid_argument("renderPreview: options.input must be a string");
    Napi::Value ac = o.Get("analyticsConfigJson");
    if (!ac.IsString()) throw std::invalid_argument("renderPreview: options.analyticsConfigJson must be a string");
    AnalyticsConfig cfg = analyticsConfigFromJson(ac.As<Napi::String>().Utf8Value());
    auto num = [&](const char* k, double def) { return o.Get(k).IsNumber() ? o.Get(k).As<Napi::Number>().DoubleValue() : def; };
    const double frame = num("frame", -1), atMs = num("atMs", -1), width = num("width", 0);
    auto* w = new PreviewWorker(env, o.Get("input").As<Napi::String>().Utf8Value(), std::move(cfg),
                                static_cast<int>(num("streamId", 0)), frame >= 0 ? static_cast<int64_t>(frame) : (atMs >= 0 ? -1 : 0),
                                atMs >= 0 ? atMs : 0, static_cast<int>(width));
    auto p = w->promise();
    w->Queue();
    return p;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

Napi::Value OsdColours(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  namespace c = dsk::cpu::osd::colours;
  auto o = Napi::Object::New(env);
  auto set = [&](const char* k, const dsk::cpu::osd::Bgr& b) {
    auto a = Napi::Array::New(env, 3);
    a.Set(0u, b.r);
    a.Set(1u, b.g);
    a.Set(2u, b.b);
    o.Set(k, a);
  };
  set("line", c::kLine);
  set("lineFlash", c::kLineFlash);
  set("lineArrow", c::kLineArrow);
  set("roi", c::kRoi);
  set("overcrowding", c::kOvercrowding);
  set("direction", c::kDirection);
  set("box", c::kBox);
  set("text", c::kText);
  return o;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("renderPreview", Napi::Function::New(env, RenderPreview, "renderPreview"));
  exports.Set("osdColours", Napi::Function::New(env, OsdColours, "osdColours"));
}

}  // namespace
}  // namespace dsk::addon

DSK_REGISTER_BINDING(osd, dsk::addon::Init);
