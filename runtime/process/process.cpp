#include "runtime/process/process.hpp"

#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"

namespace lona {

Process::Process(Runtime& runtime, uint64_t id, bool bound, size_t heap_words)
    : runtime_(runtime),
      id_(id),
      bound_(bound),
      own_heap_(std::make_unique<Heap>(heap_words)),
      heap_(own_heap_.get()) {
  register_roots();
}

Process::Process(Runtime& runtime, uint64_t id, bool bound, Heap& heap)
    : runtime_(runtime), id_(id), bound_(bound), heap_(&heap) {
  register_roots();
}

void Process::register_roots() {
  heap_->add_root_range(&queue_base_, &queue_count_);
  heap_->add_root_range(&roots_base_, &roots_count_);
}

// A heap of its own goes with the process; an adopted one was let go by leave_heap().
Process::~Process() = default;

void Process::leave_heap() {
  heap_->remove_root_range(&queue_base_);
  heap_->remove_root_range(&roots_base_);
  queue_.clear();
  sync_roots();
}

void Process::deliver(Envelope* e) {
  mailbox_.push(e);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // the push before the look at blocked_
  if (bound_ || blocked_.load(std::memory_order_seq_cst)) {
    { std::lock_guard<std::mutex> lock(wait_mutex_); }  // orders the push before a waiter's check
    wait_cv_.notify_one();
    if (bound_) return;
  }
  SchedState s = sched_state_.load(std::memory_order_acquire);
  for (;;) {
    if (s == SchedState::kWaiting) {
      if (sched_state_.compare_exchange_weak(s, SchedState::kQueued, std::memory_order_acq_rel)) {
        runtime_.make_runnable(this);
        return;
      }
    } else if (s == SchedState::kRunning) {
      if (sched_state_.compare_exchange_weak(s, SchedState::kRunningNotified,
                                             std::memory_order_acq_rel)) {
        return;
      }
    } else {
      return;  // queued or notified already, or exited (finalize() answers what needs it)
    }
  }
}

void Process::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) finalize();
}

void Process::finalize() {
  Term noproc = make_keyword("noproc");
  while (Envelope* e = mailbox_.take()) {
    if (e->kind == EnvelopeKind::kLink) {
      Envelope* reply = Envelope::make(EnvelopeKind::kExit, id_, noproc);
      reply->linked = true;
      runtime_.send(e->from, reply);
    } else if (e->kind == EnvelopeKind::kMonitor) {
      Envelope* reply = Envelope::make(EnvelopeKind::kDown, id_, noproc);
      reply->ref = e->ref;
      runtime_.send(e->from, reply);
    }
    Envelope::destroy(e);
  }
  delete this;
}

Term Process::copy_in(Term t, size_t words) {
  if (!t.is_pointer()) return t;
  Word* top = heap_->alloc(words);
  return deep_copy(t, [&top](size_t n) {
    Word* p = top;
    top += n;
    return p;
  });
}

void Process::enqueue_message(Term m) {
  queue_.push_back(m);
  sync_roots();
}

void Process::remove_message(size_t i) {
  queue_.erase(queue_.begin() + static_cast<ptrdiff_t>(i));
  sync_roots();
  end_receive();
}

bool Process::take_mail() {
  while (Envelope* e = mailbox_.take()) {
    bool alive = true;
    if (e->kind == EnvelopeKind::kMessage) {
      enqueue_message(copy_in(e->payload, e->words));
    } else {
      alive = handle_signal(e);
    }
    Envelope::destroy(e);
    if (!alive) return false;
  }
  return true;
}

bool Process::handle_signal(Envelope* e) {
  switch (e->kind) {
    case EnvelopeKind::kMessage:
      break;
    case EnvelopeKind::kLink:
      links_.insert(e->from);
      break;
    case EnvelopeKind::kUnlink:
      links_.erase(e->from);
      break;
    case EnvelopeKind::kMonitor:
      monitored_by_[e->ref] = e->from;
      break;
    case EnvelopeKind::kDemonitor:
      monitored_by_.erase(e->ref);
      break;
    case EnvelopeKind::kTimeout:
      if (e->ref == timer_) timed_out_ = true;
      break;
    case EnvelopeKind::kDown: {
      if (!monitors_.erase(e->ref)) break;  // demonitored meanwhile
      heap_->push(make_keyword("DOWN"));
      heap_->push(make_ref(*heap_, e->ref));
      heap_->push(make_pid(*heap_, runtime_.realm_id(), e->from));
      heap_->push(copy_in(e->payload, e->words));
      enqueue_message(tuple_from_stack(*heap_, 4));
      break;
    }
    case EnvelopeKind::kExit: {
      Term reason = e->payload;
      if (e->linked) {
        if (!links_.contains(e->from)) break;  // unlinked meanwhile
        links_.erase(e->from);
      }
      if (!e->linked && reason == make_keyword("kill")) {  // exit/2 with :kill: untrappable
        exit_reason_ = make_keyword("killed");
        return false;
      }
      if (trap_exit_) {
        heap_->push(make_keyword("EXIT"));
        heap_->push(make_pid(*heap_, runtime_.realm_id(), e->from));
        heap_->push(copy_in(reason, e->words));
        enqueue_message(tuple_from_stack(*heap_, 3));
        break;
      }
      if (reason == make_keyword("normal") && e->from != id_) break;
      exit_reason_ = copy_in(reason, e->words);
      return false;
    }
  }
  return true;
}

void Process::arm_timer(uint64_t ms) {
  deadline_ = Clock::now() + std::chrono::milliseconds(ms);
  timed_out_ = false;
  timer_ = next_ref_id();
  if (!bound_) runtime_.timers().start(this, timer_, deadline_);
}

void Process::wait() {
  std::unique_lock<std::mutex> lock(wait_mutex_);
  blocked_.store(true, std::memory_order_seq_cst);
  while (!mailbox_.has_pending()) {
    if (timer_ == 0) {
      wait_cv_.wait(lock);
    } else if (wait_cv_.wait_until(lock, deadline_) == std::cv_status::timeout &&
               !mailbox_.has_pending()) {
      timed_out_ = true;
      break;
    }
  }
  blocked_.store(false, std::memory_order_relaxed);
}

}  // namespace lona
