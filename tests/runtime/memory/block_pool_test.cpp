// The block pools (runtime/memory): blocks of every size class, memory that goes back to the
// source when its blocks are freed, on the thread that allocated them or on any other.
#include "runtime/memory/block_pool.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <thread>
#include <vector>

#include "runtime/memory/chunk_source.hpp"

namespace lona::memory {
namespace {

struct Block {
  void* p;
  size_t bytes;
};

// Blocks filled with a byte of their own, so that an overlap shows up in check().
std::vector<Block> allocate_filled(size_t count, size_t bytes) {
  std::vector<Block> blocks;
  for (size_t i = 0; i < count; ++i) {
    void* p = BlockPool::allocate(bytes);
    std::memset(p, static_cast<int>(i & 0xff), bytes);
    blocks.push_back({p, bytes});
  }
  return blocks;
}

void check_and_release(const std::vector<Block>& blocks) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    const auto* bytes = static_cast<const unsigned char*>(blocks[i].p);
    for (size_t j = 0; j < blocks[i].bytes; ++j) {
      ASSERT_EQ(bytes[j], i & 0xff) << "block " << i << " of " << blocks[i].bytes << " bytes";
    }
  }
  for (const Block& b : blocks) BlockPool::release(b.p, b.bytes);
}

class BlockPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!BlockPool::kPooling) {
      GTEST_SKIP() << "pooling is off under AddressSanitizer: blocks come from operator new";
    }
  }
};

TEST_F(BlockPoolTest, BlocksOfEverySizeAreAlignedAndApart) {
  std::vector<Block> blocks;
  for (size_t bytes = 1; bytes <= BlockPool::kMaxBlockBytes; bytes += bytes < 1100 ? 1 : 97) {
    for (int k = 0; k < 3; ++k) {
      void* p = BlockPool::allocate(bytes);
      ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % BlockPool::kAlignment, 0u) << bytes;
      std::memset(p, static_cast<int>(blocks.size() & 0xff), bytes);
      blocks.push_back({p, bytes});
    }
  }
  check_and_release(blocks);
}

TEST_F(BlockPoolTest, FreedChunksGoBackToTheSource) {
  const BlockPool::Stats before = BlockPool::stats();
  // 40 MiB of process-object-sized blocks, then all freed.
  std::vector<Block> blocks = allocate_filled(40 << 20 >> 9, 576);
  const BlockPool::Stats full = BlockPool::stats();
  EXPECT_GE(full.chunks, before.chunks + 38);
  EXPECT_EQ(full.blocks_in_use, before.blocks_in_use + blocks.size());
  check_and_release(blocks);
  const BlockPool::Stats after = BlockPool::stats();
  EXPECT_EQ(after.blocks_in_use, before.blocks_in_use);
  // The arena keeps one empty chunk, and the pages it kept for the classes it used may hold one
  // more.
  EXPECT_LE(after.chunks, before.chunks + 2);
  EXPECT_GE(after.chunks_released, before.chunks_released + 36);
}

TEST_F(BlockPoolTest, BlocksFreedOnAnotherThreadGoBackToTheirArena) {
  const BlockPool::Stats before = BlockPool::stats();
  std::vector<Block> blocks = allocate_filled(20000, 272);
  // Another thread that has allocated (so it holds an arena of its own, as a worker does)
  // frees them: they are handed back in batches, and taken back here.
  std::thread other([&] {
    BlockPool::release(BlockPool::allocate(64), 64);
    check_and_release(blocks);
  });
  other.join();
  BlockPool::take_back();
  const BlockPool::Stats after = BlockPool::stats();
  EXPECT_EQ(after.blocks_in_use, before.blocks_in_use);
  EXPECT_LE(after.chunks, before.chunks + 3);
}

TEST_F(BlockPoolTest, AParkedThreadsBlocksAreFreedByWhoFreesThem) {
  const BlockPool::Stats before = BlockPool::stats();
  std::vector<Block> blocks = allocate_filled(20000, 576);
  BlockPool::before_park();  // as a worker that parks, or a process that waits for mail
  std::thread other([&] { check_and_release(blocks); });
  other.join();
  // Nobody held the arena: the other thread freed the blocks into it itself, and gave back the
  // chunks that emptied.
  const BlockPool::Stats after = BlockPool::stats();
  BlockPool::after_park();
  EXPECT_EQ(after.blocks_in_use, before.blocks_in_use);
  EXPECT_LE(after.chunks, before.chunks + 2);
}

uintptr_t chunk_of(const void* p) { return reinterpret_cast<uintptr_t>(p) & ~(kChunkBytes - 1); }

TEST_F(BlockPoolTest, AnEndedThreadsArenaPassesToTheNextThread) {
  std::vector<Block> blocks;
  std::thread first([&] { blocks = allocate_filled(10000, 1024); });
  first.join();
  const BlockPool::Stats ended = BlockPool::stats();
  // The next thread that attaches takes the ended thread's arena, chunks and all: what it
  // allocates lands in the ended thread's chunks.
  void* later = nullptr;
  std::thread second([&] {
    BlockPool::attach_thread();
    later = BlockPool::allocate(1024);
    BlockPool::release(later, 1024);
    BlockPool::detach_thread();
  });
  second.join();
  bool in_first_chunks = false;
  for (const Block& b : blocks) in_first_chunks |= chunk_of(b.p) == chunk_of(later);
  EXPECT_TRUE(in_first_chunks);
  check_and_release(blocks);  // from a thread that holds another arena: handed back, then freed
  BlockPool::take_back();
  EXPECT_LE(BlockPool::stats().chunks + 7, ended.chunks);
}

TEST_F(BlockPoolTest, LargeBlocksComeFromOperatorNew) {
  const BlockPool::Stats before = BlockPool::stats();
  void* p = BlockPool::allocate(BlockPool::kMaxBlockBytes + 1);
  std::memset(p, 1, BlockPool::kMaxBlockBytes + 1);
  EXPECT_EQ(BlockPool::stats().blocks_in_use, before.blocks_in_use);
  BlockPool::release(p, BlockPool::kMaxBlockBytes + 1);
}

// A source that counts what it gives and gets back, over mapped memory.
class CountingSource final : public ChunkSource {
 public:
  void* acquire() override {
    ++acquired;
    return mapped.acquire();
  }
  void release(void* chunk) override {
    ++released;
    mapped.release(chunk);
  }
  void decommit(void* p, size_t bytes) override {
    ++decommitted;
    mapped.decommit(p, bytes);
  }
  MappedChunkSource mapped;
  int acquired = 0;
  int released = 0;
  int decommitted = 0;
};

// A source outlives every chunk it gave: the arenas keep some (a spare, pages in use).
CountingSource& counting_source() {
  static auto& source = *new CountingSource;
  source.acquired = source.released = source.decommitted = 0;
  return source;
}

TEST_F(BlockPoolTest, AChunkGoesBackToTheSourceItCameFrom) {
  const size_t held = BlockPool::stats().chunks;  // their free pages may be used first
  CountingSource& counting = counting_source();
  set_chunk_source(&counting);
  std::vector<Block> blocks = allocate_filled((held + 8) << 20 >> 9, 512);
  set_chunk_source(nullptr);  // what is freed now still goes back to the counting source
  check_and_release(blocks);
  EXPECT_GE(counting.acquired, 7);
  EXPECT_GE(counting.released, counting.acquired - 2);
}

TEST_F(BlockPoolTest, FreePagesOfChunksInUseGoBackToTheOsWhenTheThreadBlocks) {
  CountingSource& counting = counting_source();
  set_chunk_source(&counting);
  // Fresh chunks of this source, filled; then all but one block of each chunk freed, so that
  // every chunk stays and most of its pages are free.
  const size_t held = BlockPool::stats().chunks;
  std::vector<Block> blocks = allocate_filled((held + 8) << 20 >> 9, 512);
  set_chunk_source(nullptr);
  std::vector<Block> kept;
  std::vector<Block> freed;
  for (const Block& b : blocks) {
    bool first_in_chunk = true;
    for (const Block& k : kept) first_in_chunk &= chunk_of(k.p) != chunk_of(b.p);
    (first_in_chunk ? kept : freed).push_back(b);
  }
  for (const Block& b : freed) BlockPool::release(b.p, b.bytes);
  EXPECT_EQ(counting.decommitted, 0);  // free pages stay committed while the thread runs
  BlockPool::before_park();
  BlockPool::after_park();
  EXPECT_GE(counting.decommitted, 7 * 14);  // 15 or 16 free pages in each of the new chunks
  for (const Block& b : kept) BlockPool::release(b.p, b.bytes);
}

// A source that has no chunk to give (an exhausted quota, in a realm).
class EmptySource final : public ChunkSource {
 public:
  void* acquire() override { return nullptr; }
  void release(void*) override {}
  void decommit(void*, size_t) override {}
};

TEST_F(BlockPoolTest, WithNoChunkToBeHadAllocationThrowsBadAlloc) {
  static EmptySource empty;
  set_chunk_source(&empty);
  std::vector<Block> blocks;  // what the arena's chunks still had room for
  bool threw = false;
  for (size_t i = 0; i < (size_t{1} << 20) && !threw; ++i) {
    try {
      blocks.push_back({BlockPool::allocate(BlockPool::kMaxBlockBytes), BlockPool::kMaxBlockBytes});
    } catch (const std::bad_alloc&) {
      threw = true;
    }
  }
  set_chunk_source(nullptr);
  EXPECT_TRUE(threw);
  // Nothing was lost: the blocks it had go back, and allocation works again.
  for (const Block& b : blocks) BlockPool::release(b.p, b.bytes);
  void* p = BlockPool::allocate(BlockPool::kMaxBlockBytes);
  EXPECT_NE(p, nullptr);
  BlockPool::release(p, BlockPool::kMaxBlockBytes);
}

}  // namespace
}  // namespace lona::memory
