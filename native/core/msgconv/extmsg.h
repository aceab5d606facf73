// Life cycle of the DskExtMsg that rides on NvDsEventMsgMeta.extMsg (native/msgconv/dskafka_extmsg.h).
// SDK-free, so the event meta's copy/release functions (native/deepstream/analytics_probe.cc) are thin
// calls into code that is compiled and tested on CPU. malloc/free only: never throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "msgconv/dskafka_extmsg.h"

namespace dsk::msgconv {

// A new DskExtMsg owning a NUL-terminated copy of `payload`; nullptr when out of memory.
DskExtMsg* extMsgNew(std::string_view payload);
// Deep copy (struct and payload); nullptr for a null, foreign (bad magic/version) or unallocatable source.
DskExtMsg* extMsgCopy(const DskExtMsg* src);
// Frees the struct and its payload. Null is fine. Foreign objects (bad magic) are left alone.
void extMsgFree(DskExtMsg* msg);

// The payload when (extMsg, extMsgSize) is one of ours: non-null, extMsgSize >= sizeof(DskExtMsg), magic and
// version match, payload non-null. Otherwise nullopt (the converter then falls back).
std::optional<std::string_view> extMsgPayload(const void* extMsg, size_t extMsgSize);

// Number of DskExtMsg objects currently allocated by this module (for leak tests).
long extMsgLiveCount();

}  // namespace dsk::msgconv
