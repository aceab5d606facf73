// Minimal JSON writer whose output is byte-for-byte what JavaScript's JSON.stringify produces for the
// same values in the same key order, so the native and the kafkajs paths send identical payloads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dsk::json {

// Appends `s` as a JSON string literal, escaped exactly like JSON.stringify (short escapes for
// \b \f \n \r \t, \u00XX lowercase for other control characters, lone surrogates as \udXXX).
void appendString(std::string& out, std::string_view s);

// Appends `v` exactly as JavaScript's Number::toString / JSON.stringify writes it: the shortest digits that
// round-trip, plain notation for 1e-7 < |v| < 1e21 ("0.000001", "100000000000000000000"), exponent form
// otherwise ("1e-7", "1.5e+21"); -0 as "0"; NaN and infinities as "null".
void appendNumber(std::string& out, double v);

// Streams an object/array without building a DOM. Commas are placed automatically.
class Writer {
 public:
  void beginObject();
  void endObject();
  void beginArray();
  void endArray();
  void key(std::string_view k);
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(int64_t v);
  void value(uint64_t v);
  void value(int v) { value(static_cast<int64_t>(v)); }
  void value(unsigned v) { value(static_cast<uint64_t>(v)); }
  void value(double v);  // JSON.stringify's shortest round-trip form; NaN/Inf become null
  void value(bool v);
  void null();
  // Inserts already-serialised JSON as one value.
  void raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void separate();
  std::string out_;
  bool needComma_ = false;
};

}  // namespace dsk::json
