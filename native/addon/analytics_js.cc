#include "addon/analytics_js.h"

#include <map>

namespace dsk::addon {

void defineKey(Napi::Object& o, const std::string& key, napi_value value) {
  o.DefineProperty(Napi::PropertyDescriptor::Value(key, value, napi_default_jsproperty));
}

Napi::Value uint64ToJs(Napi::Env env, uint64_t v) {
  if (v <= 9007199254740991ULL) return Napi::Number::New(env, static_cast<double>(v));
  return Napi::BigInt::New(env, v);
}

namespace {
template <typename Map, typename Conv>
Napi::Object mapToJs(Napi::Env env, const Map& m, Conv conv) {
  Napi::Object o = Napi::Object::New(env);
  for (const auto& [k, v] : m) defineKey(o, k, conv(v));
  return o;
}

Napi::Array stringsToJs(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (uint32_t i = 0; i < v.size(); ++i) a.Set(i, v[i]);
  return a;
}
}  // namespace

Napi::Object frameAnalyticsToJs(Napi::Env env, const FrameAnalytics& r, bool objectStatus) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("streamId", Napi::Number::New(env, r.streamId));
  o.Set("frameNum", uint64ToJs(env, r.frameNum));
  o.Set("ptsMs", Napi::Number::New(env, static_cast<double>(r.ptsMs)));
  o.Set("ocStatus", mapToJs(env, r.ocStatus, [&](bool b) { return Napi::Boolean::New(env, b); }));
  o.Set("objInROIcnt", mapToJs(env, r.objInROIcnt, [&](uint32_t n) { return Napi::Number::New(env, n); }));
  auto u64 = [&](uint64_t n) { return Napi::Number::New(env, static_cast<double>(n)); };
  o.Set("objLCCurrCnt", mapToJs(env, r.objLCCurrCnt, u64));
  o.Set("objLCCumCnt", mapToJs(env, r.objLCCumCnt, u64));
  Napi::Object cnt = Napi::Object::New(env);
  for (const auto& [cls, n] : r.objCnt) cnt.Set(std::to_string(cls), Napi::Number::New(env, n));
  o.Set("objCnt", cnt);
  std::map<std::string, uint32_t> dir;
  for (const auto& a : r.objects)
    if (a.dirStatus.rfind("DIR:", 0) == 0) ++dir[a.dirStatus.substr(4)];
  o.Set("dirCnt", mapToJs(env, dir, [&](uint32_t n) { return Napi::Number::New(env, n); }));
  if (objectStatus) {
    Napi::Array objs = Napi::Array::New(env, r.objects.size());
    for (uint32_t i = 0; i < r.objects.size(); ++i) {
      const ObjectAnalytics& a = r.objects[i];
      Napi::Object jo = Napi::Object::New(env);
      jo.Set("id", uint64ToJs(env, a.id));
      jo.Set("classId", Napi::Number::New(env, a.classId));
      jo.Set("roiStatus", stringsToJs(env, a.roiStatus));
      jo.Set("ocStatus", stringsToJs(env, a.ocStatus));
      jo.Set("lcStatus", stringsToJs(env, a.lcStatus));
      jo.Set("dirStatus", a.dirStatus);
      objs.Set(i, jo);
    }
    o.Set("objects", objs);
  }
  return o;
}

}  // namespace dsk::addon
