// Supervisors (lona.supervisor), request and reply (lona.server), send-sync and process-bound
// vars: the processes of reference 6 as the standard library builds on them. The test's thread is
// a bound process; what it starts runs on the runtime's workers.
//
// Tests wait for events, never for a time: a crash is followed by the crashed child's :DOWN, and
// the supervisor, which hears of the exit (the link's exit signal comes before the :DOWN, from the
// same process), answers a later call only once it has restarted what it restarts.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/eval_fixture.hpp"

namespace lona {
namespace {

class SupervisorTest : public EvalTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(eval("(require 'lona.supervisor) (alias 'sup 'lona.supervisor)"
                   "(require 'lona.server) (alias 'server 'lona.server) :ready"),
              ":ready");
    // worker: a child :start function (a linked process that crashes on :crash and ends
    // normally on :quit). stop-with: sends child p msg and waits until p has ended; crash: with
    // :crash. pids: the pids of which-children. same: which of two pid tuples are equal,
    // pairwise. start-three: a supervisor of three workers :a :b :c by a strategy.
    ASSERT_EQ(eval("(def worker (fn* [] (spawn-link (fn* [] (receive :crash (exit :boom)"
                   "                                                  :quit :ok)))))"
                   "(def stop-with (fn* [p msg] (let [m (monitor p)] (send p msg)"
                   "  (receive [:DOWN r _ _] when (= r m) :down :after 10000 :timeout))))"
                   "(def crash (fn* [p] (stop-with p :crash)))"
                   "(def pids (fn* [s] (apply tuple (map (fn* [c] (nth c 1))"
                   "  (sup/which-children s)))))"
                   "(def same (fn* [a b] (apply tuple (map = a b))))"
                   "(def three [%{:id :a :start worker} %{:id :b :start worker}"
                   "            %{:id :c :start worker}])"
                   "(def start-three (fn* [strategy] (let [[:ok s] (sup/start three"
                   "  %{:strategy strategy :intensity 10 :period 60000})] s)))"),
              "#'user/start-three");
  }
};

TEST_F(SupervisorTest, StartsTheChildrenInOrder) {
  EXPECT_EQ(eval("(def t1 (start-three :one-for-one))"
                 "(map (fn* [c] (first c)) (sup/which-children t1))"),
            "(:a :b :c)");
  EXPECT_EQ(eval("(every? (fn* [p] (and (pid? p) (alive? p))) (pids t1))"), "true");
  // stop: the children first, then the supervisor (reason :normal).
  EXPECT_EQ(eval("(def t1-kids (pids t1)) (def t1-m (monitor t1))"
                 "[(sup/stop t1)"
                 " (receive [:DOWN r _ reason] when (= r t1-m) reason :after 10000 :timeout)"
                 " (map alive? t1-kids)]"),
            "[:ok :normal (false false false)]");
}

TEST_F(SupervisorTest, OneForOneRestartsOnlyTheChildThatEnded) {
  EXPECT_EQ(eval("(def t2 (start-three :one-for-one)) (def t2-before (pids t2))"
                 "(crash (nth t2-before 1))"
                 "(def t2-after (pids t2))"
                 "(same t2-before t2-after)"),
            "[true false true]");
  EXPECT_EQ(eval("[(alive? (nth t2-after 1)) (alive? (nth t2-before 1))]"), "[true false]");
  eval("(sup/stop t2)");
}

TEST_F(SupervisorTest, OneForAllRestartsEveryChild) {
  EXPECT_EQ(eval("(def t3 (start-three :one-for-all)) (def t3-before (pids t3))"
                 "(crash (nth t3-before 1))"
                 "(def t3-after (pids t3))"
                 "(same t3-before t3-after)"),
            "[false false false]");
  EXPECT_EQ(eval("[(map alive? t3-before) (map alive? t3-after)]"),
            "[(false false false) (true true true)]");
  eval("(sup/stop t3)");
}

TEST_F(SupervisorTest, RestForOneRestartsTheChildrenStartedAfter) {
  EXPECT_EQ(eval("(def t4 (start-three :rest-for-one)) (def t4-before (pids t4))"
                 "(crash (nth t4-before 1))"
                 "(def t4-after (pids t4))"
                 "(same t4-before t4-after)"),
            "[true false false]");
  // The last child: only itself.
  EXPECT_EQ(eval("(crash (nth t4-after 2)) (same t4-after (pids t4))"), "[true true false]");
  // The first: all of them.
  EXPECT_EQ(eval("(def t4-now (pids t4)) (crash (nth t4-now 0)) (same t4-now (pids t4))"),
            "[false false false]");
  eval("(sup/stop t4)");
}

// One restart more than :intensity within :period: the supervisor stops its children and exits
// with :shutdown.
TEST_F(SupervisorTest, IntensityExceededStopsTheSupervisor) {
  EXPECT_EQ(eval("(def t5 (let [[:ok s] (sup/start three %{:intensity 2 :period 60000})] s))"
                 "(def t5-mon (monitor t5))"
                 "(crash (nth (pids t5) 0)) (crash (nth (pids t5) 1))"
                 "(def t5-last (pids t5))"
                 "(map alive? t5-last)"),
            "(true true true)");
  EXPECT_EQ(eval("(crash (nth t5-last 2))"
                 "(receive [:DOWN r _ reason] when (= r t5-mon) reason :after 10000 :timeout)"),
            ":shutdown");
  EXPECT_EQ(eval("(map alive? t5-last)"), "(false false false)");
  // Linked to its caller, the supervisor's exit reaches it: as a message when it traps.
  EXPECT_EQ(eval("(trap-exit true)"
                 "(def t5b (let [[:ok s] (sup/start-link [%{:id :x :start worker}]"
                 "                                        %{:intensity 0})] s))"
                 "(crash (nth (pids t5b) 0))"
                 "(receive [:EXIT p reason] when (= p t5b) reason :after 10000 :timeout)"),
            ":shutdown");
  eval("(trap-exit false)");
}

// Restarts older than :period do not count.
TEST_F(SupervisorTest, RestartsOutsideThePeriodDoNotCount) {
  EXPECT_EQ(eval("(def t6 (let [[:ok s] (sup/start [%{:id :x :start worker}]"
                 "                                  %{:intensity 1 :period 1})] s))"
                 "(crash (nth (pids t6) 0)) (sleep 5)"
                 "(crash (nth (pids t6) 0)) (sleep 5)"
                 "(crash (nth (pids t6) 0))"
                 "[(alive? t6) (alive? (nth (pids t6) 0))]"),
            "[true true]");
  eval("(sup/stop t6)");
}

TEST_F(SupervisorTest, RestartKinds) {
  EXPECT_EQ(eval("(def t7 (let [[:ok s] (sup/start [%{:id :perm :start worker}"
                 "   %{:id :trans :start worker :restart :transient}"
                 "   %{:id :temp :start worker :restart :temporary}]"
                 "   %{:intensity 10 :period 60000})] s))"
                 "(def t7-before (pids t7))"
                 // A permanent child is restarted even when it ends normally.
                 "(stop-with (nth t7-before 0) :quit)"
                 // A transient one is not after :normal ...
                 "(stop-with (nth t7-before 1) :quit)"
                 "(def t7-mid (sup/which-children t7))"
                 "[(= (nth (nth t7-mid 0) 1) (nth t7-before 0)) (nth t7-mid 1)]"),
            "[false [:trans nil]]");
  // ... but is after a crash (restarted by hand first).
  EXPECT_EQ(eval("(def t7-trans (nth (sup/restart-child t7 :trans) 1))"
                 "(crash t7-trans)"
                 "(def t7-kids (sup/which-children t7))"
                 "(and (pid? (nth (nth t7-kids 1) 1)) (not (= (nth (nth t7-kids 1) 1) t7-trans)))"),
            "true");
  // A temporary child is never restarted, and forgotten.
  EXPECT_EQ(eval("(crash (nth t7-before 2)) (map first (sup/which-children t7))"),
            "(:perm :trans)");
  eval("(sup/stop t7)");
}

TEST_F(SupervisorTest, ManagingChildren) {
  EXPECT_EQ(eval("(def t8 (start-three :one-for-one)) (def t8-a (nth (pids t8) 0))"
                 "[(sup/terminate-child t8 :a) (alive? t8-a) (first (sup/which-children t8))]"),
            "[:ok false [:a nil]]");
  EXPECT_EQ(eval("(sup/terminate-child t8 :nobody)"), "[:error :not-found]");
  EXPECT_EQ(eval("(let [[:ok p] (sup/restart-child t8 :a)]"
                 "  (= p (nth (first (sup/which-children t8)) 1)))"),
            "true");
  EXPECT_EQ(eval("(sup/restart-child t8 :a)"), "[:error :running]");
  EXPECT_EQ(eval("(sup/delete-child t8 :a)"), "[:error :running]");
  EXPECT_EQ(eval("(sup/terminate-child t8 :a) (sup/delete-child t8 :a)"
                 "(map first (sup/which-children t8))"),
            "(:b :c)");
  EXPECT_EQ(eval("(first (sup/start-child t8 %{:id :d :start worker}))"), ":ok");
  EXPECT_EQ(eval("(sup/start-child t8 %{:id :d :start worker})"), "[:error :already-present]");
  EXPECT_EQ(eval("(first (nth (sup/start-child t8 %{:id :e}) 1))"), ":bad-child-spec");
  EXPECT_EQ(eval("(map first (sup/which-children t8))"), "(:b :c :d)");
  // A child that will not stop on :shutdown is killed after its :shutdown time.
  // (Its :start, which runs in the supervisor, returns once the child traps exits.)
  EXPECT_EQ(eval("(sup/start-child t8 %{:id :stubborn :shutdown 10 :start (fn* []"
                 "  (let [sup (self) p (spawn-link (fn* [] (trap-exit true) (send sup :trapping)"
                 "                                      (receive :never :ok)))]"
                 "    (receive :trapping p)))})"
                 "(def t8-s (nth (last (sup/which-children t8)) 1))"
                 "(def t8-m (monitor t8-s))"
                 "[(sup/terminate-child t8 :stubborn)"
                 " (receive [:DOWN r _ reason] when (= r t8-m) reason :after 10000 :timeout)]"),
            "[:ok :killed]");
  eval("(sup/stop t8)");
}

TEST_F(SupervisorTest, BadSpecsAndFailedStarts) {
  EXPECT_EQ(eval("(first (nth (sup/start [%{:start worker}]) 1))"), ":bad-child-spec");
  EXPECT_EQ(eval("(first (nth (sup/start [%{:id :a :start worker :restart :sometimes}]) 1))"),
            ":bad-child-spec");
  EXPECT_EQ(eval("(sup/start [%{:id :a :start worker} %{:id :a :start worker}])"),
            "[:error [:duplicate-child-id :a]]");
  EXPECT_EQ(eval("(first (nth (sup/start [] %{:strategy :all-at-once}) 1))"), ":bad-options");
  EXPECT_EQ(eval("(first (sup/start []))"), ":ok");
  // A child whose :start gives no pid: the children started before it are stopped.
  EXPECT_EQ(
      eval("(def t9-me (self))"
           "(def t9-first (fn* [] (let [p (worker)] (send t9-me [:first p]) p)))"
           "(def t9 (sup/start [%{:id :one :start t9-first} %{:id :two :start (fn* [] :nope)}]))"
           "(def t9-one (receive [:first p] p :after 10000 :timeout))"
           "[t9 (alive? t9-one)]"),
      "[[:error [:failed-to-start :two :nope]] false]");
}

// A supervisor linked to its parent ends with it, and stops its children first.
TEST_F(SupervisorTest, EndsWithItsParent) {
  EXPECT_EQ(eval("(def t10-me (self))"
                 "(def t10-parent (spawn (fn* []"
                 "  (let [[:ok s] (sup/start-link three)]"
                 "    (send t10-me [:sup s (pids s)])"
                 "    (receive :die (exit :bye))))))"
                 "(def t10 (receive [:sup s kids] [s kids] :after 10000 :timeout))"
                 "(def t10-m (monitor (first t10)))"
                 "(send t10-parent :die)"
                 "(receive [:DOWN r _ reason] when (= r t10-m) reason :after 10000 :timeout)"),
            ":bye");
  EXPECT_EQ(eval("(map alive? (nth t10 1))"), "(false false false)");
}

// Supervisors nest: a child may itself be a supervisor (started with start-link).
TEST_F(SupervisorTest, Nesting) {
  EXPECT_EQ(eval("(def t11 (let [[:ok s] (sup/start [%{:id :inner :start (fn* []"
                 "  (nth (sup/start-link [%{:id :w :start worker}]) 1))}]"
                 "  %{:intensity 5})] s))"
                 "(def t11-inner (nth (pids t11) 0))"
                 "(def t11-w (nth (pids t11-inner) 0))"
                 "(crash t11-w)"
                 "[(= t11-inner (nth (pids t11) 0)) (= t11-w (nth (pids t11-inner) 0))]"),
            "[true false]");
  EXPECT_EQ(eval("(def t11-w2 (nth (pids t11-inner) 0)) (sup/stop t11)"
                 "[(alive? t11-inner) (alive? t11-w2)]"),
            "[false false]");
}

// --- lona.server: call and reply ---------------------------------------------------------------

class ServerTest : public EvalTest {
 protected:
  void SetUp() override {
    // A server holding a number: [:add n] answers the new total; [:slow] waits for :go before
    // answering (then tells whoever sent :go); [:die] ends it with :crashed, unanswered.
    ASSERT_EQ(eval("(require 'lona.server) (alias 'server 'lona.server)"
                   "(def counter (fn* lp [n] (receive"
                   "  [:lona/call from [:add k]] (do (server/reply from (+ n k)) (lp (+ n k)))"
                   "  [:lona/call from [:slow]] (receive [:go who] (do (server/reply from :late)"
                   "                                                   (send who :replied)"
                   "                                                   (lp n)))"
                   "  [:lona/call from [:die]] (exit :crashed)"
                   "  [:lona/cast [:add k]] (lp (+ n k)))))"
                   "(def await-exit (fn* [p] (let [r (monitor p)]"
                   "  (receive [:DOWN r2 _ reason] when (= r r2) reason :after 10000 :timeout))))"),
              "#'user/await-exit");
  }
};

TEST_F(ServerTest, CallReturnsTheReply) {
  EXPECT_EQ(eval("(def s1 (spawn (fn* [] (counter 0))))"
                 "[(server/call s1 [:add 2]) (server/call s1 [:add 3] 5000)"
                 " (server/call s1 [:add 4] :infinity)]"),
            "[2 5 9]");
  EXPECT_EQ(eval("(server/cast s1 [:add 10]) (server/call s1 [:add 0])"), "19");
  // By registered name.
  EXPECT_EQ(eval("(register 's1-name s1) (server/call 's1-name [:add 1])"), "20");
  // Nothing is left behind in the caller's queue (no reply, no :DOWN).
  EXPECT_EQ(eval("(receive x x :after 0 :empty)"), ":empty");
  eval("(unregister 's1-name) (exit s1 :kill)");
}

TEST_F(ServerTest, CallToADeadServerFails) {
  EXPECT_EQ(eval("(def s2 (spawn (fn* [] :done))) (await-exit s2) (alive? s2)"), "false");
  EXPECT_EQ(eval("(spawn-monitor (fn* [] (server/call s2 [:add 1])))"
                 "(receive [:DOWN _ _ reason] (= reason [:noproc [:call s2 [:add 1]]])"
                 " :after 10000 :timeout)"),
            "true");
  std::string message = eval_message("(server/call s2 [:add 1])");
  EXPECT_TRUE(Mentions(message, ":noproc")) << message;
  EXPECT_EQ(eval("(server/call s2 [:add 1])"), "ERROR :exit");
  EXPECT_EQ(eval("(spawn-monitor (fn* [] (server/call 's2-nobody [:add 1])))"
                 "(receive [:DOWN _ _ [reason _]] reason :after 10000 :timeout)"),
            ":noproc");
  // A server that exits before it replies: its reason.
  EXPECT_EQ(eval("(def s3 (spawn (fn* [] (counter 0))))"
                 "(spawn-monitor (fn* [] (server/call s3 [:die])))"
                 "(receive [:DOWN _ _ [reason _]] reason :after 10000 :timeout)"),
            ":crashed");
}

// A call that times out ends the caller; the reply that comes later is dropped by the runtime.
TEST_F(ServerTest, CallTimeoutAndLateReply) {
  EXPECT_EQ(eval("(def s4 (spawn (fn* [] (counter 0))))"
                 "(spawn-monitor (fn* [] (server/call s4 [:slow] 20)))"
                 "(receive [:DOWN _ _ [reason _]] reason :after 10000 :timeout)"),
            ":timeout");
  EXPECT_TRUE(Mentions(eval_message("(server/call s4 [:slow] 20)"), ":timeout"));
  // The server answers both slow calls now; each :replied comes after its reply, from the same
  // process, so once the second is here the late reply to this process has been dealt with:
  // dropped.
  EXPECT_EQ(eval("(send s4 [:go (self)]) (send s4 [:go (self)])"
                 "[(receive :replied :ok :after 10000 :timeout)"
                 " (receive :replied :ok :after 10000 :timeout)]"),
            "[:ok :ok]");
  EXPECT_EQ(eval("(receive x x :after 0 :empty)"), ":empty");
  EXPECT_EQ(eval("(server/call s4 [:add 1])"), "1");  // and the server goes on
  eval("(exit s4 :kill)");
}

// --- send-sync ---------------------------------------------------------------------------------

class SendSyncTest : public EvalTest {
 protected:
  void SetUp() override { ASSERT_EQ(eval("(def ss-me (self))"), "#'user/ss-me"); }
};

TEST_F(SendSyncTest, OkOnceTheTargetTakesTheMessage) {
  EXPECT_EQ(eval("(def ss1 (spawn (fn* [] (receive m (send ss-me [:took m])))))"
                 "[(send-sync ss1 :hello 10000) (receive [:took m] m :after 10000 :timeout)]"),
            "[:ok :hello]");
  // Without a timeout: waits as long as it takes.
  EXPECT_EQ(eval("(def ss2 (spawn (fn* [] (receive m (send ss-me [:took m])))))"
                 "[(send-sync ss2 :again) (receive [:took m] m :after 10000 :timeout)]"),
            "[:ok :again]");
  EXPECT_EQ(eval("(receive x x :after 0 :empty)"), ":empty");
}

// The acknowledgement belongs to the message the receive takes, also from the middle of the
// queue: :a (plain) waits while [:b 1] (sync) is taken first.
TEST_F(SendSyncTest, SelectiveReceiveAcknowledgesTheRightMessage) {
  EXPECT_EQ(eval("(def ss3 (spawn (fn* [] (receive [:b x] (send ss-me [:got-b x]))"
                 "                        (receive :a (send ss-me :got-a)))))"
                 "(send ss3 :a)"
                 "[(send-sync ss3 [:b 1] 10000) (receive [:got-b x] x :after 10000 :timeout)"
                 " (receive :got-a :a :after 10000 :timeout)]"),
            "[:ok 1 :a]");
}

TEST_F(SendSyncTest, Timeouts) {
  EXPECT_EQ(eval("(send-sync (self) :msg 0)"), ":timeout");
  EXPECT_EQ(eval("(receive x x :after 0 :empty)"), ":msg");  // it was sent all the same
  // A target that is not receiving: :timeout; it takes the message later, and that
  // acknowledgement is dropped (it is dealt with before :took, which comes after it).
  EXPECT_EQ(eval("(def ss4 (spawn (fn* [] (receive :go (receive m (send ss-me [:took m]))))))"
                 "(send-sync ss4 :late 20)"),
            ":timeout");
  EXPECT_EQ(eval("(send ss4 :go) (receive [:took m] m :after 10000 :timeout)"), ":late");
  EXPECT_EQ(eval("(receive x x :after 0 :empty)"), ":empty");
}

TEST_F(SendSyncTest, DeadTargetsAndBadArguments) {
  // A dead pid never acknowledges: :timeout at once, even with no timeout.
  EXPECT_EQ(eval("(def ss5 (spawn-monitor (fn* [] :done)))"
                 "(receive [:DOWN _ _ _] :down :after 10000 :timeout)"
                 "(send-sync (first ss5) :x)"),
            ":timeout");
  // A target that ends before it takes the message.
  EXPECT_EQ(eval("(def ss6 (spawn (fn* [] (receive :never :ok))))"
                 "(spawn (fn* [] (receive :after 5 (exit ss6 :kill))))"
                 "(send-sync ss6 :x)"),
            ":timeout");
  EXPECT_EQ(eval("(receive x x :after 0 :empty)"), ":empty");
  EXPECT_EQ(eval("(send-sync 42 :x 10)"), "ERROR :badarg");
  EXPECT_TRUE(Mentions(eval_message("(send-sync nil :x)"), "bad argument"));
  EXPECT_EQ(eval("(send-sync (self) :x -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(receive x x :after 0 :empty)"), ":empty");  // nothing was sent
}

// --- process-bound vars ------------------------------------------------------------------------

class ProcessBoundVarTest : public EvalTest {};

TEST_F(ProcessBoundVarTest, ChildrenInheritTheBindingsAtSpawn) {
  EXPECT_EQ(eval("(def pb-me (self))"
                 "(def ^:process-bound *pb1* :root)"
                 "(spawn (fn* [] (send pb-me [:saw *pb1*])))"
                 "(receive [:saw v] v :after 10000 :timeout)"),
            ":root");
  // def of a process-bound var that has a root sets this process's own value only...
  EXPECT_EQ(eval("(def *pb1* :parent-value) *pb1*"), ":parent-value");
  EXPECT_EQ(eval("(:process-bound (meta #'*pb1*))"), "true");
  // ... which a child spawned from now on starts with.
  EXPECT_EQ(eval("(spawn (fn* [] (send pb-me [:saw *pb1*])))"
                 "(receive [:saw v] v :after 10000 :timeout)"),
            ":parent-value");
  // A child's def is its own: the parent and the root keep theirs.
  EXPECT_EQ(eval("(spawn (fn* [] (def *pb1* :child-value) (send pb-me [:saw *pb1*])))"
                 "[(receive [:saw v] v :after 10000 :timeout) *pb1*]"),
            "[:child-value :parent-value]");
  // A process with no value of its own sees the root: another evaluator's (a process of its
  // own, which spawned nothing).
  Heap other_heap;
  CompilingEvaluator other;
  Reader reader(other_heap, "[*pb1* (var-get #'*pb1*)]", other.reader_options());
  Term form;
  ASSERT_EQ(reader.next(&form), Reader::Status::kForm);
  EvalResult r = other.eval(other_heap, form);
  ASSERT_TRUE(r.ok) << r.error.message;
  EXPECT_EQ(print(r.value), "[:root :root]");
}

TEST_F(ProcessBoundVarTest, BindingsSurviveCollections) {
  EXPECT_EQ(eval("(def ^:process-bound *pb2* 0) (def *pb2* (vec (range 1000)))"
                 "(reduce (fn* [a _] (vec (range 100))) nil (range 2000))"
                 "(garbage-collect)"
                 "[(count *pb2*) (nth *pb2* 999)]"),
            "[1000 999]");
  // A child's copy, also through its collections.
  EXPECT_EQ(eval("(def pb2-me (self))"
                 "(spawn (fn* [] (reduce (fn* [a _] (vec (range 100))) nil (range 2000))"
                 "  (send pb2-me (reduce + *pb2*))))"
                 "(receive n n :after 10000 :timeout)"),
            "499500");
}

// *ns* is each process's own: in-ns in a child changes the child's, which its own children
// start with, and neither the parent's nor the root.
TEST_F(ProcessBoundVarTest, EachProcessHasItsOwnCurrentNamespace) {
  EXPECT_EQ(eval("(def pb3-me (self))"
                 "(spawn (fn* [] (send pb3-me [:at-start (ns-name *ns*)])"
                 "  (in-ns 'pb3.child)"
                 "  (send pb3-me [:after-in-ns (ns-name *ns*)])"
                 "  (spawn (fn* [] (send pb3-me [:grandchild (ns-name *ns*)])))))"
                 "[(receive [:at-start n] n :after 10000 :timeout)"
                 " (receive [:after-in-ns n] n :after 10000 :timeout)"
                 " (receive [:grandchild n] n :after 10000 :timeout)"
                 " (ns-name *ns*) (ns-name (var-get #'*ns*))]"),
            "[user pb3.child pb3.child user user]");
  // (def *ns* ns), compiled in lona.core where the var is, is in-ns; it takes a namespace only.
  EXPECT_EQ(eval("(in-ns 'lona.core) (def *ns* (find-ns 'lona.time)) (ns-name *ns*)"), "lona.time");
  EXPECT_EQ(eval("(in-ns 'lona.core) (def *ns* 5)"), "ERROR :type-error");
  EXPECT_EQ(eval("(ns-name *ns*)"), "lona.core");
  EXPECT_EQ(eval("(in-ns 'user)"), "#<ns user>");
  EXPECT_EQ(eval("(ns-name *ns*)"), "user");
}

}  // namespace
}  // namespace lona
