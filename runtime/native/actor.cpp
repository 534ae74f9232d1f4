#include "runtime/native/actor.hpp"

namespace lona::native {

// The protocol of Runtime::run_slice, as LonalaProcess::run: kYield with the budget spent and
// messages left, kWait with none, kExit with the reason set.
RunStatus Actor::run(uint32_t budget) {
  used_ = 0;
  if (!take_mail()) return finish();  // an exit signal ended it
  if (!started_) {
    started_ = true;
    if (!guarded([this] { on_start(); }) || exiting_) return finish();
  }
  for (;;) {
    while (message_count() > 0) {
      if (used_ >= budget) return end_slice(RunStatus::kYield);
      ++used_;
      bool ok = guarded([this] { on_message(message(0)); });
      remove_message(0);
      if (!ok || exiting_) return finish();
    }
    // What arrived meanwhile is handled in this slice: no trip through the run queue.
    if (!take_mail()) return finish();
    if (message_count() == 0) return end_slice(RunStatus::kWait);
  }
}

}  // namespace lona::native
