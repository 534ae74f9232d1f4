// Tests for runtime/term/number: integers (small, boxed int64, bigints, explicit N), floats (f64,
// f32, NaN, infinities, signed zero), ratios (always reduced, sign on the numerator, integers when
// the denominator divides) and fixed-width integers (every kind and its range limits).
#include "runtime/term/number.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

// Signed decimal literal.
BigInt N(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  std::optional<BigInt> v = BigInt::parse(neg ? s.substr(1) : s, 10);
  EXPECT_TRUE(v.has_value()) << s;
  return neg ? -*v : *v;
}

BigInt I(int64_t v) { return BigInt::from_int64(v); }
BigInt pow2(size_t n) { return BigInt::from_int64(1).shifted_left(n); }

// A heap big enough that no test here collects; TearDown checks it, so terms held in locals
// across allocations stay valid.
class NumberTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_EQ(h.collections(), 0u) << "the test assumed no collection"; }
  Heap h{1 << 16};
};

// --- integers ------------------------------------------------------------------------------------

TEST_F(NumberTest, SmallIntegersAreFixnums) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{42}, int64_t{-1000000},
                    Term::kFixnumMax, Term::kFixnumMin}) {
    Term t = make_integer(h, v);
    SCOPED_TRACE(v);
    EXPECT_TRUE(t.is_fixnum());
    EXPECT_TRUE(is_integer(t));
    EXPECT_TRUE(is_number(t));
    EXPECT_FALSE(is_bigint(t));
    EXPECT_EQ(t.fixnum_value(), v);
    EXPECT_EQ(integer_as_int64(t), v);
    EXPECT_EQ(integer_value(t), I(v));
    EXPECT_EQ(kind_of(t), Kind::kInteger);
    EXPECT_EQ(print(t), std::to_string(v));
  }
  EXPECT_EQ(h.used_words(), 0u);  // nothing was allocated
}

TEST_F(NumberTest, Int64BeyondFixnumRangeIsBoxed) {
  for (int64_t v : {Term::kFixnumMax + 1, Term::kFixnumMin - 1, std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min(), int64_t{1} << 62}) {
    SCOPED_TRACE(v);
    Term t = make_integer(h, v);
    EXPECT_TRUE(is_bigint(t));
    EXPECT_TRUE(is_integer(t));
    EXPECT_EQ(kind_of(t), Kind::kInteger);
    EXPECT_FALSE(bigint_explicit(t));
    EXPECT_EQ(integer_as_int64(t), v);
    EXPECT_EQ(integer_value(t), I(v));
    EXPECT_EQ(print(t), std::to_string(v));  // fits int64: no N
    // The same value through the BigInt constructor is the same kind of term and equal.
    Term u = make_integer(h, I(v));
    EXPECT_TRUE(is_bigint(u));
    EXPECT_TRUE(equal(t, u));
  }
}

TEST_F(NumberTest, BigIntConstructorNormalisesSmallValues) {
  Term t = make_integer(h, I(12345));
  EXPECT_TRUE(t.is_fixnum());
  EXPECT_EQ(t.fixnum_value(), 12345);
  EXPECT_TRUE(make_integer(h, BigInt()).is_fixnum());
  EXPECT_EQ(make_integer(h, BigInt()).fixnum_value(), 0);
  EXPECT_TRUE(make_integer(h, I(Term::kFixnumMin)).is_fixnum());
  EXPECT_EQ(h.used_words(), 0u);
}

TEST_F(NumberTest, IntegersWiderThan64Bits) {
  struct Case {
    BigInt v;
    std::string printed;
  };
  std::vector<Case> cases = {
      {pow2(64), "18446744073709551616N"},
      {-pow2(64), "-18446744073709551616N"},
      {pow2(63), "9223372036854775808N"},  // INT64_MAX + 1
      {-pow2(63) - I(1), "-9223372036854775809N"},
      {pow2(100), "1267650600228229401496703205376N"},
      {N("-123456789012345678901234567890123456789"), "-123456789012345678901234567890123456789N"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.printed);
    Term t = make_integer(h, c.v);
    EXPECT_TRUE(is_bigint(t));
    EXPECT_FALSE(bigint_explicit(t));
    EXPECT_EQ(integer_value(t), c.v);
    EXPECT_EQ(integer_as_int64(t), std::nullopt);
    EXPECT_EQ(print(t), c.printed);  // needs more than 64 bits: always N
    EXPECT_EQ(object_size(t), c.v.limbs().size());
  }
}

TEST_F(NumberTest, ExplicitBigIntKeepsItsNAndValue) {
  Term t = make_integer(h, I(42), /*explicit_big=*/true);
  EXPECT_TRUE(is_bigint(t));
  EXPECT_TRUE(bigint_explicit(t));
  EXPECT_EQ(integer_as_int64(t), 42);
  EXPECT_EQ(print(t), "42N");

  Term zero = make_integer(h, BigInt(), true);
  EXPECT_TRUE(is_bigint(zero));
  EXPECT_EQ(integer_value(zero), BigInt());
  EXPECT_EQ(print(zero), "0N");

  Term neg = make_integer(h, I(-7), true);
  EXPECT_EQ(integer_value(neg), I(-7));
  EXPECT_EQ(print(neg), "-7N");

  Term big = make_integer(h, pow2(70), true);
  EXPECT_TRUE(bigint_explicit(big));
  EXPECT_EQ(integer_value(big), pow2(70));
  EXPECT_EQ(print(big), "1180591620717411303424N");

  Term min = make_integer(h, I(std::numeric_limits<int64_t>::min()), true);
  EXPECT_EQ(integer_as_int64(min), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(print(min), "-9223372036854775808N");
}

// --- floats --------------------------------------------------------------------------------------

TEST_F(NumberTest, F64ValuesReadBack) {
  for (double d :
       {0.0, 1.0, -1.5, 3.14, 6.022e23, 1.5e-10, std::numeric_limits<double>::max(),
        std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::lowest()}) {
    SCOPED_TRACE(d);
    Term t = make_float(h, d);
    EXPECT_TRUE(is_float(t));
    EXPECT_TRUE(is_number(t));
    EXPECT_FALSE(is_integer(t));
    EXPECT_FALSE(float_is_f32(t));
    EXPECT_EQ(kind_of(t), Kind::kFloat);
    EXPECT_EQ(float_value(t), d);
  }
  EXPECT_EQ(print(make_float(h, 3.14)), "3.14");
  EXPECT_EQ(print(make_float(h, 1.0)), "1.0");
  EXPECT_EQ(print(make_float(h, -1.5)), "-1.5");
}

TEST_F(NumberTest, FloatSpecialValues) {
  double inf = std::numeric_limits<double>::infinity();
  Term nan = make_float(h, std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(std::isnan(float_value(nan)));
  EXPECT_EQ(print(nan), "##NaN");

  Term pinf = make_float(h, inf);
  Term ninf = make_float(h, -inf);
  EXPECT_EQ(float_value(pinf), inf);
  EXPECT_EQ(float_value(ninf), -inf);
  EXPECT_EQ(print(pinf), "##Inf");
  EXPECT_EQ(print(ninf), "##-Inf");

  Term nzero = make_float(h, -0.0);
  Term pzero = make_float(h, 0.0);
  EXPECT_EQ(float_value(nzero), 0.0);
  EXPECT_TRUE(std::signbit(float_value(nzero)));  // the sign is kept, not normalised away
  EXPECT_FALSE(std::signbit(float_value(pzero)));
  EXPECT_EQ(print(nzero), "-0.0");
  EXPECT_EQ(print(pzero), "0.0");
}

TEST_F(NumberTest, F32IsStoredWidenedAndFlagged) {
  Term t = make_f32(h, 0.1f);
  EXPECT_TRUE(is_float(t));
  EXPECT_TRUE(float_is_f32(t));
  EXPECT_EQ(float_value(t), static_cast<double>(0.1f));
  EXPECT_NE(float_value(t), 0.1);  // widened from the f32, not the f64 literal
  EXPECT_EQ(print(t), "0.1f32");

  EXPECT_EQ(print(make_f32(h, 3.14f)), "3.14f32");
  EXPECT_EQ(print(make_f32(h, 1.0f)), "1.0f32");
  EXPECT_TRUE(std::isnan(float_value(make_f32(h, std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(float_value(make_f32(h, std::numeric_limits<float>::infinity())),
            std::numeric_limits<double>::infinity());
  Term nzero = make_f32(h, -0.0f);
  EXPECT_TRUE(float_is_f32(nzero));
  EXPECT_TRUE(std::signbit(float_value(nzero)));
  EXPECT_EQ(float_value(make_f32(h, std::numeric_limits<float>::max())),
            static_cast<double>(std::numeric_limits<float>::max()));
}

// --- ratios --------------------------------------------------------------------------------------

TEST_F(NumberTest, RatiosAreReducedWithTheSignOnTheNumerator) {
  struct Case {
    int64_t num, den;
    const char* printed;
  };
  for (const Case& c : std::vector<Case>{{6, 4, "3/2"},
                                         {-6, 4, "-3/2"},
                                         {6, -4, "-3/2"},
                                         {-6, -4, "3/2"},
                                         {1, 3, "1/3"},
                                         {22, 7, "22/7"},
                                         {-1, -2, "1/2"},
                                         {100, 250, "2/5"}}) {
    SCOPED_TRACE(c.printed);
    Term r = make_ratio(h, I(c.num), I(c.den));
    ASSERT_TRUE(is_ratio(r));
    EXPECT_TRUE(is_number(r));
    EXPECT_EQ(kind_of(r), Kind::kRatio);
    EXPECT_EQ(print(r), c.printed);
    EXPECT_TRUE(ratio_numerator(r).is_fixnum());
    EXPECT_TRUE(ratio_denominator(r).is_fixnum());
    EXPECT_GT(ratio_denominator(r).fixnum_value(), 1);
  }
}

TEST_F(NumberTest, RatiosThatDivideAreIntegers) {
  Term two = make_ratio(h, I(4), I(2));
  EXPECT_TRUE(two.is_fixnum());
  EXPECT_EQ(two.fixnum_value(), 2);
  Term neg = make_ratio(h, I(9), I(-3));
  EXPECT_TRUE(neg.is_fixnum());
  EXPECT_EQ(neg.fixnum_value(), -3);
  Term zero = make_ratio(h, BigInt(), I(-5));
  EXPECT_TRUE(zero.is_fixnum());
  EXPECT_EQ(zero.fixnum_value(), 0);
  Term same = make_ratio(h, I(7), I(7));
  EXPECT_EQ(same.fixnum_value(), 1);
  Term over_one = make_ratio(h, I(-13), I(1));
  EXPECT_EQ(over_one.fixnum_value(), -13);
  // Reducing to an integer too large for a fixnum gives a bigint.
  Term big = make_ratio(h, pow2(130), pow2(2));
  EXPECT_TRUE(is_bigint(big));
  EXPECT_EQ(integer_value(big), pow2(128));
  Term boxed64 = make_ratio(h, I(std::numeric_limits<int64_t>::min()), I(1));
  EXPECT_TRUE(is_bigint(boxed64));
  EXPECT_EQ(integer_as_int64(boxed64), std::numeric_limits<int64_t>::min());
}

TEST_F(NumberTest, RatiosOfSmallIntegersSweep) {
  for (int64_t n = -24; n <= 24; ++n) {
    for (int64_t d = -24; d <= 24; ++d) {
      if (d == 0) continue;
      SCOPED_TRACE(std::to_string(n) + "/" + std::to_string(d));
      Term r = make_ratio(h, I(n), I(d));
      if (n % d == 0) {
        ASSERT_TRUE(r.is_fixnum());
        EXPECT_EQ(r.fixnum_value(), n / d);
        continue;
      }
      ASSERT_TRUE(is_ratio(r));
      int64_t rn = ratio_numerator(r).fixnum_value();
      int64_t rd = ratio_denominator(r).fixnum_value();
      EXPECT_GT(rd, 1);
      EXPECT_EQ(rn * d, n * rd);  // same value
      EXPECT_EQ(BigInt::gcd(I(rn), I(rd)), I(1));
    }
  }
}

TEST_F(NumberTest, RatiosWithBigParts) {
  // Odd numerator over a power of two: already reduced, both parts bigints.
  BigInt num = pow2(100) + I(1);
  Term r = make_ratio(h, num, pow2(80));
  ASSERT_TRUE(is_ratio(r));
  EXPECT_TRUE(is_bigint(ratio_numerator(r)));
  EXPECT_TRUE(is_bigint(ratio_denominator(r)));
  EXPECT_EQ(integer_value(ratio_numerator(r)), num);
  EXPECT_EQ(integer_value(ratio_denominator(r)), pow2(80));

  // A common big factor cancels down to small parts.
  BigInt f = pow2(90) + I(7);
  Term small = make_ratio(h, f * I(3), f * I(-6));
  ASSERT_TRUE(is_ratio(small));
  EXPECT_EQ(print(small), "-1/2");
  EXPECT_TRUE(ratio_numerator(small).is_fixnum());

  // Big numerator over a small denominator.
  Term mixed = make_ratio(h, -(pow2(70) + I(1)), I(2));
  ASSERT_TRUE(is_ratio(mixed));
  EXPECT_EQ(integer_value(ratio_numerator(mixed)), -(pow2(70) + I(1)));
  EXPECT_EQ(ratio_denominator(mixed).fixnum_value(), 2);

  // Small numerator over a big denominator, sign moved up.
  Term tiny = make_ratio(h, I(3), -pow2(65));
  ASSERT_TRUE(is_ratio(tiny));
  EXPECT_EQ(ratio_numerator(tiny).fixnum_value(), -3);
  EXPECT_EQ(integer_value(ratio_denominator(tiny)), pow2(65));
}

// make_ratio allocates the numerator, the denominator and the ratio: every step may collect, so
// build many on a tiny heap and check that every part of every result lives in the heap.
TEST(RatioGc, BigPartsSurviveCollectionsDuringConstruction) {
  Heap h(1);
  constexpr int kCount = 400;
  for (int i = 0; i < kCount; ++i) {
    BigInt num = pow2(64 + static_cast<size_t>(i % 50)) + I(2 * i + 1);  // odd
    BigInt den = pow2(70 + static_cast<size_t>(i % 13));
    h.push(make_ratio(h, num, den));
  }
  EXPECT_GT(h.collections(), 0u);
  h.collect();
  for (int i = 0; i < kCount; ++i) {
    SCOPED_TRACE(i);
    Term r = h.stack()[static_cast<size_t>(i)];
    ASSERT_TRUE(is_ratio(r));
    ASSERT_TRUE(h.contains(object_of(r)));
    ASSERT_TRUE(h.contains(object_of(ratio_numerator(r))));
    ASSERT_TRUE(h.contains(object_of(ratio_denominator(r))));
    EXPECT_EQ(integer_value(ratio_numerator(r)),
              pow2(64 + static_cast<size_t>(i % 50)) + I(2 * i + 1));
    EXPECT_EQ(integer_value(ratio_denominator(r)), pow2(70 + static_cast<size_t>(i % 13)));
  }
}

// The same at every fill level of the first block, so that each allocation inside make_ratio is
// in turn the one that collects.
TEST(RatioGc, EveryAllocationStepMayCollect) {
  BigInt num = pow2(100) + I(1);
  BigInt den = pow2(90);
  for (size_t fill = 0; fill <= Heap::kDefaultInitialWords; ++fill) {
    SCOPED_TRACE(fill);
    Heap h(1);
    h.alloc(fill);  // unrooted garbage: the next collection drops it
    h.push(make_ratio(h, num, den));
    h.collect();
    Term r = h.stack().back();
    ASSERT_TRUE(is_ratio(r));
    ASSERT_TRUE(h.contains(object_of(ratio_numerator(r))));
    ASSERT_TRUE(h.contains(object_of(ratio_denominator(r))));
    EXPECT_EQ(integer_value(ratio_numerator(r)), num);
    EXPECT_EQ(integer_value(ratio_denominator(r)), den);
  }
}

// --- fixed-width integers ----------------------------------------------------------------------

struct FixedCase {
  FixedKind kind;
  const char* suffix;
  unsigned bits;
  bool is_signed;
  BigInt min, max;
};

std::vector<FixedCase> fixed_cases() {
  return {
      {FixedKind::kU8, "u8", 8, false, I(0), I(255)},
      {FixedKind::kU16, "u16", 16, false, I(0), I(65535)},
      {FixedKind::kU32, "u32", 32, false, I(0), I(4294967295)},
      {FixedKind::kU64, "u64", 64, false, I(0), N("18446744073709551615")},
      {FixedKind::kI8, "i8", 8, true, I(-128), I(127)},
      {FixedKind::kI16, "i16", 16, true, I(-32768), I(32767)},
      {FixedKind::kI32, "i32", 32, true, I(-2147483648), I(2147483647)},
      {FixedKind::kI64, "i64", 64, true, N("-9223372036854775808"), N("9223372036854775807")},
  };
}

TEST(FixedInt, InfoTableAndSuffixes) {
  for (const FixedCase& c : fixed_cases()) {
    SCOPED_TRACE(c.suffix);
    const FixedInfo& info = fixed_info(c.kind);
    EXPECT_EQ(info.kind, c.kind);
    EXPECT_EQ(info.suffix, c.suffix);
    EXPECT_EQ(info.bits, c.bits);
    EXPECT_EQ(info.is_signed, c.is_signed);
    EXPECT_EQ(fixed_kind_from_suffix(c.suffix), c.kind);
  }
  EXPECT_EQ(fixed_kind_from_suffix("u128"), std::nullopt);
  EXPECT_EQ(fixed_kind_from_suffix(""), std::nullopt);
  EXPECT_EQ(fixed_kind_from_suffix("U8"), std::nullopt);
  EXPECT_EQ(fixed_kind_from_suffix("f32"), std::nullopt);
}

TEST_F(NumberTest, FixedWidthLimitsAcceptedAndRejected) {
  for (const FixedCase& c : fixed_cases()) {
    SCOPED_TRACE(c.suffix);
    for (const BigInt& v : {c.min, c.max, I(0), I(1), c.max - I(1)}) {
      std::optional<Term> t = make_fixed(h, c.kind, v);
      ASSERT_TRUE(t.has_value()) << v.to_string();
      EXPECT_TRUE(is_fixed(*t));
      EXPECT_TRUE(is_number(*t));
      EXPECT_FALSE(is_integer(*t));
      EXPECT_EQ(kind_of(*t), Kind::kFixed);
      EXPECT_EQ(fixed_kind(*t), c.kind);
      EXPECT_EQ(fixed_value(*t), v);
      EXPECT_EQ(print(*t), v.to_string() + c.suffix);
    }
    for (const BigInt& v : {c.max + I(1), c.min - I(1), c.max + pow2(100), c.min - pow2(100)}) {
      EXPECT_EQ(make_fixed(h, c.kind, v), std::nullopt) << v.to_string();
    }
  }
}

TEST_F(NumberTest, FixedWidthSpotChecks) {
  EXPECT_TRUE(make_fixed(h, FixedKind::kU8, I(255)).has_value());
  EXPECT_FALSE(make_fixed(h, FixedKind::kU8, I(256)).has_value());
  EXPECT_FALSE(make_fixed(h, FixedKind::kU8, I(-1)).has_value());
  EXPECT_FALSE(make_fixed(h, FixedKind::kI8, I(128)).has_value());
  EXPECT_FALSE(make_fixed(h, FixedKind::kI8, I(-129)).has_value());
  EXPECT_FALSE(make_fixed(h, FixedKind::kU64, I(-1)).has_value());
  EXPECT_FALSE(make_fixed(h, FixedKind::kU64, pow2(64)).has_value());
  EXPECT_FALSE(make_fixed(h, FixedKind::kI64, pow2(63)).has_value());

  Term u64max = *make_fixed(h, FixedKind::kU64, N("18446744073709551615"));
  EXPECT_EQ(fixed_bits(u64max), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(print(u64max), "18446744073709551615u64");

  Term i8min = *make_fixed(h, FixedKind::kI8, I(-128));
  EXPECT_EQ(static_cast<int64_t>(fixed_bits(i8min)), -128);  // stored sign-extended
  EXPECT_EQ(print(i8min), "-128i8");

  Term u32 = *make_fixed(h, FixedKind::kU32, I(4294967295));
  EXPECT_EQ(fixed_bits(u32), 4294967295u);  // stored zero-extended
  EXPECT_EQ(print(u32), "4294967295u32");
  EXPECT_EQ(print(*make_fixed(h, FixedKind::kI16, I(-50))), "-50i16");
}

TEST_F(NumberTest, IsNumberOnlyForNumbers) {
  EXPECT_FALSE(is_number(Term::nil()));
  EXPECT_FALSE(is_number(Term::boolean(true)));
  EXPECT_FALSE(is_number(Term::character('1')));
  EXPECT_FALSE(is_number(Term::empty_list()));
  EXPECT_FALSE(is_number(make_symbol("one")));
  EXPECT_FALSE(is_number(make_keyword("one")));
  EXPECT_FALSE(is_number(make_string(h, "1")));
  EXPECT_FALSE(is_number(make_binary(h, "\x01")));
  h.push(Term::fixnum(1));
  EXPECT_FALSE(is_number(tuple_from_stack(h, 1)));
  EXPECT_TRUE(is_number(make_integer(h, pow2(80))));
  EXPECT_TRUE(is_number(make_float(h, 1.0)));
  EXPECT_TRUE(is_number(make_ratio(h, I(1), I(2))));
  EXPECT_TRUE(is_number(*make_fixed(h, FixedKind::kI32, I(1))));
}

}  // namespace
}  // namespace lona
