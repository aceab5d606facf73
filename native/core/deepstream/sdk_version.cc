#include "core/deepstream/sdk_version.h"

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace dsk::ds {

std::optional<SdkVersion> parseSdkVersion(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  auto number = [&](unsigned& out) {
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    unsigned v = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      v = v * 10 + static_cast<unsigned>(text[i] - '0');
      if (v > 1000) return false;
      ++i;
    }
    out = v;
    return true;
  };
  SdkVersion v;
  if (!number(v.major)) return std::nullopt;
  if (i >= text.size() || text[i] != '.') return std::nullopt;
  ++i;
  if (!number(v.minor)) return std::nullopt;
  return v;
}

std::optional<SdkVersion> sdkVersionOverride() {
  const char* s = std::getenv(kSdkVersionOverrideEnv);
  if (!s || !*s) return std::nullopt;
  return parseSdkVersion(s);
}

std::string sdkVersionMismatch(const char* who, SdkVersion built, std::optional<SdkVersion> runtime) {
  if (!runtime)
    return std::string(who) + ": built for DeepStream " + built.str() +
           " but cannot tell which DeepStream runs here (nvds_version() of libnvds_meta.so not found); refusing to "
           "read DeepStream metadata whose layout may differ (run inside the DeepStream " + built.str() +
           " environment the build was made in)";
  if (*runtime == built) return "";
  return std::string(who) + ": built against DeepStream " + built.str() + " but running in DeepStream " +
         runtime->str() + "; the metadata layouts differ between releases (NvDsEventMsgMeta), so it refuses to "
         "start. Rebuild ds-kafka against DeepStream " + runtime->str() +
         " (npx cmake-js compile --CDDS_KAFKA_DEEPSTREAM=ON, or docker/build.sh deepstream --ds-version " +
         runtime->str() + ")";
}

std::string defaultInferConfigName(SdkVersion sdk) {
  if (sdk.major == 6 && sdk.minor <= 3) return "config_infer_primary_ds6.txt";
  if (sdk.major > 7 || (sdk.major == 7 && sdk.minor >= 1)) return "config_infer_primary.txt";
  return "";
}

namespace {
std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}
}  // namespace

std::string inferConfigMissingModel(std::string_view configText, const std::string& configDir,
                                    bool (*exists)(const std::string&)) {
  static const char* const kModelKeys[] = {"onnx-file", "model-file", "proto-file", "tlt-encoded-model", "uff-file"};
  std::istringstream in{std::string(configText)};
  std::string line;
  bool inProperty = false;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      inProperty = line == "[property]";
      continue;
    }
    if (!inProperty) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    for (const char* k : kModelKeys) {
      if (key != k || value.empty()) continue;
      if (value[0] != '/') value = configDir + "/" + value;
      if (!exists(value)) return value;
    }
  }
  return "";
}

}  // namespace dsk::ds
