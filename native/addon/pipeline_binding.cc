// CpuPipeline: the N-API adapter over dsk::cpu::CpuPipeline (native/cpu/pipeline.h).
//
//   const p = new addon.CpuPipeline({ inputs, analyticsConfigJson, detectorConfigPath?, trackerConfigPath?,
//                                     realtime?, detector?, tracker?, queueFrames?, connectTimeoutMs?, stallTimeoutMs?,
//                                     reconnect?, decoderThreads?, scaleInGstreamer?, frameEvents?, eventQueueSize?,
//                                     osdOutputs? });
//   p.start(event => ...);  p.stop();  p.stats();
//   publish: { mappingJson, policy: { onLineCrossing, frameInterval, onRoiChange, onOvercrowdingChange },
//              deviceIds: string[], partitionKey, producer?: NativeProducer } turns frames into messages on
//              the worker thread (core payload builder); with a producer they are produced natively, without
//              one they reach JS as 'message' events (for the kafkajs path), bounded by messageQueueSize.
//   addon.cpuDecodeOnly(path, decoderThreads = 0) -> Promise<{ frames, wallMs, fps, error? }>
//
// Events reach JS through one ThreadSafeFunction used without ever blocking: native threads append to a
// bounded queue (frame events beyond eventQueueSize are dropped and counted; warning/error/state/eos are never
// dropped) and schedule at most one pending JS call, which drains the whole queue. Converters to JS objects:
// pipeline_events_js.cc; network inputs' options: live_source_js.cc.
#include <napi.h>

#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "addon/analytics_js.h"
#include "addon/detector_js.h"
#include "addon/keyfile_js.h"
#include "addon/live_source_js.h"
#include "addon/pipeline_events_js.h"
#include "addon/osd_js.h"
#include "addon/producer_handle.h"
#include "addon/registry.h"
#include "core/analytics/analytics_config.h"
#include "core/payload/payload_mapping.h"
#include "addon/counts_js.h"
#include "kafka/analytics_publisher.h"
#include "cpu/configs.h"
#include "cpu/decode_bench.h"
#include "cpu/keyfile_lite.h"
#include "cpu/pipeline.h"

namespace {

using namespace dsk::cpu;
using dsk::addon::frameToJs;
using dsk::addon::messageToJs;
using dsk::addon::stateToJs;
using dsk::addon::summaryToJs;

// ---- events ------------------------------------------------------------------------------------------

struct Event {
  enum class Kind { Frame, Warning, Error, Eos, Message, State } kind;
  FrameResult frame;
  int streamId = 0;
  std::string message;
  RunSummary summary;
  dsk::kafka::PublishedMessage published;  // Message
  dsk::FrameAnalytics record;              // Message: the analytics it was built from
  StateChange state{};                     // State
};

// Final cumulative line counts per stream, kept on the worker thread for the end-of-run report (frame
// events may have been dropped, so JS cannot rebuild them).
struct LastCounts {
  std::mutex m;
  std::map<int, std::map<std::string, uint64_t>> lcCum;
};

class EventSink : public std::enable_shared_from_this<EventSink> {
 public:
  EventSink(size_t frameCapacity, size_t messageCapacity)
      : frameCapacity_(frameCapacity), messageCapacity_(messageCapacity) {}

  std::shared_ptr<LastCounts> lastCounts = std::make_shared<LastCounts>();

  // Runs on the JS thread once the eos event has been delivered.
  std::function<void()> onDone;

  void open(Napi::Env env, Napi::Function cb) {
    tsfn_ = Napi::ThreadSafeFunction::New(env, cb, "ds-kafka CpuPipeline events", 0, 1);
    open_ = true;
  }

  // Any thread; never blocks on JavaScript.
  void push(Event&& e) {
    std::unique_lock<std::mutex> lock(m_);
    if (!open_) return;
    if (e.kind == Event::Kind::Frame) {
      if (framesQueued_ >= frameCapacity_) {
        ++dropped_;
        return;
      }
      ++framesQueued_;
    } else if (e.kind == Event::Kind::Message) {
      if (messagesQueued_ >= messageCapacity_) {
        ++messagesDropped_;
        return;
      }
      ++messagesQueued_;
    }
    queue_.push_back(std::move(e));
    if (scheduled_) return;
    scheduled_ = true;
    lock.unlock();
    schedule();
  }

  uint64_t dropped() const {
    std::lock_guard<std::mutex> lock(m_);
    return dropped_;
  }

  uint64_t messagesDropped() const {
    std::lock_guard<std::mutex> lock(m_);
    return messagesDropped_;
  }

  // JS thread: closes without delivering what is left (used when the wrapper is collected).
  void abandon() {
    std::lock_guard<std::mutex> lock(m_);
    if (open_) {
      open_ = false;
      tsfn_.Release();
    }
  }

 private:
  void schedule() {
    auto self = shared_from_this();
    if (tsfn_.NonBlockingCall([self](Napi::Env env, Napi::Function cb) { self->drain(env, cb); }) != napi_ok) {
      std::lock_guard<std::mutex> relock(m_);
      scheduled_ = false;
    }
  }

  void drain(Napi::Env env, Napi::Function cb) {
    std::deque<Event> batch;
    {
      std::lock_guard<std::mutex> lock(m_);
      batch.swap(queue_);
      scheduled_ = false;
      framesQueued_ = 0;
      messagesQueued_ = 0;
    }
    if (env == nullptr) return;
    while (!batch.empty()) {
      Event e = std::move(batch.front());
      batch.pop_front();
      Napi::HandleScope scope(env);
      Napi::Object o;
      switch (e.kind) {
        case Event::Kind::Frame:
          o = frameToJs(env, e.frame);
          break;
        case Event::Kind::Warning:
        case Event::Kind::Error:
          o = Napi::Object::New(env);
          o.Set("kind", e.kind == Event::Kind::Warning ? "warning" : "error");
          o.Set("streamId", e.streamId);
          o.Set("message", e.message);
          break;
        case Event::Kind::Message:
          o = messageToJs(env, e.published, e.record);
          break;
        case Event::Kind::State:
          o = stateToJs(env, e.state);
          break;
        case Event::Kind::Eos: {
          o = summaryToJs(env, e.summary, dropped());
          o.Set("kind", "eos");
          o.Set("messagesDropped", static_cast<double>(messagesDropped()));
          std::lock_guard<std::mutex> lock(lastCounts->m);
          Napi::Array streams = o.Get("streams").As<Napi::Array>();
          for (uint32_t i = 0; i < streams.Length(); ++i) {
            Napi::Object so = streams.Get(i).As<Napi::Object>();
            Napi::Object cum = Napi::Object::New(env);
            for (const auto& [label, n] : lastCounts->lcCum[so.Get("streamId").As<Napi::Number>().Int32Value()])
              dsk::addon::defineKey(cum, label, Napi::Number::New(env, static_cast<double>(n)));
            so.Set("lcCum", cum);
          }
          break;
        }
      }
      bool threw = false;
      Napi::Error error;
      try {
        cb.Call({o});
      } catch (const Napi::Error& err) {
        threw = true;
        error = err;
      }
      if (e.kind == Event::Kind::Eos) {
        {
          std::lock_guard<std::mutex> lock(m_);
          if (open_) {
            open_ = false;
            tsfn_.Release();  // the last event: let the event loop exit
          }
        }
        if (onDone) onDone();
      }
      if (threw) {
        // A throwing handler surfaces as uncaughtException (like any callback's throw); the events after
        // it are delivered on a later turn rather than lost.
        bool again = false;
        {
          std::lock_guard<std::mutex> lock(m_);
          for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
            if (it->kind == Event::Kind::Frame) ++framesQueued_;
            if (it->kind == Event::Kind::Message) ++messagesQueued_;
            queue_.push_front(std::move(*it));
          }
          if (open_ && !queue_.empty() && !scheduled_) again = scheduled_ = true;
        }
        if (again) schedule();
        error.ThrowAsJavaScriptException();
        return;
      }
    }
  }

  mutable std::mutex m_;
  std::deque<Event> queue_;
  size_t frameCapacity_;
  size_t framesQueued_ = 0;
  uint64_t dropped_ = 0;
  size_t messageCapacity_;
  size_t messagesQueued_ = 0;
  uint64_t messagesDropped_ = 0;
  bool scheduled_ = false;
  bool open_ = false;
  Napi::ThreadSafeFunction tsfn_;
};

// options.publish -> the worker-thread publisher (null when absent).
std::shared_ptr<dsk::kafka::AnalyticsPublisher> publisherFrom(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  if (!v.IsObject()) throw std::invalid_argument("CpuPipeline: options.publish must be an object");
  auto p = v.As<Napi::Object>();
  dsk::kafka::PublishOptions po;
  Napi::Value mj = p.Get("mappingJson");
  if (!mj.IsString()) throw std::invalid_argument("CpuPipeline: publish.mappingJson must be a string");
  po.mapping = dsk::payloadMappingFromJson(mj.As<Napi::String>().Utf8Value());
  Napi::Value pol = p.Get("policy");
  if (pol.IsObject()) {
    auto po2 = pol.As<Napi::Object>();
    auto b = [&](const char* k, bool def) { Napi::Value x = po2.Get(k); return x.IsBoolean() ? x.As<Napi::Boolean>().Value() : def; };
    po.policy.onLineCrossing = b("onLineCrossing", true);
    po.policy.onRoiChange = b("onRoiChange", false);
    po.policy.onOvercrowdingChange = b("onOvercrowdingChange", false);
    Napi::Value fi = po2.Get("frameInterval");
    if (fi.IsNumber()) {
      const double n = fi.As<Napi::Number>().DoubleValue();
      if (!(n >= 0 && n <= 4294967295.0)) throw std::invalid_argument("CpuPipeline: publish.policy.frameInterval must be >= 0");
      po.policy.frameInterval = static_cast<uint32_t>(n);
    }
  }
  Napi::Value ids = p.Get("deviceIds");
  if (ids.IsArray()) {
    auto a = ids.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) po.deviceIds.push_back(a.Get(i).ToString().Utf8Value());
  }
  Napi::Value pk = p.Get("partitionKey");
  if (pk.IsString()) po.partitionKey = pk.As<Napi::String>().Utf8Value();
  Napi::Value prod = p.Get("producer");
  std::shared_ptr<dsk::kafka::KafkaProducer> producer;
  if (!prod.IsUndefined() && !prod.IsNull()) {
    producer = dsk::addon::producerFromJs(prod);
    if (!producer) throw std::invalid_argument("CpuPipeline: publish.producer is closed");
  }
  return std::make_shared<dsk::kafka::AnalyticsPublisher>(std::move(po), std::move(producer));
}

// ---- the wrapper -------------------------------------------------------------------------------------

class PipelineWrap : public Napi::ObjectWrap<PipelineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CpuPipeline",
                       {InstanceMethod("start", &PipelineWrap::Start), InstanceMethod("stop", &PipelineWrap::Stop),
                        InstanceMethod("stats", &PipelineWrap::Stats),
                        InstanceMethod("snapshot", &PipelineWrap::Snapshot)});
  }

  explicit PipelineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PipelineWrap>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw Napi::TypeError::New(env, "CpuPipeline: options object expected");
    auto o = info[0].As<Napi::Object>();
    try {
      Napi::Value inputs = o.Get("inputs");
      if (!inputs.IsArray() || inputs.As<Napi::Array>().Length() == 0)
        throw std::invalid_argument("CpuPipeline: options.inputs must be a non-empty array of paths or URIs");
      auto arr = inputs.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        if (!arr.Get(i).IsString()) throw std::invalid_argument("CpuPipeline: options.inputs[" + std::to_string(i) + "] must be a string");
        options_.inputs.push_back(arr.Get(i).As<Napi::String>().Utf8Value());
      }
      Napi::Value ac = o.Get("analyticsConfigJson");
      if (ac.IsString() && !ac.As<Napi::String>().Utf8Value().empty())
        options_.analytics = dsk::analyticsConfigFromJson(ac.As<Napi::String>().Utf8Value());
      auto str = [&](const char* k) {
        Napi::Value v = o.Get(k);
        return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
      };
      dsk::addon::configureDetector(o, options_);
      options_.tracker = trackerConfigFromKeyFile(dsk::addon::keyFileFrom(str("trackerConfigPath"), o.Get("tracker"), "tracker options"));
      snapshots_ = dsk::addon::configureOsd(o, options_);  // osdOutputs: the annotated video (osd_binding.cc)
      auto boolOpt = [&](const char* k, bool def) {
        Napi::Value v = o.Get(k);
        return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : def;
      };
      auto intOpt = [&](const char* k, int def) {
        Napi::Value v = o.Get(k);
        return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : def;
      };
      options_.realtime = boolOpt("realtime", false);
      options_.scaleInGstreamer = boolOpt("scaleInGstreamer", false);
      options_.queueFrames = intOpt("queueFrames", options_.queueFrames);
      dsk::addon::configureLiveSources(o, options_);  // connectTimeoutMs, stallTimeoutMs, reconnect
      options_.decoderThreads = intOpt("decoderThreads", options_.decoderThreads);
      if (options_.decoderThreads < -1 || options_.decoderThreads > 64)
        throw std::invalid_argument("CpuPipeline: decoderThreads must be -1 (auto), 0 (libav's choice) or 1..64");
      options_.cumulativeBase = dsk::addon::cumulativeBasesFrom(o.Get("cumulativeBase"));  // --resume-counts
      frameEvents_ = boolOpt("frameEvents", true);
      const int cap = intOpt("eventQueueSize", 1024);
      const int msgCap = intOpt("messageQueueSize", 65536);
      sink_ = std::make_shared<EventSink>(static_cast<size_t>(cap < 1 ? 1 : cap), static_cast<size_t>(msgCap < 1 ? 1 : msgCap));
      std::shared_ptr<dsk::kafka::AnalyticsPublisher> publisher = publisherFrom(o.Get("publish"));
      // Validates options and element availability now, so mistakes throw from the constructor.
      PipelineCallbacks cbs;
      auto sink = sink_;
      const bool frames = frameEvents_;
      auto last = sink->lastCounts;
      cbs.onFrame = [sink, frames, publisher, last](const FrameResult& f) {
        {
          std::lock_guard<std::mutex> lock(last->m);
          last->lcCum[f.streamId] = f.analytics.objLCCumCnt;
        }
        if (publisher) {
          if (auto m = publisher->onFrame(f.analytics)) {
            Event e{Event::Kind::Message, {}, f.streamId, {}, {}, std::move(*m), f.analytics};
            sink->push(std::move(e));
          }
        }
        if (frames) {
          Event e{Event::Kind::Frame, f, f.streamId, {}, {}, {}, {}};
          sink->push(std::move(e));
        }
      };
      cbs.onWarning = [sink](int id, const std::string& m) { sink->push({Event::Kind::Warning, {}, id, m, {}, {}, {}}); };
      cbs.onError = [sink](int id, const std::string& m) { sink->push({Event::Kind::Error, {}, id, m, {}, {}, {}}); };
      cbs.onState = [sink](const StateChange& c) {
        Event e{Event::Kind::State, {}, c.streamId, {}, {}, {}, {}, c};
        sink->push(std::move(e));  // never dropped, like warnings
      };
      cbs.onEos = [sink](const RunSummary& r) { sink->push({Event::Kind::Eos, {}, -1, {}, r, {}, {}}); };
      pipeline_ = std::make_unique<CpuPipeline>(options_, std::move(cbs));
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

  ~PipelineWrap() override {
    if (pipeline_) pipeline_->stop();
    pipeline_.reset();
    if (sink_) sink_->abandon();
  }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "CpuPipeline.start: event callback expected");
    if (started_) throw Napi::Error::New(env, "CpuPipeline.start: already started");
    started_ = true;
    // Keep this object (and so the native pipeline) alive while it runs, even if JS drops it.
    self_ = Napi::Persistent(info.This().As<Napi::Object>());
    sink_->onDone = [this] {
      // The run is over: free the native pipeline now (decoders, background models) instead of waiting for
      // the garbage collector to finalize this object; stats() keeps answering from the final summary.
      finalStats_ = pipeline_->stats();
      pipeline_.reset();
      self_.Reset();
    };
    sink_->open(env, info[0].As<Napi::Function>());
    try {
      pipeline_->start();
    } catch (const std::exception& e) {
      sink_->abandon();
      self_.Reset();
      throw Napi::Error::New(env, e.what());
    }
    return info.This();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (pipeline_) pipeline_->stop();
    return info.Env().Undefined();
  }

  // The latest annotated JPEG of a stream (options.snapshots), or undefined.
  Napi::Value Snapshot(const Napi::CallbackInfo& info) {
    if (!snapshots_ || !info[0].IsNumber()) return info.Env().Undefined();
    const auto jpeg = snapshots_->latest(info[0].As<Napi::Number>().Int32Value());
    if (jpeg.empty()) return info.Env().Undefined();
    return Napi::Buffer<unsigned char>::Copy(info.Env(), jpeg.data(), jpeg.size());
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto o = summaryToJs(env, pipeline_ ? pipeline_->stats() : finalStats_, sink_->dropped());
    o.Set("running", started_ && pipeline_ && !pipeline_->finished());
    return o;
  }

  PipelineOptions options_;
  std::unique_ptr<CpuPipeline> pipeline_;
  std::shared_ptr<EventSink> sink_;
  std::shared_ptr<dsk::cpu::osd::SnapshotSink> snapshots_;  // options.snapshots: the live page's pictures
  bool frameEvents_ = true;
  bool started_ = false;
  RunSummary finalStats_;
  Napi::ObjectReference self_;
};

// ---- decode-only benchmark helper ------------------------------------------------------------------------

class DecodeWorker : public Napi::AsyncWorker {
 public:
  DecodeWorker(Napi::Env env, std::string input, int threads)
      : Napi::AsyncWorker(env), input_(std::move(input)), threads_(threads), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override { result_ = decodeOnly(input_, threads_); }
  void OnOK() override {
    Napi::Env env = Env();
    auto o = Napi::Object::New(env);
    o.Set("frames", static_cast<double>(result_.frames));
    o.Set("wallMs", result_.wallMs);
    o.Set("fps", result_.fps);
    if (!result_.error.empty()) o.Set("error", result_.error);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::string input_;
  int threads_ = 0;
  DecodeBenchResult result_;
  Napi::Promise::Deferred deferred_;
};

Napi::Value DecodeOnly(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "cpuDecodeOnly: path expected");
  const int threads = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
  auto* w = new DecodeWorker(info.Env(), info[0].As<Napi::String>().Utf8Value(), threads < 0 ? 0 : threads);
  auto p = w->promise();
  w->Queue();
  return p;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("CpuPipeline", PipelineWrap::Define(env));
  exports.Set("cpuDecodeOnly", Napi::Function::New(env, DecodeOnly, "cpuDecodeOnly"));
}

}  // namespace

DSK_REGISTER_BINDING(pipeline, Init);
