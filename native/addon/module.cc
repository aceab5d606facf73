// The addon's entry point: runs every registered binding's init. GStreamer is initialised lazily by the
// bindings that need it, so loading the addon stays cheap.
#include <utility>
#include <vector>

#include "addon/registry.h"

namespace dsk::addon {
namespace {
std::vector<std::pair<const char*, InitFn>>& registry() {
  static std::vector<std::pair<const char*, InitFn>> r;
  return r;
}
}  // namespace

BindingRegistrar::BindingRegistrar(const char* name, InitFn fn) { registry().emplace_back(name, fn); }

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  for (auto& [name, fn] : registry()) fn(env, exports);
  return exports;
}

}  // namespace dsk::addon

static Napi::Object InitDsKafka(Napi::Env env, Napi::Object exports) {
  return dsk::addon::InitModule(env, exports);
}

NODE_API_MODULE(ds_kafka, InitDsKafka)
