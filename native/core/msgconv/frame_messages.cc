#include "core/msgconv/frame_messages.h"

namespace dsk::msgconv {

FrameMessageBuilder::FrameMessageBuilder(FrameMessageOptions options)
    : options_(std::move(options)), decider_(options_.policy) {}

std::string FrameMessageBuilder::deviceId(int streamId) const {
  if (streamId >= 0 && static_cast<size_t>(streamId) < options_.deviceIds.size() &&
      !options_.deviceIds[static_cast<size_t>(streamId)].empty())
    return options_.deviceIds[static_cast<size_t>(streamId)];
  return "stream-" + std::to_string(streamId);
}

void FrameMessageBuilder::resumeCounts(FrameAnalytics& frame) const {
  if (frame.streamId >= 0 && static_cast<size_t>(frame.streamId) < options_.cumulativeBase.size())
    applyCumulativeBase(frame, options_.cumulativeBase[static_cast<size_t>(frame.streamId)]);
}

std::optional<FrameMessage> FrameMessageBuilder::onFrame(const FrameAnalytics& frame,
                                                         std::chrono::system_clock::time_point at) {
  const char* reason = decider_.decide(frame);
  if (!reason) return std::nullopt;
  FrameMessage m;
  m.reason = reason;
  m.ctx.messageId = uuidV4();
  m.ctx.timestamp = rfc3339Millis(at);
  m.ctx.deviceId = deviceId(frame.streamId);
  m.payload = buildPayload(options_.mapping, frame, m.ctx);
  return m;
}

std::chrono::system_clock::time_point frameWallClock(uint64_t ntpTimestampNs,
                                                     std::chrono::system_clock::time_point fallback) {
  if (ntpTimestampNs == 0) return fallback;
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(ntpTimestampNs)));
}

}  // namespace dsk::msgconv
