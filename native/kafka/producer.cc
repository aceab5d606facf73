#include "kafka/producer.h"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace dsk::kafka {

namespace {
using Clock = std::chrono::steady_clock;

struct MessageTag {  // rides with each message as its opaque
  uint64_t seq;
  uint64_t spoolId;  // 0: not spooled
  Clock::time_point producedAt;
};

// Hands one message to librdkafka (copied); on success the tag belongs to its delivery report.
rd_kafka_resp_err_t produceTagged(rd_kafka_t* rk, rd_kafka_topic_t* topic, const std::string& key, const std::string& payload,
                                  MessageTag* tag) {
  return rd_kafka_producev(rk, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
                           RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()), RD_KAFKA_V_OPAQUE(tag), RD_KAFKA_V_END);
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}
}  // namespace

struct KafkaProducer::Handle {
  rd_kafka_t* rk = nullptr;
  rd_kafka_topic_t* topic = nullptr;
  std::atomic<uint64_t> nextSeq{0};
  ~Handle() {
    if (topic) rd_kafka_topic_destroy(topic);
    if (rk) rd_kafka_destroy(rk);
  }
};

struct ProducerCallbacks {
  static void delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto* self = static_cast<KafkaProducer*>(opaque);
    auto* tag = static_cast<MessageTag*>(msg->_private);
    DeliveryReport r;
    r.seq = tag ? tag->seq : 0;
    r.ok = msg->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!r.ok) r.error = rd_kafka_err2str(msg->err);
    r.partition = msg->partition;
    r.offset = msg->offset;
    uint64_t spoolId = 0;
    if (tag) {
      r.latencyMs = std::chrono::duration<double, std::milli>(Clock::now() - tag->producedAt).count();
      spoolId = tag->spoolId;
      delete tag;
    }
    self->onReport(r, spoolId);
  }

  static void error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* self = static_cast<KafkaProducer*>(opaque);
    auto code = static_cast<rd_kafka_resp_err_t>(err);
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
      char buf[512];
      rd_kafka_fatal_error(rk, buf, sizeof buf);
      self->onLog_(LogLevel::Error, std::string("fatal Kafka producer error: ") + buf);
      return;
    }
    // Transport errors are expected while a broker is down or restarting: messages stay queued.
    std::string text = std::string(rd_kafka_err2name(code)) + ": " + reason;
    if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
      text = "no broker reachable (" + std::string(reason) + "); messages are buffered until it is";
    self->onLog_(LogLevel::Warn, text);
  }

  // librdkafka's own log lines go through our callback instead of straight to stderr.
  static void log(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
    auto* self = static_cast<KafkaProducer*>(rd_kafka_opaque(rk));
    if (!self || !self->onLog_) return;
    LogLevel l = level <= 3 ? LogLevel::Error : level == 4 ? LogLevel::Warn : level <= 6 ? LogLevel::Info : LogLevel::Debug;
    // A freshly started broker answers InitProducerId with "coordinator load in progress" for a moment;
    // librdkafka retries by itself, so it is not worth a warning.
    if (l == LogLevel::Warn && std::strstr(buf, "Coordinator load in progress")) l = LogLevel::Info;
    self->onLog_(l, std::string(fac) + ": " + buf);
  }
};

std::vector<std::pair<std::string, std::string>> parseProtoCfg(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    std::string item = trim(text.substr(start, end - start));
    if (!item.empty()) {
      size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0)
        throw std::invalid_argument("proto-cfg entry \"" + item + "\" is not key=value");
      out.emplace_back(trim(item.substr(0, eq)), trim(item.substr(eq + 1)));
    }
    start = end + 1;
  }
  return out;
}

KafkaProducer::KafkaProducer(ProducerConfig config, DeliveryCallback onDelivery, LogCallback onLog)
    : config_(std::move(config)),
      onDelivery_(std::move(onDelivery)),
      onLog_(std::move(onLog)),
      h_(std::make_unique<Handle>()) {
  if (config_.topic.empty()) throw std::invalid_argument("Kafka topic is empty");
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::invalid_argument("Kafka property " + k + "=" + v + ": " + err);
    }
  };
  set("bootstrap.servers", config_.bootstrapServers);
  set("enable.idempotence", "true");  // implies acks=all and safe, ordered retries
  set("acks", "all");
  set("message.timeout.ms", std::to_string(config_.deliveryTimeoutMs));
  set("linger.ms", "5");
  set("client.id", "ds-kafka");
  for (const auto& [k, v] : config_.properties) set(k, v);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, &ProducerCallbacks::delivery);
  rd_kafka_conf_set_error_cb(conf, &ProducerCallbacks::error);
  rd_kafka_conf_set_log_cb(conf, &ProducerCallbacks::log);

  h_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);  // takes conf on success
  if (!h_->rk) {
    rd_kafka_conf_destroy(conf);
    throw std::invalid_argument(std::string("cannot create Kafka producer: ") + err);
  }
  h_->topic = rd_kafka_topic_new(h_->rk, config_.topic.c_str(), nullptr);
  if (!config_.spoolDir.empty()) {
    try {
      spool_ = std::make_unique<Spool>(SpoolConfig{config_.spoolDir, config_.spoolMaxBytes});
    } catch (const std::exception& e) {
      throw std::invalid_argument(e.what());  // Handle's destructor frees librdkafka
    }
  }
  if (spool_) {
    // What an earlier run produced but never saw acknowledged goes first, unchanged (same messageid). The
    // poll thread hands it to librdkafka as the local queue has room (never blocking this thread, which
    // is JavaScript's); counted as produced from now on, so flush() waits for it.
    replay_ = spool_->takeRecovered();
    produced_.fetch_add(replay_.size());
    const SpoolStats st = spool_->stats();
    if (!replay_.empty())
      onLog_(LogLevel::Info, "spool " + config_.spoolDir + ": re-sending " + std::to_string(replay_.size()) +
                                 " unacknowledged message(s) from an earlier run");
    if (st.tornBytes > 0)
      onLog_(LogLevel::Warn, "spool " + config_.spoolDir + ": ignored " + std::to_string(st.tornBytes) +
                                 " byte(s) of a record cut off by a crash (never handed to Kafka)");
  }
  poller_ = std::thread([this] { pollLoop(); });
}

void KafkaProducer::replaySome() {
  while (replayNext_ < replay_.size() && running_.load()) {
    const SpoolRecord& r = replay_[replayNext_];
    auto* tag = new MessageTag{h_->nextSeq.fetch_add(1) + 1, r.id, Clock::now()};
    const rd_kafka_resp_err_t e = produceTagged(h_->rk, h_->topic, r.key, r.payload, tag);
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {  // the rest waits for room
      delete tag;
      return;
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {  // it stays in the spool for the next start
      delete tag;
      failed_.fetch_add(1);
      onLog_(LogLevel::Warn, "spool " + config_.spoolDir + ": cannot re-send a message (" + rd_kafka_err2str(e) + ")");
    }
    ++replayNext_;
  }
  if (replayNext_ == replay_.size() && !replay_.empty()) {
    replay_.clear();
    replay_.shrink_to_fit();
    replayNext_ = 0;
  }
}

KafkaProducer::~KafkaProducer() { close(0); }

void KafkaProducer::pollLoop() {
  auto lastSync = Clock::now();
  while (running_.load()) {
    if (!replay_.empty()) replaySome();
    rd_kafka_poll(h_->rk, 50);
    // Spooled bytes reach the disk within about a second (they reach the kernel at once).
    if (spool_ && Clock::now() - lastSync > std::chrono::seconds(1)) {
      spool_->sync();
      lastSync = Clock::now();
    }
  }
}

void KafkaProducer::onReport(const DeliveryReport& r, uint64_t spoolId) {
  if (spool_ && spoolId) {
    if (r.ok) spool_->ack(spoolId);
    else if (!spoolKeptWarned_.exchange(true))
      onLog_(LogLevel::Warn, "undelivered messages stay in spool " + config_.spoolDir + " and are re-sent at the next start (" + r.error + ")");
  }
  (r.ok ? delivered_ : failed_).fetch_add(1);
  if (onDelivery_) onDelivery_(r);
}

uint64_t KafkaProducer::produce(const std::string& key, const std::string& payload) {
  if (closed_.load()) throw std::runtime_error("producer is closed");
  uint64_t spoolId = 0;
  if (spool_) {
    std::string why;
    spoolId = spool_->append(key, payload, &why);
    if (spoolId == 0 && !spoolFullWarned_.exchange(true))
      onLog_(LogLevel::Warn, "spool " + config_.spoolDir + ": " + why + " (limit " +
                                 (config_.spoolMaxBytes >= (1u << 20) ? std::to_string(config_.spoolMaxBytes >> 20) + " MiB"
                                                                       : std::to_string(config_.spoolMaxBytes) + " bytes") +
                                 "); further messages are kept in memory only until it drains");
    if (spoolId != 0) spoolFullWarned_.store(false);
  }
  const uint64_t seq = h_->nextSeq.fetch_add(1) + 1;
  auto* tag = new MessageTag{seq, spoolId, Clock::now()};
  produced_.fetch_add(1);  // before the report can arrive, so inFlight() never underflows
  for (;;) {
    const rd_kafka_resp_err_t e = produceTagged(h_->rk, h_->topic, key, payload, tag);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {  // backpressure, not loss
      rd_kafka_poll(h_->rk, 10);
      continue;
    }
    delete tag;
    produced_.fetch_sub(1);
    throw std::runtime_error(std::string("Kafka produce failed: ") + rd_kafka_err2str(e));
  }
  return seq;  // the tag now belongs to the delivery report
}

bool KafkaProducer::flush(int timeoutMs) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  // rd_kafka_flush polls too; our poll thread may serve the reports concurrently, which is fine.
  for (;;) {
    if (stats().inFlight() == 0) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    rd_kafka_flush(h_->rk, static_cast<int>(std::min<long long>(left, 100)));
  }
}

void KafkaProducer::close(int timeoutMs) {
  if (closed_.exchange(true)) return;
  flush(timeoutMs);
  running_.store(false);
  if (poller_.joinable()) poller_.join();
  // Re-sends that never got into the queue stay in the spool for the next start.
  if (replay_.size() > replayNext_) failed_.fetch_add(replay_.size() - replayNext_);
  replay_.clear();
  // Messages still queued are purged so their opaques are reported (as failed) and freed.
  rd_kafka_purge(h_->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(h_->rk, 0);
  if (spool_) spool_->sync();
}

ProducerStats KafkaProducer::stats() const {
  ProducerStats s;
  s.produced = produced_.load();
  s.delivered = delivered_.load();
  s.failed = failed_.load();
  if (spool_) {
    s.spooling = true;
    s.spool = spool_->stats();
  }
  return s;
}

}  // namespace dsk::kafka
