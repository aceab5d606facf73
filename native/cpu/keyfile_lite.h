// A small reader for GLib key-file syntax (the format of nvinfer/nvtracker/nvdsanalytics config files):
// `[group]` headers, `key=value` lines, `#` comment lines (whole lines only, as in GLib), `;`-separated
// lists with an optional trailing `;`. Typed getters validate values and ranges; every error names the
// file, the line and the key. Pure C++ (no GLib), so it also works where GLib is not initialised.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dsk::keyfile {

// Whitespace-trimmed / ASCII-lowercased copies (the key-file rules for values and choices).
std::string trim(const std::string& s);
std::string lower(std::string s);

class KeyFileError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Entry {
  std::string group;
  std::string key;
  std::string value;
  int line = 0;  // 1-based; 0 when the entry did not come from a file
};

class KeyFile {
 public:
  // Throws KeyFileError "<path>: cannot open ..." or "<path>:<line>: ..." for a syntax error.
  static KeyFile load(const std::string& path);
  // `name` is used in messages in place of a path.
  static KeyFile parse(const std::string& text, const std::string& name);
  // Entries given programmatically (e.g. from a JS object), all in one group.
  static KeyFile fromPairs(const std::string& name, const std::string& group,
                           const std::vector<std::pair<std::string, std::string>>& pairs);

  // Adds (or, since the last entry wins, overrides) keys of `group`; `origin` names them in messages.
  void set(const std::string& group, const std::string& key, const std::string& value);

  const std::string& name() const { return name_; }
  bool hasGroup(const std::string& group) const;
  // The last entry of that key in that group (a repeated key replaces the earlier one, as in GLib).
  const Entry* find(const std::string& group, const std::string& key) const;
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<std::string> groups() const;

  // "<file>:<line>: key '<key>' in [<group>]: <what>"
  [[noreturn]] void fail(const Entry& e, const std::string& what) const;

 private:
  std::string name_;
  std::vector<Entry> entries_;
  std::vector<std::string> groups_;
};

// Typed access to one group, tracking which keys were read so unknown keys (typos) can be rejected.
class GroupReader {
 public:
  GroupReader(const KeyFile& file, std::string group);

  bool has(const std::string& key) const { return file_.find(group_, key) != nullptr; }
  int64_t getInt(const std::string& key, int64_t def, int64_t min, int64_t max);
  double getDouble(const std::string& key, double def, double min, double max);
  bool getBool(const std::string& key, bool def);  // true/false/1/0 (case-insensitive)
  std::string getString(const std::string& key, const std::string& def);
  // One of `choices` (case-insensitive); returns the index.
  int getChoice(const std::string& key, int def, const std::vector<std::string>& choices);
  std::vector<double> getDoubleList(const std::string& key);  // empty when absent

  // Throws for the first key of the group that no getter asked for, listing the known keys.
  void rejectUnknownKeys() const;

 private:
  const Entry* take(const std::string& key);
  const KeyFile& file_;
  std::string group_;
  std::vector<std::string> known_;
};

}  // namespace dsk::keyfile
