// Test seam for ds-kafka's message converter and the DeepStream probe's SDK-free core
// (native/core/msgconv/), so both run on machines without DeepStream:
//
//   msgconvParseConfig(text, fileName?)            -> { analyticsModule, analyticsModuleFromFile, sensorIds }
//   msgconvPayloadForEvent(event, configText?)     -> string   what libnvds_dskafka_msgconv.so sends for one
//       event = { ts?, sensorStr?, sensorId?, messageId?, extPayload?, extKind?: 'ours'|'foreign'|'short' }
//       extPayload travels as the probe sends it: DskExtMsg created, deep-copied (event-meta copy), the copy
//       converted, both released.
//   msgconvPayloadFromExtMsg(payload)              -> string   the same round trip, no fallback fields
//   msgconvExtMsgLive()                            -> number   DskExtMsg objects not yet freed (leak check)
//   msgconvBuildPayload(mappingJson, record, ctx)  -> string   core buildPayload (the CPU backend's builder)
//   msgconvProbeMessages(options, frames)          -> [{ streamId, frameNum, reason, ctx, payload }]
//       the probe's path for NvDsAnalytics*-shaped frames: meta -> FrameAnalytics -> SendDecider ->
//       buildPayload -> DskExtMsg -> meta copy -> converter -> payload.
//       options = { mappingJson, policy?: { onLineCrossing?, frameInterval?, onRoiChange?, onOvercrowdingChange? },
//                   deviceIds?: string[], configText? }
//       frame   = { streamId, frameNum, ntpTimestampNs?, frameMeta: { ocStatus, objInROIcnt, objLCCurrCnt,
//                   objLCCumCnt, objCnt }, objects?: [{ id, classId, roiStatus?, ocStatus?, lcStatus?, dirStatus? }] }
#include <napi.h>

#include <chrono>
#include <string>

#include "addon/counts_js.h"
#include "addon/registry.h"
#include "core/msgconv/extmsg.h"
#include "core/msgconv/frame_messages.h"
#include "core/msgconv/msgconv_core.h"
#include "core/payload/payload_builder.h"
#include "core/payload/payload_mapping.h"

namespace {

using namespace dsk;
using namespace dsk::msgconv;

std::string optString(const Napi::Object& o, const char* k, const std::string& def = "") {
  Napi::Value v = o.Get(k);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : def;
}

double optNumber(const Napi::Object& o, const char* k, double def) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : def;
}

bool optBool(const Napi::Object& o, const char* k, bool def) {
  Napi::Value v = o.Get(k);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : def;
}

Napi::Object objectArg(const Napi::Value& v, const char* what) {
  if (!v.IsObject()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be an object");
  return v.As<Napi::Object>();
}

template <typename F>
void forEachKey(const Napi::Value& v, F&& f) {
  if (!v.IsObject()) return;
  Napi::Object o = v.As<Napi::Object>();
  Napi::Array keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    std::string k = keys.Get(i).ToString().Utf8Value();
    f(k, o.Get(k));
  }
}

std::vector<std::string> stringList(const Napi::Value& v) {
  std::vector<std::string> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(a.Get(i).ToString().Utf8Value());
  return out;
}

ConverterConfig configFrom(const Napi::Value& v) {
  if (!v.IsString()) return ConverterConfig{};
  return parseConverterConfig(v.As<Napi::String>().Utf8Value(), "<config>");
}

Napi::Object moduleToJs(Napi::Env env, const AnalyticsModuleInfo& m) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", m.id);
  o.Set("description", m.description);
  o.Set("source", m.source);
  o.Set("version", m.version);
  return o;
}

Napi::Object ctxToJs(Napi::Env env, const MessageContext& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("messageId", c.messageId);
  o.Set("timestamp", c.timestamp);
  o.Set("deviceId", c.deviceId);
  return o;
}

// The probe's hand-over: DskExtMsg on the meta, the meta copied downstream, the copy converted, both freed.
std::string roundTrip(const ConverterConfig& cfg, const std::string& payload, const EventFields& ev) {
  DskExtMsg* attached = extMsgNew(payload);
  if (!attached) throw std::bad_alloc();
  DskExtMsg* copied = extMsgCopy(attached);
  std::string out = payloadForEvent(cfg, copied, copied ? sizeof(DskExtMsg) : 0, ev);
  extMsgFree(copied);
  extMsgFree(attached);
  return out;
}

template <typename F>
Napi::Value guarded(Napi::Env env, F&& f) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

Napi::Value ParseConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "msgconvParseConfig(text, fileName?)");
  return guarded(env, [&]() -> Napi::Value {
    std::string name = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "<config>";
    ConverterConfig c = parseConverterConfig(info[0].As<Napi::String>().Utf8Value(), name);
    Napi::Object o = Napi::Object::New(env);
    o.Set("analyticsModule", moduleToJs(env, c.analyticsModule));
    o.Set("analyticsModuleFromFile", c.analyticsModuleFromFile);
    Napi::Object s = Napi::Object::New(env);
    for (const auto& [k, v] : c.sensorIds) s.Set(std::to_string(k), v);
    o.Set("sensorIds", s);
    return o;
  });
}

Napi::Value PayloadForEvent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Napi::Object e = objectArg(info[0], "msgconvPayloadForEvent: event");
    ConverterConfig cfg = configFrom(info[1]);
    EventFields ev;
    ev.ts = optString(e, "ts");
    ev.sensorStr = optString(e, "sensorStr");
    ev.sensorId = static_cast<int>(optNumber(e, "sensorId", 0));
    ev.messageId = optString(e, "messageId");
    const std::string kind = optString(e, "extKind", "ours");
    if (!e.Get("extPayload").IsString()) return Napi::String::New(env, payloadForEvent(cfg, nullptr, 0, ev));
    const std::string payload = optString(e, "extPayload");
    if (kind == "ours") return Napi::String::New(env, roundTrip(cfg, payload, ev));
    DskExtMsg fake{};  // not one of ours: wrong magic, or a size that cannot hold a DskExtMsg
    fake.magic = kind == "foreign" ? 0x12345678u : DSK_EXTMSG_MAGIC;
    fake.version = DSK_EXTMSG_VERSION;
    fake.payload = const_cast<char*>(payload.c_str());
    fake.payloadSize = payload.size();
    return Napi::String::New(env, payloadForEvent(cfg, &fake, kind == "short" ? sizeof(DskExtMsg) - 1 : sizeof fake, ev));
  });
}

Napi::Value PayloadFromExtMsg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "msgconvPayloadFromExtMsg(payload: string)");
  return guarded(env, [&]() -> Napi::Value {
    return Napi::String::New(env, roundTrip(ConverterConfig{}, info[0].As<Napi::String>().Utf8Value(), EventFields{}));
  });
}

Napi::Value ExtMsgLive(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(extMsgLiveCount()));
}

// A frame in NvDsAnalyticsFrameMeta's shape -> the SDK-struct mirror.
AnalyticsFrameMetaMirror frameMetaFrom(const Napi::Value& v) {
  AnalyticsFrameMetaMirror m;
  if (!v.IsObject()) return m;
  Napi::Object o = v.As<Napi::Object>();
  forEachKey(o.Get("ocStatus"), [&](const std::string& k, const Napi::Value& x) { m.ocStatus[k] = x.ToBoolean().Value(); });
  forEachKey(o.Get("objInROIcnt"), [&](const std::string& k, const Napi::Value& x) {
    m.objInROIcnt[k] = x.ToNumber().Uint32Value();
  });
  forEachKey(o.Get("objLCCurrCnt"), [&](const std::string& k, const Napi::Value& x) {
    m.objLCCurrCnt[k] = static_cast<uint64_t>(x.ToNumber().Int64Value());
  });
  forEachKey(o.Get("objLCCumCnt"), [&](const std::string& k, const Napi::Value& x) {
    m.objLCCumCnt[k] = static_cast<uint64_t>(x.ToNumber().Int64Value());
  });
  forEachKey(o.Get("objCnt"), [&](const std::string& k, const Napi::Value& x) {
    m.objCnt[std::stoi(k)] = x.ToNumber().Uint32Value();
  });
  return m;
}

// A JS frame record (FrameAnalyticsRecord of src/payload/build.ts) -> FrameAnalytics.
FrameAnalytics recordFrom(const Napi::Object& r) {
  FrameAnalytics f;
  f.streamId = static_cast<int>(optNumber(r, "streamId", 0));
  f.frameNum = static_cast<uint64_t>(optNumber(r, "frameNum", 0));
  f.ptsMs = static_cast<int64_t>(optNumber(r, "ptsMs", 0));
  copyAnalyticsFrameMeta(frameMetaFrom(r), f);
  // dirCnt (label -> objects moving that way) as objects with dirStatus DIR:<label>, as the engine reports them.
  uint64_t nextId = 1;
  forEachKey(r.Get("dirCnt"), [&](const std::string& k, const Napi::Value& x) {
    for (uint32_t i = 0; i < x.ToNumber().Uint32Value(); ++i) {
      ObjectAnalytics a;
      a.id = nextId++;
      a.dirStatus = "DIR:" + k;
      f.objects.push_back(a);
    }
  });
  return f;
}

Napi::Value BuildPayload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "msgconvBuildPayload(mappingJson, record, ctx)");
  return guarded(env, [&]() -> Napi::Value {
    PayloadMapping mapping = payloadMappingFromJson(info[0].As<Napi::String>().Utf8Value());
    FrameAnalytics f = recordFrom(objectArg(info[1], "record"));
    Napi::Object c = objectArg(info[2], "ctx");
    MessageContext ctx{optString(c, "messageId"), optString(c, "timestamp"), optString(c, "deviceId")};
    return Napi::String::New(env, buildPayload(mapping, f, ctx));
  });
}

Napi::Value ProbeMessages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Napi::Object o = objectArg(info[0], "msgconvProbeMessages: options");
    if (!info[1].IsArray()) throw Napi::TypeError::New(env, "msgconvProbeMessages: frames must be an array");
    FrameMessageOptions opts;
    opts.mapping = payloadMappingFromJson(optString(o, "mappingJson", "{\"streams\":[]}"));
    if (o.Get("policy").IsObject()) {
      Napi::Object p = o.Get("policy").As<Napi::Object>();
      opts.policy.onLineCrossing = optBool(p, "onLineCrossing", opts.policy.onLineCrossing);
      opts.policy.frameInterval = static_cast<uint32_t>(optNumber(p, "frameInterval", opts.policy.frameInterval));
      opts.policy.onRoiChange = optBool(p, "onRoiChange", opts.policy.onRoiChange);
      opts.policy.onOvercrowdingChange = optBool(p, "onOvercrowdingChange", opts.policy.onOvercrowdingChange);
    }
    opts.deviceIds = stringList(o.Get("deviceIds"));
    opts.cumulativeBase = dsk::addon::cumulativeBasesFrom(o.Get("cumulativeBase"));
    ConverterConfig cfg = configFrom(o.Get("configText"));
    FrameMessageBuilder builder(std::move(opts));

    Napi::Array frames = info[1].As<Napi::Array>();
    Napi::Array out = Napi::Array::New(env);
    const auto now = std::chrono::system_clock::now();
    for (uint32_t i = 0; i < frames.Length(); ++i) {
      Napi::Object fr = objectArg(frames.Get(i), "frame");
      FrameAnalytics f;
      f.streamId = static_cast<int>(optNumber(fr, "streamId", 0));
      f.frameNum = static_cast<uint64_t>(optNumber(fr, "frameNum", i));
      f.ptsMs = static_cast<int64_t>(optNumber(fr, "ptsMs", 0));
      copyAnalyticsFrameMeta(frameMetaFrom(fr.Get("frameMeta")), f);
      if (fr.Get("objects").IsArray()) {
        Napi::Array objs = fr.Get("objects").As<Napi::Array>();
        for (uint32_t j = 0; j < objs.Length(); ++j) {
          Napi::Object ob = objectArg(objs.Get(j), "object");
          AnalyticsObjInfoMirror oi;
          oi.roiStatus = stringList(ob.Get("roiStatus"));
          oi.ocStatus = stringList(ob.Get("ocStatus"));
          oi.lcStatus = stringList(ob.Get("lcStatus"));
          oi.dirStatus = optString(ob, "dirStatus");
          f.objects.push_back(analyticsObjectFrom(static_cast<uint64_t>(optNumber(ob, "id", 0)),
                                                  static_cast<int>(optNumber(ob, "classId", 0)), oi));
        }
      }
      const uint64_t ntp = static_cast<uint64_t>(optNumber(fr, "ntpTimestampNs", 0));
      builder.resumeCounts(f);  // as the probe does, before anything reads the frame
      auto msg = builder.onFrame(f, frameWallClock(ntp, now));
      if (!msg) continue;
      EventFields ev;  // what the probe also writes into NvDsEventMsgMeta
      ev.ts = msg->ctx.timestamp;
      ev.sensorStr = msg->ctx.deviceId;
      ev.sensorId = f.streamId;
      Napi::Object m = Napi::Object::New(env);
      m.Set("streamId", f.streamId);
      m.Set("frameNum", static_cast<double>(f.frameNum));
      m.Set("reason", msg->reason);
      m.Set("ctx", ctxToJs(env, msg->ctx));
      m.Set("payload", roundTrip(cfg, msg->payload, ev));
      out.Set(out.Length(), m);
    }
    return out;
  });
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("msgconvParseConfig", Napi::Function::New(env, ParseConfig, "msgconvParseConfig"));
  exports.Set("msgconvPayloadForEvent", Napi::Function::New(env, PayloadForEvent, "msgconvPayloadForEvent"));
  exports.Set("msgconvPayloadFromExtMsg", Napi::Function::New(env, PayloadFromExtMsg, "msgconvPayloadFromExtMsg"));
  exports.Set("msgconvExtMsgLive", Napi::Function::New(env, ExtMsgLive, "msgconvExtMsgLive"));
  exports.Set("msgconvBuildPayload", Napi::Function::New(env, BuildPayload, "msgconvBuildPayload"));
  exports.Set("msgconvProbeMessages", Napi::Function::New(env, ProbeMessages, "msgconvProbeMessages"));
}

}  // namespace

DSK_REGISTER_BINDING(msgconv, Init);
