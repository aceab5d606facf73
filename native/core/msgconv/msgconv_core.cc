#include "core/msgconv/msgconv_core.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/msgconv/extmsg.h"
#include "core/payload/json_writer.h"
#include "core/payload/payload_builder.h"

namespace dsk::msgconv {

namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

[[noreturn]] void fail(const std::string& file, int line, const std::string& what) {
  throw std::invalid_argument(file + ":" + std::to_string(line) + ": " + what);
}

// GLib string value: one pair of surrounding quotes removed (ds-kafka's friendly rule), then GLib escapes.
std::string valueOf(std::string_view raw, const std::string& file, int line) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') raw = raw.substr(1, raw.size() - 2);
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= raw.size()) fail(file, line, "value ends with a lone backslash");
    switch (raw[i]) {
      case 's': out += ' '; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      case ';': out += ';'; break;
      default: fail(file, line, std::string("invalid escape \\") + raw[i]);
    }
  }
  return out;
}

bool boolOf(const std::string& v, const std::string& file, int line) {
  if (v == "1" || v == "true") return true;
  if (v == "0" || v == "false") return false;
  fail(file, line, "enable must be 1, 0, true or false, not \"" + v + "\"");
}

// Index N of [<prefix>N]; -1 when the group is not a <prefix> group.
int groupIndex(const std::string& group, const char* prefix, const std::string& file, int line) {
  const std::string p(prefix);
  if (group.compare(0, p.size(), p) != 0) return -1;
  const std::string rest = group.substr(p.size());
  if (rest.empty() || rest.size() > 5 || rest.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(rest) > 65535)
    fail(file, line, "missing or invalid index: expected [" + p + "<N>] with N = 0, 1, ...");
  return std::stoi(rest);
}

struct Group {
  std::string name;
  int line = 0;
  std::map<std::string, std::pair<std::string, int>> entries;  // key -> (value, line); the last one wins
};

}  // namespace

AnalyticsModuleInfo ConverterConfig::defaultAnalyticsModule() {
  // Same as DEFAULT_ANALYTICS_MODULE in src/config/msgconv-config.ts.
  AnalyticsModuleInfo m;
  m.id = "ds-kafka";
  m.description = "Video analytics counts (line crossing, ROI, overcrowding, direction)";
  m.source = "ds-kafka";
  m.version = "1.0";
  return m;
}

ConverterConfig parseConverterConfig(std::string_view text, const std::string& file) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<Group> groups;  // a repeated group is merged into the first, as GLib does
  Group* cur = nullptr;
  int lineNo = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++lineNo;
    std::string_view t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    if (t.front() == '[') {
      size_t close = t.find(']');
      if (close == std::string_view::npos) fail(file, lineNo, "group header without a closing \"]\"");
      if (!trim(t.substr(close + 1)).empty()) fail(file, lineNo, "unexpected text after the group header");
      std::string name(t.substr(1, close - 1));
      if (name.empty() || name.find('[') != std::string::npos) fail(file, lineNo, "invalid group name");
      cur = nullptr;
      for (auto& g : groups)
        if (g.name == name) cur = &g;
      if (!cur) {
        groups.push_back(Group{name, lineNo, {}});
        cur = &groups.back();
      }
      continue;
    }
    size_t eq = t.find('=');
    if (eq == std::string_view::npos)
      fail(file, lineNo, "line is not a key=value pair, a [group] or a # comment");
    std::string key(trim(t.substr(0, eq)));
    if (!cur) fail(file, lineNo, "key \"" + key + "\" comes before any [group] header");
    if (key.empty()) fail(file, lineNo, "empty key before \"=\"");
    cur->entries[key] = {std::string(trim(t.substr(eq + 1))), lineNo};
  }

  ConverterConfig cfg;
  for (const Group& g : groups) {
    auto get = [&](const char* key, std::string* out) {
      auto it = g.entries.find(key);
      if (it == g.entries.end()) return false;
      *out = valueOf(it->second.first, file, it->second.second);
      return true;
    };
    auto enabled = [&] {
      std::string v;
      auto it = g.entries.find("enable");
      return !get("enable", &v) || boolOf(v, file, it->second.second);
    };
    if (int n = groupIndex(g.name, "analytics", file, g.line); n >= 0) {
      if (n != 0 || !enabled()) continue;
      AnalyticsModuleInfo m;
      m.id = m.description = m.source = m.version = "";
      get("id", &m.id);
      get("description", &m.description);
      get("source", &m.source);
      get("version", &m.version);
      cfg.analyticsModule = m;
      cfg.analyticsModuleFromFile = true;
    } else if (int s = groupIndex(g.name, "sensor", file, g.line); s >= 0) {
      std::string id;
      if (enabled() && get("id", &id)) cfg.sensorIds[s] = id;
    }
  }
  return cfg;
}

ConverterConfig loadConverterConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot read the converter config");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseConverterConfig(ss.str(), path);
}

std::string fallbackDeviceId(const ConverterConfig& config, const EventFields& event) {
  if (!event.sensorStr.empty()) return event.sensorStr;
  auto it = config.sensorIds.find(event.sensorId);
  if (it != config.sensorIds.end() && !it->second.empty()) return it->second;
  return std::to_string(event.sensorId);
}

std::string fallbackPayload(const ConverterConfig& config, const EventFields& event) {
  json::Writer w;
  const MessageContext ctx{event.messageId.empty() ? uuidV4() : event.messageId,
                           event.ts.empty() ? rfc3339Millis(std::chrono::system_clock::now()) : event.ts,
                           fallbackDeviceId(config, event)};
  beginMessage(w, config.analyticsModule, ctx);
  w.endObject();
  w.endObject();
  return w.take();
}

std::string payloadForEvent(const ConverterConfig& config, const void* extMsg, size_t extMsgSize,
                            const EventFields& event) {
  if (auto p = extMsgPayload(extMsg, extMsgSize)) return std::string(*p);
  return fallbackPayload(config, event);
}

ConverterStart startConverter(const char* configFile, ds::SdkVersion built, std::optional<ds::SdkVersion> runtime) {
  ConverterStart out;
  out.error = ds::sdkVersionMismatch("ds-kafka's converter (libnvds_dskafka_msgconv.so)", built, runtime);
  if (!out.ok()) return out;
  try {
    if (configFile && *configFile) out.config = loadConverterConfig(configFile);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace dsk::msgconv
