// tests/ipc: a small, real implementation of the LMM's side of the protocol for the IPC tests,
// the cross-version peers and the benchmark: memory grants are real memfds under a quota, realms
// are entries in a table. It is compiled against every protocol version (current and frozen),
// so it uses only what the first frozen version has.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "idl/lona_services.hpp"

namespace lona::ipc::testing {

/// What the reference server holds.
class ReferenceLmm final : public BootService,
                           public MemoryService,
                           public RealmsService,
                           public ControlService {
 public:
  /// Every grant's memfd starts with this text and the grant id, so a client that maps it can
  /// tell that it got the grant it asked for.
  static constexpr const char* kGrantMarker = "lona grant ";

  explicit ReferenceLmm(std::uint64_t quota_bytes = 64 << 20) : quota_bytes_(quota_bytes) {}

  /// Binds every service it implements to `dispatcher`.
  void bind_all(Dispatcher& dispatcher);

  /// With fds off, Allocate replies without the memfd (the benchmark measures the message alone).
  void set_send_fds(bool send) { send_fds_ = send; }
  std::uint64_t held_bytes() const { return held_bytes_; }

  absl::Status GetBootInfo(CallContext& context, const BootInfoRequest& request,
                           BootInfoT& reply) override;
  absl::Status Allocate(CallContext& context, const AllocateRequest& request,
                        AllocateReplyT& reply) override;
  absl::Status Free(CallContext& context, const FreeRequest& request, FreeReplyT& reply) override;
  absl::Status Create(CallContext& context, const RealmCreateRequest& request,
                      RealmCreateReplyT& reply) override;
  absl::Status Start(CallContext& context, const RealmRequest& request,
                     RealmStatusReplyT& reply) override;
  absl::Status Suspend(CallContext& context, const RealmRequest& request,
                       RealmStatusReplyT& reply) override;
  absl::Status Resume(CallContext& context, const RealmRequest& request,
                      RealmStatusReplyT& reply) override;
  absl::Status Terminate(CallContext& context, const RealmRequest& request,
                         RealmStatusReplyT& reply) override;
  absl::Status Info(CallContext& context, const RealmRequest& request, RealmInfoT& reply) override;
  absl::Status ListChildren(CallContext& context, const RealmRequest& request,
                            RealmListT& reply) override;
  absl::Status ListRealms(CallContext& context, const ListRealmsRequest& request,
                          RealmInfoListT& reply) override;
  absl::Status Stats(CallContext& context, const RealmRequest& request,
                     RealmStatsT& reply) override;
  absl::Status CountProcesses(CallContext& context, const ProcessCountsRequest& request,
                              ProcessCountsT& reply) override;

 private:
  struct Realm {
    std::string name;
    std::uint64_t parent;
    RealmStatus status;
  };
  absl::Status set_status(const RealmRequest& request, RealmStatus status,
                          RealmStatusReplyT& reply);
  /// The realm a request names, or NotFound.
  absl::StatusOr<std::uint64_t> known_realm(const RealmRequest& request) const;
  void describe(std::uint64_t id, RealmInfoT& info) const;

  std::uint64_t quota_bytes_;
  std::uint64_t held_bytes_ = 0;
  bool send_fds_ = true;
  std::uint64_t next_grant_ = 1;
  std::map<std::uint64_t, std::uint64_t> grants_;  // id -> bytes
  std::map<std::uint64_t, Realm> realms_{{1, Realm{"init", 0, RealmStatus_Running}}};
  std::uint64_t next_realm_ = 2;
  std::uint64_t requests_ = 0;
};

}  // namespace lona::ipc::testing
