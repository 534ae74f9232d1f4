// runtime/sched: the work-stealing deque behind each worker's run queue of runnable processes.
//
// A Chase-Lev deque, the C11 version of Lê, Pop, Cohen and Zappa Nardelli, "Correct and Efficient
// Work-Stealing for Weak Memory Models" (PPoPP 2013), with a growable circular array. The owning
// worker pushes and pops at the bottom (LIFO, so a freshly spawned process runs while its data is
// warm in cache); idle workers steal from the top (FIFO, the oldest work).
//
// Memory orders follow the paper except where it uses a standalone seq_cst fence: ThreadSanitizer
// does not model std::atomic_thread_fence and would report false races, so the fence is replaced by
// making the accesses around it seq_cst (the bottom store and the top load in pop, the top load and
// the bottom load in steal). A single total order over those four accesses gives the same
// store-load ordering the fences give. The array slots are std::atomic<T*> accessed relaxed, as in
// the paper: a thief may read a slot the owner is concurrently rewriting, and then loses the race
// on top, so the read must be atomic but needs no ordering of its own.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace lona {

template <typename T>
class WorkStealingDeque {
 public:
  // An empty deque whose array holds initial_capacity items (rounded up to a power of two, at
  // least 1) before it first grows.
  explicit WorkStealingDeque(size_t initial_capacity = 256)
      : array_(new Array(std::bit_ceil(initial_capacity == 0 ? size_t{1} : initial_capacity))) {}

  WorkStealingDeque(const WorkStealingDeque&) = delete;
  WorkStealingDeque& operator=(const WorkStealingDeque&) = delete;

  // Frees the current array and every retired one; the items themselves are not owned.
  ~WorkStealingDeque() { delete array_.load(std::memory_order_relaxed); }

  // Adds item at the bottom, growing the array when full. Owner thread only.
  void push(T* item) {
    int64_t b = bottom_.load(std::memory_order_relaxed);
    // Acquire: a thief's read of the slot we may be about to reuse happens before its CAS on top.
    int64_t t = top_.load(std::memory_order_acquire);
    Array* a = array_.load(std::memory_order_relaxed);
    if (b - t > a->mask) a = grow(a, t, b);
    a->put(b, item);
    // Release (the paper's release fence): a thief that sees the new bottom sees the slot.
    bottom_.store(b + 1, std::memory_order_release);
  }

  // Takes the most recently pushed item from the bottom; nullptr when empty. Owner thread only.
  T* pop() {
    int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
    Array* a = array_.load(std::memory_order_relaxed);
    // seq_cst store then seq_cst load: stands in for the paper's seq_cst fence between them.
    bottom_.store(b, std::memory_order_seq_cst);
    int64_t t = top_.load(std::memory_order_seq_cst);
    if (t > b) {  // Empty.
      bottom_.store(b + 1, std::memory_order_relaxed);
      return nullptr;
    }
    T* item = a->get(b);
    if (t == b) {  // The last item: race the thieves for it on top.
      if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
        item = nullptr;
      }
      bottom_.store(b + 1, std::memory_order_relaxed);
    }
    return item;
  }

  // Takes the oldest item from the top; nullptr when empty or when another thread won the race
  // for it (the caller may retry). Any thread.
  T* steal() {
    // seq_cst load then seq_cst load: stands in for the paper's seq_cst fence between them.
    int64_t t = top_.load(std::memory_order_seq_cst);
    int64_t b = bottom_.load(std::memory_order_seq_cst);
    if (t >= b) return nullptr;
    // May be an array the owner has since replaced; retired arrays stay alive (see grow).
    Array* a = array_.load(std::memory_order_acquire);
    T* item = a->get(t);
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
      return nullptr;
    }
    return item;
  }

  // The number of items, possibly stale by the time it returns. Any thread.
  size_t size_approx() const {
    int64_t b = bottom_.load(std::memory_order_relaxed);
    int64_t t = top_.load(std::memory_order_relaxed);
    return b > t ? static_cast<size_t>(b - t) : 0;
  }

  // Whether the deque looked empty, possibly stale by the time it returns. Any thread.
  bool empty_approx() const { return size_approx() == 0; }

 private:
  // A circular array of 2^k slots, indexed by the unbounded top/bottom counters modulo its size.
  class Array {
   public:
    explicit Array(size_t capacity)
        : mask(static_cast<int64_t>(capacity) - 1), slots_(new std::atomic<T*>[capacity]) {}

    T* get(int64_t i) const { return slots_[i & mask].load(std::memory_order_relaxed); }
    void put(int64_t i, T* item) { slots_[i & mask].store(item, std::memory_order_relaxed); }

    const int64_t mask;  // capacity - 1

   private:
    std::unique_ptr<std::atomic<T*>[]> slots_;
  };

  // Replaces the full array a with one twice its size holding the items in [t, b). Owner only.
  //
  // The old array is not freed here: a thief that loaded array_ before the switch may still be
  // about to read a slot of it (and then win its CAS on top, so the value must still be there).
  // Retired arrays are kept in retired_ and freed by the destructor. Since each array is twice the
  // previous one, the retired ones together take less memory than the current one.
  Array* grow(Array* a, int64_t t, int64_t b) {
    auto* bigger = new Array(static_cast<size_t>(a->mask + 1) * 2);
    for (int64_t i = t; i < b; ++i) bigger->put(i, a->get(i));
    retired_.emplace_back(a);
    // Release: a thief that loads the new array (acquire) sees the copied slots.
    array_.store(bigger, std::memory_order_release);
    return bigger;
  }

  // top_ is written by thieves and bottom_ by the owner: separate cache lines.
  alignas(64) std::atomic<int64_t> top_{0};
  alignas(64) std::atomic<int64_t> bottom_{0};
  alignas(64) std::atomic<Array*> array_;
  std::vector<std::unique_ptr<Array>> retired_;  // Owner only (and the destructor).
};

}  // namespace lona
