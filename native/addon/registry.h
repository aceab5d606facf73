// Each binding file registers its own exports, so concerns stay in separate files and module.cc never
// needs editing when a binding is added.
#pragma once

#include <napi.h>

namespace dsk::addon {

using InitFn = void (*)(Napi::Env env, Napi::Object exports);

struct BindingRegistrar {
  BindingRegistrar(const char* name, InitFn fn);
};

}  // namespace dsk::addon

#define DSK_REGISTER_BINDING(name, fn) \
  static ::dsk::addon::BindingRegistrar dsk_binding_registrar_##name(#name, fn)
