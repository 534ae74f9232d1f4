// runtime/process: the realm's live processes by local pid, and the registry of names.
//
// The table is indexed by the pid itself, as BEAM's is: a local pid is a slot number and a
// serial, (serial << kSlotBits) | slot, so finding a process is one array access and a compare,
// with no hashing and no lock shared with other lookups. A slot holds its process's address; a
// lookup sets the slot's low bit while it retains the process, which keeps the process in the
// slot (an exit waits out that bit before it empties it), so a process found here stays valid
// however soon it exits. Free slots are a lock-free stack; a slot comes back with its serial
// plus one, so a pid names one process only: the same local pid would come back only after its
// slot had been reused 2^34 times.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "runtime/process/process.hpp"

namespace lona {

class ProcessTable {
 public:
  // Slots, and so live processes at most: 2^27 - 1 (as BEAM's maximum, 134 million).
  static constexpr int kSlotBits = 27;
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;

  ProcessTable() = default;
  ~ProcessTable();
  ProcessTable(const ProcessTable&) = delete;
  ProcessTable& operator=(const ProcessTable&) = delete;

  // A fresh local pid (never 0), its slot reserved for the process that will carry it; 0 when
  // every slot is taken.
  uint64_t reserve();
  // Fills p's reserved slot: p can be found from here on.
  void insert(Process* p);
  // Empties the slot of the live process `id`; false when it was not there.
  bool erase(uint64_t id);
  // Frees the slot of a pid reserved for a process that never went in (a spawn refused, an
  // actor never started); does nothing otherwise.
  void unreserve(uint64_t id);
  // The process, retained, or nullptr when there is none (never was, or exited).
  Process* find(uint64_t id);
  size_t size() const { return count_.load(std::memory_order_relaxed); }
  // Every live process, retained (for shutdown and listings).
  std::vector<Process*> snapshot();

 private:
  // A slot's word: a live process's address (aligned, so the low bits are free), with kLocked
  // while a lookup holds it; or a reserved or free slot, tagged, with the serial of the slot's
  // next pid above kSerialShift (and, free, the next free slot).
  static constexpr uint64_t kLocked = 1;
  static constexpr uint64_t kReserved = 2;
  static constexpr uint64_t kFree = 4;
  static constexpr uint64_t kTags = 7;
  static constexpr int kNextShift = 3;
  static constexpr int kSerialShift = kNextShift + kSlotBits;  // 30: 34 bits of serial
  static constexpr uint64_t kSerialMask = (uint64_t{1} << (64 - kSerialShift)) - 1;

  // Slots live in chunks made as the high-water mark reaches them, so a realm of a thousand
  // processes has one chunk, and a chunk never moves (a lookup needs no lock to reach it).
  static constexpr int kChunkBits = 15;
  static constexpr size_t kChunkSlots = size_t{1} << kChunkBits;
  static constexpr size_t kChunks = size_t{1} << (kSlotBits - kChunkBits);
  using Slot = std::atomic<uint64_t>;

  static uint64_t serial_of(uint64_t id) { return id >> kSlotBits; }
  static uint64_t slot_of(uint64_t id) { return id & kSlotMask; }
  static uint64_t reserved_word(uint64_t id) { return (serial_of(id) << kSerialShift) | kReserved; }
  // The slot `slot` (which must lie below the high-water mark), or nullptr.
  Slot* find_slot(uint64_t slot) const;
  Slot& slot_ref(uint64_t slot);  // making its chunk if need be
  // Puts `slot` on the free stack; its next pid will have `serial`.
  void push_free(uint64_t slot, uint64_t serial);
  // Holds the slot's process (sets kLocked, waiting out another holder) and returns the slot's
  // word as it was; 0, holding nothing, when the slot has no process. The holder ends it by
  // storing a word back.
  static uint64_t lock_process(Slot& s);

  std::array<std::atomic<Slot*>, kChunks> chunks_{};
  // The free stack's top slot (low 32 bits, 0: empty) and a count of changes (high 32 bits),
  // so that a pop that raced with a pop and a push of the same slot fails its exchange.
  std::atomic<uint64_t> free_top_{0};
  std::atomic<uint64_t> high_water_{1};  // the next never-used slot; slot 0 is never used
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
