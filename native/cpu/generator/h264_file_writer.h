// appsrc → videoconvert → video/x-raw,format=I420 → x264enc → h264parse →
// video/x-h264,stream-format=byte-stream,profile=high → filesink: writes raw BGR frames as an H.264 (High,
// 4:2:0, no B-frames) elementary stream, like DeepStream's sample_720p.h264.
#pragma once

#include <opencv2/core.hpp>

#include <string>

typedef struct _GstElement GstElement;
typedef struct _GstBus GstBus;

namespace dsk::generator {

struct EncoderSettings {
  int bitrateKbps = 1000;
  int keyIntMax = 60;
  std::string speedPreset = "medium";
  // One encoder thread: x264's multi-threaded VBV rate control depends on thread timing, so with more
  // threads the same frames encode to different bytes from run to run.
  int threads = 1;
};

class H264FileWriter {
 public:
  // Throws std::runtime_error when elements are missing or the file cannot be opened.
  H264FileWriter(const std::string& path, int width, int height, int fps, const EncoderSettings& enc);
  ~H264FileWriter();
  H264FileWriter(const H264FileWriter&) = delete;
  H264FileWriter& operator=(const H264FileWriter&) = delete;

  // Pushes one BGR frame (width × height, CV_8UC3). Throws if the pipeline has failed.
  void push(const cv::Mat& bgr);
  // Sends end-of-stream and waits until the file is complete. Throws on pipeline error.
  void finish();

 private:
  void checkBus(bool block);
  void teardown();

  std::string path_;
  int width_, height_, fps_;
  GstElement* pipeline_ = nullptr;
  GstElement* appsrc_ = nullptr;
  GstBus* bus_ = nullptr;
  unsigned long long pushed_ = 0;
  bool finished_ = false;
};

}  // namespace dsk::generator
