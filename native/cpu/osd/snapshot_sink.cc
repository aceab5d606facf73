#include "cpu/osd/snapshot_sink.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>

namespace dsk::cpu::osd {

SnapshotSink::SnapshotSink(const AnalyticsConfig& cfg, size_t streams, int maxWidth, int intervalMs)
    : maxWidth_(maxWidth), intervalMs_(intervalMs) {
  for (size_t i = 0; i < streams; ++i) {
    auto s = std::make_unique<Stream>();
    s->renderer = std::make_unique<OsdRenderer>(cfg, static_cast<int>(i));
    streams_.push_back(std::move(s));
  }
}

void SnapshotSink::onFrame(const FrameView& frame, const FrameResult& r) {
  if (r.streamId < 0 || static_cast<size_t>(r.streamId) >= streams_.size() || frame.luma.empty()) return;
  Stream& s = *streams_[r.streamId];
  if (r.ptsMs < s.nextMs && r.ptsMs + intervalMs_ >= s.nextMs) return;  // not due (a jump back restarts)
  s.nextMs = r.ptsMs + intervalMs_;
  const cv::Size src = frame.size();
  const int w = std::min(maxWidth_, src.width);
  const int h = std::max(2, static_cast<int>(std::lround(static_cast<double>(src.height) * w / src.width)));
  frame.toBgr(cv::Rect(0, 0, src.width, src.height), cv::Size(w, h), s.bgr);
  s.renderer->draw(s.bgr, r);
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", s.bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
  std::lock_guard<std::mutex> lock(s.m);
  s.jpeg.swap(jpeg);
}

std::vector<unsigned char> SnapshotSink::latest(int streamId) const {
  if (streamId < 0 || static_cast<size_t>(streamId) >= streams_.size()) return {};
  const Stream& s = *streams_[streamId];
  std::lock_guard<std::mutex> lock(s.m);
  return s.jpeg;
}

void FrameSinks::onFrame(const FrameView& frame, const FrameResult& result) {
  for (auto& s : sinks_) s->onFrame(frame, result);
}

std::string FrameSinks::onStreamEnd(int streamId, StreamState state) {
  std::string out;
  for (auto& s : sinks_) {
    const std::string w = s->onStreamEnd(streamId, state);
    if (!w.empty()) out += (out.empty() ? "" : "; ") + w;
  }
  return out;
}

}  // namespace dsk::cpu::osd
