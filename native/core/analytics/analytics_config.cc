// analyticsConfigFromJson: the TS -> C++ boundary for ResolvedAnalyticsConfig (src/config/resolved.ts).
// The TS parser has already validated the user's file and applied DeepStream's defaults, so this is a
// shape guard: any type error throws std::invalid_argument naming the JSON path ("$.streams[0].lines[1].mode").
// Keys the engine does not use (osdMode, displayFontSize, displayObjCnt) are accepted and ignored. Optional
// per-rule keys fall back to DeepStream's defaults (extended=true, mode=loose, classIds=[] = all,
// inverse=false, objectThreshold=1, timeThresholdMs=2000).
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/analytics/analytics_config.h"

namespace dsk {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::invalid_argument("analytics config: " + path + ": " + what);
}

std::string describe(const json& j) { return std::string(j.type_name()); }

const json& member(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) fail(path + "." + key, "missing");
  return *it;
}

const json* optionalMember(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

double number(const json& j, const std::string& path) {
  if (!j.is_number()) fail(path, "expected a number, got " + describe(j));
  const double v = j.get<double>();
  if (!std::isfinite(v)) fail(path, "expected a finite number");
  return v;
}

int integer(const json& j, const std::string& path, long long lo, long long hi) {
  const double v = number(j, path);
  if (std::floor(v) != v) fail(path, "expected an integer, got " + j.dump());
  if (v < static_cast<double>(lo) || v > static_cast<double>(hi))
    fail(path, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + j.dump());
  return static_cast<int>(v);
}

bool boolean(const json& j, const std::string& path) {
  if (!j.is_boolean()) fail(path, "expected a boolean, got " + describe(j));
  return j.get<bool>();
}

std::string string(const json& j, const std::string& path) {
  if (!j.is_string()) fail(path, "expected a string, got " + describe(j));
  return j.get<std::string>();
}

const json& array(const json& j, const std::string& path) {
  if (!j.is_array()) fail(path, "expected an array, got " + describe(j));
  return j;
}

const json& object(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object, got " + describe(j));
  return j;
}

std::string idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

Point xy(const json& j, const std::string& path) {
  if (!j.is_array() || j.size() != 2) fail(path, "expected an [x, y] pair, got " + j.dump());
  return Point{number(j[0], idx(path, 0)), number(j[1], idx(path, 1))};
}

std::vector<Point> polygon(const json& j, const std::string& path) {
  array(j, path);
  std::vector<Point> out;
  for (size_t i = 0; i < j.size(); ++i) out.push_back(xy(j[i], idx(path, i)));
  return out;
}

std::vector<int> classIds(const json& rule, const std::string& path) {
  const json* j = optionalMember(rule, "classIds");
  std::vector<int> out;
  if (!j) return out;
  const std::string p = path + ".classIds";
  array(*j, p);
  for (size_t i = 0; i < j->size(); ++i)
    out.push_back(integer((*j)[i], idx(p, i), std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  return out;
}

std::string label(const json& rule, const std::string& path) {
  std::string l = string(member(rule, "label", path), path + ".label");
  if (l.empty()) fail(path + ".label", "must not be empty");
  return l;
}

LineCrossingMode mode(const json& rule, const std::string& path) {
  const json* j = optionalMember(rule, "mode");
  if (!j) return LineCrossingMode::Loose;
  const std::string m = string(*j, path + ".mode");
  if (m == "loose") return LineCrossingMode::Loose;
  if (m == "balanced") return LineCrossingMode::Balanced;
  if (m == "strict") return LineCrossingMode::Strict;
  fail(path + ".mode", "expected 'loose', 'balanced' or 'strict', got '" + m + "'");
}

template <typename F>
void eachRule(const json& stream, const char* key, const std::string& path, F&& f) {
  const json* j = optionalMember(stream, key);
  if (!j) return;  // absent list = no rule of this kind
  const std::string p = path + "." + key;
  array(*j, p);
  for (size_t i = 0; i < j->size(); ++i) f(object((*j)[i], idx(p, i)), idx(p, i));
}

StreamAnalyticsConfig streamFromJson(const json& s, const std::string& path) {
  object(s, path);
  StreamAnalyticsConfig out;
  out.streamId = integer(member(s, "streamId", path), path + ".streamId", 0, std::numeric_limits<int>::max());

  eachRule(s, "rois", path, [&](const json& r, const std::string& p) {
    RoiRule rule;
    rule.label = label(r, p);
    rule.polygon = polygon(member(r, "polygon", p), p + ".polygon");
    if (const json* inv = optionalMember(r, "inverse")) rule.inverse = boolean(*inv, p + ".inverse");
    rule.classIds = classIds(r, p);
    out.rois.push_back(std::move(rule));
  });
  eachRule(s, "overcrowding", path, [&](const json& r, const std::string& p) {
    OvercrowdingRule rule;
    rule.label = label(r, p);
    rule.polygon = polygon(member(r, "polygon", p), p + ".polygon");
    if (const json* t = optionalMember(r, "objectThreshold"))
      rule.objectThreshold = integer(*t, p + ".objectThreshold", 0, std::numeric_limits<int>::max());
    if (const json* t = optionalMember(r, "timeThresholdMs"))
      rule.timeThresholdMs = integer(*t, p + ".timeThresholdMs", 0, std::numeric_limits<int>::max());
    rule.classIds = classIds(r, p);
    out.overcrowding.push_back(std::move(rule));
  });
  eachRule(s, "lines", path, [&](const json& r, const std::string& p) {
    LineCrossingRule rule;
    rule.label = label(r, p);
    const json& arrow = member(r, "arrow", p);
    if (!arrow.is_array() || arrow.size() != 2) fail(p + ".arrow", "expected [[x1, y1], [x2, y2]], got " + arrow.dump());
    rule.arrowFrom = xy(arrow[0], p + ".arrow[0]");
    rule.arrowTo = xy(arrow[1], p + ".arrow[1]");
    const json& line = member(r, "line", p);
    if (!line.is_array() || line.size() != 2) fail(p + ".line", "expected [[x1, y1], [x2, y2]], got " + line.dump());
    rule.lineA = xy(line[0], p + ".line[0]");
    rule.lineB = xy(line[1], p + ".line[1]");
    rule.classIds = classIds(r, p);
    if (const json* e = optionalMember(r, "extended")) rule.extended = boolean(*e, p + ".extended");
    rule.mode = mode(r, p);
    out.lines.push_back(std::move(rule));
  });
  eachRule(s, "directions", path, [&](const json& r, const std::string& p) {
    DirectionRule rule;
    rule.label = label(r, p);
    rule.from = xy(member(r, "from", p), p + ".from");
    rule.to = xy(member(r, "to", p), p + ".to");
    rule.classIds = classIds(r, p);
    out.directions.push_back(std::move(rule));
  });
  return out;
}

}  // namespace

AnalyticsConfig analyticsConfigFromJson(const std::string& text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(std::string("analytics config: invalid JSON: ") + e.what());
  }
  object(root, "$");
  AnalyticsConfig cfg;
  if (const json* e = optionalMember(root, "enable")) cfg.enable = boolean(*e, "$.enable");
  cfg.configWidth = integer(member(root, "configWidth", "$"), "$.configWidth", 1, std::numeric_limits<int>::max());
  cfg.configHeight = integer(member(root, "configHeight", "$"), "$.configHeight", 1, std::numeric_limits<int>::max());
  if (const json* w = optionalMember(root, "objCntWinMs"))
    cfg.objCntWinMs = integer(*w, "$.objCntWinMs", 0, std::numeric_limits<int>::max());
  const json& streams = array(member(root, "streams", "$"), "$.streams");
  std::set<int> seen;
  for (size_t i = 0; i < streams.size(); ++i) {
    const std::string p = idx("$.streams", i);
    StreamAnalyticsConfig s = streamFromJson(streams[i], p);
    if (!seen.insert(s.streamId).second)
      fail(p + ".streamId", "stream " + std::to_string(s.streamId) + " is configured twice");
    cfg.streams.push_back(std::move(s));
  }
  return cfg;
}

}  // namespace dsk
