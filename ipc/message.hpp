// ipc: one message as a transport carries it: bytes, and the file descriptors beside them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "ipc/unique_fd.hpp"

namespace lona::ipc {

/// The bytes of one message and the fds that came with it. Its storage is reused from message to
/// message (a receiver keeps one), never zero-filled, and aligned for any FlatBuffers scalar.
class Message {
 public:
  Message() = default;
  Message(Message&& other) noexcept
      : data_(std::move(other.data_)),
        capacity_(std::exchange(other.capacity_, 0)),
        size_(std::exchange(other.size_, 0)),
        fds_(std::move(other.fds_)) {}
  Message& operator=(Message&& other) noexcept {
    data_ = std::move(other.data_);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
    fds_ = std::move(other.fds_);
    return *this;
  }

  std::span<const std::uint8_t> bytes() const { return {data_.get(), size_}; }
  std::size_t size() const { return size_; }

  /// Room for `capacity` bytes; what was there is lost. Then write and call `resize`.
  std::uint8_t* reserve(std::size_t capacity) {
    if (capacity > capacity_) {
      data_ = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
      capacity_ = capacity;
    }
    size_ = 0;
    return data_.get();
  }
  void resize(std::size_t size) { size_ = size; }
  void assign(std::span<const std::uint8_t> bytes);

  /// The fds that came with the message; those still here when it is cleared are closed.
  std::vector<UniqueFd>& fds() { return fds_; }
  const std::vector<UniqueFd>& fds() const { return fds_; }

  /// Empties the message and closes its fds.
  void clear() {
    size_ = 0;
    fds_.clear();
  }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  std::vector<UniqueFd> fds_;
};

}  // namespace lona::ipc
