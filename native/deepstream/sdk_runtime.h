// The DeepStream release running in this process: nvds_version() of libnvds_meta.so, looked up at run time
// (dlsym) so neither the addon nor the converter library needs the symbol at link time. Shared by the addon
// (ds_pipeline.cc) and the converter (native/msgconv/msgconv_shim.cc); the decision what to do with it is the
// SDK-free core's (core/deepstream/sdk_version.h). DSK_KAFKA_NVDS_VERSION=<major.minor> replaces the answer
// (tests; the GPU check's refusal case).
#pragma once

#include <dlfcn.h>

#include <optional>

#include "core/deepstream/sdk_version.h"

namespace dsk::ds {

inline std::optional<SdkVersion> lookupRuntimeSdkVersion() {
  if (auto v = sdkVersionOverride()) return v;
  using VersionFn = void (*)(unsigned int*, unsigned int*);
  void* sym = dlsym(RTLD_DEFAULT, "nvds_version");
  if (!sym) {
    // Not linked into this process yet: libnvds_meta.so is loaded by every DeepStream element; try the
    // already loaded copy first, then the SDK's (LD_LIBRARY_PATH / ld.so.conf, as the elements find it).
    void* h = dlopen("libnvds_meta.so", RTLD_LAZY | RTLD_NOLOAD);
    if (!h) h = dlopen("libnvds_meta.so", RTLD_LAZY);
#ifdef DSK_DEEPSTREAM_DIR
    if (!h) h = dlopen(DSK_DEEPSTREAM_DIR "/lib/libnvds_meta.so", RTLD_LAZY);
#endif
    if (h) sym = dlsym(h, "nvds_version");  // the handle stays open: the library stays loaded anyway
  }
  if (!sym) return std::nullopt;
  unsigned int major = 0, minor = 0;
  reinterpret_cast<VersionFn>(sym)(&major, &minor);
  return SdkVersion{major, minor};
}

}  // namespace dsk::ds
