#include "runtime/term/number.hpp"

#include <array>
#include <cstring>

namespace lona {
namespace {

Term box_bigint(Heap& heap, const BigInt& v, bool explicit_big) {
  auto limbs = v.limbs();
  uint8_t aux = (v.is_negative() ? kAuxNegative : 0) | (explicit_big ? kAuxExplicitBig : 0);
  Word* p = heap.alloc(1 + limbs.size());
  p[0] = header::make(ObjTag::kBigInt, aux, limbs.size());
  if (!limbs.empty()) std::memcpy(p + 1, limbs.data(), limbs.size() * sizeof(Word));  // 0N: none
  return Term::boxed_ptr(p);
}

constexpr std::array<FixedInfo, 8> kFixedInfo = {{
    {FixedKind::kU8, "u8", 8, false},
    {FixedKind::kU16, "u16", 16, false},
    {FixedKind::kU32, "u32", 32, false},
    {FixedKind::kU64, "u64", 64, false},
    {FixedKind::kI8, "i8", 8, true},
    {FixedKind::kI16, "i16", 16, true},
    {FixedKind::kI32, "i32", 32, true},
    {FixedKind::kI64, "i64", 64, true},
}};

}  // namespace

Term make_integer(Heap& heap, int64_t v) {
  if (Term::fits_fixnum(v)) return Term::fixnum(v);
  return box_bigint(heap, BigInt::from_int64(v), false);
}

Term make_integer(Heap& heap, const BigInt& v, bool explicit_big) {
  if (!explicit_big && v.fits_int64()) return make_integer(heap, v.to_int64());
  return box_bigint(heap, v, explicit_big);
}

BigInt integer_value(Term t) {
  if (t.is_fixnum()) return BigInt::from_int64(t.fixnum_value());
  const Word* p = object_of(t);
  return BigInt::from_limbs((header::aux(p[0]) & kAuxNegative) != 0,
                            std::span<const Word>(p + 1, header::size(p[0])));
}

std::optional<int64_t> integer_as_int64(Term t) {
  if (t.is_fixnum()) return t.fixnum_value();
  BigInt v = integer_value(t);
  if (!v.fits_int64()) return std::nullopt;
  return v.to_int64();
}

Term make_float(Heap& heap, double v) {
  Word* p = heap.alloc(2);
  p[0] = header::make(ObjTag::kFloat, 0, 1);
  std::memcpy(p + 1, &v, sizeof v);
  return Term::boxed_ptr(p);
}

Term make_f32(Heap& heap, float v) {
  double wide = v;
  Word* p = heap.alloc(2);
  p[0] = header::make(ObjTag::kFloat, kAuxF32, 1);
  std::memcpy(p + 1, &wide, sizeof wide);
  return Term::boxed_ptr(p);
}

double float_value(Term t) {
  double v;
  std::memcpy(&v, object_of(t) + 1, sizeof v);
  return v;
}

Term make_ratio(Heap& heap, const BigInt& num, const BigInt& den) {
  BigInt g = BigInt::gcd(num, den);
  BigInt n, d, rem;
  BigInt::divmod(num, g, &n, &rem);
  BigInt::divmod(den, g, &d, &rem);
  if (d.is_negative()) {
    n = -n;
    d = -d;
  }
  if (d == BigInt::from_int64(1)) return make_integer(heap, n);
  Rooted rn(heap, make_integer(heap, n));
  Rooted rd(heap, make_integer(heap, d));
  Word* p = heap.alloc(3);
  p[0] = header::make(ObjTag::kRatio, 0, 2);
  p[1] = rn.get().raw();
  p[2] = rd.get().raw();
  return Term::boxed_ptr(p);
}

const FixedInfo& fixed_info(FixedKind kind) { return kFixedInfo[static_cast<size_t>(kind)]; }

std::optional<FixedKind> fixed_kind_from_suffix(std::string_view suffix) {
  for (const FixedInfo& info : kFixedInfo) {
    if (info.suffix == suffix) return info.kind;
  }
  return std::nullopt;
}

std::optional<Term> make_fixed(Heap& heap, FixedKind kind, const BigInt& v) {
  const FixedInfo& info = fixed_info(kind);
  uint64_t bits;
  if (info.is_signed) {
    if (!v.fits_int64()) return std::nullopt;
    int64_t x = v.to_int64();
    if (info.bits < 64) {
      int64_t lim = int64_t{1} << (info.bits - 1);
      if (x < -lim || x >= lim) return std::nullopt;
    }
    bits = static_cast<uint64_t>(x);
  } else {
    std::optional<uint64_t> x = v.to_uint64();
    if (!x || (info.bits < 64 && *x >= (uint64_t{1} << info.bits))) return std::nullopt;
    bits = *x;
  }
  Word* p = heap.alloc(2);
  p[0] = header::make(ObjTag::kFixedInt, static_cast<uint8_t>(kind), 1);
  p[1] = bits;
  return Term::boxed_ptr(p);
}

BigInt fixed_value(Term t) {
  uint64_t bits = fixed_bits(t);
  if (fixed_info(fixed_kind(t)).is_signed) return BigInt::from_int64(static_cast<int64_t>(bits));
  return BigInt::from_uint64(bits);
}

}  // namespace lona
