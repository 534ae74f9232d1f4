// runtime/process: where envelopes' memory comes from: free lists per worker thread and size
// class, so that the send and the receipt of a small message do not go through malloc.
//
// An envelope is allocated by the sender's thread and freed by whoever consumes it (the
// receiver's worker, a collection that ends its fragment), often another thread. A worker takes
// blocks from its own free list (no atomics); blocks freed by another thread go back to their
// worker's remote list, in batches (one compare-and-swap for up to 32), which the worker takes in
// one exchange when its own list runs dry (the scheme of mimalloc's thread-free lists). Each list
// keeps at most kMaxCached blocks: past that, blocks go back to the system, so memory that a burst
// of messages took is returned. Threads that are not workers, and envelopes over kMaxPooledBytes,
// use operator new. Under AddressSanitizer pooling is off, so that a use after free is still
// caught.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lona {

class EnvelopePool {
 public:
  static constexpr size_t kClassBytes = 64;
  static constexpr size_t kClasses = 8;  // blocks of 64, 128, ... 512 bytes
  static constexpr size_t kMaxPooledBytes = kClassBytes * kClasses;
  static constexpr size_t kMaxCached = 4096;  // per worker and size class
  static constexpr size_t kMaxPools = 1024;

  // Memory for `bytes`; *tag says where it came from, for release().
  static void* allocate(size_t bytes, uint16_t* tag);
  // Frees memory from allocate(), from any thread.
  static void release(void* p, uint16_t tag);
  // Hands back to their pools the blocks of other threads that this thread freed and keeps
  // until it has a batch of them (a worker about to park calls it).
  static void flush_thread();
  // From now on the calling thread (a worker) allocates from a pool of its own, which lives as
  // long as the OS process (blocks of it may be in any mailbox or heap).
  static void attach_thread();
};

}  // namespace lona
