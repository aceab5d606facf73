// The buffer probe on nvdsanalytics' src pad. Per frame of each batch it reads the analytics meta
// (ds_meta_convert), asks the SDK-free FrameMessageBuilder (core/msgconv/frame_messages.h: SendDecider +
// the core payload builder, the CPU backend's code) whether and what to send, and for a frame that is sent
// attaches one NvDsEventMsgMeta (NVDS_EVENT_CUSTOM / NVDS_OBJECT_TYPE_UNKNOWN, ts, sensorStr = deviceId,
// sensorId = stream, frameId, componentId) whose extMsg is a DskExtMsg holding the finished payload. Our converter
// (libnvds_dskafka_msgconv.so) hands that payload to nvmsgbroker verbatim.
//
// No field is ever added to NvDsEventMsgMeta and no SDK header is patched: the custom fields travel inside
// the payload. The probe never blocks and never calls JavaScript: observers get a callback that must not
// block either (the N-API binding queues without waiting).
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/msgconv/frame_messages.h"
#include "core/types.h"
#include "deepstream/ds_meta_convert.h"

namespace dsk::ds {

struct ProbeCallbacks {
  // Every frame that carries analytics (streaming thread; must not block).
  std::function<void(const FrameAnalytics&, int numObjects)> onFrame;
  // Every message attached for the converter (streaming thread; must not block).
  std::function<void(const FrameAnalytics&, const msgconv::FrameMessage&)> onMessage;
};

struct ProbeStats {
  uint64_t frames = 0;           // frames seen with analytics meta
  uint64_t framesWithoutMeta = 0;
  uint64_t messages = 0;         // event metas attached
  uint64_t attachFailures = 0;   // out of memory / no batch meta
};

class AnalyticsProbe {
 public:
  // analyticsUniqueId: nvdsanalytics' unique-id to read (-1 = any). componentId: written to the event meta's
  // componentId; nvmsgconv with comp-id set ignores event metas of other components.
  AnalyticsProbe(msgconv::FrameMessageOptions options, int analyticsUniqueId, int componentId, ProbeCallbacks callbacks);
  ~AnalyticsProbe();
  AnalyticsProbe(const AnalyticsProbe&) = delete;
  AnalyticsProbe& operator=(const AnalyticsProbe&) = delete;

  // Adds the probe to `pad` (nvdsanalytics' "src"); removed by detach() or the destructor.
  void attach(GstPad* pad);
  void detach();

  ProbeStats stats() const;

 private:
  static GstPadProbeReturn onBuffer(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  void process(GstBuffer* buf);

  msgconv::FrameMessageBuilder builder_;
  int uniqueId_;
  int componentId_;
  ProbeCallbacks callbacks_;
  AnalyticsMetaTypes types_;
  GstPad* pad_ = nullptr;
  gulong probeId_ = 0;
  std::atomic<uint64_t> frames_{0}, framesWithoutMeta_{0}, messages_{0}, attachFailures_{0};
};

// Attaches an NvDsEventMsgMeta carrying `payload` (as a DskExtMsg) to the frame, with copy and release
// functions that deep-copy / free ts, sensorStr and the DskExtMsg. Returns false when nothing was attached.
bool attachPayloadEventMeta(NvDsBatchMeta* batch, NvDsFrameMeta* frame, const std::string& payload,
                            const std::string& ts, const std::string& deviceId, int componentId);

}  // namespace dsk::ds
