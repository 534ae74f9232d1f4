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
  options.resolve_symbol = [this](Term sym) { return Namespaces::global().qualify(ns_, sym); };
  return options;
}
CompilingEvaluator::~CompilingEvaluator() = default;

// lona.core/*ns*: each process reads its own current namespace (var-get); the root, which C++
// code without a process reads, follows the evaluator's.
void CompilingEvaluator::publish_current_ns() {
  Namespaces& namespaces = Namespaces::global();
  std::optional<uint32_t> core = namespaces.find(make_symbol("lona.core"));
  if (core) namespaces.intern(*core, make_symbol("*ns*")).set(Term::ns(ns_));
}

void CompilingEvaluator::trap_exits() {
  trap_exits_ = true;
  if (interp_) interp_->process()->set_trap_exit(true);
}

EvalResult CompilingEvaluator::eval(Heap& heap, Term form) {
  if (heap_ != &heap) {
    interp_ = std::make_unique<Interpreter>(heap);
    heap_ = &heap;
    if (trap_exits_) interp_->process()->set_trap_exit(true);
  }
  interp_->set_current_ns(ns_);
  interp_->set_source(source_);
  publish_current_ns();
  EvalResult r = compile_and_run(heap, *interp_, form);
  ns_ = interp_->current_ns();  // in-ns and ns change it
  publish_current_ns();
  return r;
}

}  // namespace lona
