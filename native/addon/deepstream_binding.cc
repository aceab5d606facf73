// DeepStreamPipeline: the N-API adapter over dsk::ds::DsPipeline (native/deepstream/ds_pipeline.h), with the
// same shape as the CPU backend's CpuPipeline (pipeline_binding.cc):
//
//   const p = new addon.DeepStreamPipeline({ inputs, inferConfig, analyticsConfig, connStr, topic, mappingJson,
//       trackerLib?, trackerConfig?, trackerWidth?, trackerHeight?, analyticsUniqueId?, msgconvConfig?, msgconvLib?,
//       payloadType?, componentId?, protoLib?, brokerConfig?, display?, osdOutput?, muxWidth?, muxHeight?,
//       batchedPushTimeoutUs?, gpuId?, policy?, deviceIds?, frameEvents?, messageEvents?, eventQueueSize? });
//       rtspReconnectIntervalS?, defaultConfigDir? });
//   await p.start(event => ...);  // resolves once PLAYING: nvinfer's engine load/build runs on a worker thread
//   p.stop();  p.stats();
//   addon.deepstreamElementsAvailable() -> { available, ok (= available), missing, sdkDir, msgconvLib,
//                                            sdkBuilt, sdkRuntime, versionError }
//
// Events: frame / message (dropped and counted when JavaScript is more than eventQueueSize behind: the
// streaming thread never waits), warning / error / streamError / eos (never dropped; posted from the bus thread).
// The pipeline binding is compiled only when the DeepStream SDK was found (DSK_HAVE_DEEPSTREAM); the SDK-free
// decisions it relies on (pipeline plan, SDK version check, default nvinfer config, converter start) are
// exported in every build (deepstreamPlan, deepstreamSdkCheck, deepstreamDefaultInferConfig,
// msgconvStartConverter) so they are tested without DeepStream.
#include <napi.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "addon/registry.h"
#include "core/deepstream/pipeline_plan.h"
#include "core/deepstream/sdk_version.h"
#include "core/msgconv/extmsg.h"
#include "core/msgconv/msgconv_core.h"

namespace {

std::optional<dsk::ds::SdkVersion> versionArg(const Napi::Value& v) {
  if (!v.IsString()) return std::nullopt;
  return dsk::ds::parseSdkVersion(v.As<Napi::String>().Utf8Value());
}

dsk::ds::SdkVersion requiredVersion(const Napi::Env& env, const Napi::Value& v, const char* what) {
  auto r = versionArg(v);
  if (!r) throw Napi::TypeError::New(env, std::string(what) + ": a \"major.minor\" version string expected");
  return *r;
}

// Reads the SDK-free pipeline settings from a JavaScript options object (shared with the pipeline binding).
void readSettings(const Napi::Object& o, dsk::ds::PipelineSettings& s) {
  auto str = [&](const char* k, const std::string& def = "") {
    Napi::Value v = o.Get(k);
    return v.IsString() ? v.As<Napi::String>().Utf8Value() : def;
  };
  auto num = [&](const char* k, int def) {
    Napi::Value v = o.Get(k);
    return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : def;
  };
  Napi::Value inputs = o.Get("inputs");
  if (!inputs.IsArray() || inputs.As<Napi::Array>().Length() == 0)
    throw std::invalid_argument("DeepStreamPipeline: options.inputs must be a non-empty array of paths or URIs");
  auto arr = inputs.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); ++i) s.inputs.push_back(arr.Get(i).ToString().Utf8Value());
  s.inferConfig = str("inferConfig");
  s.defaultConfigDir = str("defaultConfigDir");
  s.trackerLib = str("trackerLib");
  s.trackerConfig = str("trackerConfig");
  s.trackerWidth = num("trackerWidth", s.trackerWidth);
  s.trackerHeight = num("trackerHeight", s.trackerHeight);
  s.analyticsConfig = str("analyticsConfig");
  s.msgconvConfig = str("msgconvConfig");
  s.msgconvLib = str("msgconvLib", s.msgconvLib);
  s.payloadType = num("payloadType", s.payloadType);
  s.componentId = num("componentId", s.componentId);
  s.protoLib = str("protoLib");
  s.connStr = str("connStr");
  s.brokerConfig = str("brokerConfig");
  s.topic = str("topic");
  Napi::Value d = o.Get("display");
  s.display = d.IsBoolean() ? d.As<Napi::Boolean>().Value() : false;
  s.osdOutput = str("osdOutput");
  s.muxWidth = num("muxWidth", s.muxWidth);
  s.muxHeight = num("muxHeight", s.muxHeight);
  s.batchedPushTimeoutUs = num("batchedPushTimeoutUs", s.batchedPushTimeoutUs);
  s.gpuId = num("gpuId", s.gpuId);
  s.rtspReconnectIntervalS = num("rtspReconnectIntervalS", s.rtspReconnectIntervalS);
  s.rtspReconnectAttempts = num("rtspReconnectAttempts", s.rtspReconnectAttempts);
}

// deepstreamPlan(options, { nvurisrcbin? }) -> { live, elements: [{ factory, name, stream, props }], links }
Napi::Value Plan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "deepstreamPlan: options object expected");
  dsk::ds::PipelineSettings s;
  dsk::ds::PlanCaps caps;
  if (info[1].IsObject()) {
    Napi::Value v = info[1].As<Napi::Object>().Get("nvurisrcbin");
    caps.nvurisrcbin = v.IsBoolean() && v.As<Napi::Boolean>().Value();
  }
  dsk::ds::PipelinePlan plan;
  try {
    readSettings(info[0].As<Napi::Object>(), s);
    plan = dsk::ds::planPipeline(s, caps);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  auto out = Napi::Object::New(env);
  out.Set("live", plan.live);
  auto elements = Napi::Array::New(env, plan.elements.size());
  for (size_t i = 0; i < plan.elements.size(); ++i) {
    const auto& e = plan.elements[i];
    auto o = Napi::Object::New(env);
    o.Set("factory", e.factory);
    o.Set("name", e.name);
    o.Set("stream", e.stream);
    auto props = Napi::Object::New(env);
    for (const auto& p : e.props) props.Set(p.name, p.value);
    o.Set("props", props);
    elements.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("elements", elements);
  auto links = Napi::Array::New(env, plan.links.size());
  for (size_t i = 0; i < plan.links.size(); ++i) {
    const auto& l = plan.links[i];
    auto o = Napi::Object::New(env);
    o.Set("from", l.from);
    o.Set("to", l.to);
    if (!l.toPad.empty()) o.Set("toPad", l.toPad);
    o.Set("dynamic", l.dynamic);
    links.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("links", links);
  return out;
}

// deepstreamStreamOfPath(gstObjectPath) -> stream index or -1
Napi::Value StreamOfPath(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), dsk::ds::streamOfObjectPath(info[0].ToString().Utf8Value()));
}

// deepstreamSdkCheck(built, runtime | null) -> "" or the refusal message
Napi::Value SdkCheck(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::String::New(env, dsk::ds::sdkVersionMismatch("ds-kafka", requiredVersion(env, info[0], "deepstreamSdkCheck"),
                                                            versionArg(info[1])));
}

// deepstreamDefaultInferConfig(version) -> file name under config/deepstream, or ""
Napi::Value DefaultInferConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::String::New(env, dsk::ds::defaultInferConfigName(requiredVersion(env, info[0], "deepstreamDefaultInferConfig")));
}

// deepstreamInferConfigMissingModel(text, dir, existingPaths[]) -> the first missing model path, or ""
Napi::Value InferConfigMissingModel(const Napi::CallbackInfo& info) {
  static thread_local std::vector<std::string> existing;
  existing.clear();
  if (info[2].IsArray()) {
    auto a = info[2].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) existing.push_back(a.Get(i).ToString().Utf8Value());
  }
  auto exists = [](const std::string& p) {
    for (const auto& e : existing)
      if (e == p) return true;
    return false;
  };
  return Napi::String::New(info.Env(), dsk::ds::inferConfigMissingModel(info[0].ToString().Utf8Value(),
                                                                          info[1].ToString().Utf8Value(), +exists));
}

// msgconvStartConverter(configFile | null, built, runtime | null) -> { ok, error?, analyticsModuleId? }: the
// decision nvds_msg2p_ctx_create makes (the runtime version is faked here; the converter passes nvds_version()).
Napi::Value StartConverter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string file = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  auto r = dsk::msgconv::startConverter(file.empty() ? nullptr : file.c_str(),
                                        requiredVersion(env, info[1], "msgconvStartConverter"), versionArg(info[2]));
  auto o = Napi::Object::New(env);
  o.Set("ok", r.ok());
  if (!r.ok()) o.Set("error", r.error);
  else o.Set("analyticsModuleId", r.config.analyticsModule.id);
  return o;
}

void InitCore(Napi::Env env, Napi::Object exports) {
  exports.Set("deepstreamPlan", Napi::Function::New(env, Plan, "deepstreamPlan"));
  exports.Set("deepstreamStreamOfPath", Napi::Function::New(env, StreamOfPath, "deepstreamStreamOfPath"));
  exports.Set("deepstreamSdkCheck", Napi::Function::New(env, SdkCheck, "deepstreamSdkCheck"));
  exports.Set("deepstreamDefaultInferConfig", Napi::Function::New(env, DefaultInferConfig, "deepstreamDefaultInferConfig"));
  exports.Set("deepstreamInferConfigMissingModel",
              Napi::Function::New(env, InferConfigMissingModel, "deepstreamInferConfigMissingModel"));
  exports.Set("msgconvStartConverter", Napi::Function::New(env, StartConverter, "msgconvStartConverter"));
}

}  // namespace

DSK_REGISTER_BINDING(deepstream_core, InitCore);

#if DSK_HAVE_DEEPSTREAM

#include "addon/counts_js.h"
#include "addon/event_channel.h"
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
  // Event metas still allocated by the probe (0 after EOS: every NvDsEventMsgMeta's DskExtMsg was released).
  o.Set("extMsgLive", static_cast<double>(dsk::msgconv::extMsgLiveCount()));
  auto errs = Napi::Array::New(env, s.streamErrors.size());
  for (size_t i = 0; i < s.streamErrors.size(); ++i) {
    auto e = Napi::Object::New(env);
    e.Set("streamId", s.streamErrors[i].first);
    e.Set("message", s.streamErrors[i].second);
    errs.Set(static_cast<uint32_t>(i), e);
  }
  o.Set("streamErrors", errs);
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
      options_.msgconvLib = DSK_MSGCONV_LIB_DEFAULT;
      readSettings(o, options_);
      options_.analyticsUniqueId = num("analyticsUniqueId", options_.analyticsUniqueId);
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
      options_.messages.cumulativeBase = dsk::addon::cumulativeBasesFrom(o.Get("cumulativeBase"));  // --resume-counts
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

  // Runs only before start(), after a failed start, or after the eos event was delivered (self_ holds the
  // object until then).
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
    cbs.onStreamError = [weak](int stream, const std::string& msg) {
      if (auto c = weak.lock())
        c->postBlocking([stream, msg](Napi::Env e) {
          auto o = Napi::Object::New(e);
          o.Set("kind", "streamError");
          o.Set("streamId", stream);
          o.Set("message", msg);
          return o;
        });
    };
    try {
      // Built here (element creation is quick); started on a worker: reaching PLAYING waits for nvinfer to
      // deserialise or build its TensorRT engine (seconds to minutes) and must not block the event loop.
      pipeline_ = std::make_unique<DsPipeline>(options_, std::move(cbs));
    } catch (const std::exception& e) {
      pipeline_.reset();
      channel_->close();
      self_.Reset();
      throw Napi::Error::New(env, e.what());
    }
    auto* worker = new StartWorker(env, this);
    auto promise = worker->Promise();
    worker->Queue();
    return promise;
  }

  // Runs DsPipeline::start() off the JavaScript thread; resolves the promise start() returned.
  class StartWorker : public Napi::AsyncWorker {
   public:
    StartWorker(Napi::Env env, DeepStreamPipelineWrap* wrap)
        : Napi::AsyncWorker(env, "ds-kafka DeepStream start"), deferred_(Napi::Promise::Deferred::New(env)), wrap_(wrap),
          pipeline_(wrap->pipeline_.get()) {}
    Napi::Promise Promise() { return deferred_.Promise(); }
    void Execute() override {
      try {
        pipeline_->start();
      } catch (const std::exception& e) {
        SetError(e.what());
      }
    }
    void OnOK() override { deferred_.Resolve(Env().Undefined()); }
    void OnError(const Napi::Error& e) override {
      // Nothing was started: no eos will come. Release the channel (lets the event loop exit) and the object.
      wrap_->channel_->close();
      wrap_->self_.Reset();
      deferred_.Reject(e.Value());
    }

   private:
    Napi::Promise::Deferred deferred_;
    DeepStreamPipelineWrap* wrap_;
    DsPipeline* pipeline_;
  };

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
  const auto built = builtSdkVersion();
  const auto runtime = runtimeSdkVersion();
  o.Set("sdkBuilt", built.str());
  if (runtime) o.Set("sdkRuntime", runtime->str());
  const std::string versionError = dsk::ds::sdkVersionMismatch("ds-kafka's DeepStream backend", built, runtime);
  if (!versionError.empty()) {
    o.Set("versionError", versionError);
    o.Set("available", false);
    o.Set("ok", false);
  }
  return o;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("DeepStreamPipeline", DeepStreamPipelineWrap::Define(env));
  exports.Set("deepstreamElementsAvailable", Napi::Function::New(env, ElementsAvailable, "deepstreamElementsAvailable"));
}

}  // namespace

DSK_REGISTER_BINDING(deepstream, Init);

#endif  // DSK_HAVE_DEEPSTREAM
