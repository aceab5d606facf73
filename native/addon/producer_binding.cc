// NativeProducer: the librdkafka producer (native/kafka/producer.h) exposed to JavaScript.
// Delivery reports and logs reach JS through a bounded EventChannel; counts are kept natively, so a slow
// JS handler can drop report *events* but never changes produced/delivered/failed.
#include <algorithm>
#include <memory>

#include "addon/event_channel.h"
#include "addon/producer_handle.h"
#include "addon/registry.h"
#include "kafka/producer.h"

namespace {

// Marks JS objects that really are NativeProducers (N-API type tags), so unwrapping is safe.
constexpr napi_type_tag kProducerTag = {0x6473b2f1a1c94e11ULL, 0x8d7a40cbe93f5b27ULL};

using dsk::addon::EventChannel;
using dsk::kafka::DeliveryReport;
using dsk::kafka::KafkaProducer;
using dsk::kafka::LogLevel;
using dsk::kafka::ProducerConfig;
using dsk::kafka::ProducerStats;

const char* levelName(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    default: return "error";
  }
}

Napi::Object statsToJs(Napi::Env env, const ProducerStats& s, uint64_t droppedEvents) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("produced", Napi::Number::New(env, static_cast<double>(s.produced)));
  o.Set("delivered", Napi::Number::New(env, static_cast<double>(s.delivered)));
  o.Set("failed", Napi::Number::New(env, static_cast<double>(s.failed)));
  o.Set("inFlight", Napi::Number::New(env, static_cast<double>(s.inFlight())));
  o.Set("droppedEvents", Napi::Number::New(env, static_cast<double>(droppedEvents)));
  if (s.spooling) {
    auto n = [&](uint64_t v) { return Napi::Number::New(env, static_cast<double>(v)); };
    Napi::Object sp = Napi::Object::New(env);
    sp.Set("resent", n(s.spool.recovered));
    sp.Set("spooled", n(s.spool.spooled));
    sp.Set("unspooled", n(s.spool.unspooled));
    sp.Set("pending", n(s.spool.pending));
    sp.Set("bytes", n(s.spool.bytes));
    o.Set("spool", sp);
  }
  return o;
}

ProducerConfig configFromJs(const Napi::Object& o) {
  ProducerConfig c;
  auto str = [&](const char* k) -> std::string {
    Napi::Value v = o.Get(k);
    if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string("producer option ") + k + " must be a string");
    return v.As<Napi::String>();
  };
  c.bootstrapServers = str("bootstrapServers");
  c.topic = str("topic");
  if (o.Has("deliveryTimeoutMs") && o.Get("deliveryTimeoutMs").IsNumber())
    c.deliveryTimeoutMs = o.Get("deliveryTimeoutMs").As<Napi::Number>().Int32Value();
  if (o.Has("spoolDir") && o.Get("spoolDir").IsString()) c.spoolDir = o.Get("spoolDir").As<Napi::String>().Utf8Value();
  if (o.Has("spoolMaxBytes") && o.Get("spoolMaxBytes").IsNumber())
    c.spoolMaxBytes = static_cast<uint64_t>(std::max(0.0, o.Get("spoolMaxBytes").As<Napi::Number>().DoubleValue()));
  if (o.Has("properties") && o.Get("properties").IsArray()) {
    Napi::Array props = o.Get("properties").As<Napi::Array>();
    for (uint32_t i = 0; i < props.Length(); ++i) {
      Napi::Value p = props.Get(i);
      if (!p.IsArray() || p.As<Napi::Array>().Length() != 2)
        throw Napi::TypeError::New(o.Env(), "producer properties must be [key, value] pairs");
      Napi::Array kv = p.As<Napi::Array>();
      c.properties.emplace_back(kv.Get(0u).ToString().Utf8Value(), kv.Get(1u).ToString().Utf8Value());
    }
  }
  return c;
}

class NativeProducer : public Napi::ObjectWrap<NativeProducer> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    exports.Set("NativeProducer",
                DefineClass(env, "NativeProducer",
                            {InstanceMethod("produce", &NativeProducer::Produce),
                             InstanceMethod("flush", &NativeProducer::Flush),
                             InstanceMethod("close", &NativeProducer::Close),
                             InstanceMethod("stats", &NativeProducer::Stats)}));
  }

  // new NativeProducer(options, onEvent)
  explicit NativeProducer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeProducer>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
      throw Napi::TypeError::New(env, "NativeProducer(options, onEvent) expects an object and a function");
    ProducerConfig config = configFromJs(info[0].As<Napi::Object>());
    info.This().As<Napi::Object>().TypeTag(&kProducerTag);
    channel_ = std::make_shared<EventChannel>(env, info[1].As<Napi::Function>(), "ds-kafka producer events", 4096);
    std::weak_ptr<EventChannel> ch = channel_;
    try {
      producer_ = std::make_shared<KafkaProducer>(
          std::move(config),
          [ch](const DeliveryReport& r) {
            if (auto c = ch.lock())
              c->post([r](Napi::Env env) {
                Napi::Object o = Napi::Object::New(env);
                o.Set("type", "delivery");
                o.Set("seq", Napi::Number::New(env, static_cast<double>(r.seq)));
                o.Set("ok", Napi::Boolean::New(env, r.ok));
                if (!r.ok) o.Set("error", r.error);
                o.Set("partition", Napi::Number::New(env, r.partition));
                o.Set("offset", Napi::Number::New(env, static_cast<double>(r.offset)));
                o.Set("latencyMs", Napi::Number::New(env, r.latencyMs));
                return o;
              });
          },
          [ch](LogLevel level, const std::string& msg) {
            if (auto c = ch.lock())
              c->post([level, msg](Napi::Env env) {
                Napi::Object o = Napi::Object::New(env);
                o.Set("type", "log");
                o.Set("level", levelName(level));
                o.Set("message", msg);
                return o;
              });
          });
    } catch (const std::exception& e) {
      channel_->close();
      throw Napi::Error::New(env, e.what());
    }
  }

  ~NativeProducer() override {
    if (producer_) producer_->close(0);
    if (channel_) channel_->close();
  }

 private:
  Napi::Value Produce(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!producer_) throw Napi::Error::New(env, "producer is closed");
    if (info.Length() < 2 || !(info[0].IsString() || info[0].IsNull() || info[0].IsUndefined()) ||
        !(info[1].IsString() || info[1].IsBuffer()))
      throw Napi::TypeError::New(env, "produce(key: string | null, payload: string | Buffer)");
    std::string key = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string();
    std::string payload;
    if (info[1].IsBuffer()) {
      auto b = info[1].As<Napi::Buffer<char>>();
      payload.assign(b.Data(), b.Length());
    } else {
      payload = info[1].As<Napi::String>().Utf8Value();
    }
    try {
      return Napi::Number::New(env, static_cast<double>(producer_->produce(key, payload)));
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

  // flush(timeoutMs) -> Promise<boolean>; waits off the JS thread.
  Napi::Value Flush(const Napi::CallbackInfo& info) { return waitAsync(info, false); }
  // close(timeoutMs) -> Promise<stats>; flushes, stops, releases the event channel.
  Napi::Value Close(const Napi::CallbackInfo& info) { return waitAsync(info, true); }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    ProducerStats s = producer_ ? producer_->stats() : finalStats_;
    return statsToJs(info.Env(), s, channel_ ? channel_->dropped() : 0);
  }

  class WaitWorker : public Napi::AsyncWorker {
   public:
    WaitWorker(Napi::Env env, NativeProducer* owner, int timeoutMs, bool close)
        : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), owner_(owner),
          timeoutMs_(timeoutMs), close_(close) {
      ref_ = Napi::Persistent(owner->Value());  // keep the producer alive while we wait
    }
    Napi::Promise promise() { return deferred_.Promise(); }
    void Execute() override {
      if (close_) {
        owner_->producer_->close(timeoutMs_);
        stats_ = owner_->producer_->stats();
        ok_ = stats_.inFlight() == 0;
      } else {
        ok_ = owner_->producer_->flush(timeoutMs_);
      }
    }
    void OnOK() override {
      Napi::Env env = Env();
      if (close_) {
        owner_->finalStats_ = stats_;
        owner_->producer_.reset();
        uint64_t dropped = owner_->channel_->dropped();
        owner_->channel_->close();
        deferred_.Resolve(statsToJs(env, stats_, dropped));
      } else {
        deferred_.Resolve(Napi::Boolean::New(env, ok_));
      }
    }

   private:
    Napi::Promise::Deferred deferred_;
    NativeProducer* owner_;
    Napi::ObjectReference ref_;
    int timeoutMs_;
    bool close_;
    bool ok_ = false;
    ProducerStats stats_;
  };

  Napi::Value waitAsync(const Napi::CallbackInfo& info, bool close) {
    Napi::Env env = info.Env();
    int timeoutMs = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 10000;
    if (!producer_) {
      auto d = Napi::Promise::Deferred::New(env);
      if (close)
        d.Resolve(statsToJs(env, finalStats_, channel_ ? channel_->dropped() : 0));
      else
        d.Resolve(Napi::Boolean::New(env, true));
      return d.Promise();
    }
    if (closing_ && close) throw Napi::Error::New(env, "close() already in progress");
    if (close) closing_ = true;
    auto* w = new WaitWorker(env, this, timeoutMs, close);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }

  std::shared_ptr<EventChannel> channel_;
  std::shared_ptr<KafkaProducer> producer_;  // shared with pipelines producing through it
  ProducerStats finalStats_;
  bool closing_ = false;

  friend std::shared_ptr<KafkaProducer> dsk::addon::producerFromJs(const Napi::Value& value);
};

void Init(Napi::Env env, Napi::Object exports) { NativeProducer::Init(env, exports); }

}  // namespace

namespace dsk::addon {
std::shared_ptr<KafkaProducer> producerFromJs(const Napi::Value& value) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kProducerTag))
    throw Napi::TypeError::New(value.Env(), "expected a NativeProducer");
  return NativeProducer::Unwrap(value.As<Napi::Object>())->producer_;
}
}  // namespace dsk::addon

DSK_REGISTER_BINDING(producer, Init);
