// Tests for runtime/sched/work_stealing_deque: LIFO pop and FIFO steal order, empty results,
// growth past the initial capacity, interleaved operations against a reference model, and
// concurrent runs (an owner pushing and popping while thieves steal, with and without growth)
// where every item must be taken exactly once.
#include "runtime/sched/work_stealing_deque.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <thread>
#include <vector>

namespace lona {
namespace {

// Items are ints in a vector; an item's identity is its index.
std::vector<int> make_items(size_t n) {
  std::vector<int> items(n);
  for (size_t i = 0; i < n; ++i) items[i] = static_cast<int>(i);
  return items;
}

TEST(WorkStealingDequeTest, PopIsLifo) {
  std::vector<int> items = make_items(5);
  WorkStealingDeque<int> dq;
  for (int& item : items) dq.push(&item);
  EXPECT_EQ(dq.size_approx(), 5u);
  for (int i = 4; i >= 0; --i) EXPECT_EQ(dq.pop(), &items[i]);
  EXPECT_EQ(dq.pop(), nullptr);
  EXPECT_TRUE(dq.empty_approx());
}

TEST(WorkStealingDequeTest, StealIsFifo) {
  std::vector<int> items = make_items(5);
  WorkStealingDeque<int> dq;
  for (int& item : items) dq.push(&item);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(dq.steal(), &items[i]);
  EXPECT_EQ(dq.steal(), nullptr);
  EXPECT_TRUE(dq.empty_approx());
}

TEST(WorkStealingDequeTest, PopAndStealTakeOppositeEnds) {
  std::vector<int> items = make_items(4);
  WorkStealingDeque<int> dq;
  for (int& item : items) dq.push(&item);
  EXPECT_EQ(dq.steal(), &items[0]);
  EXPECT_EQ(dq.pop(), &items[3]);
  EXPECT_EQ(dq.steal(), &items[1]);
  EXPECT_EQ(dq.pop(), &items[2]);
  EXPECT_EQ(dq.pop(), nullptr);
  EXPECT_EQ(dq.steal(), nullptr);
}

TEST(WorkStealingDequeTest, EmptyPopAndStealGiveNull) {
  WorkStealingDeque<int> dq;
  EXPECT_TRUE(dq.empty_approx());
  EXPECT_EQ(dq.size_approx(), 0u);
  EXPECT_EQ(dq.pop(), nullptr);
  EXPECT_EQ(dq.steal(), nullptr);
  // Popping an empty deque must leave it consistent: still empty, and usable afterwards.
  EXPECT_EQ(dq.pop(), nullptr);
  EXPECT_EQ(dq.size_approx(), 0u);
  int x = 7;
  dq.push(&x);
  EXPECT_FALSE(dq.empty_approx());
  EXPECT_EQ(dq.size_approx(), 1u);
  EXPECT_EQ(dq.pop(), &x);
  EXPECT_EQ(dq.pop(), nullptr);
  EXPECT_EQ(dq.steal(), nullptr);
  dq.push(&x);
  EXPECT_EQ(dq.steal(), &x);
  EXPECT_EQ(dq.steal(), nullptr);
  EXPECT_EQ(dq.pop(), nullptr);
  EXPECT_TRUE(dq.empty_approx());
}

TEST(WorkStealingDequeTest, GrowthKeepsEveryItem) {
  constexpr size_t kN = 10000;
  std::vector<int> items = make_items(kN);
  WorkStealingDeque<int> dq(2);
  for (int& item : items) dq.push(&item);
  EXPECT_EQ(dq.size_approx(), kN);
  std::vector<int> seen(kN, 0);
  size_t popped = 0;
  while (int* p = dq.pop()) {
    ASSERT_LT(popped, kN) << "more items popped than pushed";
    ASSERT_GE(p, items.data());
    ASSERT_LT(p, items.data() + kN);
    // LIFO: the items come back in reverse push order.
    EXPECT_EQ(p, &items[kN - 1 - popped]);
    ++seen[p - items.data()];
    ++popped;
  }
  EXPECT_EQ(popped, kN);
  for (size_t i = 0; i < kN; ++i) ASSERT_EQ(seen[i], 1) << "item " << i;
  EXPECT_TRUE(dq.empty_approx());
}

TEST(WorkStealingDequeTest, GrowthAfterStealsKeepsOrder) {
  // Steals move top forward, so the live range wraps around the array before it grows.
  constexpr size_t kN = 1000;
  std::vector<int> items = make_items(kN);
  WorkStealingDeque<int> dq(4);
  size_t next_push = 0;
  size_t next_steal = 0;
  while (next_push < kN) {
    for (int k = 0; k < 7 && next_push < kN; ++k) dq.push(&items[next_push++]);
    for (int k = 0; k < 3; ++k) ASSERT_EQ(dq.steal(), &items[next_steal++]);
  }
  while (int* p = dq.steal()) {
    ASSERT_LT(next_steal, kN) << "more items stolen than pushed";
    ASSERT_EQ(p, &items[next_steal++]);
  }
  EXPECT_EQ(next_steal, kN);
  EXPECT_EQ(dq.pop(), nullptr);
}

TEST(WorkStealingDequeTest, ZeroAndNonPowerOfTwoCapacities) {
  for (size_t capacity : {0, 1, 3, 5, 100}) {
    std::vector<int> items = make_items(300);
    WorkStealingDeque<int> dq(capacity);
    for (int& item : items) dq.push(&item);
    EXPECT_EQ(dq.size_approx(), items.size()) << "capacity " << capacity;
    for (size_t i = 0; i < items.size(); ++i) {
      ASSERT_EQ(dq.steal(), &items[i]) << "capacity " << capacity;
    }
    EXPECT_EQ(dq.steal(), nullptr);
  }
}

TEST(WorkStealingDequeTest, InterleavedPushPopStealMatchesModel) {
  constexpr size_t kN = 20000;
  std::vector<int> items = make_items(kN);
  WorkStealingDeque<int> dq(2);
  std::deque<int*> model;
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> op(0, 9);
  size_t next = 0;
  size_t steps = 0;
  while (next < kN || !model.empty()) {
    int r = op(rng);
    if (r < 5 && next < kN) {  // Push slightly more often than take, so the deque grows.
      dq.push(&items[next]);
      model.push_back(&items[next]);
      ++next;
    } else if (r < 8) {
      int* expected = model.empty() ? nullptr : model.back();
      if (!model.empty()) model.pop_back();
      ASSERT_EQ(dq.pop(), expected) << "step " << steps;
    } else {
      int* expected = model.empty() ? nullptr : model.front();
      if (!model.empty()) model.pop_front();
      ASSERT_EQ(dq.steal(), expected) << "step " << steps;
    }
    ASSERT_EQ(dq.size_approx(), model.size()) << "step " << steps;
    ++steps;
  }
  EXPECT_EQ(dq.pop(), nullptr);
  EXPECT_EQ(dq.steal(), nullptr);
}

// The owner pushes n items into a deque of the given initial capacity, popping one after every
// pop_every pushes (after spinning up to max_pop_delay polls of the deque, giving thieves a window
// to race it), then pops until every item is taken; kThieves threads steal all along. The
// owner writes each item just before pushing it and takers read it back, so ThreadSanitizer checks
// that the deque publishes an item's contents to whoever takes it. Returns how many the thieves
// took; every item must be taken exactly once.
size_t run_concurrent(size_t n, size_t initial_capacity, size_t pop_every,
                      size_t max_pop_delay = 0) {
  constexpr int kThieves = 3;
  std::vector<int> items(n, -1);
  std::vector<std::atomic<int>> taken_count(n);
  std::atomic<size_t> taken{0};
  std::atomic<size_t> stolen{0};
  std::atomic<int> bad_values{0};
  std::atomic<int> running{0};
  WorkStealingDeque<int> dq(initial_capacity);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);

  auto take = [&](int* p) {
    size_t index = static_cast<size_t>(p - items.data());
    if (index >= n || *p != static_cast<int>(index)) {
      bad_values.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    taken_count[index].fetch_add(1, std::memory_order_relaxed);
    taken.fetch_add(1, std::memory_order_relaxed);
  };

  std::vector<std::thread> thieves;
  thieves.reserve(kThieves);
  for (int i = 0; i < kThieves; ++i) {
    thieves.emplace_back([&] {
      running.fetch_add(1, std::memory_order_relaxed);
      size_t misses = 0;
      while (taken.load(std::memory_order_relaxed) < n &&
             std::chrono::steady_clock::now() < deadline) {
        if (int* p = dq.steal()) {
          take(p);
          stolen.fetch_add(1, std::memory_order_relaxed);
        } else if (++misses % 64 == 0) {
          std::this_thread::yield();
        }
      }
    });
  }

  // Start only once every thief is running, or a fast owner is done before they start.
  while (running.load(std::memory_order_relaxed) < kThieves) std::this_thread::yield();
  for (size_t i = 0; i < n; ++i) {
    items[i] = static_cast<int>(i);
    dq.push(&items[i]);
    if (pop_every != 0 && i % pop_every == pop_every - 1) {
      size_t delay = max_pop_delay == 0 ? 0 : i % (max_pop_delay + 1);
      for (size_t k = 0; k < delay && !dq.empty_approx();) ++k;  // Atomic loads: not elided.
      if (int* p = dq.pop()) take(p);
    }
  }
  while (taken.load(std::memory_order_relaxed) < n && std::chrono::steady_clock::now() < deadline) {
    if (int* p = dq.pop()) {
      take(p);
    } else {
      std::this_thread::yield();
    }
  }
  for (std::thread& t : thieves) t.join();

  EXPECT_EQ(bad_values.load(), 0);
  EXPECT_EQ(taken.load(), n) << "items lost (or the run timed out)";
  size_t wrong = 0;
  for (size_t i = 0; i < n; ++i) {
    int c = taken_count[i].load();
    if (c != 1 && wrong++ < 10) ADD_FAILURE() << "item " << i << " taken " << c << " times";
  }
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(dq.pop(), nullptr);
  EXPECT_EQ(dq.steal(), nullptr);
  EXPECT_TRUE(dq.empty_approx());
  return stolen.load();
}

TEST(WorkStealingDequeTest, ConcurrentOwnerAndThievesTakeEachItemOnce) {
  size_t stolen = run_concurrent(200000, 256, 3);
  RecordProperty("stolen", static_cast<int>(stolen));
}

TEST(WorkStealingDequeTest, ConcurrentGrowthWhileThievesSteal) {
  // Capacity 2 and few pops: the array grows many times while thieves are reading it.
  size_t stolen = run_concurrent(200000, 2, 16);
  RecordProperty("stolen", static_cast<int>(stolen));
}

TEST(WorkStealingDequeTest, ConcurrentRaceForTheLastItem) {
  // The owner pops right after each push, so pop and steal keep racing for a single item (the
  // CAS on top in both).
  size_t stolen = run_concurrent(100000, 256, 1, 256);
  RecordProperty("stolen", static_cast<int>(stolen));
}

}  // namespace
}  // namespace lona
