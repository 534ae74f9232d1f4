// bench/: ring N M on native actors (runtime/native), the counterpart of caf_peer's ring: N
// processes in a ring (the main thread, a ScopedActor, is one of them), one token, M laps.
// Prints: bench=ring impl=lona-native n=N m=M build_ms=X ns_per_hop=Y (2 workers).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "runtime/native/actor.hpp"
#include "runtime/native/scoped_actor.hpp"
#include "runtime/sched/runtime.hpp"

namespace {

using lona::Term;
using namespace lona::native;
using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
}

// Passes every message on; :stop also ends it.
class Member final : public Actor {
 public:
  explicit Member(Pid next) : next_(next) {}

 private:
  void on_message(Term m) override {
    send(next_, m);
    if (!m.is_fixnum()) exit(keyword("normal"));
  }
  Pid next_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: native_ring N M\n");
    return 2;
  }
  long n = std::atol(argv[1]), m = std::atol(argv[2]);
  lona::Runtime::set_worker_count(2);
  ScopedActor self;
  auto t0 = Clock::now();
  Pid first = self.self();
  for (long i = 0; i < n - 1; ++i) first = spawn<Member>(first);
  double build = ns_since(t0);
  auto t1 = Clock::now();
  self.send(first, Term::fixnum(m - 1));
  for (;;) {
    int64_t k = self.receive()->fixnum_value();
    if (k == 0) break;
    self.send(first, Term::fixnum(k - 1));
  }
  double run = ns_since(t1);
  self.send(first, keyword("stop"));
  self.receive();  // back around: every member has ended
  std::printf("bench=ring impl=lona-native n=%ld m=%ld build_ms=%.1f ns_per_hop=%.1f\n", n, m,
              build / 1e6, run / (static_cast<double>(n) * static_cast<double>(m)));
  return 0;
}
