// runtime/term: numbers as terms (integers of any size, floats, ratios, fixed-width integers).
//
// Integers: a small integer (60 bits) when it fits, else a boxed bigint. A bigint remembers
// whether it was written with N (`42N`): it then prints with N even when small. Integers that
// need more than 64 bits always print with N. Ratios are always reduced with a positive
// denominator greater than one; a ratio that reduces to an integer is that integer. Floats are
// f64, or f32 (stored widened, printed with the f32 suffix). Fixed-width integers (u8..i64) carry
// their kind.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "runtime/term/bigint.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/object.hpp"

namespace lona {

// --- integers ------------------------------------------------------------------------------------
Term make_integer(Heap& heap, int64_t v);
// `explicit_big`: written with N; prints with N.
Term make_integer(Heap& heap, const BigInt& v, bool explicit_big = false);
inline bool is_bigint(Term t) { return is_object(t, ObjTag::kBigInt); }
inline bool is_integer(Term t) { return t.is_fixnum() || is_bigint(t); }
// Precondition: is_integer(t).
BigInt integer_value(Term t);
// True (and the value) when the integer fits in int64.
std::optional<int64_t> integer_as_int64(Term t);
inline bool bigint_explicit(Term t) { return (object_aux(t) & kAuxExplicitBig) != 0; }

// --- floats --------------------------------------------------------------------------------------
Term make_float(Heap& heap, double v);
Term make_f32(Heap& heap, float v);
inline bool is_float(Term t) { return is_object(t, ObjTag::kFloat); }
double float_value(Term t);
inline bool float_is_f32(Term t) { return (object_aux(t) & kAuxF32) != 0; }

// --- ratios --------------------------------------------------------------------------------------
// Reduces; returns an integer when the denominator divides the numerator.
// Precondition: den is not zero (callers raise :division-by-zero).
Term make_ratio(Heap& heap, const BigInt& num, const BigInt& den);
inline bool is_ratio(Term t) { return is_object(t, ObjTag::kRatio); }
inline Term ratio_numerator(Term t) { return payload_term(t, 0); }
inline Term ratio_denominator(Term t) { return payload_term(t, 1); }

// --- fixed-width integers ----------------------------------------------------------------------
struct FixedInfo {
  FixedKind kind;
  std::string_view suffix;  // "u8", ..., "i64"
  unsigned bits;
  bool is_signed;
};
const FixedInfo& fixed_info(FixedKind kind);
std::optional<FixedKind> fixed_kind_from_suffix(std::string_view suffix);
// Returns nullopt when v does not fit the kind.
std::optional<Term> make_fixed(Heap& heap, FixedKind kind, const BigInt& v);
inline bool is_fixed(Term t) { return is_object(t, ObjTag::kFixedInt); }
inline FixedKind fixed_kind(Term t) { return static_cast<FixedKind>(object_aux(t)); }
// The value; for u64 above INT64_MAX use fixed_bits.
inline uint64_t fixed_bits(Term t) { return object_of(t)[1]; }
BigInt fixed_value(Term t);

inline bool is_number(Term t) { return is_integer(t) || is_float(t) || is_ratio(t) || is_fixed(t); }

}  // namespace lona
