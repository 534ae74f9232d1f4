#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

// Evaluates the form on top of the heap's stack in place. False (with *error) on failure.
bool eval_top(Heap& heap, EvalError* error) {
  std::vector<Term>& st = heap.stack();
  Term form = st.back();
  if (is_any_symbol(form)) {
    *error = {"not-implemented", str_cat("cannot evaluate the symbol ", print(form),
                                         ": the compiler is not implemented yet")};
    return false;
  }
  if (form.is_cons()) {
    Term head = list_head(form);
    if (is_any_symbol(head) && name_entry(bare_symbol(head)).full == "quote") {
      Term args = list_tail(form);
      if (!args.is_cons() || !list_tail(args).is_empty_list()) {
        *error = {"syntax-error", "quote takes exactly one form"};
        return false;
      }
      st.back() = list_head(args);
      return true;
    }
    *error = {"not-implemented", str_cat("cannot evaluate ", print(head), " forms",
                                         ": the compiler is not implemented yet")};
    return false;
  }
  Kind k = kind_of(form);
  if (k != Kind::kTuple && k != Kind::kVector && k != Kind::kMap && k != Kind::kSet) return true;

  size_t n = k == Kind::kMap   ? 2 * map_count(form)
             : k == Kind::kSet ? set_count(form)
                               : array_count(form);
  size_t at = st.size() - 1;
  bool changed = false;
  for (size_t i = 0; i < n; ++i) {
    Term f = st[at];
    Term e = k == Kind::kMap   ? (i % 2 == 0 ? map_key(f, i / 2) : map_value(f, i / 2))
             : k == Kind::kSet ? set_at(f, i)
                               : array_at(f, i);
    heap.push(e);
    if (!eval_top(heap, error)) return false;
    changed |= st.back() != e;
  }
  if (!changed) {  // every element evaluated to itself: the form is its own value
    st.resize(at + 1);
    return true;
  }
  Term meta = meta_of(st[at]);
  Term value = k == Kind::kTuple    ? tuple_from_stack(heap, n)
               : k == Kind::kVector ? vector_from_stack(heap, n)
               : k == Kind::kMap    ? map_from_stack(heap, n / 2)
                                    : set_from_stack(heap, n);
  if (!meta.is_nil()) value = with_meta(heap, value, meta_of(st[at]));
  st.back() = value;
  return true;
}

}  // namespace

EvalResult LiteralEvaluator::eval(Heap& heap, Term form) {
  std::vector<Term>& st = heap.stack();
  size_t base = st.size();
  heap.push(form);
  EvalError error;
  bool ok = eval_top(heap, &error);
  Term value = st.back();
  st.resize(base);
  if (!ok) return EvalResult::failure(std::move(error.reason), std::move(error.message));
  return EvalResult::success(value);
}

}  // namespace lona
