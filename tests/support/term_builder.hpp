// tests/support: builders that make terms from C++ values on one heap, shared by the term tests.
// They take terms by value, so they are for heaps that do not collect while a test runs (make the
// heap big enough and check heap.collections() if that matters).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/term/bigint.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"

namespace lona {

struct TermBuilder {
  Heap& h;

  Term push_all(const std::vector<Term>& xs) {
    for (Term x : xs) h.push(x);
    return Term::nil();
  }
  Term lst(const std::vector<Term>& xs) {
    push_all(xs);
    return list_from_stack(h, xs.size());
  }
  // The same list, one make_cons at a time from the end.
  Term cons_list(const std::vector<Term>& xs, Term tail = Term::empty_list()) {
    for (size_t i = xs.size(); i-- > 0;) tail = make_cons(h, xs[i], tail);
    return tail;
  }
  Term tup(const std::vector<Term>& xs) {
    push_all(xs);
    return tuple_from_stack(h, xs.size());
  }
  Term vec(const std::vector<Term>& xs) {
    push_all(xs);
    return vector_from_stack(h, xs.size());
  }
  Term map(const std::vector<Term>& kvs) {
    push_all(kvs);
    return map_from_stack(h, kvs.size() / 2);
  }
  Term set(const std::vector<Term>& xs) {
    push_all(xs);
    return set_from_stack(h, xs.size());
  }
  Term I(int64_t v) { return make_integer(h, v); }
  Term BigN(const BigInt& v) { return make_integer(h, v, /*explicit_big=*/true); }
  Term Int(const BigInt& v) { return make_integer(h, v); }
  Term F(double d) { return make_float(h, d); }
  Term R(int64_t n, int64_t d) {
    return make_ratio(h, BigInt::from_int64(n), BigInt::from_int64(d));
  }
  Term Fx(FixedKind k, int64_t v) { return *make_fixed(h, k, BigInt::from_int64(v)); }
  Term S(std::string_view s) { return make_string(h, s); }
  Term Bin(std::string_view s) { return make_binary(h, s); }
  Term meta(Term t, Term m) { return with_meta(h, t, m); }
};

}  // namespace lona
