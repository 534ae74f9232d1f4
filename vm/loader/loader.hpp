// vm/loader: booting the realm's namespaces and loading namespaces and files into it.
#pragma once

#include <string>
#include <string_view>

#include "vm/eval/evaluator.hpp"
#include "vm/loader/namespace_source.hpp"

namespace lona {

// The realm's library: directories from LONA_PATH (colon-separated) and add_library_dir, then
// the stdlib archive embedded in the binary.
NamespaceSource& library_sources();
// Puts `dir` before everything already in the library (the --lib option).
void add_library_dir(const std::string& dir);

// Reads and evaluates every form of `text` with `evaluator` on `heap`. `origin` names the text
// in error messages ("lona/core.lona:12:3: ...").
bool eval_source(CompilingEvaluator& evaluator, Heap& heap, std::string_view text,
                 std::string_view origin, EvalError* error);

}  // namespace lona
