// libnvds_dskafka_msgconv.so: ds-kafka's message converter for nvmsgconv (`msg2p-lib`), with the seven
// entry points of DeepStream's nvmsgconv.h. This file only adapts the SDK's types; what is sent is decided
// by the SDK-free core (core/msgconv/msgconv_core.h), which the CPU tests exercise:
//   - an NvDsEventMsgMeta whose extMsg is ds-kafka's DskExtMsg -> its payload, verbatim;
//   - any other event meta -> a minimal seed-shaped message from its ts / sensorStr / sensorId and the
//     config's [analytics0] (so the library also works in deepstream-app / test5: msg-conv-msg2p-lib).
//
// Works with every payload-type (the type is ignored; 257 = custom is what ds-kafka sets). One message per
// event: with payload-type 0/257 nvmsgconv calls generate() once per event; with 1/2 (minimal/protobuf) it
// hands all of a frame's events to one call, so set multiple-payloads=1 there (generate() answers for the
// first event only). New API (msg2p-newapi=1): one message per frame, from the frame's ds-kafka event meta,
// else the fallback from the frame's source_id and ntp_timestamp.
//
// Memory: payloads are g_malloc'ed (nvmsgconv copies them with g_memdup and releases them through
// nvds_msg2p_release); arrays from *_multiple are g_malloc'ed (the element g_frees them when the count is not
// 0; NULL is returned for 0). No exception crosses the C boundary.
#include <glib.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/msgconv/extmsg.h"
#include "core/msgconv/frame_messages.h"
#include "core/msgconv/msgconv_core.h"
#include "core/payload/payload_builder.h"
#include "msgconv/dskafka_extmsg.h"
#include "nvll_osd_struct.h"  // before nvdsmeta.h (6.3's nvds_roi_meta.h needs it and does not include it)
#include "nvdsmeta.h"
#include "nvdsmeta_schema.h"
#include "nvds_version.h"
#include "deepstream/sdk_runtime.h"
// The library is built with hidden visibility; the seven entry points take their (default) visibility from
// the declarations. The SDK's nvmsgconv.h when the install has it (6.x-8.x: sources/libs/nvmsgconv); 9.x
// installs made by NVIDIA's script have no nvmsgconv headers, so the two types are declared here, identical
// to the SDK's (checked against 6.0-6.3 and 9.1; NvDsMsg2pMetaInfo only ever grew at its end).
#pragma GCC visibility push(default)
#if DSK_HAVE_NVMSGCONV_H
#include "nvmsgconv.h"
#else
#include "msgconv/nvmsgconv_decls.h"
#endif
#pragma GCC visibility pop

namespace {

using dsk::msgconv::ConverterConfig;
using dsk::msgconv::EventFields;

struct Converter {
  ConverterConfig config;
};

const ConverterConfig& configOf(NvDsMsg2pCtx* ctx) {
  static const ConverterConfig defaults;
  return ctx && ctx->privData ? static_cast<Converter*>(ctx->privData)->config : defaults;
}

NvDsPayload* toPayload(const std::string& s) {
  if (s.empty()) return nullptr;
  auto* p = g_new0(NvDsPayload, 1);
  p->payload = g_malloc(s.size());  // not g_memdup2: DeepStream 6.x images have GLib < 2.68
  std::memcpy(p->payload, s.data(), s.size());
  p->payloadSize = static_cast<guint>(s.size());
  return p;
}

EventFields fieldsOf(const NvDsEventMsgMeta* m) {
  EventFields f;
  if (m->ts) f.ts = m->ts;
  if (m->sensorStr) f.sensorStr = m->sensorStr;
  f.sensorId = m->sensorId;
  return f;
}

NvDsPayload* forEvent(NvDsMsg2pCtx* ctx, const NvDsEvent* event) {
  if (!event || !event->metadata) return nullptr;
  const NvDsEventMsgMeta* m = event->metadata;
  try {
    return toPayload(dsk::msgconv::payloadForEvent(configOf(ctx), m->extMsg, m->extMsgSize, fieldsOf(m)));
  } catch (const std::exception& e) {
    g_printerr("ds-kafka msgconv: event dropped: %s\n", e.what());
  } catch (...) {
    g_printerr("ds-kafka msgconv: event dropped\n");
  }
  return nullptr;
}

// New API: the frame's ds-kafka event meta, else the fallback from the frame itself.
NvDsPayload* forFrame(NvDsMsg2pCtx* ctx, const NvDsMsg2pMetaInfo* info) {
  if (!info || !info->frameMeta) return nullptr;
  const auto* frame = static_cast<const NvDsFrameMeta*>(info->frameMeta);
  // Called once per object for the full/custom payload types: answer for the first object only, so a frame
  // gives one message, never one per object.
  if (info->objMeta && (!frame->obj_meta_list || frame->obj_meta_list->data != info->objMeta)) return nullptr;
  try {
    for (NvDsMetaList* l = frame->frame_user_meta_list; l; l = l->next) {
      const auto* um = static_cast<const NvDsUserMeta*>(l->data);
      if (!um || um->base_meta.meta_type != NVDS_EVENT_MSG_META || !um->user_meta_data) continue;
      const auto* m = static_cast<const NvDsEventMsgMeta*>(um->user_meta_data);
      if (dsk::msgconv::extMsgPayload(m->extMsg, m->extMsgSize))
        return toPayload(dsk::msgconv::payloadForEvent(configOf(ctx), m->extMsg, m->extMsgSize, fieldsOf(m)));
    }
    EventFields f;
    f.sensorId = static_cast<int>(frame->source_id);
    if (frame->ntp_timestamp)
      f.ts = dsk::rfc3339Millis(dsk::msgconv::frameWallClock(frame->ntp_timestamp, std::chrono::system_clock::now()));
    return toPayload(dsk::msgconv::fallbackPayload(configOf(ctx), f));
  } catch (const std::exception& e) {
    g_printerr("ds-kafka msgconv: frame dropped: %s\n", e.what());
  } catch (...) {
    g_printerr("ds-kafka msgconv: frame dropped\n");
  }
  return nullptr;
}

NvDsPayload** asArray(std::vector<NvDsPayload*> list, guint* payloadCount) {
  *payloadCount = 0;
  if (list.empty()) return nullptr;
  auto** arr = static_cast<NvDsPayload**>(g_malloc0(sizeof(NvDsPayload*) * list.size()));
  for (NvDsPayload* p : list) arr[(*payloadCount)++] = p;
  return arr;
}

}  // namespace

extern "C" {

NvDsMsg2pCtx* nvds_msg2p_ctx_create(const gchar* file, NvDsPayloadType type) {
  try {
    // Refuses to start in another DeepStream release than the one it was built for: it would read
    // NvDsEventMsgMeta with the wrong layout.
    dsk::msgconv::ConverterStart start = dsk::msgconv::startConverter(
        file, dsk::ds::SdkVersion{NVDS_VERSION_MAJOR, NVDS_VERSION_MINOR}, dsk::ds::lookupRuntimeSdkVersion());
    if (!start.ok()) {
      g_printerr("ds-kafka msgconv: cannot start: %s\n", start.error.c_str());
      return nullptr;  // nvmsgconv refuses to start
    }
    auto conv = std::make_unique<Converter>();
    conv->config = std::move(start.config);
    auto ctx = std::make_unique<NvDsMsg2pCtx>();
    ctx->payloadType = type;
    ctx->privData = conv.release();
    return ctx.release();
  } catch (const std::exception& e) {
    g_printerr("ds-kafka msgconv: cannot start: %s\n", e.what());
  } catch (...) {
    g_printerr("ds-kafka msgconv: cannot start\n");
  }
  return nullptr;  // nvmsgconv refuses to start
}

void nvds_msg2p_ctx_destroy(NvDsMsg2pCtx* ctx) {
  if (!ctx) return;
  delete static_cast<Converter*>(ctx->privData);
  ctx->privData = nullptr;
  delete ctx;
}

NvDsPayload* nvds_msg2p_generate(NvDsMsg2pCtx* ctx, NvDsEvent* events, guint size) {
  return size > 0 ? forEvent(ctx, events) : nullptr;
}

NvDsPayload** nvds_msg2p_generate_multiple(NvDsMsg2pCtx* ctx, NvDsEvent* events, guint size, guint* payloadCount) {
  std::vector<NvDsPayload*> list;
  for (guint i = 0; events && i < size; ++i)
    if (NvDsPayload* p = forEvent(ctx, &events[i])) list.push_back(p);
  return asArray(std::move(list), payloadCount);
}

NvDsPayload* nvds_msg2p_generate_new(NvDsMsg2pCtx* ctx, void* metadataInfo) {
  return forFrame(ctx, static_cast<const NvDsMsg2pMetaInfo*>(metadataInfo));
}

NvDsPayload** nvds_msg2p_generate_multiple_new(NvDsMsg2pCtx* ctx, void* metadataInfo, guint* payloadCount) {
  std::vector<NvDsPayload*> list;
  if (NvDsPayload* p = forFrame(ctx, static_cast<const NvDsMsg2pMetaInfo*>(metadataInfo))) list.push_back(p);
  return asArray(std::move(list), payloadCount);
}

void nvds_msg2p_release(NvDsMsg2pCtx* /*ctx*/, NvDsPayload* payload) {
  if (!payload) return;
  g_free(payload->payload);
  g_free(payload);
}

}  // extern "C"
