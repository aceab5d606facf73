#include "deepstream/analytics_probe.h"

#include <chrono>
#include <cstring>

#include "core/msgconv/extmsg.h"
#include "gstnvdsmeta.h"
#include "msgconv/dskafka_extmsg.h"
#include "nvdsmeta_schema.h"

namespace dsk::ds {

namespace {

// NvDsUserMeta copy function for our NvDsEventMsgMeta (called when a downstream element copies the batch
// meta). Our metas are g_malloc0'ed and only ts, sensorStr and extMsg point anywhere, so a struct copy
// followed by deep copies of those three is a full deep copy in every SDK release, whatever fields the
// release adds (they are zero here). objectId/otherAttrs/videoPath are copied too in case a downstream
// probe sets them.
gpointer copyEventMsgMeta(gpointer data, gpointer /*userData*/) {
  auto* userMeta = static_cast<NvDsUserMeta*>(data);
  const auto* src = static_cast<const NvDsEventMsgMeta*>(userMeta->user_meta_data);
  if (!src) return nullptr;
  auto* dst = static_cast<NvDsEventMsgMeta*>(g_malloc0(sizeof(NvDsEventMsgMeta)));
  *dst = *src;
  dst->ts = g_strdup(src->ts);
  dst->sensorStr = g_strdup(src->sensorStr);
  dst->objectId = g_strdup(src->objectId);
  dst->otherAttrs = g_strdup(src->otherAttrs);
  dst->videoPath = g_strdup(src->videoPath);
  DskExtMsg* ext = msgconv::extMsgCopy(static_cast<const DskExtMsg*>(src->extMsg));
  dst->extMsg = ext;
  dst->extMsgSize = ext ? static_cast<guint>(sizeof(DskExtMsg)) : 0;
  return dst;
}

// NvDsUserMeta release function: frees everything copyEventMsgMeta / attachPayloadEventMeta allocated.
void releaseEventMsgMeta(gpointer data, gpointer /*userData*/) {
  auto* userMeta = static_cast<NvDsUserMeta*>(data);
  auto* meta = static_cast<NvDsEventMsgMeta*>(userMeta->user_meta_data);
  if (!meta) return;
  g_free(meta->ts);
  g_free(meta->sensorStr);
  g_free(meta->objectId);
  g_free(meta->otherAttrs);
  g_free(meta->videoPath);
  msgconv::extMsgFree(static_cast<DskExtMsg*>(meta->extMsg));
  g_free(meta);
  userMeta->user_meta_data = nullptr;
}

}  // namespace

bool attachPayloadEventMeta(NvDsBatchMeta* batch, NvDsFrameMeta* frame, const std::string& payload,
                            const std::string& ts, const std::string& deviceId, int componentId) {
  DskExtMsg* ext = msgconv::extMsgNew(payload);
  if (!ext) return false;
  NvDsUserMeta* userMeta = nvds_acquire_user_meta_from_pool(batch);
  if (!userMeta) {
    msgconv::extMsgFree(ext);
    return false;
  }
  auto* meta = static_cast<NvDsEventMsgMeta*>(g_malloc0(sizeof(NvDsEventMsgMeta)));
  meta->type = NVDS_EVENT_CUSTOM;
  meta->objType = NVDS_OBJECT_TYPE_UNKNOWN;
  meta->objClassId = -1;
  meta->sensorId = static_cast<gint>(frame->pad_index);  // the stream index, as nvdsanalytics' stream-N
  meta->frameId = frame->frame_num;
  meta->componentId = componentId;
  meta->confidence = 0;
  meta->trackingId = 0;
  meta->ts = g_strdup(ts.c_str());
  meta->sensorStr = g_strdup(deviceId.c_str());
  meta->extMsg = ext;
  meta->extMsgSize = static_cast<guint>(sizeof(DskExtMsg));

  userMeta->user_meta_data = meta;
  userMeta->base_meta.meta_type = NVDS_EVENT_MSG_META;
  userMeta->base_meta.copy_func = copyEventMsgMeta;
  userMeta->base_meta.release_func = releaseEventMsgMeta;
  nvds_add_user_meta_to_frame(frame, userMeta);
  return true;
}

AnalyticsProbe::AnalyticsProbe(msgconv::FrameMessageOptions options, int analyticsUniqueId, int componentId,
                               ProbeCallbacks callbacks)
    : builder_(std::move(options)), uniqueId_(analyticsUniqueId), componentId_(componentId), callbacks_(std::move(callbacks)),
      types_(AnalyticsMetaTypes::lookup()) {}

AnalyticsProbe::~AnalyticsProbe() { detach(); }

void AnalyticsProbe::attach(GstPad* pad) {
  detach();
  pad_ = GST_PAD(gst_object_ref(pad));
  probeId_ = gst_pad_add_probe(pad_, GST_PAD_PROBE_TYPE_BUFFER, &AnalyticsProbe::onBuffer, this, nullptr);
}

void AnalyticsProbe::detach() {
  if (!pad_) return;
  if (probeId_) gst_pad_remove_probe(pad_, probeId_);
  probeId_ = 0;
  gst_object_unref(pad_);
  pad_ = nullptr;
}

ProbeStats AnalyticsProbe::stats() const {
  ProbeStats s;
  s.frames = frames_.load();
  s.framesWithoutMeta = framesWithoutMeta_.load();
  s.messages = messages_.load();
  s.attachFailures = attachFailures_.load();
  return s;
}

GstPadProbeReturn AnalyticsProbe::onBuffer(GstPad* /*pad*/, GstPadProbeInfo* info, gpointer self) {
  if (GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info)) static_cast<AnalyticsProbe*>(self)->process(buf);
  return GST_PAD_PROBE_OK;
}

void AnalyticsProbe::process(GstBuffer* buf) {
  NvDsBatchMeta* batch = gst_buffer_get_nvds_batch_meta(buf);
  if (!batch) return;
  const auto now = std::chrono::system_clock::now();
  FrameAnalytics frame;
  nvds_acquire_meta_lock(batch);
  for (NvDsMetaList* l = batch->frame_meta_list; l; l = l->next) {
    auto* fm = static_cast<NvDsFrameMeta*>(l->data);
    if (!fm) continue;
    if (!frameAnalyticsFromDs(fm, types_, uniqueId_, frame)) {
      framesWithoutMeta_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    frames_.fetch_add(1, std::memory_order_relaxed);
    builder_.resumeCounts(frame);
    if (callbacks_.onFrame) callbacks_.onFrame(frame, static_cast<int>(fm->num_obj_meta));
    std::optional<msgconv::FrameMessage> msg = builder_.onFrame(frame, msgconv::frameWallClock(fm->ntp_timestamp, now));
    if (!msg) continue;
    if (!attachPayloadEventMeta(batch, fm, msg->payload, msg->ctx.timestamp, msg->ctx.deviceId, componentId_)) {
      attachFailures_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    messages_.fetch_add(1, std::memory_order_relaxed);
    if (callbacks_.onMessage) callbacks_.onMessage(frame, *msg);
  }
  nvds_release_meta_lock(batch);
}

}  // namespace dsk::ds
