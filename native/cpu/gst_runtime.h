// GStreamer process-wide setup: gst_init exactly once, and element-availability checks that turn a
// missing plugin into an error naming the Debian package that provides it.
#pragma once

#include <string>
#include <vector>

namespace dsk::gst {

// Idempotent and thread-safe.
void ensureInitialized();

struct MissingElement {
  std::string element;
  std::string debianPackage;
};

// Elements in `names` whose factories are not registered.
std::vector<MissingElement> findMissingElements(const std::vector<std::string>& names);

// Throws std::runtime_error listing missing elements and the apt-get command that installs them.
void requireElements(const std::vector<std::string>& names);

}  // namespace dsk::gst
