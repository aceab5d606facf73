#include "cpu/gst_runtime.h"

#include <gst/gst.h>

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace dsk::gst {

void ensureInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    GError* err = nullptr;
    if (!gst_init_check(nullptr, nullptr, &err)) {
      std::string msg = err ? err->message : "unknown error";
      if (err) g_error_free(err);
      throw std::runtime_error("GStreamer failed to initialise: " + msg);
    }
  });
}

static std::string packageFor(const std::string& element) {
  static const std::map<std::string, std::string> known = {
      {"avdec_h264", "gstreamer1.0-libav"},        {"x264enc", "gstreamer1.0-plugins-ugly"},
      {"h264parse", "gstreamer1.0-plugins-bad"},   {"qtdemux", "gstreamer1.0-plugins-good"},
      {"matroskademux", "gstreamer1.0-plugins-good"}, {"avidemux", "gstreamer1.0-plugins-good"},
      {"rtspsrc", "gstreamer1.0-plugins-good"},    {"mp4mux", "gstreamer1.0-plugins-good"},
  };
  auto it = known.find(element);
  return it == known.end() ? "gstreamer1.0-plugins-base" : it->second;
}

std::vector<MissingElement> findMissingElements(const std::vector<std::string>& names) {
  ensureInitialized();
  std::vector<MissingElement> missing;
  for (const auto& name : names) {
    GstElementFactory* f = gst_element_factory_find(name.c_str());
    if (f) {
      gst_object_unref(f);
    } else {
      missing.push_back({name, packageFor(name)});
    }
  }
  return missing;
}

void requireElements(const std::vector<std::string>& names) {
  auto missing = findMissingElements(names);
  if (missing.empty()) return;
  std::string list, pkgs;
  std::set<std::string> seen;
  for (const auto& m : missing) {
    list += (list.empty() ? "" : ", ") + m.element;
    if (seen.insert(m.debianPackage).second) pkgs += " " + m.debianPackage;
  }
  throw std::runtime_error("GStreamer elements not available: " + list +
                           ". Install: sudo apt-get install -y" + pkgs);
}

}  // namespace dsk::gst
