#include "core/payload/send_policy.h"

namespace dsk {

const char* SendDecider::decide(const FrameAnalytics& frame) {
  StreamState& st = streams_[frame.streamId];
  const char* reason = nullptr;
  if (policy_.onLineCrossing) {
    for (const auto& [label, n] : frame.objLCCurrCnt)
      if (n > 0) {
        reason = "line-crossing";
        break;
      }
  }
  // The first frame of a stream counts as a change, so consumers get an initial state.
  if (!reason && policy_.onOvercrowdingChange && (!st.seen || st.oc != frame.ocStatus) && !frame.ocStatus.empty())
    reason = "overcrowding-change";
  if (!reason && policy_.onRoiChange && (!st.seen || st.roi != frame.objInROIcnt) && !frame.objInROIcnt.empty())
    reason = "roi-change";
  if (!reason && policy_.frameInterval > 0 && frame.frameNum % policy_.frameInterval == 0) reason = "interval";
  st.seen = true;
  st.roi = frame.objInROIcnt;
  st.oc = frame.ocStatus;
  return reason;
}

}  // namespace dsk
