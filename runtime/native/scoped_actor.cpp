#include "runtime/native/scoped_actor.hpp"

#include <algorithm>
#include <utility>

#include "runtime/process/envelope.hpp"
#include "runtime/sched/runtime.hpp"

namespace lona::native {

ScopedActor::ScopedActor() : process_(Runtime::get().attach_bound(heap_)) {}

ScopedActor::~ScopedActor() { process_->runtime().detach_bound(process_); }

bool ScopedActor::send(Pid to, Term message) {
  Envelope* e = Envelope::make(EnvelopeKind::kMessage, self(), message);
  if (e == nullptr) return false;
  process_->runtime().send(to, e);
  return true;
}

std::optional<Term> ScopedActor::receive(const MessageFilter& filter,
                                         std::optional<std::chrono::milliseconds> timeout) {
  Process& p = *process_;
  if (held_) p.remove_message(*std::exchange(held_, std::nullopt));
  p.end_receive();  // scan from the oldest message
  if (killed_) return std::nullopt;
  if (timeout) p.arm_timer(static_cast<uint64_t>(std::max<int64_t>(0, timeout->count())));
  for (;;) {
    if (!p.take_mail()) {
      killed_ = true;
      p.end_receive();
      return std::nullopt;
    }
    if (std::optional<size_t> i = next_match(p, filter)) {
      p.end_receive();
      held_ = i;
      return p.message(*i);
    }
    if (p.timed_out()) {
      p.end_receive();
      return std::nullopt;
    }
    p.wait();
  }
}

void ScopedActor::link(Pid other) { process_->runtime().link(*process_, other); }
void ScopedActor::unlink(Pid other) { process_->runtime().unlink(*process_, other); }
uint64_t ScopedActor::monitor(Pid target) { return process_->runtime().monitor(*process_, target); }
bool ScopedActor::exit(Pid target, Term reason) {
  return process_->runtime().exit_signal(self(), target, reason);
}
void ScopedActor::demonitor(uint64_t ref) { process_->runtime().demonitor(*process_, ref); }

}  // namespace lona::native
