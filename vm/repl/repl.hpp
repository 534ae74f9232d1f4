// vm/repl: the read-eval-print loop, in batch mode (for tools and tests) and interactive mode.
//
// Batch mode reads top-level forms from a stream until end of input and writes exactly one line
// per form: the printed value, or `ERROR :reason message`. A form may span lines; a malformed
// form is reported and skipped, and reading goes on with the next one.
//
// Both modes make the evaluator's process trap exits (Evaluator::trap_exits): a crash of a process
// linked to the REPL arrives as the message [:EXIT pid reason], which (receive ...) takes.
#pragma once

#include <istream>
#include <ostream>

#include "vm/eval/evaluator.hpp"

namespace lona {

// Forms are read onto `heap`, which the evaluator evaluates on; create the heap before the
// evaluator (an evaluator's interpreter registers roots with the heap until it is destroyed).
// Returns 0. Never stops early on bad input.
int run_batch_repl(std::istream& in, std::ostream& out, Evaluator& evaluator, Heap& heap);

// Line editing and history (libedit); readable errors with positions. Returns 0 on end of input.
int run_interactive_repl(Evaluator& evaluator, Heap& heap);

}  // namespace lona
