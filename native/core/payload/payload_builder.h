// Builds the Kafka message for one frame's analytics: the seed's shape
//   {"messageid","@timestamp","deviceId","analyticsModule":{id,description,source,version,<fields>,<static>}}
// with every counted field from the mapping. Shared by the CPU backend, the DeepStream probe and our
// nvmsgconv converter library; src/payload/build.ts is its byte-for-byte TypeScript twin.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "core/payload/payload_mapping.h"
#include "core/types.h"

namespace dsk {

struct MessageContext {
  std::string messageId;  // UUID v4
  std::string timestamp;  // RFC 3339, UTC, milliseconds
  std::string deviceId;
};

namespace json {
class Writer;
}

// Writes {"messageid","@timestamp","deviceId","analyticsModule":{"id","description","source","version"
// and leaves analyticsModule open: the caller adds its fields, then closes analyticsModule and the message.
// Every message shape ds-kafka sends starts here (the payload below, the converter's fallback).
void beginMessage(json::Writer& w, const AnalyticsModuleInfo& module, const MessageContext& ctx);

// Serialises the message. Fields whose key has no value in this frame are written as 0 / false, so every
// configured label is present in every message.
std::string buildPayload(const PayloadMapping& mapping, const FrameAnalytics& frame, const MessageContext& ctx);

// Value of a counted field in this frame (the same lookup the payload uses).
uint64_t countedValue(const PayloadField& field, const FrameAnalytics& frame);

// "2022-08-20T09:05:01.695Z"
std::string rfc3339Millis(std::chrono::system_clock::time_point t);

// Random UUID v4 (lowercase), from a per-thread generator seeded from std::random_device.
std::string uuidV4();

// The message key for a dotted path into the message JSON (cfg_kafka.txt partition-key, e.g. "deviceId",
// "analyticsModule.id"). A missing path or a non-string, non-number value gives "" (no key).
std::string extractKey(const std::string& messageJson, const std::string& dottedPath);

}  // namespace dsk
