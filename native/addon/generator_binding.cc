// generateSample(scenarioJson, outPath) → Promise<{ frames, width, height, bytes }>: renders a scenario
// and encodes it to an H.264 elementary stream on a libuv worker thread (never on the JS thread).
// Every failure (bad scenario, unwritable path, missing GStreamer plugin) rejects with an Error.
#include <exception>
#include <string>

#include "addon/registry.h"
#include "cpu/generator/generator.h"

namespace {

class GenerateWorker : public Napi::AsyncWorker {
 public:
  GenerateWorker(Napi::Env env, std::string scenario, std::string outPath)
      : Napi::AsyncWorker(env, "dsk.generateSample"),
        deferred_(Napi::Promise::Deferred::New(env)),
        scenario_(std::move(scenario)),
        outPath_(std::move(outPath)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      result_ = dsk::generator::generateSample(scenario_, outPath_);
    } catch (const std::exception& e) {
      SetError(std::string("generateSample: ") + e.what());
    } catch (...) {
      SetError("generateSample: unknown error");
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object r = Napi::Object::New(env);
    r.Set("frames", Napi::Number::New(env, result_.frames));
    r.Set("width", Napi::Number::New(env, result_.width));
    r.Set("height", Napi::Number::New(env, result_.height));
    r.Set("bytes", Napi::Number::New(env, static_cast<double>(result_.bytes)));
    deferred_.Resolve(r);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string scenario_, outPath_;
  dsk::generator::GenerateResult result_;
};

Napi::Value GenerateSample(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Reject(Napi::TypeError::New(env, "generateSample(scenarioJson: string, outPath: string)").Value());
    return d.Promise();
  }
  auto* worker = new GenerateWorker(env, info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
  Napi::Promise p = worker->Promise();
  worker->Queue();  // deletes itself after OnOK/OnError
  return p;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("generateSample", Napi::Function::New(env, GenerateSample, "generateSample"));
}

}  // namespace

DSK_REGISTER_BINDING(generator, Init);
