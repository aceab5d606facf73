// kafkaConfCheck(pairs: [key, value][]) → { index, error } | null: the first librdkafka property that
// librdkafka refuses (unknown name, bad value), checked on a scratch configuration. See kafka/conf_check.h.
#include "addon/registry.h"
#include "kafka/conf_check.h"

namespace {

Napi::Value KafkaConfCheck(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "kafkaConfCheck(pairs: [key, value][])");
  Napi::Array arr = info[0].As<Napi::Array>();
  std::vector<std::pair<std::string, std::string>> props;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value item = arr.Get(i);
    if (!item.IsArray() || item.As<Napi::Array>().Length() != 2) throw Napi::TypeError::New(env, "kafkaConfCheck: pairs must be [key, value]");
    Napi::Array kv = item.As<Napi::Array>();
    props.emplace_back(kv.Get(0u).ToString().Utf8Value(), kv.Get(1u).ToString().Utf8Value());
  }
  dsk::kafka::ConfProblem p = dsk::kafka::checkConfProperties(props);
  if (p.error.empty()) return env.Null();
  Napi::Object r = Napi::Object::New(env);
  r.Set("index", Napi::Number::New(env, static_cast<double>(p.index)));
  r.Set("error", Napi::String::New(env, p.error));
  return r;
}

void Init(Napi::Env env, Napi::Object exports) {
  exports.Set("kafkaConfCheck", Napi::Function::New(env, KafkaConfCheck, "kafkaConfCheck"));
}

}  // namespace

DSK_REGISTER_BINDING(kafka_conf, Init);
