// runtime/sched: the realm's process system: the worker threads that run processes, the process
// table and registry, timers, and the signals that pass between processes.
//
// One Runtime per realm (OS process), started on first use. Workers (one per core unless told
// otherwise) each own three run queues (high, normal and low priority), Chase-Lev deques that
// idle workers steal from; a process made runnable by a worker goes to that worker's queue, one
// made runnable by another thread (a timer, the REPL) to a shared injection queue. An idle worker
// spins briefly, then parks on a futex; making a process runnable wakes a parked worker only
// when one is parked.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/process/process.hpp"
#include "runtime/process/process_table.hpp"
#include "runtime/sched/remote_pids.hpp"
#include "runtime/sched/timer_service.hpp"
#include "runtime/sched/trace.hpp"
#include "runtime/sched/work_stealing_deque.hpp"

namespace lona {

// Per-worker counters (scheduler statistics).
struct WorkerStats {
  size_t run_queue_length = 0;
  uint64_t reductions = 0;
  uint64_t slices = 0;
  uint64_t steals = 0;
  uint64_t parks = 0;
};

class Runtime {
 public:
  // Reductions per time slice, as BEAM.
  static constexpr uint32_t kSliceReductions = 4000;
  // The least of a slice worth handing on to the process a message woke (Worker::next): with
  // less, it goes through the run queue and gets a slice of its own.
  static constexpr uint32_t kMinInheritedSlice = 200;
  // Every kFairnessTakes-th take of a worker serves the oldest waiting process instead of the
  // newest (take_work): a prime, like Go's 61, so that it does not fall in step with the
  // every-8th low-priority turn.
  static constexpr uint32_t kFairnessTakes = 61;
  // The least a slice is charged against what it leaves to the next process (about a ring hop).
  static constexpr uint32_t kMinSliceCharge = 4;

  // The realm's runtime, started with the worker count set before (default: one per core).
  static Runtime& get();
  // The realm's runtime if something has started it, else nullptr (a reader that must not start
  // it: a program without processes never does).
  static Runtime* if_started();
  // Before the first get(): how many workers to start (0: one per core).
  static void set_worker_count(unsigned n);
  // Before the first get(): record the scheduling events and write them to options.path, as a
  // Chrome trace, when the runtime stops (trace.hpp). Without it, the environment variable
  // LONA_TRACE=FILE does the same.
  static void set_trace(TraceOptions options);
  // Stops the workers, writes the trace if one is on, and frees every process. Called at exit;
  // idempotent. The runtime object itself is never destroyed.
  static void shutdown();

  // Before the first get(): the realm this runtime is (what the LMM's boot info said; 1, the
  // init realm, standalone). Pids and realm ids of this realm carry it.
  static void set_realm_id(uint64_t id);
  uint64_t realm_id() const { return realm_id_; }
  unsigned worker_count() const { return static_cast<unsigned>(workers_.size()); }

  // A fresh local pid, its process-table slot reserved for the process that will carry it (the
  // process gives the slot back when it ends, whether or not it was ever started). 0 when the
  // table is full (ProcessTable::kSlotMask processes live): a spawn fails with :system-limit.
  uint64_t try_next_pid() { return table_.reserve(); }
  // The same where failing is not an option (a thread's bound process, a native actor): ends
  // the program with a message when the table is full.
  uint64_t next_pid();
  // A pid from next_pid() whose process ends without having been started.
  void release_pid(uint64_t id) { table_.unreserve(id); }

  // Makes a new scheduled process live and runnable; the table takes the creator's reference.
  void start(Process* p);

  // How spawn and its variants (Lonala's and native actors') start a process: registered under
  // `name` (a symbol, or nil), linked to `linked_to` and/or monitored by `monitored_by` (the
  // spawning process, from its own thread). Name, link and monitor are in place before p can run
  // (reference 6).
  struct StartOptions {
    Term name = Term::nil();
    Process* linked_to = nullptr;
    Process* monitored_by = nullptr;
  };
  // Starts p with `options`; *ref gets the monitor's ref. When the name is taken, p is discarded
  // and the result is false.
  bool start(Process* p, const StartOptions& options, uint64_t* ref = nullptr);

  // The process with local pid `id`, retained, or nullptr.
  Process* find(uint64_t id) { return table_.find(id); }
  size_t process_count() const { return table_.size(); }
  // The local pids of the live processes (a listing for tools: lonactl).
  std::vector<uint64_t> process_ids();

  // Delivers e to process `to`; when there is none, destroys e and returns false. A stand-in
  // for a process of another realm (remote_pids()) hands e to the remote route: true, and the
  // other realm answers for a process that is gone, as finalize() does here.
  bool send(uint64_t to, Envelope* e);

  // Processes of other realms, by their stand-in ids (remote_pids.hpp).
  RemotePids& remote_pids() { return remote_pids_; }
  // What carries envelopes for stand-ins, set once when the realm joins its LMM (before or after
  // the first get()); without one they are dropped, as for a process that is gone.
  static void set_remote_route(RemoteRoute* route) {
    remote_route_.store(route, std::memory_order_release);
  }
  // The pid term of local id or stand-in `id`.
  Term pid_term(Heap& heap, uint64_t id);

  // What a process does to others, from its owner's thread (for Lonala and native processes
  // alike). link: both ends hold the link; with no process `other`, self gets the exit signal
  // :noproc. monitor: a fresh ref; with no process `target`, self gets [:DOWN ref pid :noproc].
  // exit_signal (exit pid reason): false when the reason is too large to copy or, given
  // `holds_bytebuf`, holds a bytebuf (then *holds_bytebuf is true), as Envelope::make.
  void link(Process& self, uint64_t other);
  void unlink(Process& self, uint64_t other);
  uint64_t monitor(Process& self, uint64_t target);
  void demonitor(Process& self, uint64_t ref);
  bool exit_signal(uint64_t from, uint64_t to, Term reason, bool* holds_bytebuf = nullptr);

  // Makes a waiting scheduled process runnable (after a delivery). Woken by a process running
  // on a worker, it runs next on that worker, in what is left of the waker's slice (see
  // Worker::next).
  void make_runnable(Process* p);

  // A process is about to block its thread. On a worker's thread (a receive inside eval or a
  // macro's expansion, a C++ actor waiting where it should not): the process in the worker's
  // next slot, which no other worker can take, goes to the run queue, and a parked worker is
  // woken for what is queued there. Elsewhere nothing to do.
  void before_blocking();

  // The process is ending (its owner calls this once, with the exit reason set): links and
  // monitors are told, its name is freed, and it leaves the table.
  void exit_process(Process& p);

  Registry& registry() { return registry_; }
  TimerService& timers() { return timers_; }

  // A bound process for the calling thread, on `heap` (the REPL, `lona run`, a test, a C++
  // caller): it has a pid and a mailbox, and blocks its thread when it waits. Returned retained;
  // detach_bound() ends it with reason :normal (or the reason set) and drops that reference.
  Process* attach_bound(Heap& heap);
  // The same for a bound process the caller made (a subclass that reports more in
  // process-info, as an interpreter's), with a pid from next_pid().
  Process* attach_bound(Process* p);
  void detach_bound(Process* p);

  std::vector<WorkerStats> stats();

 private:
  Runtime(unsigned workers, TraceOptions trace);
  static Runtime& start_once();  // get()'s first call
  uint64_t realm_id_ = 1;
  struct Worker;
  void worker_loop(Worker& w);
  // The process w runs next, and *budget, the reductions it may use; nullptr when there is none.
  Process* take_work(Worker& w, uint32_t* budget);
  // Queues p on the calling worker, or else on the injection queue.
  void enqueue(Process* p);
  void run_slice(Worker& w, Process* p, uint32_t budget);
  // Runs a slice and counts it in w's statistics; *used: the reductions it took.
  RunStatus run_counted(Worker& w, Process* p, uint32_t budget, uint64_t* used);
  RunStatus run_traced(Worker& w, Process* p, uint32_t budget, uint64_t* used);
  // Records e in the calling worker's buffer, or the other threads' one (tracing on only).
  void trace(const TraceEvent& e);
  void write_trace();
  void wake_one();
  void push_local(Worker& w, Process* p, int q);
  // Queues p, which has had its turn (its slice ran out, or it yielded), behind the work waiting
  // on this worker.
  void push_yielded(Worker& w, Process* p, int q);
  void wake_if_queued(Worker& w, size_t more_than);
  void return_memory();
  // The receiver of a message sent from worker w, from w's send cache (see Worker::send_cache),
  // or nullptr: then the caller looks it up in the table.
  Process* cached_receiver(Worker& w, uint64_t to);
  // Lets go of the processes w's send cache holds (all, or only those that have exited).
  static void drop_send_cache(Worker& w, bool exited_only);
  // Exits after which an idle worker returns free memory to the system (return_memory()).
  static constexpr size_t kTrimAfterExits = 10000;
  // Sends a signal without payload; false when there is no process `to`.
  bool signal(EnvelopeKind kind, uint64_t from, uint64_t to, uint64_t ref);
  bool any_work();
  void stop();

  struct Worker {
    unsigned index = 0;
    // Per priority (high, normal, low), two queues. `queues`: processes made runnable here
    // (spawned, woken, bumped from the next slot); the worker takes the newest first, thieves
    // the oldest. `yielded`: processes that have had their turn (a slice ran out, or yield!),
    // taken oldest first by anyone. See take_work for why and for the fairness rule.
    WorkStealingDeque<Process> queues[3];
    WorkStealingDeque<Process> yielded[3];
    std::thread thread;
    uint32_t takes = 0;  // counts takes: every 8th looks at the low queue first, and see
                         // kFairnessTakes
    std::atomic<uint64_t> reductions{0}, slices{0}, steals{0}, parks{0};
    TraceBuffer* trace = nullptr;  // this worker's, when tracing is on
    // The process that a message from the one running here woke (not low priority): it runs
    // next, in what is left of the waker's slice (slice_left), instead of going through the run
    // queue. A token passed along a ring or between two processes then stays on one worker,
    // without queue operations or another core stealing it, and a chain of such wakes shares
    // one slice, so it cannot keep the queued processes waiting longer than a slice would.
    // Other workers cannot take it: it waits at most for the rest of the slice of the process
    // that woke it. Written by the owner only; stats() reads it.
    std::atomic<Process*> next{nullptr};
    uint32_t slice_left = 0;  // reductions left of the slice that the next process inherits
    // Receivers that processes on this worker send to again and again (a fan-in's sink, the
    // other half of a pair), held by a reference so that a message to one goes straight to its
    // mailbox. A table lookup holds the receiver's slot instead, with a compare-and-swap and a
    // decrement on a word that every sender to it writes: in a fan-in, two of the four atomic
    // writes per message, on a cache line that moves between the cores with each. An entry is
    // made at the second message in a row to a pid that maps to it, so a ring, whose every
    // message goes to another process, never pays for a reference; it is dropped when its
    // process is found to have exited (a held process is not freed), at least every
    // kFairnessTakes-th take, and when the worker parks. Plain messages only: a signal to a
    // process that is gone must find it gone (finalize() answers links and monitors).
    struct SendCacheEntry {
      uint64_t id = 0;
      Process* process = nullptr;  // held (retained) while id != 0
      uint64_t last_miss = 0;      // the pid that last missed here
    };
    static constexpr size_t kSendCacheEntries = 4;
    SendCacheEntry send_cache[kSendCacheEntries];
  };

  static void drop_send_cache_entry(Worker::SendCacheEntry& c);

  static int queue_of(uint8_t priority) { return priority > 100 ? 0 : priority == 100 ? 1 : 2; }

  // An envelope for stand-in `to` (send()'s rare path).
  bool send_remote(uint64_t to, Envelope* e);

  ProcessTable table_;
  RemotePids remote_pids_;
  static inline std::atomic<RemoteRoute*> remote_route_{nullptr};
  Registry registry_;
  TimerService timers_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex inject_mutex_;
  std::deque<Process*> inject_[3];  // guarded by inject_mutex_
  std::atomic<size_t> injected_{0};
  std::atomic<uint32_t> sleepers_{0};
  std::atomic<uint32_t> wake_epoch_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> exits_since_trim_{0};
  std::unique_ptr<Tracer> tracer_;  // null when tracing is off
};

}  // namespace lona
