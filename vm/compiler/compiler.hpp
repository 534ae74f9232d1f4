// vm/compiler: Lonala forms -> register bytecode (vm/bytecode).
//
// Special forms: def, fn*, match, do, quote, var. Macros (vars with :macro) are expanded by
// running them. A call whose head names an intrinsic compiles to a direct native call, and the
// arithmetic and comparison intrinsics with two arguments to single instructions. Patterns compile
// to tests and jumps. Every call in tail position is a TailCall, so tail calls of any kind run in
// constant space.
//
// The compiler reads forms from the literal area only (it copies each top-level form there
// first), so macro expansions that allocate and collect can never move a form it is holding.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "runtime/term/heap.hpp"
#include "vm/bytecode/code.hpp"
#include "vm/eval/evaluator.hpp"

namespace lona {

class Interpreter;

class Compiler {
 public:
  // `interp` runs macros; `ns` is the namespace symbols resolve in.
  Compiler(Heap& heap, Interpreter& interp, uint32_t ns);

  // Compiles a top-level form into a function of no arguments. The code is realm-global and
  // lives as long as the realm. nullptr (and *error) on failure.
  const Code* compile_toplevel(Term form, EvalError* error);

  // Macro expansion steps allowed for one top-level form before :macro-expansion-limit.
  static constexpr int kMaxExpansions = 100000;
  // Forms nested deeper than this (after expansion) are rejected with :nesting-too-deep.
  // (The reader stops at 1024 levels; each level of compilation takes several C++ frames, and
  // 1000 keeps a macro that expands inside its own expansion within an 8 MiB stack even under
  // AddressSanitizer.)
  static constexpr int kMaxDepth = 1000;

 private:
  class FnCompiler;
  Heap& heap_;
  Interpreter& interp_;
  uint32_t ns_;
  int expansions_ = 0;
};

// Compiles `form` in the interpreter's current namespace and runs it there.
EvalResult compile_and_run(Heap& heap, Interpreter& interp, Term form);

// Whether the unqualified `name` is a special form, which the compiler recognises before any
// local or var (so a var of that name never makes it a macro).
bool is_special_form(std::string_view name);
// The macro var the call `form` names in namespace `ns`: a proper list headed by a symbol that
// resolves to a var with :macro and is no special form. nullptr otherwise. (Shadowing by locals
// is the compiler's concern.)
Var* macro_called_by(uint32_t ns, Term form);
// Runs `macro` on the unevaluated arguments of the call `form`: the expansion, on the heap.
EvalResult expand_macro(Interpreter& interp, Var* macro, Term form);

}  // namespace lona
