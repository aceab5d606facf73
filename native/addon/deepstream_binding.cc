// DeepStreamPipeline: the N-API adapter over dsk::ds::DsPipeline (native/deepstream/ds_pipeline.h), with the
// same shape as the CPU backend's CpuPipeline (pipeline_binding.cc):
//
//   const p = new addon.DeepStreamPipeline({ inputs, inferConfig, analyticsConfig, connStr, topic, mappingJson,
//       trackerLib?, trackerConfig?, trackerWidth?, trackerHeight?, analyticsUniqueId?, msgconvConfig?, msgconvLib?,
//       payloadType?, componentId?, protoLib?, brokerConfig?, display?, muxWidth?, muxHeight?,
//       batchedPushTimeoutUs?, gpuId?, policy?, deviceIds?, frameEvents?, messageEvents?, eventQueueSize? });
//   p.start(event => ...);  p.stop();  p.stats();
//   addon.deepstreamElementsAvailable() -> { available, ok (= available), missing, sdkDir, msgconvLib }
//
// Events: frame / message (dropped and counted when JavaScript is more than eventQueueSize behind: the
// streaming thread never waits), warning / error / eos (never dropped; posted from the bus thread).
// Compiled only when the DeepStream SDK was found (DSK_HAVE_DEEPSTREAM).
#if DSK_HAVE_DEEPSTREAM

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "addon/event_channel.h"
#include "addon/registry.h"
#include "core/payload/payload_mapping.h"
#include "deepstream/ds_pipeline.h"

#ifndef DSK_MSGCONV_LIB_DEFAULT
#define DSK_MSGCONV_LIB_DEFAULT ""
#endif

namespace {

using dsk::addon::EventChannel;
using namespace dsk::ds;

template <typename M>
Napi::Object labelMap(Napi::Env env, const M& m) {
  auto o = Napi::Object::New(env);
  for (const auto& [k, v] : m) o.Set(k, static_cast<double>(v));
  return o;
}

Napi::Object frameToJs(Napi::Env env, const dsk::FrameAnalytics& f, int numObjects) {
  auto o = Napi::Object::New(env);
  o.Set("kind", "frame");
  o.Set("streamId", f.streamId);
  o.Set("frameNum", static_cast<double>(f.frameNum));
  o.Set("ptsMs", static_cast<double>(f.ptsMs));
  o.Set("numObjects", numObjects);
  o.Set("objLCCurrCnt", labelMap(env, f.objLCCurrCnt));
  o.Set("objLCCumCnt", labelMap(env, f.objLCCumCnt));
  o.Set("objInROIcnt", labelMap(env, f.objInROIcnt));
  auto oc = Napi::Object::New(env);
  for (const auto& [k, v] : f.ocStatus) oc.Set(k, v);
  o.Set("ocStatus", oc);
  auto cnt = Napi::Object::New(env);
  for (const auto& [k, v] : f.objCnt) cnt.Set(std::to_string(k), static_cast<double>(v));
  o.Set("objCnt", cnt);
  return o;
}

Napi::Object summaryToJs(Napi::Env env, const DsRunSummary& s, uint64_t dropped) {
  auto o = Napi::Object::New(env);
  o.Set("wallMs", s.wallMs);
  o.Set("stopped", s.stopped);
  if (!s.error.empty()) o.Set("error", s.error);
  o.Set("frames", static_cast<double>(s.probe.frames));
  o.Set("framesWithoutAnalytics", static_cast<double>(s.probe.framesWithoutMeta));
  o.Set("messages", static_cast<double>(s.probe.messages));
  o.Set("attachFailures", static_cast<double>(s.probe.attachFailures));
  o.Set("eventsDropped", static_cast<double>(dropped));
  return o;
}

class DeepStreamPipelineWrap : public Napi::ObjectWrap<DeepStreamPipelineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "DeepStreamPipeline",
                       {InstanceMethod("start", &DeepStreamPipelineWrap::Start),
                        InstanceMethod("stop", &DeepStreamPipelineWrap::Stop),
                        InstanceMethod("stats", &DeepStreamPipelineWrap::Stats)});
  }

  explicit DeepStreamPipelineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeepStreamPipelineWrap>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "DeepStreamPipeline: options object expected");
    auto o = info[0].As<Napi::Object>();
    auto str = [&](const char* k, const std::string& def = "") {
      Napi::Value v = o.Get(k);
      return v.IsString() ? v.As<Napi::String>().Utf8Value() : def;
    };
    auto num = [&](const char* k, int def) {
      Napi::Value v = o.Get(k);
      return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : def;
    };
    auto flag = [&](const char* k, bool def) {
      Napi::Value v = o.Get(k);
      return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : def;
    };
    try {
      Napi::Value inputs = o.Get("inputs");
      if (!inputs.IsArray() || inputs.As<Napi::Array>().Length() == 0)
        throw std::invalid_argument("DeepStreamPipeline: options.inputs must be a non-empty array of paths or URIs");
      auto arr = inputs.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); ++i) options_.inputs.push_back(arr.Get(i).ToString().Utf8Value());
      options_.inferConfig = str("inferConfig");
      options_.trackerLib = str("trackerLib");
      options_.trackerConfig = str("trackerConfig");
      options_.trackerWidth = num("trackerWidth", options_.trackerWidth);
      options_.trackerHeight = num("trackerHeight", options_.trackerHeight);
      options_.analyticsConfig = str("analyticsConfig");
      options_.analyticsUniqueId = num("analyticsUniqueId", options_.analyticsUniqueId);
      options_.msgconvConfig = str("msgconvConfig");
      options_.msgconvLib = str("msgconvLib", DSK_MSGCONV_LIB_DEFAULT);
      options_.payloadType = num("payloadType", options_.payloadType);
      options_.componentId = num("componentId", options_.componentId);
      options_.protoLib = str("protoLib");
      options_.connStr = str("connStr");
      options_.brokerConfig = str("brokerConfig");
      options_.topic = str("topic");
      options_.display = flag("display", false);
      options_.muxWidth = num("muxWidth", options_.muxWidth);
      options_.muxHeight = num("muxHeight", options_.muxHeight);
      options_.batchedPushTimeoutUs = num("batchedPushTimeoutUs", options_.batchedPushTimeoutUs);
      options_.gpuId = num("gpuId", options_.gpuId);
      options_.messages.mapping = dsk::payloadMappingFromJson(str("mappingJson", "{\"streams\":[]}"));
      if (o.Get("policy").IsObject()) {
        auto p = o.Get("policy").As<Napi::Object>();
        auto& pol = options_.messages.policy;
        if (p.Get("onLineCrossing").IsBoolean()) pol.onLineCrossing = p.Get("onLineCrossing").As<Napi::Boolean>();
        if (p.Get("frameInterval").IsNumber()) pol.frameInterval = p.Get("frameInterval").As<Napi::Number>().Uint32Value();
        if (p.Get("onRoiChange").IsBoolean()) pol.onRoiChange = p.Get("onRoiChange").As<Napi::Boolean>();
        if (p.Get("onOvercrowdingChange").IsBoolean())
          pol.onOvercrowdingChange = p.Get("onOvercrowdingChange").As<Napi::Boolean>();
      }
      if (o.Get("deviceIds").IsArray()) {
        auto ids = o.Get("deviceIds").As<Napi::Array>();
        for (uint32_t i = 0; i < ids.Length(); ++i) options_.messages.deviceIds.push_back(ids.Get(i).ToString().Utf8Value());
      }
      frameEvents_ = flag("frameEvents", true);
      messageEvents_ = flag("messageEvents", true);
      const int cap = num("eventQueueSize", 1024);
      capacity_ = static_cast<size_t>(cap < 1 ? 1 : cap);
      DsPipeline::validate(options_);  // options, files and elements: mistakes throw from the constructor
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

  // Runs only before start() or after the eos event was delivered (self_ holds the object until then).
  ~DeepStreamPipelineWrap() override {
    if (pipeline_) pipeline_->stop();
    pipeline_.reset();
    if (channel_) channel_->close();
  }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "DeepStreamPipeline.start: event callback expected");
    if (pipeline_) throw Napi::Error::New(env, "DeepStreamPipeline.start: already started");
    channel_ = std::make_shared<EventChannel>(env, info[0].As<Napi::Function>(), "ds-kafka DeepStreamPipeline events", capacity_);
    self_ = Napi::Persistent(info.This().As<Napi::Object>());
    std::weak_ptr<EventChannel> weak = channel_;
    DsPipelineCallbacks cbs;
    if (frameEvents_)
      cbs.onFrame = [weak](const dsk::FrameAnalytics& f, int n) {
        if (auto c = weak.lock()) c->post([f, n](Napi::Env e) { return frameToJs(e, f, n); });
      };
    if (messageEvents_)
      cbs.onMessage = [weak](const dsk::FrameAnalytics& f, const dsk::msgconv::FrameMessage& m) {
        if (auto c = weak.lock())
          c->post([sid = f.streamId, fn = f.frameNum, reason = std::string(m.reason), ctx = m.ctx, payload = m.payload](Napi::Env e) {
            auto o = Napi::Object::New(e);
            o.Set("kind", "message");
            o.Set("streamId", sid);
            o.Set("frameNum", static_cast<double>(fn));
            o.Set("reason", reason);
            o.Set("messageId", ctx.messageId);
            o.Set("timestamp", ctx.timestamp);
            o.Set("deviceId", ctx.deviceId);
            o.Set("payload", payload);
            return o;
          });
      };
    auto notice = [weak](const char* kind) {
      return [weak, kind](const std::string& msg) {
        if (auto c = weak.lock())
          c->postBlocking([kind, msg](Napi::Env e) {
            auto o = Napi::Object::New(e);
            o.Set("kind", kind);
            o.Set("message", msg);
            return o;
          });
      };
    };
    cbs.onWarning = notice("warning");
    cbs.onError = notice("error");
    cbs.onEos = [weak, this](const DsRunSummary& s) {
      if (auto c = weak.lock())
        c->postBlocking([weak, s, this](Napi::Env e) {
          auto c2 = weak.lock();
          auto o = summaryToJs(e, s, c2 ? c2->dropped() : 0);
          o.Set("kind", "eos");
          if (c2) c2->close();  // the last event: lets the event loop exit
          self_.Reset();
          return o;
        });
    };
    try {
      pipeline_ = std::make_unique<DsPipeline>(options_, std::move(cbs));
      pipeline_->start();
    } catch (const std::exception& e) {
      pipeline_.reset();
      channel_->close();
      self_.Reset();
      throw Napi::Error::New(env, e.what());
    }
    return info.This();
  }

  // Never waits on the JS thread (the bus thread may be posting to JS): the eos event follows.
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (pipeline_) pipeline_->stop(10000, false);
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto o = summaryToJs(env, pipeline_ ? pipeline_->stats() : DsRunSummary{}, channel_ ? channel_->dropped() : 0);
    o.Set("running", pipeline_ && !pipeline_->finished());
    return o;
  }

  DsPipelineOptions options_;
  std::unique_ptr<DsPipeline> pipeline_;
  std::shared_ptr<EventChannel> channel_;
  size_t capacity_ = 1024;
  bool frameEvents_ = true;
  bool messageEvents_ = true;
  Napi::ObjectReference self_;
};

Napi::Value ElementsAvailable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto missing = missingDeepStreamElements();
  auto o = Napi::Object::New(env);
  o.Set("available", missing.empty());
  o.Set("ok", missing.empty());  // the name src/pipeline/backend.ts reads
  auto arr = Napi::Array::New(env, missing.size());
  for (size_t i = 0; i < missing.size(); ++i) arr.Set(static_cast<uint32_t>(i), missing[i]);
  o.Set("missing", arr);
  o.Set("sdkDir", deepStreamDir());
  o.Set("msgconvLib", DSK_MSGCONV_LIB_DEFAULT);
  return o;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("DeepStreamPipeline", DeepStreamPipelineWrap::Define(env));
  exports.Set("deepstreamElementsAvailable", Napi::Function::New(env, ElementsAvailable, "deepstreamElementsAvailable"));
}

}  // namespace

DSK_REGISTER_BINDING(deepstream, Init);

#endif  // DSK_HAVE_DEEPSTREAM
