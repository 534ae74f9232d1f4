#include "runtime/support/str_cat.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/object.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/compiler/compiler.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/namespace/namespaces.hpp"

namespace lona {

CompilingEvaluator::CompilingEvaluator() : ns_(boot_namespaces()) {}
CompilingEvaluator::CompilingEvaluator(uint32_t ns) : ns_(ns) {}

ReaderOptions CompilingEvaluator::reader_options() {
  ReaderOptions options;
  options.resolve_symbol = [this](Term sym) {
    Namespaces& namespaces = Namespaces::global();
    Var* v = namespaces.resolve(ns_, sym);
    if (v == nullptr) return sym;
    return make_symbol(
        str_cat(name_entry(namespaces.ns_name(v->ns)).full, "/", name_entry(v->name).full));
  };
  return options;
}
CompilingEvaluator::~CompilingEvaluator() = default;

EvalResult CompilingEvaluator::eval(Heap& heap, Term form) {
  if (heap_ != &heap) {
    interp_ = std::make_unique<Interpreter>(heap);
    heap_ = &heap;
  }
  interp_->set_current_ns(ns_);
  Compiler compiler(heap, *interp_, ns_);
  EvalError error;
  const Code* code = compiler.compile_toplevel(form, &error);
  if (code == nullptr)
    return EvalResult::failure(std::move(error.reason), std::move(error.message));
  // The closure of top-level code captures nothing; it lives beside its code.
  Word* p = LiteralArea::global().alloc(2);
  p[0] = header::make(ObjTag::kClosure, 0, 1);
  p[1] = code_term(code).raw();
  return interp_->call(Term::boxed_ptr(p), {});
}

}  // namespace lona
