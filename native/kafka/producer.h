// Native Kafka producer on librdkafka, shaped by what DeepStream's Kafka adaptor gets wrong:
// idempotent with acks=all, starts even when the broker is down (warns and buffers in memory),
// retries until delivered or until the delivery deadline, counts every delivery report, flushes on close.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kafka/spool.h"

namespace dsk::kafka {

struct ProducerConfig {
  std::string bootstrapServers;  // "host:port[,host:port]"
  std::string topic;
  // librdkafka properties in the order given (proto-cfg, then producer-proto-cfg, then SASL/SSL settings);
  // later entries override earlier ones and our defaults.
  std::vector<std::pair<std::string, std::string>> properties;
  int deliveryTimeoutMs = 300000;  // message.timeout.ms: how long a message may wait for the broker
  // Non-empty: every message is spooled to disk until acknowledged, and what an earlier run left
  // unacknowledged there is re-sent at construction (kafka/spool.h).
  std::string spoolDir;
  uint64_t spoolMaxBytes = 1024ull << 20;
};

struct DeliveryReport {
  uint64_t seq = 0;          // produce() order, from 1
  bool ok = false;
  std::string error;         // empty when ok
  int32_t partition = -1;
  int64_t offset = -1;
  double latencyMs = 0;      // produce() to broker acknowledgement
};

struct ProducerStats {
  uint64_t produced = 0;     // accepted into the local queue (including re-sent spooled ones)
  uint64_t delivered = 0;    // acknowledged by the broker
  uint64_t failed = 0;       // permanently failed (deadline, fatal error)
  uint64_t inFlight() const { return produced - delivered - failed; }
  bool spooling = false;
  SpoolStats spool;          // when spooling; spool.recovered = re-sent at start
};

enum class LogLevel { Debug, Info, Warn, Error };

class KafkaProducer {
 public:
  using DeliveryCallback = std::function<void(const DeliveryReport&)>;
  using LogCallback = std::function<void(LogLevel, const std::string&)>;

  // Throws std::invalid_argument for a bad property (the message names it). Callbacks run on the
  // producer's own poll thread and must not block.
  KafkaProducer(ProducerConfig config, DeliveryCallback onDelivery, LogCallback onLog);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Enqueues one message (spooling it first when a spool is configured); returns its sequence number.
  // Waits (serving delivery reports) only while the local queue is full; throws std::runtime_error after
  // close() or on a fatal producer error.
  uint64_t produce(const std::string& key, const std::string& payload);

  // Waits until every produced message is delivered or failed, or timeoutMs passes. True when none is left.
  bool flush(int timeoutMs);

  // Flushes (up to timeoutMs), then stops the poll thread. Idempotent.
  void close(int timeoutMs);

  ProducerStats stats() const;
  const ProducerConfig& config() const { return config_; }

 private:
  struct Handle;
  void pollLoop();
  void onReport(const DeliveryReport& r, uint64_t spoolId);
  void replaySome();  // poll thread: hands spooled messages of an earlier run to librdkafka as room allows

  ProducerConfig config_;
  DeliveryCallback onDelivery_;
  LogCallback onLog_;
  std::unique_ptr<Spool> spool_;  // declared before h_: outlives librdkafka's last delivery callback
  std::vector<SpoolRecord> replay_;  // the poll thread's (and close()'s after joining it)
  size_t replayNext_ = 0;
  std::unique_ptr<Handle> h_;
  std::atomic<bool> spoolFullWarned_{false};
  std::atomic<bool> spoolKeptWarned_{false};
  std::atomic<bool> running_{true};
  std::atomic<bool> closed_{false};
  std::atomic<uint64_t> produced_{0}, delivered_{0}, failed_{0};
  std::thread poller_;

  friend struct ProducerCallbacks;
};

// "k=v;k=v" as in cfg_kafka.txt's proto-cfg; whitespace around keys and values is dropped.
std::vector<std::pair<std::string, std::string>> parseProtoCfg(const std::string& text);

}  // namespace dsk::kafka
