// runtime/process: the realm's live processes by local pid, and the registry of names.
//
// Sharded so that sends from many workers rarely meet on a lock. A lookup returns the process
// retained (the caller releases it), so a process found here stays valid however soon it exits.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "runtime/process/process.hpp"

namespace lona {

class ProcessTable {
 public:
  void insert(Process* p);
  // False when it was not there.
  bool erase(uint64_t id);
  // The process, retained, or nullptr when there is none (never was, or exited).
  Process* find(uint64_t id);
  size_t size() const { return count_.load(std::memory_order_relaxed); }
  // Every live process, retained (for shutdown and listings).
  std::vector<Process*> snapshot();

 private:
  static constexpr size_t kShards = 64;
  // The processes themselves, hashed and compared by pid (which a process holds as a constant),
  // looked up by pid: a slot is one pointer, not a pid and a pointer.
  struct ById {
    using is_transparent = void;
    static uint64_t id(uint64_t id) { return id; }
    static uint64_t id(const Process* p) { return p->id(); }
    template <typename A>
    size_t operator()(const A& a) const {
      return absl::Hash<uint64_t>()(id(a));
    }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return id(a) == id(b);
    }
  };
  using ProcessSet = absl::flat_hash_set<Process*, ById, ById>;
  struct alignas(64) Shard {
    std::mutex mutex;
    ProcessSet map;  // guarded by mutex
  };
  Shard& shard(uint64_t id) { return shards_[id % kShards]; }
  std::array<Shard, kShards> shards_;
  std::atomic<size_t> count_{0};
};

// Names (symbols, by their intern index) to local pids.
class Registry {
 public:
  // False when the name is taken.
  bool add(uint32_t name, uint64_t pid);
  // Removes the name; false when it was not registered.
  bool remove(uint32_t name);
  // Removes the name only if it still names pid (a process exiting).
  void remove_if(uint32_t name, uint64_t pid);
  std::optional<uint64_t> find(uint32_t name);

 private:
  std::mutex mutex_;
  absl::flat_hash_map<uint32_t, uint64_t> names_;  // guarded by mutex_
};

}  // namespace lona
