#include "runtime/native/actor_base.hpp"

#include "runtime/process/envelope.hpp"
#include "runtime/sched/runtime.hpp"

namespace lona::native {

ActorBase::ActorBase(size_t heap_words)
    : Process(Runtime::get(), Runtime::get().next_pid(), false, heap_words) {}

ActorBase::~ActorBase() { drop_target(); }

void ActorBase::drop_target() {
  if (target_ != nullptr) std::exchange(target_, nullptr)->release();
}

bool ActorBase::send(Pid to, Term message) {
  Envelope* e = Envelope::make(EnvelopeKind::kMessage, id(), message);
  if (e == nullptr) return false;
  if (target_ == nullptr || target_->id() != to) {
    drop_target();
    target_ = runtime().find(to);
  }
  // No process, or one that has exited since it was found: the message is dropped.
  if (target_ == nullptr || target_->exited()) {
    Envelope::destroy(e);
    return true;
  }
  target_->deliver(e);
  return true;
}

void ActorBase::link(Pid other) { runtime().link(*this, other); }
void ActorBase::unlink(Pid other) { runtime().unlink(*this, other); }
uint64_t ActorBase::monitor(Pid target) { return runtime().monitor(*this, target); }
void ActorBase::demonitor(uint64_t ref) { runtime().demonitor(*this, ref); }
bool ActorBase::exit(Pid target, Term reason) {
  return runtime().exit_signal(id(), target, reason);
}

void ActorBase::exit(Term reason) {
  set_exit_reason(reason);
  exiting_ = true;
}

Pid ActorBase::start_link(Process* child) {
  Pid pid = child->id();
  runtime().start(child, {.linked_to = this});
  return pid;
}

std::pair<Pid, uint64_t> ActorBase::start_monitor(Process* child) {
  Pid pid = child->id();
  uint64_t ref = 0;
  runtime().start(child, {.monitored_by = this}, &ref);
  return {pid, ref};
}

void ActorBase::fail_with_exception(std::string_view what) {
  Heap& h = heap();
  Term info = keyword("message");  // pushed before the string allocates
  h.push(keyword("error"));
  h.push(keyword("exception"));
  h.push(info);
  h.push(string(h, what));
  h.push(map_from_stack(h, 1));
  set_exit_reason(tuple_from_stack(h, 3));
  exiting_ = true;
}

RunStatus ActorBase::finish() {
  exiting_ = true;
  if (exit_reason().is_nil()) set_exit_reason(keyword("normal"));
  // An exception in on_exit does not change why the actor ended.
  Rooted reason(heap(), exit_reason());
  guarded([&] { on_exit(reason.get()); });
  set_exit_reason(reason.get());
  drop_target();
  add_reductions(used_);
  used_ = 0;
  return RunStatus::kExit;
}

}  // namespace lona::native
