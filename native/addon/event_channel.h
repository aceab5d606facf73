// A bounded, non-blocking bridge from native threads to a JavaScript callback.
// Native threads call post(); if JavaScript is behind by more than `capacity` events the event is dropped
// and counted instead of blocking the caller (the video or Kafka thread must never wait on JS).
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace dsk::addon {

class EventChannel {
 public:
  // Builds the JS value for one event on the JS thread.
  using Build = std::function<Napi::Value(Napi::Env)>;

  EventChannel(Napi::Env env, Napi::Function callback, const char* name, size_t capacity);
  ~EventChannel();

  // Thread-safe, never blocks. Returns false when dropped (queue full or channel closed).
  bool post(Build build);
  // Like post() but for events that must not be lost (errors, end of stream): blocks while the queue is full.
  // Only for threads whose last post happens before close() (the end-of-stream event itself).
  bool postBlocking(Build build);
  // Lets the JS event loop exit once queued events are delivered. Idempotent.
  void close();

  uint64_t dropped() const { return dropped_.load(); }

 private:
  Napi::ThreadSafeFunction tsfn_;
  // Guards open_ against a call racing close(): a released thread-safe function must not be called.
  std::mutex m_;
  bool open_ = true;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace dsk::addon
