// ipc: the bounds every receiver enforces before it reads a message (docs/protocol.md, "Limits").
#pragma once

#include <cstddef>

namespace lona::ipc {

/// The largest message, in bytes, a transport carries. Bigger terms go through a shared region.
inline constexpr std::size_t kMaxMessageBytes = 128 * 1024;
/// The most file descriptors beside one message.
inline constexpr std::size_t kMaxMessageFds = 8;
/// FlatBuffers Verifier bounds: nesting depth of tables and vectors, and tables in one message.
/// The deepest message of the schema nests 4 levels; 16 leaves room for evolution.
inline constexpr unsigned kMaxDepth = 16;
inline constexpr unsigned kMaxTables = 4096;

}  // namespace lona::ipc
