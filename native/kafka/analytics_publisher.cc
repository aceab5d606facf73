#include "kafka/analytics_publisher.h"

#include <chrono>

namespace dsk::kafka {

AnalyticsPublisher::AnalyticsPublisher(PublishOptions options, std::shared_ptr<KafkaProducer> producer)
    : options_(std::move(options)), producer_(std::move(producer)), decider_(options_.policy) {}

std::string AnalyticsPublisher::deviceId(int streamId) const {
  if (streamId >= 0 && static_cast<size_t>(streamId) < options_.deviceIds.size() &&
      !options_.deviceIds[streamId].empty())
    return options_.deviceIds[streamId];
  return "stream-" + std::to_string(streamId);
}

std::optional<PublishedMessage> AnalyticsPublisher::onFrame(const FrameAnalytics& frame) {
  const char* reason = decider_.decide(frame);
  if (!reason) return std::nullopt;
  PublishedMessage m;
  m.streamId = frame.streamId;
  m.frameNum = frame.frameNum;
  m.reason = reason;
  m.ctx.messageId = uuidV4();
  m.ctx.timestamp = rfc3339Millis(std::chrono::system_clock::now());
  m.ctx.deviceId = deviceId(frame.streamId);
  m.payload = buildPayload(options_.mapping, frame, m.ctx);
  // The common case needs no parse: the key is the device id we just wrote.
  m.key = options_.partitionKey == "deviceId" ? m.ctx.deviceId : extractKey(m.payload, options_.partitionKey);
  messages_.fetch_add(1);
  if (producer_) {
    try {
      m.seq = producer_->produce(m.key, m.payload);
    } catch (const std::exception& e) {
      produceErrors_.fetch_add(1);
      m.error = e.what();
    }
  }
  return m;
}

}  // namespace dsk::kafka
