// capabilities(): which backends were compiled in and which library versions are linked, so the TS layer
// can choose a backend and explain its choice.
#include <gst/gst.h>
#include <librdkafka/rdkafka.h>
#include <opencv2/core/version.hpp>

#include "addon/registry.h"

namespace {

Napi::Value Capabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object caps = Napi::Object::New(env);
  Napi::Array backends = Napi::Array::New(env);
  uint32_t n = 0;
  backends.Set(n++, "cpu");
#if DSK_HAVE_DEEPSTREAM
  backends.Set(n++, "deepstream");
#endif
  caps.Set("backends", backends);
  caps.Set("deepstream", Napi::Boolean::New(env, DSK_HAVE_DEEPSTREAM));

  guint major = 0, minor = 0, micro = 0, nano = 0;
  gst_version(&major, &minor, &micro, &nano);  // runtime version; safe before gst_init
  Napi::Object versions = Napi::Object::New(env);
  versions.Set("gstreamer", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(micro));
  versions.Set("gstreamerBuild", DSK_GST_BUILD_VERSION);
  versions.Set("opencv", CV_VERSION);
  versions.Set("librdkafka", rd_kafka_version_str());
  versions.Set("librdkafkaBuild", DSK_RDKAFKA_BUILD_VERSION);
  versions.Set("napi", std::to_string(NAPI_VERSION));
  caps.Set("versions", versions);
  return caps;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("capabilities", Napi::Function::New(env, Capabilities, "capabilities"));
}

}  // namespace

DSK_REGISTER_BINDING(capabilities, Init);
