// runtime/process: the realm's live processes by local pid, and the registry of names.
//
// The table is indexed by the pid itself, as BEAM's is: a local pid is a slot number and a
// serial, (serial << kSlotBits) | slot, so finding a process is one array access and a compare,
// with no hashing and no lock shared with other lookups. A slot holds its process's address and,
// in the address's low bits, how many lookups hold it right now; an exit waits for that count to
// fall to zero before it empties the slot, so a process held (or found and retained) stays valid
// however soon it exits, and lookups of one process wait for one another only when more than 7
// hold it at once. Free slots are a lock-free stack; a slot comes back with its serial plus one,
// so an old pid finds nothing: the same local pid would come back only after its slot had been
// reused 2^34 times (the stack is last-in first-out, so a loop that spawns and waits reuses one
// slot: at a million spawns a second, in about five hours).
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

  // A table of at most `max_slots` slots (fewer than kSlotMask only in tests, to fill it).
  explicit ProcessTable(uint64_t max_slots = kSlotMask) : max_slots_(max_slots) {}
  ~ProcessTable();
  ProcessTable(const ProcessTable&) = delete;
  ProcessTable& operator=(const ProcessTable&) = delete;

  // A fresh local pid (never 0), its slot reserved for the process that will carry it; 0 when
  // every slot is taken.
  uint64_t reserve();
  // Fills p's reserved slot: p can be found from here on.
  void insert(Process* p);
  // Empties p's slot, once the lookups that hold it are done; false when p is not in the table
  // (or another thread is erasing it). The caller holds a reference to p.
  bool erase(Process& p);
  // Frees the slot of a pid reserved for a process that never went in (a spawn refused, an
  // actor never started); does nothing otherwise.
  void unreserve(uint64_t id);
  // The process, retained, or nullptr when there is none (never was, or exited).
  Process* find(uint64_t id);
  // Calls f(process) with the process `id` held (alive until f returns, without touching its
  // reference count); false, without calling f, when there is none.
  template <typename F>
  bool with(uint64_t id, F&& f) {
    Hold held(find_slot(slot_of(id)));
    if (held.process() == nullptr || held.process()->id() != id) return false;
    f(*held.process());
    return true;
  }
  size_t size() const { return count_.load(std::memory_order_relaxed); }
  // Every live process, retained (for shutdown and listings).
  std::vector<Process*> snapshot();

 private:
  // A slot's word is 0 (never used), a live process's address with the count of lookups that
  // hold it in the low bits (Process is aligned so that they are free) and kClosing once its
  // exit has begun to empty the slot, or, with kNotProcess set
  // (no user-space address has it), a reserved or a free slot: the serial of the slot's next pid
  // above kSerialShift and, free, kFree and the next free slot below.
  static constexpr uint64_t kHolds = alignof(Process) - 1;
  static constexpr uint64_t kNotProcess = uint64_t{1} << 63;
  static constexpr uint64_t kFree = uint64_t{1} << 62;     // with kNotProcess
  static constexpr uint64_t kClosing = uint64_t{1} << 62;  // on a process's word: it is leaving
  static constexpr int kSerialShift = kSlotBits;           // 34 bits of serial, up to bit 60
  static constexpr uint64_t kSerialMask = (uint64_t{1} << 34) - 1;

  // Slots live in chunks made as the high-water mark reaches them, so a realm of a thousand
  // processes has one chunk, and a chunk never moves (a lookup needs no lock to reach it).
  static constexpr int kChunkBits = 15;
  static constexpr size_t kChunkSlots = size_t{1} << kChunkBits;
  static constexpr size_t kChunks = size_t{1} << (kSlotBits - kChunkBits);
  using Slot = std::atomic<uint64_t>;

  static uint64_t serial_of(uint64_t id) { return id >> kSlotBits; }
  static uint64_t slot_of(uint64_t id) { return id & kSlotMask; }
  static uint64_t reserved_word(uint64_t id) {
    return kNotProcess | (serial_of(id) & kSerialMask) << kSerialShift;
  }
  static Process* process_of(uint64_t v) {
    return reinterpret_cast<Process*>(v & ~(kHolds | kClosing));
  }
  // The slot `slot`, or nullptr when its chunk was never made.
  Slot* find_slot(uint64_t slot) const {
    Slot* chunk = chunks_[slot >> kChunkBits].load(std::memory_order_acquire);
    return chunk == nullptr ? nullptr : &chunk[slot & (kChunkSlots - 1)];
  }
  Slot& slot_ref(uint64_t slot);  // making its chunk if need be
  // A hold on a slot's process, dropped however the holder's scope ends (an exit waits for every
  // hold to go); process() is nullptr when the slot (or a null one) has no process.
  class Hold {
   public:
    explicit Hold(Slot* s);
    ~Hold() {
      if (p_ != nullptr) s_->fetch_sub(1, std::memory_order_release);
    }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    Process* process() const { return p_; }

   private:
    Slot* s_;
    Process* p_ = nullptr;
  };
  // The free stack's top word: the slot on top (0: empty) and, above kSlotBits, a count of
  // changes, so that a pop that raced with a pop and a push of the same slot fails its exchange.
  static uint64_t top_slot(uint64_t top) { return top & kSlotMask; }
  static uint64_t changed_top(uint64_t top, uint64_t slot) {
    return (top & ~kSlotMask) + (kSlotMask + 1) + slot;
  }
  // Puts `slot` on the free stack; its next pid will have `serial`.
  void push_free(uint64_t slot, uint64_t serial);

  std::array<std::atomic<Slot*>, kChunks> chunks_{};
  std::atomic<uint64_t> free_top_{0};    // top_slot() and changed_top()
  std::atomic<uint64_t> high_water_{1};  // the next never-used slot; slot 0 is never used
  std::atomic<size_t> count_{0};
  const uint64_t max_slots_;
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
