// Lets other bindings (the pipelines) produce through a NativeProducer created in JavaScript, so one
// producer object owns delivery reports, flushing and closing whoever feeds it.
#pragma once

#include <napi.h>

#include <memory>

#include "kafka/producer.h"

namespace dsk::addon {

// The producer behind a JS NativeProducer object; throws a JS TypeError for anything else.
// Returns nullptr if that producer was already closed.
std::shared_ptr<kafka::KafkaProducer> producerFromJs(const Napi::Value& value);

}  // namespace dsk::addon
