#include "deepstream/ds_meta_convert.h"

#include <string>
#include <type_traits>

#include "core/msgconv/frame_messages.h"
#include "nvds_analytics_meta.h"

namespace dsk::ds {

namespace {

// The CPU tests run the conversion on mirrors of the SDK structs (core/msgconv/frame_messages.h). Fail the
// build, not the field, if an SDK release changes what a field is.
template <class A, class B>
constexpr bool same = std::is_same_v<std::remove_cv_t<A>, std::remove_cv_t<B>>;
using FM = NvDsAnalyticsFrameMeta;
using FMM = msgconv::AnalyticsFrameMetaMirror;
static_assert(same<decltype(FM::ocStatus), decltype(FMM::ocStatus)>, "NvDsAnalyticsFrameMeta.ocStatus changed");
static_assert(same<decltype(FM::objInROIcnt), decltype(FMM::objInROIcnt)>, "NvDsAnalyticsFrameMeta.objInROIcnt changed");
static_assert(same<decltype(FM::objLCCurrCnt), decltype(FMM::objLCCurrCnt)>, "NvDsAnalyticsFrameMeta.objLCCurrCnt changed");
static_assert(same<decltype(FM::objLCCumCnt), decltype(FMM::objLCCumCnt)>, "NvDsAnalyticsFrameMeta.objLCCumCnt changed");
static_assert(same<decltype(FM::objCnt), decltype(FMM::objCnt)>, "NvDsAnalyticsFrameMeta.objCnt changed");
static_assert(same<decltype(FM::unique_id), decltype(FMM::unique_id)>, "NvDsAnalyticsFrameMeta.unique_id changed");
using OI = NvDsAnalyticsObjInfo;
using OIM = msgconv::AnalyticsObjInfoMirror;
static_assert(same<decltype(OI::roiStatus), decltype(OIM::roiStatus)>, "NvDsAnalyticsObjInfo.roiStatus changed");
static_assert(same<decltype(OI::ocStatus), decltype(OIM::ocStatus)>, "NvDsAnalyticsObjInfo.ocStatus changed");
static_assert(same<decltype(OI::lcStatus), decltype(OIM::lcStatus)>, "NvDsAnalyticsObjInfo.lcStatus changed");
static_assert(same<decltype(OI::dirStatus), decltype(OIM::dirStatus)>, "NvDsAnalyticsObjInfo.dirStatus changed");
static_assert(same<decltype(OI::unique_id), decltype(OIM::unique_id)>, "NvDsAnalyticsObjInfo.unique_id changed");

bool wanted(unsigned int metaUniqueId, int uniqueId) {
  return uniqueId < 0 || metaUniqueId == static_cast<unsigned int>(uniqueId);
}

}  // namespace

AnalyticsMetaTypes AnalyticsMetaTypes::lookup() {
  return AnalyticsMetaTypes{NVDS_USER_FRAME_META_NVDSANALYTICS, NVDS_USER_OBJ_META_NVDSANALYTICS};
}

bool frameAnalyticsFromDs(const NvDsFrameMeta* frame, const AnalyticsMetaTypes& types, int uniqueId,
                          FrameAnalytics& out) {
  out = FrameAnalytics{};
  out.streamId = static_cast<int>(frame->pad_index);
  out.frameNum = static_cast<uint64_t>(frame->frame_num < 0 ? 0 : frame->frame_num);
  out.ptsMs = static_cast<int64_t>(frame->buf_pts / 1000000u);

  bool found = false;
  for (NvDsMetaList* l = frame->frame_user_meta_list; l && !found; l = l->next) {
    const auto* um = static_cast<const NvDsUserMeta*>(l->data);
    if (!um || um->base_meta.meta_type != types.frame || !um->user_meta_data) continue;
    const auto* fm = static_cast<const NvDsAnalyticsFrameMeta*>(um->user_meta_data);
    if (!wanted(fm->unique_id, uniqueId)) continue;
    msgconv::copyAnalyticsFrameMeta(*fm, out);
    found = true;
  }
  if (!found) return false;

  for (NvDsMetaList* l = frame->obj_meta_list; l; l = l->next) {
    const auto* obj = static_cast<const NvDsObjectMeta*>(l->data);
    if (!obj) continue;
    for (NvDsMetaList* u = obj->obj_user_meta_list; u; u = u->next) {
      const auto* um = static_cast<const NvDsUserMeta*>(u->data);
      if (!um || um->base_meta.meta_type != types.object || !um->user_meta_data) continue;
      const auto* oi = static_cast<const NvDsAnalyticsObjInfo*>(um->user_meta_data);
      if (!wanted(oi->unique_id, uniqueId)) continue;
      out.objects.push_back(msgconv::analyticsObjectFrom(obj->object_id, obj->class_id, *oi));
      break;
    }
  }
  return true;
}

}  // namespace dsk::ds
