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

void appendNumber(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    out += std::to_string(static_cast<int64_t>(v));  // integral (and -0): JS prints no ".0", no "-"
    return;
  }
  // Shortest round-trip digits (closest to v on ties, as ECMA-262 Number::toString asks), in the form
  // "[-]d[.ddd]e(+|-)XX"; then laid out with JS's rules, which differ from to_chars' own choice of
  // fixed vs. scientific (1e20 is "100000000000000000000" in JS, 1e-6 is "0.000001").
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  if (!sci.empty() && sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string digits(1, sci[0]);
  if (e > 2) digits.append(sci.substr(2, e - 2));  // skip the '.'
  int exp10 = 0;
  {
    std::string_view ex = sci.substr(e + 1);
    const bool negExp = !ex.empty() && ex.front() == '-';
    if (!ex.empty() && (ex.front() == '-' || ex.front() == '+')) ex.remove_prefix(1);
    for (char c : ex) exp10 = exp10 * 10 + (c - '0');
    if (negExp) exp10 = -exp10;
  }
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;  // v = 0.digits x 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n));
    out += '.';
    out.append(digits, static_cast<size_t>(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    out += 'e';
    out += n - 1 < 0 ? '-' : '+';
    out += std::to_string(n - 1 < 0 ? 1 - n : n - 1);
  }
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
  appendNumber(out_, v);
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
