// lmm: the SparePool.
#include "lmm/spare_pool.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <utility>

#include "lmm/pidfd.hpp"

namespace lona::lmm {
namespace {

// Whether the spare has ended; if it has, it is reaped.
bool ended(const LaunchedRealm& spare) {
  siginfo_t info{};
  return ::waitid(P_PIDFD, static_cast<id_t>(spare.pidfd.get()), &info, WEXITED | WNOHANG) != 0 ||
         info.si_pid != 0;
}

}  // namespace

SparePool::SparePool(LaunchSpec spec, std::size_t target)
    : spec_(std::move(spec)), target_(target) {}

SparePool::~SparePool() {
  for (LaunchedRealm& spare : spares_) pidfd_signal(spare.pidfd.get(), SIGKILL);
  for (LaunchedRealm& spare : spares_) {
    siginfo_t info{};
    ::waitid(P_PIDFD, static_cast<id_t>(spare.pidfd.get()), &info, WEXITED);
  }
}

std::optional<LaunchedRealm> SparePool::take() {
  drawn_ = true;
  failing_ = false;
  while (!spares_.empty()) {
    LaunchedRealm spare = std::move(spares_.front());
    spares_.pop_front();
    if (!ended(spare)) return spare;
    ++lost_;
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
    ++started_;
    spares_.push_back(*std::move(spare));
  }
}

}  // namespace lona::lmm
