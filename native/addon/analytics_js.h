// FrameAnalytics -> JavaScript, shared by every binding that reports analytics (engine, CPU pipeline,
// messages for the JavaScript producer), so a record looks the same wherever it comes from.
#pragma once

#include <napi.h>

#include <string>

#include "core/types.h"

namespace dsk::addon {

// Labels are user text: define own data properties, so a label such as "__proto__" stays a key instead
// of triggering the prototype setter.
void defineKey(Napi::Object& o, const std::string& key, napi_value value);

// Numbers beyond 2^53 - 1 become BigInt (ids, frame numbers).
Napi::Value uint64ToJs(Napi::Env env, uint64_t v);

// {streamId, frameNum, ptsMs, ocStatus, objInROIcnt, objLCCurrCnt, objLCCumCnt, objCnt, dirCnt}
// plus, with objectStatus, `objects`: [{id, classId, roiStatus, ocStatus, lcStatus, dirStatus}].
// dirCnt counts objects per direction label (dirStatus "DIR:<label>"), as payload fields use it.
Napi::Object frameAnalyticsToJs(Napi::Env env, const FrameAnalytics& r, bool objectStatus);

}  // namespace dsk::addon
