#include "vm/process/lonala_process.hpp"

#include <vector>

#include "runtime/sched/runtime.hpp"
#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"

namespace lona {

LonalaProcess::LonalaProcess(Runtime& runtime, uint64_t id, size_t heap_words, uint32_t ns)
    : Process(runtime, id, false, heap_words), interp_(heap()) {
  interp_.set_process(this);
  interp_.set_current_ns(ns);
}

bool LonalaProcess::set_entry(Term fn, Term args) {
  Term copy;
  if (!copy_from(fn, &copy)) return false;
  heap().push(copy);               // roots until the first run
  if (args.is_nil()) return true;  // every spawn but spawn-in's
  if (!copy_from(args, &copy)) {
    heap().pop();
    return false;
  }
  heap().push(copy);
  entry_has_args_ = true;
  return true;
}

bool LonalaProcess::inherit_bindings(const Process& parent) {
  for (size_t i = 0; i < parent.binding_count(); ++i) {
    Term value;
    if (!copy_from(parent.binding_value(i), &value)) return false;
    set_binding(parent.binding_var(i), value);
  }
  return true;
}

Term LonalaProcess::error_reason(Heap& heap, const EvalError& error) {
  heap.push(make_keyword("error"));
  heap.push(make_keyword(error.reason.empty() ? "internal-error" : error.reason));
  heap.push(make_keyword("message"));
  heap.push(make_string(heap, error.message));
  heap.push(map_from_stack(heap, 1));
  return tuple_from_stack(heap, 3);
}

RunStatus LonalaProcess::run(uint32_t budget) {
  if (!take_mail()) return RunStatus::kExit;  // an exit signal ended it
  uint64_t before = interp_.reductions();
  bool first = !started_;
  started_ = true;
  // Initialised from the call (no default result assigned over), as this runs at every slice.
  EvalResult r;
  if (first) {
    Term args = entry_has_args_ ? heap().pop() : Term::nil();
    Term fn = heap().pop();
    std::vector<Term> values;  // empty, and so not allocated, for every spawn but spawn-in's
    if (entry_has_args_) {
      for (size_t i = 0; i < array_count(args); ++i) values.push_back(array_at(args, i));
    }
    r = interp_.start(fn, values, budget);
  } else {
    r = interp_.resume(budget);
  }
  add_reductions(interp_.reductions() - before);
  if (heap().capacity_words() * sizeof(Word) > max_heap_bytes_) {
    set_exit_reason(error_reason(
        heap(), {"max-heap-size", str_cat("the heap grew to ", heap().capacity_words() * 8,
                                          " bytes, over :max-heap-size ", max_heap_bytes_)}));
    return RunStatus::kExit;
  }
  switch (r.suspended) {
    case EvalResult::Suspended::kYield:
      return RunStatus::kYield;
    case EvalResult::Suspended::kWait:
      return RunStatus::kWait;
    case EvalResult::Suspended::kNo:
      break;
  }
  if (r.ok) {
    static const Term kNormal = make_keyword("normal");  // interned once, not at every exit
    set_exit_reason(kNormal);
  } else if (r.error.reason != "exit") {  // exit and exit signals set the reason themselves
    set_exit_reason(error_reason(heap(), r.error));
  }
  return RunStatus::kExit;
}

}  // namespace lona
