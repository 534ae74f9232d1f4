// Class actors and scoped actors (runtime/native): messages round-trip, links and monitors with
// the runtime's rules, exits by return, signal or exception, reductions. The test's thread is a
// ScopedActor; every wait is for a message, with a generous timeout that only a failure reaches.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "runtime/native/actor.hpp"
#include "runtime/native/scoped_actor.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/equality.hpp"
#include "tests/runtime/native/scoped_waits.hpp"
#include "vm/printer/printer.hpp"

namespace lona::native {
namespace {

using test_waits::down_reason;
using test_waits::kLong;
using test_waits::next;

// [from payload] -> [:echo payload] to from; :stop -> exits :normal; [:exit reason] -> exits
// with reason; :throw -> throws.
class Echo : public Actor {
  void on_message(Term m) override {
    if (m == keyword("stop")) return exit(keyword("normal"));
    if (m == keyword("throw")) throw std::runtime_error("boom");
    if (is_tagged(m, keyword("exit"), 2)) return exit(at(m, 1));
    if (is_tuple(m) && array_count(m) == 2) {
      if (std::optional<Pid> from = pid_of(at(m, 0))) {
        send(*from, tuple(heap(), keyword("echo"), at(current_message(), 1)));
      }
    }
  }
};

TEST(NativeActor, EchoRoundTrip) {
  ScopedActor me;
  Pid echo = spawn<Echo>();
  ASSERT_NE(echo, 0u);
  Heap& h = me.heap();
  Term payload = vector(h, 1, "two", keyword("three"));
  me.send(echo, tuple(h, PidOf{me.self()}, payload));
  EXPECT_EQ(next(me), "[:echo {1 \"two\" :three}]");
  me.send(echo, tuple(h, me.self_pid(), -7));
  EXPECT_EQ(next(me), "[:echo -7]");
  me.send(echo, keyword("stop"));
}

TEST(NativeActor, DownCarriesTheExitReason) {
  ScopedActor me;
  Pid echo = spawn<Echo>();
  uint64_t ref = me.monitor(echo);
  me.send(echo, tuple(me.heap(), keyword("exit"), tuple(me.heap(), keyword("bye"), 42)));
  EXPECT_EQ(down_reason(me, ref), "[:bye 42]");
  EXPECT_FALSE(alive(echo));
}

TEST(NativeActor, AnExceptionBecomesAnErrorReason) {
  ScopedActor me;
  Pid echo = spawn<Echo>();
  uint64_t ref = me.monitor(echo);
  me.send(echo, keyword("throw"));
  EXPECT_EQ(down_reason(me, ref), "[:error :exception %{:message \"boom\"}]");
}

TEST(NativeActor, MonitorOfNoProcessIsNoproc) {
  ScopedActor me;
  Pid echo = spawn<Echo>();
  uint64_t ref = me.monitor(echo);
  me.send(echo, keyword("stop"));
  EXPECT_EQ(down_reason(me, ref), ":normal");
  uint64_t ref2 = me.monitor(echo);
  EXPECT_EQ(down_reason(me, ref2), ":noproc");
}

// Spawns a linked Echo child on start; tells `watcher` [:exited reason] from on_exit. With
// `trap`, reports the child's exit as [:trapped reason] instead of dying of it.
class Parent : public Actor {
 public:
  Parent(Pid watcher, bool trap) : watcher_(watcher), trap_(trap) {}

 private:
  void on_start() override {
    set_trap_exit(trap_);
    child_ = spawn_link<Echo>();
    send(watcher_, tuple(heap(), keyword("child"), PidOf{child_}));
  }
  void on_message(Term m) override {
    if (std::optional<ExitMessage> e = exit_of(m)) {
      send(watcher_, tuple(heap(), keyword("trapped"), e->reason));
    }
  }
  void on_exit(Term reason) override { send(watcher_, tuple(heap(), keyword("exited"), reason)); }
  Pid watcher_;
  bool trap_;
  Pid child_ = 0;
};

Pid child_of(ScopedActor& me) {
  std::optional<Term> m = me.receive(kLong);
  if (!m || !is_tagged(*m, keyword("child"), 2)) return 0;
  return *pid_of(at(*m, 1));
}

TEST(NativeActor, ALinkedExitKillsAndOnExitHearsIt) {
  ScopedActor me;
  Pid parent = spawn<Parent>(me.self(), false);
  uint64_t ref = me.monitor(parent);
  Pid child = child_of(me);
  ASSERT_NE(child, 0u);
  me.send(child, tuple(me.heap(), keyword("exit"), keyword("boom")));
  EXPECT_EQ(next(me), "[:exited :boom]");
  EXPECT_EQ(down_reason(me, ref), ":boom");
}

TEST(NativeActor, ANormalExitOfALinkDoesNotKill) {
  ScopedActor me;
  Pid parent = spawn<Parent>(me.self(), false);
  Pid child = child_of(me);
  uint64_t ref = me.monitor(child);
  me.send(child, keyword("stop"));
  EXPECT_EQ(down_reason(me, ref), ":normal");
  EXPECT_TRUE(alive(parent));
  me.exit(parent, keyword("kill"));
}

TEST(NativeActor, TrappingTurnsALinkedExitIntoAMessage) {
  ScopedActor me;
  Pid parent = spawn<Parent>(me.self(), true);
  Pid child = child_of(me);
  me.send(child, tuple(me.heap(), keyword("exit"), keyword("boom")));
  EXPECT_EQ(next(me), "[:trapped :boom]");
  EXPECT_TRUE(alive(parent));
  uint64_t ref = me.monitor(parent);
  me.exit(parent, keyword("kill"));  // :kill is untrappable
  EXPECT_EQ(next(me), "[:exited :killed]");
  EXPECT_EQ(down_reason(me, ref), ":killed");
}

TEST(NativeActor, AScopedActorTrapsALinkedExit) {
  ScopedActor me;
  me.set_trap_exit(true);
  Pid echo = spawn<Echo>();
  me.link(echo);
  me.send(echo, tuple(me.heap(), keyword("exit"), keyword("crash")));
  std::optional<Term> m = me.receive(kLong);
  ASSERT_TRUE(m.has_value());
  std::optional<ExitMessage> e = exit_of(*m);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->pid, echo);
  EXPECT_EQ(print(e->reason), ":crash");
}

// Counts messages, charging `cost` reductions for each; answers [:count n] to a pid.
class Counter : public Actor {
 public:
  explicit Counter(uint32_t cost) : cost_(cost) {}

 private:
  void on_message(Term m) override {
    if (std::optional<Pid> from = pid_of(m)) {
      send(*from, tuple(heap(), keyword("count"), n_));
    } else {
      ++n_;
      charge(cost_);
    }
  }
  uint32_t cost_;
  int64_t n_ = 0;
};

TEST(NativeActor, ReductionsAreCounted) {
  ScopedActor me;
  Pid counter = spawn<Counter>(9);
  constexpr int kN = 1000;
  for (int i = 0; i < kN; ++i) me.send(counter, Term::fixnum(i));
  me.send(counter, me.self_pid());
  EXPECT_EQ(next(me), "[:count 1000]");
  // One per message, plus what the handler charged; published when the slice ends.
  uint64_t expected = kN * 10 + 1;
  auto deadline = std::chrono::steady_clock::now() + kLong;
  while (reductions_of(counter) < expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(reductions_of(counter), expected);
  me.exit(counter, keyword("kill"));
}

TEST(NativeActor, NamesAreRegistered) {
  ScopedActor me;
  Pid a = spawn_opt<Echo>({.name = "native-test-echo"});
  ASSERT_NE(a, 0u);
  EXPECT_EQ(whereis("native-test-echo"), a);
  EXPECT_EQ(spawn_opt<Echo>({.name = "native-test-echo"}), 0u);  // taken
  uint64_t ref = me.monitor(a);
  me.send(a, keyword("stop"));
  EXPECT_EQ(down_reason(me, ref), ":normal");
  EXPECT_EQ(whereis("native-test-echo"), std::nullopt);
}

// A ring of native actors passing a token: [k] goes to next, :stop ends them all.
class Member : public Actor {
 public:
  explicit Member(Pid next) : next_(next) {}

 private:
  void on_message(Term m) override {
    send(next_, m);
    if (m == keyword("stop")) exit(keyword("normal"));
  }
  Pid next_;
};

TEST(NativeActor, ARingPassesTheTokenInOrder) {
  ScopedActor me;
  constexpr int kSize = 300, kLaps = 20;
  Pid first = me.self();
  for (int i = 0; i < kSize - 1; ++i) first = spawn<Member>(first);
  me.send(first, Term::fixnum(kLaps - 1));
  int laps = 0;
  for (;;) {
    std::optional<Term> m = me.receive(kLong);
    ASSERT_TRUE(m.has_value());
    ++laps;
    if (m->fixnum_value() == 0) break;
    me.send(first, Term::fixnum(m->fixnum_value() - 1));
  }
  EXPECT_EQ(laps, kLaps);
  me.send(first, keyword("stop"));
  EXPECT_EQ(next(me), ":stop");
}

}  // namespace
}  // namespace lona::native
