// ipc: the method id of a call, Envelope.method: FNV-1a (32 bits) of "Service.Call". Shared by
// lona-idlc, which writes the ids into the generated code, and the runtime; it depends on no
// generated code so that the generator can include it.
#pragma once

#include <cstdint>
#include <string_view>

namespace lona::ipc {

/// The method id of "Service.Call" (e.g. "Memory.Allocate").
constexpr std::uint32_t method_id(std::string_view full_name) {
  std::uint32_t hash = 2166136261u;
  for (char c : full_name) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace lona::ipc
