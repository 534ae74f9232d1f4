// runtime/term: lists, tuples, vectors, maps and sets as terms, and metadata on them.
//
// Lists are cons cells ending in the empty list (a value distinct from nil). Tuples and vectors
// are flat arrays. Maps and sets keep insertion order (printing and tests depend on it); past
// kIndexThreshold entries they carry an open-addressing hash index so lookups stay O(1).
// All collections are immutable; constructors take their elements from the heap's term stack so
// that nothing is lost when an allocation moves objects.
//
// Metadata can be attached to symbols (which then become a boxed meta-symbol that is equal to
// the bare symbol) and to tuples, vectors, maps and sets. It never affects equality or hashing.
#pragma once

#include <cstddef>
#include <optional>

#include "runtime/term/heap.hpp"
#include "runtime/term/object.hpp"

namespace lona {

constexpr size_t kIndexThreshold = 8;

// --- lists ---------------------------------------------------------------------------------------
Term make_cons(Heap& heap, Term head, Term tail);
inline Term list_head(Term cons) { return Term::from_raw(cons.cons_cell()[0]); }
inline Term list_tail(Term cons) { return Term::from_raw(cons.cons_cell()[1]); }
// Pops n terms (the deepest is the first element) and returns the list of them.
Term list_from_stack(Heap& heap, size_t n);

// --- tuples and vectors --------------------------------------------------------------------------
Term tuple_from_stack(Heap& heap, size_t n);
Term vector_from_stack(Heap& heap, size_t n);
inline bool is_tuple(Term t) { return is_object(t, ObjTag::kTuple); }
inline bool is_vector(Term t) { return is_object(t, ObjTag::kVector); }
// For tuples and vectors.
inline size_t array_count(Term t) {
  return object_size(t) - ((object_aux(t) & kAuxHasMeta) ? 1 : 0);
}
inline Term array_at(Term t, size_t i) { return payload_term(t, i); }

// --- maps and sets -------------------------------------------------------------------------------
// Pops 2n terms (k0 v0 k1 v1 ...). A repeated key keeps its first position and its last value.
Term map_from_stack(Heap& heap, size_t n);
// Pops n terms. Repeated elements are dropped.
Term set_from_stack(Heap& heap, size_t n);
inline bool is_map(Term t) { return is_object(t, ObjTag::kMap); }
inline bool is_set(Term t) { return is_object(t, ObjTag::kSet); }
inline size_t map_count(Term m) {
  return (object_size(m) - 1 - ((object_aux(m) & kAuxHasMeta) ? 1 : 0)) / 2;
}
inline Term map_key(Term m, size_t i) { return payload_term(m, 1 + 2 * i); }
inline Term map_value(Term m, size_t i) { return payload_term(m, 2 + 2 * i); }
inline size_t set_count(Term s) {
  return object_size(s) - 1 - ((object_aux(s) & kAuxHasMeta) ? 1 : 0);
}
inline Term set_at(Term s, size_t i) { return payload_term(s, 1 + i); }
std::optional<Term> map_get(Term m, Term key);
bool set_contains(Term s, Term element);
// True when the map or set carries a hash index (it is large).
inline bool has_hash_index(Term map_or_set) { return !payload_term(map_or_set, 0).is_nil(); }

// --- symbols with metadata -----------------------------------------------------------------------
inline bool is_meta_symbol(Term t) { return is_object(t, ObjTag::kMetaSymbol); }
// A symbol, with or without metadata.
inline bool is_any_symbol(Term t) { return t.is_symbol() || is_meta_symbol(t); }
// The bare symbol of a symbol or meta-symbol.
inline Term bare_symbol(Term t) { return is_meta_symbol(t) ? payload_term(t, 0) : t; }

// --- metadata ------------------------------------------------------------------------------------
bool can_carry_meta(Term t);
// The metadata map of t, or nil.
Term meta_of(Term t);
// A copy of t carrying `meta` (nil removes it). Precondition: can_carry_meta(t).
Term with_meta(Heap& heap, Term t, Term meta);

}  // namespace lona
