// Network inputs' options (live_source_js.h), and the backoff policy exposed for its unit test:
//   addon.cpuReconnectDelay({ initialDelayMs?, maxDelayMs?, attempts? }, attempt, u?) ->
//     { ceilingMs, delayMs (u in [0, 1), default a random draw), exhausted }
#include "addon/live_source_js.h"

#include <random>
#include <stdexcept>
#include <string>

#include "addon/registry.h"
#include "cpu/reconnect_policy.h"

namespace dsk::addon {
namespace {

int intIn(const Napi::Object& o, const char* key, int def, int lo, int hi, const char* what) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return def;
  const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1e300;
  if (!(d >= lo && d <= hi) || d != static_cast<double>(static_cast<int64_t>(d)))
    throw std::invalid_argument(std::string("CpuPipeline: ") + what + " must be a whole number " + std::to_string(lo) +
                                ".." + std::to_string(hi));
  return static_cast<int>(d);
}

dsk::cpu::ReconnectPolicy policyFrom(const Napi::Value& v, dsk::cpu::ReconnectPolicy p) {
  if (v.IsUndefined() || v.IsNull()) return p;
  if (!v.IsObject()) throw std::invalid_argument("CpuPipeline: options.reconnect must be an object");
  auto r = v.As<Napi::Object>();
  constexpr int kDay = 86'400'000;
  p.maxAttempts = intIn(r, "attempts", p.maxAttempts, 0, 1'000'000'000, "reconnect.attempts (0 = forever)");
  p.initialMs = intIn(r, "initialDelayMs", p.initialMs, 1, kDay, "reconnect.initialDelayMs");
  p.maxMs = intIn(r, "maxDelayMs", p.maxMs, 1, kDay, "reconnect.maxDelayMs");
  if (p.maxMs < p.initialMs) throw std::invalid_argument("CpuPipeline: reconnect.maxDelayMs must be >= reconnect.initialDelayMs");
  p.floorMs = std::min(p.floorMs, p.initialMs);
  return p;
}

Napi::Value ReconnectDelay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const auto p = policyFrom(info[0], dsk::cpu::ReconnectPolicy{});
    if (!info[1].IsNumber()) throw std::invalid_argument("cpuReconnectDelay: attempt expected");
    const int attempt = info[1].As<Napi::Number>().Int32Value();
    double u = 0;
    if (info[2].IsNumber()) {
      u = info[2].As<Napi::Number>().DoubleValue();
    } else {
      static thread_local std::mt19937_64 rng{std::random_device{}()};
      u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    }
    auto o = Napi::Object::New(env);
    o.Set("ceilingMs", static_cast<double>(p.ceilingMs(attempt)));
    o.Set("delayMs", static_cast<double>(p.delayMs(attempt, u)));
    o.Set("exhausted", p.exhausted(attempt));
    return o;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuReconnectDelay", Napi::Function::New(env, ReconnectDelay, "cpuReconnectDelay"));
}

}  // namespace

void configureLiveSources(const Napi::Object& o, dsk::cpu::PipelineOptions& out) {
  constexpr int kDay = 86'400'000;
  out.connectTimeoutMs = intIn(o, "connectTimeoutMs", out.connectTimeoutMs, 100, kDay, "connectTimeoutMs");
  out.stallTimeoutMs = intIn(o, "stallTimeoutMs", out.stallTimeoutMs, 0, kDay, "stallTimeoutMs (0 = no watchdog)");
  out.reconnect = policyFrom(o.Get("reconnect"), out.reconnect);
}

}  // namespace dsk::addon

DSK_REGISTER_BINDING(live_source, dsk::addon::Init);
