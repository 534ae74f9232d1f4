// lmm: the memory manager. One thread, one epoll loop, no Lonala: it launches the init realm
// and every realm after it, keeps the realm tree and its memory books, grants memory as memfds,
// routes messages, spawns and signals between realms, reaps realms through pidfds, limits how
// fast each realm may ask, and serves the control socket. DESIGN.md §7; docs/realms.md.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flatbuffers/flatbuffers.h"
#include "idl/lona_services.hpp"
#include "lmm/quota_tree.hpp"
#include "lmm/realm.hpp"
#include "lmm/spare_pool.hpp"
#include "lmm/token_bucket.hpp"

namespace lona::lmm {

struct LmmOptions {
  /// The lona-vm executable realms run.
  std::string vm_path;
  /// The init realm's command (`run FILE`, `eval EXPR`, `repl --batch`, `repl`).
  std::vector<std::string> init_args;
  /// Options every realm gets before its command (`--lib DIR`...).
  std::vector<std::string> realm_args;
  /// Worker threads of the init realm (0: one per core).
  std::uint32_t init_workers = 0;
  /// What the init realm and all its descendants may hold.
  std::uint64_t memory_limit = QuotaTree::kUnlimited;
  /// The control socket's path; empty: no control socket.
  std::string control_path;
  RateLimit rate;
  /// Most realms alive at once, the init realm included.
  std::size_t max_realms = 1024;
  /// Whether the init realm has the terminal.
  bool terminal = true;
  /// Most bytes one grant may have.
  std::uint64_t max_grant_bytes = std::uint64_t{1} << 30;
  /// Booted lona-vm processes kept waiting for realm-create, from its first call on (0: none).
  std::size_t spare_realms = 1;
};

class Lmm final : public ipc::BootService,
                  public ipc::MemoryService,
                  public ipc::RealmsService,
                  public ipc::MessagingService,
                  public ipc::ControlService {
 public:
  explicit Lmm(LmmOptions options);
  ~Lmm() override;
  Lmm(const Lmm&) = delete;
  Lmm& operator=(const Lmm&) = delete;

  /// Starts the init realm and serves until it ends. Returns its exit status as a shell gives
  /// it (128 + signal when killed); an error when the LMM could not start.
  absl::StatusOr<int> run();

  // Boot
  absl::Status GetBootInfo(ipc::CallContext& context, const ipc::BootInfoRequest& request,
                           ipc::BootInfoT& reply) override;
  // Memory
  absl::Status Allocate(ipc::CallContext& context, const ipc::AllocateRequest& request,
                        ipc::AllocateReplyT& reply) override;
  absl::Status Free(ipc::CallContext& context, const ipc::FreeRequest& request,
                    ipc::FreeReplyT& reply) override;
  // Realms
  absl::Status Create(ipc::CallContext& context, const ipc::RealmCreateRequest& request,
                      ipc::RealmCreateReplyT& reply) override;
  absl::Status Resume(ipc::CallContext& context, const ipc::RealmRequest& request,
                      ipc::RealmStatusReplyT& reply) override;
  absl::Status Terminate(ipc::CallContext& context, const ipc::RealmRequest& request,
                         ipc::RealmStatusReplyT& reply) override;
  absl::Status Info(ipc::CallContext& context, const ipc::RealmRequest& request,
                    ipc::RealmInfoT& reply) override;
  absl::Status ListChildren(ipc::CallContext& context, const ipc::RealmRequest& request,
                            ipc::RealmListT& reply) override;
  // Messaging
  absl::Status Forward(ipc::CallContext& context, const ipc::ForwardMessage& request) override;
  absl::Status SpawnIn(ipc::CallContext& context, const ipc::SpawnInRequest& request,
                       ipc::SpawnInReplyT& reply) override;
  absl::Status Signal(ipc::CallContext& context, const ipc::ForwardSignal& request) override;
  absl::Status ReportUsage(ipc::CallContext& context, const ipc::UsageReport& request) override;
  // Control (the peer of a control connection is kControlPeer)
  absl::Status ListRealms(ipc::CallContext& context, const ipc::ListRealmsRequest& request,
                          ipc::RealmInfoListT& reply) override;
  absl::Status Stats(ipc::CallContext& context, const ipc::RealmRequest& request,
                     ipc::RealmStatsT& reply) override;
  absl::Status CountProcesses(ipc::CallContext& context, const ipc::ProcessCountsRequest& request,
                              ipc::ProcessCountsT& reply) override;
  absl::Status ListProcesses(ipc::CallContext& context, const ipc::ProcessListRequest& request,
                             ipc::ProcessListT& reply) override;

 private:
  /// Control connections' peer ids start here (realm ids stay far below).
  static constexpr std::uint64_t kControlPeer = std::uint64_t{1} << 40;

  /// A call the LMM relayed to a realm and answers when that realm does.
  struct Relay {
    /// Who asked: a realm id, or a control connection's peer id.
    std::uint64_t caller;
    std::uint64_t caller_request_id;
    const ipc::CallInfo* caller_call;
    /// The realm asked.
    std::uint64_t target;
    absl::Time deadline;
  };

  // The event loop.
  absl::Status open_control_socket();
  void watch(int fd, std::uint64_t key, std::uint32_t events);
  /// Tells epoll what the connection waits for: input unless it is not read now, output while
  /// its outbox holds something.
  void set_interest(Connection& connection);
  void on_realm_readable(Realm& realm);
  void on_realm_exited(std::uint64_t id);
  void on_writable(Connection& connection);
  void on_control_accept();
  void on_control_readable(std::uint64_t peer);
  /// Throttled realms that may be read again (or must be suspended), relays past their time.
  void on_timers();
  absl::Time next_timer() const;
  void handle_message(Realm& realm, ipc::Message& message);

  // Sending.
  void send(Connection& connection, ipc::Message& message);
  /// Sends what out_ holds.
  void send_built(Connection& connection);
  Connection* connection_of(std::uint64_t peer);
  /// Sends a one-way `call` whose body out_ holds to `realm` (if it is there).
  void notify(std::uint64_t realm, const ipc::CallInfo& call, flatbuffers::Offset<void> body);
  /// Tells `realm` and each ancestor whose memory pressure level changed (after a grant, a
  /// release, or the end of a child).
  void update_pressure(std::uint64_t realm);

  // Relays.
  /// The realm `id`, if a call relayed to it now can be answered (NotFound, Unavailable).
  absl::StatusOr<Realm*> relay_target(std::uint64_t id);
  /// Sends `call`, whose request out_ holds as `body`, to `target`, and answers the caller's
  /// `caller_call` (deferred) when `target` answers.
  void relay(ipc::CallContext& context, Realm& target, const ipc::CallInfo& call,
             const ipc::CallInfo& caller_call, flatbuffers::Offset<void> body);
  void answer_caller(const Relay& relay, const absl::Status& error);
  void answer_relay(Realm& from, const ipc::Envelope& envelope);
  void fail_relays_to(std::uint64_t target);

  // Realms.
  absl::StatusOr<Realm*> launch(std::uint64_t parent, std::string name, ipc::PolicyT policy,
                                std::uint32_t workers, std::vector<std::string> args,
                                bool terminal);
  Realm* find(std::uint64_t id);
  /// The realm `request` names if the caller may act on it: itself (when `self_ok`) or a
  /// descendant (any realm, for the control socket). NotFound or PermissionDenied otherwise.
  absl::StatusOr<Realm*> descendant(std::uint64_t caller, const ipc::RealmRequest& request,
                                    bool self_ok);
  bool is_ancestor(std::uint64_t ancestor, std::uint64_t id) const;
  void describe(const Realm& realm, ipc::RealmInfoT& info) const;
  /// Stops a realm the rate limiter held up too long (SIGSTOP) and tells its parent.
  void suspend_flooder(Realm& realm);
  /// Ends `id` and its descendants: kills them (but `id` itself when `reaped` says how it
  /// ended), reaps them, reclaims what they held, tells who must know. `reason` is why, for
  /// `id` (its descendants are Terminated).
  void end_realm(std::uint64_t id, ipc::DownReason reason, const siginfo_t* reaped);
  void finish_realm(Realm& realm, const siginfo_t& status, bool tell_parent);

  LmmOptions options_;
  SparePool spares_;
  int epoll_ = -1;
  ipc::UniqueFd control_listener_;
  QuotaTree quota_;
  std::map<std::uint64_t, std::unique_ptr<Realm>> realms_;
  std::uint64_t next_realm_ = 1;
  std::uint64_t next_grant_ = 1;
  absl::flat_hash_map<std::uint64_t, std::unique_ptr<Connection>> controls_;
  std::uint64_t next_control_ = kControlPeer;
  std::uint64_t next_request_ = 1;
  absl::flat_hash_map<std::uint64_t, Relay> relays_;
  /// Running realms not read until their bucket refills: what the loop's timer looks at.
  absl::flat_hash_set<std::uint64_t> throttled_;
  flatbuffers::FlatBufferBuilder out_{1024};
  ipc::Message incoming_;
  ipc::Message reply_;
  /// The init realm's end, once reaped.
  bool init_ended_ = false;
  int init_status_ = 0;
};

}  // namespace lona::lmm
