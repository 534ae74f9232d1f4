// vm/intrinsics: small helpers shared by the intrinsic families.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/bigint.hpp"
#include "runtime/term/bit_field.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/printer/printer.hpp"

namespace lona {

using Args = std::span<Term>;

// :type-error "<fn> expects <expected>, got <printed value>".
inline bool type_error(NativeContext& ctx, std::string_view fn, std::string_view expected,
                       Term got) {
  return ctx.fail("type-error", str_cat(fn, " expects ", expected, ", got ", print_bounded(got)));
}

// :ok, interned once.
inline Term ok_keyword() {
  static const Term kOk = make_keyword("ok");
  return kOk;
}

// --- integers, plain (small or big) or fixed-width -----------------------------------------------

inline bool is_any_integer(Term t) { return is_integer(t) || is_fixed(t); }

// Precondition: is_any_integer(t).
inline BigInt any_integer_value(Term t) { return is_fixed(t) ? fixed_value(t) : integer_value(t); }

// The value of an integer argument, plain or fixed-width; anything else is :type-error
// ("<fn> expects <what>, got ...").
inline bool integer_arg(NativeContext& ctx, Term t, std::string_view fn, std::string_view what,
                        BigInt* out) {
  if (!is_any_integer(t)) return type_error(ctx, fn, what, t);
  *out = any_integer_value(t);
  return true;
}

// --- fixed-width integers ------------------------------------------------------------------------

// The width in bits of a fixed-width integer's kind. Precondition: is_fixed(t).
inline unsigned fixed_width(Term t) { return fixed_info(fixed_kind(t)).bits; }

// The bits of a fixed-width integer within its width: its two's complement, for a negative one.
inline uint64_t fixed_unsigned_bits(Term t) {
  return bits::low_bits(fixed_bits(t), fixed_width(t));
}

// A fixed-width integer of `kind` from the low bits of `raw`, wrapped as two's complement.
inline Term make_fixed_bits(Heap& heap, FixedKind kind, uint64_t raw) {
  const FixedInfo& info = fixed_info(kind);
  BigInt v = info.is_signed
                 ? BigInt::from_int64(static_cast<int64_t>(bits::sign_extend(raw, info.bits)))
                 : BigInt::from_uint64(bits::low_bits(raw, info.bits));
  return *make_fixed(heap, kind, v);
}

// --- text ----------------------------------------------------------------------------------------

// The number of code points of valid UTF-8 (what `count` says of a string).
inline size_t code_point_count(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The byte offset of code point `index` of valid UTF-8; s.size() when index is the count or more.
inline size_t code_point_offset(std::string_view s, size_t index) {
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (index == 0) return i;
    --index;
  }
  return s.size();
}

}  // namespace lona
