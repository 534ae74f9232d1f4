// The process table: pids that name one process only, slots given back by processes that end
// or never start, and lookups that race exits (also run under ThreadSanitizer).
#include "runtime/process/process_table.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

#include "runtime/process/envelope.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/heap.hpp"

namespace lona {
namespace {

uint64_t slot_of(uint64_t id) { return id & ProcessTable::kSlotMask; }

// A slot freed by an exit comes back (the free slots are a stack) under another pid, and the old
// pid finds nothing, not the new process.
TEST(ProcessTable, APidNamesOneProcessOnly) {
  Runtime& rt = Runtime::get();
  Heap heap(64);
  Process* a = rt.attach_bound(heap);
  uint64_t first = a->id();
  EXPECT_NE(first, 0u);
  Process* found = rt.find(first);
  EXPECT_EQ(found, a);
  found->release();
  rt.detach_bound(a);
  EXPECT_EQ(rt.find(first), nullptr);

  Process* b = rt.attach_bound(heap);
  EXPECT_EQ(slot_of(b->id()), slot_of(first));
  EXPECT_NE(b->id(), first);
  EXPECT_EQ(rt.find(first), nullptr);
  found = rt.find(b->id());
  EXPECT_EQ(found, b);
  found->release();
  rt.detach_bound(b);
}

// A pid handed out for a process that is never started (a spawn refused) finds nothing, and its
// slot is given back with the next serial.
TEST(ProcessTable, APidNeverStartedGivesItsSlotBack) {
  Runtime& rt = Runtime::get();
  size_t live = rt.process_count();
  uint64_t id = rt.next_pid();
  EXPECT_EQ(rt.find(id), nullptr);
  EXPECT_EQ(rt.process_count(), live);
  rt.release_pid(id);
  rt.release_pid(id);  // twice is harmless
  uint64_t again = rt.next_pid();
  EXPECT_EQ(slot_of(again), slot_of(id));
  EXPECT_NE(again, id);
  rt.release_pid(again);
}

// A full table hands out no pid (spawn turns that into :system-limit) until a slot is given
// back; slots come back with the next serial and stay distinct however they are churned.
TEST(ProcessTable, AFullTableHandsOutNoPidUntilASlotIsFree) {
  ProcessTable table(3);
  uint64_t a = table.reserve(), b = table.reserve(), c = table.reserve();
  EXPECT_EQ(std::vector<uint64_t>({slot_of(a), slot_of(b), slot_of(c)}),
            std::vector<uint64_t>({1, 2, 3}));
  EXPECT_EQ(table.reserve(), 0u);
  EXPECT_EQ(table.reserve(), 0u);  // and stays full
  table.unreserve(b);
  uint64_t again = table.reserve();
  EXPECT_EQ(slot_of(again), slot_of(b));
  EXPECT_NE(again, b);
  EXPECT_EQ(table.reserve(), 0u);
  for (int i = 0; i < 1000; ++i) {
    table.unreserve(i % 2 == 0 ? a : c);
    table.unreserve(again);
    uint64_t x = table.reserve(), y = table.reserve();
    ASSERT_NE(x, 0u);
    ASSERT_NE(y, 0u);
    ASSERT_NE(slot_of(x), slot_of(y));
    ASSERT_EQ(table.reserve(), 0u);
    (i % 2 == 0 ? a : c) = x;
    again = y;
  }
  EXPECT_EQ(table.size(), 0u);  // reserved is not live
}

// Pids that were never handed out, or lie beyond every slot made so far, find nothing.
TEST(ProcessTable, PidsNeverHandedOutFindNothing) {
  Runtime& rt = Runtime::get();
  EXPECT_EQ(rt.find(0), nullptr);
  EXPECT_EQ(rt.find(ProcessTable::kSlotMask), nullptr);
  EXPECT_EQ(rt.find(ProcessTable::kSlotMask + 1), nullptr);
  EXPECT_EQ(rt.find(~uint64_t{0}), nullptr);
}

// A process freed after its slot went to another (something still held it when it exited) leaves
// the slot's new owner alone, and the free slots stay distinct.
TEST(ProcessTable, AProcessFreedLateLeavesItsSlotsNewOwnerAlone) {
  Runtime& rt = Runtime::get();
  Heap heap(64);
  Process* a = rt.attach_bound(heap);
  a->retain();  // held past its exit
  uint64_t first = a->id();
  rt.detach_bound(a);
  Process* b = rt.attach_bound(heap);
  ASSERT_EQ(slot_of(b->id()), slot_of(first));
  a->release();  // freed now: its pid's slot is b's
  Process* found = rt.find(b->id());
  EXPECT_EQ(found, b);
  if (found != nullptr) found->release();
  uint64_t next = rt.next_pid();
  EXPECT_NE(slot_of(next), slot_of(b->id()));
  rt.release_pid(next);
  rt.detach_bound(b);
}

// Threads that start and end processes as fast as they can, against a thread that looks up and
// sends to every pid seen so far: a lookup finds the process it names or nothing, a message goes
// to a live process or is dropped (LeakSanitizer checks that none is lost), and the count ends
// where it began.
TEST(ProcessTable, LookupsRaceExits) {
  Runtime& rt = Runtime::get();
  size_t live = rt.process_count();
  constexpr int kRounds = 20000;
  std::array<std::atomic<uint64_t>, 64> seen{};
  std::atomic<bool> done{false};
  std::atomic<int> wrong{0};
  std::atomic<int> found{0}, delivered{0};
  std::vector<std::thread> threads;
  threads.reserve(2);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      Heap heap(64);
      // kRounds at least, and on until the looker has met a live process both ways (within
      // a bound, so that a table that never finds anything fails rather than hangs).
      for (int i = 0;
           i < kRounds || ((found.load() == 0 || delivered.load() == 0) && i < 100 * kRounds);
           ++i) {
        Process* p = rt.attach_bound(heap);
        seen[(i * 2 + t) % seen.size()].store(p->id(), std::memory_order_relaxed);
        rt.detach_bound(p);
      }
    });
  }
  std::thread looker([&] {
    while (!done.load()) {
      for (auto& s : seen) {
        uint64_t id = s.load(std::memory_order_relaxed);
        if (Process* p = rt.find(id)) {
          if (p->id() != id) wrong.fetch_add(1);
          found.fetch_add(1);
          p->release();
        }
        if (rt.send(id, Envelope::make(EnvelopeKind::kMessage, 0, Term::fixnum(1)))) {
          delivered.fetch_add(1);
        }
      }
    }
  });
  for (auto& t : threads) t.join();
  done.store(true);
  looker.join();
  EXPECT_EQ(wrong.load(), 0);
  // Some lookups and sends met a live process (the processes live long enough to be seen).
  EXPECT_GT(found.load(), 0);
  EXPECT_GT(delivered.load(), 0);
  EXPECT_EQ(rt.process_count(), live);
}

}  // namespace
}  // namespace lona
