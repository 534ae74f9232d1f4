#include "runtime/native/coroutine.hpp"

#include <utility>

namespace lona::native {

// receive: drops the message the previous one returned and looks for the oldest that the filter
// accepts. Each receive costs a reduction; past the slice's budget it suspends and completes
// next slice.
bool Self::receive_ready(MessageFilter filter, std::optional<uint64_t> timeout) {
  if (held_) remove_message(*std::exchange(held_, std::nullopt));
  end_receive();  // scan from the oldest message
  filter_ = std::move(filter);
  matched_ = next_match(*this, filter_);
  if (!matched_) {
    if (!take_mail()) {
      killed_ = true;  // the run loop ends the actor once the coroutine is suspended
      return false;
    }
    matched_ = next_match(*this, filter_);
  }
  if (used_ >= budget_) return false;
  ++used_;
  return matched_ || timeout == uint64_t{0};
}

// The filter runs here outside the coroutine: an exception from it ends the actor (false), as one
// thrown inside does, instead of leaving the worker's thread.
bool Self::ready(bool* is_ready) {
  return guarded([&] {
    if (!matched_) matched_ = next_match(*this, filter_);
    *is_ready = matched_ || timed_out() || poll_;
  });
}

void Self::receive_suspend(std::optional<uint64_t> timeout) {
  state_ = State::kReceive;
  if (killed_ || matched_) return;
  if (timeout == uint64_t{0}) {
    poll_ = true;
  } else if (timeout) {
    arm_timer(*timeout);
  }
}

// The run loop has looked at every message that came (ready) before it resumed the coroutine:
// matched_ is up to date, and with none a timeout or a poll ends the receive.
std::optional<Term> Self::receive_resume() {
  poll_ = false;
  end_receive();  // a pending timer is now stale: its signal is ignored
  filter_ = nullptr;
  if (!matched_) return std::nullopt;
  held_ = std::exchange(matched_, std::nullopt);
  return message(*held_);
}

RunStatus Self::end(RunStatus status) {
  if (status == RunStatus::kExit) {
    RunStatus r = finish();
    filter_ = nullptr;  // it may refer to the coroutine's locals
    task_.reset();      // the coroutine's locals go now, on the actor's thread
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
    if (state_ == State::kReceive) {
      bool is_ready = false;
      if (!ready(&is_ready)) return end(RunStatus::kExit);
      if (!is_ready) {
        if (!take_mail()) return end(RunStatus::kExit);
        if (!ready(&is_ready)) return end(RunStatus::kExit);
        if (!is_ready) return end(RunStatus::kWait);
      }
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
