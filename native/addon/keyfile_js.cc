#include "addon/keyfile_js.h"

#include <cstdio>

namespace dsk::addon {

std::string keyFileValueString(const Napi::Value& v) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "1" : "0";
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    if (d == static_cast<double>(static_cast<long long>(d))) return std::to_string(static_cast<long long>(d));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
  }
  if (v.IsArray()) {
    auto a = v.As<Napi::Array>();
    std::string out;
    for (uint32_t i = 0; i < a.Length(); ++i) out += (i ? ";" : "") + keyFileValueString(a.Get(i));
    return out;
  }
  return v.ToString().Utf8Value();
}

keyfile::KeyFile keyFileFrom(const std::string& path, const Napi::Value& overrides, const char* what) {
  keyfile::KeyFile kf = path.empty() ? keyfile::KeyFile::fromPairs(what, "property", {}) : keyfile::KeyFile::load(path);
  if (overrides.IsObject()) {
    auto o = overrides.As<Napi::Object>();
    auto keys = o.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      const std::string k = keys.Get(i).ToString().Utf8Value();
      kf.set("property", k, keyFileValueString(o.Get(k)));
    }
  }
  return kf;
}

}  // namespace dsk::addon
