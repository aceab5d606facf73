#include "cpu/generator/scenario.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dsk::generator {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument("scenario: " + where + ": " + what);
}

double number(const json& j, const std::string& where) {
  if (!j.is_number()) fail(where, "expected a number");
  double v = j.get<double>();
  if (!std::isfinite(v)) fail(where, "expected a finite number");
  return v;
}

int integer(const json& j, const std::string& where, int lo, int hi) {
  double v = number(j, where);
  if (v != std::floor(v)) fail(where, "expected an integer");
  if (v < lo || v > hi) fail(where, "out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(v);
}

double optNumber(const json& obj, const char* key, double def, const std::string& where, double lo, double hi) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return def;
  double v = number(*it, where + "." + key);
  if (v < lo || v > hi) fail(where + "." + key, "out of range");
  return v;
}

int optInt(const json& obj, const char* key, int def, const std::string& where, int lo, int hi) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return def;
  return integer(*it, where + "." + key, lo, hi);
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A pleasant default palette (RGB) for objects without a colour.
constexpr uint8_t kPalette[][3] = {{200, 40, 40},  {40, 90, 200},  {230, 200, 40}, {32, 180, 200},
                                   {30, 150, 70},  {220, 120, 30}, {140, 50, 160}, {255, 95, 160}};

void parseColor(const json& j, const std::string& where, SceneObject& o) {
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    if (s.size() != 7 || s[0] != '#') fail(where, "expected \"#rrggbb\"");
    int v[6];
    for (int i = 0; i < 6; ++i) {
      v[i] = hexDigit(s[i + 1]);
      if (v[i] < 0) fail(where, "expected \"#rrggbb\"");
    }
    o.r = static_cast<uint8_t>(v[0] * 16 + v[1]);
    o.g = static_cast<uint8_t>(v[2] * 16 + v[3]);
    o.b = static_cast<uint8_t>(v[4] * 16 + v[5]);
  } else if (j.is_array() && j.size() == 3) {
    o.r = static_cast<uint8_t>(integer(j[0], where + "[0]", 0, 255));
    o.g = static_cast<uint8_t>(integer(j[1], where + "[1]", 0, 255));
    o.b = static_cast<uint8_t>(integer(j[2], where + "[2]", 0, 255));
  } else {
    fail(where, "expected \"#rrggbb\" or [r, g, b]");
  }
}

SceneObject parseObject(const json& j, size_t index) {
  const std::string where = "objects[" + std::to_string(index) + "]";
  if (!j.is_object()) fail(where, "expected an object");
  SceneObject o;
  auto size = j.find("size");
  if (size == j.end() || !size->is_array() || size->size() != 2) fail(where + ".size", "expected [width, height]");
  o.width = integer((*size)[0], where + ".size[0]", 2, 4096);
  o.height = integer((*size)[1], where + ".size[1]", 2, 4096);

  auto shape = j.find("shape");
  if (shape != j.end() && !shape->is_null()) {
    if (!shape->is_string()) fail(where + ".shape", "expected \"rect\" or \"ellipse\"");
    std::string s = shape->get<std::string>();
    if (s == "rect") o.shape = Shape::Rect;
    else if (s == "ellipse") o.shape = Shape::Ellipse;
    else fail(where + ".shape", "expected \"rect\" or \"ellipse\", got \"" + s + "\"");
  }
  const auto* pal = kPalette[index % (sizeof(kPalette) / sizeof(kPalette[0]))];
  o.r = pal[0];
  o.g = pal[1];
  o.b = pal[2];
  auto color = j.find("color");
  if (color != j.end() && !color->is_null()) parseColor(*color, where + ".color", o);
  o.texture = optNumber(j, "texture", 40, where, 0, 128);
  o.luma = optNumber(j, "luma", -1, where, 0, 255);
  auto shadow = j.find("shadow");
  if (shadow != j.end() && !shadow->is_null()) {
    const std::string w = where + ".shadow";
    if (!shadow->is_object()) fail(w, "expected {offset: [dx, dy], factor}");
    auto off = shadow->find("offset");
    if (off == shadow->end() || !off->is_array() || off->size() != 2) fail(w + ".offset", "expected [dx, dy]");
    o.shadowDx = number((*off)[0], w + ".offset[0]");
    o.shadowDy = number((*off)[1], w + ".offset[1]");
    if (std::abs(o.shadowDx) > 4096 || std::abs(o.shadowDy) > 4096) fail(w + ".offset", "out of range");
    o.shadowFactor = optNumber(*shadow, "factor", 0.6, w, 0.05, 1);
  }

  auto path = j.find("path");
  if (path == j.end() || !path->is_array() || path->empty()) fail(where + ".path", "expected a non-empty array of {frame, x, y}");
  for (size_t i = 0; i < path->size(); ++i) {
    const std::string w = where + ".path[" + std::to_string(i) + "]";
    const json& p = (*path)[i];
    if (!p.is_object() || !p.contains("frame") || !p.contains("x") || !p.contains("y")) fail(w, "expected {frame, x, y}");
    Waypoint wp;
    wp.frame = integer(p["frame"], w + ".frame", 0, 10'000'000);
    wp.x = number(p["x"], w + ".x");
    wp.y = number(p["y"], w + ".y");
    if (!o.path.empty() && wp.frame <= o.path.back().frame) fail(w + ".frame", "waypoint frames must increase strictly");
    o.path.push_back(wp);
  }
  o.appear = optInt(j, "appear", o.path.front().frame, where, 0, 10'000'000);
  o.disappear = optInt(j, "disappear", o.path.back().frame, where, 0, 10'000'000);
  if (o.disappear < o.appear) fail(where + ".disappear", "before appear");
  return o;
}

}  // namespace

Scenario parseScenario(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(std::string("scenario: invalid JSON: ") + e.what());
  }
  if (!j.is_object()) fail("root", "expected a JSON object");
  Scenario s;
  auto seed = j.find("seed");
  if (seed == j.end()) fail("seed", "required");
  if (!seed->is_number_integer() || (!seed->is_number_unsigned() && seed->get<int64_t>() < 0))
    fail("seed", "expected a non-negative integer");
  s.seed = seed->get<uint64_t>();
  s.width = optInt(j, "width", 1280, "root", 16, 7680);
  s.height = optInt(j, "height", 720, "root", 16, 4320);
  if (s.width % 2 || s.height % 2) fail("width/height", "must be even (4:2:0 video)");
  s.fps = optInt(j, "fps", 30, "root", 1, 240);

  auto objects = j.find("objects");
  if (objects != j.end() && !objects->is_null()) {
    if (!objects->is_array()) fail("objects", "expected an array");
    for (size_t i = 0; i < objects->size(); ++i) s.objects.push_back(parseObject((*objects)[i], i));
  }

  if (j.contains("frames") && !j["frames"].is_null()) {
    s.frames = integer(j["frames"], "frames", 1, 1'000'000);
  } else if (j.contains("durationSec") && !j["durationSec"].is_null()) {
    double d = number(j["durationSec"], "durationSec");
    if (d <= 0) fail("durationSec", "must be positive");
    s.frames = static_cast<int>(std::llround(d * s.fps));
    if (s.frames < 1) s.frames = 1;
  } else {
    int last = 0;
    for (const auto& o : s.objects) last = std::max(last, o.disappear + 1);
    s.frames = std::max(1, last);
  }

  auto bg = j.find("background");
  if (bg != j.end() && !bg->is_null()) {
    if (!bg->is_object()) fail("background", "expected an object");
    auto kind = bg->find("kind");
    if (kind != bg->end() && !kind->is_null()) {
      std::string k = kind->is_string() ? kind->get<std::string>() : "";
      if (k == "road") s.background = BackgroundKind::Road;
      else if (k == "plaza") s.background = BackgroundKind::Plaza;
      else if (k == "plain") s.background = BackgroundKind::Plain;
      else fail("background.kind", "expected \"road\", \"plaza\" or \"plain\"");
    }
    s.backgroundTexture = optNumber(*bg, "texture", 1.0, "background", 0, 2);
  }
  s.noise = optNumber(j, "noise", 2.0, "root", 0, 50);
  auto light = j.find("lighting");
  if (light != j.end() && !light->is_null()) {
    if (!light->is_object()) fail("lighting", "expected an object");
    s.lightingAmplitude = optNumber(*light, "amplitude", 0.03, "lighting", 0, 0.5);
    s.lightingPeriodFrames = optNumber(*light, "periodFrames", 10.0 * s.fps, "lighting", 1, 1e9);
  } else {
    s.lightingPeriodFrames = 10.0 * s.fps;
  }

  auto steps = j.find("exposureSteps");
  if (steps != j.end() && !steps->is_null()) {
    if (!steps->is_array()) fail("exposureSteps", "expected an array of {frame, gain, rampFrames?}");
    for (size_t i = 0; i < steps->size(); ++i) {
      const std::string w = "exposureSteps[" + std::to_string(i) + "]";
      const json& e = (*steps)[i];
      if (!e.is_object() || !e.contains("frame") || !e.contains("gain")) fail(w, "expected {frame, gain, rampFrames?}");
      ExposureStep st;
      st.frame = integer(e["frame"], w + ".frame", 0, 10'000'000);
      st.gain = number(e["gain"], w + ".gain");
      if (st.gain < 0.1 || st.gain > 10) fail(w + ".gain", "out of range [0.1, 10]");
      st.rampFrames = optInt(e, "rampFrames", 0, w, 0, 10'000);
      if (!s.exposureSteps.empty() && st.frame <= s.exposureSteps.back().frame) fail(w + ".frame", "step frames must increase strictly");
      s.exposureSteps.push_back(st);
    }
  }

  const double scale = (static_cast<double>(s.width) * s.height) / (1280.0 * 720.0) * (s.fps / 30.0);
  s.bitrateKbps = std::max(64, static_cast<int>(std::lround(1000.0 * scale)));
  auto enc = j.find("encoder");
  if (enc != j.end() && !enc->is_null()) {
    if (!enc->is_object()) fail("encoder", "expected an object");
    s.bitrateKbps = optInt(*enc, "bitrateKbps", s.bitrateKbps, "encoder", 16, 100000);
    s.keyIntMax = optInt(*enc, "keyIntMax", s.keyIntMax, "encoder", 1, 10000);
    auto preset = enc->find("speedPreset");
    if (preset != enc->end() && !preset->is_null()) {
      static const char* kPresets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                       "medium",    "slow",      "slower",   "veryslow"};
      std::string p = preset->is_string() ? preset->get<std::string>() : "";
      if (std::find(std::begin(kPresets), std::end(kPresets), p) == std::end(kPresets))
        fail("encoder.speedPreset", "expected an x264 preset name (ultrafast … veryslow)");
      s.speedPreset = p;
    }
  }
  return s;
}

double exposureAt(const Scenario& s, int frame) {
  double level = 1;
  for (const auto& st : s.exposureSteps) {
    if (frame < st.frame) break;
    if (st.rampFrames > 0 && frame < st.frame + st.rampFrames)
      return level + (st.gain - level) * (frame - st.frame + 1) / static_cast<double>(st.rampFrames + 1);
    level = st.gain;
  }
  return level;
}

void positionAt(const SceneObject& o, int frame, double& x, double& y) {
  const auto& p = o.path;
  if (frame <= p.front().frame) {
    x = p.front().x;
    y = p.front().y;
    return;
  }
  if (frame >= p.back().frame) {
    x = p.back().x;
    y = p.back().y;
    return;
  }
  size_t i = 0;
  while (i + 1 < p.size() && p[i + 1].frame < frame) ++i;
  const Waypoint& a = p[i];
  const Waypoint& b = p[i + 1];
  const double t = static_cast<double>(frame - a.frame) / static_cast<double>(b.frame - a.frame);
  x = a.x + (b.x - a.x) * t;
  y = a.y + (b.y - a.y) * t;
}

}  // namespace dsk::generator
