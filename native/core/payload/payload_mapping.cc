#include "core/payload/payload_mapping.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace dsk {

namespace {
using json = nlohmann::ordered_json;  // keeps static fields in the order the TS layer wrote them

const json& need(const json& j, const char* key, const std::string& path) {
  if (!j.is_object() || !j.contains(key)) throw std::invalid_argument("payload mapping: missing " + path + "." + key);
  return j.at(key);
}

std::string needString(const json& j, const char* key, const std::string& path) {
  const json& v = need(j, key, path);
  if (!v.is_string()) throw std::invalid_argument("payload mapping: " + path + "." + key + " must be a string");
  return v.get<std::string>();
}

FieldSource sourceFrom(const std::string& s, const std::string& path) {
  if (s == "lc_curr") return FieldSource::LcCurr;
  if (s == "lc_cum") return FieldSource::LcCum;
  if (s == "roi_count") return FieldSource::RoiCount;
  if (s == "oc_status") return FieldSource::OcStatus;
  if (s == "obj_count") return FieldSource::ObjCount;
  if (s == "dir_count") return FieldSource::DirCount;
  throw std::invalid_argument("payload mapping: " + path + ".source: unknown source \"" + s + "\"");
}
}  // namespace

PayloadMapping payloadMappingFromJson(const std::string& text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("payload mapping: not JSON: ") + e.what());
  }
  PayloadMapping m;
  const json& streams = need(root, "streams", "$");
  if (!streams.is_array()) throw std::invalid_argument("payload mapping: $.streams must be an array");
  for (size_t i = 0; i < streams.size(); ++i) {
    std::string path = "$.streams[" + std::to_string(i) + "]";
    const json& s = streams[i];
    StreamMapping sm;
    const json& id = need(s, "streamId", path);
    if (!id.is_number_integer()) throw std::invalid_argument("payload mapping: " + path + ".streamId must be an integer");
    sm.streamId = id.get<int>();
    const json& fields = need(s, "fields", path);
    if (!fields.is_array()) throw std::invalid_argument("payload mapping: " + path + ".fields must be an array");
    for (size_t f = 0; f < fields.size(); ++f) {
      std::string fp = path + ".fields[" + std::to_string(f) + "]";
      PayloadField pf;
      pf.name = needString(fields[f], "name", fp);
      pf.source = sourceFrom(needString(fields[f], "source", fp), fp);
      pf.key = needString(fields[f], "key", fp);
      sm.fields.push_back(std::move(pf));
    }
    m.streams.push_back(std::move(sm));
  }
  if (root.contains("analyticsModule")) {
    const json& a = root["analyticsModule"];
    m.analyticsModule.id = needString(a, "id", "$.analyticsModule");
    m.analyticsModule.description = needString(a, "description", "$.analyticsModule");
    m.analyticsModule.source = needString(a, "source", "$.analyticsModule");
    m.analyticsModule.version = needString(a, "version", "$.analyticsModule");
  }
  if (root.contains("staticFields")) {
    const json& st = root["staticFields"];
    if (!st.is_object()) throw std::invalid_argument("payload mapping: $.staticFields must be an object");
    for (auto it = st.begin(); it != st.end(); ++it) {
      StaticField f;
      f.name = it.key();
      if (it->is_string()) {
        f.type = StaticField::Type::String;
        f.text = it->get<std::string>();
      } else if (it->is_boolean()) {
        f.type = StaticField::Type::Bool;
        f.boolean = it->get<bool>();
      } else if (it->is_number()) {
        f.type = StaticField::Type::Number;
        f.number = it->get<double>();
      } else {
        throw std::invalid_argument("payload mapping: $.staticFields." + f.name + " must be a string, number or boolean");
      }
      m.staticFields.push_back(std::move(f));
    }
  }
  return m;
}

}  // namespace dsk
