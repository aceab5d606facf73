// Which payload field is read from which analytics value, per stream: the PayloadMapping built by the TS
// layer from config (src/config/resolved.ts) and handed over once as JSON. Labels come from config only.
#pragma once

#include <string>
#include <vector>

namespace dsk {

enum class FieldSource { LcCurr, LcCum, RoiCount, OcStatus, ObjCount, DirCount };

struct PayloadField {
  std::string name;
  FieldSource source = FieldSource::LcCum;
  std::string key;  // label, or class id in decimal for ObjCount
};

struct StaticField {
  enum class Type { String, Number, Bool };
  std::string name;
  Type type = Type::String;
  std::string text;     // String
  double number = 0;    // Number
  bool boolean = false; // Bool
};

struct AnalyticsModuleInfo {
  std::string id = "ds-kafka";
  std::string description;
  std::string source = "ds-kafka";
  std::string version = "1.0";
};

struct StreamMapping {
  int streamId = 0;
  std::vector<PayloadField> fields;
};

struct PayloadMapping {
  std::vector<StreamMapping> streams;
  AnalyticsModuleInfo analyticsModule;
  std::vector<StaticField> staticFields;

  const StreamMapping* stream(int streamId) const {
    for (const auto& s : streams)
      if (s.streamId == streamId) return &s;
    return nullptr;
  }
};

// Throws std::invalid_argument naming the JSON path on a shape error.
PayloadMapping payloadMappingFromJson(const std::string& json);

}  // namespace dsk
