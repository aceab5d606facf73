// The annotated video (--osd-output): a FrameSink that draws each processed frame (osd_draw.h) and encodes
// it to an H.264 MP4 with GStreamer, per stream:
//   appsrc (I420) ! x264enc speed-preset=ultrafast tune=zerolatency threads=1 pass=qual ! h264parse ! mp4mux
//   ! filesink
// The pipeline worker only copies the frame's planes into a small bounded queue; colour conversion (OpenCV,
// YUV -> BGR -> I420), drawing and encoding run on the encoder's own thread. The queue blocks the worker when full (the MP4 keeps every
// frame). At the end of a stream (eos, error or stop()) the queue is drained and the MP4 finalised before
// the pipeline reports its end.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/analytics/analytics_config.h"
#include "cpu/osd/osd_draw.h"
#include "cpu/pipeline.h"

typedef struct _GstElement GstElement;
typedef struct _GstBuffer GstBuffer;

namespace dsk::cpu::osd {

class OsdEncoder {
 public:
  OsdEncoder(std::string path, AnalyticsConfig cfg, int streamId, size_t queueFrames = 6);
  ~OsdEncoder();
  void push(const FrameView& view, const FrameResult& r);  // copies; blocks while the queue is full
  // Drains, ends the MP4 and waits until it is written. Returns an error message, or "" when written.
  std::string finish();
  uint64_t framesWritten() const { return written_; }

 private:
  struct Item {
    cv::Mat yuv;     // contiguous I420 / NV12 / NV21 copy (code >= 0)
    int code = -1;   // its cv::COLOR_YUV2BGR_* conversion; -1: `view` holds owned copies of the planes
    FrameView view;
    FrameResult result;
  };
  void run();
  std::string encode(Item& it);
  std::string open();
  std::string endStream();
  std::string pushBuffer(GstBuffer* buf);  // takes ownership

  std::string path_;
  OsdRenderer renderer_;
  size_t capacity_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool closing_ = false;
  bool failed_ = false;
  std::string error_;
  bool finished_ = false;
  std::thread thread_;
  GstElement* pipeline_ = nullptr;
  GstElement* appsrc_ = nullptr;
  GstBuffer* pending_ = nullptr;  // the newest frame, pushed when the next one gives its duration
  uint64_t lastDuration_ = 40000000;  // ns (25 fps until two frames are seen)
  cv::Mat bgr_, i420_;
  int width_ = 0, height_ = 0;
  uint64_t written_ = 0;
};

class OsdVideoSink : public FrameSink {
 public:
  // outputs[streamId]: the MP4 path of that stream ("" = none). Throws std::runtime_error when an element
  // (x264enc, mp4mux, ...) is missing.
  OsdVideoSink(const std::vector<std::string>& outputs, const AnalyticsConfig& cfg);
  void onFrame(const FrameView& frame, const FrameResult& result) override;
  std::string onStreamEnd(int streamId, StreamState state) override;

 private:
  std::vector<std::unique_ptr<OsdEncoder>> encoders_;
};

}  // namespace dsk::cpu::osd
