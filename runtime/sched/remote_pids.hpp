// runtime/sched: processes of other realms, as this realm's processes hold them.
//
// A process's links, monitors and envelopes name other processes by a 64-bit local id. A
// process of another realm gets a stand-in id here, made at first use: its pid's realm and local
// id, behind an id with kRemoteBit set (a table id never has it: ProcessTable ids take 61 bits).
// Runtime::send hands an envelope for a stand-in to the realm's RemoteRoute, which carries it
// through the LMM (vm/realm); the signals that come back carry the stand-in as their sender. So
// `link`, `monitor`, exits and DOWN messages work across realms through the same sets and
// envelopes as within one.
//
// A stand-in lives as long as the realm: one table entry (about 40 bytes) per process of another
// realm that this one ever linked to, monitored or heard a signal from, as BEAM keeps one per
// remote pid it has seen.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace lona {

struct Envelope;

/// Where a process of another realm is.
struct RemoteAddress {
  std::uint64_t realm = 0;
  std::uint64_t local = 0;
};

class RemotePids {
 public:
  static constexpr std::uint64_t kRemoteBit = std::uint64_t{1} << 63;
  static bool is_remote(std::uint64_t id) { return (id & kRemoteBit) != 0; }

  /// The stand-in id of process `local` of realm `realm` (not this realm), made at first use.
  std::uint64_t stand_in(std::uint64_t realm, std::uint64_t local);
  /// The process stand-in `id` stands for; nullopt for an id never handed out.
  std::optional<RemoteAddress> address(std::uint64_t id) const;

 private:
  mutable std::mutex mutex_;
  absl::flat_hash_map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> ids_;
  std::vector<RemoteAddress> addresses_;  // stand-in id without kRemoteBit, less 1 -> address
};

/// What carries envelopes to processes of other realms (vm/realm's, when the realm has an
/// LMM). send() takes the envelope, on the sending process's thread.
class RemoteRoute {
 public:
  virtual ~RemoteRoute() = default;
  virtual void send(std::uint64_t stand_in, const RemoteAddress& to, Envelope* e) = 0;
};

}  // namespace lona
