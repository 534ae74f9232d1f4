#include "runtime/sched/runtime.hpp"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/memory/block_pool.hpp"
#include "runtime/process/envelope_pool.hpp"
#include "runtime/support/cpu_relax.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"

namespace lona {
namespace {

std::atomic<unsigned> requested_workers{0};
std::atomic<uint64_t> requested_realm{1};
TraceOptions requested_trace;  // guarded by start_mutex
std::atomic<Runtime*> the_runtime{nullptr};
std::mutex start_mutex;

thread_local void* tl_worker = nullptr;  // the Worker the thread is, if it is one

// A thread's process: it runs on the thread, which blocks in Process::wait().
class BoundProcess final : public Process {
 public:
  BoundProcess(Runtime& rt, uint64_t id, Heap& heap) : Process(rt, id, true, heap) {}
  RunStatus run(uint32_t) override { return RunStatus::kExit; }  // never scheduled
};

// The oldest process of q, or null when it is empty (a steal fails when a thief or the owner
// takes the same one at once: then there is another to look at, or none).
Process* oldest(WorkStealingDeque<Process>& q) {
  Process* p = nullptr;
  while (p == nullptr && !q.empty_approx()) p = q.steal();
  return p;
}

}  // namespace

Runtime& Runtime::get() {
  if (Runtime* r = the_runtime.load(std::memory_order_acquire)) [[likely]]
    return *r;
  return start_once();
}

// Out of line: get() runs at every intrinsic that needs the runtime, and its fast path should not
// pay for setting up this one's locals.
[[gnu::noinline]] Runtime& Runtime::start_once() {
  std::lock_guard<std::mutex> lock(start_mutex);
  if (Runtime* r = the_runtime.load(std::memory_order_acquire)) return *r;
  unsigned n = requested_workers.load();
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  TraceOptions trace = requested_trace;
  if (trace.path.empty()) {
    if (const char* path = std::getenv("LONA_TRACE"); path != nullptr) trace.path = path;
  }
  Runtime* r = new Runtime(n, std::move(trace));
  the_runtime.store(r, std::memory_order_release);
  std::atexit(&Runtime::shutdown);  // before the statics built earlier (namespaces) are destroyed
  return *r;
}

Runtime* Runtime::if_started() { return the_runtime.load(std::memory_order_acquire); }

void Runtime::set_worker_count(unsigned n) { requested_workers.store(n); }

void Runtime::set_realm_id(uint64_t id) { requested_realm.store(id); }

std::vector<uint64_t> Runtime::process_ids() {
  std::vector<Process*> all = table_.snapshot();
  std::vector<uint64_t> ids;
  ids.reserve(all.size());
  for (Process* p : all) {
    ids.push_back(p->id());
    p->release();
  }
  return ids;
}

void Runtime::set_trace(TraceOptions options) {
  std::lock_guard<std::mutex> lock(start_mutex);
  requested_trace = std::move(options);
}

// The runtime object stays (stopped): an interpreter destroyed after this still detaches its
// bound process from it, rather than starting a new runtime during exit.
void Runtime::shutdown() {
  Runtime* r = the_runtime.load(std::memory_order_acquire);
  if (r != nullptr) r->stop();
}

Runtime::Runtime(unsigned n, TraceOptions trace) : realm_id_(requested_realm.load()) {
  if (!trace.path.empty()) tracer_ = std::make_unique<Tracer>(std::move(trace), n, realm_id());
  for (unsigned i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    if (tracer_) w->trace = &tracer_->worker(i);
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) {
    Worker* wp = w.get();
    w->thread = std::thread([this, wp] { worker_loop(*wp); });
  }
}

void Runtime::stop() {
  if (stopping_.exchange(true)) return;
  wake_epoch_.fetch_add(1);
  wake_epoch_.notify_all();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
    w->next.store(nullptr, std::memory_order_relaxed);  // freed below with every other process
  }
  timers_.stop();
  write_trace();
  // Every process left (waiting, queued, or bound to a thread that is gone) is freed.
  std::vector<Process*> all = table_.snapshot();
  // A bound process ending on its own thread right now erases itself and drops the table's
  // reference itself; erase() tells which of us did.
  std::vector<bool> erased;
  erased.reserve(all.size());
  for (Process* p : all) erased.push_back(table_.erase(*p));
  for (size_t i = 0; i < all.size(); ++i) {
    Process* p = all[i];
    p->sched_state().store(Process::SchedState::kExited);
    if (erased[i]) p->release();  // the table's reference
    p->release();                 // the snapshot's
  }
}

uint64_t Runtime::next_pid() {
  uint64_t id = table_.reserve();
  if (id == 0) {
    std::fprintf(stderr, "lona: the process table is full (%llu processes)\n",
                 static_cast<unsigned long long>(ProcessTable::kSlotMask));
    std::abort();
  }
  return id;
}

void Runtime::start(Process* p) {
  if (tracer_) [[unlikely]] {
    trace({.start_ns = tracer_->now_ns(), .process = p->id(), .kind = TraceEventKind::kSpawn});
  }
  table_.insert(p);
  p->sched_state().store(Process::SchedState::kQueued, std::memory_order_release);
  enqueue(p);
}

bool Runtime::start(Process* p, const StartOptions& options, uint64_t* ref) {
  if (options.name.is_symbol()) {
    if (!registry_.add(options.name.name_index(), p->id())) {
      p->release();
      return false;
    }
    p->set_name(options.name);
  }
  if (Process* parent = options.linked_to) {
    parent->add_link(p->id());
    p->add_link(parent->id());
  }
  if (Process* watcher = options.monitored_by) {
    uint64_t r = next_ref_id();
    watcher->add_monitor(r, p->id());
    p->add_monitored_by(r, watcher->id());
    if (ref != nullptr) *ref = r;
  }
  start(p);  // it may run, and end, at once: p is not touched again
  return true;
}

Process* Runtime::attach_bound(Heap& heap) {
  return attach_bound(new BoundProcess(*this, next_pid(), heap));
}

Process* Runtime::attach_bound(Process* p) {
  if (tracer_) [[unlikely]] {
    trace({.start_ns = tracer_->now_ns(),
           .process = p->id(),
           .detail = 1,
           .kind = TraceEventKind::kSpawn});
  }
  p->retain();  // the caller's
  table_.insert(p);
  return p;
}

void Runtime::detach_bound(Process* p) {
  if (p->exit_reason().is_nil()) p->set_exit_reason(make_keyword("normal"));
  exit_process(*p);
  p->leave_heap();
  p->release();
}

bool Runtime::send(uint64_t to, Envelope* e) {
  if (RemotePids::is_remote(to)) [[unlikely]] {
    return send_remote(to, e);
  }
  auto* w = static_cast<Worker*>(tl_worker);
  if (w != nullptr && e->kind == EnvelopeKind::kMessage) {
    if (Process* p = cached_receiver(*w, to)) {
      if (p->deliver(e)) return true;
      // It has exited: the message reaches nobody (it waits in the dead mailbox until the
      // process is freed, which letting go of it here may do at once).
      drop_send_cache_entry(w->send_cache[to % Worker::kSendCacheEntries]);
      return false;
    }
  }
  // Delivered with the process held in its table slot: no reference taken and dropped.
  if (table_.with(to, [e](Process& p) { p.deliver(e); })) return true;
  Envelope::destroy(e);
  return false;
}

bool Runtime::send_remote(uint64_t to, Envelope* e) {
  RemoteRoute* route = remote_route_.load(std::memory_order_acquire);
  std::optional<RemoteAddress> address = remote_pids_.address(to);
  if (route == nullptr || !address) {
    Envelope::destroy(e);
    return false;
  }
  route->send(to, *address, e);
  return true;
}

Term Runtime::pid_term(Heap& heap, uint64_t id) {
  if (RemotePids::is_remote(id)) {
    if (std::optional<RemoteAddress> address = remote_pids_.address(id)) {
      return make_pid(heap, address->realm, address->local);
    }
  }
  return make_pid(heap, realm_id_, id);
}

Process* Runtime::cached_receiver(Worker& w, uint64_t to) {
  Worker::SendCacheEntry& c = w.send_cache[to % Worker::kSendCacheEntries];
  if (c.id == to) return c.process;
  if (c.last_miss != to) {
    c.last_miss = to;
    return nullptr;
  }
  Process* p = table_.find(to);
  if (p == nullptr) return nullptr;
  Process* old = c.id != 0 ? c.process : nullptr;
  c = {.id = to, .process = p, .last_miss = 0};
  if (old != nullptr) old->release();  // after: its finalize may send, and find the entry
  return p;
}

void Runtime::drop_send_cache(Worker& w, bool exited_only) {
  for (Worker::SendCacheEntry& c : w.send_cache) {
    if (c.id == 0) continue;
    if (exited_only &&
        c.process->sched_state().load(std::memory_order_acquire) != Process::SchedState::kExited) {
      continue;
    }
    drop_send_cache_entry(c);
  }
}

void Runtime::drop_send_cache_entry(Worker::SendCacheEntry& c) {
  Process* p = c.process;
  c = {};
  p->release();
}

bool Runtime::signal(EnvelopeKind kind, uint64_t from, uint64_t to, uint64_t ref) {
  Envelope* e = Envelope::make(kind, from, Term::nil());
  e->ref = ref;
  return send(to, e);
}

void Runtime::link(Process& self, uint64_t other) {
  if (other == self.id()) return;
  self.add_link(other);
  if (!signal(EnvelopeKind::kLink, self.id(), other, 0)) {
    self.deliver(Envelope::noproc(EnvelopeKind::kLink, other, 0));
  }
}

void Runtime::unlink(Process& self, uint64_t other) {
  self.remove_link(other);
  if (other != self.id()) signal(EnvelopeKind::kUnlink, self.id(), other, 0);
}

uint64_t Runtime::monitor(Process& self, uint64_t target) {
  uint64_t ref = next_ref_id();
  self.add_monitor(ref, target);
  if (!signal(EnvelopeKind::kMonitor, self.id(), target, ref)) {
    self.deliver(Envelope::noproc(EnvelopeKind::kMonitor, target, ref));
  }
  return ref;
}

void Runtime::demonitor(Process& self, uint64_t ref) {
  auto it = self.monitors().find(ref);
  if (it == self.monitors().end()) return;
  uint64_t target = it->second;
  self.remove_monitor(ref);
  signal(EnvelopeKind::kDemonitor, self.id(), target, ref);
}

bool Runtime::exit_signal(uint64_t from, uint64_t to, Term reason, bool* holds_bytebuf) {
  Envelope* e = Envelope::make(EnvelopeKind::kExit, from, reason, holds_bytebuf);
  if (e == nullptr) return false;
  send(to, e);
  return true;
}

void Runtime::make_runnable(Process* p) {
  auto* w = static_cast<Worker*>(tl_worker);
  if (w == nullptr || queue_of(p->priority()) == 2 || stopping_.load(std::memory_order_relaxed)) {
    enqueue(p);
    return;
  }
  Process* bumped = w->next.load(std::memory_order_relaxed);
  w->next.store(p, std::memory_order_relaxed);
  if (bumped != nullptr) push_local(*w, bumped, queue_of(bumped->priority()));
}

void Runtime::enqueue(Process* p) {
  if (stopping_.load(std::memory_order_relaxed)) return;
  int q = queue_of(p->priority());
  auto* w = static_cast<Worker*>(tl_worker);
  if (w != nullptr) {
    push_local(*w, p, q);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(inject_mutex_);
    inject_[q].push_back(p);
    injected_.fetch_add(1, std::memory_order_release);
  }
  // Pairs with the worker's increment of sleepers_ before its last look for work: either it sees
  // this process, or this sees it asleep.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) != 0) wake_one();
}

// A worker queues a process on itself. It wakes a parked worker only when the process would wait
// behind other work: a message passed along a chain of processes (a ring, a ping-pong) is then
// run by the worker that sent it, which is about to be free, instead of waking another core to
// steal it (a futex wake and a cache miss per message, which made a 2-worker ring 60% slower than
// a 1-worker one). While this worker is busy, the work queued behind it is what wakes help.
void Runtime::push_local(Worker& w, Process* p, int q) {
  w.queues[q].push(p);
  wake_if_queued(w, 1);
}

void Runtime::push_yielded(Worker& w, Process* p, int q) {
  w.yielded[q].push(p);
  wake_if_queued(w, 1);
}

// Wakes a parked worker when w has more than `more_than` processes waiting to run (the next slot
// included).
void Runtime::wake_if_queued(Worker& w, size_t more_than) {
  // Pairs with the worker's increment of sleepers_ before its last look for work.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
  size_t queued = w.next.load(std::memory_order_relaxed) != nullptr ? 1 : 0;
  for (int q = 0; q < 3; ++q) queued += w.queues[q].size_approx() + w.yielded[q].size_approx();
  if (queued > more_than) wake_one();
}

void Runtime::before_blocking() {
  auto* w = static_cast<Worker*>(tl_worker);
  if (w == nullptr) return;
  if (Process* p = w->next.load(std::memory_order_relaxed)) {
    w->next.store(nullptr, std::memory_order_relaxed);
    w->queues[queue_of(p->priority())].push(p);
  }
  wake_if_queued(*w, 0);  // this worker will run nothing for a while
}

void Runtime::wake_one() {
  wake_epoch_.fetch_add(1, std::memory_order_seq_cst);
  wake_epoch_.notify_one();
}

bool Runtime::any_work() {
  if (injected_.load(std::memory_order_acquire) != 0) return true;
  for (auto& w : workers_) {
    for (int q = 0; q < 3; ++q) {
      if (!w->queues[q].empty_approx() || !w->yielded[q].empty_approx()) return true;
    }
  }
  return false;
}

// Which process a worker runs next. In order:
//  1. the next slot (a process the last one woke), in what is left of the slice;
//  2. processes that threads other than workers made runnable (timers, the REPL, C++ callers);
//  3. per priority, the newest of its own queue, else the oldest process that has had its turn;
//  4. the oldest of another worker's queues (a steal).
// Newest first (3) is what keeps work that spawns work small: a parent that spawns ten children
// and waits for them has them run, and their own children, before its siblings' (depth first).
// Oldest first, as before, ran a tree of a million processes breadth first: all of them alive at
// once, 1.2 GB and page faults, where depth first lives in a few hundred kilobytes (skynet 1M:
// 2.5 s -> 0.7 s on 2 workers). Thieves still take the oldest, the biggest pieces of work.
// Newest first alone would let a stream of new work (a process that spawns the next one, a pair
// whose slice ran out) keep an older process waiting for ever; so every kFairnessTakes-th take
// serves the oldest instead, of the queue and of the processes that have had their turn in
// alternation, and a process whose slice ran out goes behind everything that waits
// (push_yielded) rather than back on top.
Process* Runtime::take_work(Worker& w, uint32_t* budget) {
  if (Process* p = w.next.load(std::memory_order_relaxed)) {
    w.next.store(nullptr, std::memory_order_relaxed);
    // A normal-priority process does not go before a queued high-priority one.
    bool high_waits = queue_of(p->priority()) != 0 &&
                      !(w.queues[0].empty_approx() && w.yielded[0].empty_approx());
    if (w.slice_left >= kMinInheritedSlice && !high_waits) {
      *budget = w.slice_left;
      return p;
    }
    // A chain of wakes that used up its slice has had its turn.
    if (high_waits) {
      push_local(w, p, queue_of(p->priority()));
    } else {
      push_yielded(w, p, queue_of(p->priority()));
    }
  }
  *budget = kSliceReductions;
  uint32_t tick = ++w.takes;
  // Priorities high, normal, low; every 8th take looks at low first so that it never starves.
  static constexpr int kOrder[2][3] = {{0, 1, 2}, {2, 0, 1}};
  const int* order = kOrder[tick % 8 == 0 ? 1 : 0];
  // Processes made runnable by other threads first: a worker whose own queue never empties
  // (busy processes yielding) would otherwise never get to them.
  if (injected_.load(std::memory_order_acquire) != 0) {
    std::lock_guard<std::mutex> lock(inject_mutex_);
    for (int k = 0; k < 3; ++k) {
      auto& q = inject_[order[k]];
      if (!q.empty()) {
        Process* p = q.front();
        q.pop_front();
        injected_.fetch_sub(1, std::memory_order_release);
        return p;
      }
    }
  }
  // The oldest of priority q's two queues, those that have had their turn first when asked.
  auto oldest_of = [&w](int q, bool turn_had_first) {
    Process* p = oldest(turn_had_first ? w.yielded[q] : w.queues[q]);
    return p != nullptr ? p : oldest(turn_had_first ? w.queues[q] : w.yielded[q]);
  };
  if (tick % kFairnessTakes == 0) {
    drop_send_cache(w, true);
    for (int k = 0; k < 3; ++k) {
      if (Process* p = oldest_of(order[k], (tick / kFairnessTakes) % 2 != 0)) return p;
    }
  }
  for (int k = 0; k < 3; ++k) {
    int q = order[k];
    // Low priority, oldest first, of the two queues in turn: while other work waits it is
    // served only every 8th take, and newest first could keep its oldest waiting for ever.
    Process* p = q == 2 ? oldest_of(q, (tick / 8) % 2 != 0) : w.queues[q].pop();
    if (p == nullptr && q != 2) p = oldest(w.yielded[q]);
    if (p != nullptr) return p;
  }
  size_t n = workers_.size();
  for (size_t k = 1; k < n; ++k) {
    Worker& victim = *workers_[(w.index + k) % n];
    for (int j = 0; j < 3; ++j) {
      Process* p = victim.queues[order[j]].steal();
      if (p == nullptr) p = victim.yielded[order[j]].steal();
      if (p != nullptr) {
        w.steals.fetch_add(1, std::memory_order_relaxed);
        if (w.trace != nullptr) [[unlikely]] {
          w.trace->record({.start_ns = tracer_->now_ns(),
                           .process = p->id(),
                           .detail = victim.index,
                           .kind = TraceEventKind::kSteal});
        }
        return p;
      }
    }
  }
  return nullptr;
}

void Runtime::worker_loop(Worker& w) {
  tl_worker = &w;
  EnvelopePool::attach_thread();
  memory::BlockPool::attach_thread();
  while (!stopping_.load(std::memory_order_relaxed)) {
    uint32_t budget = 0;
    Process* p = take_work(w, &budget);
    for (int spin = 0; p == nullptr && spin < 200; ++spin) {
      cpu_relax();
      p = take_work(w, &budget);
    }
    if (p != nullptr) {
      run_slice(w, p, budget);
      // Blocks other threads freed into this worker's pages go back to them now and then, not
      // only when it runs short or parks: a busy worker would keep what a million exits freed.
      if ((w.slices.load(std::memory_order_relaxed) & 63) == 0) memory::BlockPool::take_back();
      continue;
    }
    drop_send_cache(w, false);  // what it holds may be gone by the time it wakes
    EnvelopePool::flush_thread();
    return_memory();
    uint32_t epoch = wake_epoch_.load(std::memory_order_seq_cst);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    if (!any_work() && !stopping_.load()) {
      memory::BlockPool::before_park();
      w.parks.fetch_add(1, std::memory_order_relaxed);
      if (w.trace != nullptr) [[unlikely]] {
        w.trace->record({.start_ns = tracer_->now_ns(), .kind = TraceEventKind::kPark});
      }
      wake_epoch_.wait(epoch, std::memory_order_seq_cst);
      memory::BlockPool::after_park();
      if (w.trace != nullptr) [[unlikely]] {
        w.trace->record({.start_ns = tracer_->now_ns(), .kind = TraceEventKind::kUnpark});
      }
    }
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
  }
  drop_send_cache(w, false);
  memory::BlockPool::detach_thread();
  tl_worker = nullptr;
}

// The C allocator keeps what it was given back for reuse, and gives back little of it by itself
// (its per-thread arenas only shrink from the top). Processes' own memory is in the block pools
// (runtime/memory), which return it themselves; what processes leave in the C allocator (big
// heaps, envelopes) goes back when, after many exits, a worker about to park asks for it.
void Runtime::return_memory() {
  size_t n = exits_since_trim_.load(std::memory_order_relaxed);
  if (n < kTrimAfterExits) return;
  if (!exits_since_trim_.compare_exchange_strong(n, 0, std::memory_order_relaxed)) return;
  malloc_trim(0);
}

[[gnu::always_inline]] inline RunStatus Runtime::run_counted(Worker& w, Process* p, uint32_t budget,
                                                             uint64_t* used) {
  uint64_t before = p->reductions();
  RunStatus status = p->run(budget);
  *used = p->reductions() - before;
  w.reductions.fetch_add(*used, std::memory_order_relaxed);
  w.slices.fetch_add(1, std::memory_order_relaxed);
  return status;
}

// Out of line, so that the slice without tracing is what it was plus one branch.
[[gnu::noinline]] RunStatus Runtime::run_traced(Worker& w, Process* p, uint32_t budget,
                                                uint64_t* used_out) {
  uint64_t start = tracer_->now_ns();
  uint64_t used = 0;
  RunStatus status = run_counted(w, p, budget, &used);
  *used_out = used;
  // Recorded before run_slice queues p again: another worker may run it from then on.
  w.trace->record({.start_ns = start,
                   .duration_ns = tracer_->now_ns() - start,
                   .process = p->id(),
                   .detail = used,
                   .detail2 = static_cast<uint64_t>(status),
                   .kind = TraceEventKind::kSlice});
  return status;
}

void Runtime::run_slice(Worker& w, Process* p, uint32_t budget) {
  using S = Process::SchedState;
  p->sched_state().store(S::kRunning, std::memory_order_relaxed);
  // Pairs with the fence in Process::deliver (a push, then a look at the state): the store of
  // kRunning comes before the process looks at its mailbox. Without it the store could wait in
  // this core's store buffer while the mailbox is read, so that a sender saw kQueued (nothing to
  // do) and the process missed its message, then waited with mail it never took: a lost wake-up
  // that hung skynet about once in twenty runs.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  uint64_t used = 0;
  RunStatus status =
      w.trace == nullptr ? run_counted(w, p, budget, &used) : run_traced(w, p, budget, &used);
  // A slice is charged at least kMinSliceCharge: a run can count no reductions (a process that
  // only took an exit signal, a native actor that only got a signal), and a chain of such wakes
  // (exits cascading along a million links) must still end.
  uint64_t charged = std::max<uint64_t>(used, kMinSliceCharge);
  w.slice_left = charged < budget ? budget - static_cast<uint32_t>(charged) : 0;
  switch (status) {
    case RunStatus::kYield:
      p->sched_state().store(S::kQueued, std::memory_order_release);
      push_yielded(w, p, queue_of(p->priority()));
      break;
    case RunStatus::kWait: {
      S expected = S::kRunning;
      if (!p->sched_state().compare_exchange_strong(expected, S::kWaiting,
                                                    std::memory_order_acq_rel)) {
        // Something arrived while it ran: it looks again.
        p->sched_state().store(S::kQueued, std::memory_order_release);
        push_local(w, p, queue_of(p->priority()));
      }
      break;
    }
    case RunStatus::kExit:
      exit_process(*p);
      break;
  }
}

void Runtime::exit_process(Process& p) {
  // Signals that arrived since the process last looked still count: a link made just before
  // the exit gets the real reason.
  while (Envelope* e = p.mailbox_.take()) {
    p.apply_bookkeeping(*e);
    Envelope::destroy(e);
  }
  // The process is gone before anyone hears of it: whoever gets its exit signal or :DOWN finds
  // it dead (alive? is false) and its name free. Signals sent to it from here on are answered by
  // finalize() (:noproc). At shutdown the table let go of every process already (a bound one
  // ends later), hence `erased`.
  if (tracer_) [[unlikely]] {
    trace(Tracer::exit_event(tracer_->now_ns(), p.id(), p.exit_reason()));
  }
  if (p.name().is_symbol()) registry_.remove_if(p.name().name_index(), p.id());
  p.sched_state().store(Process::SchedState::kExited, std::memory_order_release);
  bool erased = table_.erase(p);
  exits_since_trim_.fetch_add(1, std::memory_order_relaxed);
  Term reason = p.exit_reason();
  auto make = [&](EnvelopeKind kind) {
    static const Term kOom = make_keyword("oom");
    Envelope* e = Envelope::make(kind, p.id(), reason);
    // A reason too big to copy (a DAG whose copy explodes) is reported as :oom.
    return e != nullptr ? e : Envelope::make(kind, p.id(), kOom);
  };
  for (uint64_t other : p.links()) {
    Envelope* e = make(EnvelopeKind::kExit);
    e->linked = true;
    send(other, e);
  }
  for (auto [ref, watcher] : p.monitored_by()) {
    Envelope* e = make(EnvelopeKind::kDown);
    e->ref = ref;
    send(watcher, e);
  }
  for (auto [ref, target] : p.monitors()) signal(EnvelopeKind::kDemonitor, p.id(), target, ref);
  if (erased) p.release();  // the table's reference
}

void Runtime::trace(const TraceEvent& e) {
  if (auto* w = static_cast<Worker*>(tl_worker); w != nullptr) {
    w->trace->record(e);
  } else {
    tracer_->record_other(e);
  }
}

// At stop, once the workers are gone: their buffers are still.
void Runtime::write_trace() {
  if (!tracer_) return;
  std::string error;
  if (!tracer_->write(&error)) std::fprintf(stderr, "lona: the trace: %s\n", error.c_str());
}

std::vector<WorkerStats> Runtime::stats() {
  std::vector<WorkerStats> out;
  for (auto& w : workers_) {
    WorkerStats s;
    for (int q = 0; q < 3; ++q) {
      s.run_queue_length += w->queues[q].size_approx() + w->yielded[q].size_approx();
    }
    if (w->next.load(std::memory_order_relaxed) != nullptr) ++s.run_queue_length;
    s.reductions = w->reductions.load(std::memory_order_relaxed);
    s.slices = w->slices.load(std::memory_order_relaxed);
    s.steals = w->steals.load(std::memory_order_relaxed);
    s.parks = w->parks.load(std::memory_order_relaxed);
    out.push_back(s);
  }
  return out;
}

}  // namespace lona
