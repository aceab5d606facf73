// The SDK-free core of ds-kafka's message-converter library (libnvds_dskafka_msgconv.so, the `msg2p-lib`
// of nvmsgconv; the SDK-typed shim is native/msgconv/msgconv_shim.cc). Compiled into the addon too, so it
// is tested on machines without DeepStream.
//
// For one NvDsEventMsgMeta the converter sends:
//   - the payload of our DskExtMsg verbatim, when extMsg carries one (ds-kafka's probe built it with the
//     core payload builder: byte-for-byte what the CPU backend sends for the same analytics record);
//   - otherwise a minimal message in the seed's shape, from the event's own fields, so the library can be
//     dropped into deepstream-app / deepstream-test5 (msg-conv-msg2p-lib) as is:
//       {"messageid":<uuid>,"@timestamp":<ts or now>,"deviceId":<sensorStr | [sensor<sensorId>] id | sensorId>,
//        "analyticsModule":{"id","description","source","version"}}   (from the config's [analytics0])
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deepstream/sdk_version.h"
#include "core/payload/payload_mapping.h"

namespace dsk::msgconv {

// What the converter reads from its `config` file (nvmsgconv's `config`, e.g. msgconv_config.txt): the
// same rules as src/config/msgconv-config.ts, reduced to what the fallback needs.
//   [analytics0]  enable (absent = enabled), id, description, source, version -> analyticsModule; keys left
//                 out of a present, enabled group are empty strings. Absent or disabled: the defaults below.
//   [sensorN]     enable, id -> the deviceId of events whose sensorId is N (when sensorStr is empty).
// Other groups and keys are ignored (ds-kafka's [payload-fields]/[payload-static] are applied by the probe,
// which builds the full payload). Values: GLib key-file syntax, one pair of surrounding quotes stripped.
struct ConverterConfig {
  AnalyticsModuleInfo analyticsModule = defaultAnalyticsModule();
  bool analyticsModuleFromFile = false;
  std::map<int, std::string> sensorIds;

  static AnalyticsModuleInfo defaultAnalyticsModule();
};

// Throws std::invalid_argument("<file>:<line>: <what>") on a syntax error or a bad enable / group index.
ConverterConfig parseConverterConfig(std::string_view text, const std::string& fileName);
// Reads and parses a file; throws std::invalid_argument when it cannot be read.
ConverterConfig loadConverterConfig(const std::string& path);

// The NvDsEventMsgMeta fields the fallback reads (a plain copy, so this stays SDK-free).
struct EventFields {
  std::string ts;         // NvDsEventMsgMeta.ts (RFC 3339), empty when null
  std::string sensorStr;  // NvDsEventMsgMeta.sensorStr, empty when null
  int sensorId = 0;
  std::string messageId;  // empty: a new UUID v4
};

// deviceId of the fallback message: sensorStr, else [sensor<sensorId>] id, else sensorId in decimal.
std::string fallbackDeviceId(const ConverterConfig& config, const EventFields& event);
// The fallback message (seed shape, fixed fields only).
std::string fallbackPayload(const ConverterConfig& config, const EventFields& event);

// What the converter sends for one event: our DskExtMsg's payload verbatim when (extMsg, extMsgSize) is
// ours, otherwise the fallback.
std::string payloadForEvent(const ConverterConfig& config, const void* extMsg, size_t extMsgSize,
                            const EventFields& event);

// nvds_msg2p_ctx_create's decision, SDK-free: the converter starts only in the DeepStream release it was
// built for (`runtime` = nvds_version(), or DSK_KAFKA_NVDS_VERSION), then reads its config file (may be
// null/empty). `error` non-empty = refuse (nvmsgconv then fails to start with that message on stderr).
struct ConverterStart {
  std::string error;
  ConverterConfig config;
  bool ok() const { return error.empty(); }
};
ConverterStart startConverter(const char* configFile, ds::SdkVersion built, std::optional<ds::SdkVersion> runtime);

}  // namespace dsk::msgconv
