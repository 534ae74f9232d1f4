#include "runtime/native/coroutine.hpp"

namespace lona::native {

// receive: the message it would take is message(0) once the previous one is dropped. Each
// receive costs a reduction; past the slice's budget it suspends and completes next slice.
bool Self::receive_ready(std::optional<uint64_t> timeout) {
  if (holding_) {
    holding_ = false;
    remove_message(0);
  }
  if (message_count() == 0 && !take_mail()) {
    killed_ = true;  // the run loop ends the actor once the coroutine is suspended
    return false;
  }
  if (used_ >= budget_) return false;
  ++used_;
  return message_count() > 0 || timeout == uint64_t{0};
}

void Self::receive_suspend(std::optional<uint64_t> timeout) {
  state_ = State::kReceive;
  if (killed_ || message_count() > 0) return;
  if (timeout == uint64_t{0}) {
    poll_ = true;
  } else if (timeout) {
    arm_timer(*timeout);
  }
}

std::optional<Term> Self::receive_resume() {
  poll_ = false;
  end_receive();  // a pending timer is now stale: its signal is ignored
  if (message_count() == 0) return std::nullopt;
  holding_ = true;
  return message(0);
}

RunStatus Self::end(RunStatus status) {
  if (status == RunStatus::kExit) {
    RunStatus r = finish();
    task_.reset();  // the coroutine's locals go now, on the actor's thread
    return r;
  }
  return end_slice(status);
}

RunStatus Self::run(uint32_t budget) {
  budget_ = budget;
  used_ = 0;
  if (!take_mail()) return end(RunStatus::kExit);
  if (!task_.handle()) {  // no coroutine to run
    exit(keyword("normal"));
    return end(RunStatus::kExit);
  }
  for (;;) {
    if (state_ == State::kYield) {
      state_ = State::kRunnable;
      return end(RunStatus::kYield);
    }
    if (state_ == State::kReceive && !ready()) {
      if (!take_mail()) return end(RunStatus::kExit);
      if (!ready()) return end(RunStatus::kWait);
    }
    if (used_ >= budget_) return end(RunStatus::kYield);
    state_ = State::kRunnable;
    auto h = task_.handle();
    h.resume();
    if (killed_ || exiting_) return end(RunStatus::kExit);
    if (h.done()) {
      if (std::exception_ptr error = h.promise().error) {
        guarded([&] { std::rethrow_exception(error); });
      } else {
        exit(keyword("normal"));
      }
      return end(RunStatus::kExit);
    }
  }
}

}  // namespace lona::native
