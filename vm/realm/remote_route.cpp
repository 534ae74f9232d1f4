// vm/realm: the RealmRoute and forward_message.
#include "vm/realm/remote_route.hpp"

#include <optional>
#include <vector>

#include "runtime/process/envelope.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/term_codec.hpp"
#include "runtime/term/text.hpp"
#include "vm/printer/printer.hpp"
#include "vm/realm/lmm_link.hpp"

namespace lona::realm {
namespace {

Term noconnection() {
  static const Term k = make_keyword("noconnection");
  return k;
}

// The serialized exit reason. One that cannot travel (it holds a function, say) goes as its
// printed form, a string: the receiver still learns why, and its link or monitor still breaks.
std::vector<std::uint8_t> encode_reason(Term reason, std::uint64_t realm) {
  std::vector<std::uint8_t> out;
  std::string error;
  if (encode_term(reason, realm, &out, &error)) return out;
  Heap heap;
  Term printed = make_string(heap, print_bounded(reason, 4000));
  (void)encode_term(printed, realm, &out, &error);  // a string always travels
  return out;
}

void send_signal(ipc::ForwardSignalT& signal) {
  LmmLink* link = LmmLink::current();
  if (link == nullptr) return;
  // The LMM gone means this realm is going too: the signal is lost with everything else.
  (void)link->with_sends([&](LmmLink::Clients& sends) { return sends.messaging.Signal(signal); });
}

}  // namespace

RealmRoute& RealmRoute::get() {
  static auto* route = new RealmRoute();  // workers use it until the process ends
  return *route;
}

void RealmRoute::send(std::uint64_t stand_in, const RemoteAddress& to, Envelope* e) {
  Runtime& runtime = Runtime::get();
  if (e->kind == EnvelopeKind::kMessage) {  // a native actor's message
    std::string error;
    (void)forward_message(e->from, to.realm, to.local, e->payload, &error);
    Envelope::destroy(e);
    return;
  }
  ipc::ForwardSignalT signal;
  signal.to = std::make_unique<ipc::Pid>(ipc::RealmId(to.realm), to.local);
  signal.from = std::make_unique<ipc::Pid>(ipc::RealmId(runtime.realm_id()), e->from);
  signal.ref = e->ref;
  bool known = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Ties& ties = ties_[to.realm];
    switch (e->kind) {
      case EnvelopeKind::kLink:
        signal.kind = ipc::SignalKind_Link;
        ties.links.insert({e->from, stand_in});
        break;
      case EnvelopeKind::kUnlink:
        signal.kind = ipc::SignalKind_Unlink;
        ties.links.erase(std::pair{e->from, stand_in});
        break;
      case EnvelopeKind::kExit:
        signal.kind = ipc::SignalKind_Exit;
        signal.linked = e->linked;
        if (e->linked) ties.links.erase(std::pair{e->from, stand_in});
        break;
      case EnvelopeKind::kMonitor:
        signal.kind = ipc::SignalKind_Monitor;
        ties.monitors[e->ref] = {e->from, stand_in};
        break;
      case EnvelopeKind::kDemonitor:
        signal.kind = ipc::SignalKind_Demonitor;
        ties.monitors.erase(e->ref);
        break;
      case EnvelopeKind::kDown:
        // A process here that a process there monitored has ended: the DOWN goes with the
        // watcher's own ref.
        signal.kind = ipc::SignalKind_Down;
        if (auto theirs = their_refs_.find(e->ref); theirs != their_refs_.end()) {
          signal.ref = theirs->second.ref;
          ties.watched.erase(theirs->second.ref);
          their_refs_.erase(theirs);
        }
        break;
      default:  // timeouts, replies, process-info requests: they never leave a realm
        known = false;
        break;
    }
  }
  if (known && (e->kind == EnvelopeKind::kExit || e->kind == EnvelopeKind::kDown)) {
    signal.reason = encode_reason(e->payload, runtime.realm_id());
  }
  Envelope::destroy(e);
  if (known) send_signal(signal);
}

absl::Status RealmRoute::receive(const ipc::ForwardSignal& signal, Heap& scratch) {
  Runtime& runtime = Runtime::get();
  std::uint64_t realm = signal.from()->realm().value();
  if (signal.to()->realm().value() != runtime.realm_id() || realm == runtime.realm_id()) {
    return absl::InvalidArgumentError("a signal that is not from another realm to this one");
  }
  std::uint64_t to = signal.to()->local();
  std::uint64_t from = runtime.remote_pids().stand_in(realm, signal.from()->local());
  absl::Status status = absl::OkStatus();
  Term reason = Term::nil();
  if (signal.kind() == ipc::SignalKind_Exit || signal.kind() == ipc::SignalKind_Down) {
    TermDecodeResult decoded;
    if (signal.reason() != nullptr) {
      decoded = decode_term(scratch, {signal.reason()->data(), signal.reason()->size()},
                            runtime.realm_id());
    } else {
      decoded.message = "an exit signal or DOWN without a reason";
    }
    // A reason that cannot be read still breaks the link or the monitor: nothing waits forever
    // for an exit that came. The sender hears that it sent garbage.
    if (decoded.ok) {
      reason = decoded.value;
    } else {
      reason = make_keyword("undecodable");
      status = absl::InvalidArgumentError(decoded.message);
    }
  }
  auto make = [&](EnvelopeKind kind, std::uint64_t ref) {
    Envelope* e = Envelope::make(kind, from, reason);
    if (e == nullptr) e = Envelope::make(kind, from, noconnection());  // too large to copy
    e->ref = ref;
    return e;
  };
  switch (signal.kind()) {
    case ipc::SignalKind_Link: {
      note_link(to, from);
      if (!runtime.send(to, make(EnvelopeKind::kLink, 0))) {
        runtime.send(from, Envelope::noproc(EnvelopeKind::kLink, to, 0));  // forgets the tie
      }
      break;
    }
    case ipc::SignalKind_Unlink: {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ties_[realm].links.erase(std::pair{to, from});
      }
      runtime.send(to, make(EnvelopeKind::kUnlink, 0));
      break;
    }
    case ipc::SignalKind_Exit: {
      if (signal.linked()) {
        std::lock_guard<std::mutex> lock(mutex_);
        ties_[realm].links.erase(std::pair{to, from});
      }
      Envelope* e = make(EnvelopeKind::kExit, 0);
      e->linked = signal.linked();
      runtime.send(to, e);
      break;
    }
    case ipc::SignalKind_Monitor: {
      std::uint64_t ref = note_watched(from, signal.ref());
      if (!runtime.send(to, make(EnvelopeKind::kMonitor, ref))) {
        runtime.send(from, Envelope::noproc(EnvelopeKind::kMonitor, to, ref));
      }
      break;
    }
    case ipc::SignalKind_Demonitor: {
      std::uint64_t ref = 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        Ties& ties = ties_[realm];
        auto found = ties.watched.find(signal.ref());
        if (found == ties.watched.end()) break;  // its DOWN is on its way
        ref = found->second;
        ties.watched.erase(found);
        their_refs_.erase(ref);
      }
      runtime.send(to, make(EnvelopeKind::kDemonitor, ref));
      break;
    }
    case ipc::SignalKind_Down: {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ties_[realm].monitors.erase(signal.ref());
      }
      runtime.send(to, make(EnvelopeKind::kDown, signal.ref()));
      break;
    }
    default:
      return absl::InvalidArgumentError("an unknown signal kind");
  }
  return status;
}

void RealmRoute::realm_down(std::uint64_t realm) {
  Ties ties;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_.insert(realm);
    auto found = ties_.find(realm);
    if (found == ties_.end()) return;
    ties = std::move(found->second);
    ties_.erase(found);
    for (const auto& [theirs, ours] : ties.watched) their_refs_.erase(ours);
  }
  for (const auto& [local, stand_in] : ties.links) break_link(local, stand_in);
  for (const auto& [ref, held] : ties.monitors) break_monitor(ref, held.first, held.second);
}

void RealmRoute::note_link(std::uint64_t local, std::uint64_t stand_in) {
  std::optional<RemoteAddress> address = Runtime::get().remote_pids().address(stand_in);
  if (!address) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ended_locked(address->realm)) {
      ties_[address->realm].links.insert({local, stand_in});
      return;
    }
  }
  break_link(local, stand_in);
}

void RealmRoute::note_monitor(std::uint64_t ref, std::uint64_t watcher, std::uint64_t stand_in) {
  std::optional<RemoteAddress> address = Runtime::get().remote_pids().address(stand_in);
  if (!address) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ended_locked(address->realm)) {
      ties_[address->realm].monitors[ref] = {watcher, stand_in};
      return;
    }
  }
  break_monitor(ref, watcher, stand_in);
}

std::uint64_t RealmRoute::note_watched(std::uint64_t watcher, std::uint64_t their_ref) {
  std::optional<RemoteAddress> address = Runtime::get().remote_pids().address(watcher);
  if (!address) return next_ref_id();
  std::lock_guard<std::mutex> lock(mutex_);
  return our_ref_locked(address->realm, their_ref);
}

std::uint64_t RealmRoute::our_ref_locked(std::uint64_t realm, std::uint64_t their_ref) {
  auto [it, inserted] = ties_[realm].watched.try_emplace(their_ref, 0);
  if (inserted) {
    it->second = next_ref_id();
    their_refs_[it->second] = {.realm = realm, .ref = their_ref};
  }
  return it->second;
}

void RealmRoute::break_link(std::uint64_t local, std::uint64_t stand_in) {
  Envelope* e = Envelope::make(EnvelopeKind::kExit, stand_in, noconnection());
  e->linked = true;
  Runtime::get().send(local, e);
}

void RealmRoute::break_monitor(std::uint64_t ref, std::uint64_t watcher, std::uint64_t stand_in) {
  Envelope* e = Envelope::make(EnvelopeKind::kDown, stand_in, noconnection());
  e->ref = ref;
  Runtime::get().send(watcher, e);
}

bool forward_message(std::uint64_t from, std::uint64_t realm, std::uint64_t local, Term message,
                     std::string* error) {
  LmmLink* link = LmmLink::current();
  if (link == nullptr) {
    *error = "the pid is of another realm, and this VM runs standalone";
    return false;
  }
  ipc::ForwardMessageT request;
  if (!encode_term(message, Runtime::get().realm_id(), &request.term, error)) return false;
  request.to = std::make_unique<ipc::Pid>(ipc::RealmId(realm), local);
  request.from = std::make_unique<ipc::Pid>(ipc::RealmId(Runtime::get().realm_id()), from);
  absl::Status sent =
      link->with_sends([&](LmmLink::Clients& sends) { return sends.messaging.Forward(request); });
  // The LMM gone means the realm is going too: the message is lost with it, as it would be.
  (void)sent;
  return true;
}

}  // namespace lona::realm
