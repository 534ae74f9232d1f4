// runtime/process: a process, the unit of isolation: its own heap, mailbox, links and monitors.
//
// What runs in it is up to a subclass: bytecode (vm/process), a native C++ actor, or a thread
// that attached itself (the REPL, a test, a blocking C++ caller). Every process is one of two
// kinds:
//   - scheduled: a worker calls run() for a slice of reductions; run() returns when the process
//     yields, waits for a message, or exits;
//   - bound: the process is a thread of its own, which blocks in wait() for messages.
//
// Only the owner (the thread running the process) touches its heap, message queue, links and
// monitors. Other threads reach it through deliver() only: every interaction (messages, links,
// exits, monitors) is an envelope in its mailbox, handled by the owner in take_mail().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "runtime/memory/block_pool.hpp"
#include "runtime/process/mailbox.hpp"
#include "runtime/term/heap.hpp"

namespace lona {

class Runtime;

enum class RunStatus : uint8_t { kYield, kWait, kExit };

using Clock = std::chrono::steady_clock;

class Process : private RootSource {
 public:
  // Scheduling states of a scheduled process (sched_state_).
  enum class SchedState : uint8_t {
    kWaiting,          // blocked in receive; a delivery queues it
    kQueued,           // in a run queue
    kRunning,          // a worker runs it
    kRunningNotified,  // a delivery arrived while it ran: it must look at its mailbox again
    kExited,
  };

  static constexpr uint8_t kDefaultPriority = 100;
  // The block a spawned process starts with, unless it asks for more (:min-heap-size): 34 words
  // (272 bytes), which hold its first objects and its register stack (docs/runtime.md).
  static constexpr size_t kDefaultHeapWords = 34;
  // Messages of more words than this are not copied on receipt: their fragment joins the heap.
  static constexpr size_t kAdoptWords = 64;

  // A process with a heap of its own of `heap_words` words.
  Process(Runtime& runtime, uint64_t id, bool bound, size_t heap_words);
  // A process on a heap that outlives it (a bound process adopting the heap its thread already
  // evaluates on: the REPL's).
  Process(Runtime& runtime, uint64_t id, bool bound, Heap& heap);
  ~Process() override;
  Process(const Process&) = delete;
  // Process objects come from the block pools (runtime/memory), like their heaps: the worker that
  // spawns keeps them in its own pages, and their memory goes back to the OS when they end.
  static void* operator new(size_t bytes) { return memory::BlockPool::allocate(bytes); }
  static void operator delete(void* p, size_t bytes) { memory::BlockPool::release(p, bytes); }
  Process& operator=(const Process&) = delete;

  // The owner of a process on an adopted heap calls this when the process ends (the heap may be
  // gone before the last reference to the process is).
  void leave_heap();

  // Runs a slice of at most `budget` reductions (scheduled processes). On kExit the reason is
  // set (set_exit_reason).
  virtual RunStatus run(uint32_t budget) = 0;

  // What process-info reports that only the code running the process knows (the owner calls it):
  // the words its stack holds, and its reductions including the slice in progress. By default no
  // stack and the reductions of the slices that ended.
  struct RunnerInfo {
    size_t stack_words = 0;
    uint64_t reductions = 0;
  };
  virtual RunnerInfo runner_info() const { return {0, reductions()}; }

  uint64_t id() const { return id_; }
  bool bound() const { return bound_; }
  Runtime& runtime() { return runtime_; }
  Heap& heap() { return *heap_; }

  // --- any thread -----------------------------------------------------------------------------

  // Puts e in the mailbox and makes the owner look at it (queues a waiting scheduled process,
  // wakes a bound one). The caller must hold a reference, or hold the process in the table
  // (ProcessTable::with). False when the process had exited (e then waits in the mailbox of a
  // process that will never look, until finalize()).
  bool deliver(Envelope* e);
  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops a reference; the last one finalizes the process (see finalize()).
  void release();

  std::atomic<SchedState>& sched_state() { return sched_state_; }
  uint8_t priority() const { return priority_.load(std::memory_order_relaxed); }
  void set_priority(uint8_t p) { priority_.store(p, std::memory_order_relaxed); }
  uint64_t reductions() const { return reductions_.load(std::memory_order_relaxed); }
  void add_reductions(uint64_t n) { reductions_.fetch_add(n, std::memory_order_relaxed); }
  bool exited() const {
    return sched_state_.load(std::memory_order_acquire) == SchedState::kExited;
  }
  // Its thread blocks in wait() (a bound process, or a receive inside a nested call).
  bool blocked() const { return blocked_.load(std::memory_order_relaxed); }

  // --- the owner ------------------------------------------------------------------------------

  // Moves what the mailbox holds into the message queue, acting on signals on the way. False
  // when a signal ends the process: exit_reason() says why.
  bool take_mail();

  // The message queue (messages copied into the heap, oldest first) with its save pointer: a
  // selective receive scans from save() and never looks at a rejected message twice.
  size_t message_count() const { return queue_.size() - head_; }
  Term message(size_t i) const { return queue_[head_ + i]; }
  size_t save() const { return save_; }
  void set_save(size_t s) { save_ = s; }
  // Removes message i and resets the save pointer and the receive timer (a receive ended).
  void remove_message(size_t i);
  // Ends a receive by its timeout.
  void end_receive() {
    save_ = 0;
    timer_ = 0;
    timed_out_ = false;
  }

  // The timer of the current receive: 0 when none is armed.
  uint64_t timer() const { return timer_; }
  bool timed_out() const { return timed_out_; }
  // Arms the receive timer `ms` milliseconds from now.
  void arm_timer(uint64_t ms);

  // Blocks the calling thread (bound processes; a scheduled one in a receive inside a nested
  // call, which cannot suspend) until the mailbox has something or the receive timer's deadline has
  // passed (then timed_out() is true).
  void wait();

  bool trap_exit() const { return trap_exit_; }
  void set_trap_exit(bool on) { trap_exit_ = on; }

  // Links and monitors, as this process sees them. Both ends of a link hold it; a monitor is
  // held by the watcher (monitors_: ref -> target) and the target (monitored_by_: ref -> watcher).
  using LinkSet = absl::flat_hash_set<uint64_t>;
  using MonitorMap = absl::flat_hash_map<uint64_t, uint64_t>;
  const LinkSet& links() const { return ties_ ? ties_->links : no_links(); }
  void add_link(uint64_t other) { ties().links.insert(other); }
  void remove_link(uint64_t other) {
    if (ties_) ties_->links.erase(other);
  }
  const MonitorMap& monitors() const { return ties_ ? ties_->monitors : no_monitors(); }
  void add_monitor(uint64_t ref, uint64_t target) { ties().monitors[ref] = target; }
  // Before a new process starts: it is monitored by watcher under ref (spawn-monitor).
  void add_monitored_by(uint64_t ref, uint64_t watcher) { ties().monitored_by[ref] = watcher; }
  bool remove_monitor(uint64_t ref) { return ties_ && ties_->monitors.erase(ref) != 0; }
  const MonitorMap& monitored_by() const { return ties_ ? ties_->monitored_by : no_monitors(); }

  // The exit reason (a root of the heap) once the process is ending.
  Term exit_reason() const { return exit_reason_; }
  void set_exit_reason(Term reason) { exit_reason_ = reason; }

  // The registered name (a symbol) or nil.
  Term name() const { return name_; }
  void set_name(Term name) { name_ = name; }

  // Acts on a link, unlink, monitor or demonitor signal (what only changes this process's
  // bookkeeping); false for any other kind.
  bool apply_bookkeeping(const Envelope& e);

  // The request whose reply (a kReply signal: send-sync's acknowledgement, lona.server's reply)
  // this process waits for; 0 for none. That reply becomes the message [:lona/reply ref value]
  // (and the wait ends); any other reply is dropped, so that one arriving after its caller gave
  // up never lingers in the queue.
  uint64_t awaited_reply() const { return awaited_reply_; }
  void set_awaited_reply(uint64_t ref) { awaited_reply_ = ref; }

  // This process's own values of process-bound vars (by var index, vm/namespace), roots of its
  // heap. A spawned process starts with copies of its parent's (vm/intrinsics).
  size_t binding_count() const { return bindings_.size(); }
  uint32_t binding_var(size_t i) const { return bindings_[i].var; }
  Term binding_value(size_t i) const { return bindings_[i].value; }
  std::optional<Term> binding(uint32_t var) const {
    for (const Binding& b : bindings_) {
      if (b.var == var) return b.value;
    }
    return std::nullopt;
  }
  void set_binding(uint32_t var, Term value) {
    for (Binding& b : bindings_) {
      if (b.var == var) {
        b.value = value;
        return;
      }
    }
    bindings_.push_back({var, value});
  }

 protected:
  // The payload of a message or signal, copied out of its envelope into the heap.
  Term copy_payload(Envelope& e);
  // Copies t from another heap into this one, in one allocation so that no collection runs
  // mid-copy; false when the copy would be larger than a message may be
  // (Envelope::kMaxMessageWords) or t holds a bytebuf (never shared).
  bool copy_from(Term t, Term* out);

 private:
  void enqueue_message(Term m) { queue_.push_back(m); }
  void visit_roots(RootVisitor& visitor) override;
  // Acts on one signal; false when it ends the process.
  bool handle_signal(Envelope* e);
  // send-sync: before a message sent with `ref` by `from` is queued, notes it; when a receive
  // removes message i, take_sync_tag acknowledges it if it has a note (a kReply to `from`).
  void note_sync_tag(uint64_t from, uint64_t ref);
  void take_sync_tag(size_t i);
  // The last reference is gone: answers the links and monitors that arrived after the exit
  // with :noproc, frees what is left and deletes the process.
  void finalize();

  // What only some processes need, allocated by the first that does: an idle process that
  // never linked, monitored or was sent to with send-sync carries one pointer for all of it.
  struct Ties {
    LinkSet links;
    MonitorMap monitors;      // ref -> the process this one monitors
    MonitorMap monitored_by;  // ref -> the process that monitors this one
    // send-sync notes: sync_tags[i] is message i's (ref 0: none); messages past its end have
    // none, so untagged messages cost nothing while no tagged one is queued.
    struct SyncTag {
      uint64_t from = 0;
      uint64_t ref = 0;
    };
    std::vector<SyncTag> sync_tags;
    size_t sync_tagged = 0;  // entries of sync_tags with a ref
  };
  Ties& ties() {
    if (!ties_) ties_ = std::make_unique<Ties>();
    return *ties_;
  }
  static const LinkSet& no_links();
  static const MonitorMap& no_monitors();

  // Bound processes block here, and a scheduled one in a receive inside a nested call (which
  // sets blocked_). Made by the first wait, or at the start of a bound process.
  struct WaitState {
    std::mutex mutex;
    std::condition_variable cv;
  };

  Runtime& runtime_;
  const uint64_t id_;
  const bool bound_;
  bool timed_out_ = false;
  bool trap_exit_ = false;
  std::atomic<bool> blocked_{false};
  std::atomic<SchedState> sched_state_{SchedState::kRunning};
  std::atomic<uint8_t> priority_{kDefaultPriority};
  // Here, right after the flags, so that what a sender touches (blocked_, sched_state_,
  // priority_, the mailbox's tail and stub) is within the object's first 64 bytes (after the
  // vtable pointer and RootSource's link): a delivery to a process that has not run for a while
  // then misses the cache for one or two lines (the object is 16-byte aligned), not three.
  Mailbox mailbox_;
  std::atomic<uint32_t> refs_{1};
  std::atomic<uint64_t> reductions_{0};
  // The heap, when the process has one of its own; an adopted heap leaves it empty (a heap of no
  // words allocates nothing).
  Heap own_heap_;
  Heap* heap_;

  // The message queue is queue_[head_ ...]: taking the oldest message (the usual receive) moves
  // head_ instead of shifting the rest, and the taken prefix is dropped once it is half the vector.
  std::vector<Term> queue_;
  size_t head_ = 0;
  size_t save_ = 0;
  uint64_t timer_ = 0;
  Clock::time_point deadline_{};
  Term exit_reason_ = Term::nil();
  Term name_ = Term::nil();
  uint64_t awaited_reply_ = 0;
  // Process-bound var values (set_binding), roots of the heap.
  struct Binding {
    uint32_t var;
    Term value;
  };
  std::vector<Binding> bindings_;
  std::unique_ptr<Ties> ties_;
  std::unique_ptr<WaitState> wait_;

  friend class Runtime;
};

}  // namespace lona
