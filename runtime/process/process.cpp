#include "runtime/process/process.hpp"

#include "runtime/process/process_info.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"

namespace lona {

const Process::LinkSet& Process::no_links() {
  static const LinkSet none;
  return none;
}

const Process::MonitorMap& Process::no_monitors() {
  static const MonitorMap none;
  return none;
}

Process::Process(Runtime& runtime, uint64_t id, bool bound, size_t heap_words)
    : runtime_(runtime), id_(id), bound_(bound), own_heap_(heap_words), heap_(&own_heap_) {
  if (bound_) wait_ = std::make_unique<WaitState>();
  heap_->add_root_source(this);
}

Process::Process(Runtime& runtime, uint64_t id, bool bound, Heap& heap)
    : runtime_(runtime), id_(id), bound_(bound), own_heap_(0), heap_(&heap) {
  if (bound_) wait_ = std::make_unique<WaitState>();
  heap_->add_root_source(this);
}

// A heap of its own goes with the process (its list of root sources with it); an adopted one
// was let go by leave_heap().
Process::~Process() = default;

void Process::leave_heap() {
  heap_->remove_root_source(this);
  heap_ = &own_heap_;
  heap_->add_root_source(this);
  queue_.clear();
  head_ = 0;
}

void Process::visit_roots(RootVisitor& visitor) {
  visitor.visit(queue_.data() + head_, queue_.size() - head_);
  visitor.visit(&exit_reason_, 1);
  visitor.visit(&name_, 1);
  for (Binding& b : bindings_) visitor.visit(&b.value, 1);
}

bool Process::deliver(Envelope* e) {
  mailbox_.push(e);
  // The push before the look at blocked_ and at the state. Pairs with the fence in
  // Runtime::run_slice: the state's store before the process looks at its mailbox.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (bound_ || blocked_.load(std::memory_order_seq_cst)) {
    // wait_ was made before blocked_ was set (wait()), and lives as long as the process.
    { std::lock_guard<std::mutex> lock(wait_->mutex); }  // orders the push before a waiter's check
    wait_->cv.notify_one();
    if (bound_) return true;
  }
  SchedState s = sched_state_.load(std::memory_order_acquire);
  for (;;) {
    if (s == SchedState::kWaiting) {
      if (sched_state_.compare_exchange_weak(s, SchedState::kQueued, std::memory_order_acq_rel)) {
        runtime_.make_runnable(this);
        return true;
      }
    } else if (s == SchedState::kRunning) {
      if (sched_state_.compare_exchange_weak(s, SchedState::kRunningNotified,
                                             std::memory_order_acq_rel)) {
        return true;
      }
    } else {
      // Queued or notified already, or exited (finalize() answers what needs it).
      return s != SchedState::kExited;
    }
  }
}

void Process::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) finalize();
}

void Process::finalize() {
  while (Envelope* e = mailbox_.take()) {
    if (e->kind == EnvelopeKind::kLink || e->kind == EnvelopeKind::kMonitor) {
      runtime_.send(e->from, Envelope::noproc(e->kind, id_, e->ref));
    }
    Envelope::destroy(e);
  }
  runtime_.release_pid(id_);  // a process never started still holds its table slot
  delete this;
}

Term Process::copy_payload(Envelope& e) {
  if (!e.payload.is_pointer()) return e.payload;
  Word* block = heap_->alloc(e.words);
  Term t = copy_block(e.payload, e.fragment(), e.words, block);
  if (e.refc) heap_->track_refc_in(block, e.words);  // copy_block took their references
  return t;
}

bool Process::copy_from(Term t, Term* out) {
  CopyHolds holds;
  CopySize size = deep_copy_size(t, Envelope::kMaxMessageWords, &holds);
  if (holds.bytebuf || size.words > Envelope::kMaxMessageWords) return false;
  if (!t.is_pointer()) {
    *out = t;
    return true;
  }
  Word* block = heap_->alloc(size.words);
  *out = deep_copy_sized(t, size, block);
  if (holds.refc_binary) heap_->track_refc_in(block, size.words);
  return true;
}

void Process::remove_message(size_t i) {
  if (ties_ && i < ties_->sync_tags.size()) take_sync_tag(i);
  if (i != 0) {
    queue_.erase(queue_.begin() + static_cast<ptrdiff_t>(head_ + i));
  } else if (++head_ == queue_.size()) {
    queue_.clear();
    head_ = 0;
  } else if (head_ >= 64 && 2 * head_ >= queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(head_));
    head_ = 0;
  }
  end_receive();
}

bool Process::take_mail() {
  while (Envelope* e = mailbox_.take()) {
    bool alive = true;
    if (e->kind == EnvelopeKind::kMessage) {
      if (e->ref != 0) note_sync_tag(e->from, e->ref);
      // A small message is copied into the heap and its envelope goes back to the pool at
      // once; a big one stays where the sender copied it, part of the heap until a collection
      // copies out what is live (no second copy of a message that dies young).
      if (e->words > kAdoptWords) {
        enqueue_message(e->payload);
        // The envelope's references to its off-heap binaries go to the heap with the fragment:
        // the collection that frees the fragment has overwritten the objects in it with
        // forwarding words by then, so the envelope could not find them to let go.
        if (e->refc) {
          heap_->track_refc_in(e->fragment(), e->words);
          e->refc = false;
        }
        heap_->adopt_fragment(e->fragment(), e->words, e,
                              [](void* m) { Envelope::destroy(static_cast<Envelope*>(m)); });
        continue;
      }
      enqueue_message(copy_payload(*e));
    } else {
      alive = handle_signal(e);
    }
    Envelope::destroy(e);
    if (!alive) return false;
  }
  return true;
}

bool Process::apply_bookkeeping(const Envelope& e) {
  switch (e.kind) {
    case EnvelopeKind::kLink:
      add_link(e.from);
      return true;
    case EnvelopeKind::kUnlink:
      remove_link(e.from);
      return true;
    case EnvelopeKind::kMonitor:
      add_monitored_by(e.ref, e.from);
      return true;
    case EnvelopeKind::kDemonitor:
      if (ties_) ties_->monitored_by.erase(e.ref);
      return true;
    default:
      return false;
  }
}

bool Process::handle_signal(Envelope* e) {
  static const Term kDownTag = make_keyword("DOWN");
  static const Term kExitTag = make_keyword("EXIT");
  static const Term kKill = make_keyword("kill");
  static const Term kKilled = make_keyword("killed");
  static const Term kNormal = make_keyword("normal");
  if (apply_bookkeeping(*e)) return true;
  switch (e->kind) {
    case EnvelopeKind::kMessage:
    case EnvelopeKind::kLink:
    case EnvelopeKind::kUnlink:
    case EnvelopeKind::kMonitor:
    case EnvelopeKind::kDemonitor:
      break;
    case EnvelopeKind::kTimeout:
      if (e->ref == timer_) timed_out_ = true;
      break;
    case EnvelopeKind::kInfoRequest:
      answer_process_info(*this, *e);
      break;
    case EnvelopeKind::kReply: {
      if (e->ref == 0 || e->ref != awaited_reply_) break;  // late, or never asked for: dropped
      static const Term kReplyTag = make_keyword("lona/reply");
      awaited_reply_ = 0;
      heap_->push(kReplyTag);
      heap_->push(make_ref(*heap_, e->ref));
      heap_->push(copy_payload(*e));
      enqueue_message(tuple_from_stack(*heap_, 3));
      break;
    }
    case EnvelopeKind::kDown: {
      if (!remove_monitor(e->ref)) break;  // demonitored meanwhile
      heap_->push(kDownTag);
      heap_->push(make_ref(*heap_, e->ref));
      heap_->push(runtime_.pid_term(*heap_, e->from));
      heap_->push(copy_payload(*e));
      enqueue_message(tuple_from_stack(*heap_, 4));
      break;
    }
    case EnvelopeKind::kExit: {
      Term reason = e->payload;
      if (e->linked) {
        if (!ties_ || !ties_->links.erase(e->from)) break;  // unlinked meanwhile
      }
      if (!e->linked && reason == kKill) {  // exit/2 with :kill: untrappable
        exit_reason_ = kKilled;
        return false;
      }
      if (trap_exit_) {
        heap_->push(kExitTag);
        heap_->push(runtime_.pid_term(*heap_, e->from));
        heap_->push(copy_payload(*e));
        enqueue_message(tuple_from_stack(*heap_, 3));
        break;
      }
      if (reason == kNormal && e->from != id_) break;
      exit_reason_ = copy_payload(*e);
      return false;
    }
  }
  return true;
}

void Process::note_sync_tag(uint64_t from, uint64_t ref) {
  Ties& t = ties();
  t.sync_tags.resize(message_count());  // the messages before it have no note
  t.sync_tags.push_back({from, ref});
  ++t.sync_tagged;
}

void Process::take_sync_tag(size_t i) {
  Ties& t = *ties_;
  Ties::SyncTag tag = t.sync_tags[i];
  t.sync_tags.erase(t.sync_tags.begin() + static_cast<ptrdiff_t>(i));
  if (tag.ref == 0) return;
  if (--t.sync_tagged == 0) t.sync_tags.clear();
  Envelope* ack = Envelope::make(EnvelopeKind::kReply, id_, Term::nil());
  ack->ref = tag.ref;
  runtime_.send(tag.from, ack);  // a sender that is gone: dropped
}

void Process::arm_timer(uint64_t ms) {
  deadline_ = Clock::now() + std::chrono::milliseconds(ms);
  timed_out_ = false;
  timer_ = next_ref_id();
  if (!bound_) runtime_.timers().start(this, timer_, deadline_);
}

void Process::wait() {
  runtime_.before_blocking();  // on a worker's thread: what it woke must not wait behind it
  if (!wait_) wait_ = std::make_unique<WaitState>();  // before blocked_ publishes it
  memory::BlockPool::before_park();  // what others free into its pages meanwhile is freed
  std::unique_lock<std::mutex> lock(wait_->mutex);
  blocked_.store(true, std::memory_order_seq_cst);
  // The deadline is looked at whether or not mail is pending: a receive that keeps finding
  // messages it does not take (a selective one) still times out.
  for (;;) {
    if (timer_ != 0 && Clock::now() >= deadline_) {
      timed_out_ = true;
      break;
    }
    if (mailbox_.has_pending()) break;
    if (timer_ == 0) {
      wait_->cv.wait(lock);
    } else {
      wait_->cv.wait_until(lock, deadline_);
    }
  }
  blocked_.store(false, std::memory_order_relaxed);
  lock.unlock();
  memory::BlockPool::after_park();
}

}  // namespace lona
