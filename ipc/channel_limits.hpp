// ipc: the checks every transport makes on a message it is asked to send.
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/status.h"

namespace lona::ipc {

/// OK, or InvalidArgument saying which bound `bytes` and `fds` break.
absl::Status check_outgoing(std::span<const std::uint8_t> bytes, std::span<const int> fds);

}  // namespace lona::ipc
