#include "runtime/memory/block_pool.hpp"

#include <atomic>
#include <bit>
#include <new>
#include <utility>

#include "runtime/memory/chunk_source.hpp"
#include "runtime/support/cpu_relax.hpp"

namespace lona::memory {
namespace {

constexpr size_t kPageBytes = size_t{1} << 16;
constexpr size_t kPagesPerChunk = kChunkBytes / kPageBytes;
constexpr uint32_t kAllPages = (uint32_t{1} << kPagesPerChunk) - 1;
// The chunk's header takes the start of its first page.
constexpr size_t kHeaderBytes = 1024;

// Size classes: 16-byte steps up to 1 KiB (a process object and a first heap block are each one
// step from their exact size), then eight steps per doubling up to kMaxBlockBytes.
constexpr size_t kSmallClasses = 64;
constexpr size_t kClasses = kSmallClasses + 8 * 4;
static_assert(BlockPool::kMaxBlockBytes == size_t{1024} << 4);

size_t class_of(size_t bytes) {
  if (bytes <= 1024) return bytes == 0 ? 0 : (bytes - 1) / 16;
  const unsigned k = std::bit_width(bytes - 1) - 1;  // 2^k < bytes <= 2^(k+1)
  const size_t step = size_t{1} << (k - 3);
  return kSmallClasses + (k - 10) * 8 + (bytes - 1 - (size_t{1} << k)) / step;
}

size_t class_bytes(size_t cls) {
  if (cls < kSmallClasses) return (cls + 1) * 16;
  const size_t k = 10 + (cls - kSmallClasses) / 8;
  return (size_t{1} << k) + ((cls - kSmallClasses) % 8 + 1) * (size_t{1} << (k - 3));
}

struct FreeBlock {
  FreeBlock* next;
};

struct Arena;

// A page's blocks: the ones freed (a list through the blocks), then those never handed out yet,
// from `bump` on. A page with room is on its arena's list for its class; a full one is on none.
struct Page {
  FreeBlock* free = nullptr;
  char* bump = nullptr;
  Page* prev = nullptr;
  Page* next = nullptr;
  uint32_t used = 0;
  uint32_t capacity = 0;
  uint32_t block_bytes = 0;
  uint32_t cls = 0;
};

struct Chunk {
  Arena* arena;
  ChunkSource* source;
  Chunk* prev = nullptr;  // on its arena's list while it has a free page
  Chunk* next = nullptr;
  uint32_t free_pages = kAllPages;  // bit i: page i holds no blocks
  uint32_t dirty_pages = 0;         // free pages whose memory has not been decommitted
  Page pages[kPagesPerChunk];

  Chunk(Arena* a, ChunkSource* s) : arena(a), source(s) {}
  char* page_start(size_t i) {
    return reinterpret_cast<char*>(this) + i * kPageBytes + (i == 0 ? kHeaderBytes : 0);
  }
};
static_assert(sizeof(Chunk) <= kHeaderBytes);

Chunk* chunk_of(const void* p) {
  return reinterpret_cast<Chunk*>(reinterpret_cast<uintptr_t>(p) & ~(kChunkBytes - 1));
}

std::atomic<size_t> chunks_acquired{0};
std::atomic<size_t> chunks_released{0};

// Decommitting a page costs a system call and a page fault per 4 KiB when it is used again, so a
// worker about to park does it only once this many pages are free.
constexpr size_t kDecommitAfterPages = 16;

struct Arena {
  // What other threads touch, on a cache line of its own: the holder's bookkeeping below
  // changes with every block.
  // Who holds the arena: the only thread that touches its pages and chunks.
  alignas(64) std::atomic<bool> held{true};
  std::atomic<bool> attached{false};  // to a thread, until it ends
  // Blocks other threads freed, for the holder to take back.
  std::atomic<FreeBlock*> handed_back{nullptr};
  Arena* next_arena = nullptr;  // in the list of all arenas, which only grows

  // Written by the holder only; read by stats().
  alignas(64) std::atomic<size_t> in_use{0};

  Page* with_room[kClasses] = {};
  Chunk* with_free_pages = nullptr;  // a full chunk is on no list: nothing looks for it
  Chunk* spare = nullptr;            // an empty chunk kept for the next burst
  size_t dirty_pages = 0;
  bool kept_empty = false;  // some class keeps an empty page (free_local)

  void* allocate(size_t cls) {
    Page* pg = with_room[cls];
    if (pg == nullptr) [[unlikely]] {
      pg = fresh_page(cls);
      if (pg == nullptr) return nullptr;
    }
    void* b;
    if (pg->free != nullptr) {
      b = pg->free;
      pg->free = pg->free->next;
    } else {
      b = pg->bump;
      pg->bump += pg->block_bytes;
    }
    if (++pg->used == pg->capacity) unlist(pg);
    in_use.store(in_use.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return b;
  }

  void free_local(void* p) {
    Chunk* c = chunk_of(p);
    Page* pg = &c->pages[(static_cast<char*>(p) - reinterpret_cast<char*>(c)) / kPageBytes];
    auto* b = static_cast<FreeBlock*>(p);
    b->next = pg->free;
    pg->free = b;
    in_use.store(in_use.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    if (pg->used-- == pg->capacity) list_first(pg);  // it has room again
    if (pg->used != 0) return;
    // An empty page goes back to its chunk, unless it is the only one of its class with room:
    // a process that spawns and ends in a loop would take and give back a page every time. The
    // page kept stays first on its list (list_first), and goes back when the thread blocks.
    if (with_room[pg->cls] != pg || pg->next != nullptr) {
      retire(c, pg);
    } else {
      kept_empty = true;
    }
  }

  // The pages kept empty go back to their chunks (a thread about to block).
  void retire_kept_pages() {
    if (!kept_empty) return;
    kept_empty = false;
    for (Page* pg : with_room) {
      if (pg != nullptr && pg->used == 0) retire(chunk_of(pg), pg);
    }
  }

  void take_back_handed() {
    FreeBlock* b = handed_back.exchange(nullptr, std::memory_order_acquire);
    while (b != nullptr) {
      FreeBlock* next = b->next;
      free_local(b);
      b = next;
    }
  }

  // Puts a page first on its class's list, but after an empty page kept there.
  void list_first(Page* pg) {
    Page* head = with_room[pg->cls];
    if (head != nullptr && head->used == 0) {
      pg->prev = head;
      pg->next = head->next;
      if (pg->next != nullptr) pg->next->prev = pg;
      head->next = pg;
      return;
    }
    pg->prev = nullptr;
    pg->next = head;
    if (head != nullptr) head->prev = pg;
    with_room[pg->cls] = pg;
  }

  void unlist(Page* pg) {
    if (pg->prev != nullptr) {
      pg->prev->next = pg->next;
    } else {
      with_room[pg->cls] = pg->next;
    }
    if (pg->next != nullptr) pg->next->prev = pg->prev;
    pg->prev = pg->next = nullptr;
  }

  Page* fresh_page(size_t cls) {
    take_back_handed();  // what others freed may give the class room again
    if (with_room[cls] != nullptr) return with_room[cls];
    Chunk* c = with_free_pages;
    if (c == nullptr) {
      c = spare != nullptr ? std::exchange(spare, nullptr) : new_chunk();
      if (c == nullptr) return nullptr;
      link_chunk(c);
    }
    const auto i = static_cast<size_t>(std::countr_zero(c->free_pages));
    const uint32_t bit = uint32_t{1} << i;
    c->free_pages &= ~bit;
    if ((c->dirty_pages & bit) != 0) {
      c->dirty_pages &= ~bit;
      --dirty_pages;
    }
    if (c->free_pages == 0) unlink_chunk(c);
    Page* pg = &c->pages[i];
    const size_t bytes = (i == 0 ? kPageBytes - kHeaderBytes : kPageBytes);
    *pg = Page{};
    pg->bump = c->page_start(i);
    pg->block_bytes = static_cast<uint32_t>(class_bytes(cls));
    pg->capacity = static_cast<uint32_t>(bytes / pg->block_bytes);
    pg->cls = static_cast<uint32_t>(cls);
    list_first(pg);
    return pg;
  }

  void retire(Chunk* c, Page* pg) {
    unlist(pg);
    const uint32_t bit = uint32_t{1} << (pg - c->pages);
    if (c->free_pages == 0) link_chunk(c);  // it has a free page again
    c->free_pages |= bit;
    if (c->free_pages == kAllPages) {
      dirty_pages -= static_cast<size_t>(std::popcount(c->dirty_pages));
      unlink_chunk(c);
      release_chunk(c);
      return;
    }
    c->dirty_pages |= bit;
    ++dirty_pages;
  }

  Chunk* new_chunk() {
    ChunkSource& source = chunk_source();
    void* memory = source.acquire();
    if (memory == nullptr) return nullptr;
    chunks_acquired.fetch_add(1, std::memory_order_release);
    return new (memory) Chunk(this, &source);
  }

  void release_chunk(Chunk* c) {
    c->dirty_pages = 0;
    if (spare == nullptr) {
      spare = c;
      return;
    }
    c->source->release(c);
    chunks_released.fetch_add(1, std::memory_order_release);
  }

  // Free pages in chunks still in use go back to the OS (empty chunks went back whole).
  void decommit_free_pages() {
    for (Chunk* c = with_free_pages; c != nullptr; c = c->next) {
      for (uint32_t d = c->dirty_pages; d != 0; d &= d - 1) {
        const auto i = static_cast<size_t>(std::countr_zero(d));
        c->source->decommit(c->page_start(i), i == 0 ? kPageBytes - kHeaderBytes : kPageBytes);
      }
      c->dirty_pages = 0;
    }
    dirty_pages = 0;
  }

  void link_chunk(Chunk* c) {
    c->prev = nullptr;
    c->next = with_free_pages;
    if (with_free_pages != nullptr) with_free_pages->prev = c;
    with_free_pages = c;
  }
  void unlink_chunk(Chunk* c) {
    (c->prev != nullptr ? c->prev->next : with_free_pages) = c->next;
    if (c->next != nullptr) c->next->prev = c->prev;
    c->prev = c->next = nullptr;
  }

  // Before its thread blocks or ends: what the thread keeps goes back to where it belongs, and
  // past a few free pages their memory goes back to the OS.
  void settle();
};

std::atomic<Arena*> all_arenas{nullptr};

bool try_hold(Arena* a) {
  return !a->held.load(std::memory_order_relaxed) &&
         !a->held.exchange(true, std::memory_order_seq_cst);
}

// Lets go of an arena. A thread that handed blocks back while this one held it found it held and
// left them: after letting go, the list is looked at again (both sides are sequentially
// consistent, so at least one of them sees the other), and taken back if nobody took the arena
// meanwhile.
void let_go(Arena* a) {
  for (;;) {
    a->held.store(false, std::memory_order_seq_cst);
    if (a->handed_back.load(std::memory_order_seq_cst) == nullptr) return;
    if (!try_hold(a)) return;  // the new holder has them now
    a->take_back_handed();
  }
}

void hand_back(Arena* a, FreeBlock* head, FreeBlock* tail) {
  FreeBlock* top = a->handed_back.load(std::memory_order_relaxed);
  do {
    tail->next = top;
  } while (!a->handed_back.compare_exchange_weak(top, head, std::memory_order_seq_cst,
                                                 std::memory_order_relaxed));
  if (try_hold(a)) {  // nobody holds it (a parked worker's, an ended thread's): free them now
    a->take_back_handed();
    let_go(a);
  }
}

Arena* new_arena() {
  auto* a = new Arena;  // held by its maker; arenas are never destroyed
  Arena* top = all_arenas.load(std::memory_order_relaxed);
  do {
    a->next_arena = top;
  } while (!all_arenas.compare_exchange_weak(top, a, std::memory_order_release,
                                             std::memory_order_relaxed));
  return a;
}

// The arena of the thread that ended last: the next thread to attach takes it first, warm.
std::atomic<Arena*> last_detached{nullptr};

// An arena no thread is attached to, taken by the calling thread; a new one when there is none.
Arena* hold_unattached() {
  if (Arena* a = last_detached.exchange(nullptr, std::memory_order_acquire);
      a != nullptr && try_hold(a)) {
    if (!a->attached.load(std::memory_order_relaxed)) return a;
    let_go(a);
  }
  for (Arena* a = all_arenas.load(std::memory_order_acquire); a != nullptr; a = a->next_arena) {
    if (a->attached.load(std::memory_order_relaxed) || !try_hold(a)) continue;
    if (!a->attached.load(std::memory_order_relaxed)) return a;
    let_go(a);
  }
  return new_arena();
}

thread_local Arena* tl_arena = nullptr;  // the thread's own, held while it is not parked

// Blocks of other arenas that a worker freed, not handed back yet: one chain for one arena at a
// time. A receiver frees what its senders allocated; handing back each block alone would be a
// compare-and-swap per block on a word the other worker takes from.
constexpr size_t kHandBackBatch = 32;

struct PendingHandBack {
  Arena* arena = nullptr;
  FreeBlock* head = nullptr;
  FreeBlock* tail = nullptr;
  size_t count = 0;

  void flush() {
    if (count == 0) return;
    hand_back(arena, head, tail);
    *this = {};
  }
};
thread_local PendingHandBack tl_pending;  // flushed by detach_thread() at the latest

// A thread that allocates without having attached (the REPL's, a bound process's, a test's)
// attaches at its first allocation, and detaches when it ends.
struct AttachedUntilThreadEnds {
  AttachedUntilThreadEnds() { BlockPool::attach_thread(); }
  ~AttachedUntilThreadEnds() { BlockPool::detach_thread(); }
};

Arena* attach_for_thread_life() {
  thread_local AttachedUntilThreadEnds attached;
  return tl_arena;
}

void Arena::settle() {
  tl_pending.flush();
  take_back_handed();
  retire_kept_pages();
  if (dirty_pages >= kDecommitAfterPages) decommit_free_pages();
}

}  // namespace

void* BlockPool::allocate(size_t bytes) {
  if (!kPooling || bytes > kMaxBlockBytes) return ::operator new(bytes);
  const size_t cls = class_of(bytes);
  Arena* own = tl_arena;
  if (own == nullptr) [[unlikely]]
    own = attach_for_thread_life();
  void* b = own->allocate(cls);
  if (b == nullptr) throw std::bad_alloc();
  return b;
}

void BlockPool::release(void* p, size_t bytes) {
  if (!kPooling || bytes > kMaxBlockBytes) {
    ::operator delete(p);
    return;
  }
  Arena* owner = chunk_of(p)->arena;
  auto* b = static_cast<FreeBlock*>(p);
  if (owner == tl_arena) {
    owner->free_local(p);
  } else if (tl_arena != nullptr) {
    PendingHandBack& r = tl_pending;
    if (r.count != 0 && r.arena != owner) r.flush();
    b->next = r.head;
    r.head = b;
    if (r.count == 0) r.tail = b;
    r.arena = owner;
    if (++r.count == kHandBackBatch) r.flush();
  } else {  // a thread that never allocated (a timer's, an ended one's)
    hand_back(owner, b, b);
  }
}

void BlockPool::attach_thread() {
  if (!kPooling || tl_arena != nullptr) return;
  Arena* a = hold_unattached();
  a->attached.store(true, std::memory_order_relaxed);
  tl_arena = a;
}

void BlockPool::detach_thread() {
  Arena* a = tl_arena;
  if (a == nullptr) return;
  a->settle();
  tl_arena = nullptr;
  a->attached.store(false, std::memory_order_relaxed);
  let_go(a);
  last_detached.store(a, std::memory_order_release);
}

void BlockPool::before_park() {
  Arena* a = tl_arena;
  if (a == nullptr) return;
  a->settle();
  let_go(a);
}

void BlockPool::take_back() {
  Arena* a = tl_arena;
  if (a == nullptr) return;
  tl_pending.flush();
  if (a->handed_back.load(std::memory_order_relaxed) != nullptr) a->take_back_handed();
}

void BlockPool::after_park() {
  Arena* a = tl_arena;
  if (a == nullptr) return;
  while (!try_hold(a)) cpu_relax();  // another thread takes it only to free blocks into it
}

BlockPool::Stats BlockPool::stats() {
  Stats s;
  for (Arena* a = all_arenas.load(std::memory_order_acquire); a != nullptr; a = a->next_arena) {
    s.blocks_in_use += a->in_use.load(std::memory_order_relaxed);
  }
  // Released first: a chunk's release follows its acquisition, so the count read after it is at
  // least as large.
  s.chunks_released = chunks_released.load(std::memory_order_acquire);
  s.chunks_acquired = chunks_acquired.load(std::memory_order_acquire);
  s.chunks = s.chunks_acquired - s.chunks_released;
  return s;
}

}  // namespace lona::memory
