// lmm: the Lmm's event loop and services.
#include "lmm/lmm.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lmm/pidfd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "ipc/envelope.hpp"
#include "lmm/launcher.hpp"

namespace lona::lmm {
namespace {

// Epoll keys: what an event is about, in the top byte, and whose, below.
enum class Kind : std::uint64_t { kRealmSocket = 1, kRealmPidfd, kControlListener, kControl };
constexpr std::uint64_t kKindShift = 56;
constexpr std::uint64_t key(Kind kind, std::uint64_t id) {
  return (static_cast<std::uint64_t>(kind) << kKindShift) | id;
}
constexpr Kind kind_of(std::uint64_t k) { return static_cast<Kind>(k >> kKindShift); }
constexpr std::uint64_t id_of(std::uint64_t k) {
  return k & ((std::uint64_t{1} << kKindShift) - 1);
}

// Messages one realm may have read in one turn of the loop before the others get theirs.
constexpr int kReadBudget = 64;
// Messages waiting for a peer that does not read; past this, more are dropped (and counted).
constexpr std::size_t kMaxOutbox = 4096;
// How long a relayed call may wait for the realm it went to.
constexpr absl::Duration kRelayTimeout = absl::Seconds(30);
// The exit reason of a process in a realm that is gone, in the serialized-term format
// (docs/protocol.md): version 1, keyword (0x0A), 12 bytes, "noconnection".
constexpr std::uint8_t kNoConnection[] = {1,   0x0A, 12,  'n', 'o', 'c', 'o', 'n',
                                          'n', 'e',  'c', 't', 'i', 'o', 'n'};

absl::Status errno_error(const char* what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

std::uint64_t realm_of(const ipc::RealmRequest& request) {
  return request.realm() != nullptr ? request.realm()->value() : 0;
}

// The fault a signal stands for.
ipc::FaultType fault_type(int signal) {
  switch (signal) {
    case SIGSEGV:
    case SIGBUS:
      return ipc::FaultType_MemoryAccess;
    case SIGILL:
    case SIGFPE:
      return ipc::FaultType_Instruction;
    case SIGABRT:
      return ipc::FaultType_Abort;
    default:
      return ipc::FaultType_Killed;
  }
}

// CPU time of a process, user and system, in microseconds (0 when it cannot be read).
std::uint64_t cpu_micros(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces, but ends at the last ')').
  std::size_t end = text.rfind(')');
  if (end == std::string::npos) return 0;
  std::istringstream fields(text.substr(end + 2));
  std::string field;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
      break;
    }
  }
  long ticks = ::sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return 0;
  return (utime + stime) * 1'000'000 / static_cast<std::uint64_t>(ticks);
}

}  // namespace

namespace {
// Spares boot before they ask for their boot info, and then wait for it without a deadline.
LaunchSpec spare_spec(const LmmOptions& options) {
  std::vector<std::string> args{"--spare"};
  args.insert(args.end(), options.realm_args.begin(), options.realm_args.end());
  return {.vm_path = options.vm_path, .args = std::move(args), .terminal = false};
}
}  // namespace

Lmm::Lmm(LmmOptions options)
    : options_(std::move(options)), spares_(spare_spec(options_), options_.spare_realms) {}

Lmm::~Lmm() {
  // Every realm goes with the LMM (they would anyway: PR_SET_PDEATHSIG).
  for (auto& [id, realm] : realms_) {
    if (realm->pidfd) pidfd_signal(realm->pidfd.get(), SIGKILL);
  }
  for (auto& [id, realm] : realms_) {
    if (realm->pidfd) reap(realm->pidfd.get());
  }
  if (control_listener_) ::unlink(options_.control_path.c_str());
  if (epoll_ >= 0) ::close(epoll_);
}

// --- The event loop ---

void Lmm::watch(int fd, std::uint64_t k, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = k;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
}

void Lmm::set_interest(Connection& connection) {
  epoll_event event{};
  constexpr auto kIn = static_cast<std::uint32_t>(EPOLLIN);
  constexpr auto kOut = static_cast<std::uint32_t>(EPOLLOUT);
  event.events = (connection.reading && !connection.closed ? kIn : 0) |
                 (connection.outbox.empty() || connection.closed || !connection.ready ? 0 : kOut);
  event.data.u64 = connection.key;
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, connection.channel.fd(), &event);
}

absl::Status Lmm::open_control_socket() {
  const std::string& path = options_.control_path;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat("control socket path too long: ", path));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  control_listener_ =
      ipc::UniqueFd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!control_listener_) return errno_error("control socket");
  // A socket file left by an LMM that is gone is replaced; one that answers is not.
  if (::connect(control_listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
      0) {
    control_listener_.reset();
    return absl::AlreadyExistsError(absl::StrCat("another LMM serves the control socket ", path));
  }
  control_listener_ =
      ipc::UniqueFd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  ::unlink(path.c_str());
  mode_t old_mask = ::umask(0077);  // the owner's alone: it can terminate realms
  int bound =
      ::bind(control_listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::umask(old_mask);
  if (bound != 0 || ::listen(control_listener_.get(), 16) != 0) {
    absl::Status error = errno_error(absl::StrCat("control socket ", path).c_str());
    control_listener_.reset();
    return error;
  }
  watch(control_listener_.get(), key(Kind::kControlListener, 0), EPOLLIN);
  return absl::OkStatus();
}

absl::StatusOr<int> Lmm::run() {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) return errno_error("epoll_create1");
  // A realm that is gone must not take the LMM with it when a send finds its socket closed.
  ::signal(SIGPIPE, SIG_IGN);
  // Ctrl-C and Ctrl-\ at the terminal are the init realm's to handle (the REPL drops the input;
  // a program ends, and the system with it): the LMM, in the same process group, stays.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  if (!options_.control_path.empty()) {
    if (absl::Status opened = open_control_socket(); !opened.ok()) return opened;
  }
  quota_.add_root(1, options_.memory_limit);
  ipc::PolicyT policy;
  policy.memory = std::make_unique<ipc::MemoryPolicyT>();
  policy.memory->max_bytes = options_.memory_limit;
  std::vector<std::string> args = options_.realm_args;
  args.insert(args.end(), options_.init_args.begin(), options_.init_args.end());
  absl::StatusOr<Realm*> init = launch(0, "init", std::move(policy), options_.init_workers,
                                       std::move(args), options_.terminal);
  if (!init.ok()) return init.status();

  constexpr int kMaxEvents = 64;
  std::array<epoll_event, kMaxEvents> events{};
  while (!init_ended_) {
    absl::Time wake = next_timer();
    int timeout = -1;
    if (wake != absl::InfiniteFuture()) {
      timeout = static_cast<int>(std::clamp<std::int64_t>(
          absl::ToInt64Milliseconds(absl::Ceil(wake - absl::Now(), absl::Milliseconds(1))), 0,
          60'000));
    }
    // Spares start when nothing else waits: never on a caller's path, and not competing with
    // the start of the realm that took the last one.
    int n = 0;
    if (spares_.wants_more()) {
      n = ::epoll_wait(epoll_, events.data(), kMaxEvents, 0);
      if (n == 0) spares_.fill();
    }
    if (n == 0) n = ::epoll_wait(epoll_, events.data(), kMaxEvents, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("epoll_wait");
    }
    for (int i = 0; i < n && !init_ended_; ++i) {
      std::uint64_t k = events[i].data.u64;
      std::uint32_t what = events[i].events;
      switch (kind_of(k)) {
        case Kind::kRealmSocket: {
          Realm* realm = find(id_of(k));
          if (realm == nullptr || !realm->connection) break;
          if ((what & EPOLLOUT) != 0) on_writable(*realm->connection);
          if ((what & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) on_realm_readable(*realm);
          break;
        }
        case Kind::kRealmPidfd:
          on_realm_exited(id_of(k));
          break;
        case Kind::kControlListener:
          on_control_accept();
          break;
        case Kind::kControl: {
          auto found = controls_.find(kControlPeer + id_of(k));
          if (found == controls_.end()) break;
          if ((what & EPOLLOUT) != 0) on_writable(*found->second);
          if ((what & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) on_control_readable(found->first);
          break;
        }
      }
    }
    on_timers();
  }
  // The init realm has ended: the system ends with it.
  if (realms_.contains(1)) end_realm(1, ipc::DownReason_Terminated, nullptr);
  while (!realms_.empty()) end_realm(realms_.begin()->first, ipc::DownReason_Terminated, nullptr);
  return init_status_;
}

absl::Time Lmm::next_timer() const {
  absl::Time next = absl::InfiniteFuture();
  for (std::uint64_t id : throttled_) {
    next = std::min(next, realms_.at(id)->bucket.ready_at(options_.rate));
  }
  for (const auto& [id, relay] : relays_) next = std::min(next, relay.deadline);
  return next;
}

void Lmm::on_timers() {
  absl::Time now = absl::Now();
  std::vector<std::uint64_t> ids(throttled_.begin(), throttled_.end());
  for (std::uint64_t id : ids) {
    Realm& realm = *realms_.at(id);
    if (realm.flooding_since != absl::InfinitePast() &&
        now - realm.flooding_since >= options_.rate.suspend_after) {
      suspend_flooder(realm);
    } else if (realm.bucket.ready_at(options_.rate) <= now) {
      throttled_.erase(id);
      realm.connection->reading = true;
      set_interest(*realm.connection);
    }
  }
  std::vector<std::uint64_t> late;
  for (const auto& [id, relay] : relays_) {
    if (relay.deadline <= now) late.push_back(id);
  }
  for (std::uint64_t id : late) {
    Relay relay = relays_.at(id);
    relays_.erase(id);
    answer_caller(relay, absl::DeadlineExceededError(
                             absl::StrCat("realm ", relay.target, " did not answer within ",
                                          absl::FormatDuration(kRelayTimeout))));
  }
}

void Lmm::on_realm_readable(Realm& realm) {
  Connection& connection = *realm.connection;
  for (int n = 0; n < kReadBudget && connection.reading && !connection.closed; ++n) {
    absl::Status received = connection.channel.receive(incoming_, absl::ZeroDuration());
    if (absl::IsDeadlineExceeded(received)) {
      realm.flooding_since = absl::InfinitePast();  // it paused: it is not flooding
      return;
    }
    absl::Time now = absl::Now();
    if (absl::IsResourceExhausted(received)) {
      connection.dispatcher.reject_dropped(received, reply_);
      send(connection, reply_);
      realm.bucket.charge(options_.rate, now, options_.rate.malformed_cost);
    } else if (!received.ok()) {
      // Closed, or unreadable: the realm is of no more use. Its pidfd reports the end.
      connection.closed = true;
      ::epoll_ctl(epoll_, EPOLL_CTL_DEL, connection.channel.fd(), nullptr);
      if (realm.pidfd) pidfd_signal(realm.pidfd.get(), SIGKILL);
      return;
    } else {
      ++realm.requests;
      std::uint64_t id = realm.id;
      handle_message(realm, incoming_);
      if (!realms_.contains(id)) return;
    }
    if (!realm.bucket.take(options_.rate, now)) {
      throttled_.insert(realm.id);
      ++realm.throttled_count;
      if (realm.flooding_since == absl::InfinitePast()) realm.flooding_since = now;
      connection.reading = false;
      set_interest(connection);
      return;
    }
  }
}

void Lmm::handle_message(Realm& realm, ipc::Message& message) {
  Connection& connection = *realm.connection;
  ipc::RejectedMessage why{};
  const ipc::Envelope* envelope = ipc::verify_envelope(message.bytes(), why);
  bool booting = !connection.ready;
  bool answer;
  if (envelope == nullptr) {
    realm.bucket.charge(options_.rate, absl::Now(), options_.rate.malformed_cost);
    answer = connection.dispatcher.handle(message, reply_);  // answers and counts the rejection
  } else if (ipc::InboxCalls::contains(envelope->method()) ||
             ipc::NotificationsCalls::contains(envelope->method())) {
    // The realms serve these: from a realm, one is the answer to a call the LMM relayed to it
    // (or its error about a one-way message, which answers nothing).
    answer_relay(realm, *envelope);
    return;
  } else {
    answer = connection.dispatcher.handle(*envelope, message, reply_);
  }
  if (!answer) return;
  if (booting && realm.status == ipc::RealmStatus_Running) {
    // The boot info goes first; what came for the realm meanwhile follows it.
    connection.ready = true;
    connection.outbox.push_front(std::move(reply_));
    reply_ = ipc::Message();
    on_writable(connection);
    return;
  }
  send(connection, reply_);
}

void Lmm::on_realm_exited(std::uint64_t id) {
  Realm* realm = find(id);
  if (realm == nullptr || !realm->pidfd) return;
  siginfo_t info;
  if (reap_if_ended(realm->pidfd.get(), &info)) end_realm(id, ipc::DownReason_Crashed, &info);
}

void Lmm::on_control_accept() {
  for (;;) {
    int fd = ::accept4(control_listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    ipc::UniqueFd socket(fd);
    ucred peer{};
    socklen_t size = sizeof(peer);
    // Only the LMM's own user may control it (the socket's mode says so too).
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != ::getuid()) {
      continue;
    }
    std::uint64_t id = next_control_++;
    auto connection = std::make_unique<Connection>(ipc::SocketChannel(std::move(socket)), id,
                                                   key(Kind::kControl, id - kControlPeer));
    ControlService::bind(connection->dispatcher);
    watch(connection->channel.fd(), connection->key, EPOLLIN);
    controls_[id] = std::move(connection);
  }
}

void Lmm::on_control_readable(std::uint64_t peer) {
  Connection& connection = *controls_.at(peer);
  for (int n = 0; n < kReadBudget; ++n) {
    absl::Status received = connection.channel.receive(incoming_, absl::ZeroDuration());
    if (absl::IsDeadlineExceeded(received)) return;
    if (absl::IsResourceExhausted(received)) {
      connection.dispatcher.reject_dropped(received, reply_);
      send(connection, reply_);
      continue;
    }
    if (!received.ok()) {
      controls_.erase(peer);  // closing the socket takes it out of the epoll set
      return;
    }
    if (connection.dispatcher.handle(incoming_, reply_)) send(connection, reply_);
  }
}

// --- Sending ---

void Lmm::send(Connection& connection, ipc::Message& message) {
  if (connection.closed) return;
  if (connection.outbox.empty() && connection.ready) {
    absl::Status sent = connection.channel.send(message);
    if (sent.ok()) {
      message.clear();
      return;
    }
    if (!absl::IsResourceExhausted(sent)) {
      connection.closed = true;
      return;
    }
  }
  if (connection.outbox.size() >= kMaxOutbox) {
    ++connection.dropped;
    message.clear();
    return;
  }
  ipc::Message kept;
  kept.assign(message.bytes());
  kept.fds() = std::move(message.fds());
  message.clear();
  connection.outbox.push_back(std::move(kept));
  set_interest(connection);
}

void Lmm::on_writable(Connection& connection) {
  while (!connection.outbox.empty() && !connection.closed) {
    absl::Status sent = connection.channel.send(connection.outbox.front());
    if (absl::IsResourceExhausted(sent)) break;
    if (!sent.ok()) connection.closed = true;
    connection.outbox.pop_front();
  }
  if (connection.closed) connection.outbox.clear();
  set_interest(connection);
}

void Lmm::send_built(Connection& connection) {
  ipc::Message message;
  message.assign({out_.GetBufferPointer(), out_.GetSize()});
  send(connection, message);
}

Connection* Lmm::connection_of(std::uint64_t peer) {
  if (peer >= kControlPeer) {
    auto found = controls_.find(peer);
    return found == controls_.end() ? nullptr : found->second.get();
  }
  Realm* realm = find(peer);
  return realm == nullptr ? nullptr : realm->connection.get();
}

void Lmm::notify(std::uint64_t realm, const ipc::CallInfo& call, flatbuffers::Offset<void> body) {
  ipc::finish_envelope(out_, 0, call.method, call.request_type, body);
  Connection* connection = connection_of(realm);
  if (connection != nullptr) send_built(*connection);
}

// --- Relays ---

void Lmm::answer_caller(const Relay& relay, const absl::Status& error) {
  Connection* caller = connection_of(relay.caller);
  if (caller == nullptr) return;
  ipc::finish_error(out_, relay.caller_request_id, relay.caller_call->method, error);
  send_built(*caller);
}

void Lmm::answer_relay(Realm& from, const ipc::Envelope& envelope) {
  auto found = relays_.find(envelope.request_id());
  // A reply to nothing the LMM asked of this realm (late, or made up) is dropped.
  if (found == relays_.end() || found->second.target != from.id) return;
  Relay relay = found->second;
  relays_.erase(found);
  if (envelope.body_type() == ipc::Body_Error && envelope.body() != nullptr) {
    const ipc::Error* error = envelope.body_as_Error();
    answer_caller(
        relay, absl::Status(static_cast<absl::StatusCode>(error->code()),
                            error->message() != nullptr ? error->message()->str() : "no message"));
    return;
  }
  Connection* caller = connection_of(relay.caller);
  if (caller == nullptr) return;
  if (envelope.body() == nullptr || envelope.body_type() != relay.caller_call->reply_type) {
    answer_caller(relay,
                  absl::DataLossError(absl::StrCat("realm ", from.id, " answered with a ",
                                                   ipc::EnumNameBody(envelope.body_type()))));
    return;
  }
  // The same reply, under the caller's request id and call.
  out_.Clear();
  flatbuffers::Offset<void> body;
  if (envelope.body_type() == ipc::Body_SpawnInReply) {
    ipc::SpawnInReplyT value;
    envelope.body_as_SpawnInReply()->UnPackTo(&value);
    body = ipc::SpawnInReply::Pack(out_, &value).Union();
  } else {
    ipc::ProcessListT value;
    envelope.body_as_ProcessList()->UnPackTo(&value);
    body = ipc::ProcessList::Pack(out_, &value).Union();
  }
  ipc::finish_envelope(out_, relay.caller_request_id, relay.caller_call->method,
                       envelope.body_type(), body);
  send_built(*caller);
}

absl::StatusOr<Realm*> Lmm::relay_target(std::uint64_t id) {
  Realm* target = find(id);
  if (target == nullptr) return absl::NotFoundError(absl::StrCat("no realm ", id));
  // A suspended realm would not answer before it is resumed; one that has ended, never.
  if (target->status == ipc::RealmStatus_Suspended) {
    return absl::UnavailableError(absl::StrCat("realm ", id, " is suspended"));
  }
  if (!target->connection || target->connection->closed) {
    return absl::UnavailableError(absl::StrCat("realm ", id, " has ended"));
  }
  return target;
}

void Lmm::relay(ipc::CallContext& context, Realm& target, const ipc::CallInfo& call,
                const ipc::CallInfo& caller_call, flatbuffers::Offset<void> body) {
  std::uint64_t request_id = next_request_++;
  ipc::finish_envelope(out_, request_id, call.method, call.request_type, body);
  send_built(*target.connection);
  relays_[request_id] = Relay{context.peer(), context.request_id(), &caller_call, target.id,
                              absl::Now() + kRelayTimeout};
  context.defer();
}

void Lmm::fail_relays_to(std::uint64_t target) {
  std::vector<std::uint64_t> failed;
  for (const auto& [id, relay] : relays_) {
    if (relay.target == target) failed.push_back(id);
  }
  for (std::uint64_t id : failed) {
    Relay relay = relays_.at(id);
    relays_.erase(id);
    answer_caller(relay, absl::UnavailableError(absl::StrCat("realm ", target, " has ended")));
  }
}

// --- Realms ---

Realm* Lmm::find(std::uint64_t id) {
  auto found = realms_.find(id);
  return found == realms_.end() ? nullptr : found->second.get();
}

bool Lmm::is_ancestor(std::uint64_t ancestor, std::uint64_t id) const {
  auto found = realms_.find(id);
  while (found != realms_.end() && found->second->parent != 0) {
    if (found->second->parent == ancestor) return true;
    found = realms_.find(found->second->parent);
  }
  return false;
}

absl::StatusOr<Realm*> Lmm::descendant(std::uint64_t caller, const ipc::RealmRequest& request,
                                       bool self_ok) {
  std::uint64_t id = realm_of(request);
  Realm* realm = find(id);
  if (realm == nullptr) return absl::NotFoundError(absl::StrCat("no realm ", id));
  if (caller >= kControlPeer) return realm;  // the operator may act on any realm
  if (id == caller && self_ok) return realm;
  if (!is_ancestor(caller, id)) {
    return absl::PermissionDeniedError(
        absl::StrCat("realm ", id, " is not a descendant of realm ", caller));
  }
  return realm;
}

absl::StatusOr<Realm*> Lmm::launch(std::uint64_t parent, std::string name, ipc::PolicyT policy,
                                   std::uint32_t workers, std::vector<std::string> args,
                                   bool terminal) {
  // A child realm runs no command: a spare, started with the same options, serves as well.
  std::optional<LaunchedRealm> spare;
  if (parent != 0) spare = spares_.take();
  absl::StatusOr<LaunchedRealm> launched =
      spare ? *std::move(spare)
            : launch_realm(
                  {.vm_path = options_.vm_path, .args = std::move(args), .terminal = terminal});
  if (!launched.ok()) return launched.status();
  auto realm = std::make_unique<Realm>();
  realm->id = next_realm_++;
  realm->parent = parent;
  realm->name = std::move(name);
  realm->policy = std::move(policy);
  realm->workers = workers;
  realm->pid = launched->pid;
  realm->pidfd = std::move(launched->pidfd);
  realm->bucket = TokenBucket(options_.rate, absl::Now());
  if (absl::Status nonblocking = launched->channel.set_nonblocking(); !nonblocking.ok()) {
    return nonblocking;
  }
  realm->connection = std::make_unique<Connection>(std::move(launched->channel), realm->id,
                                                   key(Kind::kRealmSocket, realm->id));
  realm->connection->ready = false;
  BootService::bind(realm->connection->dispatcher);
  MemoryService::bind(realm->connection->dispatcher);
  RealmsService::bind(realm->connection->dispatcher);
  MessagingService::bind(realm->connection->dispatcher);
  watch(realm->connection->channel.fd(), realm->connection->key, EPOLLIN);
  watch(realm->pidfd.get(), key(Kind::kRealmPidfd, realm->id), EPOLLIN);
  if (parent != 0) realms_.at(parent)->children.push_back(realm->id);
  Realm* raw = realm.get();
  realms_[raw->id] = std::move(realm);
  return raw;
}

void Lmm::describe(const Realm& realm, ipc::RealmInfoT& info) const {
  info.realm = std::make_unique<ipc::RealmId>(realm.id);
  info.name = realm.name;
  info.status = realm.status;
  info.parent = std::make_unique<ipc::RealmId>(realm.parent);
  for (std::uint64_t child : realm.children) info.children.emplace_back(child);
  info.policy = std::make_unique<ipc::PolicyT>(realm.policy);
  info.usage = std::make_unique<ipc::ResourceUsageT>();
  if (const QuotaTree::Account* account = quota_.find(realm.id)) {
    info.usage->memory_bytes = account->own_bytes;
    info.usage->memory_bytes_subtree = account->subtree_bytes;
  }
  info.usage->cpu_micros = cpu_micros(realm.pid);
  info.process_count = realm.processes;
  info.os_pid = realm.pid;
}

void Lmm::suspend_flooder(Realm& realm) {
  pidfd_signal(realm.pidfd.get(), SIGSTOP);
  realm.status = ipc::RealmStatus_Suspended;
  throttled_.erase(realm.id);  // not read again before it is resumed
  realm.connection->reading = false;
  set_interest(*realm.connection);
  ++realm.suspensions;
  ipc::RateLimitExceededT event;
  event.realm = std::make_unique<ipc::RealmId>(realm.id);
  event.requests = realm.requests;
  event.allowed = static_cast<std::uint64_t>(options_.rate.burst);
  event.suspended = true;
  out_.Clear();
  notify(realm.parent, ipc::NotificationsCalls::RateLimitExceeded,
         ipc::RateLimitExceeded::Pack(out_, &event).Union());
  std::cerr << "lona: realm " << realm.id << " (" << realm.name
            << ") kept flooding the LMM and is suspended until it is resumed\n";
}

void Lmm::end_realm(std::uint64_t id, ipc::DownReason reason, const siginfo_t* reaped) {
  // Children first, so that each realm's books are empty of children when it goes.
  std::vector<std::uint64_t> order;
  std::vector<std::uint64_t> stack{id};
  while (!stack.empty()) {
    std::uint64_t next = stack.back();
    stack.pop_back();
    order.push_back(next);
    for (std::uint64_t child : realms_.at(next)->children) stack.push_back(child);
  }
  std::reverse(order.begin(), order.end());
  for (std::uint64_t each : order) {
    Realm& realm = *realms_.at(each);
    if (each == id && reaped != nullptr) continue;
    realm.ended_by_lmm = true;
    realm.end_reason = each == id ? reason : ipc::DownReason_Terminated;
    pidfd_signal(realm.pidfd.get(), SIGKILL);
  }
  // SIGKILL cannot be caught or stopped: each wait is as long as the kernel takes to tear the
  // process down.
  for (std::uint64_t each : order) {
    Realm& realm = *realms_.at(each);
    siginfo_t info = each == id && reaped != nullptr ? *reaped : reap(realm.pidfd.get());
    finish_realm(realm, info, each == id);
  }
}

void Lmm::finish_realm(Realm& realm, const siginfo_t& status, bool tell_parent) {
  std::uint64_t id = realm.id;
  ipc::RealmDownT down;
  down.realm = std::make_unique<ipc::RealmId>(id);
  down.fault = std::make_unique<ipc::FaultT>();
  if (status.si_code == CLD_EXITED) {
    down.reason = realm.ended_by_lmm ? realm.end_reason : ipc::DownReason_Normal;
    down.exit_status = status.si_status;
  } else {
    down.reason = realm.ended_by_lmm ? realm.end_reason : ipc::DownReason_Crashed;
    down.fault->signal = status.si_status;
    down.fault->type = realm.ended_by_lmm ? ipc::FaultType_None : fault_type(status.si_status);
  }
  if (id == 1) {
    init_ended_ = true;
    init_status_ = status.si_code == CLD_EXITED ? status.si_status : 128 + status.si_status;
  }
  if (realm.connection) {
    if (!realm.connection->closed) {
      ::epoll_ctl(epoll_, EPOLL_CTL_DEL, realm.connection->channel.fd(), nullptr);
    }
    realm.connection.reset();
  }
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, realm.pidfd.get(), nullptr);
  realm.pidfd.reset();
  for (auto& [grant, held] : realm.grants) quota_.release(id, held.bytes);
  realm.grants.clear();
  quota_.remove(id);
  fail_relays_to(id);
  throttled_.erase(id);
  absl::flat_hash_set<std::uint64_t> told = std::move(realm.watchers);
  std::uint64_t parent = realm.parent;
  if (Realm* up = find(parent)) {
    std::erase(up->children, id);
  }
  realms_.erase(id);
  // Tell the parent why, and every realm with links or monitors into this one that they broke.
  if (tell_parent) told.insert(parent);
  for (std::uint64_t watcher : told) {
    if (find(watcher) == nullptr) continue;
    out_.Clear();
    notify(watcher, ipc::NotificationsCalls::RealmDown, ipc::RealmDown::Pack(out_, &down).Union());
  }
  update_pressure(parent);  // what the realm held is the parent's again
}

// --- Boot ---

absl::Status Lmm::GetBootInfo(ipc::CallContext& context, const ipc::BootInfoRequest&,
                              ipc::BootInfoT& reply) {
  Realm& realm = *find(context.peer());
  if (realm.status != ipc::RealmStatus_Created) {
    return absl::FailedPreconditionError(absl::StrCat("realm ", realm.id, " has booted already"));
  }
  realm.status = ipc::RealmStatus_Running;
  reply.realm = std::make_unique<ipc::RealmId>(realm.id);
  reply.parent = std::make_unique<ipc::RealmId>(realm.parent);
  reply.name = realm.name;
  reply.policy = std::make_unique<ipc::PolicyT>(realm.policy);
  reply.workers = realm.workers;
  if (realm.id == 1 && options_.terminal) reply.flags = ipc::BootFlags_Repl;
  return absl::OkStatus();
}

// --- Memory ---

namespace {
// Low from 75% of the limit, Critical from 90% (an unlimited realm feels no pressure).
ipc::MemoryPressureLevel pressure_of(const QuotaTree::Account& account) {
  if (account.limit_bytes == QuotaTree::kUnlimited || account.limit_bytes == 0) {
    return ipc::MemoryPressureLevel_Normal;
  }
  long double used = static_cast<long double>(account.subtree_bytes) / account.limit_bytes;
  if (used >= 0.9L) return ipc::MemoryPressureLevel_Critical;
  if (used >= 0.75L) return ipc::MemoryPressureLevel_Low;
  return ipc::MemoryPressureLevel_Normal;
}
}  // namespace

void Lmm::update_pressure(std::uint64_t id) {
  for (Realm* realm = find(id); realm != nullptr; realm = find(realm->parent)) {
    const QuotaTree::Account* account = quota_.find(realm->id);
    if (account == nullptr) return;
    ipc::MemoryPressureLevel level = pressure_of(*account);
    if (level == realm->pressure) continue;
    realm->pressure = level;
    ipc::MemoryPressureT event;
    event.realm = std::make_unique<ipc::RealmId>(realm->id);
    event.level = level;
    event.held_bytes = account->subtree_bytes;
    event.limit_bytes = account->limit_bytes;
    out_.Clear();
    notify(realm->id, ipc::NotificationsCalls::MemoryPressure,
           ipc::MemoryPressure::Pack(out_, &event).Union());
  }
}

absl::Status Lmm::Allocate(ipc::CallContext& context, const ipc::AllocateRequest& request,
                           ipc::AllocateReplyT& reply) {
  Realm& realm = *find(context.peer());
  if (request.region_type() > ipc::RegionType_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("no region type ", static_cast<int>(request.region_type())));
  }
  std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  if (request.size() == 0 || request.size() > options_.max_grant_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a grant is 1 to ", options_.max_grant_bytes, " bytes, not ", request.size()));
  }
  std::uint64_t bytes = (request.size() + page - 1) / page * page;
  if (absl::Status charged = quota_.charge(realm.id, bytes); !charged.ok()) {
    ipc::OutOfMemoryT event;
    event.realm = std::make_unique<ipc::RealmId>(realm.id);
    event.requested_bytes = bytes;
    const QuotaTree::Account* account = quota_.find(realm.id);
    event.held_bytes = account->subtree_bytes;
    event.limit_bytes = account->limit_bytes;
    for (std::uint64_t told : {realm.id, realm.parent}) {
      out_.Clear();
      notify(told, ipc::NotificationsCalls::OutOfMemory,
             ipc::OutOfMemory::Pack(out_, &event).Union());
    }
    return absl::ResourceExhaustedError(absl::StrCat(
        "out of memory: ", bytes, " bytes more would pass a limit: ", charged.message()));
  }
  std::uint64_t grant = next_grant_++;
  ipc::UniqueFd memfd(
      ::memfd_create(absl::StrCat("lona-realm-", realm.id, "-grant-", grant).c_str(),
                     MFD_CLOEXEC | MFD_ALLOW_SEALING));
  // Sealed at its size: a realm cannot grow what it was granted past its quota.
  if (!memfd || ::ftruncate(memfd.get(), static_cast<off_t>(bytes)) != 0 ||
      ::fcntl(memfd.get(), F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
    absl::Status error = errno_error("memfd");
    quota_.release(realm.id, bytes);
    return error;
  }
  Grant& held = realm.grants[grant];
  held.bytes = bytes;
  held.type = request.region_type();
  if (held.type == ipc::RegionType_Code || held.type == ipc::RegionType_Shared) {
    held.memfd = ipc::UniqueFd(::fcntl(memfd.get(), F_DUPFD_CLOEXEC, 0));
  }
  context.attach(std::move(memfd));
  reply.grant = std::make_unique<ipc::GrantId>(grant);
  reply.size = bytes;
  update_pressure(realm.id);
  return absl::OkStatus();
}

absl::Status Lmm::Free(ipc::CallContext& context, const ipc::FreeRequest& request,
                       ipc::FreeReplyT& reply) {
  Realm& realm = *find(context.peer());
  std::uint64_t grant = request.grant() != nullptr ? request.grant()->value() : 0;
  auto found = realm.grants.find(grant);
  if (found == realm.grants.end()) {
    return absl::NotFoundError(absl::StrCat("realm ", realm.id, " holds no grant ", grant));
  }
  reply.freed_bytes = found->second.bytes;
  quota_.release(realm.id, found->second.bytes);
  realm.grants.erase(found);
  update_pressure(realm.id);
  return absl::OkStatus();
}

// --- Realms ---

absl::Status Lmm::Create(ipc::CallContext& context, const ipc::RealmCreateRequest& request,
                         ipc::RealmCreateReplyT& reply) {
  Realm& parent = *find(context.peer());
  std::string name = request.name()->str();
  if (name.empty() || name.size() > 255) {
    return absl::InvalidArgumentError("a realm's name is 1 to 255 bytes");
  }
  if (realms_.size() >= options_.max_realms) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the system has its most realms (", options_.max_realms, ")"));
  }
  if (request.shared() != nullptr && request.shared()->size() != 0) {
    return absl::UnimplementedError("shared regions are not implemented yet");
  }
  if (request.workers() > 1024) {
    return absl::InvalidArgumentError("a realm has 1 to 1024 worker threads");
  }
  ipc::PolicyT policy;
  if (request.policy() != nullptr) request.policy()->UnPackTo(&policy);
  if (!policy.memory) policy.memory = std::make_unique<ipc::MemoryPolicyT>();
  if (!policy.cpu) policy.cpu = std::make_unique<ipc::CpuPolicyT>();
  std::uint64_t id = next_realm_;
  if (absl::Status fits =
          quota_.add_child(id, parent.id, policy.memory->min_bytes, policy.memory->max_bytes);
      !fits.ok()) {
    return fits;
  }
  policy.memory->max_bytes = quota_.find(id)->limit_bytes;
  absl::StatusOr<Realm*> child = launch(parent.id, std::move(name), std::move(policy),
                                        request.workers(), options_.realm_args, false);
  if (!child.ok()) {
    quota_.remove(id);
    return child.status();
  }
  reply.realm = std::make_unique<ipc::RealmId>((*child)->id);
  return absl::OkStatus();
}

absl::Status Lmm::Resume(ipc::CallContext& context, const ipc::RealmRequest& request,
                         ipc::RealmStatusReplyT& reply) {
  // Realms.Resume and Control.Resume, as Terminate below.
  absl::StatusOr<Realm*> found = descendant(context.peer(), request, false);
  if (!found.ok()) return found.status();
  Realm& realm = **found;
  if (realm.status == ipc::RealmStatus_Suspended) {
    pidfd_signal(realm.pidfd.get(), SIGCONT);
    realm.status = ipc::RealmStatus_Running;
    realm.flooding_since = absl::InfinitePast();
    realm.bucket = TokenBucket(options_.rate, absl::Now());
    realm.connection->reading = true;
    set_interest(*realm.connection);
  }
  reply.realm = std::make_unique<ipc::RealmId>(realm.id);
  reply.status = realm.status;
  return absl::OkStatus();
}

absl::Status Lmm::Terminate(ipc::CallContext& context, const ipc::RealmRequest& request,
                            ipc::RealmStatusReplyT& reply) {
  // Realms.Terminate (a realm's descendants) and Control.Terminate (any realm but the init
  // realm) are the same call on different connections.
  absl::StatusOr<Realm*> realm = descendant(context.peer(), request, false);
  if (!realm.ok()) return realm.status();
  std::uint64_t id = (*realm)->id;
  if (id == 1) return absl::PermissionDeniedError("the init realm cannot be terminated");
  end_realm(id, ipc::DownReason_Terminated, nullptr);
  reply.realm = std::make_unique<ipc::RealmId>(id);
  reply.status = ipc::RealmStatus_Terminated;
  return absl::OkStatus();
}

absl::Status Lmm::Info(ipc::CallContext& context, const ipc::RealmRequest& request,
                       ipc::RealmInfoT& reply) {
  absl::StatusOr<Realm*> realm = descendant(context.peer(), request, true);
  if (!realm.ok()) return realm.status();
  describe(**realm, reply);
  return absl::OkStatus();
}

absl::Status Lmm::ListChildren(ipc::CallContext& context, const ipc::RealmRequest& request,
                               ipc::RealmListT& reply) {
  absl::StatusOr<Realm*> realm = descendant(context.peer(), request, true);
  if (!realm.ok()) return realm.status();
  for (std::uint64_t child : (*realm)->children) reply.realms.emplace_back(child);
  return absl::OkStatus();
}

// --- Messaging ---

absl::Status Lmm::Forward(ipc::CallContext& context, const ipc::ForwardMessage& request) {
  Realm* target = find(request.to()->realm().value());
  // As within a realm, a message to a process that is gone is dropped without a word.
  if (target == nullptr || !target->connection) return absl::OkStatus();
  ipc::Pid from(ipc::RealmId(context.peer()),
                request.from() != nullptr ? request.from()->local() : 0);
  out_.Clear();
  auto body = ipc::CreateForwardMessage(
      out_, request.to(), &from, out_.CreateVector(request.term()->data(), request.term()->size()));
  ipc::finish_envelope(out_, 0, ipc::InboxCalls::Deliver.method,
                       ipc::InboxCalls::Deliver.request_type, body.Union());
  send_built(*target->connection);
  return absl::OkStatus();
}

absl::Status Lmm::Signal(ipc::CallContext& context, const ipc::ForwardSignal& request) {
  std::uint64_t caller = context.peer();
  ipc::Pid from(ipc::RealmId(caller), request.from()->local());
  ipc::SignalKind kind = request.kind();
  Realm* target = find(request.to()->realm().value());
  if (target == nullptr || !target->connection) {
    // A link or monitor to a realm that is gone breaks at once, as it would when it went.
    if (kind != ipc::SignalKind_Link && kind != ipc::SignalKind_Monitor) return absl::OkStatus();
    out_.Clear();
    auto body = ipc::CreateForwardSignal(
        out_, &from, request.to(),
        kind == ipc::SignalKind_Link ? ipc::SignalKind_Exit : ipc::SignalKind_Down, request.ref(),
        out_.CreateVector(kNoConnection, sizeof(kNoConnection)), kind == ipc::SignalKind_Link);
    ipc::finish_envelope(out_, 0, ipc::InboxCalls::Signal.method,
                         ipc::InboxCalls::Signal.request_type, body.Union());
    send_built(*find(caller)->connection);
    return absl::OkStatus();
  }
  if (kind == ipc::SignalKind_Link || kind == ipc::SignalKind_Monitor) {
    target->watchers.insert(caller);
    if (kind == ipc::SignalKind_Link) find(caller)->watchers.insert(target->id);
  }
  out_.Clear();
  flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> reason;
  if (request.reason() != nullptr) {
    reason = out_.CreateVector(request.reason()->data(), request.reason()->size());
  }
  auto body = ipc::CreateForwardSignal(out_, request.to(), &from, kind, request.ref(), reason,
                                       request.linked());
  ipc::finish_envelope(out_, 0, ipc::InboxCalls::Signal.method,
                       ipc::InboxCalls::Signal.request_type, body.Union());
  send_built(*target->connection);
  return absl::OkStatus();
}

absl::Status Lmm::SpawnIn(ipc::CallContext& context, const ipc::SpawnInRequest& request,
                          ipc::SpawnInReplyT&) {
  std::uint64_t caller = context.peer();
  absl::StatusOr<Realm*> target =
      relay_target(request.realm() != nullptr ? request.realm()->value() : 0);
  if (!target.ok()) return target.status();
  if (!is_ancestor(caller, (*target)->id)) {
    return absl::PermissionDeniedError(absl::StrCat("not-descendant: realm ", (*target)->id,
                                                    " is not a descendant of realm ", caller));
  }
  ipc::SpawnInRequestT spawn;
  request.UnPackTo(&spawn);
  std::uint64_t parent_local = spawn.parent ? spawn.parent->local() : 0;
  spawn.parent = std::make_unique<ipc::Pid>(ipc::RealmId(caller), parent_local);
  // spawn-link-in, spawn-monitor-in: the caller hears when the realm ends, as for `link`. (The
  // other way needs nothing: the realm is a descendant, and goes when the caller's does.)
  if (spawn.options && (spawn.options->link || spawn.options->monitor)) {
    (*target)->watchers.insert(caller);
  }
  out_.Clear();
  relay(context, **target, ipc::InboxCalls::Spawn, ipc::MessagingCalls::SpawnIn,
        ipc::SpawnInRequest::Pack(out_, &spawn).Union());
  return absl::OkStatus();
}

absl::Status Lmm::ReportUsage(ipc::CallContext& context, const ipc::UsageReport& request) {
  find(context.peer())->processes = request.processes();
  return absl::OkStatus();
}

// --- Control ---

absl::Status Lmm::ListRealms(ipc::CallContext&, const ipc::ListRealmsRequest&,
                             ipc::RealmInfoListT& reply) {
  for (const auto& [id, realm] : realms_) {
    auto info = std::make_unique<ipc::RealmInfoT>();
    describe(*realm, *info);
    reply.realms.push_back(std::move(info));
  }
  return absl::OkStatus();
}

absl::Status Lmm::Stats(ipc::CallContext& context, const ipc::RealmRequest& request,
                        ipc::RealmStatsT& reply) {
  absl::StatusOr<Realm*> found = descendant(context.peer(), request, true);
  if (!found.ok()) return found.status();
  const Realm& realm = **found;
  reply.realm = std::make_unique<ipc::RealmId>(realm.id);
  reply.grants = realm.grants.size();
  const QuotaTree::Account* account = quota_.find(realm.id);
  reply.granted_bytes = account->own_bytes;
  reply.limit_bytes = account->limit_bytes;
  reply.requests = realm.requests;
  if (realm.connection) {
    const ipc::DispatchStats& stats = realm.connection->dispatcher.stats();
    reply.rejected = stats.failed + stats.total_rejected();
    reply.dropped = realm.connection->dropped;
  }
  reply.throttled = realm.throttled_count;
  reply.suspensions = realm.suspensions;
  return absl::OkStatus();
}

absl::Status Lmm::CountProcesses(ipc::CallContext&, const ipc::ProcessCountsRequest&,
                                 ipc::ProcessCountsT& reply) {
  for (const auto& [id, realm] : realms_) {
    auto count = std::make_unique<ipc::ProcessCountT>();
    count->realm = std::make_unique<ipc::RealmId>(id);
    count->processes = realm->processes;
    reply.counts.push_back(std::move(count));
  }
  return absl::OkStatus();
}

absl::Status Lmm::ListProcesses(ipc::CallContext& context, const ipc::ProcessListRequest& request,
                                ipc::ProcessListT&) {
  absl::StatusOr<Realm*> target =
      relay_target(request.realm() != nullptr ? request.realm()->value() : 0);
  if (!target.ok()) return target.status();
  ipc::ProcessListRequestT ask;
  request.UnPackTo(&ask);
  out_.Clear();
  relay(context, **target, ipc::InboxCalls::ListProcesses, ipc::ControlCalls::ListProcesses,
        ipc::ProcessListRequest::Pack(out_, &ask).Union());
  return absl::OkStatus();
}

}  // namespace lona::lmm
