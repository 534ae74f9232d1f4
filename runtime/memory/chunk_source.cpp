#include "runtime/memory/chunk_source.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>

namespace lona::memory {

void* MappedChunkSource::acquire() {
  void* raw =
      mmap(nullptr, 2 * kChunkBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  auto start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = (start + kChunkBytes - 1) & ~(kChunkBytes - 1);
  // The mapping's slack before and after the chunk goes back at once.
  if (aligned > start) munmap(raw, aligned - start);
  uintptr_t tail = aligned + kChunkBytes;
  uintptr_t end = start + 2 * kChunkBytes;
  if (end > tail) munmap(reinterpret_cast<void*>(tail), end - tail);
  madvise(reinterpret_cast<void*>(aligned), kChunkBytes, MADV_POPULATE_WRITE);
  return reinterpret_cast<void*>(aligned);
}

void MappedChunkSource::release(void* chunk) { munmap(chunk, kChunkBytes); }

void MappedChunkSource::decommit(void* p, size_t bytes) { madvise(p, bytes, MADV_DONTNEED); }

namespace {
MappedChunkSource mapped_source;
std::atomic<ChunkSource*> current_source{&mapped_source};
}  // namespace

ChunkSource& chunk_source() { return *current_source.load(std::memory_order_acquire); }

void set_chunk_source(ChunkSource* source) {
  current_source.store(source != nullptr ? source : &mapped_source, std::memory_order_release);
}

}  // namespace lona::memory
