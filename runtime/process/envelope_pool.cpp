#include "runtime/process/envelope_pool.hpp"

#include <atomic>
#include <new>

#include "runtime/memory/block_pool.hpp"

namespace lona {
namespace {

// Off under AddressSanitizer, as the block pools are.
constexpr bool kPooling = memory::BlockPool::kPooling;

struct FreeBlock {
  FreeBlock* next;
};

struct Pool {
  FreeBlock* local[EnvelopePool::kClasses] = {};
  size_t local_count[EnvelopePool::kClasses] = {};
  std::atomic<FreeBlock*> remote[EnvelopePool::kClasses] = {};
};

// Pool i is pools[i - 1]; tag 0 means operator new. Pools are never destroyed.
std::atomic<Pool*> pools[EnvelopePool::kMaxPools];
std::atomic<uint16_t> pool_count{0};
thread_local Pool* tl_pool = nullptr;
thread_local uint16_t tl_pool_index = 0;

// A tag: the pool's number times 16 plus the size class (1-based).
uint16_t make_tag(uint16_t pool, size_t cls) { return static_cast<uint16_t>(pool * 16 + cls + 1); }

// Blocks this thread freed that belong to another thread's pool, not handed back yet: one chain,
// for one pool and class at a time. A receiver frees every envelope its senders allocated; giving
// each back alone was a compare-and-swap per message on a word the sender's worker takes from,
// which in a fan-in bounced between the cores with every message. The chain goes back in one
// when it holds kReturnBatch blocks, when a block of another pool or class comes, when the worker
// is about to park (flush_thread) and when the thread ends.
constexpr size_t kReturnBatch = 32;

struct PendingReturn {
  Pool* pool = nullptr;
  size_t cls = 0;
  FreeBlock* head = nullptr;
  FreeBlock* tail = nullptr;
  size_t count = 0;

  void hand_back() {
    if (count == 0) return;
    std::atomic<FreeBlock*>& list = pool->remote[cls];
    FreeBlock* top = list.load(std::memory_order_relaxed);
    do {
      tail->next = top;
    } while (!list.compare_exchange_weak(top, head, std::memory_order_release,
                                         std::memory_order_relaxed));
    *this = {};
  }
  ~PendingReturn() { hand_back(); }  // pools are never destroyed: this is safe at any exit
};
thread_local PendingReturn tl_pending;

// Puts b on the thread's own list of class cls, or frees it when the list is full.
void keep_or_free(Pool& pool, size_t cls, FreeBlock* b) {
  if (pool.local_count[cls] >= EnvelopePool::kMaxCached) {
    ::operator delete(b);
    return;
  }
  b->next = pool.local[cls];
  pool.local[cls] = b;
  ++pool.local_count[cls];
}

}  // namespace

void EnvelopePool::attach_thread() {
  if (!kPooling || tl_pool != nullptr) return;
  uint16_t index = pool_count.fetch_add(1) + 1;
  if (index > kMaxPools) return;  // more threads than pools: the rest use operator new
  auto* pool = new Pool;
  pools[index - 1].store(pool, std::memory_order_release);
  tl_pool = pool;
  tl_pool_index = index;
}

void* EnvelopePool::allocate(size_t bytes, uint16_t* tag) {
  Pool* pool = tl_pool;
  if (pool == nullptr || bytes > kMaxPooledBytes) {
    *tag = 0;
    return ::operator new(bytes);
  }
  size_t cls = (bytes - 1) / kClassBytes;
  *tag = make_tag(tl_pool_index, cls);
  FreeBlock* b = pool->local[cls];
  if (b == nullptr) {
    // What other threads freed, all at once.
    b = pool->remote[cls].exchange(nullptr, std::memory_order_acquire);
    while (b != nullptr) {
      FreeBlock* next = b->next;
      keep_or_free(*pool, cls, b);
      b = next;
    }
    b = pool->local[cls];
    if (b == nullptr) return ::operator new((cls + 1) * kClassBytes);
  }
  pool->local[cls] = b->next;
  --pool->local_count[cls];
  return b;
}

void EnvelopePool::release(void* p, uint16_t tag) {
  if (tag == 0) {
    ::operator delete(p);
    return;
  }
  uint16_t index = tag / 16;
  size_t cls = (tag % 16) - 1;
  Pool* pool = pools[index - 1].load(std::memory_order_acquire);
  auto* b = static_cast<FreeBlock*>(p);
  if (pool == tl_pool) {
    keep_or_free(*pool, cls, b);
    return;
  }
  PendingReturn& r = tl_pending;
  if (r.count != 0 && (r.pool != pool || r.cls != cls)) r.hand_back();
  b->next = r.head;
  r.head = b;
  if (r.count == 0) r.tail = b;
  r.pool = pool;
  r.cls = cls;
  if (++r.count == kReturnBatch) r.hand_back();
}

void EnvelopePool::flush_thread() { tl_pending.hand_back(); }

}  // namespace lona
