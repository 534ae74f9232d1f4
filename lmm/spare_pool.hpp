// lmm: spare realm processes. Most of what realm-create costs is starting lona-vm: a fork and an
// exec, the dynamic linking of its libraries and the boot of lona.core. A spare has done all of
// that and waits, with its boot-info request unanswered in its socket, for the LMM to make it a
// realm; realm-create takes one instead of starting a process. The pool starts filling at the
// first take, so that a system that never creates a realm never pays for a spare.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include "lmm/launcher.hpp"

namespace lona::lmm {

class SparePool {
 public:
  /// Spares are started as `spec` says (its args begin with `--spare`); `target` is how many
  /// the pool keeps once it has been drawn from (0: none, every realm is started afresh).
  SparePool(LaunchSpec spec, std::size_t target);
  /// Kills and reaps the spares still waiting.
  ~SparePool();
  SparePool(const SparePool&) = delete;
  SparePool& operator=(const SparePool&) = delete;

  /// A spare that has not ended, oldest first; nullopt when none is waiting. Spares that ended
  /// while they waited (they never should) are reaped here and skipped.
  std::optional<LaunchedRealm> take();

  /// Whether fill() would start a spare now.
  bool wants_more() const { return drawn_ && !failing_ && spares_.size() < target_; }
  /// Starts spares until `target` wait, once the pool has been drawn from.
  void fill();

 private:
  LaunchSpec spec_;
  std::size_t target_;
  bool drawn_ = false;
  /// After a failed start, fill() leaves the pool as it is until the next take: realm-create,
  /// which then starts a process itself, reports the failure.
  bool failing_ = false;
  std::deque<LaunchedRealm> spares_;
};

}  // namespace lona::lmm
