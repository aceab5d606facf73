#include "addon/counts_js.h"

#include <stdexcept>
#include <string>

namespace dsk::addon {

std::vector<CumulativeBase> cumulativeBasesFrom(const Napi::Value& v) {
  std::vector<CumulativeBase> out;
  if (!v.IsArray()) return out;
  auto bases = v.As<Napi::Array>();
  for (uint32_t i = 0; i < bases.Length(); ++i) {
    CumulativeBase base;
    if (Napi::Value b = bases.Get(i); b.IsObject()) {
      auto obj = b.As<Napi::Object>();
      Napi::Array keys = obj.GetPropertyNames();
      for (uint32_t k = 0; k < keys.Length(); ++k) {
        const std::string label = keys.Get(k).ToString().Utf8Value();
        Napi::Value n = obj.Get(label);
        const double d = n.IsNumber() ? n.As<Napi::Number>().DoubleValue() : -1;
        if (!(d >= 0 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<uint64_t>(d)))
          throw std::invalid_argument("cumulativeBase[" + std::to_string(i) + "]." + label + " must be an integer >= 0");
        base[label] = static_cast<uint64_t>(d);
      }
    }
    out.push_back(std::move(base));
  }
  return out;
}

}  // namespace dsk::addon
