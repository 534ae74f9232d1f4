// lmm: the SparePool.
#include "lmm/spare_pool.hpp"

#include <signal.h>

#include <utility>

#include "lmm/pidfd.hpp"

namespace lona::lmm {

SparePool::SparePool(LaunchSpec spec, std::size_t target)
    : spec_(std::move(spec)), target_(target) {}

SparePool::~SparePool() {
  for (LaunchedRealm& spare : spares_) pidfd_signal(spare.pidfd.get(), SIGKILL);
  for (LaunchedRealm& spare : spares_) reap(spare.pidfd.get());
}

std::optional<LaunchedRealm> SparePool::take() {
  drawn_ = true;
  failing_ = false;
  while (!spares_.empty()) {
    LaunchedRealm spare = std::move(spares_.front());
    spares_.pop_front();
    siginfo_t info;
    if (!reap_if_ended(spare.pidfd.get(), &info)) return spare;
  }
  return std::nullopt;
}

void SparePool::fill() {
  while (wants_more()) {
    absl::StatusOr<LaunchedRealm> spare = launch_realm(spec_);
    if (!spare.ok()) {
      failing_ = true;
      return;
    }
    spares_.push_back(*std::move(spare));
  }
}

}  // namespace lona::lmm
