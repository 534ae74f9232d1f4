// Processes as Lonala sees them (reference 6): spawn, send and receive, links, exits, monitors,
// the registry, preemption. The test's own thread is a bound process (vm/interp); the processes
// it spawns run on the runtime's workers.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "runtime/memory/block_pool.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/refc_binary.hpp"
#include "tests/support/eval_fixture.hpp"

namespace lona {
namespace {

// Tests wait for what they need to have happened, never for a time: await-exit returns once
// process p has exited (through a monitor of its own), await-status once p's status is s.
class ProcessTest : public EvalTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(eval("(def await-exit (fn* [p] (let [r (monitor p)]"
                   "  (receive [:DOWN r2 _ _] when (= r r2) :gone :after 10000 :timeout))))"
                   "(def await-status (fn* aw [p s k] (let [now (:status (process-info p))]"
                   "  (if (or (= now s) (= k 0)) now (do (sleep 1) (aw p s (- k 1)))))))"),
              "#'user/await-status");
  }

  // The number of live processes once it is at most n, or after 10 s (exited processes leave
  // the table as their workers finish them).
  static size_t await_process_count_at_most(size_t n) {
    for (int i = 0; i < 1000 && Runtime::get().process_count() > n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Runtime::get().process_count();
  }

  // The off-heap binary bytes alive once they are at most n, or after 10 s (a process's memory
  // goes when the last reference to it does, and a worker's send cache may hold one until the
  // worker next parks).
  static size_t await_refc_bytes_at_most(size_t n) {
    for (int i = 0; i < 1000 && live_refc_bytes() > n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return live_refc_bytes();
  }
};

TEST_F(ProcessTest, SelfIsAPid) {
  EXPECT_EQ(eval("(pid? (self))"), "true");
  EXPECT_EQ(eval("(= (self) (self))"), "true");
  EXPECT_EQ(eval("(pid? 42)"), "false");
  EXPECT_EQ(eval("(alive? (self))"), "true");
  EXPECT_EQ(eval("(alive? 42)"), "false");
}

TEST_F(ProcessTest, SendToSelfThenReceiveInOrder) {
  EXPECT_EQ(eval("(send (self) 1) (send (self) 2) (send (self) 3)"
                 "[(receive x x) (receive x x) (receive x x)]"),
            "[1 2 3]");
}

TEST_F(ProcessTest, SelectiveReceiveLeavesOtherMessagesInOrder) {
  EXPECT_EQ(eval("(send (self) :a) (send (self) [:b 1]) (send (self) :c)"
                 "[(receive [:b x] x) (receive m m) (receive m m)]"),
            "[1 :a :c]");
}

// Many messages waiting: taken oldest first, in order, and selectively from the middle.
TEST_F(ProcessTest, ALongQueueIsTakenInOrder) {
  EXPECT_EQ(eval("(def t24-n 100000)"
                 "(reduce (fn* [_ i] (send (self) i)) nil (range t24-n))"
                 "(send (self) :marker)"
                 "(receive :marker :found)"),
            ":found");
  EXPECT_EQ(
      eval("(def t24-take (fn* tk [k expect] (if (= k 0) :in-order"
           "  (receive i (if (= i expect) (tk (- k 1) (+ expect 1)) [:out-of-order i expect])))))"
           "(t24-take t24-n 0)"),
      ":in-order");
  EXPECT_EQ(eval("(receive x x :after 0 :empty)"), ":empty");
}

// Each message in turn, oldest first, against the clauses in order (a guard after its pattern).
TEST_F(ProcessTest, ReceiveGuardsAndClauseOrder) {
  EXPECT_EQ(eval("(send (self) 5) (send (self) 50)"
                 "[(receive n when (> n 10) [:big n] n [:small n])"
                 " (receive n when (> n 10) [:big n] n [:small n])]"),
            "[[:small 5] [:big 50]]");
}

TEST_F(ProcessTest, ReceiveAfter) {
  EXPECT_EQ(eval("(receive :after 0 :timeout)"), ":timeout");
  EXPECT_EQ(eval("(receive x x :after 20 :timeout)"), ":timeout");
  EXPECT_EQ(eval("(send (self) :m) (receive x x :after 0 :timeout)"), ":m");
  EXPECT_EQ(eval("(sleep 1)"), ":ok");
}

TEST_F(ProcessTest, ReceiveErrors) {
  EXPECT_EQ(eval("(receive)"), "ERROR :syntax-error");
  EXPECT_EQ(eval("(receive x)"), "ERROR :syntax-error");
  EXPECT_EQ(eval("(receive x x :after)"), "ERROR :syntax-error");
  EXPECT_EQ(eval("(receive :after -1 :t)"), "ERROR :badarg");
  EXPECT_EQ(eval("(receive :after :soon :t)"), "ERROR :badarg");
  EXPECT_EQ(eval("(sleep -1)"), "ERROR :badarg");
}

TEST_F(ProcessTest, SpawnedProcessAnswers) {
  EXPECT_EQ(eval("(def t1-me (self))"
                 "(def t1-p (spawn (fn* [] (send t1-me [:child (self)]))))"
                 "(receive [:child q] (= q t1-p) :after 5000 :timeout)"),
            "true");
}

TEST_F(ProcessTest, ClosuresAreCopiedIntoTheChild) {
  EXPECT_EQ(eval("(def t2-me (self))"
                 "(let [secret {1 2 3} n 7] (spawn (fn* [] (send t2-me [secret n]))))"
                 "(receive m m :after 5000 :timeout)"),
            "[{1 2 3} 7]");
}

TEST_F(ProcessTest, AServerLoopKeepsState) {
  EXPECT_EQ(eval("(def t3-me (self))"
                 "(def t3-counter (spawn (fn* [] (let [lp (fn* lp [n] (receive [:inc] (lp (+ n 1))"
                 "  [:get from] (do (send from n) (lp n))))] (lp 0)))))"
                 "(send t3-counter [:inc]) (send t3-counter [:inc]) (send t3-counter [:inc])"
                 "(send t3-counter [:get t3-me])"
                 "(receive n n :after 5000 :timeout)"),
            "3");
  eval("(exit t3-counter :kill)");
}

TEST_F(ProcessTest, SendErrorsAndDeadPids) {
  EXPECT_EQ(eval("(send 42 :msg)"), "ERROR :badarg");
  EXPECT_TRUE(Mentions(eval_message("(send nil :msg)"), "bad argument"));
  EXPECT_EQ(eval("(let [p (spawn (fn* [] :done))] (await-exit p) (send p :late))"), ":ok");
  EXPECT_EQ(eval("(send (self) (bytebuf-alloc 4))"), "ERROR :type-error");
}

// A worker keeps the processes it sends to again and again at hand (Runtime::Worker::send_cache).
// One that has exited, or whose slot a new process took, must get nothing more. The sender S
// sends to B until B is in its worker's cache; B exits; a new process C starts (most likely in B's
// slot: free slots are reused last out first) and S sends to C until C is in the cache; then S
// sends to B's pid again, and last tells C to report. C must have got only what was sent to C.
TEST_F(ProcessTest, MessagesToAnExitedReceiverReachNobodyEvenFromAWorkersCache) {
  EXPECT_EQ(eval("(def t2c-me (self))"
                 "(def flush-sent (fn* f [k] (if (= k 0) :ok"
                 "                             (receive :sent (f (- k 1)) :after 10000 :timeout))))"
                 "(def t2c-s (spawn (fn* s [] (receive [:send to m n]"
                 "  (do (reduce (fn* [_ _] (send to m)) nil (range n)) (send t2c-me :sent) (s))))))"
                 "(def t2c-b (spawn (fn* b [] (receive :x (b) :die :ok))))"
                 "(send t2c-s [:send t2c-b :x 10])"
                 "(receive :sent :ok :after 10000 :timeout)"),
            ":ok");
  EXPECT_EQ(eval("(send t2c-b :die) (await-exit t2c-b)"), ":gone");
  EXPECT_EQ(eval("(def t2c-collect (fn* c [got] (receive :end (send t2c-me got)"
                 "                                        m (c (conj got m)))))"
                 "(def t2c-c (spawn (fn* [] (t2c-collect {}))))"
                 "(send t2c-s [:send t2c-c :for-c 3])"
                 "(send t2c-s [:send t2c-b :for-b 10])"
                 "(send t2c-s [:send t2c-c :end 1])"
                 "(receive got when (vector? got) got :after 10000 :timeout)"),
            "{:for-c :for-c :for-c}");
  EXPECT_EQ(eval("(flush-sent 3)"), ":ok");
  EXPECT_EQ(eval("(alive? t2c-b)"), "false");
  eval("(exit t2c-s :kill)");
}

// A binary above 64 bytes travels by reference (refc_binary.hpp): an echo process gets a
// 200-byte binary and sends it back inside a tuple, the bytes arrive whole, and once both
// processes are gone, with their heaps, messages and envelopes, the realm holds no more off-heap
// binary bytes than before.
TEST_F(ProcessTest, BigBinariesAreSharedAndFreedWithTheirLastHolder) {
  size_t before = live_refc_bytes();
  EXPECT_EQ(
      eval("(def t3b-me (self))"
           "(def t3b-echo (spawn (fn* e [] (receive [from b] (do (send from [:echo b]) (e))))))"
           "(def t3b-user (spawn (fn* [] (let [b (binary (range 200))]"
           "  (send t3b-echo [(self) b])"
           "  (receive [:echo b2] (send t3b-me [(= b b2) (binary-size b2)"
           "                                   (>= (:binary (memory-stats)) 200)]))))))"
           "(receive r r :after 10000 :timeout)"),
      "[true 200 true]");
  EXPECT_EQ(eval("(await-exit t3b-user)"), ":gone");
  EXPECT_EQ(eval("(exit t3b-echo :kill) (await-exit t3b-echo)"), ":gone");
  EXPECT_EQ(await_refc_bytes_at_most(before), before);
}

// A message over 64 words is not copied: its fragment joins the receiver's heap, and the
// envelope hands its references to the heap. Here the 2 MB binary in it makes the receiver's
// heap collect at once (off-heap bytes count towards its fill), while the message is still
// live, which overwrites the fragment's objects with forwarding words: the references must not
// be looked for there afterwards (they leaked when the envelope kept them).
TEST_F(ProcessTest, BigBinariesInAnAdoptedMessageAreFreedWithTheirLastHolder) {
  size_t before = live_refc_bytes();
  EXPECT_EQ(eval("(def t3d-me (self))"
                 "(def t3d-r (spawn (fn* [] (receive [b v] (let [n (count (vec (range 3000)))]"
                 "  (send t3d-me [(binary-size b) (count v) n]))))))"
                 "(spawn (fn* [] (send t3d-r [(bytebuf->binary (bytebuf-alloc 2000000))"
                 "                            (vec (range 70))])))"
                 "(receive r r :after 10000 :timeout)"),
            "[2000000 70 3000]");
  EXPECT_EQ(eval("(await-exit t3d-r)"), ":gone");
  EXPECT_EQ(await_refc_bytes_at_most(before), before);
}

TEST_F(ProcessTest, ABytebufIsNeverSentHoweverDeepItLies) {
  // Flat or not, in a leaf position or below other objects: the message is refused whole and
  // nothing arrives.
  EXPECT_EQ(eval("(def sb-buf (bytebuf-alloc 4)) (register 'sb-me)"), ":ok");
  for (const char* msg : {"[sb-buf]", "[(self) sb-buf]", "(list 1 sb-buf)", "%{:k {1 [sb-buf]}}",
                          "[1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 sb-buf]"}) {
    EXPECT_EQ(eval(std::string("(send (self) ") + msg + ")"), "ERROR :type-error") << msg;
    EXPECT_TRUE(
        Mentions(eval_message(std::string("(send (self) ") + msg + ")"), "a bytebuf is never sent"))
        << msg;
    EXPECT_EQ(eval(std::string("(send-named 'sb-me ") + msg + ")"), "ERROR :type-error") << msg;
  }
  EXPECT_EQ(eval("(send-sync (self) [sb-buf] 0)"), "ERROR :type-error");
  // Nor in an exit signal's reason: refused, and nothing reaches the target, which traps exits:
  // the first thing it gets is the message sent after (a signal would come first, signals and
  // messages of one sender being ordered).
  EXPECT_EQ(eval("(def sb-p (spawn (fn [] (trap-exit true) (send-named 'sb-me :trapping)"
                 "  (receive m (send-named 'sb-me [:first m])))))"
                 "(receive :trapping :ok :after 10000 :timeout)"),
            ":ok");
  EXPECT_EQ(eval("(exit sb-p [:bad sb-buf])"), "ERROR :type-error");
  EXPECT_TRUE(Mentions(eval_message("(exit sb-p sb-buf)"), "bytebuf"));
  EXPECT_EQ(eval("(send sb-p :after) (receive [:first m] m :after 10000 :timeout)"), ":after");
  EXPECT_EQ(eval("(receive x [:got x] :after 0 :none)"), ":none");
  EXPECT_EQ(eval("(send (self) [(self) (bytebuf->binary sb-buf)])"), ":ok");  // a binary is sent
  EXPECT_EQ(eval("(receive [p b] (binary? b) :after 0 :none)"), "true");
  // Nor does a child start with one: not captured by its function, not in a process-bound value.
  EXPECT_EQ(eval("(let [b sb-buf] (spawn (fn [] (bytebuf-size b))))"), "ERROR :badarg");
  EXPECT_TRUE(Mentions(eval_message("(let [b sb-buf] (spawn (fn [] [b])))"), "hold a bytebuf"));
  EXPECT_EQ(eval("(def ^:process-bound *sb-pb* :root) (def *sb-pb* [1 [sb-buf]])"),
            "ERROR :type-error");
  EXPECT_EQ(eval("*sb-pb*"), ":root");
  eval("(unregister 'sb-me)");
}

TEST_F(ProcessTest, ProcessEndsAndIsNoLongerAlive) {
  EXPECT_EQ(eval("(def t4-p (spawn (fn* [] :done))) (def t4-r (monitor t4-p))"
                 "(receive [:DOWN r _ reason] (= r t4-r) :after 5000 :timeout)"),
            "true");
  EXPECT_EQ(eval("(alive? t4-p)"), "false");
}

TEST_F(ProcessTest, MonitorReportsTheReason) {
  EXPECT_EQ(eval("(def t5 (spawn-monitor (fn* [] (exit :bye))))"
                 "(receive [:DOWN ref pid reason] [(= ref (nth t5 1)) (= pid (first t5)) reason]"
                 " :after 5000 :timeout)"),
            "[true true :bye]");
  // A runtime error is [:error kind info].
  EXPECT_EQ(eval("(spawn-monitor (fn* [] (+ 1 :x)))"
                 "(receive [:DOWN _ _ [:error kind _]] kind :after 5000 :timeout)"),
            ":type-error");
}

TEST_F(ProcessTest, MonitorOfADeadProcessIsNoproc) {
  EXPECT_EQ(eval("(def t6-p (spawn (fn* [] :done))) (await-exit t6-p) (monitor t6-p)"
                 "(receive [:DOWN _ _ reason] reason :after 5000 :timeout)"),
            ":noproc");
}

TEST_F(ProcessTest, DemonitorMeansNoDown) {
  EXPECT_EQ(eval("(def t7-p (spawn (fn* [] (receive :go :ok)))) (def t7-r (monitor t7-p))"
                 "(demonitor t7-r) (send t7-p :go)"
                 "(receive [:DOWN _ _ _] :down :after 100 :none)"),
            ":none");
}

TEST_F(ProcessTest, TrappedExitsArriveAsMessages) {
  EXPECT_EQ(eval("(trap-exit true)"
                 "(def t8-p (spawn-link (fn* [] (exit :test-exit))))"
                 "(receive [:EXIT pid reason] [(= pid t8-p) reason] :after 5000 :timeout)"),
            "[true :test-exit]");
  EXPECT_EQ(eval("(trap-exit false)"), ":ok");
}

TEST_F(ProcessTest, ExitsCascadeAlongLinksUnlessNormal) {
  // A middle process linked to a crashing child dies with the child's reason.
  EXPECT_EQ(eval("(spawn-monitor (fn* [] (do (spawn-link (fn* [] (exit :boom)))"
                 "                        (receive :never :ok))))"
                 "(receive [:DOWN _ _ reason] reason :after 5000 :timeout)"),
            ":boom");
  // A child that ends normally does not take it along: the middle process hears of the child's
  // end (its :DOWN comes after the link's exit signal, from the same sender) and reports back.
  EXPECT_EQ(eval("(def t9-me (self))"
                 "(spawn (fn* [] (let [c (spawn-link (fn* [] (receive :go :done)))]"
                 "  (monitor c) (send c :go)"
                 "  (receive [:DOWN _ _ r] (send t9-me [:survived r])))))"
                 "(receive [:survived r] r :after 5000 :timeout)"),
            ":normal");
}

TEST_F(ProcessTest, KillIsUntrappable) {
  EXPECT_EQ(eval("(def t10-p (spawn (fn* [] (do (trap-exit true) (receive :never :ok)))))"
                 "(monitor t10-p) (exit t10-p :kill)"
                 "(receive [:DOWN _ _ reason] reason :after 5000 :timeout)"),
            ":killed");
  // Any other reason to a trapping process is a message.
  EXPECT_EQ(eval("(def t10-me (self))"
                 "(def t10-q (spawn (fn* [] (do (trap-exit true) (send t10-me :trapping)"
                 "  (receive [:EXIT from r] (send t10-me [:got r]))))))"
                 "(receive :trapping :ok) (exit t10-q :please)"
                 "(receive [:got r] r :after 5000 :timeout)"),
            ":please");
}

TEST_F(ProcessTest, LinkToADeadProcessIsNoproc) {
  EXPECT_EQ(
      eval("(trap-exit true) (def t11-p (spawn (fn* [] :done))) (await-exit t11-p) (link t11-p)"
           "(receive [:EXIT _ reason] reason :after 5000 :timeout)"),
      ":noproc");
  eval("(trap-exit false)");
}

TEST_F(ProcessTest, Registry) {
  EXPECT_EQ(eval("(whereis 't12-nobody)"), "nil");
  EXPECT_EQ(eval("(send-named 't12-nobody :x)"), ":not-found");
  EXPECT_EQ(eval("(register 't12-me) (= (whereis 't12-me) (self))"), "true");
  EXPECT_EQ(eval("(register 't12-me)"), "ERROR :badarg");
  EXPECT_EQ(eval("(send-named 't12-me :hi) (receive m m :after 1000 :timeout)"), ":hi");
  EXPECT_EQ(eval("(unregister 't12-me) (whereis 't12-me)"), "nil");
  EXPECT_EQ(eval("(def t12-p (spawn (fn* [] (receive :stop :ok)) %{:name 't12-named}))"
                 "(= (whereis 't12-named) t12-p)"),
            "true");
  // The name goes with the process.
  EXPECT_EQ(eval("(monitor t12-p) (send t12-p :stop) (receive [:DOWN _ _ _] :down :after 5000 :t)"
                 "(whereis 't12-named)"),
            "nil");
}

// A native function can be spawned too: it runs at once, in one step.
TEST_F(ProcessTest, SpawnANativeFunction) {
  EXPECT_EQ(eval("(spawn-monitor +) (receive [:DOWN _ _ r] r :after 5000 :timeout)"), ":normal");
  EXPECT_EQ(eval("(spawn-monitor (fn* [] (apply + [1 2])))"
                 "(receive [:DOWN _ _ r] r :after 5000 :timeout)"),
            ":normal");
}

// Terms whose copies would explode (a DAG of 2^60 paths) are refused before anything is copied.
TEST_F(ProcessTest, TooLargeToCopy) {
  const std::string dag = "(reduce (fn* [a _] [a a]) 0 (range 60))";
  EXPECT_TRUE(Mentions(eval_message("(send (self) " + dag + ")"), "too large"));
  EXPECT_EQ(eval("(send (self) " + dag + ")"), "ERROR :badarg");
  EXPECT_EQ(eval("(let [d " + dag + "] (spawn (fn* [] d)))"), "ERROR :badarg");
  EXPECT_EQ(eval("(exit (self) " + dag + ")"), "ERROR :badarg");
  // A process that exits with such a reason is reported as :oom; the message about the exit
  // prints only the start of the reason.
  EXPECT_EQ(eval("(spawn-monitor (fn* [] (exit " + dag +
                 ")))"
                 "(receive [:DOWN _ _ r] r :after 5000 :timeout)"),
            ":oom");
  std::string message = eval_message("(exit " + dag + ")");
  EXPECT_LT(message.size(), 1100u);
  EXPECT_TRUE(Mentions(message, "[[[[[[")) << message;
}

TEST_F(ProcessTest, SpawnOptions) {
  EXPECT_EQ(eval("(def t13-p (spawn (fn* [] (receive :stop :ok)) %{:priority 50}))"
                 "(:priority (process-info t13-p))"),
            "50");
  // Gone before the count below is taken: it exits on a worker, in its own time.
  EXPECT_EQ(eval("(send t13-p :stop) (await-exit t13-p)"), ":gone");
  EXPECT_EQ(eval("(spawn (fn* [] :ok) %{:priority 300})"), "ERROR :badarg");
  EXPECT_EQ(eval("(spawn (fn* [] :ok) %{:colour :red})"), "ERROR :badarg");
  EXPECT_EQ(eval("(spawn (fn* [] :ok) [:priority 1])"), "ERROR :type-error");
  EXPECT_EQ(eval("(spawn 42)"), "ERROR :type-error");
  EXPECT_EQ(eval("(spawn (fn* [] :ok) %{:max-heap-size -1})"), "ERROR :badarg");
  EXPECT_EQ(eval("(spawn (fn* [] :ok) %{:name \"x\"})"), "ERROR :type-error");
  // A name that is taken refuses the spawn; nothing is started.
  EXPECT_EQ(eval("(register 't13-taken)"), ":ok");
  size_t before = Runtime::get().process_count();
  EXPECT_EQ(eval("(spawn (fn* [] :ok) %{:name 't13-taken})"), "ERROR :badarg");
  EXPECT_EQ(Runtime::get().process_count(), before);
  eval("(unregister 't13-taken)");
}

// Process objects and heap blocks come from the block pools (runtime/memory): 20,000 processes
// that grow their heaps and end give the memory back, on whichever worker they ended.
TEST_F(ProcessTest, EndedProcessesGiveTheirMemoryBack) {
  if (!memory::BlockPool::kPooling) {
    GTEST_SKIP() << "pooling is off under AddressSanitizer: blocks come from operator new";
  }
  eval("(self)");  // this thread's process first: it stays
  eval(
      "(defn t31-spawn-all [k acc me]"
      "  (if (= k 0) acc"
      "    (t31-spawn-all (- k 1)"
      "      (prepend acc (spawn (fn* [] (receive :go (send me (count (vec (range 100))))))))"
      "      me)))");
  const size_t processes = Runtime::get().process_count();
  const memory::BlockPool::Stats before = memory::BlockPool::stats();
  EXPECT_EQ(eval("(let [ps (t31-spawn-all 20000 () (self))]"
                 "  (reduce (fn* [_ p] (send p :go)) nil ps)"
                 "  (reduce (fn* [n _] (receive x (+ n x))) 0 ps))"),
            "2000000");
  EXPECT_EQ(await_process_count_at_most(processes), processes);
  // Blocks freed on another worker go back to their arena when its worker next parks. This
  // thread spawned the processes, so their blocks belong to its arena; the last of them may end
  // after its last receive, and a thread that does not block takes them back when it runs short
  // or, as here, when it asks.
  memory::BlockPool::Stats after = memory::BlockPool::stats();
  for (int i = 0; i < 1000 && after.blocks_in_use > before.blocks_in_use + 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    memory::BlockPool::take_back();
    after = memory::BlockPool::stats();
  }
  EXPECT_LE(after.blocks_in_use, before.blocks_in_use + 100);
  // 20,000 x 848 bytes need 17 chunks at least; the chunks held before (an arena keeps an empty
  // one, and earlier tests in this binary leave some) may serve part of them.
  EXPECT_GE(after.chunks_acquired + before.chunks, before.chunks_acquired + 17);
  // Each arena may keep an empty chunk and the chunks of the pages it keeps for its classes.
  EXPECT_LE(after.chunks, before.chunks + 8);
}

TEST_F(ProcessTest, MaxHeapSizeEndsOnlyThatProcess) {
  EXPECT_EQ(eval("(spawn-monitor (fn* [] (count (reduce (fn* [acc x] (prepend acc x)) ()"
                 "  (range 100000)))) %{:max-heap-size 65536})"
                 "(receive [:DOWN _ _ [:error kind _]] kind :after 5000 :timeout)"),
            ":max-heap-size");
  EXPECT_EQ(eval("(+ 1 2)"), "3");
}

// The limit stops the process at its next call, not at the end of its slice: 4000 reductions of
// 400 KB each would be 1.6 GB.
TEST_F(ProcessTest, MaxHeapSizeCutsTheSliceShort) {
  std::string message = eval(
      "(def t20-big (vec (range 50000)))"
      "(spawn-monitor (fn* [] (let [lp (fn* lp [acc] (lp (prepend acc (vec t20-big))))]"
      "  (lp ()))) %{:max-heap-size 4000000})"
      "(receive [:DOWN _ _ [:error :max-heap-size info]] (:message info)"
      " :after 20000 :timeout)");
  size_t at = message.find("grew to ");
  ASSERT_NE(at, std::string::npos) << message;
  uint64_t bytes = std::stoull(message.substr(at + 8));
  EXPECT_GT(bytes, 4000000u);
  EXPECT_LT(bytes, 64000000u) << message;
}

TEST_F(ProcessTest, ProcessInfoOfSelf) {
  EXPECT_EQ(eval("(def t14 (process-info))"
                 "[(:status t14) (integer? (:heap-size t14)) (set? (:links t14))"
                 " (set? (:monitors t14)) (:mailbox-len t14) (:priority t14)]"),
            "[:running true true true 0 100]");
  EXPECT_EQ(eval("(process-info 42)"), "ERROR :badarg");
  EXPECT_TRUE(Mentions(eval_message("(process-info :p)"), "process-info")) << "names the function";
}

TEST_F(ProcessTest, ProcessInfoOfOthers) {
  EXPECT_EQ(eval("(def t22-p (spawn (fn* [] (receive :stop :ok))))"
                 "[(await-status t22-p :waiting 5000) (:priority (process-info t22-p))]"),
            "[:waiting 100]");
  EXPECT_EQ(eval("(send t22-p :stop) (await-exit t22-p) (process-info t22-p)"), "nil");
  EXPECT_EQ(eval("(def t22-q (spawn (fn* [] (receive :stop :ok))))"
                 "(monitor t22-q) (link t22-q) (def t22-me (process-info))"
                 "[(count (:links t22-me)) (count (:monitors t22-me))]"),
            "[1 1]");
  EXPECT_EQ(eval("(unlink t22-q) (send t22-q :stop) (await-exit t22-q)"), ":gone");
}

// A process is one block: its register stack lives at the end of the young block, so deep
// recursion grows the heap (process-info's :heap-used counts the stack, :stack-size is the part
// in use, both in bytes), and once the recursion has returned a collection gives it back.
TEST_F(ProcessTest, TheStackGrowsAndShrinksWithTheHeap) {
  EXPECT_EQ(eval("(def t28-me (self))"
                 "(spawn (fn* [] (let [start (process-info)"
                 "                     deep (fn* deep [n] (if (= n 0) (process-info)"
                 "                                          (let [i (deep (- n 1))] i)))"
                 "                     at-bottom (deep 20000)"
                 "                     _ (garbage-collect)"
                 "                     after (process-info)]"
                 "  (send t28-me [:info start at-bottom after]))))"
                 "(def t28 (receive [:info s d a] [s d a] :after 10000 :timeout))"
                 "(let [[s d a] t28]"
                 "  [(< (:heap-size s) 1000) (> (:stack-size d) 320000)"  // bytes, 2+ words a frame
                 "   (>= (:heap-used d) (:stack-size d)) (< (:stack-size a) 1000)"
                 "   (< (:heap-size a) 8000) (< (:heap-size a) (/ (:heap-size d) 100))])"),
            "[true true true true true true]");
}

// A process's heap has two generations, and process-info reports both: a structure it keeps
// while it churns garbage ends up in the old heap, minor collections count and reclaim, and
// (garbage-collect) is a major collection that frees the old heap.
TEST_F(ProcessTest, ProcessInfoReportsTheTwoGenerations) {
  EXPECT_EQ(eval("(def t27-me (self))"
                 "(spawn (fn* [] (let [kept (vec (map str (range 300)))"
                 "                     churn (fn* churn [n] (if (= n 0) :done"
                 "                                            (do [(str n) n] (churn (- n 1)))))"
                 "                     _ (churn 20000)"
                 "                     a (process-info)"
                 "                     _ (garbage-collect)"
                 "                     b (process-info)]"
                 "  (send t27-me [:info a b (count kept) (nth kept 299)]))))"
                 "(def t27 (receive [:info a b n last] [a b n last] :after 10000 :timeout))"
                 "(let [[a b n last] t27]"
                 "  [n last (> (:old-heap-used a) 0) (> (:minor-gc-count a) 0)"
                 "   (> (:total-reclaimed a) 0) (- (:major-gc-count b) (:major-gc-count a))"
                 "   (:old-heap-size b)"
                 "   (> (:total-reclaimed b) (:total-reclaimed a))"
                 "   (<= (:heap-used b) (:heap-size b))])"),
            "[300 \"299\" true true true 1 0 true true]");
}

// Another process answers process-info with every key, built from its own state (a signal it
// handles when it takes its mail): here a process waiting in a receive that none of its three
// queued messages matches, linked to the test's process and monitoring it.
TEST_F(ProcessTest, ProcessInfoOfAWaitingProcessHasEveryKey) {
  ASSERT_EQ(eval("(def t25-me (self))"
                 "(def t25-p (spawn (fn* [] (let [r (monitor t25-me)] (send t25-me [:ref r])"
                 "  (receive :stop :ok)))))"
                 "(def t25-ref (receive [:ref r] r :after 10000 :timeout))"
                 "(link t25-p)"
                 "(send t25-p :a) (send t25-p [:b 2]) (send t25-p \"c\")"),
            ":ok");
  // The messages were sent before the request, by the same sender: the target queued all three
  // before it answered. Each request wakes the target to answer it: :status is :waiting once a
  // request finds it back in its receive.
  EXPECT_EQ(eval("(def t25 ((fn* aw [k] (let [i (process-info t25-p)]"
                 "  (if (or (= (:status i) :waiting) (= k 0)) i (do (sleep 1) (aw (- k 1))))))"
                 "  5000))"
                 "[(:status t25) (:mailbox-len t25) (:priority t25) (:trap-exit t25)"
                 " (:old-heap-size t25) (:major-gc-count t25) (count t25)]"),
            "[:waiting 3 100 false 0 0 15]");
  EXPECT_EQ(eval("[(= (get (:links t25) t25-me) t25-me) (count (:links t25))"
                 " (= (get (:monitors t25) t25-ref) t25-ref) (count (:monitors t25))]"),
            "[true 1 true 1]");
  EXPECT_EQ(eval("[(> (:heap-size t25) 0) (> (:heap-used t25) 0)"
                 " (<= (:heap-used t25) (:heap-size t25)) (> (:stack-size t25) 0)"
                 " (> (:reductions t25) 0) (integer? (:minor-gc-count t25))"
                 " (integer? (:total-reclaimed t25))]"),
            "[true true true true true true true]");
  // The same keys as a process's own process-info.
  EXPECT_EQ(eval("(= (into #{} (keys t25)) (into #{} (keys (process-info))))"), "true");
  EXPECT_EQ(eval("(unlink t25-p) (send t25-p :stop) (await-exit t25-p)"), ":gone");
}

// A process that never receives (a loop) still answers: a slice starts by taking the mail.
TEST_F(ProcessTest, ProcessInfoOfABusyProcess) {
  EXPECT_EQ(eval("(def t26-me (self))"
                 "(def t26-p (spawn (fn* [] (send t26-me :started)"
                 "  (let [lp (fn* lp [n] (lp (+ n 1)))] (lp 0)))))"
                 "(receive :started :ok :after 10000 :timeout)"
                 "(send t26-p :unread)"
                 "(def t26 (process-info t26-p))"
                 "[(some? (#{:running :runnable} (:status t26))) (:mailbox-len t26)"
                 " (> (:reductions t26) 0)]"),
            "[true 1 true]");
  EXPECT_EQ(eval("(exit t26-p :kill) (await-exit t26-p)"), ":gone");
}

// A target that ends before it answers gives nil, never a wait without end: the asker monitors
// it. A kill sent first is handled first (signals from one sender keep their order), so the
// request dies with the target, unanswered, whether or not it was still alive when asked.
TEST_F(ProcessTest, ProcessInfoOfAProcessThatEndsFirstIsNil) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(eval("(def t27-p (spawn (fn* [] (let [lp (fn* lp [n] (lp (+ n 1)))] (lp 0)))))"
                   "(exit t27-p :kill) (process-info t27-p)"),
              "nil");
  }
  EXPECT_EQ(eval("(receive [:DOWN _ _ _] :leftover :after 0 :none)"), ":none");
  EXPECT_EQ(eval("(receive [:lona/reply _ _] :leftover :after 0 :none)"), ":none");
}

// The test's own thread is a bound process: it answers in a receive, with the reductions and
// stack of the interpreter it runs.
TEST_F(ProcessTest, ABoundProcessAnswersInAReceive) {
  EXPECT_EQ(eval("(def t28-me (self))"
                 "(def t28-child (spawn-link (fn* [] (send t28-me [:info (process-info t28-me)]))))"
                 "(def t28 (receive [:info m] m :after 10000 :timeout))"
                 "[(map? t28) (= (get (:links t28) t28-child) t28-child) (> (:reductions t28) 0)"
                 " (> (:heap-size t28) 0) (:mailbox-len t28)]"),
            "[true true true true 0]");
}

// A process's own :reductions counts each reduction once: what it reports of itself while it
// runs is never more than what another process reads a moment later.
TEST_F(ProcessTest, OwnReductionsAreCountedOnce) {
  EXPECT_EQ(eval("(def t29-me (self))"
                 "(def t29-p (spawn (fn* [] (let [lp (fn* lp [n] (if (= n 0) :done (lp (- n 1))))]"
                 "  (lp 100000) (send t29-me [:own (:reductions (process-info))])"
                 "  (receive :stop :ok)))))"
                 "(def t29-own (receive [:own n] n :after 10000 :timeout))"
                 "(def t29-seen (:reductions (process-info t29-p)))"
                 "[(> t29-own 100000) (<= t29-own t29-seen) (< t29-seen (+ t29-own 1000))]"),
            "[true true true]");
  EXPECT_EQ(eval("(send t29-p :stop) (await-exit t29-p)"), ":gone");
}

// No rest arguments are an empty tuple in a fresh process too, whose register stack has never
// reached the rest parameter's slot (it was nil there, so (f) of a multi-arity f failed).
TEST_F(ProcessTest, NoRestArgumentsInAFreshProcess) {
  EXPECT_EQ(eval("(def t30-me (self))"
                 "(defn t30-f ([] :none) ([x] x))"
                 "(defn t30-g [& more] more)"
                 "(spawn (fn* [] (send t30-me [(t30-f) (t30-g)])))"
                 "(receive m m :after 10000 :timeout)"),
            "[:none []]");
}

// Scheduler statistics: what the workers did is counted. (A worker counts a slice after it ends,
// which may be after the message it sent has arrived: the test waits for the count.)
TEST_F(ProcessTest, WorkerStatsCountSlices) {
  eval("(def t23-me (self)) (spawn (fn* [] (send t23-me :done))) (receive :done :ok)");
  auto totals = [] {
    std::pair<uint64_t, uint64_t> slices_and_reductions{0, 0};
    for (const WorkerStats& w : Runtime::get().stats()) {
      slices_and_reductions.first += w.slices;
      slices_and_reductions.second += w.reductions;
    }
    return slices_and_reductions;
  };
  for (int i = 0; i < 500 && totals().first == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(totals().first, 0u);
  EXPECT_GT(totals().second, 0u);
  EXPECT_EQ(Runtime::get().stats().size(), Runtime::get().worker_count());
}

TEST_F(ProcessTest, RefsAreUnique) {
  EXPECT_EQ(eval("(ref? (make-ref))"), "true");
  EXPECT_EQ(eval("(= (make-ref) (make-ref))"), "false");
  EXPECT_EQ(eval("(let [r (make-ref)] (= r r))"), "true");
}

TEST_F(ProcessTest, PidParts) {
  EXPECT_EQ(eval("(realm-id? (pid-realm (self)))"), "true");
  EXPECT_EQ(eval("(integer? (pid-local (self)))"), "true");
  EXPECT_EQ(eval("(pid= (self) (self))"), "true");
  EXPECT_EQ(eval("(= (self-realm) (pid-realm (self)))"), "true");
}

// A process that never waits is preempted: others still run (with any number of workers).
TEST_F(ProcessTest, BusyProcessesArePreempted) {
  EXPECT_EQ(eval("(def t15-me (self))"
                 "(def t15-spin (fn* spin [] (spin)))"
                 "(def t15-busy (vec (map (fn* [_] (spawn t15-spin)) (range 4))))"
                 "(spawn (fn* [] (send t15-me :still-running)))"
                 "(receive :still-running :ok :after 10000 :starved)"),
            ":ok");
  EXPECT_EQ(eval("(vec (map (fn* [p] (exit p :kill)) t15-busy)) :done"), ":done");
}

// A message that wakes a process runs it next on the same worker, in what is left of the
// waker's slice (Runtime::Worker::next). Pairs that pass a message back and forth forever are
// then a chain of such wakes on every worker: the slice they share ends, and what waits in the
// run queues still gets its turn.
TEST_F(ProcessTest, PingPongPairsDoNotStarveQueuedProcesses) {
  EXPECT_EQ(eval("(def t15b-me (self))"
                 "(def t15b-pong (fn* pong [] (receive [:ping p] (do (send p :pong) (pong)))))"
                 "(def t15b-ping (fn* ping [to] (do (send to [:ping (self)])"
                 "                                  (receive :pong (ping to)))))"
                 "(def t15b-pairs (vec (map (fn* [_] (let [p (spawn t15b-pong)]"
                 "                                     [p (spawn (fn* [] (t15b-ping p)))]))"
                 "                          (range 4))))"
                 "(spawn (fn* [] (send t15b-me :still-running)))"
                 "(receive :still-running :ok :after 10000 :starved)"),
            ":ok");
  EXPECT_EQ(eval("(vec (map (fn [[a b]] (do (exit a :kill) (exit b :kill))) t15b-pairs)) :done"),
            ":done");
}

// A receive inside eval blocks the worker's thread. The process its message just woke sits in
// that worker's next slot, where no other worker can take it: before blocking, the worker hands
// it to its run queue and wakes a parked worker, which runs it, and its reply ends the wait.
// (With one worker nothing else could run it: this needs two.)
TEST_F(ProcessTest, AReceiveThatBlocksItsWorkerLeavesWhatItWokeToOthers) {
  ASSERT_GE(Runtime::get().worker_count(), 2u);
  EXPECT_EQ(eval("(def t15c-me (self))"
                 "(def t15c-echo (spawn (fn* [] (receive [from x] (send from x)))))"
                 "(await-status t15c-echo :waiting 1000)"
                 "(def t15c-blocked (spawn (fn* [] (do (send t15c-echo [(self) :hi])"
                 "                   (send t15c-me (eval '(receive x x)))))))"
                 "(receive :hi :ok :after 10000 :stuck)"),
            ":ok");
  // Stuck or not, the blocked worker is let go (a worker blocked for good would hang the exit).
  eval("(send t15c-blocked :let-go) (send t15c-echo [t15c-me :let-go])");
}

TEST_F(ProcessTest, ManyProcessesComeAndGo) {
  eval("(self)");  // this thread's process first: it stays
  size_t before = Runtime::get().process_count();
  EXPECT_EQ(eval("(def t16-me (self))"
                 "(def t16-n 20000)"
                 "(vec (map (fn* [i] (spawn (fn* [] (send t16-me i)))) (range t16-n)))"
                 "(def t16-sum (fn* s [k acc] (if (= k 0) acc (receive i (s (- k 1) (+ acc i))))))"
                 "(t16-sum t16-n 0)"),
            "199990000");
  // Every one of them has exited (their table entries go as they end).
  EXPECT_LE(await_process_count_at_most(before), before);
}

// A million processes: half in a chain where each spawns the next and ends normally, half in
// waves of 10,000 live ones killed by (exit p :kill). All of them leave the process table (and,
// under ASan, leave nothing behind: LeakSanitizer checks at exit).
//
// Under ThreadSanitizer, whose business is races rather than leaks and which runs this about 50
// times slower, a tenth of it: the same code paths, 100,000 processes.
#if defined(__SANITIZE_THREAD__)
constexpr int kMillionScale = 10;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr int kMillionScale = 10;
#else
constexpr int kMillionScale = 1;
#endif
#else
constexpr int kMillionScale = 1;
#endif

TEST_F(ProcessTest, AMillionProcessesSpawnedAndKilledLeaveNothing) {
  eval("(self)");
  size_t before = Runtime::get().process_count();
  EXPECT_EQ(eval("(def t30-me (self))"
                 "(def t30-chain (fn* c [k] (if (= k 0) (send t30-me :chain-done)"
                 "  (spawn (fn* [] (c (- k 1)))))))"
                 "(t30-chain " +
                 std::to_string(500000 / kMillionScale) +
                 ")"
                 "(receive :chain-done :ok :after 600000 :timeout)"),
            ":ok");
  EXPECT_EQ(eval("(def t30-wave (fn* [n] (let [ps (vec (map (fn* [_] (spawn (fn* []"
                 "  (receive :never :ok)))) (range n)))]"
                 "  (reduce (fn* [_ p] (exit p :kill)) nil ps)"
                 "  (await-exit (nth ps (- n 1))))))"
                 "(def t30-waves (fn* w [k] (if (= k 0) :done (do (t30-wave 10000) (w (- k 1))))))"
                 "(t30-waves " +
                 std::to_string(50 / kMillionScale) + ")"),
            ":done");
  EXPECT_LE(await_process_count_at_most(before), before);
}

// scheduler-stats and memory-stats (intrinsic ids past CallNative's 255, so this also covers the
// general call path the compiler takes for them).
TEST_F(ProcessTest, SchedulerAndMemoryStatsFromLonala) {
  EXPECT_EQ(eval("(count (scheduler-stats))"), std::to_string(Runtime::get().worker_count()));
  EXPECT_EQ(eval("(let [w (first (scheduler-stats))]"
                 "  [(:worker w) (integer? (:run-queue w)) (integer? (:reductions w))"
                 "   (integer? (:slices w)) (integer? (:steals w)) (integer? (:parks w))])"),
            "[0 true true true true true]");
  EXPECT_EQ(eval("(self) (let [m (memory-stats)] [(> (:resident m) 0) (>= (:processes m) 1)])"),
            "[true true]");
  EXPECT_EQ(eval("(scheduler-stats 1)"), "ERROR :arity-mismatch");
}

}  // namespace
}  // namespace lona
