#include "vm/intrinsics/arithmetic.hpp"

#include <cmath>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/number.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

enum class Category { kInteger, kRatio, kFloat, kFixed, kNone };

Category category(Term t) {
  if (is_integer(t)) return Category::kInteger;
  if (is_float(t)) return Category::kFloat;
  if (is_ratio(t)) return Category::kRatio;
  if (is_fixed(t)) return Category::kFixed;
  return Category::kNone;
}

bool type_error(NativeContext& ctx, const char* name, Term bad) {
  return ctx.fail("type-error", str_cat(name, " expects numbers, got ", print(bad)));
}

bool division_by_zero(NativeContext& ctx, const char* name) {
  return ctx.fail("division-by-zero", str_cat(name, ": division by zero"));
}

double to_double(Term t) {
  if (is_float(t)) return float_value(t);
  if (is_ratio(t)) {
    return integer_value(ratio_numerator(t)).to_double() /
           integer_value(ratio_denominator(t)).to_double();
  }
  if (is_fixed(t)) return fixed_value(t).to_double();
  return integer_value(t).to_double();
}

// numerator/denominator of an integer or ratio.
void as_fraction(Term t, BigInt* num, BigInt* den) {
  if (is_ratio(t)) {
    *num = integer_value(ratio_numerator(t));
    *den = integer_value(ratio_denominator(t));
  } else {
    *num = integer_value(t);
    *den = BigInt::from_int64(1);
  }
}

bool explicit_big(Term t) { return is_bigint(t) && bigint_explicit(t); }

// Floor division and modulo from truncated division.
void floor_divmod(const BigInt& a, const BigInt& b, BigInt* q, BigInt* m) {
  BigInt tq, tr;
  BigInt::divmod(a, b, &tq, &tr);
  if (!tr.is_zero() && (tr.is_negative() != b.is_negative())) {
    tq = tq - BigInt::from_int64(1);
    tr = tr + b;
  }
  if (q) *q = tq;
  if (m) *m = tr;
}

bool integer_arith(NativeContext& ctx, ArithOp op, const BigInt& x, const BigInt& y, bool big,
                   Term* out, const char* name) {
  BigInt r;
  switch (op) {
    case ArithOp::kAdd:
      r = x + y;
      break;
    case ArithOp::kSub:
      r = x - y;
      break;
    case ArithOp::kMul:
      r = x * y;
      break;
    case ArithOp::kDiv:
      if (y.is_zero()) return division_by_zero(ctx, name);
      *out = make_ratio(ctx.heap, x, y);
      return true;
    case ArithOp::kQuot:
    case ArithOp::kRem: {
      if (y.is_zero()) return division_by_zero(ctx, name);
      BigInt q, rem;
      BigInt::divmod(x, y, &q, &rem);
      r = op == ArithOp::kQuot ? q : rem;
      break;
    }
    case ArithOp::kMod:
      if (y.is_zero()) return division_by_zero(ctx, name);
      floor_divmod(x, y, nullptr, &r);
      break;
  }
  *out = make_integer(ctx.heap, r, big);
  return true;
}

bool float_arith(NativeContext& ctx, ArithOp op, double x, double y, bool f32, Term* out) {
  double r = 0;
  switch (op) {
    case ArithOp::kAdd:
      r = x + y;
      break;
    case ArithOp::kSub:
      r = x - y;
      break;
    case ArithOp::kMul:
      r = x * y;
      break;
    case ArithOp::kDiv:
      r = x / y;
      break;
    case ArithOp::kQuot:
      r = std::trunc(x / y);
      break;
    case ArithOp::kRem:
      r = std::fmod(x, y);
      break;
    case ArithOp::kMod: {
      r = std::fmod(x, y);
      if (r != 0 && ((r < 0) != (y < 0))) r += y;
      break;
    }
  }
  *out = f32 ? make_f32(ctx.heap, static_cast<float>(r)) : make_float(ctx.heap, r);
  return true;
}

bool ratio_arith(NativeContext& ctx, ArithOp op, Term a, Term b, Term* out, const char* name) {
  BigInt an, ad, bn, bd;
  as_fraction(a, &an, &ad);
  as_fraction(b, &bn, &bd);
  switch (op) {
    case ArithOp::kAdd:
      *out = make_ratio(ctx.heap, an * bd + bn * ad, ad * bd);
      return true;
    case ArithOp::kSub:
      *out = make_ratio(ctx.heap, an * bd - bn * ad, ad * bd);
      return true;
    case ArithOp::kMul:
      *out = make_ratio(ctx.heap, an * bn, ad * bd);
      return true;
    case ArithOp::kDiv:
      if (bn.is_zero()) return division_by_zero(ctx, name);
      *out = make_ratio(ctx.heap, an * bd, ad * bn);
      return true;
    case ArithOp::kQuot:
    case ArithOp::kRem:
    case ArithOp::kMod: {
      if (bn.is_zero()) return division_by_zero(ctx, name);
      // q = trunc((an/ad) / (bn/bd)); rem = a - q*b
      BigInt q, ignored;
      BigInt::divmod(an * bd, ad * bn, &q, &ignored);
      if (op == ArithOp::kMod) floor_divmod(an * bd, ad * bn, &q, nullptr);
      if (op == ArithOp::kQuot) {
        *out = make_integer(ctx.heap, q);
      } else {
        *out = make_ratio(ctx.heap, an * bd - q * bn * ad, ad * bd);
      }
      return true;
    }
  }
  return true;
}

// Wraps v to the width of `kind` (two's complement).
BigInt wrap_fixed(FixedKind kind, const BigInt& v) {
  const FixedInfo& info = fixed_info(kind);
  BigInt modulus = BigInt::from_int64(1).shifted_left(info.bits);
  BigInt m;
  floor_divmod(v, modulus, nullptr, &m);
  if (info.is_signed && compare(m, BigInt::from_int64(1).shifted_left(info.bits - 1)) >= 0) {
    m = m - modulus;
  }
  return m;
}

}  // namespace

bool arith(NativeContext& ctx, ArithOp op, Term a, Term b, Term* out, const char* name) {
  Category ca = category(a), cb = category(b);
  if (ca == Category::kNone) return type_error(ctx, name, a);
  if (cb == Category::kNone) return type_error(ctx, name, b);
  if (ca == Category::kFixed || cb == Category::kFixed) {
    if ((ca != Category::kFixed && ca != Category::kInteger) ||
        (cb != Category::kFixed && cb != Category::kInteger) ||
        (ca == cb && fixed_kind(a) != fixed_kind(b))) {
      return ctx.fail("type-error", str_cat(name, ": cannot combine ", print(a), " and ", print(b),
                                            " (fixed-width integers combine with their own kind "
                                            "or plain integers)"));
    }
    FixedKind kind = ca == Category::kFixed ? fixed_kind(a) : fixed_kind(b);
    BigInt x = ca == Category::kFixed ? fixed_value(a) : integer_value(a);
    BigInt y = cb == Category::kFixed ? fixed_value(b) : integer_value(b);
    Term r;
    if (!integer_arith(ctx, op == ArithOp::kDiv ? ArithOp::kQuot : op, x, y, false, &r, name)) {
      return false;
    }
    *out = *make_fixed(ctx.heap, kind, wrap_fixed(kind, integer_value(r)));
    return true;
  }
  if (ca == Category::kFloat || cb == Category::kFloat) {
    bool f32 =
        (ca != Category::kFloat || float_is_f32(a)) && (cb != Category::kFloat || float_is_f32(b));
    return float_arith(ctx, op, to_double(a), to_double(b), f32, out);
  }
  if (ca == Category::kRatio || cb == Category::kRatio)
    return ratio_arith(ctx, op, a, b, out, name);
  return integer_arith(ctx, op, integer_value(a), integer_value(b),
                       explicit_big(a) || explicit_big(b), out, name);
}

bool compare_numbers(NativeContext& ctx, Term a, Term b, int* out, bool* unordered,
                     const char* name) {
  *unordered = false;
  if (a.is_fixnum() && b.is_fixnum()) {
    *out = a.fixnum_value() < b.fixnum_value() ? -1 : a.fixnum_value() > b.fixnum_value();
    return true;
  }
  Category ca = category(a), cb = category(b);
  if (ca == Category::kNone) return type_error(ctx, name, a);
  if (cb == Category::kNone) return type_error(ctx, name, b);
  if (ca == Category::kFloat || cb == Category::kFloat) {
    double x = to_double(a), y = to_double(b);
    if (std::isnan(x) || std::isnan(y)) {
      *unordered = true;
      *out = 0;
      return true;
    }
    *out = x < y ? -1 : x > y;
    return true;
  }
  BigInt an, ad, bn, bd;
  auto fraction = [](Term t, BigInt* n, BigInt* d) {
    if (is_fixed(t)) {
      *n = fixed_value(t);
      *d = BigInt::from_int64(1);
    } else {
      as_fraction(t, n, d);
    }
  };
  fraction(a, &an, &ad);
  fraction(b, &bn, &bd);
  *out = compare(an * bd, bn * ad);
  return true;
}

}  // namespace lona
