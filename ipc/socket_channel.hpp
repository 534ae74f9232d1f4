// ipc: the transport between OS processes: one end of an AF_UNIX SOCK_SEQPACKET socket, which
// keeps message boundaries and carries file descriptors (SCM_RIGHTS).
#pragma once

#include <utility>

#include "absl/status/statusor.h"
#include "ipc/channel.hpp"
#include "ipc/unique_fd.hpp"

namespace lona::ipc {

/// A Channel over a SOCK_SEQPACKET socket. Receives wait with poll. Sends block, unless the
/// socket was made non-blocking (set_nonblocking): then a send that would wait fails with
/// ResourceExhausted and sends nothing (an event loop queues it and retries on EPOLLOUT).
class SocketChannel final : public Channel {
 public:
  /// Takes ownership of a connected SOCK_SEQPACKET socket.
  explicit SocketChannel(UniqueFd socket) : socket_(std::move(socket)) {}

  /// Two connected ends (socketpair, close-on-exec).
  static absl::StatusOr<std::pair<SocketChannel, SocketChannel>> pair();

  absl::Status send(std::span<const std::uint8_t> bytes, std::span<const int> fds) override;
  using Channel::send;
  absl::Status receive(Message& into, absl::Duration timeout) override;

  /// Makes sends fail instead of waiting when the other end's buffer is full.
  absl::Status set_nonblocking();
  /// The socket, for an event loop to poll (the LMM) or to hand to a child process.
  int fd() const { return socket_.get(); }
  /// Gives the socket up (to pass it to a child process).
  UniqueFd release() { return std::move(socket_); }

 private:
  UniqueFd socket_;
};

}  // namespace lona::ipc
