// lmm: what the LMM keeps of one realm: its place in the tree, its process and connection, its
// grants, its rate limit and what it has been counted for.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "idl/lona_services.hpp"
#include "ipc/dispatcher.hpp"
#include "ipc/message.hpp"
#include "ipc/socket_channel.hpp"
#include "lmm/token_bucket.hpp"

namespace lona::lmm {

/// One end the LMM talks to (a realm, or a tool on the control socket). Sends never block: what
/// the other end's buffer cannot take waits in the outbox until the socket is writable.
struct Connection {
  Connection(ipc::SocketChannel c, std::uint64_t peer, std::uint64_t epoll_key)
      : channel(std::move(c)), dispatcher(peer), key(epoll_key) {}
  ipc::SocketChannel channel;
  ipc::Dispatcher dispatcher;
  std::deque<ipc::Message> outbox;
  /// Messages dropped because the outbox was full (a peer that does not read).
  std::uint64_t dropped = 0;
  /// The other end has closed (or sent what cannot be read): nothing more is read from it.
  bool closed = false;
  /// What the event loop knows it by, and whether it reads from it now (a throttled or
  /// suspended realm is not read).
  std::uint64_t key;
  bool reading = true;
  /// Whether the other end may be sent to. A realm may not until it has its boot info (its
  /// first call reads the first message as the answer): what comes for it before waits.
  bool ready = true;
};

/// A memory grant a realm holds.
struct Grant {
  std::uint64_t bytes = 0;
  ipc::RegionType type = ipc::RegionType_Heap;
  /// Kept for regions other realms may map (code, shared); heap grants are the realm's alone.
  ipc::UniqueFd memfd;
};

struct Realm {
  std::uint64_t id = 0;
  std::uint64_t parent = 0;
  std::string name;
  ipc::RealmStatus status = ipc::RealmStatus_Created;
  ipc::PolicyT policy;
  std::uint32_t workers = 0;
  std::vector<std::uint64_t> children;

  pid_t pid = -1;
  ipc::UniqueFd pidfd;
  std::unique_ptr<Connection> connection;

  absl::flat_hash_map<std::uint64_t, Grant> grants;
  /// The memory pressure level the realm was last told (Notifications.MemoryPressure).
  ipc::MemoryPressureLevel pressure = ipc::MemoryPressureLevel_Normal;

  TokenBucket bucket;
  /// Since when the realm has been held up without a pause (InfinitePast: it is not).
  absl::Time flooding_since = absl::InfinitePast();

  /// Counted for Control.Stats.
  std::uint64_t requests = 0;
  std::uint64_t throttled_count = 0;
  std::uint64_t suspensions = 0;

  /// What the realm last reported of itself.
  std::uint64_t processes = 0;

  /// Realms whose processes link to or monitor processes of this one: told when it ends.
  absl::flat_hash_set<std::uint64_t> watchers;

  /// Why the LMM ended it, when it did (a realm that ended by itself is judged by its status).
  bool ended_by_lmm = false;
  ipc::DownReason end_reason = ipc::DownReason_Normal;
};

}  // namespace lona::lmm
