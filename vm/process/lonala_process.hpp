// vm/process: a process that runs Lonala: a scheduled runtime process whose slices are runs of
// its interpreter (vm/interp start and resume).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "runtime/process/process.hpp"
#include "vm/interp/interpreter.hpp"

namespace lona {

class LonalaProcess final : public Process {
 public:
  // A process whose heap starts at `heap_words` and that runs in namespace `ns`. It runs nothing
  // until set_entry() and Runtime::start().
  LonalaProcess(Runtime& runtime, uint64_t id, size_t heap_words, uint32_t ns);

  // The function the process runs and its arguments (a tuple; nil: none), copied from another
  // heap into this one. False when the copy would be too large.
  bool set_entry(Term fn, Term args = Term::nil());
  // Copies of the process-bound var values of `parent` (the spawning process), into this heap.
  // False when one would be too large to copy.
  bool inherit_bindings(const Process& parent);
  // Past this many bytes of heap, the process exits with [:error :max-heap-size ...] at the end
  // of its slice, which the heap's limit cuts short.
  void set_max_heap_bytes(std::optional<uint64_t> max) {
    max_heap_bytes_ = max.value_or(kNoMaxHeap);
    if (max) heap().set_limit(std::max<size_t>(1, *max / sizeof(Word)), interp_.preemption_word());
  }

  RunStatus run(uint32_t budget) override;
  // The interpreter counts every reduction as it goes; the process adds a slice's at its end.
  RunnerInfo runner_info() const override { return {interp_.stack_words(), interp_.reductions()}; }

  // The exit reason for a run that failed with `error`: [:error :reason %{:message "..."}].
  static Term error_reason(Heap& heap, const EvalError& error);

 private:
  Interpreter interp_;
  bool started_ = false;
  bool entry_has_args_ = false;  // set_entry pushed an argument tuple above the function
  static constexpr uint64_t kNoMaxHeap = UINT64_MAX;
  uint64_t max_heap_bytes_ = kNoMaxHeap;
};

}  // namespace lona
