// DeepStream metadata -> dsk::FrameAnalytics: the only place that reads nvdsanalytics' output.
// A pure conversion (no allocation on DeepStream's side, no side effects); the field-by-field copies are
// the SDK-free templates of core/msgconv/frame_messages.h, instantiated here with the SDK's structs.
#pragma once

#include <cstdint>

#include "core/types.h"
// nvll_osd_struct.h before nvdsmeta.h: in some releases (6.3) nvdsmeta.h includes nvds_roi_meta.h, which uses
// NvOSD_RectParams, before it includes nvll_osd_struct.h.
#include "nvll_osd_struct.h"
#include "nvdsmeta.h"

namespace dsk::ds {

// nvdsanalytics' user-meta types. In DeepStream 6.x they are looked up by name
// ("NVIDIA.DSANALYTICSFRAME.USER_META" / "NVIDIA.DSANALYTICSOBJ.USER_META"); 7.x+ also have enum values.
// Looked up once and cached by the probe (the 6.x lookup takes a lock).
struct AnalyticsMetaTypes {
  NvDsMetaType frame;
  NvDsMetaType object;
  static AnalyticsMetaTypes lookup();
};

// The analytics of one frame: NvDsAnalyticsFrameMeta (first one found; `uniqueId` < 0 = any nvdsanalytics
// instance, else only the one whose unique-id matches) plus NvDsAnalyticsObjInfo of every object that has
// one (object id = NvDsObjectMeta.object_id, the tracker id). streamId = NvDsFrameMeta.pad_index (the
// muxer's sink pad = the input's index), frameNum = frame_num, ptsMs = buf_pts / 1e6.
// Returns false when the frame carries no NvDsAnalyticsFrameMeta (nvdsanalytics disabled or absent).
bool frameAnalyticsFromDs(const NvDsFrameMeta* frame, const AnalyticsMetaTypes& types, int uniqueId,
                          FrameAnalytics& out);

}  // namespace dsk::ds
