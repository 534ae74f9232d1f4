// ipc: a channel carries messages, with fds beside them, between two ends. The generated clients
// and the dispatcher run on any channel: the socketpair one between OS processes, the in-process
// one in tests.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ipc/message.hpp"

namespace lona::ipc {

/// One end of a two-way, message-preserving connection.
class Channel {
 public:
  virtual ~Channel() = default;

  /// Sends one message: `bytes` (1 to kMaxMessageBytes) and `fds` (at most kMaxMessageFds,
  /// duplicated for the receiver; the caller keeps its own). InvalidArgument for a message out of
  /// bounds, Unavailable when the other end has closed.
  virtual absl::Status send(std::span<const std::uint8_t> bytes, std::span<const int> fds) = 0;
  absl::Status send(std::span<const std::uint8_t> bytes) { return send(bytes, {}); }
  /// Sends `message`'s bytes and its fds (which it keeps).
  absl::Status send(const Message& message) {
    std::vector<int> fds;
    fds.reserve(message.fds().size());
    for (const UniqueFd& fd : message.fds()) fds.push_back(fd.get());
    return send(message.bytes(), fds);
  }

  /// Waits up to `timeout` for one message and puts it in `into` (whose old fds are closed).
  /// DeadlineExceeded when none came, Unavailable when the other end has closed,
  /// ResourceExhausted when one came over the limits (it is dropped, its fds closed).
  virtual absl::Status receive(Message& into, absl::Duration timeout) = 0;
};

}  // namespace lona::ipc
