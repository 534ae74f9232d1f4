// ipc: the checks every transport makes on a message it is asked to send.
#include "ipc/channel_limits.hpp"

#include "absl/strings/str_cat.h"
#include "ipc/limits.hpp"

namespace lona::ipc {

absl::Status check_outgoing(std::span<const std::uint8_t> bytes, std::span<const int> fds) {
  if (bytes.empty()) return absl::InvalidArgumentError("cannot send an empty message");
  if (bytes.size() > kMaxMessageBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "message of ", bytes.size(), " bytes is over the limit of ", kMaxMessageBytes));
  }
  if (fds.size() > kMaxMessageFds) {
    return absl::InvalidArgumentError(
        absl::StrCat(fds.size(), " fds beside one message is over the limit of ", kMaxMessageFds));
  }
  for (int fd : fds) {
    if (fd < 0) return absl::InvalidArgumentError(absl::StrCat("cannot send fd ", fd));
  }
  return absl::OkStatus();
}

}  // namespace lona::ipc
