#include "runtime/process/process_table.hpp"

#include <algorithm>
#include <cassert>
#include <thread>

#include "runtime/support/cpu_relax.hpp"

namespace lona {

static_assert(alignof(Process) >= 8, "a slot keeps its holds in the low bits of the address");

ProcessTable::~ProcessTable() {
  for (auto& c : chunks_) delete[] c.load(std::memory_order_relaxed);
}

ProcessTable::Slot& ProcessTable::slot_ref(uint64_t slot) {
  std::atomic<Slot*>& c = chunks_[slot >> kChunkBits];
  Slot* chunk = c.load(std::memory_order_acquire);
  if (chunk == nullptr) {
    // Whoever reaches a new chunk first makes it; the others use theirs.
    Slot* made = new Slot[kChunkSlots]();
    if (c.compare_exchange_strong(chunk, made, std::memory_order_acq_rel)) {
      chunk = made;
    } else {
      delete[] made;
    }
  }
  return chunk[slot & (kChunkSlots - 1)];
}

ProcessTable::Hold::Hold(Slot* s) : s_(s) {
  if (s == nullptr) return;
  uint64_t v = s->load(std::memory_order_acquire);
  for (;;) {
    if (v == 0 || (v & (kNotProcess | kClosing)) != 0) return;
    if ((v & kHolds) == kHolds) {  // as many holders as the bits count: wait for one to go
      std::this_thread::yield();
      v = s->load(std::memory_order_acquire);
      continue;
    }
    if (s->compare_exchange_weak(v, v + 1, std::memory_order_acquire)) {
      p_ = process_of(v);
      return;
    }
  }
}

uint64_t ProcessTable::reserve() {
  uint64_t top = free_top_.load(std::memory_order_acquire);
  while (uint64_t slot = top_slot(top)) {
    // The word may be changing under us if another thread takes this slot first; then the count
    // in free_top_ has moved on and the exchange fails.
    Slot& s = *find_slot(slot);
    uint64_t word = s.load(std::memory_order_acquire);
    if (free_top_.compare_exchange_weak(top, changed_top(top, word & kSlotMask),
                                        std::memory_order_acq_rel)) {
      uint64_t id = (((word >> kSerialShift) & kSerialMask) << kSlotBits) | slot;
      s.store(reserved_word(id), std::memory_order_relaxed);
      return id;
    }
  }
  uint64_t slot = high_water_.fetch_add(1, std::memory_order_relaxed);
  if (slot > max_slots_) {
    high_water_.store(max_slots_ + 1, std::memory_order_relaxed);  // stays put; no wrap
    return 0;
  }
  slot_ref(slot).store(reserved_word(slot), std::memory_order_relaxed);
  return slot;
}

void ProcessTable::push_free(uint64_t slot, uint64_t serial) {
  Slot& s = *find_slot(slot);
  uint64_t top = free_top_.load(std::memory_order_relaxed);
  do {
    s.store(kNotProcess | kFree | (serial & kSerialMask) << kSerialShift | top_slot(top),
            std::memory_order_relaxed);
  } while (
      !free_top_.compare_exchange_weak(top, changed_top(top, slot), std::memory_order_acq_rel));
}

void ProcessTable::insert(Process* p) {
  assert((reinterpret_cast<uint64_t>(p) & (kNotProcess | kClosing | kHolds)) == 0);
  find_slot(slot_of(p->id()))->store(reinterpret_cast<uint64_t>(p), std::memory_order_release);
  count_.fetch_add(1, std::memory_order_relaxed);
}

bool ProcessTable::erase(Process& p) {
  Slot* s = find_slot(slot_of(p.id()));
  if (s == nullptr) return false;
  const uint64_t address = reinterpret_cast<uint64_t>(&p);
  // The caller holds a reference to p, so no other process can be at p's address while this
  // runs: the word is p's (with holds, perhaps closing) or p is not in the table. Closing it
  // decides between two erasers (an exit and the shutdown) and turns new lookups away, so that
  // however many senders there are, the holds can only go down from here.
  uint64_t v = s->load(std::memory_order_acquire);
  do {
    if ((v & ~kHolds) != address) return false;  // not p's, or closing already
  } while (!s->compare_exchange_weak(v, v | kClosing, std::memory_order_acq_rel));
  // Then the holders go, and the slot is emptied: marked free at once, so that it is never the
  // reserved word unreserve() looks for, while push_free() links it in.
  const uint64_t closed = address | kClosing;
  uint64_t expected = closed;
  for (unsigned spins = 0; !s->compare_exchange_weak(expected, reserved_word(p.id()) | kFree,
                                                     std::memory_order_acq_rel);
       ++spins) {
    if (spins < 64) {
      cpu_relax();
    } else {
      std::this_thread::yield();  // a holder descheduled: let it run
    }
    expected = closed;
  }
  count_.fetch_sub(1, std::memory_order_relaxed);
  push_free(slot_of(p.id()), serial_of(p.id()) + 1);
  return true;
}

void ProcessTable::unreserve(uint64_t id) {
  Slot* s = find_slot(slot_of(id));
  uint64_t expected = reserved_word(id);
  // Claimed by marking it free first; push_free then writes the whole word. Most processes were
  // started and erased, and their slot belongs to someone else by now: look before writing.
  if (s != nullptr && s->load(std::memory_order_relaxed) == expected &&
      s->compare_exchange_strong(expected, expected | kFree, std::memory_order_acq_rel)) {
    push_free(slot_of(id), serial_of(id) + 1);
  }
}

Process* ProcessTable::find(uint64_t id) {
  Process* found = nullptr;
  with(id, [&](Process& p) {
    p.retain();
    found = &p;
  });
  return found;
}

std::vector<Process*> ProcessTable::snapshot() {
  std::vector<Process*> all;
  uint64_t end = std::min(high_water_.load(std::memory_order_acquire), max_slots_ + 1);
  for (uint64_t slot = 1; slot < end; ++slot) {
    Hold held(find_slot(slot));
    if (Process* p = held.process()) {
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
