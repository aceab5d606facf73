// The SDK-free heart of the DeepStream probe (native/deepstream/analytics_probe.cc): one frame's
// analytics -> send or not (SendDecider) -> the payload (core buildPayload, the CPU backend's builder).
// The probe only adapts DeepStream's metadata to FrameAnalytics (ds_meta_convert) and wraps the result in
// a DskExtMsg; everything that decides bytes on the wire is here and runs in the CPU tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/analytics/cumulative_base.h"
#include "core/payload/payload_builder.h"
#include "core/payload/payload_mapping.h"
#include "core/payload/send_policy.h"
#include "core/types.h"

namespace dsk::msgconv {

struct FrameMessageOptions {
  PayloadMapping mapping;
  SendPolicy policy;
  std::vector<std::string> deviceIds;  // per stream index; missing or empty ones are "stream-<N>" (as the CPU backend)
  std::vector<CumulativeBase> cumulativeBase;  // per stream index: counts resumed from an earlier run
};

struct FrameMessage {
  const char* reason = "";  // SendDecider's reason
  MessageContext ctx;
  std::string payload;
};

class FrameMessageBuilder {
 public:
  explicit FrameMessageBuilder(FrameMessageOptions options);

  // Once per frame per stream, in frame order (SendDecider remembers the previous frame). `at` is the
  // frame's wall-clock time (the @timestamp). Returns the message when this frame is sent.
  std::optional<FrameMessage> onFrame(const FrameAnalytics& frame, std::chrono::system_clock::time_point at);

  // Adds the stream's resumed counts to nvdsanalytics' cumulative counts (call before onFrame and observers).
  void resumeCounts(FrameAnalytics& frame) const;

  std::string deviceId(int streamId) const;
  const FrameMessageOptions& options() const { return options_; }

 private:
  FrameMessageOptions options_;
  SendDecider decider_;
};

// The wall-clock time of a frame from DeepStream's NvDsFrameMeta.ntp_timestamp (ns since the Unix epoch;
// nvstreammux's attach-sys-ts), or `fallback` when it is 0.
std::chrono::system_clock::time_point frameWallClock(uint64_t ntpTimestampNs, std::chrono::system_clock::time_point fallback);

// ---- NvDsAnalytics*-shaped metadata -> FrameAnalytics ----------------------------------------------------
// Templates over any struct with NvDsAnalyticsFrameMeta's / NvDsAnalyticsObjInfo's members (same names and
// types), so the probe instantiates them with the SDK's types and the CPU tests with the mirrors below.
// native/deepstream/ds_meta_convert.cc static_asserts that the mirrors match the installed SDK's structs.

struct AnalyticsFrameMetaMirror {  // nvds_analytics_meta.h NvDsAnalyticsFrameMeta (6.x-9.x)
  std::unordered_map<std::string, bool> ocStatus;
  std::unordered_map<std::string, uint32_t> objInROIcnt;
  std::unordered_map<std::string, uint64_t> objLCCurrCnt;
  std::unordered_map<std::string, uint64_t> objLCCumCnt;
  unsigned int unique_id = 0;
  std::unordered_map<int, uint32_t> objCnt;
};

struct AnalyticsObjInfoMirror {  // nvds_analytics_meta.h NvDsAnalyticsObjInfo (6.3-9.x)
  std::vector<std::string> roiStatus;
  std::vector<std::string> ocStatus;
  std::vector<std::string> lcStatus;
  std::string dirStatus;
  unsigned int unique_id = 0;
  std::string objStatus;
};

// Copies the frame meta's maps into `out` (std::map: labels ordered the same way on both backends).
template <class FrameMeta>
void copyAnalyticsFrameMeta(const FrameMeta& m, FrameAnalytics& out) {
  for (const auto& [k, v] : m.ocStatus) out.ocStatus[k] = v;
  for (const auto& [k, v] : m.objInROIcnt) out.objInROIcnt[k] = v;
  for (const auto& [k, v] : m.objLCCurrCnt) out.objLCCurrCnt[k] = v;
  for (const auto& [k, v] : m.objLCCumCnt) out.objLCCumCnt[k] = v;
  for (const auto& [k, v] : m.objCnt) out.objCnt[k] = v;
}

// One object's status (NvDsObjectMeta's object_id and class_id beside its NvDsAnalyticsObjInfo).
template <class ObjInfo>
ObjectAnalytics analyticsObjectFrom(uint64_t trackingId, int classId, const ObjInfo& o) {
  ObjectAnalytics a;
  a.id = trackingId;
  a.classId = classId;
  a.roiStatus.assign(o.roiStatus.begin(), o.roiStatus.end());
  a.ocStatus.assign(o.ocStatus.begin(), o.ocStatus.end());
  a.lcStatus.assign(o.lcStatus.begin(), o.lcStatus.end());
  a.dirStatus = o.dirStatus;
  return a;
}

}  // namespace dsk::msgconv
