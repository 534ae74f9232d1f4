// ipc: the SOCK_SEQPACKET transport.
#include "ipc/socket_channel.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "ipc/channel_limits.hpp"
#include "ipc/limits.hpp"

namespace lona::ipc {
namespace {

absl::Status errno_status(const char* what) {
  int error = errno;
  if (error == EPIPE || error == ECONNRESET) {
    return absl::UnavailableError(absl::StrCat(what, ": the other end has closed"));
  }
  if (error == EAGAIN || error == EWOULDBLOCK) {
    return absl::ResourceExhaustedError(absl::StrCat(what, ": the socket's buffer is full"));
  }
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(error)));
}

// Room for the most fds a message may carry, aligned as a cmsghdr must be.
union ControlBuffer {
  std::array<char, CMSG_SPACE(sizeof(int) * kMaxMessageFds)> bytes;
  cmsghdr align;
};

// Milliseconds for poll: -1 for an infinite timeout, rounded up so that a short timeout waits.
int poll_millis(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return -1;
  if (timeout <= absl::ZeroDuration()) return 0;
  int64_t millis = absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1)));
  return millis > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(millis);
}

}  // namespace

absl::StatusOr<std::pair<SocketChannel, SocketChannel>> SocketChannel::pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return errno_status("socketpair");
  }
  return std::pair<SocketChannel, SocketChannel>(SocketChannel(UniqueFd(fds[0])),
                                                 SocketChannel(UniqueFd(fds[1])));
}

absl::Status SocketChannel::set_nonblocking() {
  int flags = ::fcntl(socket_.get(), F_GETFL);
  if (flags < 0 || ::fcntl(socket_.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return errno_status("fcntl");
  }
  return absl::OkStatus();
}

absl::Status SocketChannel::send(std::span<const std::uint8_t> bytes, std::span<const int> fds) {
  if (absl::Status status = check_outgoing(bytes, fds); !status.ok()) return status;
  iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
  msghdr header{};
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  ControlBuffer control{};
  if (!fds.empty()) {
    header.msg_control = control.bytes.data();
    header.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    ssize_t sent = ::sendmsg(socket_.get(), &header, MSG_NOSIGNAL);
    if (sent >= 0) return absl::OkStatus();
    if (errno != EINTR) return errno_status("sendmsg");
  }
}

absl::Status SocketChannel::receive(Message& into, absl::Duration timeout) {
  into.clear();
  absl::Time deadline =
      timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : absl::Now() + timeout;
  for (;;) {
    pollfd waiting{socket_.get(), POLLIN, 0};
    int ready = ::poll(&waiting, 1, poll_millis(deadline - absl::Now()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return errno_status("poll");
    }
    if (ready == 0) return absl::DeadlineExceededError("no message within the timeout");
    break;
  }
  // One byte more than the limit: a message that fills it is over the limit.
  iovec iov{into.reserve(kMaxMessageBytes + 1), kMaxMessageBytes + 1};
  msghdr header{};
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  ControlBuffer control{};
  header.msg_control = control.bytes.data();
  header.msg_controllen = sizeof(control.bytes);
  ssize_t received;
  do {
    received = ::recvmsg(socket_.get(), &header, MSG_CMSG_CLOEXEC);
  } while (received < 0 && errno == EINTR);
  if (received < 0) return errno_status("recvmsg");
  // Take the fds first, so that every way out below closes them.
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(&header); cmsg != nullptr; cmsg = CMSG_NXTHDR(&header, cmsg)) {
    if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
      into.fds().emplace_back(fd);
    }
  }
  // A zero-length read is the other end closing: the protocol never sends an empty message.
  if (received == 0) {
    into.clear();
    return absl::UnavailableError("the other end has closed");
  }
  if ((header.msg_flags & MSG_CTRUNC) != 0 || into.fds().size() > kMaxMessageFds) {
    into.clear();
    return absl::ResourceExhaustedError(
        absl::StrCat("a message came with more than ", kMaxMessageFds, " fds; dropped"));
  }
  if ((header.msg_flags & MSG_TRUNC) != 0 ||
      static_cast<std::size_t>(received) > kMaxMessageBytes) {
    into.clear();
    return absl::ResourceExhaustedError(
        absl::StrCat("a message over the limit of ", kMaxMessageBytes, " bytes; dropped"));
  }
  into.resize(static_cast<std::size_t>(received));
  return absl::OkStatus();
}

}  // namespace lona::ipc
