// A bounded, non-blocking bridge from native threads to a JavaScript callback.
// Native threads call post(); if JavaScript is behind by more than `capacity` events the event is dropped
// and counted instead of blocking the caller (the video or Kafka thread must never wait on JS).
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>

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
  bool postBlocking(Build build);
  // Lets the JS event loop exit once queued events are delivered. Idempotent.
  void close();

  uint64_t dropped() const { return dropped_.load(); }

 private:
  Napi::ThreadSafeFunction tsfn_;
  std::atomic<bool> open_{true};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace dsk::addon
