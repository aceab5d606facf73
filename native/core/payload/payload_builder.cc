#include "core/payload/payload_builder.h"

#include <cmath>
#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/payload/json_writer.h"

namespace dsk {

namespace {
// An obj_count key is a class id in canonical-enough decimal: optional '-', digits only, in int range.
// Anything else ("1.5", " 1", "0x1", "") matches no class. src/payload/build.ts applies the same rule.
bool parseClassId(const std::string& s, int& out) {
  size_t i = 0;
  const bool neg = !s.empty() && s[0] == '-';
  if (neg) i = 1;
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
    if (v > 2147483648LL) return false;
  }
  if (neg) v = -v;
  if (v < INT32_MIN || v > INT32_MAX) return false;
  out = static_cast<int>(v);
  return true;
}
}  // namespace

uint64_t countedValue(const PayloadField& field, const FrameAnalytics& frame) {
  switch (field.source) {
    case FieldSource::LcCurr: {
      auto it = frame.objLCCurrCnt.find(field.key);
      return it == frame.objLCCurrCnt.end() ? 0 : it->second;
    }
    case FieldSource::LcCum: {
      auto it = frame.objLCCumCnt.find(field.key);
      return it == frame.objLCCumCnt.end() ? 0 : it->second;
    }
    case FieldSource::RoiCount: {
      auto it = frame.objInROIcnt.find(field.key);
      return it == frame.objInROIcnt.end() ? 0 : it->second;
    }
    case FieldSource::OcStatus: {
      auto it = frame.ocStatus.find(field.key);
      return it != frame.ocStatus.end() && it->second ? 1 : 0;
    }
    case FieldSource::ObjCount: {
      int classId = 0;
      if (!parseClassId(field.key, classId)) return 0;
      auto it = frame.objCnt.find(classId);
      return it == frame.objCnt.end() ? 0 : it->second;
    }
    case FieldSource::DirCount: {
      const std::string want = "DIR:" + field.key;
      uint64_t n = 0;
      for (const auto& o : frame.objects)
        if (o.dirStatus == want) ++n;
      return n;
    }
  }
  return 0;
}

void beginMessage(json::Writer& w, const AnalyticsModuleInfo& module, const MessageContext& ctx) {
  w.beginObject();
  w.key("messageid");
  w.value(ctx.messageId);
  w.key("@timestamp");
  w.value(ctx.timestamp);
  w.key("deviceId");
  w.value(ctx.deviceId);
  w.key("analyticsModule");
  w.beginObject();
  w.key("id");
  w.value(module.id);
  w.key("description");
  w.value(module.description);
  w.key("source");
  w.value(module.source);
  w.key("version");
  w.value(module.version);
}

std::string buildPayload(const PayloadMapping& mapping, const FrameAnalytics& frame, const MessageContext& ctx) {
  json::Writer w;
  beginMessage(w, mapping.analyticsModule, ctx);
  if (const StreamMapping* sm = mapping.stream(frame.streamId)) {
    for (const auto& f : sm->fields) {
      w.key(f.name);
      if (f.source == FieldSource::OcStatus)
        w.value(countedValue(f, frame) != 0);
      else
        w.value(countedValue(f, frame));
    }
  }
  for (const auto& s : mapping.staticFields) {
    w.key(s.name);
    switch (s.type) {
      case StaticField::Type::String: w.value(std::string_view(s.text)); break;
      case StaticField::Type::Bool: w.value(s.boolean); break;
      case StaticField::Type::Number: w.value(s.number); break;
    }
  }
  w.endObject();
  w.endObject();
  return w.take();
}

std::string rfc3339Millis(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];  // room for any int the compiler can imagine in each field
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string uuidV4() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10xx
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

std::string extractKey(const std::string& messageJson, const std::string& dottedPath) {
  if (dottedPath.empty()) return "";
  auto j = nlohmann::json::parse(messageJson, nullptr, false);
  if (j.is_discarded()) return "";
  const nlohmann::json* cur = &j;
  size_t start = 0;
  while (start <= dottedPath.size()) {
    size_t dot = dottedPath.find('.', start);
    std::string part = dottedPath.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(part)) return "";
    cur = &(*cur)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_number()) {
    // As JavaScript reads the message: the number is a double; an integral one is written as JS writes it
    // (so 1e21 is "1e+21" and 100000000000000000000 stays as is), a fractional one gives no key.
    const double d = cur->get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) return "";
    std::string key;
    json::appendNumber(key, d);
    return key;
  }
  return "";
}

}  // namespace dsk
