// When a frame's analytics become a message. Default as the seed: only frames where a line was crossed.
// Never one message per object per frame (the occupancy-analytics flood): at most one per stream per frame.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/types.h"

namespace dsk {

struct SendPolicy {
  bool onLineCrossing = true;       // some objLCCurrCnt > 0
  uint32_t frameInterval = 0;       // also every N-th frame (frameNum % N == 0); 0 = off
  bool onRoiChange = false;         // some objInROIcnt differs from the previous frame
  bool onOvercrowdingChange = false;  // some ocStatus differs from the previous frame
};

class SendDecider {
 public:
  explicit SendDecider(SendPolicy policy) : policy_(policy) {}
  // Returns why this frame is sent ("line-crossing", "interval", "roi-change", "overcrowding-change"),
  // or nullptr. Call once per frame per stream, in order: it remembers the previous frame's state.
  const char* decide(const FrameAnalytics& frame);
  const SendPolicy& policy() const { return policy_; }

 private:
  struct StreamState {
    bool seen = false;
    std::map<std::string, uint32_t> roi;
    std::map<std::string, bool> oc;
  };
  SendPolicy policy_;
  std::map<int, StreamState> streams_;
};

}  // namespace dsk
