// Native actors and Lonala processes on both ends of a message, links and monitors across the
// two, and native functions called from Lonala (vm/native). The test's thread evaluates Lonala
// as a bound process; every wait is a receive with a timeout that only a failure reaches.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/native/actor.hpp"
#include "runtime/native/coroutine.hpp"
#include "runtime/term/pid.hpp"
#include "tests/support/eval_fixture.hpp"
#include "vm/native/lonala_spawn.hpp"
#include "vm/native/native_function.hpp"

namespace lona::native {
namespace {

// [from x] -> [:echo x] to from; [from :describe x] -> a description of x; :throw -> throws;
// [:exit reason] -> exits.
class Echo : public Actor {
  void on_message(Term m) override {
    if (m == keyword("throw")) throw std::runtime_error("boom");
    if (is_tagged(m, keyword("exit"), 2)) return exit(at(m, 1));
    if (is_tuple(m) && array_count(m) == 2 && pid_of(at(m, 0))) {
      send(*pid_of(at(m, 0)), tuple(heap(), keyword("echo"), at(m, 1)));
    } else if (is_tuple(m) && array_count(m) == 3 && pid_of(at(m, 0))) {
      describe(*pid_of(at(m, 0)), at(m, 2));
    }
  }
  // Answers what C++ sees of x: the sum of a vector of integers, the entries of a map, the
  // text of a string.
  void describe(Pid to, Term x) {
    if (is_vector(x)) {
      int64_t sum = 0;
      for (size_t i = 0; i < array_count(x); ++i) sum += int_of(at(x, i)).value_or(0);
      send(to, tuple(heap(), keyword("sum"), sum));
    } else if (is_map(x)) {
      send(to, tuple(heap(), keyword("entries"), static_cast<int64_t>(map_count(x))));
    } else if (std::optional<std::string_view> s = text_of(x)) {
      std::string upper(*s);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      send(to, tuple(heap(), keyword("upper"), std::string_view(upper)));
    }
  }
};

class NativeInterop : public EvalTest {
 protected:
  // The pid of the process evaluating (the test's thread).
  Pid eval_pid() { return std::stoull(eval("(pid-local (self))")); }
  void SetUp() override {
    ASSERT_EQ(eval("(def await-down (fn* [r] (receive [:DOWN r2 _ reason] when (= r r2) reason"
                   "  :after 10000 :timeout)))"),
              "#'user/await-down");
  }
};

TEST_F(NativeInterop, LonalaSendsToANativeActorAndGetsTheReply) {
  Pid echo = spawn_opt<Echo>({.name = "interop-echo"});
  ASSERT_NE(echo, 0u);
  EXPECT_EQ(eval("(def e (whereis 'interop-echo))"
                 "(send e [(self) [1 {2 3} %{:a \"b\"} \"text\" (self)]])"
                 "(receive [:echo [a b c d p]] [a b c d (= p (self))] :after 10000 :timeout)"),
            "[1 {2 3} %{:a \"b\"} \"text\" true]");
  EXPECT_EQ(eval("(send e [(self) :describe {1 2 3 4}]) (receive m m :after 10000 :timeout)"),
            "[:sum 10]");
  EXPECT_EQ(eval("(send e [(self) :describe %{:a 1 :b 2}]) (receive m m :after 10000 :timeout)"),
            "[:entries 2]");
  EXPECT_EQ(eval("(send e [(self) :describe \"lona\"]) (receive m m :after 10000 :timeout)"),
            "[:upper \"LONA\"]");
  EXPECT_EQ(eval("(pid? e)"), "true");
  // Reductions are counted when the actor's slice ends, which may be after its reply arrived.
  EXPECT_EQ(eval("(def counted? (fn* w [k] (let [n (:reductions (process-info e))]"
                 "  (if (or (> n 0) (= k 0)) (> n 0) (do (sleep 1) (w (- k 1)))))))"
                 "(counted? 10000)"),
            "true");
  EXPECT_EQ(eval("(let [r (monitor e)] (exit e :kill) (await-down r))"), ":killed");
}

TEST_F(NativeInterop, LonalaSeesANativeCrashInItsMonitor) {
  Pid echo = spawn_opt<Echo>({.name = "interop-crash"});
  ASSERT_NE(echo, 0u);
  EXPECT_EQ(eval("(def c (whereis 'interop-crash)) (def r (monitor c)) (send c :throw)"
                 "(let [d (await-down r)] [(nth d 1) (:message (nth d 2))])"),
            "[:exception \"boom\"]");
  EXPECT_EQ(eval("(alive? c)"), "false");
}

TEST_F(NativeInterop, ANativeExitKillsALinkedLonalaProcess) {
  Pid echo = spawn_opt<Echo>({.name = "interop-linked"});
  ASSERT_NE(echo, 0u);
  EXPECT_EQ(eval("(def n (whereis 'interop-linked)) (def me (self))"
                 "(def lp (spawn (fn* [] (link n) (send me :linked) (receive :never :ok))))"
                 "(def r (monitor lp))"
                 "(receive :linked :ok :after 10000 :timeout)"),
            ":ok");
  EXPECT_EQ(eval("(send n [:exit :boom]) (await-down r)"), ":boom");
}

// Spawns the Lonala function user/doubler monitored, asks it to double 21, and tells `to`
// [:done answer down-reason]; traps exits of the Lonala process user/quitter linked to it.
Task native_parent(Self& self, Pid to) {
  auto [child, ref] = self.start_monitor(make_lonala("user/doubler"));
  self.send(child, tuple(self.heap(), PidOf{self.self()}, 21));
  Term answer = co_await self.receive();
  int64_t doubled = int_of(at(answer, 1)).value_or(-1);
  for (;;) {
    Term m = co_await self.receive();
    if (std::optional<Down> d = down_of(m); d && d->ref == ref) {
      self.send(to, tuple(self.heap(), keyword("done"), doubled, d->reason));
      break;
    }
  }
  self.set_trap_exit(true);
  Process* quitter = make_lonala("user/quitter");
  Pid q = self.start_link(quitter);
  for (;;) {
    Term m = co_await self.receive();
    if (std::optional<ExitMessage> e = exit_of(m); e && e->pid == q) {
      self.send(to, tuple(self.heap(), keyword("trapped"), e->reason));
      co_return;
    }
  }
}

TEST_F(NativeInterop, ANativeActorSpawnsMonitorsAndLinksLonalaProcesses) {
  ASSERT_EQ(eval("(def doubler (fn* [] (receive [from x] (send from [:doubled (* 2 x)]))))"
                 "(def quitter (fn* [] (exit [:quit 1])))"),
            "#'user/quitter");
  EXPECT_EQ(make_lonala("user/no-such-fn"), nullptr);
  spawn_coroutine(native_parent, eval_pid());
  EXPECT_EQ(eval("(receive m m :after 10000 :timeout)"), "[:done 42 :normal]");
  EXPECT_EQ(eval("(receive m m :after 10000 :timeout)"), "[:trapped [:quit 1]]");
}

// [from :watch pid] -> monitors pid and tells from [:watching ref].
class Watcher : public Actor {
  void on_message(Term m) override {
    if (!is_tuple(m) || array_count(m) != 3 || !pid_of(at(m, 0)) || !pid_of(at(m, 2))) return;
    uint64_t ref = monitor(*pid_of(at(m, 2)));
    send(*pid_of(at(m, 0)), tuple(heap(), keyword("watching"), make_ref(heap(), ref)));
  }
};

// Tells `to` [:started pid], then never receives: works (charging for it) and yields for ever,
// so what is sent to it stays queued.
Task busy(Self& self, Pid to) {
  self.send(to, tuple(self.heap(), keyword("started"), self.self_pid()));
  for (;;) {
    self.charge(100);
    co_await self.yield();
  }
}

// Native actors answer process-info as Lonala processes do, from their own state: a class actor
// between messages, a coroutine at the start of a slice.
TEST_F(NativeInterop, ProcessInfoOfNativeActors) {
  Pid watcher = spawn_opt<Watcher>({.name = "interop-watcher"});
  ASSERT_NE(watcher, 0u);
  EXPECT_EQ(eval("(def w (whereis 'interop-watcher)) (link w)"
                 "(send w [(self) :watch (self)])"
                 "(def w-ref (receive [:watching r] r :after 10000 :timeout))"
                 "(def wi (process-info w))"
                 "[(= (get (:links wi) (self)) (self)) (= (get (:monitors wi) w-ref) w-ref)"
                 " (:mailbox-len wi) (:stack-size wi) (> (:reductions wi) 0) (> (:heap-size wi) 0)"
                 " (:priority wi) (count wi)]"),
            "[true true 0 0 true true 100 15]");
  EXPECT_EQ(eval("(unlink w) (let [r (monitor w)] (exit w :kill) (await-down r))"), ":killed");

  ASSERT_NE(spawn_coroutine(busy, eval_pid()), 0u);
  EXPECT_EQ(eval("(def b (receive [:started p] p :after 10000 :timeout))"
                 "(send b 1) (send b 2) (send b 3)"
                 "(def bi (process-info b))"
                 "[(:mailbox-len bi) (some? (#{:running :runnable} (:status bi)))"
                 " (> (:reductions bi) 0) (count (:links bi))]"),
            "[3 true true 0]");
  EXPECT_EQ(eval("(let [r (monitor b)] (exit b :kill) (await-down r))"), ":killed");
}

TEST_F(NativeInterop, NativeFunctionsAreCalledFromLonala) {
  ASSERT_TRUE(define_function("interop.math", "add3", 3, 3,
                              [](NativeContext& ctx, std::span<Term> args, Term* out) {
                                int64_t sum = 0;
                                for (Term a : args) {
                                  std::optional<int64_t> v = int_of(a);
                                  if (!v) return ctx.fail("type-error", "add3 takes integers");
                                  sum += *v;
                                }
                                *out = integer(ctx.heap, sum);
                                return true;
                              }));
  EXPECT_EQ(eval("(interop.math/add3 1 2 3)"), "6");
  EXPECT_EQ(eval("(interop.math/add3 1 2)"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(interop.math/add3 1 2 :x)"), "ERROR :type-error");
  EXPECT_EQ(eval("(map (fn* [x] (interop.math/add3 x x x)) [1 2 3])"), "(3 6 9)");
  EXPECT_EQ(eval("interop.math/add3"), "#<fn interop.math/add3>");
  // State in the function, and a spawned process calling it.
  auto calls = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(define_function("interop.math", "next!", 0, 0,
                              [calls](NativeContext&, std::span<Term>, Term* out) {
                                *out = Term::fixnum(calls->fetch_add(1) + 1);
                                return true;
                              }));
  EXPECT_EQ(eval("[(interop.math/next!) (interop.math/next!)]"), "[1 2]");
  EXPECT_EQ(eval("(def me (self)) (spawn (fn* [] (send me (interop.math/next!))))"
                 "(receive n n :after 10000 :timeout)"),
            "3");
  // A redefinition is seen at the next call.
  ASSERT_TRUE(
      define_function("interop.math", "add3", 3, 3, [](NativeContext&, std::span<Term>, Term* out) {
        *out = keyword("redefined");
        return true;
      }));
  EXPECT_EQ(eval("(interop.math/add3 1 2 3)"), ":redefined");
}

}  // namespace
}  // namespace lona::native
