// runtime/memory: a block of words from the block pools that frees itself: a heap's young block
// or old heap. It knows its size, which the pools need to free it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "runtime/memory/block_pool.hpp"

namespace lona::memory {

class WordBlock {
 public:
  WordBlock() = default;
  // `words` words, not initialised.
  explicit WordBlock(size_t words)
      : words_(static_cast<uint64_t*>(BlockPool::allocate(words * sizeof(uint64_t)))),
        size_(words) {}
  WordBlock(WordBlock&& other) noexcept
      : words_(std::exchange(other.words_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  WordBlock& operator=(WordBlock&& other) noexcept {
    WordBlock gone(std::move(*this));
    words_ = std::exchange(other.words_, nullptr);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }
  ~WordBlock() {
    if (words_ != nullptr) BlockPool::release(words_, size_ * sizeof(uint64_t));
  }

  uint64_t* get() const { return words_; }
  size_t size() const { return size_; }
  explicit operator bool() const { return words_ != nullptr; }
  bool operator==(std::nullptr_t) const { return words_ == nullptr; }
  void reset() { WordBlock gone(std::move(*this)); }

 private:
  uint64_t* words_ = nullptr;
  size_t size_ = 0;
};

}  // namespace lona::memory
