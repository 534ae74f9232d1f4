// ipc: the transport inside one OS process, for tests and for a realm's own threads: two ends
// joined by queues, with the same limits and fd semantics as the socket transport (a sent fd is
// duplicated for the receiver).
#pragma once

#include <memory>
#include <utility>

#include "ipc/channel.hpp"

namespace lona::ipc {

/// One end of an in-process pair. Thread-safe: one thread may send while another receives.
class InProcessChannel final : public Channel {
 public:
  /// Two connected ends. Destroying one makes the other's receive return Unavailable once its
  /// queue is empty, and its send return Unavailable.
  static std::pair<InProcessChannel, InProcessChannel> pair();

  InProcessChannel(InProcessChannel&&) noexcept;
  InProcessChannel& operator=(InProcessChannel&&) noexcept;
  ~InProcessChannel() override;

  absl::Status send(std::span<const std::uint8_t> bytes, std::span<const int> fds) override;
  using Channel::send;
  absl::Status receive(Message& into, absl::Duration timeout) override;

 private:
  struct Shared;
  InProcessChannel(std::shared_ptr<Shared> shared, int side);
  std::shared_ptr<Shared> shared_;
  int side_ = 0;
};

}  // namespace lona::ipc
