#include "runtime/process/process_table.hpp"

namespace lona {

void ProcessTable::insert(Process* p) {
  Shard& s = shard(p->id());
  std::lock_guard<std::mutex> lock(s.mutex);
  s.map.insert(p);
  count_.fetch_add(1, std::memory_order_relaxed);
}

bool ProcessTable::erase(uint64_t id) {
  Shard& s = shard(id);
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.map.erase(id) == 0) return false;
  count_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

Process* ProcessTable::find(uint64_t id) {
  Shard& s = shard(id);
  std::lock_guard<std::mutex> lock(s.mutex);
  auto it = s.map.find(id);
  if (it == s.map.end()) return nullptr;
  (*it)->retain();
  return *it;
}

std::vector<Process*> ProcessTable::snapshot() {
  std::vector<Process*> all;
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (Process* p : s.map) {
      p->retain();
      all.push_back(p);
    }
  }
  return all;
}

bool Registry::add(uint32_t name, uint64_t pid) {
  std::lock_guard<std::mutex> lock(mutex_);
  return names_.emplace(name, pid).second;
}

bool Registry::remove(uint32_t name) {
  std::lock_guard<std::mutex> lock(mutex_);
  return names_.erase(name) != 0;
}

void Registry::remove_if(uint32_t name, uint64_t pid) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = names_.find(name);
  if (it != names_.end() && it->second == pid) names_.erase(it);
}

std::optional<uint64_t> Registry::find(uint32_t name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = names_.find(name);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

}  // namespace lona
