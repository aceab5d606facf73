// trackerSimulate(config, frames): runs the core SORT tracker over scripted detections (tests, tuning);
// trackerConfig(config): the resolved tracker parameters (validates a config file or object).
// config: undefined (defaults) | string (path of a tracker_*.txt key file) | object of key -> value
// (the file's [property] keys, e.g. { 'min-hits': 3, 'max-age-ms': 500 }).
#include <napi.h>

#include <string>
#include <utility>
#include <vector>

#include "addon/keyfile_js.h"
#include "addon/registry.h"
#include "core/tracking/sort_tracker.h"
#include "cpu/configs.h"
#include "cpu/keyfile_lite.h"

namespace {

using dsk::tracking::TrackerConfig;

TrackerConfig trackerConfigFromJs(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return TrackerConfig{};
  if (v.IsString()) return dsk::cpu::loadTrackerConfig(v.As<Napi::String>().Utf8Value());
  if (!v.IsObject()) throw std::invalid_argument("tracker config must be a path or an object");
  return dsk::cpu::trackerConfigFromKeyFile(dsk::addon::keyFileFrom("", v, "tracker config"));
}

Napi::Object configToJs(Napi::Env env, const TrackerConfig& c) {
  auto o = Napi::Object::New(env);
  o.Set("min-hits", c.minHits);
  o.Set("probation-max-gap-ms", static_cast<double>(c.probationMaxGapMs));
  o.Set("max-age-ms", static_cast<double>(c.maxAgeMs));
  o.Set("coast-ms", static_cast<double>(c.coastMs));
  o.Set("iou-threshold", c.iouThreshold);
  o.Set("center-gate", c.centerGate);
  o.Set("max-area-ratio", c.maxAreaRatio);
  o.Set("class-aware", c.classAware);
  o.Set("output-filtered-box", c.outputFilteredBox);
  o.Set("default-frame-interval-ms", c.defaultFrameIntervalMs);
  o.Set("kalman-accel-std", c.noise.accelStdFactor);
  o.Set("kalman-measurement-std", c.noise.measurementStdFactor);
  o.Set("kalman-initial-velocity-std", c.noise.initialVelocityStdFactor);
  return o;
}

double num(const Napi::Object& o, const char* key, double def) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return def;
  if (!v.IsNumber()) throw std::invalid_argument(std::string("'") + key + "' must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

Napi::Value TrackerConfigJs(const Napi::CallbackInfo& info) {
  try {
    return configToJs(info.Env(), trackerConfigFromJs(info[0]));
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

Napi::Value TrackerSimulate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    dsk::tracking::SortTracker tracker(trackerConfigFromJs(info[0]));
    if (!info[1].IsArray()) throw std::invalid_argument("frames must be an array");
    auto frames = info[1].As<Napi::Array>();
    auto out = Napi::Array::New(env, frames.Length());
    for (uint32_t f = 0; f < frames.Length(); ++f) {
      Napi::Value fv = frames.Get(f);
      if (!fv.IsObject()) throw std::invalid_argument("frame " + std::to_string(f) + " must be an object");
      auto fo = fv.As<Napi::Object>();
      const int64_t pts = static_cast<int64_t>(num(fo, "ptsMs", f * 1000.0 / 30));
      std::vector<dsk::tracking::Detection> dets;
      Napi::Value dv = fo.Get("detections");
      if (!dv.IsUndefined()) {
        if (!dv.IsArray()) throw std::invalid_argument("frame " + std::to_string(f) + ": detections must be an array");
        auto da = dv.As<Napi::Array>();
        for (uint32_t i = 0; i < da.Length(); ++i) {
          auto d = da.Get(i).As<Napi::Object>();
          dsk::tracking::Detection x;
          x.box.left = num(d, "left", 0);
          x.box.top = num(d, "top", 0);
          x.box.width = num(d, "width", 0);
          x.box.height = num(d, "height", 0);
          x.classId = static_cast<int>(num(d, "classId", 0));
          x.confidence = num(d, "confidence", 1);
          dets.push_back(x);
        }
      }
      Napi::Value skipped = fo.Get("skipped");
      const auto objs = skipped.IsBoolean() && skipped.As<Napi::Boolean>().Value() ? tracker.predict(pts)
                                                                                  : tracker.update(dets, pts);
      auto arr = Napi::Array::New(env, objs.size());
      for (size_t i = 0; i < objs.size(); ++i) {
        auto o = Napi::Object::New(env);
        o.Set("id", static_cast<double>(objs[i].id));
        o.Set("classId", objs[i].classId);
        o.Set("left", objs[i].box.left);
        o.Set("top", objs[i].box.top);
        o.Set("width", objs[i].box.width);
        o.Set("height", objs[i].box.height);
        o.Set("confidence", objs[i].confidence);
        o.Set("coasting", objs[i].coasting);
        arr.Set(static_cast<uint32_t>(i), o);
      }
      out.Set(f, arr);
    }
    return out;
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("trackerSimulate", Napi::Function::New(env, TrackerSimulate, "trackerSimulate"));
  exports.Set("trackerConfig", Napi::Function::New(env, TrackerConfigJs, "trackerConfig"));
}

}  // namespace

DSK_REGISTER_BINDING(tracker, Init);
