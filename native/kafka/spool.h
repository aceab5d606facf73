// The on-disk spool behind --spool-dir: every message is appended here before it is handed to librdkafka
// and forgotten once the broker acknowledges it, so a process killed with SIGKILL (or by the OOM killer)
// loses nothing it produced: the next start re-sends what was never acknowledged, byte for byte (same
// messageid, so consumers can deduplicate).
//
// Layout: <dir>/LOCK (flock: one process per spool), segments seg-<first id>.log of records
//   [u32 magic][u32 key length][u32 payload length][u64 id][key][payload][u32 crc32 of id+key+payload]
// (little endian) and beside each an append-only seg-<first id>.ack of acknowledged ids (u64). A segment is
// deleted once every record in it is acknowledged. A torn record at a segment's end (killed mid-write) is
// ignored. Writes reach the kernel before produce() returns (safe against a process kill); sync() makes
// them durable against power loss (the producer calls it about once a second).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dsk::kafka {

struct SpoolConfig {
  std::string dir;
  uint64_t maxBytes = 1024ull << 20;     // unacknowledged bytes on disk; beyond: not spooled (see append)
  uint64_t segmentBytes = 8ull << 20;    // a segment is closed (and later deleted) past this size
};

struct SpoolRecord {
  uint64_t id = 0;
  std::string key;
  std::string payload;
};

struct SpoolStats {
  uint64_t spooled = 0;     // appended in this run
  uint64_t unspooled = 0;   // not appended because the spool was full (held in memory only)
  uint64_t acked = 0;       // acknowledged in this run (including re-sent ones)
  uint64_t pending = 0;     // on disk, not acknowledged
  uint64_t bytes = 0;       // segment bytes on disk
  uint64_t recovered = 0;   // unacknowledged records found at open
  uint64_t tornBytes = 0;   // bytes of torn records ignored at open
};

class Spool {
 public:
  // Creates the directory if needed and locks it. Throws std::runtime_error naming the directory when it
  // cannot be used (not writable, locked by another process).
  explicit Spool(SpoolConfig config);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Records of earlier runs that were never acknowledged, oldest first; returned once.
  std::vector<SpoolRecord> takeRecovered();

  // Appends a message; returns its id, or 0 when it was not spooled (spool full, or a write error: then
  // `error` says why). The caller still sends it.
  uint64_t append(const std::string& key, const std::string& payload, std::string* error = nullptr);

  // The broker acknowledged record `id` (0 is ignored).
  void ack(uint64_t id);

  // fdatasync of what was written since the last call.
  void sync();

  SpoolStats stats() const;
  const SpoolConfig& config() const { return config_; }

 private:
  struct Segment {
    std::string path;
    int fd = -1;       // open for appending (the active segment only)
    int ackFd = -1;    // opened on the first ack
    uint64_t bytes = 0;
    uint64_t unacked = 0;
    bool active = false;
  };
  void recover();
  void openActive(uint64_t firstId);
  void retire(std::map<uint64_t, Segment>::iterator it);  // closes and deletes a fully acknowledged segment
  void closeFds(Segment& s);

  SpoolConfig config_;
  mutable std::mutex mu_;
  int lockFd_ = -1;
  std::map<uint64_t, Segment> segments_;  // by first id
  std::vector<SpoolRecord> recovered_;
  uint64_t nextId_ = 1;
  bool dirty_ = false;
  SpoolStats stats_;
};

// CRC-32 (IEEE 802.3), as zlib's crc32(). Exposed for tests.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace dsk::kafka
