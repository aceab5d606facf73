#include "core/msgconv/extmsg.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace dsk::msgconv {

namespace {
std::atomic<long> g_live{0};

DskExtMsg* make(const char* data, size_t size) {
  auto* m = static_cast<DskExtMsg*>(std::malloc(sizeof(DskExtMsg)));
  if (!m) return nullptr;
  m->payload = static_cast<char*>(std::malloc(size + 1));
  if (!m->payload) {
    std::free(m);
    return nullptr;
  }
  if (size) std::memcpy(m->payload, data, size);
  m->payload[size] = '\0';
  m->payloadSize = size;
  m->magic = DSK_EXTMSG_MAGIC;
  m->version = DSK_EXTMSG_VERSION;
  g_live.fetch_add(1, std::memory_order_relaxed);
  return m;
}

bool ours(const DskExtMsg* m) { return m && m->magic == DSK_EXTMSG_MAGIC && m->version == DSK_EXTMSG_VERSION; }
}  // namespace

DskExtMsg* extMsgNew(std::string_view payload) { return make(payload.data(), payload.size()); }

DskExtMsg* extMsgCopy(const DskExtMsg* src) {
  if (!ours(src)) return nullptr;
  return make(src->payload ? src->payload : "", src->payload ? src->payloadSize : 0);
}

void extMsgFree(DskExtMsg* msg) {
  if (!ours(msg)) return;
  std::free(msg->payload);
  msg->payload = nullptr;
  std::free(msg);
  g_live.fetch_sub(1, std::memory_order_relaxed);
}

std::optional<std::string_view> extMsgPayload(const void* extMsg, size_t extMsgSize) {
  if (!extMsg || extMsgSize < sizeof(DskExtMsg)) return std::nullopt;
  const auto* m = static_cast<const DskExtMsg*>(extMsg);
  if (!ours(m) || !m->payload) return std::nullopt;
  return std::string_view(m->payload, m->payloadSize);
}

long extMsgLiveCount() { return g_live.load(std::memory_order_relaxed); }

}  // namespace dsk::msgconv
