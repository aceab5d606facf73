// DeepStream SDK versions, SDK-free so the decisions are tested on machines without DeepStream.
//
// A DeepStream build is valid only for the SDK release it was compiled against: NvDsEventMsgMeta is 216 bytes
// in 6.3 and 14040 in 9.x (extMsg at offset 168 vs 13848). The addon and the converter library therefore
// compare the SDK they run in (nvds_version() of libnvds_meta) with the one they were built against
// (NVDS_VERSION_MAJOR/MINOR of nvds_version.h) and refuse to run on a mismatch, never reading a struct of the
// wrong layout. The comparison and its message live here; the SDK-side lookup is native/deepstream/sdk_runtime.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dsk::ds {

struct SdkVersion {
  unsigned major = 0;
  unsigned minor = 0;
  bool operator==(const SdkVersion& o) const { return major == o.major && minor == o.minor; }
  std::string str() const { return std::to_string(major) + "." + std::to_string(minor); }
};

// "6.3", "9.1.0", "Version: 7.1" (the SDK's version file) -> {major, minor}; nullopt when unreadable.
std::optional<SdkVersion> parseSdkVersion(std::string_view text);

// The environment variable that replaces the runtime version (tests, and the GPU check's refusal case):
// DSK_KAFKA_NVDS_VERSION=6.3. Unset or unparsable: nullopt.
inline constexpr const char* kSdkVersionOverrideEnv = "DSK_KAFKA_NVDS_VERSION";
std::optional<SdkVersion> sdkVersionOverride();

// "" when `runtime` is the release the code was built for (same major.minor: the SDK keeps struct layouts
// within a minor release); otherwise why `who` refuses to run. An unknown runtime version (nvds_version() not
// found in the process) is refused too: the layout could not be checked.
std::string sdkVersionMismatch(const char* who, SdkVersion built, std::optional<SdkVersion> runtime);

// The nvinfer config ds-kafka ships for an SDK generation (file name under config/deepstream/), or "" when
// none fits and the user must give --infer-config:
//   6.0 - 6.3   config_infer_primary_ds6.txt  (samples/models/Primary_Detector/resnet10.caffemodel + .prototxt)
//   >= 7.1      config_infer_primary.txt      (samples/models/Primary_Detector/resnet18_trafficcamnet_pruned.onnx)
//   6.4, 7.0    ""  (they ship resnet18_trafficcamnet.etlt, TAO-encoded: not verified here, so no default)
std::string defaultInferConfigName(SdkVersion sdk);

// The model files an nvinfer config refers to (onnx-file, model-file, proto-file, tlt-encoded-model,
// int8-calib-file is not a model), resolved against the config's directory when relative. Used to tell the
// user at start, not when nvinfer fails minutes later, that the default config's model is not installed.
std::string inferConfigMissingModel(std::string_view configText, const std::string& configDir,
                                    bool (*exists)(const std::string&));

}  // namespace dsk::ds
