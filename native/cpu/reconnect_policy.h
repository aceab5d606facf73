// When and how a live input tries again (CPU backend): exponential backoff with full jitter, and the rules
// for which end of a connection is retried. Pure logic (no GStreamer), unit-tested through the addon.
//
//   delay(attempt) = uniform in [floorMs, min(maxMs, initialMs * 2^(attempt-1))]   (attempt = 1, 2, ...)
//
// Full jitter spreads the retries of many cameras that dropped together (a switch reboot) instead of
// hammering the network in lockstep; the small floor keeps a source that refuses at once from spinning.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace dsk::cpu {

struct ReconnectPolicy {
  int initialMs = 1000;   // the first retry's upper bound
  int maxMs = 30000;      // cap of the upper bound
  int floorMs = 100;      // never retry sooner than this
  int maxAttempts = 0;    // retries per outage before giving up; 0 = forever

  // The delay's upper bound before attempt `attempt` (1-based): initialMs doubling, capped at maxMs.
  int64_t ceilingMs(int attempt) const;
  // A delay for `attempt` from u in [0, 1) (a uniform draw): floorMs + u * (ceiling - floorMs).
  int64_t delayMs(int attempt, double u) const;
  // Attempt `attempt` is beyond maxAttempts (the stream gives up).
  bool exhausted(int attempt) const { return maxAttempts > 0 && attempt > maxAttempts; }
};

// Draws the jitter; one per stream (seeded apart so cameras do not retry in step).
class Backoff {
 public:
  explicit Backoff(ReconnectPolicy policy, uint64_t seed);
  int64_t next(int attempt);
  const ReconnectPolicy& policy() const { return policy_; }

 private:
  ReconnectPolicy policy_;
  std::mt19937_64 rng_;
};

// Why one connection of an input ended.
enum class ConnectionEnd { Stopped, Eos, Error, ConnectTimeout, Stall, ProcessingError };

// Whether that end is retried: network inputs retry errors, connect timeouts and stalls; a live source's EOS
// (an RTSP server ending the session, a camera rebooting) is retried too, while an http(s) download's EOS is
// the end of its content. Files, stop() and frame-processing errors (a bug or an unsupported format that a
// new connection would not fix) never retry.
bool shouldReconnect(ConnectionEnd end, bool network, bool live);

}  // namespace dsk::cpu
