// AnalyticsEngine: the nvdsanalytics-like counting engine (native/core/analytics/) exposed to JS.
//   new AnalyticsEngine(resolvedConfigJson)   throws Error with the parser's message (names the JSON path)
//   engine.process(frame)                     -> frame analytics
//   engine.processBatch(frames)               -> array of frame analytics (all frames validated first)
//   engine.forgetObjects(streamId)            forgets the stream's objects, keeps its counts (a reconnect)
// Input types are validated here (TypeError naming the offending field); values of the right type are
// sanitised by the engine (NaN boxes, negative sizes, huge ids never crash it).
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "addon/analytics_js.h"
#include "addon/registry.h"
#include "core/analytics/analytics_config.h"
#include "core/analytics/engine.h"

namespace {

constexpr double kTwoPow64 = 18446744073709551616.0;

[[noreturn]] void typeError(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }

std::string typeOf(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_object: return v.IsArray() ? "array" : "object";
    case napi_function: return "function";
    case napi_external: return "external";
    case napi_bigint: return "bigint";
  }
  return "unknown";
}

Napi::Object asObject(const Napi::Value& v, const std::string& path) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction())
    typeError(v.Env(), path + " must be an object, got " + typeOf(v));
  return v.As<Napi::Object>();
}

Napi::Value field(const Napi::Object& o, const char* key) { return o.Get(key); }

// Any number, NaN and infinities included (the engine sanitises values).
double anyNumber(const Napi::Object& o, const char* key, const std::string& path) {
  Napi::Value v = field(o, key);
  if (!v.IsNumber()) typeError(o.Env(), path + "." + key + " must be a number, got " + typeOf(v));
  return v.As<Napi::Number>().DoubleValue();
}

double finiteNumber(const Napi::Object& o, const char* key, const std::string& path) {
  const double d = anyNumber(o, key, path);
  if (!std::isfinite(d)) typeError(o.Env(), path + "." + key + " must be a finite number, got " + std::to_string(d));
  return d;
}

int int32Field(const Napi::Object& o, const char* key, const std::string& path) {
  const double d = anyNumber(o, key, path);
  if (!std::isfinite(d) || std::floor(d) != d || d < std::numeric_limits<int>::min() ||
      d > std::numeric_limits<int>::max())
    typeError(o.Env(), path + "." + key + " must be an integer in the 32-bit range, got " + std::to_string(d));
  return static_cast<int>(d);
}

// A non-negative integer up to 2^64 - 1: a number (integer, < 2^64) or a bigint.
uint64_t uint64Field(const Napi::Object& o, const char* key, const std::string& path) {
  Napi::Value v = field(o, key);
  if (v.IsBigInt()) {
    bool lossless = false;
    const uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) typeError(o.Env(), path + "." + key + " must be a bigint in [0, 2^64 - 1]");
    return u;
  }
  if (!v.IsNumber()) typeError(o.Env(), path + "." + key + " must be a non-negative integer (number or bigint), got " + typeOf(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < 0 || d >= kTwoPow64)
    typeError(o.Env(), path + "." + key + " must be a non-negative integer below 2^64, got " + std::to_string(d));
  return static_cast<uint64_t>(d);
}

// Frame dimension: a number; non-finite, non-positive or oversized values become 0 ("use config size").
int dimension(const Napi::Object& o, const char* key, const std::string& path) {
  const double d = anyNumber(o, key, path);
  if (!(d >= 1) || d > std::numeric_limits<int>::max()) return 0;
  return static_cast<int>(d);
}

dsk::FrameInput frameFromJs(const Napi::Value& value, const std::string& path) {
  Napi::Object f = asObject(value, path);
  dsk::FrameInput in;
  in.streamId = int32Field(f, "streamId", path);
  in.frameNum = uint64Field(f, "frameNum", path);
  const double pts = finiteNumber(f, "ptsMs", path);
  if (std::fabs(pts) >= 9.0e18) typeError(f.Env(), path + ".ptsMs is out of range");
  in.ptsMs = static_cast<int64_t>(std::floor(pts));
  in.frameWidth = dimension(f, "frameWidth", path);
  in.frameHeight = dimension(f, "frameHeight", path);
  Napi::Value objs = field(f, "objects");
  if (!objs.IsArray()) typeError(f.Env(), path + ".objects must be an array, got " + typeOf(objs));
  Napi::Array arr = objs.As<Napi::Array>();
  const uint32_t n = arr.Length();
  in.objects.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const std::string p = path + ".objects[" + std::to_string(i) + "]";
    Napi::Object o = asObject(arr.Get(i), p);
    dsk::TrackedObject t;
    t.id = uint64Field(o, "id", p);
    t.classId = int32Field(o, "classId", p);
    t.box.left = anyNumber(o, "left", p);
    t.box.top = anyNumber(o, "top", p);
    t.box.width = anyNumber(o, "width", p);
    t.box.height = anyNumber(o, "height", p);
    Napi::Value c = field(o, "confidence");
    if (!c.IsUndefined() && !c.IsNull()) {
      if (!c.IsNumber()) typeError(o.Env(), p + ".confidence must be a number when present, got " + typeOf(c));
      t.confidence = c.As<Napi::Number>().DoubleValue();
    }
    in.objects.push_back(t);
  }
  return in;
}

Napi::Object resultToJs(Napi::Env env, const dsk::FrameAnalytics& r) {
  Napi::Object o = dsk::addon::frameAnalyticsToJs(env, r, true);
  o.Delete("dirCnt");  // the engine API reports statuses per object; dirCnt is for payload records
  return o;
}

class AnalyticsEngineWrap : public Napi::ObjectWrap<AnalyticsEngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "AnalyticsEngine",
                       {InstanceMethod<&AnalyticsEngineWrap::Process>("process"),
                        InstanceMethod<&AnalyticsEngineWrap::ProcessBatch>("processBatch"),
                        InstanceMethod<&AnalyticsEngineWrap::ForgetObjects>("forgetObjects")});
  }

  explicit AnalyticsEngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AnalyticsEngineWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString())
      typeError(env, "AnalyticsEngine(resolvedConfigJson): expected a JSON string, got " +
                         (info.Length() < 1 ? std::string("nothing") : typeOf(info[0])));
    try {
      engine_ = std::make_unique<dsk::AnalyticsEngine>(
          dsk::analyticsConfigFromJson(info[0].As<Napi::String>().Utf8Value()));
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

 private:
  Napi::Value Process(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1) typeError(env, "process(frame): missing frame");
    dsk::FrameInput in = frameFromJs(info[0], "frame");
    return resultToJs(env, run(env, in));
  }

  Napi::Value ProcessBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArray())
      typeError(env, "processBatch(frames): expected an array, got " +
                         (info.Length() < 1 ? std::string("nothing") : typeOf(info[0])));
    Napi::Array frames = info[0].As<Napi::Array>();
    const uint32_t n = frames.Length();
    std::vector<dsk::FrameInput> inputs;
    inputs.reserve(n);
    for (uint32_t i = 0; i < n; ++i) inputs.push_back(frameFromJs(frames.Get(i), "frames[" + std::to_string(i) + "]"));
    Napi::Array out = Napi::Array::New(env, n);
    for (uint32_t i = 0; i < n; ++i) out.Set(i, resultToJs(env, run(env, inputs[i])));
    return out;
  }

  Napi::Value ForgetObjects(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsNumber()) typeError(info.Env(), "forgetObjects(streamId): expected a number");
    engine_->forgetObjects(info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
  }

  dsk::FrameAnalytics run(Napi::Env env, const dsk::FrameInput& in) {
    try {
      return engine_->process(in);
    } catch (const std::exception& e) {  // not expected; never let a C++ exception escape to N-API
      throw Napi::Error::New(env, std::string("AnalyticsEngine.process: ") + e.what());
    }
  }

  std::unique_ptr<dsk::AnalyticsEngine> engine_;
};

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("AnalyticsEngine", AnalyticsEngineWrap::Define(env));
}

}  // namespace

DSK_REGISTER_BINDING(analytics, Init);
