// Frame analytics -> Kafka messages for the CPU backend: decides which frames become messages
// (SendDecider), builds the payload (core payload builder, shared with the DeepStream converter) and,
// when given a producer, produces it with its key. Runs on the pipeline's worker thread; never waits on
// the broker (the producer buffers).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/payload/payload_builder.h"
#include "core/payload/payload_mapping.h"
#include "core/payload/send_policy.h"
#include "kafka/producer.h"

namespace dsk::kafka {

struct PublishOptions {
  PayloadMapping mapping;
  SendPolicy policy;
  std::vector<std::string> deviceIds;    // per stream index; missing ones default to "stream-<N>"
  std::string partitionKey = "deviceId"; // dotted path into the message; "" = no key
};

struct PublishedMessage {
  int streamId = 0;
  uint64_t frameNum = 0;
  const char* reason = "";
  MessageContext ctx;
  std::string key;
  std::string payload;
  uint64_t seq = 0;        // producer sequence number; 0 when not produced here
  std::string error;       // produce() refused it (producer closed or fatal)
};

class AnalyticsPublisher {
 public:
  // producer may be null: messages are built (for a JavaScript producer) but not sent.
  AnalyticsPublisher(PublishOptions options, std::shared_ptr<KafkaProducer> producer);

  // One call per frame per stream, in frame order. Returns the message when this frame is sent.
  std::optional<PublishedMessage> onFrame(const FrameAnalytics& frame);

  std::string deviceId(int streamId) const;
  uint64_t messages() const { return messages_.load(); }
  uint64_t produceErrors() const { return produceErrors_.load(); }

 private:
  PublishOptions options_;
  std::shared_ptr<KafkaProducer> producer_;
  SendDecider decider_;
  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> produceErrors_{0};
};

}  // namespace dsk::kafka
