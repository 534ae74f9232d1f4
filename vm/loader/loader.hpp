// vm/loader: booting the realm's namespaces and loading namespaces and files into it.
#pragma once

#include <functional>
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

// Reads the forms of `text` one after another and runs each with `run(form, line)` (line: where
// the form begins), stopping at the first that fails. Errors name the place: "lib/a.lona:12: "
// before a running error, "lib/a.lona:12:3: " before a reading one. `options` is consulted as
// each form is read.
bool for_each_form(Heap& heap, std::string_view text, std::string_view origin,
                   const ReaderOptions& options,
                   const std::function<EvalResult(Term form, int line)>& run, EvalError* error);

// Reads and evaluates every form of `text` with `evaluator` on `heap` (for_each_form), each
// form's definitions recording where it is.
bool eval_source(CompilingEvaluator& evaluator, Heap& heap, std::string_view text,
                 std::string_view origin, EvalError* error);

// Loads namespace `name` ("a.b": a/b.lona) from the library unless the realm has it already, as
// `require` does, from any thread (a realm's I/O thread running a spawn-in). False with *error
// when it cannot be found or does not load.
bool require_namespace(std::string_view name, EvalError* error);

}  // namespace lona
