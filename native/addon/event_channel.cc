#include "addon/event_channel.h"

namespace dsk::addon {

namespace {
void invoke(Napi::Env env, Napi::Function cb, EventChannel::Build* build) {
  std::unique_ptr<EventChannel::Build> owned(build);
  if (env == nullptr || cb.IsEmpty()) return;  // tearing down
  try {
    cb.Call({(*owned)(env)});
  } catch (const Napi::Error& e) {
    // Report a throwing handler the way Node reports any callback's exception (uncaughtException),
    // instead of letting a C++ exception unwind into libuv.
    e.ThrowAsJavaScriptException();
  }
}
}  // namespace

EventChannel::EventChannel(Napi::Env env, Napi::Function callback, const char* name, size_t capacity) {
  tsfn_ = Napi::ThreadSafeFunction::New(env, callback, name, capacity, 1);
}

EventChannel::~EventChannel() { close(); }

bool EventChannel::post(Build build) {
  std::lock_guard<std::mutex> lock(m_);
  if (!open_) return false;
  auto* heap = new Build(std::move(build));
  napi_status st = tsfn_.NonBlockingCall(heap, invoke);
  if (st != napi_ok) {
    delete heap;
    dropped_.fetch_add(1);
    return false;
  }
  return true;
}

bool EventChannel::postBlocking(Build build) {
  {
    // Not held across BlockingCall: the JS thread may need this lock (close()) to make room.
    std::lock_guard<std::mutex> lock(m_);
    if (!open_) return false;
  }
  auto* heap = new Build(std::move(build));
  if (tsfn_.BlockingCall(heap, invoke) != napi_ok) {
    delete heap;
    return false;
  }
  return true;
}

void EventChannel::close() {
  std::lock_guard<std::mutex> lock(m_);
  if (open_) {
    open_ = false;
    tsfn_.Release();
  }
}

}  // namespace dsk::addon
