// runtime/memory: where the block pools' chunks come from. A chunk is kChunkBytes of memory
// aligned to its size, so that a block's chunk (and with it the page that describes the block) is
// its address with the low bits cleared. Standalone, chunks are anonymous mappings; in a realm
// they will be the LMM's memory grants (DESIGN.md §7), behind the same two calls.
#pragma once

#include <cstddef>

namespace lona::memory {

inline constexpr size_t kChunkBytes = size_t{1} << 20;

class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // A fresh chunk of kChunkBytes, aligned to kChunkBytes and zero-filled, or null when none can
  // be had (the caller reports it as running out of memory).
  virtual void* acquire() = 0;
  // Gives back a chunk from acquire(); its memory is gone from the OS process afterwards.
  virtual void release(void* chunk) = 0;
  // Tells the OS that [p, p + bytes) of a chunk still held is free: its pages stop counting
  // towards the process's memory and read as zeros if touched again.
  virtual void decommit(void* p, size_t bytes) = 0;
};

// Chunks from mmap: one mapping of twice the size, trimmed to the aligned chunk inside it.
class MappedChunkSource final : public ChunkSource {
 public:
  void* acquire() override;
  void release(void* chunk) override;
  void decommit(void* p, size_t bytes) override;
};

// The source of every pool's chunks: mapped memory unless set_chunk_source() said otherwise.
ChunkSource& chunk_source();
// Replaces the source of the chunks taken from now on (null: mapped memory again). A chunk goes
// back to the source it came from, so a source must live as long as any chunk it gave.
void set_chunk_source(ChunkSource* source);

}  // namespace lona::memory
