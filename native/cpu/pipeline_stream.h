// Internal to the CPU pipeline (pipeline.cc, stream_worker.cc and stream_glue.cc): one input's state and the
// GStreamer glue (pipeline construction, appsink/bus/pad callbacks, decoder probes, teardown). Not part of the
// API. A network input's Stream outlives its connections: the glue builds and tears down one per connection.
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cpu/pipeline.h"

namespace dsk::cpu {

namespace detail {
bool hasScheme(const std::string& s);          // "<scheme>://..."
std::string localPath(const std::string& input);  // path of a plain path or file:// URI; empty for other URIs
}  // namespace detail

struct CpuPipeline::Stream {
  CpuPipeline* owner = nullptr;
  int id = 0;
  std::string input;
  std::string kind;
  bool live = false;

  GstElement* pipeline = nullptr;
  GstElement* appsink = nullptr;
  std::thread worker;

  // Decoder -> worker handoff (guarded by m).
  std::mutex m;
  std::condition_variable frameCv;  // worker waits for frames / bus events / a reconnect delay
  std::condition_variable spaceCv;  // streaming thread waits for room (file inputs)
  std::deque<GstSample*> queue;
  size_t capacity = 4;
  bool closing = false;             // stop() or a teardown: the streaming thread must not wait (reset per connection)
  bool eos = false;
  bool error = false;
  std::string errorMessage;
  std::vector<std::string> pendingWarnings;
  uint64_t droppedWarnings = 0;
  uint64_t droppedFrames = 0;

  // Frames the decoder swallowed: presentation times that went in and never came out (decoder probes).
  std::mutex ptsMutex;
  std::set<GstClockTime> pendingPts;
  bool ptsTracking = true;
  std::atomic<uint64_t> lostFrames{0};
  std::atomic<uint64_t> decoderIn{0}, decoderOut{0};
  std::atomic<uint64_t> corruptFrames{0};
  std::atomic<int64_t> lastLostPtsMs{-1};  // where the last loss was seen; -1 = unknown
  GstClockTime firstInPts = GST_CLOCK_TIME_NONE;

  // Decoded size when GStreamer downscales (set from the caps event before the scaler).
  std::atomic<int> srcWidth{0}, srcHeight{0};

  std::unique_ptr<Detector> detector;
  std::unique_ptr<tracking::SortTracker> tracker;

  mutable std::mutex statsMutex;
  StreamSummary summary;
  bool ended = false;
};

// Runs a user callback serialised with the others; a throwing callback never takes a video thread down.
template <typename F>
void CpuPipeline::callback(F&& f) {
  std::lock_guard<std::mutex> lock(callbackMutex_);
  try {
    f();
  } catch (...) {
  }
}

// GStreamer's C callbacks and the per-input pipeline (stream_glue.cc). A friend of CpuPipeline.
struct GstGlue {
  static GstFlowReturn onNewSample(GstAppSink* sink, gpointer user);
  static GstBusSyncReply onBusMessage(GstBus*, GstMessage* msg, gpointer user);
  static std::string lastPart(const char* dbg);
  static std::string describeError(const CpuPipeline::Stream& s, GError* err, const char* dbg, const char* src);
  static void onPadAdded(GstElement*, GstPad* pad, gpointer user);
  static void onNoMorePads(GstElement*, gpointer user);
  static void onElementAdded(GstBin*, GstBin*, GstElement* element, gpointer user);
  static GstPadProbeReturn onDecoderIn(GstPad*, GstPadProbeInfo* info, gpointer user);
  static GstPadProbeReturn onDecoderOut(GstPad*, GstPadProbeInfo* info, gpointer user);
  static void watchDecoder(GstElement* dec, CpuPipeline::Stream& s);
  static void flushLost(CpuPipeline::Stream& s);
  static void onSourceSetup(GstElement*, GstElement* source, gpointer user);
  static GstPadProbeReturn onScalerCaps(GstPad*, GstPadProbeInfo* info, gpointer user);
  static std::string build(CpuPipeline::Stream& s);
  static void teardown(CpuPipeline::Stream& s);
};

}  // namespace dsk::cpu
