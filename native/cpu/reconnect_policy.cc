#include "cpu/reconnect_policy.h"

#include <algorithm>

namespace dsk::cpu {

int64_t ReconnectPolicy::ceilingMs(int attempt) const {
  const int64_t init = std::max(1, initialMs), cap = std::max(init, static_cast<int64_t>(maxMs));
  int64_t c = init;
  for (int i = 1; i < attempt && c < cap; ++i) c *= 2;  // no overflow: stops at the cap
  return std::min(c, cap);
}

int64_t ReconnectPolicy::delayMs(int attempt, double u) const {
  const int64_t hi = ceilingMs(std::max(1, attempt));
  const int64_t lo = std::min<int64_t>(std::max(0, floorMs), hi);
  u = std::clamp(u, 0.0, 1.0);
  return std::min(hi, lo + static_cast<int64_t>(u * static_cast<double>(hi - lo)));
}

Backoff::Backoff(ReconnectPolicy policy, uint64_t seed) : policy_(policy), rng_(seed) {}

int64_t Backoff::next(int attempt) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return policy_.delayMs(attempt, u(rng_));
}

bool shouldReconnect(ConnectionEnd end, bool network, bool live) {
  if (!network) return false;
  switch (end) {
    case ConnectionEnd::Error:
    case ConnectionEnd::ConnectTimeout:
    case ConnectionEnd::Stall:
      return true;
    case ConnectionEnd::Eos:
      return live;
    case ConnectionEnd::Stopped:
    case ConnectionEnd::ProcessingError:
      return false;
  }
  return false;
}

}  // namespace dsk::cpu
