// Coroutine actors (runtime/native/coroutine.hpp): receive with and without a timeout, selective
// receive, yield, the ways a coroutine ends, and its frame going when it is killed; a scoped
// actor's selective receive.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "runtime/native/coroutine.hpp"
#include "runtime/native/scoped_actor.hpp"
#include "tests/runtime/native/scoped_waits.hpp"
#include "vm/printer/printer.hpp"

namespace lona::native {
namespace {

using std::chrono::milliseconds;
using test_waits::down_reason;
using test_waits::kLong;
using test_waits::next;

// Answers [from x] with [:sum total] after adding x; :stop ends it.
Task adder(Self& self, int64_t total) {
  for (;;) {
    Term m = co_await self.receive();
    if (m == keyword("stop")) co_return;
    if (!is_tuple(m) || array_count(m) != 2) continue;
    total += int_of(at(m, 1)).value_or(0);
    Pid from = *pid_of(at(m, 0));
    self.send(from, tuple(self.heap(), keyword("sum"), total));
  }
}

TEST(NativeCoroutine, KeepsStateAcrossMessages) {
  ScopedActor me;
  Pid a = spawn_coroutine(adder, int64_t{100});
  uint64_t ref = me.monitor(a);
  me.send(a, tuple(me.heap(), PidOf{me.self()}, 1));
  EXPECT_EQ(next(me), "[:sum 101]");
  me.send(a, tuple(me.heap(), PidOf{me.self()}, 20));
  EXPECT_EQ(next(me), "[:sum 121]");
  me.send(a, keyword("stop"));
  EXPECT_EQ(down_reason(me, ref), ":normal");
}

// Waits `ms` for a message, then tells `to` what came: [:got m] or :timeout; then polls.
Task waiter(Self& self, Pid to, milliseconds ms) {
  std::optional<Term> m = co_await self.receive(ms);
  if (m) {
    self.send(to, tuple(self.heap(), keyword("got"), self.current_message()));
  } else {
    self.send(to, keyword("timeout"));
  }
  std::optional<Term> polled = co_await self.receive(milliseconds(0));
  self.send(to, polled ? *polled : keyword("empty"));
}

TEST(NativeCoroutine, ReceiveTimesOut) {
  ScopedActor me;
  Pid w = spawn_coroutine(waiter, me.self(), milliseconds(20));
  EXPECT_EQ(next(me), ":timeout");
  EXPECT_EQ(next(me), ":empty");
  static_cast<void>(w);
}

TEST(NativeCoroutine, ReceiveWithATimeoutTakesAMessage) {
  ScopedActor me;
  Pid w = spawn_coroutine(waiter, me.self(), kLong);
  me.send(w, keyword("hello"));
  EXPECT_EQ(next(me), "[:got :hello]");
}

Task ender(Self& self, int how) {
  co_await self.receive();
  if (how == 0) co_return;
  if (how == 1) {
    self.exit(tuple(self.heap(), keyword("shutdown"), 7));
    co_return;
  }
  throw std::logic_error("bad state");
}

TEST(NativeCoroutine, EndsByReturnExitOrException) {
  ScopedActor me;
  const char* expected[] = {":normal", "[:shutdown 7]",
                            "[:error :exception %{:message \"bad state\"}]"};
  for (int how = 0; how < 3; ++how) {
    Pid p = spawn_coroutine(ender, how);
    uint64_t ref = me.monitor(p);
    me.send(p, keyword("go"));
    EXPECT_EQ(down_reason(me, ref), expected[how]) << how;
  }
}

std::atomic<int> frames_destroyed{0};
struct Guard {
  ~Guard() { frames_destroyed.fetch_add(1); }
};

Task forever(Self& self, Pid to) {
  Guard g;
  self.send(to, keyword("ready"));
  for (;;) co_await self.receive();
}

TEST(NativeCoroutine, KilledWhileWaitingItsFrameGoes) {
  ScopedActor me;
  int before = frames_destroyed.load();
  Pid p = spawn_coroutine(forever, me.self());
  uint64_t ref = me.monitor(p);
  EXPECT_EQ(next(me), ":ready");  // the coroutine runs: its frame holds g
  me.send(p, keyword("one"));
  me.exit(p, keyword("kill"));
  EXPECT_EQ(down_reason(me, ref), ":killed");
  EXPECT_EQ(frames_destroyed.load(), before + 1);  // before the :DOWN was sent
}

// Yields `n` times, then tells `to` the count: other processes run meanwhile.
Task yielder(Self& self, Pid to, int n) {
  int count = 0;
  for (int i = 0; i < n; ++i) {
    co_await self.yield();
    ++count;
  }
  self.send(to, tuple(self.heap(), keyword("yielded"), count));
}

TEST(NativeCoroutine, YieldGivesTheWorkerBack) {
  ScopedActor me;
  spawn_coroutine(yielder, me.self(), 1000);
  spawn_coroutine(yielder, me.self(), 1000);
  EXPECT_EQ(next(me), "[:yielded 1000]");
  EXPECT_EQ(next(me), "[:yielded 1000]");
}

// A coroutine that monitors and links class or coroutine children.
Task supervisor(Self& self, Pid to) {
  auto [child, ref] = self.start_monitor(make_coroutine(ender, 1));
  self.send(child, keyword("go"));
  for (;;) {
    Term m = co_await self.receive();
    if (std::optional<Down> d = down_of(m); d && d->ref == ref && d->pid == child) {
      self.send(to, tuple(self.heap(), keyword("child-down"), d->reason));
      co_return;
    }
  }
}

TEST(NativeCoroutine, MonitorsAChild) {
  ScopedActor me;
  spawn_coroutine(supervisor, me.self());
  EXPECT_EQ(next(me), "[:child-down [:shutdown 7]]");
}

MessageFilter is(const char* name) {
  return [k = keyword(name)](Term m) { return m == k; };
}

// Takes :b before the :a and :c that came first, then those in the order they came; a filter
// that nothing passes times out, and leaves the queue as it was.
Task picky(Self& self, Pid to) {
  Term first = co_await self.receive(is("b"));
  self.send(to, tuple(self.heap(), keyword("first"), first));
  std::optional<Term> none = co_await self.receive(is("z"), milliseconds(20));
  self.send(to, none ? *none : keyword("timeout"));
  Term second = co_await self.receive();
  self.send(to, second);
  Term third = co_await self.receive();
  self.send(to, third);
  std::optional<Term> polled = co_await self.receive(milliseconds(0));
  self.send(to, polled ? *polled : keyword("empty"));
}

TEST(NativeCoroutine, SelectiveReceiveTakesTheOldestMatchAndKeepsTheRestInOrder) {
  ScopedActor me;
  Pid p = spawn_coroutine(picky, me.self());
  me.send(p, keyword("a"));
  me.send(p, keyword("c"));
  // Most often the coroutine has looked at :a and :c and waits when :b comes (its save pointer
  // then spares them a second look); the outcome is the same either way.
  std::this_thread::sleep_for(milliseconds(5));
  me.send(p, keyword("b"));
  EXPECT_EQ(next(me), "[:first :b]");
  EXPECT_EQ(next(me), ":timeout");
  EXPECT_EQ(next(me), ":a");
  EXPECT_EQ(next(me), ":c");
  EXPECT_EQ(next(me), ":empty");
}

// Counts the filter's calls: a receive that waits looks at each message once, and so does one
// that times out.
Task counting(Self& self, Pid to) {
  int calls = 0;
  co_await self.receive([&calls](Term m) {
    ++calls;
    return m == keyword("last");
  });
  self.send(to, tuple(self.heap(), keyword("calls"), calls));
  calls = 0;
  std::optional<Term> none = co_await self.receive(
      [&calls](Term) {
        ++calls;
        return false;
      },
      milliseconds(10));
  self.send(to, tuple(self.heap(), none ? keyword("got") : keyword("timeout"), calls));
}

TEST(NativeCoroutine, AWaitingSelectiveReceiveLooksAtEachMessageOnce) {
  ScopedActor me;
  Pid p = spawn_coroutine(counting, me.self());
  for (int i = 0; i < 20; ++i) {
    me.send(p, tuple(me.heap(), keyword("noise"), i));
    if (i % 5 == 0) std::this_thread::sleep_for(milliseconds(1));  // several wake-ups
  }
  me.send(p, keyword("last"));
  EXPECT_EQ(next(me), "[:calls 21]");
  EXPECT_EQ(next(me), "[:timeout 20]");  // the 20 it left, once each
}

// A filter that throws at a wake-up (outside the coroutine's own code) ends the actor with the
// exception's reason, as one thrown inside it does; the runtime goes on.
Task fussy(Self& self) {
  co_await self.receive([](Term m) -> bool {
    if (m == keyword("boom")) throw std::runtime_error("cannot judge");
    return false;
  });
}

TEST(NativeCoroutine, AFilterThatThrowsEndsTheActor) {
  ScopedActor me;
  Pid p = spawn_coroutine(fussy);
  uint64_t ref = me.monitor(p);
  std::this_thread::sleep_for(milliseconds(5));  // most often it waits by now: a wake-up
  me.send(p, keyword("boom"));
  EXPECT_EQ(down_reason(me, ref), "[:error :exception %{:message \"cannot judge\"}]");
}

// A bound process's wait looks at its receive's deadline even when mail is pending: a selective
// receive that keeps finding messages it does not take (a flood of others) still times out.
// Here the mail stays pending (nothing takes it), so a wait that only looked at the deadline
// when the mailbox was empty would return at once, for ever, without timing out.
TEST(NativeCoroutine, ABoundWaitTimesOutThoughMailIsPending) {
  ScopedActor me;
  me.send(me.self(), keyword("not-taken"));
  Process& p = me.process();
  p.arm_timer(10);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!p.timed_out() && std::chrono::steady_clock::now() < give_up) p.wait();
  EXPECT_TRUE(p.timed_out());
  p.end_receive();
  EXPECT_EQ(next(me), ":not-taken");
}

TEST(NativeCoroutine, AScopedActorReceivesSelectively) {
  ScopedActor me;
  for (const char* k : {"x", "y", "z"}) me.send(me.self(), keyword(k));
  EXPECT_EQ(print(*me.receive(is("z"), kLong)), ":z");
  EXPECT_FALSE(me.receive(is("w"), milliseconds(10)).has_value());
  EXPECT_EQ(next(me), ":x");
  EXPECT_EQ(next(me), ":y");
  EXPECT_FALSE(me.receive(milliseconds(0)).has_value());
  // A match that comes later, behind other messages: the receive waits for it. :noise is queued
  // before :b is even sent, so it comes before picky's answers.
  me.send(me.self(), keyword("noise"));
  Pid p = spawn_coroutine(picky, me.self());
  me.send(p, keyword("b"));
  EXPECT_EQ(print(*me.receive(is("timeout"), kLong)), ":timeout");
  EXPECT_EQ(next(me), ":noise");
  EXPECT_EQ(next(me), "[:first :b]");
}

}  // namespace
}  // namespace lona::native
