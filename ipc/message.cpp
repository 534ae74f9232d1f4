// ipc: Message storage.
#include "ipc/message.hpp"

#include <cstring>

namespace lona::ipc {

void Message::assign(std::span<const std::uint8_t> bytes) {
  std::uint8_t* data = reserve(bytes.size());
  if (!bytes.empty()) std::memcpy(data, bytes.data(), bytes.size());
  size_ = bytes.size();
}

}  // namespace lona::ipc
