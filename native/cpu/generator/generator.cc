#include "cpu/generator/generator.h"

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "cpu/generator/h264_file_writer.h"
#include "cpu/generator/renderer.h"
#include "cpu/generator/scenario.h"
#include "cpu/gst_runtime.h"

namespace dsk::generator {

GenerateResult generateSample(const std::string& scenarioJson, const std::string& outPath) {
  const Scenario scenario = parseScenario(scenarioJson);
  if (outPath.empty()) throw std::invalid_argument("output path is empty");
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path out(outPath);
  if (fs::is_directory(out, ec)) throw std::runtime_error("cannot write " + outPath + ": it is a directory");
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    throw std::runtime_error("cannot write " + outPath + ": directory " + parent.string() + " does not exist");
  const bool existed = fs::exists(out, ec);

  gst::ensureInitialized();
  EncoderSettings enc;
  enc.bitrateKbps = scenario.bitrateKbps;
  enc.keyIntMax = scenario.keyIntMax;
  enc.speedPreset = scenario.speedPreset;
  try {
    Renderer renderer(scenario);
    H264FileWriter writer(outPath, scenario.width, scenario.height, scenario.fps, enc);
    cv::Mat frame;
    for (int i = 0; i < scenario.frames; ++i) {
      renderer.render(i, frame);
      writer.push(frame);
    }
    writer.finish();
  } catch (...) {
    if (!existed) fs::remove(out, ec);
    throw;
  }
  GenerateResult r;
  r.frames = scenario.frames;
  r.width = scenario.width;
  r.height = scenario.height;
  r.bytes = static_cast<uint64_t>(fs::file_size(out, ec));
  if (ec) throw std::runtime_error("cannot stat " + outPath + ": " + ec.message());
  return r;
}

}  // namespace dsk::generator
