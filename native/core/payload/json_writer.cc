#include "core/payload/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace dsk::json {

namespace {
const char* kHex = "0123456789abcdef";

void appendU(std::string& out, unsigned cp) {
  out += "\\u";
  out += kHex[(cp >> 12) & 0xF];
  out += kHex[(cp >> 8) & 0xF];
  out += kHex[(cp >> 4) & 0xF];
  out += kHex[cp & 0xF];
}
}  // namespace

void appendString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          appendU(out, c);
        } else if (c == 0xED && i + 2 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0) {
          // A UTF-8-encoded surrogate (CESU/WTF-8) can only be a lone one: JSON.stringify escapes it.
          unsigned cp = 0xD000 | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
                        (static_cast<unsigned char>(s[i + 2]) & 0x3F);
          appendU(out, cp);
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void Writer::separate() {
  if (needComma_) out_ += ',';
}

void Writer::beginObject() {
  separate();
  out_ += '{';
  needComma_ = false;
}
void Writer::endObject() {
  out_ += '}';
  needComma_ = true;
}
void Writer::beginArray() {
  separate();
  out_ += '[';
  needComma_ = false;
}
void Writer::endArray() {
  out_ += ']';
  needComma_ = true;
}
void Writer::key(std::string_view k) {
  separate();
  appendString(out_, k);
  out_ += ':';
  needComma_ = false;
}
void Writer::value(std::string_view s) {
  separate();
  appendString(out_, s);
  needComma_ = true;
}
void Writer::value(int64_t v) {
  separate();
  out_ += std::to_string(v);
  needComma_ = true;
}
void Writer::value(uint64_t v) {
  separate();
  out_ += std::to_string(v);
  needComma_ = true;
}
void Writer::value(double v) {
  separate();
  if (!std::isfinite(v)) {
    out_ += "null";
  } else if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    out_ += std::to_string(static_cast<int64_t>(v));  // integral: JS prints no ".0"
  } else {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip, like JS
    out_.append(buf, res.ptr);
  }
  needComma_ = true;
}
void Writer::value(bool v) {
  separate();
  out_ += v ? "true" : "false";
  needComma_ = true;
}
void Writer::null() {
  separate();
  out_ += "null";
  needComma_ = true;
}
void Writer::raw(std::string_view json) {
  separate();
  out_ += json;
  needComma_ = true;
}

}  // namespace dsk::json
