#include "addon/pipeline_events_js.h"

#include "addon/analytics_js.h"

namespace dsk::addon {

using namespace dsk::cpu;

namespace {
Napi::Object stageToJs(Napi::Env env, const StageStat& s) {
  auto o = Napi::Object::New(env);
  o.Set("meanMs", s.meanMs());
  o.Set("maxMs", s.maxMs);
  o.Set("totalMs", s.totalMs);
  o.Set("count", static_cast<double>(s.count));
  return o;
}

}  // namespace

Napi::Object summaryToJs(Napi::Env env, const RunSummary& r, uint64_t eventsDropped) {
  auto o = Napi::Object::New(env);
  o.Set("wallMs", r.wallMs);
  o.Set("frames", static_cast<double>(r.frames));
  o.Set("fps", r.fps);
  o.Set("stopped", r.stopped);
  o.Set("eventsDropped", static_cast<double>(eventsDropped));
  auto streams = Napi::Array::New(env, r.streams.size());
  for (size_t i = 0; i < r.streams.size(); ++i) {
    const StreamSummary& s = r.streams[i];
    auto so = Napi::Object::New(env);
    so.Set("streamId", s.streamId);
    so.Set("input", s.input);
    so.Set("state", toString(s.state));
    if (!s.error.empty()) so.Set("error", s.error);
    so.Set("frames", static_cast<double>(s.frames));
    so.Set("dropped", static_cast<double>(s.dropped));
    so.Set("warnings", static_cast<double>(s.warnings));
    so.Set("undecodable", static_cast<double>(s.undecodable));
    so.Set("width", s.width);
    so.Set("height", s.height);
    so.Set("wallMs", s.wallMs);
    so.Set("fps", s.fps);
    so.Set("lastPtsMs", static_cast<double>(s.lastPtsMs));
    so.Set("live", s.live);
    so.Set("reconnects", static_cast<double>(s.reconnects));
    so.Set("detector", s.detector);
    auto t = Napi::Object::New(env);
    t.Set("decodeWait", stageToJs(env, s.stages.decodeWait));
    t.Set("scale", stageToJs(env, s.stages.scale));
    t.Set("detect", stageToJs(env, s.stages.detect));
    t.Set("infer", stageToJs(env, s.stages.infer));
    t.Set("track", stageToJs(env, s.stages.track));
    t.Set("analytics", stageToJs(env, s.stages.analytics));
    t.Set("process", stageToJs(env, s.stages.process));
    so.Set("timings", t);
    streams.Set(static_cast<uint32_t>(i), so);
  }
  o.Set("streams", streams);
  return o;
}

Napi::Object messageToJs(Napi::Env env, const dsk::kafka::PublishedMessage& m, const dsk::FrameAnalytics& record) {
  auto o = Napi::Object::New(env);
  o.Set("kind", "message");
  o.Set("streamId", m.streamId);
  o.Set("frameNum", static_cast<double>(m.frameNum));
  o.Set("reason", m.reason);
  o.Set("key", m.key.empty() ? env.Null() : Napi::String::New(env, m.key));
  o.Set("payload", m.payload);
  o.Set("seq", static_cast<double>(m.seq));
  if (!m.error.empty()) o.Set("error", m.error);
  auto ctx = Napi::Object::New(env);
  ctx.Set("messageId", m.ctx.messageId);
  ctx.Set("timestamp", m.ctx.timestamp);
  ctx.Set("deviceId", m.ctx.deviceId);
  o.Set("ctx", ctx);
  o.Set("record", frameAnalyticsToJs(env, record, false));
  return o;
}

Napi::Object frameToJs(Napi::Env env, const FrameResult& f) {
  auto o = frameAnalyticsToJs(env, f.analytics, false);
  o.Set("kind", "frame");
  o.Set("streamId", f.streamId);
  o.Set("frameNum", static_cast<double>(f.frameNum));
  o.Set("ptsMs", static_cast<double>(f.ptsMs));
  o.Set("width", f.width);
  o.Set("height", f.height);
  o.Set("numObjects", static_cast<double>(f.objects.size()));
  auto objs = Napi::Array::New(env, f.objects.size());
  for (size_t i = 0; i < f.objects.size(); ++i) {
    const auto& t = f.objects[i];
    auto x = Napi::Object::New(env);
    x.Set("id", static_cast<double>(t.id));
    x.Set("classId", t.classId);
    x.Set("left", t.box.left);
    x.Set("top", t.box.top);
    x.Set("width", t.box.width);
    x.Set("height", t.box.height);
    if (t.coasting) x.Set("coasting", true);
    objs.Set(static_cast<uint32_t>(i), x);
  }
  o.Set("objects", objs);
  auto tm = Napi::Object::New(env);
  tm.Set("decodeWaitMs", f.timings.decodeWaitMs);
  tm.Set("scaleMs", f.timings.scaleMs);
  tm.Set("detectMs", f.timings.detectMs);
  tm.Set("inferMs", f.timings.inferMs);
  tm.Set("inferred", f.timings.inferred);
  tm.Set("trackMs", f.timings.trackMs);
  tm.Set("analyticsMs", f.timings.analyticsMs);
  tm.Set("processMs", f.timings.processMs);
  o.Set("timings", tm);
  return o;
}

Napi::Object stateToJs(Napi::Env env, const StateChange& c) {
  auto o = Napi::Object::New(env);
  o.Set("kind", "state");
  o.Set("streamId", c.streamId);
  o.Set("state", toString(c.state));
  if (!c.reason.empty()) o.Set("reason", c.reason);
  if (c.attempt > 0) o.Set("attempt", c.attempt);
  if (c.retryInMs >= 0) o.Set("retryInMs", static_cast<double>(c.retryInMs));
  o.Set("reconnects", static_cast<double>(c.reconnects));
  return o;
}

}  // namespace dsk::addon
