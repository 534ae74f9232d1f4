// vm/realm: what a realm does with what the LMM brings it: messages for its processes from
// other realms, spawns its ancestors ask for, signals, listings for tools, and notifications
// (a child realm ended, memory ran out, a child flooded). Runs on the LmmLink's I/O thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "idl/lona_services.hpp"
#include "runtime/term/heap.hpp"
#include "vm/namespace/namespaces.hpp"

namespace lona {
class LonalaProcess;
}

namespace lona::realm {

/// How a realm ended, as the LMM told this one.
struct EndedRealm {
  ipc::DownReason reason = ipc::DownReason_Normal;
  /// The signal that ended it (0: it exited), and its exit status.
  int signal = 0;
  int exit_status = 0;
};

/// The var that holds the function `memory-pressure-handler` registered (lona.process's private
/// memory-pressure-fn; nil: none). RealmInbox::MemoryPressure runs it, in a new process, with the
/// level (:normal, :low, :critical).
Var& memory_pressure_var();

class RealmInbox final : public ipc::InboxService, public ipc::NotificationsService {
 public:
  /// How `realm` ended, if the LMM has told this realm (its children, and realms whose
  /// processes its own were linked to or monitored).
  static std::optional<EndedRealm> ended(std::uint64_t realm);

  absl::Status Deliver(ipc::CallContext& context, const ipc::ForwardMessage& request) override;
  absl::Status Spawn(ipc::CallContext& context, const ipc::SpawnInRequest& request,
                     ipc::SpawnInReplyT& reply) override;
  absl::Status Signal(ipc::CallContext& context, const ipc::ForwardSignal& request) override;
  absl::Status ListProcesses(ipc::CallContext& context, const ipc::ProcessListRequest& request,
                             ipc::ProcessListT& reply) override;
  absl::Status RealmDown(ipc::CallContext& context, const ipc::RealmDown& request) override;
  absl::Status OutOfMemory(ipc::CallContext& context, const ipc::OutOfMemory& request) override;
  absl::Status RateLimitExceeded(ipc::CallContext& context,
                                 const ipc::RateLimitExceeded& request) override;
  absl::Status MemoryPressure(ipc::CallContext& context,
                              const ipc::MemoryPressure& request) override;

  /// Messages from other realms that could not be decoded (dropped, and counted).
  std::uint64_t undecodable() const { return undecodable_.load(std::memory_order_relaxed); }

 private:
  // A process to run fn (of namespace ns) with the argument tuple on top of scratch_'s stack
  // (popped), not started yet; or why there is none.
  absl::StatusOr<LonalaProcess*> new_process(Term fn, std::uint32_t ns, std::size_t heap_words);

  Heap scratch_;  // where incoming terms are decoded before they are copied into an envelope
  std::atomic<std::uint64_t> undecodable_{0};
};

}  // namespace lona::realm
