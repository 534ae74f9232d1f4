#include "runtime/term/literal_area.hpp"
#include "runtime/term/object.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/compiler/compiler.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/namespace/namespaces.hpp"

namespace lona {

uint32_t boot_namespaces() {
  static const uint32_t user = [] {
    Namespaces& namespaces = Namespaces::global();
    uint32_t core = namespaces.find_or_create(make_symbol("lona.core"));
    install_intrinsics(core);
    uint32_t user_ns = namespaces.find_or_create(make_symbol("user"));
    namespaces.refer(user_ns, core);
    return user_ns;
  }();
  return user;
}

CompilingEvaluator::CompilingEvaluator() : ns_(boot_namespaces()) {}
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
