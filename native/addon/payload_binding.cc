// The native payload builder (native/core/payload/) exposed for tests, so the kafkajs path's TypeScript
// twin (src/payload/build.ts) can be held to the same bytes:
//   buildPayloadNative(mappingJson, frame, ctx)  -> the message the native path sends for that frame
//   sendDecision(policy, frames)                 -> per frame, why it is sent ("line-crossing", ...) or null
//   uuidV4()                                     -> a fresh UUID v4
//   rfc3339Millis(epochMs)                       -> "2022-08-20T09:05:01.695Z"
//   extractKeyNative(json, dottedPath)           -> the partition key, "" for none
//
// frame = { streamId, frameNum, ptsMs, objLCCurrCnt, objLCCumCnt, objInROIcnt, ocStatus, objCnt, dirCnt? }
// (FrameAnalyticsRecord in src/payload/build.ts). dirCnt { label: n } becomes n objects with dirStatus
// "DIR:<label>", which is what the native dir_count field counts.
//
// Strings are read from their UTF-16 code units and encoded as WTF-8: a lone surrogate stays a lone
// surrogate (3 bytes ED Ax xx) instead of becoming U+FFFD, so the JSON writer escapes it as \udXXX exactly
// like JSON.stringify. Only the mapping cannot carry one: it arrives as JSON text and the JSON parser
// rejects an escaped lone surrogate (the call throws).
#include <napi.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "addon/registry.h"
#include "core/payload/payload_builder.h"
#include "core/payload/payload_mapping.h"
#include "core/payload/send_policy.h"
#include "core/types.h"

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;
constexpr double kMaxDirObjects = 1e6;  // dirCnt synthesises objects; keep a test typo from eating memory

[[noreturn]] void typeError(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] void rangeError(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

// UTF-16 code units -> WTF-8 (UTF-8 that also encodes unpaired surrogates).
std::string wtf8(const std::u16string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t cp = s[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(s[i + 1]) - 0xDC00);
      ++i;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

std::string str(const Napi::Value& v, const std::string& path) {
  if (!v.IsString()) typeError(v.Env(), path + " must be a string");
  return wtf8(v.As<Napi::String>().Utf16Value());
}

Napi::Object obj(const Napi::Value& v, const std::string& path) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) typeError(v.Env(), path + " must be an object");
  return v.As<Napi::Object>();
}

// An integer in [min, max] (both within the safe-integer range).
double integer(const Napi::Value& v, const std::string& path, double min, double max) {
  if (!v.IsNumber()) typeError(v.Env(), path + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || d < min || d > max)
    rangeError(v.Env(), path + " must be an integer in [" + std::to_string(static_cast<int64_t>(min)) + ", " +
                            std::to_string(static_cast<int64_t>(max)) + "]");
  return d;
}

// Own enumerable string keys, like Object.keys (Napi's GetPropertyNames also walks the prototype chain).
std::vector<std::pair<std::string, Napi::Value>> ownEntries(const Napi::Object& o, const std::string& path) {
  napi_env env = o.Env();
  napi_value names = nullptr;
  napi_status st = napi_get_all_property_names(env, o, napi_key_own_only,
                                               static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
                                               napi_key_numbers_to_strings, &names);
  NAPI_THROW_IF_FAILED(env, st, {});
  Napi::Array keys(env, names);
  std::vector<std::pair<std::string, Napi::Value>> out;
  out.reserve(keys.Length());
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    Napi::Value k = keys.Get(i);
    out.emplace_back(str(k, path + " key"), o.Get(k));
  }
  return out;
}

template <typename Map, typename Conv>
void readMap(const Napi::Object& frame, const std::string& where, const char* key, Map& into, Conv conv) {
  const std::string path = where + "." + key;
  for (auto& [k, v] : ownEntries(obj(frame.Get(key), path), path)) into[k] = conv(v, path + "[" + k + "]");
}

// The class id an objCnt key names; only the canonical decimal form (as String(classId) writes it), so a
// key that JavaScript would not find under that spelling cannot be found natively either.
int classIdKey(Napi::Env env, const std::string& k, const std::string& path) {
  size_t pos = 0;
  long long v = 0;
  try {
    v = std::stoll(k, &pos, 10);
  } catch (const std::exception&) {
    typeError(env, path + ": key \"" + k + "\" is not a class id");
  }
  if (pos != k.size() || std::to_string(v) != k || v < INT32_MIN || v > INT32_MAX)
    typeError(env, path + ": key \"" + k + "\" is not a class id (canonical decimal int32)");
  return static_cast<int>(v);
}

dsk::FrameAnalytics frameFromJs(const Napi::Value& value, const std::string& where) {
  Napi::Env env = value.Env();
  Napi::Object f = obj(value, where);
  dsk::FrameAnalytics fa;
  fa.streamId = static_cast<int>(integer(f.Get("streamId"), where + ".streamId", INT32_MIN, INT32_MAX));
  fa.frameNum = static_cast<uint64_t>(integer(f.Get("frameNum"), where + ".frameNum", 0, kMaxSafeInteger));
  fa.ptsMs = static_cast<int64_t>(integer(f.Get("ptsMs"), where + ".ptsMs", -kMaxSafeInteger, kMaxSafeInteger));
  auto count64 = [](const Napi::Value& v, const std::string& p) {
    return static_cast<uint64_t>(integer(v, p, 0, kMaxSafeInteger));
  };
  auto count32 = [](const Napi::Value& v, const std::string& p) {
    return static_cast<uint32_t>(integer(v, p, 0, UINT32_MAX));
  };
  auto boolean = [](const Napi::Value& v, const std::string& p) {
    if (!v.IsBoolean()) typeError(v.Env(), p + " must be a boolean");
    return v.As<Napi::Boolean>().Value();
  };
  readMap(f, where, "objLCCurrCnt", fa.objLCCurrCnt, count64);
  readMap(f, where, "objLCCumCnt", fa.objLCCumCnt, count64);
  readMap(f, where, "objInROIcnt", fa.objInROIcnt, count32);
  readMap(f, where, "ocStatus", fa.ocStatus, boolean);
  {
    const std::string path = where + ".objCnt";
    for (auto& [k, v] : ownEntries(obj(f.Get("objCnt"), path), path))
      fa.objCnt[classIdKey(env, k, path)] = count32(v, path + "[" + k + "]");
  }
  Napi::Value dir = f.Get("dirCnt");
  if (!dir.IsUndefined()) {
    const std::string path = where + ".dirCnt";
    uint64_t id = 1;
    for (auto& [label, v] : ownEntries(obj(dir, path), path)) {
      const auto n = static_cast<uint64_t>(integer(v, path + "[" + label + "]", 0, kMaxDirObjects));
      for (uint64_t i = 0; i < n; ++i) {
        dsk::ObjectAnalytics o;
        o.id = id++;
        o.dirStatus = "DIR:" + label;
        fa.objects.push_back(std::move(o));
      }
    }
  }
  return fa;
}

dsk::MessageContext contextFromJs(const Napi::Value& value) {
  Napi::Object c = obj(value, "ctx");
  dsk::MessageContext ctx;
  ctx.messageId = str(c.Get("messageId"), "ctx.messageId");
  ctx.timestamp = str(c.Get("timestamp"), "ctx.timestamp");
  ctx.deviceId = str(c.Get("deviceId"), "ctx.deviceId");
  return ctx;
}

dsk::SendPolicy policyFromJs(const Napi::Value& value) {
  dsk::SendPolicy p;
  if (value.IsUndefined() || value.IsNull()) return p;
  Napi::Object o = obj(value, "policy");
  auto flag = [&](const char* key, bool& into) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return;
    if (!v.IsBoolean()) typeError(o.Env(), std::string("policy.") + key + " must be a boolean");
    into = v.As<Napi::Boolean>().Value();
  };
  flag("onLineCrossing", p.onLineCrossing);
  flag("onRoiChange", p.onRoiChange);
  flag("onOvercrowdingChange", p.onOvercrowdingChange);
  Napi::Value n = o.Get("frameInterval");
  if (!n.IsUndefined()) p.frameInterval = static_cast<uint32_t>(integer(n, "policy.frameInterval", 0, UINT32_MAX));
  return p;
}

Napi::Value BuildPayloadNative(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3) typeError(env, "buildPayloadNative(mappingJson, frame, ctx) expects 3 arguments");
  const std::string mappingJson = str(info[0], "mappingJson");
  dsk::FrameAnalytics frame = frameFromJs(info[1], "frame");
  dsk::MessageContext ctx = contextFromJs(info[2]);
  dsk::PayloadMapping mapping;
  try {
    mapping = dsk::payloadMappingFromJson(mappingJson);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  const std::string payload = dsk::buildPayload(mapping, frame, ctx);
  // The payload is WTF-8 only if a context string held a lone surrogate, and then the writer escaped it:
  // what it returns is always ASCII-safe UTF-8.
  return Napi::String::New(env, payload);
}

Napi::Value SendDecision(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsArray()) typeError(env, "sendDecision(policy, frames[]) expects a policy and an array");
  dsk::SendDecider decider(policyFromJs(info[0]));
  Napi::Array frames = info[1].As<Napi::Array>();
  // Validate every frame before deciding any, so a bad frame never leaves a half-run sequence.
  std::vector<dsk::FrameAnalytics> parsed;
  parsed.reserve(frames.Length());
  for (uint32_t i = 0; i < frames.Length(); ++i)
    parsed.push_back(frameFromJs(frames.Get(i), "frames[" + std::to_string(i) + "]"));
  Napi::Array out = Napi::Array::New(env, parsed.size());
  for (uint32_t i = 0; i < parsed.size(); ++i) {
    const char* reason = decider.decide(parsed[i]);
    out.Set(i, reason ? Napi::Value(Napi::String::New(env, reason)) : env.Null());
  }
  return out;
}

Napi::Value UuidV4(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), dsk::uuidV4()); }

Napi::Value Rfc3339Millis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) typeError(env, "rfc3339Millis(epochMs) expects a number");
  // system_clock counts nanoseconds in an int64: about 1677-09-22 .. 2262-04-11.
  constexpr double kMaxMs = 9223372036854.0;
  const double ms = integer(info[0], "epochMs", -kMaxMs, kMaxMs);
  const auto t = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::milliseconds(static_cast<int64_t>(ms))));
  return Napi::String::New(env, dsk::rfc3339Millis(t));
}

Napi::Value ExtractKeyNative(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2) typeError(env, "extractKeyNative(json, dottedPath) expects 2 strings");
  const std::string json = str(info[0], "json");
  const std::string path = str(info[1], "dottedPath");
  return Napi::String::New(env, dsk::extractKey(json, path));
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("buildPayloadNative", Napi::Function::New(env, BuildPayloadNative, "buildPayloadNative"));
  exports.Set("sendDecision", Napi::Function::New(env, SendDecision, "sendDecision"));
  exports.Set("uuidV4", Napi::Function::New(env, UuidV4, "uuidV4"));
  exports.Set("rfc3339Millis", Napi::Function::New(env, Rfc3339Millis, "rfc3339Millis"));
  exports.Set("extractKeyNative", Napi::Function::New(env, ExtractKeyNative, "extractKeyNative"));
}

}  // namespace

DSK_REGISTER_BINDING(payload, Init);
