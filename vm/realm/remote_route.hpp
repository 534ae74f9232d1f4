// vm/realm: reaching processes of other realms through the LMM. `send` to a pid of another realm
// goes out as Messaging.Forward; the signals of links, monitors and exits as Messaging.Signal,
// from the same envelopes and stand-in ids (runtime/sched/remote_pids.hpp) as within a realm, and
// come in through the realm's Inbox.Signal.
//
// The route keeps what it needs when a realm ends: which of this realm's processes are linked to
// or monitor processes there (the ties), so that each gets its exit signal or DOWN message with
// reason :noconnection. And refs: a ref is unique only in the realm that made it, so the monitor
// of a process here by one of another realm is held under a ref made here, which the route
// translates back when the DOWN goes out.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "idl/lona_services.hpp"
#include "runtime/sched/remote_pids.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/term.hpp"

namespace lona::realm {

/// Sends `message` from local process `from` to the process (`realm`, `local`) of another
/// realm, serialized (runtime/term/term_codec). Ordered with every other message and signal from
/// `from` to that process. False with *error when the message cannot travel (a function, a
/// bytebuf...: the caller reports :badarg) or the realm has no LMM (a standalone VM); a process
/// that is gone is not an error.
bool forward_message(std::uint64_t from, std::uint64_t realm, std::uint64_t local, Term message,
                     std::string* error);

class RealmRoute final : public RemoteRoute {
 public:
  /// The realm's route (the runtime's, once the realm has joined its LMM).
  static RealmRoute& get();

  /// An envelope from a process here for one of another realm, on the sender's thread.
  void send(std::uint64_t stand_in, const RemoteAddress& to, Envelope* e) override;

  /// A signal from a process of another realm (Inbox.Signal), on the link's I/O thread.
  /// `scratch` is where its reason is decoded.
  absl::Status receive(const ipc::ForwardSignal& signal, Heap& scratch);

  /// Realm `realm` has ended: the links to its processes and the monitors of them break, with
  /// :noconnection, and later ones break at once.
  void realm_down(std::uint64_t realm);

  /// The ties spawn-link-in and spawn-monitor-in make, on either side, before their processes
  /// can act on them: `local` is linked to `stand_in`; `watcher` monitors `stand_in` under
  /// `ref`; `target` is monitored by stand-in `watcher` under `their_ref`, a ref of the
  /// watcher's realm (the result: the ref to hold it under here).
  void note_link(std::uint64_t local, std::uint64_t stand_in);
  void note_monitor(std::uint64_t ref, std::uint64_t watcher, std::uint64_t stand_in);
  std::uint64_t note_watched(std::uint64_t watcher, std::uint64_t their_ref);

 private:
  // What ties this realm's processes to those of one other realm.
  struct Ties {
    absl::flat_hash_set<std::pair<std::uint64_t, std::uint64_t>> links;  // (local, stand-in)
    // Monitors held here, by their ref: (the watcher here, the stand-in it watches).
    absl::flat_hash_map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> monitors;
    // Monitors of processes here held there: their ref -> the ref it is held under here.
    absl::flat_hash_map<std::uint64_t, std::uint64_t> watched;
  };
  struct TheirRef {
    std::uint64_t realm = 0;
    std::uint64_t ref = 0;
  };

  // The ref a monitor from `realm` under `their_ref` is held under here (made at first use).
  std::uint64_t our_ref_locked(std::uint64_t realm, std::uint64_t their_ref);
  // True when `realm` has ended (its ties then break at once).
  bool ended_locked(std::uint64_t realm) const { return ended_.contains(realm); }
  static void break_link(std::uint64_t local, std::uint64_t stand_in);
  static void break_monitor(std::uint64_t ref, std::uint64_t watcher, std::uint64_t stand_in);

  std::mutex mutex_;
  absl::flat_hash_map<std::uint64_t, Ties> ties_;            // by realm
  absl::flat_hash_map<std::uint64_t, TheirRef> their_refs_;  // our ref -> theirs
  absl::flat_hash_set<std::uint64_t> ended_;
};

}  // namespace lona::realm
