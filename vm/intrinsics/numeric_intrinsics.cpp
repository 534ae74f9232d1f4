// lona.core intrinsics over numbers and bits: fixed-width conversions, bitwise operations,
// checked and saturating arithmetic, ratio parts, chars and code points (reference 4.1).
//
// Integers are either plain (any size; bit operations see an infinite two's complement, so
// (bit-not 5) is -6 and (bit-and -1 x) is x) or fixed-width (u8 .. i64; bit operations see
// exactly their width and the result keeps the kind). As in the arithmetic (reference 8.1 #9), a
// plain integer combined with a fixed-width one adopts its kind (wrapping), and two different
// kinds are :type-error.
//
// Errors: a value of the wrong type is :type-error; an integer out of the range an operation
// accepts (a negative shift count, a bit index beyond the width, a code point that is not a
// Unicode scalar value, a logical right shift of a negative plain integer) is :badarg.
// checked-add/-sub/-mul return [:ok v] or [:error :overflow] instead of wrapping.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/bigint.hpp"
#include "runtime/term/bit_field.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"

namespace lona {
namespace {

// The widest plain integer (in bits) a bit operation builds: (bit-shl 1 n), (mask-bits n), ...
// beyond this are :badarg rather than an attempt to allocate the heap away.
constexpr uint64_t kMaxPlainBits = uint64_t{1} << 24;

bool badarg(NativeContext& ctx, const char* fn, std::string_view what) {
  return ctx.fail("badarg", str_cat(fn, ": ", what));
}

// All ones in the low `bits` bits (all 64 from 64 up).
uint64_t width_mask(uint64_t bits) {
  return bits::low_bits(~uint64_t{0}, static_cast<uint32_t>(std::min<uint64_t>(bits, 64)));
}

// The suffix of a fixed-width integer's kind ("u8"), for messages.
std::string_view kind_name(Term t) { return fixed_info(fixed_kind(t)).suffix; }

// The low 64 bits of an integer's two's complement (a fixed-width value is sign-extended).
uint64_t raw_bits(Term t) {
  if (t.is_fixnum()) return static_cast<uint64_t>(t.fixnum_value());
  if (is_fixed(t)) return fixed_bits(t);
  BigInt v = integer_value(t);
  uint64_t m = v.limbs().empty() ? 0 : v.limbs()[0];
  return v.is_negative() ? uint64_t{0} - m : m;
}

// 2^bits - 1.
BigInt big_mask(uint64_t bits) {
  return BigInt::from_int64(1).shifted_left(bits) - BigInt::from_int64(1);
}

// The bounds of a fixed-width kind.
BigInt fixed_max(FixedKind kind) {
  const FixedInfo& info = fixed_info(kind);
  return big_mask(info.is_signed ? info.bits - 1 : info.bits);
}
BigInt fixed_min(FixedKind kind) {
  return fixed_info(kind).is_signed ? -fixed_max(kind) - BigInt::from_int64(1) : BigInt();
}

// The fixed-width kind the integer arguments share (nullopt when all are plain); :type-error for
// a non-integer or for two different kinds.
bool common_kind(NativeContext& ctx, const char* fn, Args args, std::optional<FixedKind>* kind) {
  kind->reset();
  for (Term t : args) {
    if (!is_any_integer(t)) return type_error(ctx, fn, "integers", t);
    if (!is_fixed(t)) continue;
    if (*kind && **kind != fixed_kind(t)) {
      return ctx.fail("type-error", str_cat(fn, ": cannot combine ", fixed_info(**kind).suffix,
                                            " and ", kind_name(t),
                                            " (fixed-width integers combine with their own kind "
                                            "or plain integers)"));
    }
    *kind = fixed_kind(t);
  }
  return true;
}

// A count or index argument: a non-negative integer (plain or fixed-width). Values beyond
// uint64 read as UINT64_MAX (every caller treats them as "too far").
bool read_count(NativeContext& ctx, const char* fn, const char* what, Term t, uint64_t* out) {
  if (t.is_fixnum()) {
    if (t.fixnum_value() < 0) return badarg(ctx, fn, str_cat(what, " must not be negative"));
    *out = static_cast<uint64_t>(t.fixnum_value());
    return true;
  }
  BigInt v;
  if (!integer_arg(ctx, t, fn, str_cat("an integer ", what), &v)) return false;
  if (v.is_negative()) return badarg(ctx, fn, str_cat(what, " must not be negative"));
  *out = v.to_uint64().value_or(UINT64_MAX);
  return true;
}

// --- two's complement operations on plain integers -----------------------------------------------

enum class BitOp { kAnd, kOr, kXor, kAndNot };

uint64_t apply_op(BitOp op, uint64_t a, uint64_t b) {
  switch (op) {
    case BitOp::kAnd:
      return a & b;
    case BitOp::kOr:
      return a | b;
    case BitOp::kXor:
      return a ^ b;
    case BitOp::kAndNot:
      return a & ~b;
  }
  return 0;
}

// v as `n` limbs of two's complement (n must leave room for the sign bit).
std::vector<uint64_t> to_twos(const BigInt& v, size_t n) {
  std::vector<uint64_t> r(n, 0);
  std::span<const BigInt::Limb> mag = v.limbs();
  for (size_t i = 0; i < mag.size() && i < n; ++i) r[i] = mag[i];
  if (v.is_negative()) {
    uint64_t carry = 1;
    for (uint64_t& w : r) {
      w = ~w + carry;
      carry = (carry != 0 && w == 0) ? 1 : 0;
    }
  }
  return r;
}

BigInt from_twos(std::vector<uint64_t> r) {
  const bool negative = !r.empty() && (r.back() >> 63) != 0;
  if (negative) {
    uint64_t carry = 1;
    for (uint64_t& w : r) {
      w = ~w + carry;
      carry = (carry != 0 && w == 0) ? 1 : 0;
    }
  }
  return BigInt::from_limbs(negative, r);
}

BigInt big_bitop(BitOp op, const BigInt& a, const BigInt& b) {
  const size_t n = std::max(a.limbs().size(), b.limbs().size()) + 1;
  std::vector<uint64_t> x = to_twos(a, n);
  std::vector<uint64_t> y = to_twos(b, n);
  for (size_t i = 0; i < n; ++i) x[i] = apply_op(op, x[i], y[i]);
  return from_twos(std::move(x));
}

BigInt big_not(const BigInt& v) { return -v - BigInt::from_int64(1); }

// floor(v / 2^n): an arithmetic shift of the infinite two's complement.
BigInt big_sar(const BigInt& v, uint64_t n) {
  const size_t bits = static_cast<size_t>(std::min<uint64_t>(n, v.bit_length() + 1));
  if (!v.is_negative()) return v.shifted_right(bits);
  return big_not(big_not(v).shifted_right(bits));  // -((-v - 1) >> n) - 1
}

bool big_bit(const BigInt& v, uint64_t n) {
  auto magnitude_bit = [](const BigInt& m, uint64_t i) {
    std::span<const BigInt::Limb> limbs = m.limbs();
    if (i / 64 >= limbs.size()) return false;
    return ((limbs[i / 64] >> (i % 64)) & 1) != 0;
  };
  if (!v.is_negative()) return magnitude_bit(v, n);
  return !magnitude_bit(big_not(v), n);  // -v - 1 is the complement of v's bits
}

// --- fixed-width coercions and char --------------------------------------------------------------

// (u8 x) ... (i64 x): wraps an integer (plain or fixed-width) or a char's code point.
template <FixedKind kKind>
bool to_fixed(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  uint64_t bits;
  if (x.is_char()) {
    bits = x.char_value();
  } else if (is_any_integer(x)) {
    bits = raw_bits(x);
  } else {
    return type_error(ctx, fixed_info(kKind).suffix, "an integer or a char", x);
  }
  *o = make_fixed_bits(ctx.heap, kKind, bits);
  return true;
}

// (char n): the char with code point n (a Unicode scalar value); a char is returned as is.
bool char_(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  if (x.is_char()) {
    *o = x;
    return true;
  }
  BigInt v;
  if (!integer_arg(ctx, x, "char", "an integer code point", &v)) return false;
  if (!v.fits_int64() || v.to_int64() < 0 || v.to_int64() > 0x10FFFF ||
      !is_scalar_value(static_cast<uint32_t>(v.to_int64()))) {
    return badarg(ctx, "char", str_cat(v.to_string(), " is not a Unicode scalar value"));
  }
  *o = Term::character(static_cast<uint32_t>(v.to_int64()));
  return true;
}

// --- ratio parts ---------------------------------------------------------------------------------

bool numerator(NativeContext& ctx, Args a, Term* o) {
  if (is_ratio(a[0])) {
    *o = ratio_numerator(a[0]);
  } else if (is_integer(a[0])) {
    *o = a[0];
  } else {
    return type_error(ctx, "numerator", "a ratio or an integer", a[0]);
  }
  return true;
}

bool denominator(NativeContext& ctx, Args a, Term* o) {
  if (is_ratio(a[0])) {
    *o = ratio_denominator(a[0]);
  } else if (is_integer(a[0])) {
    *o = Term::fixnum(1);
  } else {
    return type_error(ctx, "denominator", "a ratio or an integer", a[0]);
  }
  return true;
}

// --- checked and saturating arithmetic -----------------------------------------------------------

enum class Op { kAdd, kSub, kMul };

BigInt exact(Op op, const BigInt& x, const BigInt& y) {
  switch (op) {
    case Op::kAdd:
      return x + y;
    case Op::kSub:
      return x - y;
    case Op::kMul:
      return x * y;
  }
  return {};
}

// [:ok v] when the exact result fits the operands' kind (plain integers always fit), else
// [:error :overflow].
template <Op kOp>
bool checked(NativeContext& ctx, Args a, Term* o, const char* fn) {
  std::optional<FixedKind> kind;
  if (!common_kind(ctx, fn, a, &kind)) return false;
  BigInt r = exact(kOp, any_integer_value(a[0]), any_integer_value(a[1]));
  std::optional<Term> value =
      kind ? make_fixed(ctx.heap, *kind, r) : std::optional<Term>(make_integer(ctx.heap, r));
  ctx.heap.push(make_keyword(value ? "ok" : "error"));
  ctx.heap.push(value ? *value : make_keyword("overflow"));
  *o = tuple_from_stack(ctx.heap, 2);
  return true;
}

bool checked_add(NativeContext& c, Args a, Term* o) {
  return checked<Op::kAdd>(c, a, o, "checked-add");
}
bool checked_sub(NativeContext& c, Args a, Term* o) {
  return checked<Op::kSub>(c, a, o, "checked-sub");
}
bool checked_mul(NativeContext& c, Args a, Term* o) {
  return checked<Op::kMul>(c, a, o, "checked-mul");
}

// The exact result clamped to the bounds of the operands' kind (plain integers: unbounded).
template <Op kOp>
bool saturating(NativeContext& ctx, Args a, Term* o, const char* fn) {
  std::optional<FixedKind> kind;
  if (!common_kind(ctx, fn, a, &kind)) return false;
  BigInt r = exact(kOp, any_integer_value(a[0]), any_integer_value(a[1]));
  if (!kind) {
    *o = make_integer(ctx.heap, r);
    return true;
  }
  BigInt lo = fixed_min(*kind), hi = fixed_max(*kind);
  if (compare(r, lo) < 0) r = lo;
  if (compare(r, hi) > 0) r = hi;
  *o = *make_fixed(ctx.heap, *kind, r);
  return true;
}

bool saturating_add(NativeContext& c, Args a, Term* o) {
  return saturating<Op::kAdd>(c, a, o, "saturating-add");
}
bool saturating_sub(NativeContext& c, Args a, Term* o) {
  return saturating<Op::kSub>(c, a, o, "saturating-sub");
}
bool saturating_mul(NativeContext& c, Args a, Term* o) {
  return saturating<Op::kMul>(c, a, o, "saturating-mul");
}

// --- bitwise -------------------------------------------------------------------------------------

template <BitOp kOp>
bool bit_fold(NativeContext& ctx, Args a, Term* o, const char* fn) {
  std::optional<FixedKind> kind;
  if (!common_kind(ctx, fn, a, &kind)) return false;
  // On 64 bits: a fixed kind wraps to its width, and fixnums stay within the fixnum range.
  if (kind || std::all_of(a.begin(), a.end(), [](Term t) { return t.is_fixnum(); })) {
    uint64_t acc = raw_bits(a[0]);
    for (size_t i = 1; i < a.size(); ++i) acc = apply_op(kOp, acc, raw_bits(a[i]));
    *o = kind ? make_fixed_bits(ctx.heap, *kind, acc)
              : make_integer(ctx.heap, static_cast<int64_t>(acc));
    return true;
  }
  BigInt acc = integer_value(a[0]);
  for (size_t i = 1; i < a.size(); ++i) acc = big_bitop(kOp, acc, integer_value(a[i]));
  *o = make_integer(ctx.heap, acc);
  return true;
}

bool bit_and(NativeContext& c, Args a, Term* o) {
  return bit_fold<BitOp::kAnd>(c, a, o, "bit-and");
}
bool bit_or(NativeContext& c, Args a, Term* o) { return bit_fold<BitOp::kOr>(c, a, o, "bit-or"); }
bool bit_xor(NativeContext& c, Args a, Term* o) {
  return bit_fold<BitOp::kXor>(c, a, o, "bit-xor");
}

bool bit_not(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  if (is_fixed(x)) {
    *o = make_fixed_bits(ctx.heap, fixed_kind(x), ~fixed_bits(x));
  } else if (x.is_fixnum()) {
    *o = make_integer(ctx.heap, ~x.fixnum_value());
  } else if (is_integer(x)) {
    *o = make_integer(ctx.heap, big_not(integer_value(x)));
  } else {
    return type_error(ctx, "bit-not", "an integer", x);
  }
  return true;
}

enum class Shift { kShl, kShr, kSar };

constexpr std::string_view kNegativeShr =
    "a logical shift of a negative plain integer needs a fixed width (or bit-sar)";

// (bit-shl x n) (bit-shr x n) (bit-sar x n). Fixed-width: shl and shr see exactly the width
// (shifting by the width or more gives 0); sar divides the value by 2^n rounding down, so on
// unsigned kinds it is shr. Plain integers: shl multiplies by 2^n, sar divides rounding down, and
// shr (a logical shift) needs a non-negative value.
template <Shift kShift>
bool shift(NativeContext& ctx, Args a, Term* o, const char* fn) {
  Term x = a[0];
  if (!is_any_integer(x)) return type_error(ctx, fn, "an integer", x);
  uint64_t n;
  if (!read_count(ctx, fn, "shift count", a[1], &n)) return false;
  if (is_fixed(x)) {
    const FixedKind kind = fixed_kind(x);
    const unsigned bits = fixed_width(x);
    const uint64_t raw = fixed_unsigned_bits(x);
    uint64_t r = 0;
    if (kShift == Shift::kShl) {
      r = n >= bits ? 0 : raw << n;
    } else if (kShift == Shift::kShr || !fixed_info(kind).is_signed) {
      r = n >= bits ? 0 : raw >> n;
    } else {
      const int64_t v = static_cast<int64_t>(fixed_bits(x));  // sign-extended
      r = static_cast<uint64_t>(v >> std::min<uint64_t>(n, 63));
    }
    *o = make_fixed_bits(ctx.heap, kind, r);
    return true;
  }
  if (kShift == Shift::kShl) {
    int64_t r;
    if (x.is_fixnum() && n < 63 && !__builtin_mul_overflow(x.fixnum_value(), int64_t{1} << n, &r)) {
      *o = make_integer(ctx.heap, r);
      return true;
    }
    BigInt v = integer_value(x);
    if (v.is_zero()) {
      *o = Term::fixnum(0);
      return true;
    }
    if (n > kMaxPlainBits) return badarg(ctx, fn, "result too large");
    *o = make_integer(ctx.heap, v.shifted_left(static_cast<size_t>(n)));
    return true;
  }
  if (x.is_fixnum()) {
    const int64_t v = x.fixnum_value();
    if (kShift == Shift::kShr && v < 0) return badarg(ctx, fn, kNegativeShr);
    *o = make_integer(ctx.heap, v >> std::min<uint64_t>(n, 63));
    return true;
  }
  BigInt v = integer_value(x);
  if (kShift == Shift::kShr && v.is_negative()) return badarg(ctx, fn, kNegativeShr);
  *o = make_integer(ctx.heap, big_sar(v, n));
  return true;
}

bool bit_shl(NativeContext& c, Args a, Term* o) { return shift<Shift::kShl>(c, a, o, "bit-shl"); }
bool bit_shr(NativeContext& c, Args a, Term* o) { return shift<Shift::kShr>(c, a, o, "bit-shr"); }
bool bit_sar(NativeContext& c, Args a, Term* o) { return shift<Shift::kSar>(c, a, o, "bit-sar"); }

// (bit-rol x n width) (bit-ror x n width): rotates the low `width` bits of x by n (a negative n
// rotates the other way); the bits above stay. A fixed-width x keeps its kind, and width may not
// exceed it.
bool rotate(NativeContext& ctx, Args a, Term* o, const char* fn, bool left) {
  Term x = a[0];
  if (!is_any_integer(x)) return type_error(ctx, fn, "an integer", x);
  BigInt count;
  if (!integer_arg(ctx, a[1], fn, "an integer rotation count", &count)) return false;
  uint64_t width;
  if (!read_count(ctx, fn, "width", a[2], &width)) return false;
  if (width == 0) return badarg(ctx, fn, "width must be at least 1");
  if (is_fixed(x) && width > fixed_width(x)) {
    return badarg(ctx, fn, str_cat("width ", width, " exceeds ", kind_name(x)));
  }
  if (width > kMaxPlainBits) return badarg(ctx, fn, "width too large");
  // k = n mod width, in [0, width), as a left rotation.
  BigInt k;
  BigInt::divmod(count, BigInt::from_uint64(width), nullptr, &k);
  uint64_t left_by = k.is_negative() ? width - *(-k).to_uint64() : *k.to_uint64();
  if (!left) left_by = (width - left_by) % width;
  if (is_fixed(x)) {
    const uint64_t raw = fixed_bits(x);
    const uint64_t mask = width_mask(width);
    const uint64_t low = raw & mask;
    const uint64_t rot =
        left_by == 0 ? low : ((low << left_by) | (low >> (width - left_by))) & mask;
    *o = make_fixed_bits(ctx.heap, fixed_kind(x), (raw & ~mask) | rot);
    return true;
  }
  const BigInt v = integer_value(x);
  const BigInt mask = big_mask(width);
  const BigInt low = big_bitop(BitOp::kAnd, v, mask);
  BigInt rot = low;
  if (left_by != 0) {
    rot = big_bitop(
        BitOp::kAnd,
        big_bitop(BitOp::kOr, low.shifted_left(left_by), low.shifted_right(width - left_by)), mask);
  }
  *o = make_integer(ctx.heap, big_bitop(BitOp::kOr, big_bitop(BitOp::kAndNot, v, mask), rot));
  return true;
}

bool bit_rol(NativeContext& c, Args a, Term* o) { return rotate(c, a, o, "bit-rol", true); }
bool bit_ror(NativeContext& c, Args a, Term* o) { return rotate(c, a, o, "bit-ror", false); }

// Reads x and the bit index n for bit-test/-set/-clear/-flip; a fixed-width x limits n to its
// width, a plain one to kMaxPlainBits.
bool bit_index_args(NativeContext& ctx, Args a, const char* fn, uint64_t* n) {
  Term x = a[0];
  if (!is_any_integer(x)) return type_error(ctx, fn, "an integer", x);
  if (!read_count(ctx, fn, "bit index", a[1], n)) return false;
  if (is_fixed(x) && *n >= fixed_width(x)) {
    return badarg(ctx, fn, str_cat("bit index ", *n, " is outside ", kind_name(x)));
  }
  return true;
}

bool bit_test(NativeContext& ctx, Args a, Term* o) {
  uint64_t n;
  if (!bit_index_args(ctx, a, "bit-test", &n)) return false;
  Term x = a[0];
  if (is_fixed(x) || x.is_fixnum()) {
    *o = Term::boolean(((raw_bits(x) >> std::min<uint64_t>(n, 63)) & 1) != 0);
  } else {
    *o = Term::boolean(big_bit(integer_value(x), n));
  }
  return true;
}

// bit-set, bit-clear and bit-flip: x `kOp` (1 << n).
template <BitOp kOp>
bool bit_edit(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t n;
  if (!bit_index_args(ctx, a, fn, &n)) return false;
  Term x = a[0];
  if (is_fixed(x)) {
    *o = make_fixed_bits(ctx.heap, fixed_kind(x), apply_op(kOp, fixed_bits(x), uint64_t{1} << n));
    return true;
  }
  if (x.is_fixnum() && n < 63) {
    const uint64_t r = apply_op(kOp, raw_bits(x), uint64_t{1} << n);
    *o = make_integer(ctx.heap, static_cast<int64_t>(r));
    return true;
  }
  if (n > kMaxPlainBits) return badarg(ctx, fn, "bit index too large");
  *o = make_integer(ctx.heap,
                    big_bitop(kOp, integer_value(x), BigInt::from_int64(1).shifted_left(n)));
  return true;
}

bool bit_set(NativeContext& c, Args a, Term* o) { return bit_edit<BitOp::kOr>(c, a, o, "bit-set"); }
bool bit_clear(NativeContext& c, Args a, Term* o) {
  return bit_edit<BitOp::kAndNot>(c, a, o, "bit-clear");
}
bool bit_flip(NativeContext& c, Args a, Term* o) {
  return bit_edit<BitOp::kXor>(c, a, o, "bit-flip");
}

// Reads x, offset and width for bit-field/-field-set; a fixed-width x must hold the field.
bool field_args(NativeContext& ctx, Args a, const char* fn, uint64_t* offset, uint64_t* width) {
  Term x = a[0];
  if (!is_any_integer(x)) return type_error(ctx, fn, "an integer", x);
  if (!read_count(ctx, fn, "offset", a[1], offset)) return false;
  if (!read_count(ctx, fn, "width", a[2], width)) return false;
  if (is_fixed(x)) {
    const unsigned bits = fixed_width(x);
    if (*offset > bits || *width > bits - *offset) {
      return badarg(
          ctx, fn,
          str_cat("field of ", *width, " bits at ", *offset, " is outside ", kind_name(x)));
    }
  } else if (*offset > kMaxPlainBits || *width > kMaxPlainBits) {
    return badarg(ctx, fn, "field too large");
  }
  return true;
}

// (bit-field x offset width): the `width` bits of x starting at bit `offset`, as a non-negative
// value (a fixed-width x: of the same kind, wrapped).
bool bit_field(NativeContext& ctx, Args a, Term* o) {
  uint64_t offset, width;
  if (!field_args(ctx, a, "bit-field", &offset, &width)) return false;
  Term x = a[0];
  if (is_fixed(x)) {
    const uint64_t r = offset >= 64 ? 0 : (fixed_unsigned_bits(x) >> offset) & width_mask(width);
    *o = make_fixed_bits(ctx.heap, fixed_kind(x), r);
    return true;
  }
  *o = make_integer(ctx.heap,
                    big_bitop(BitOp::kAnd, big_sar(integer_value(x), offset), big_mask(width)));
  return true;
}

// (bit-field-set x offset width v): x with that field replaced by the low `width` bits of v.
bool bit_field_set(NativeContext& ctx, Args a, Term* o) {
  uint64_t offset, width;
  if (!field_args(ctx, a, "bit-field-set", &offset, &width)) return false;
  if (!is_any_integer(a[3])) return type_error(ctx, "bit-field-set", "an integer value", a[3]);
  Term x = a[0];
  if (is_fixed(x)) {
    if (width == 0) {
      *o = x;
      return true;
    }
    const uint64_t mask = width_mask(width) << offset;
    const uint64_t r = (fixed_bits(x) & ~mask) | ((raw_bits(a[3]) << offset) & mask);
    *o = make_fixed_bits(ctx.heap, fixed_kind(x), r);
    return true;
  }
  const BigInt mask = big_mask(width).shifted_left(offset);
  const BigInt field = big_bitop(BitOp::kAnd, any_integer_value(a[3]).shifted_left(offset), mask);
  *o = make_integer(
      ctx.heap, big_bitop(BitOp::kOr, big_bitop(BitOp::kAndNot, integer_value(x), mask), field));
  return true;
}

bool bit_count(NativeContext& ctx, Args a, Term* o) {
  Term x = a[0];
  if (is_fixed(x)) {
    *o = Term::fixnum(std::popcount(fixed_unsigned_bits(x)));
    return true;
  }
  if (!is_integer(x)) return type_error(ctx, "bit-count", "an integer", x);
  BigInt v = integer_value(x);
  if (v.is_negative()) {
    return badarg(ctx, "bit-count", "a negative plain integer has infinitely many one bits");
  }
  int64_t count = 0;
  for (uint64_t limb : v.limbs()) count += std::popcount(limb);
  *o = Term::fixnum(count);
  return true;
}

// leading-zeros and trailing-zeros count within a width, so they take fixed-width integers only
// (reference 8.1 #9); a zero value has `width` of them.
bool zeros(NativeContext& ctx, Args a, Term* o, const char* fn, bool leading) {
  Term x = a[0];
  if (!is_fixed(x)) return type_error(ctx, fn, "a fixed-width integer", x);
  const unsigned bits = fixed_width(x);
  const uint64_t raw = fixed_unsigned_bits(x);
  int n = static_cast<int>(bits);
  if (raw != 0)
    n = leading ? std::countl_zero(raw) - (64 - static_cast<int>(bits)) : std::countr_zero(raw);
  *o = Term::fixnum(n);
  return true;
}

bool leading_zeros(NativeContext& c, Args a, Term* o) {
  return zeros(c, a, o, "leading-zeros", true);
}
bool trailing_zeros(NativeContext& c, Args a, Term* o) {
  return zeros(c, a, o, "trailing-zeros", false);
}

// Byte order of a `bits`-wide value: a fixed-width integer of that width (u16/i16, u32/i32), which
// keeps its kind, or a plain integer in 0 .. 2^bits - 1.
bool byte_order_arg(NativeContext& ctx, Term x, unsigned bits, const char* fn, uint64_t* raw) {
  if (is_fixed(x)) {
    if (fixed_width(x) != bits) {
      return type_error(ctx, fn, bits == 16 ? "a u16 or i16" : "a u32 or i32", x);
    }
    *raw = fixed_unsigned_bits(x);
    return true;
  }
  if (!is_integer(x)) return type_error(ctx, fn, "an integer", x);
  BigInt v = integer_value(x);
  std::optional<uint64_t> u = v.to_uint64();
  if (!u || *u > width_mask(bits)) {
    return badarg(ctx, fn, str_cat(v.to_string(), " does not fit in ", bits, " bits"));
  }
  *raw = *u;
  return true;
}

Term same_kind(Heap& heap, Term like, uint64_t bits) {
  if (is_fixed(like)) return make_fixed_bits(heap, fixed_kind(like), bits);
  return make_integer(heap, static_cast<int64_t>(bits));
}

// (byte-reverse16 x) (byte-reverse32 x): the bytes of a `kBits`-wide value in reverse order.
template <unsigned kBits>
bool byte_reverse(NativeContext& ctx, Args a, Term* o, const char* fn) {
  uint64_t raw = 0;
  if (!byte_order_arg(ctx, a[0], kBits, fn, &raw)) return false;
  *o = same_kind(ctx.heap, a[0], bits::reverse_bytes(raw, kBits / 8));
  return true;
}

bool byte_reverse16(NativeContext& c, Args a, Term* o) {
  return byte_reverse<16>(c, a, o, "byte-reverse16");
}
bool byte_reverse32(NativeContext& c, Args a, Term* o) {
  return byte_reverse<32>(c, a, o, "byte-reverse32");
}

// (mask-bits n): 2^n - 1.
bool mask_bits(NativeContext& ctx, Args a, Term* o) {
  uint64_t n;
  if (!read_count(ctx, "mask-bits", "bit count", a[0], &n)) return false;
  if (n > kMaxPlainBits) return badarg(ctx, "mask-bits", "bit count too large");
  *o = n < 63 ? make_integer(ctx.heap, static_cast<int64_t>(width_mask(n)))
              : make_integer(ctx.heap, big_mask(n));
  return true;
}

// (mask-range lo hi): bits lo .. hi-1 set.
bool mask_range(NativeContext& ctx, Args a, Term* o) {
  uint64_t lo, hi;
  if (!read_count(ctx, "mask-range", "low bit", a[0], &lo)) return false;
  if (!read_count(ctx, "mask-range", "high bit", a[1], &hi)) return false;
  if (lo > hi) return badarg(ctx, "mask-range", str_cat("low bit ", lo, " is above high bit ", hi));
  if (hi > kMaxPlainBits) return badarg(ctx, "mask-range", "bit count too large");
  *o = hi < 63 ? make_integer(ctx.heap, static_cast<int64_t>(width_mask(hi) & ~width_mask(lo)))
               : make_integer(ctx.heap, big_mask(hi) - big_mask(lo));
  return true;
}

const Intrinsic kNumeric[] = {
    {"u8", to_fixed<FixedKind::kU8>, 1, 1},
    {"u16", to_fixed<FixedKind::kU16>, 1, 1},
    {"u32", to_fixed<FixedKind::kU32>, 1, 1},
    {"u64", to_fixed<FixedKind::kU64>, 1, 1},
    {"i8", to_fixed<FixedKind::kI8>, 1, 1},
    {"i16", to_fixed<FixedKind::kI16>, 1, 1},
    {"i32", to_fixed<FixedKind::kI32>, 1, 1},
    {"i64", to_fixed<FixedKind::kI64>, 1, 1},
    {"char", char_, 1, 1},
    {"numerator", numerator, 1, 1},
    {"denominator", denominator, 1, 1},
    {"checked-add", checked_add, 2, 2},
    {"checked-sub", checked_sub, 2, 2},
    {"checked-mul", checked_mul, 2, 2},
    {"saturating-add", saturating_add, 2, 2},
    {"saturating-sub", saturating_sub, 2, 2},
    {"saturating-mul", saturating_mul, 2, 2},
    {"bit-and", bit_and, 2, -1},
    {"bit-or", bit_or, 2, -1},
    {"bit-xor", bit_xor, 2, -1},
    {"bit-not", bit_not, 1, 1},
    {"bit-shl", bit_shl, 2, 2},
    {"bit-shr", bit_shr, 2, 2},
    {"bit-sar", bit_sar, 2, 2},
    {"bit-rol", bit_rol, 3, 3},
    {"bit-ror", bit_ror, 3, 3},
    {"bit-test", bit_test, 2, 2},
    {"bit-set", bit_set, 2, 2},
    {"bit-clear", bit_clear, 2, 2},
    {"bit-flip", bit_flip, 2, 2},
    {"bit-field", bit_field, 3, 3},
    {"bit-field-set", bit_field_set, 4, 4},
    {"bit-count", bit_count, 1, 1},
    {"leading-zeros", leading_zeros, 1, 1},
    {"trailing-zeros", trailing_zeros, 1, 1},
    {"byte-reverse16", byte_reverse16, 1, 1},
    {"byte-reverse32", byte_reverse32, 1, 1},
    {"mask-bits", mask_bits, 1, 1},
    {"mask-range", mask_range, 2, 2},
};

}  // namespace

std::span<const Intrinsic> numeric_intrinsic_table() { return kNumeric; }

}  // namespace lona
