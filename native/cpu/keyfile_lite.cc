#include "cpu/keyfile_lite.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dsk::keyfile {

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

KeyFile KeyFile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw KeyFileError(path + ": cannot open config file: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

KeyFile KeyFile::parse(const std::string& text, const std::string& name) {
  KeyFile kf;
  kf.name_ = name;
  std::string group;
  std::istringstream in(text);
  std::string raw;
  int lineNo = 0;
  while (std::getline(in, raw)) {
    ++lineNo;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (lineNo == 1 && raw.size() >= 3 && raw.compare(0, 3, "\xEF\xBB\xBF") == 0) raw.erase(0, 3);
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3)
        throw KeyFileError(name + ":" + std::to_string(lineNo) + ": malformed group header '" + line + "'");
      group = trim(line.substr(1, line.size() - 2));
      if (std::find(kf.groups_.begin(), kf.groups_.end(), group) == kf.groups_.end()) kf.groups_.push_back(group);
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos)
      throw KeyFileError(name + ":" + std::to_string(lineNo) + ": expected key=value, got '" + line + "'");
    const std::string key = trim(line.substr(0, eq));
    if (key.empty()) throw KeyFileError(name + ":" + std::to_string(lineNo) + ": empty key in '" + line + "'");
    if (group.empty())
      throw KeyFileError(name + ":" + std::to_string(lineNo) + ": key '" + key + "' before any [group] header");
    kf.entries_.push_back({group, key, trim(line.substr(eq + 1)), lineNo});
  }
  return kf;
}

KeyFile KeyFile::fromPairs(const std::string& name, const std::string& group,
                           const std::vector<std::pair<std::string, std::string>>& pairs) {
  KeyFile kf;
  kf.name_ = name;
  kf.groups_.push_back(group);
  for (const auto& [k, v] : pairs) kf.entries_.push_back({group, k, trim(v), 0});
  return kf;
}

void KeyFile::set(const std::string& group, const std::string& key, const std::string& value) {
  if (!hasGroup(group)) groups_.push_back(group);
  entries_.push_back({group, key, trim(value), 0});
}

bool KeyFile::hasGroup(const std::string& group) const {
  return std::find(groups_.begin(), groups_.end(), group) != groups_.end();
}

std::vector<std::string> KeyFile::groups() const { return groups_; }

const Entry* KeyFile::find(const std::string& group, const std::string& key) const {
  const Entry* found = nullptr;
  for (const auto& e : entries_)
    if (e.group == group && e.key == key) found = &e;
  return found;
}

void KeyFile::fail(const Entry& e, const std::string& what) const {
  std::string where = name_;
  if (e.line > 0)
    where += ":" + std::to_string(e.line);
  else
    where += " (option)";
  throw KeyFileError(where + ": key '" + e.key + "' in [" + e.group + "]: " + what);
}

GroupReader::GroupReader(const KeyFile& file, std::string group) : file_(file), group_(std::move(group)) {}

const Entry* GroupReader::take(const std::string& key) {
  known_.push_back(key);
  return file_.find(group_, key);
}

int64_t GroupReader::getInt(const std::string& key, int64_t def, int64_t min, int64_t max) {
  const Entry* e = take(key);
  if (!e) return def;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(e->value.c_str(), &end, 10);
  if (e->value.empty() || errno != 0 || *end != '\0') file_.fail(*e, "expected an integer, got '" + e->value + "'");
  if (v < min || v > max)
    file_.fail(*e, "value " + e->value + " out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return v;
}

double GroupReader::getDouble(const std::string& key, double def, double min, double max) {
  const Entry* e = take(key);
  if (!e) return def;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(e->value.c_str(), &end);
  if (e->value.empty() || errno != 0 || *end != '\0' || !std::isfinite(v))
    file_.fail(*e, "expected a number, got '" + e->value + "'");
  if (v < min || v > max) {
    std::ostringstream m;
    m << "value " << e->value << " out of range [" << min << ", " << max << "]";
    file_.fail(*e, m.str());
  }
  return v;
}

bool GroupReader::getBool(const std::string& key, bool def) {
  const Entry* e = take(key);
  if (!e) return def;
  const std::string v = lower(e->value);
  if (v == "1" || v == "true") return true;
  if (v == "0" || v == "false") return false;
  file_.fail(*e, "expected 0/1 or true/false, got '" + e->value + "'");
}

std::string GroupReader::getString(const std::string& key, const std::string& def) {
  const Entry* e = take(key);
  return e ? e->value : def;
}

int GroupReader::getChoice(const std::string& key, int def, const std::vector<std::string>& choices) {
  const Entry* e = take(key);
  if (!e) return def;
  const std::string v = lower(e->value);
  for (size_t i = 0; i < choices.size(); ++i)
    if (v == choices[i]) return static_cast<int>(i);
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  file_.fail(*e, "expected one of " + list + ", got '" + e->value + "'");
}

std::vector<double> GroupReader::getDoubleList(const std::string& key) {
  const Entry* e = take(key);
  std::vector<double> out;
  if (!e) return out;
  std::string item;
  std::istringstream in(e->value);
  while (std::getline(in, item, ';')) {
    item = trim(item);
    if (item.empty()) {
      if (in.eof()) break;
      file_.fail(*e, "empty item in list '" + e->value + "'");
    }
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (*end != '\0' || !std::isfinite(v)) file_.fail(*e, "expected a number in list, got '" + item + "'");
    out.push_back(v);
  }
  return out;
}

void GroupReader::rejectUnknownKeys() const {
  for (const auto& e : file_.entries()) {
    if (e.group != group_) continue;
    if (std::find(known_.begin(), known_.end(), e.key) != known_.end()) continue;
    std::string list;
    for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
    file_.fail(e, "unknown key (known keys: " + list + ")");
  }
}

}  // namespace dsk::keyfile
