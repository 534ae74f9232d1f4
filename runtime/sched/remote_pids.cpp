// runtime/sched: RemotePids.
#include "runtime/sched/remote_pids.hpp"

namespace lona {

std::uint64_t RemotePids::stand_in(std::uint64_t realm, std::uint64_t local) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = ids_.try_emplace({realm, local}, 0);
  if (inserted) {
    addresses_.push_back({.realm = realm, .local = local});
    it->second = kRemoteBit | addresses_.size();
  }
  return it->second;
}

std::optional<RemoteAddress> RemotePids::address(std::uint64_t id) const {
  std::uint64_t index = id & ~kRemoteBit;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!is_remote(id) || index == 0 || index > addresses_.size()) return std::nullopt;
  return addresses_[index - 1];
}

}  // namespace lona
