// bench/: fanin S N on native actors (runtime/native), the counterpart of caf_peer's fanin: S
// senders (coroutine actors) send N messages each to one receiver (a class actor), which tells
// the main thread when it has them all. Prints:
// bench=fanin impl=lona-native senders=S n=N msgs_per_s=Y (2 workers).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "runtime/native/actor.hpp"
#include "runtime/native/coroutine.hpp"
#include "runtime/native/scoped_actor.hpp"
#include "runtime/sched/runtime.hpp"

namespace {

using lona::Term;
using namespace lona::native;
using Clock = std::chrono::steady_clock;

class Counter final : public Actor {
 public:
  Counter(int64_t expected, Pid done) : left_(expected), done_(done) {}

 private:
  void on_message(Term) override {
    if (--left_ == 0) {
      send(done_, Term::fixnum(0));
      exit(keyword("normal"));
    }
  }
  int64_t left_;
  Pid done_;
};

// Sends 0 .. n-1 to `sink`, giving the worker back every slice's worth of sends.
Task sender(Self& self, Pid sink, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    self.send(sink, Term::fixnum(i));
    if (i % lona::Runtime::kSliceReductions == lona::Runtime::kSliceReductions - 1) {
      co_await self.yield();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: native_fanin S N\n");
    return 2;
  }
  long senders = std::atol(argv[1]), per = std::atol(argv[2]);
  lona::Runtime::set_worker_count(2);
  ScopedActor self;
  auto t0 = Clock::now();
  Pid sink = spawn<Counter>(senders * per, self.self());
  for (long s = 0; s < senders; ++s) spawn_coroutine(sender, sink, int64_t{per});
  self.receive();
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("bench=fanin impl=lona-native senders=%ld n=%ld msgs_per_s=%.1f\n", senders, per,
              static_cast<double>(senders * per) / s);
  return 0;
}
