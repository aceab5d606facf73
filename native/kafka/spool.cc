#include "kafka/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>

namespace dsk::kafka {

namespace {

constexpr uint32_t kMagic = 0x534b5344;  // "DSKS"
constexpr size_t kHeader = 4 + 4 + 4 + 8;
constexpr size_t kMaxField = 64u << 20;   // a record field beyond this is corruption, not a message

std::string errnoText() { return std::strerror(errno); }

std::string segmentName(uint64_t firstId, const char* ext) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "seg-%020llu.%s", static_cast<unsigned long long>(firstId), ext);
  return buf;
}

void putU32(std::string& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void putU64(std::string& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t getU32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t getU64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

bool writeAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool readFile(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace

uint32_t crc32(const void* data, size_t size, uint32_t crc) {
  static const auto table = [] {
    std::vector<uint32_t> t(256);
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

Spool::Spool(SpoolConfig config) : config_(std::move(config)) {
  if (config_.dir.empty()) throw std::runtime_error("spool directory is empty");
  if (::mkdir(config_.dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create spool directory " + config_.dir + ": " + errnoText());
  const std::string lock = config_.dir + "/LOCK";
  lockFd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lockFd_ < 0) throw std::runtime_error("cannot use spool directory " + config_.dir + ": " + errnoText());
  // flock is released by the kernel when the process dies, so a killed run never leaves a stale lock.
  if (::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lockFd_);
    throw std::runtime_error("spool directory " + config_.dir + " is in use by another ds-kafka process");
  }
  recover();
}

Spool::~Spool() {
  std::lock_guard<std::mutex> g(mu_);
  for (auto it = segments_.begin(); it != segments_.end();) {
    auto next = std::next(it);
    if (it->second.unacked == 0) retire(it);
    else closeFds(it->second);
    it = next;
  }
  if (lockFd_ >= 0) ::close(lockFd_);
}

void Spool::recover() {
  DIR* d = ::opendir(config_.dir.c_str());
  if (!d) throw std::runtime_error("cannot read spool directory " + config_.dir + ": " + errnoText());
  std::vector<uint64_t> firsts;
  while (dirent* e = ::readdir(d)) {
    unsigned long long first = 0;
    char ext[8] = {0};
    if (std::sscanf(e->d_name, "seg-%20llu.%3s", &first, ext) == 2 && std::strcmp(ext, "log") == 0) firsts.push_back(first);
  }
  ::closedir(d);
  std::sort(firsts.begin(), firsts.end());
  for (uint64_t first : firsts) {
    Segment seg;
    seg.path = config_.dir + "/" + segmentName(first, "log");
    std::string data, acks;
    readFile(seg.path, data);
    readFile(config_.dir + "/" + segmentName(first, "ack"), acks);
    std::set<uint64_t> acked;
    for (size_t i = 0; i + 8 <= acks.size(); i += 8) acked.insert(getU64(reinterpret_cast<const unsigned char*>(acks.data() + i)));
    size_t pos = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    while (pos + kHeader + 4 <= data.size()) {
      const uint32_t keyLen = getU32(p + pos + 4), payLen = getU32(p + pos + 8);
      if (getU32(p + pos) != kMagic || keyLen > kMaxField || payLen > kMaxField) break;
      const size_t end = pos + kHeader + keyLen + payLen + 4;
      if (end > data.size()) break;
      if (crc32(p + pos + 12, 8 + keyLen + payLen) != getU32(p + end - 4)) break;
      SpoolRecord r;
      r.id = getU64(p + pos + 12);
      r.key.assign(data, pos + kHeader, keyLen);
      r.payload.assign(data, pos + kHeader + keyLen, payLen);
      nextId_ = std::max(nextId_, r.id + 1);
      if (!acked.count(r.id)) {
        ++seg.unacked;
        recovered_.push_back(std::move(r));
      }
      pos = end;
    }
    stats_.tornBytes += data.size() - pos;
    seg.bytes = data.size();
    stats_.bytes += seg.bytes;
    auto it = segments_.emplace(first, std::move(seg)).first;
    if (it->second.unacked == 0) retire(it);  // nothing left to send from it
  }
  stats_.recovered = recovered_.size();
  stats_.pending = recovered_.size();
}

std::vector<SpoolRecord> Spool::takeRecovered() {
  std::lock_guard<std::mutex> g(mu_);
  return std::move(recovered_);
}

void Spool::openActive(uint64_t firstId) {
  Segment seg;
  seg.path = config_.dir + "/" + segmentName(firstId, "log");
  seg.fd = ::open(seg.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (seg.fd < 0) throw std::runtime_error("cannot create " + seg.path + ": " + errnoText());
  seg.active = true;
  segments_[firstId] = std::move(seg);
}

uint64_t Spool::append(const std::string& key, const std::string& payload, std::string* error) {
  std::lock_guard<std::mutex> g(mu_);
  const uint64_t size = kHeader + key.size() + payload.size() + 4;
  if (stats_.bytes + size > config_.maxBytes) {
    ++stats_.unspooled;
    if (error) *error = "spool full";
    return 0;
  }
  auto active = std::find_if(segments_.begin(), segments_.end(), [](const auto& kv) { return kv.second.active; });
  try {
    if (active != segments_.end() && active->second.bytes >= config_.segmentBytes) {
      active->second.active = false;  // sealed: deleted once acknowledged
      ::fdatasync(active->second.fd);
      if (active->second.unacked == 0) retire(active);
      else { ::close(active->second.fd); active->second.fd = -1; }
      active = segments_.end();
    }
    if (active == segments_.end()) {
      openActive(nextId_);
      active = segments_.find(nextId_);
    }
  } catch (const std::exception& e) {
    ++stats_.unspooled;
    if (error) *error = e.what();
    return 0;
  }
  const uint64_t id = nextId_++;
  std::string rec;
  rec.reserve(size);
  putU32(rec, kMagic);
  putU32(rec, static_cast<uint32_t>(key.size()));
  putU32(rec, static_cast<uint32_t>(payload.size()));
  putU64(rec, id);
  rec += key;
  rec += payload;
  putU32(rec, crc32(rec.data() + 12, rec.size() - 12));
  Segment& seg = active->second;
  if (!writeAll(seg.fd, rec.data(), rec.size())) {
    ++stats_.unspooled;
    if (error) *error = "cannot write " + seg.path + ": " + errnoText();
    return 0;
  }
  seg.bytes += rec.size();
  ++seg.unacked;
  stats_.bytes += rec.size();
  ++stats_.spooled;
  ++stats_.pending;
  dirty_ = true;
  return id;
}

void Spool::ack(uint64_t id) {
  if (id == 0) return;
  std::lock_guard<std::mutex> g(mu_);
  auto it = segments_.upper_bound(id);
  if (it == segments_.begin()) return;
  --it;
  Segment& seg = it->second;
  if (seg.unacked == 0) return;
  if (seg.ackFd < 0) {
    const std::string ackPath = config_.dir + "/" + segmentName(it->first, "ack");
    seg.ackFd = ::open(ackPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  }
  std::string b;
  putU64(b, id);
  // A lost ack only means the message is sent once more after a restart (same messageid).
  if (seg.ackFd >= 0) writeAll(seg.ackFd, b.data(), b.size());
  --seg.unacked;
  ++stats_.acked;
  if (stats_.pending > 0) --stats_.pending;
  dirty_ = true;
  if (seg.unacked == 0 && !seg.active) retire(it);
}

void Spool::closeFds(Segment& s) {
  if (s.fd >= 0) ::close(s.fd);
  if (s.ackFd >= 0) ::close(s.ackFd);
  s.fd = s.ackFd = -1;
}

void Spool::retire(std::map<uint64_t, Segment>::iterator it) {
  closeFds(it->second);
  ::unlink(it->second.path.c_str());
  ::unlink((config_.dir + "/" + segmentName(it->first, "ack")).c_str());
  stats_.bytes -= std::min(stats_.bytes, it->second.bytes);
  segments_.erase(it);
}

void Spool::sync() {
  // fdatasync can take milliseconds: it runs on duplicates of the descriptors, outside the lock, so
  // append() (a pipeline's worker thread) never waits for the disk.
  std::vector<int> fds;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!dirty_) return;
    dirty_ = false;
    for (auto& [first, seg] : segments_)
      for (int fd : {seg.fd, seg.ackFd})
        if (fd >= 0) {
          const int d = ::dup(fd);
          if (d >= 0) fds.push_back(d);
        }
  }
  for (int d : fds) {
    ::fdatasync(d);
    ::close(d);
  }
}

SpoolStats Spool::stats() const {
  std::lock_guard<std::mutex> g(mu_);
  return stats_;
}

}  // namespace dsk::kafka
