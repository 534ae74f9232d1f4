// bench/: pingpong N on native actors (runtime/native), the counterpart of caf_peer's pingpong:
// two actors bounce a counter N times; the main thread only waits for the end.
// Prints: bench=pingpong impl=lona-native n=N ns_per_round_trip=Y (2 workers).
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

// Answers every k with k; :stop ends it.
class Pong final : public Actor {
 public:
  explicit Pong(Pid ping) : ping_(ping) {}

 private:
  void on_message(Term m) override {
    if (!m.is_fixnum()) return exit(keyword("normal"));
    send(ping_, m);
  }
  Pid ping_;
};

// Sends n to a Pong of its own, then k-1 for each k back, until 0: then tells `done`.
class Ping final : public Actor {
 public:
  Ping(int64_t n, Pid done) : n_(n), done_(done) {}

 private:
  void on_start() override {
    pong_ = spawn<Pong>(self());
    send(pong_, Term::fixnum(n_));
  }
  void on_message(Term m) override {
    int64_t k = m.fixnum_value();
    if (k == 0) {
      send(pong_, keyword("stop"));
      send(done_, Term::fixnum(0));
      return exit(keyword("normal"));
    }
    send(pong_, Term::fixnum(k - 1));
  }
  int64_t n_;
  Pid done_;
  Pid pong_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: native_pingpong N\n");
    return 2;
  }
  long n = std::atol(argv[1]);
  lona::Runtime::set_worker_count(2);
  ScopedActor self;
  auto t0 = Clock::now();
  spawn<Ping>(n, self.self());
  self.receive();
  double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  std::printf("bench=pingpong impl=lona-native n=%ld ns_per_round_trip=%.1f\n", n,
              ns / static_cast<double>(n));
  return 0;
}
