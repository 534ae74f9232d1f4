// runtime/memory: the allocator of process objects and heap blocks (DESIGN.md §4): pools of
// fixed-size blocks per worker, over chunks that go back to their source when they empty.
//
// A chunk (chunk_source.hpp) is cut into pages, and a page into blocks of one size class. Every
// chunk belongs to one arena, and an arena is held by one thread at a time: a thread that
// allocates (a worker, the REPL's, a bound process's) is attached to an arena of its own until it
// ends, and holds it but for the moments it blocks (a parked worker, a bound process waiting for
// mail). The holder allocates and frees blocks of its arena's pages without atomics. A thread
// that frees a block of another arena (a process that was spawned on one worker, stolen by
// another and exited there) hands it back on that arena's atomic list, in batches, and the
// holder takes the list back now and then, when it runs short and before it blocks. When nobody
// holds the arena the freeing thread takes it for the moment and frees the blocks itself, so
// what a parked worker or an ended thread owned is freed all the same. A page whose blocks are
// all free goes back to its chunk, and a chunk whose pages are all free goes back to the source
// (one empty chunk per arena is kept for the next burst, and one empty page per size class
// until the thread next blocks); a thread about to block gives the free pages of chunks still in
// use back to the OS.
//
// An ended thread's arena, with what is still live in it, passes to the next thread that
// attaches. Blocks over kMaxBlockBytes go to operator new. Under AddressSanitizer everything goes
// to operator new, so that a use after free is still caught by its quarantine.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lona::memory {

class BlockPool {
 public:
  static constexpr size_t kMaxBlockBytes = 16384;
  static constexpr size_t kAlignment = 16;
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kPooling = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  static constexpr bool kPooling = false;
#else
  static constexpr bool kPooling = true;
#endif
#else
  static constexpr bool kPooling = true;
#endif

  // `bytes` of memory aligned to kAlignment; throws std::bad_alloc when no chunk can be had.
  static void* allocate(size_t bytes);
  // Frees memory from allocate(bytes), from any thread.
  static void release(void* p, size_t bytes);

  // The calling thread holds an arena of its own from now on: one no thread is attached to (an
  // ended thread's, with what is still live in it), or a new one. A worker calls it when it
  // starts; another thread is attached at its first allocation.
  static void attach_thread();
  // The calling thread ends: what it keeps to hand back goes back, and its arena is free for
  // the next thread that attaches. A thread attached at its first allocation detaches by itself.
  static void detach_thread();
  // A thread about to block (a worker about to park, a process waiting for mail) lets go of its
  // arena, after handing back what it keeps, taking back what was handed to it, and (past a few
  // pages) returning free pages to the OS; it takes the arena again when it wakes.
  static void before_park();
  static void after_park();
  // The calling thread hands back the blocks of other arenas it keeps, and takes back into its
  // own pages those that other threads freed (a busy worker, now and then).
  static void take_back();

  struct Stats {
    size_t chunks = 0;           // held from the source, all arenas together
    size_t chunks_acquired = 0;  // since the OS process started
    size_t chunks_released = 0;
    size_t blocks_in_use = 0;  // allocated and not yet freed, handed back or not
  };
  static Stats stats();
};

}  // namespace lona::memory
