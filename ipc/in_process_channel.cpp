// ipc: the in-process transport.
#include "ipc/in_process_channel.hpp"

#include <fcntl.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "ipc/channel_limits.hpp"

namespace lona::ipc {

// std::mutex rather than absl::Mutex: Debian's Abseil is not built for ThreadSanitizer
// (docs/runtime.md).
struct InProcessChannel::Shared {
  std::mutex mutex;
  std::condition_variable changed;
  // queues[i]: messages waiting for side i.
  std::deque<Message> queues[2];
  bool open[2] = {true, true};
};

std::pair<InProcessChannel, InProcessChannel> InProcessChannel::pair() {
  auto shared = std::make_shared<Shared>();
  return {InProcessChannel(shared, 0), InProcessChannel(shared, 1)};
}

InProcessChannel::InProcessChannel(std::shared_ptr<Shared> shared, int side)
    : shared_(std::move(shared)), side_(side) {}

InProcessChannel::InProcessChannel(InProcessChannel&&) noexcept = default;
InProcessChannel& InProcessChannel::operator=(InProcessChannel&&) noexcept = default;

InProcessChannel::~InProcessChannel() {
  if (!shared_) return;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->open[side_] = false;
    shared_->queues[side_].clear();
  }
  shared_->changed.notify_all();
}

absl::Status InProcessChannel::send(std::span<const std::uint8_t> bytes, std::span<const int> fds) {
  if (absl::Status status = check_outgoing(bytes, fds); !status.ok()) return status;
  Message message;
  message.assign(bytes);
  for (int fd : fds) {
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot pass fd ", fd, ": ", std::strerror(errno)));
    }
    message.fds().emplace_back(copy);
  }
  int peer = 1 - side_;
  {
    std::lock_guard lock(shared_->mutex);
    if (!shared_->open[peer]) return absl::UnavailableError("the other end has closed");
    shared_->queues[peer].push_back(std::move(message));
  }
  shared_->changed.notify_all();
  return absl::OkStatus();
}

absl::Status InProcessChannel::receive(Message& into, absl::Duration timeout) {
  into.clear();
  auto& queue = shared_->queues[side_];
  int peer = 1 - side_;
  std::unique_lock lock(shared_->mutex);
  auto ready = [&]() { return !queue.empty() || !shared_->open[peer]; };
  if (timeout == absl::InfiniteDuration()) {
    shared_->changed.wait(lock, ready);
  } else {
    shared_->changed.wait_for(lock, absl::ToChronoNanoseconds(timeout), ready);
  }
  if (queue.empty()) {
    if (!shared_->open[peer]) return absl::UnavailableError("the other end has closed");
    return absl::DeadlineExceededError("no message within the timeout");
  }
  into = std::move(queue.front());
  queue.pop_front();
  return absl::OkStatus();
}

}  // namespace lona::ipc
