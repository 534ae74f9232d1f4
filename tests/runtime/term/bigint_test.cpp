// Tests for runtime/term/bigint: parsing and printing, int64 edges, arithmetic against 128-bit and
// shift-subtract references, and Knuth D's rare correction paths.
#include "runtime/term/bigint.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

namespace lona {
namespace {

using Limb = BigInt::Limb;
__extension__ typedef __int128 I128;
__extension__ typedef unsigned __int128 U128;

constexpr Limb kOnes = ~Limb{0};
constexpr Limb kTop = Limb{1} << 63;

// Signed decimal literal, for readable expectations.
BigInt N(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  std::optional<BigInt> v = BigInt::parse(neg ? s.substr(1) : s, 10);
  EXPECT_TRUE(v.has_value()) << s;
  return neg ? -*v : *v;
}

BigInt L(std::vector<Limb> limbs, bool negative = false) {
  return BigInt::from_limbs(negative, limbs);
}

BigInt pow2(size_t n) { return BigInt::from_int64(1).shifted_left(n); }

std::string i128_string(I128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  U128 u = neg ? 0 - static_cast<U128>(v) : static_cast<U128>(v);
  std::string s;
  for (; u != 0; u /= 10) s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

// splitmix64: deterministic across platforms.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Limbs biased toward the values that break carries and quotient estimates.
  Limb limb() {
    static constexpr Limb kEdges[] = {0, 1, kTop, kOnes};
    uint64_t pick = next() % 8;
    return pick < 4 ? kEdges[pick] : next();
  }
  BigInt big(size_t max_limbs) {
    std::vector<Limb> v(1 + next() % max_limbs);
    for (Limb& x : v) x = limb();
    return BigInt::from_limbs(next() % 2 == 0, v);
  }
};

BigInt abs(const BigInt& a) { return a.is_negative() ? -a : a; }

// Schoolbook binary long division on non-negative values: slow but independent of algorithm D.
void slow_divmod(const BigInt& a, const BigInt& b, BigInt* q, BigInt* r) {
  *q = BigInt();
  *r = BigInt();
  std::span<const Limb> limbs = a.limbs();
  for (size_t i = a.bit_length(); i-- > 0;) {
    *r = r->shifted_left(1);
    if ((limbs[i / 64] >> (i % 64)) & 1) *r = *r + BigInt::from_int64(1);
    *q = q->shifted_left(1);
    if (compare(*r, b) >= 0) {
      *r = *r - b;
      *q = *q + BigInt::from_int64(1);
    }
  }
}

// The defining properties of truncated division; they pin q and r down uniquely.
void check_divmod(const BigInt& a, const BigInt& b) {
  BigInt q, r;
  BigInt::divmod(a, b, &q, &r);
  SCOPED_TRACE("a=" + a.to_string(16) + " b=" + b.to_string(16));
  EXPECT_EQ(q * b + r, a);
  EXPECT_LT(compare(abs(r), abs(b)), 0);
  if (!r.is_zero()) {
    EXPECT_EQ(r.is_negative(), a.is_negative());
  }
  if (!q.is_zero()) {
    EXPECT_EQ(q.is_negative(), a.is_negative() != b.is_negative());
  }
}

TEST(BigInt, Zero) {
  BigInt z;
  EXPECT_TRUE(z.is_zero());
  EXPECT_FALSE(z.is_negative());
  EXPECT_TRUE(z.limbs().empty());
  EXPECT_EQ(z.to_string(), "0");
  EXPECT_EQ(z.to_string(2), "0");
  EXPECT_EQ(z.bit_length(), 0u);
  EXPECT_TRUE(z.fits_int64());
  EXPECT_EQ(z.to_int64(), 0);
  EXPECT_EQ(z.to_uint64(), 0u);
  EXPECT_EQ(z.to_double(), 0.0);
  EXPECT_FALSE((-z).is_negative());
  EXPECT_EQ(BigInt::from_int64(0), z);
  EXPECT_EQ(BigInt::from_limbs(true, std::vector<Limb>{0, 0}), z);
  EXPECT_FALSE(BigInt::from_limbs(true, std::vector<Limb>{0, 0}).is_negative());
  EXPECT_EQ(*BigInt::parse("0000", 10), z);
  EXPECT_FALSE((N("5") - N("5")).is_negative());
  EXPECT_FALSE((N("-5") * z).is_negative());
  EXPECT_FALSE(N("-5").shifted_right(3).is_negative());
}

TEST(BigInt, Int64Edges) {
  const int64_t mn = std::numeric_limits<int64_t>::min();
  const int64_t mx = std::numeric_limits<int64_t>::max();
  BigInt a = BigInt::from_int64(mn), b = BigInt::from_int64(mx);
  EXPECT_EQ(a.to_string(), "-9223372036854775808");
  EXPECT_EQ(b.to_string(), "9223372036854775807");
  EXPECT_TRUE(a.fits_int64());
  EXPECT_TRUE(b.fits_int64());
  EXPECT_EQ(a.to_int64(), mn);
  EXPECT_EQ(b.to_int64(), mx);
  ASSERT_EQ(a.limbs().size(), 1u);
  EXPECT_EQ(a.limbs()[0], kTop);
  EXPECT_EQ(a.bit_length(), 64u);

  BigInt one = BigInt::from_int64(1);
  EXPECT_FALSE((b + one).fits_int64());
  EXPECT_FALSE((a - one).fits_int64());
  EXPECT_FALSE((-a).fits_int64());
  EXPECT_TRUE((-b).fits_int64());
  EXPECT_EQ((-b).to_int64(), -mx);
  EXPECT_EQ((a - one).to_string(), "-9223372036854775809");
  EXPECT_EQ((-a).to_uint64(), kTop);
  EXPECT_EQ(a.to_uint64(), std::nullopt);
  EXPECT_EQ(b.to_uint64(), static_cast<uint64_t>(mx));

  BigInt m = BigInt::from_uint64(kOnes);
  EXPECT_EQ(m.to_string(), "18446744073709551615");
  EXPECT_FALSE(m.fits_int64());
  EXPECT_EQ(m.to_uint64(), kOnes);
  EXPECT_EQ((m + one).to_uint64(), std::nullopt);
  EXPECT_FALSE((-m).fits_int64());

  for (int64_t v : {int64_t{-1}, int64_t{1}, int64_t{-42}, mn + 1, mx - 1}) {
    EXPECT_TRUE(BigInt::from_int64(v).fits_int64());
    EXPECT_EQ(BigInt::from_int64(v).to_int64(), v);
    EXPECT_EQ(BigInt::from_int64(v).to_string(), std::to_string(v));
  }
}

TEST(BigInt, FromLimbsNormalizes) {
  BigInt a = L({5, 0, 0}, true);
  ASSERT_EQ(a.limbs().size(), 1u);
  EXPECT_EQ(a, BigInt::from_int64(-5));
  EXPECT_EQ(L({0, 1}).to_string(), "18446744073709551616");
  EXPECT_EQ(L({0, 1}).bit_length(), 65u);
}

TEST(BigInt, KnownValues) {
  EXPECT_EQ(pow2(64).to_string(), "18446744073709551616");
  EXPECT_EQ(N("18446744073709551616"), pow2(64));
  EXPECT_EQ(pow2(128).to_string(), "340282366920938463463374607431768211456");
  EXPECT_EQ(N("340282366920938463463374607431768211456"), pow2(128));
  EXPECT_EQ(pow2(64).to_string(8), "2000000000000000000000");
  EXPECT_EQ(pow2(64).to_string(16), "10000000000000000");
  EXPECT_EQ(pow2(64).to_string(2), "1" + std::string(64, '0'));
  EXPECT_EQ(*BigInt::parse("ZZ", 36), BigInt::from_int64(1295));
  EXPECT_EQ(*BigInt::parse("zz", 36), BigInt::from_int64(1295));
  EXPECT_EQ(BigInt::from_int64(1295).to_string(36), "zz");
  EXPECT_EQ(*BigInt::parse("z", 36), BigInt::from_int64(35));
  EXPECT_EQ(*BigInt::parse("777", 8), BigInt::from_int64(511));

  BigInt n = N("99999999999999999999");
  ASSERT_EQ(n.limbs().size(), 2u);
  EXPECT_EQ(n.limbs()[0], 0x6BC75E2D630FFFFFull);
  EXPECT_EQ(n.limbs()[1], 5u);
  EXPECT_EQ(n.to_string(), "99999999999999999999");
  EXPECT_EQ(n.to_string(16), "56bc75e2d630fffff");
  EXPECT_EQ(*BigInt::parse("56BC75E2D630FFFFF", 16), n);

  BigInt ones = *BigInt::parse(std::string(32, 'f'), 16);
  EXPECT_EQ(ones, pow2(128) - BigInt::from_int64(1));
  EXPECT_EQ(ones.to_string(), "340282366920938463463374607431768211455");
  EXPECT_EQ(*BigInt::parse(std::string(128, '1'), 2), ones);
  EXPECT_EQ(*BigInt::parse("000000000000000000000000000000000042", 10), BigInt::from_int64(42));
  EXPECT_EQ(
      *BigInt::parse("0000000000000000000000000000000000000000000000000000000000000000000001", 2),
      BigInt::from_int64(1));
  EXPECT_EQ(N("-1234567890123456789012345678901234567890").to_string(),
            "-1234567890123456789012345678901234567890");
  EXPECT_EQ(N("-255").to_string(16), "-ff");
}

TEST(BigInt, ParseRejects) {
  EXPECT_FALSE(BigInt::parse("", 10));
  EXPECT_FALSE(BigInt::parse("", 16));
  EXPECT_FALSE(BigInt::parse("12a", 10));
  EXPECT_FALSE(BigInt::parse("2", 2));
  EXPECT_FALSE(BigInt::parse("102", 2));
  EXPECT_FALSE(BigInt::parse("8", 8));
  EXPECT_FALSE(BigInt::parse("g", 16));
  EXPECT_FALSE(BigInt::parse("-1", 10));
  EXPECT_FALSE(BigInt::parse("+1", 10));
  EXPECT_FALSE(BigInt::parse("1_000", 10));
  EXPECT_FALSE(BigInt::parse(" 1", 10));
  EXPECT_FALSE(BigInt::parse("1 ", 10));
  EXPECT_FALSE(BigInt::parse("0x10", 16));
  EXPECT_FALSE(BigInt::parse("\xff", 36));
  EXPECT_FALSE(BigInt::parse(std::string_view("1\0", 2), 10));
  EXPECT_FALSE(BigInt::parse("1", 1));
  EXPECT_FALSE(BigInt::parse("1", 0));
  EXPECT_FALSE(BigInt::parse("1", -10));
  EXPECT_FALSE(BigInt::parse("1", 37));
  EXPECT_TRUE(BigInt::parse("1", 2));
  EXPECT_TRUE(BigInt::parse("1", 36));
  EXPECT_EQ(BigInt::from_int64(7).to_string(1), "");
  EXPECT_EQ(BigInt::from_int64(7).to_string(37), "");
}

TEST(BigInt, RoundTripAllRadices) {
  Rng rng{1};
  for (int radix = 2; radix <= 36; radix++) {
    for (int i = 0; i < 40; i++) {
      BigInt a = rng.big(12);
      std::string s = a.to_string(radix);
      SCOPED_TRACE("radix " + std::to_string(radix) + ": " + s);
      ASSERT_FALSE(s.empty());
      EXPECT_TRUE(a.is_zero() || s[a.is_negative() ? 1 : 0] != '0');
      EXPECT_EQ(s.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos);
      std::string_view digits = s;
      if (a.is_negative()) digits.remove_prefix(1);
      std::optional<BigInt> b = BigInt::parse(digits, radix);
      ASSERT_TRUE(b);
      EXPECT_EQ(a.is_negative() ? -*b : *b, a);
    }
  }
  // Printing agrees with the standard library where both can print.
  for (int i = 0; i < 200; i++) {
    uint64_t v = rng.next() >> (rng.next() % 64);
    EXPECT_EQ(BigInt::from_uint64(v).to_string(), std::to_string(v));
  }
}

TEST(BigInt, Compare) {
  BigInt one = BigInt::from_int64(1);
  std::vector<BigInt> sorted = {-pow2(128), -pow2(64) - one, -pow2(64),      -one,     BigInt(),
                                one,        pow2(64),        pow2(64) + one, pow2(128)};
  for (size_t i = 0; i < sorted.size(); i++) {
    for (size_t j = 0; j < sorted.size(); j++) {
      EXPECT_EQ(compare(sorted[i], sorted[j]), i < j ? -1 : i > j ? 1 : 0) << i << " " << j;
      EXPECT_EQ(sorted[i] == sorted[j], i == j);
    }
  }
}

TEST(BigInt, AddSubCarries) {
  BigInt one = BigInt::from_int64(1);
  EXPECT_EQ(BigInt::from_uint64(kOnes) + one, pow2(64));
  EXPECT_EQ(pow2(64) - one, BigInt::from_uint64(kOnes));
  EXPECT_EQ(L({kOnes, kOnes, kOnes}) + one, pow2(192));
  EXPECT_EQ(pow2(192) - one, L({kOnes, kOnes, kOnes}));
  EXPECT_EQ((pow2(192) - one).limbs().size(), 3u);
  EXPECT_EQ(one - pow2(192), L({kOnes, kOnes, kOnes}, true));
  EXPECT_EQ(L({kOnes, kOnes}) + L({kOnes, kOnes}), L({kOnes - 1, kOnes, 1}));
  EXPECT_EQ(pow2(128) + -pow2(128), BigInt());
  EXPECT_EQ(-pow2(64) + BigInt::from_uint64(kOnes), -one);
  EXPECT_EQ(N("-5") + N("3"), N("-2"));
  EXPECT_EQ(N("3") + N("-5"), N("-2"));
  EXPECT_EQ(N("-3") - N("-5"), N("2"));
  EXPECT_EQ(N("-3") - N("5"), N("-8"));
  EXPECT_EQ(N("100000000000000000000000000") - N("1"), N("99999999999999999999999999"));

  // Against 128-bit arithmetic for int64 operands.
  Rng rng{2};
  for (int i = 0; i < 2000; i++) {
    int64_t x = static_cast<int64_t>(rng.next() >> (rng.next() % 64));
    int64_t y = static_cast<int64_t>(rng.next() >> (rng.next() % 64));
    if (rng.next() % 2) x = -x;
    if (rng.next() % 2) y = -y;
    if (i == 0) x = y = std::numeric_limits<int64_t>::min();
    BigInt a = BigInt::from_int64(x), b = BigInt::from_int64(y);
    EXPECT_EQ((a + b).to_string(), i128_string(I128{x} + y));
    EXPECT_EQ((a - b).to_string(), i128_string(I128{x} - y));
    EXPECT_EQ((a * b).to_string(), i128_string(I128{x} * y));
  }
}

TEST(BigInt, Multiply) {
  EXPECT_EQ(BigInt::from_uint64(kOnes) * BigInt::from_uint64(kOnes),
            N("340282366920938463426481119284349108225"));
  EXPECT_EQ(N("12345678901234567890") * N("98765432109876543210"),
            N("1219326311370217952237463801111263526900"));
  EXPECT_EQ(N("-12345678901234567890") * N("98765432109876543210"),
            N("-1219326311370217952237463801111263526900"));
  EXPECT_EQ(N("-12345678901234567890") * N("-98765432109876543210"),
            N("1219326311370217952237463801111263526900"));
  EXPECT_EQ(pow2(100) * pow2(200), pow2(300));
  EXPECT_EQ(L({kOnes, kOnes, kOnes}) * L({kOnes, kOnes}),
            pow2(320) - pow2(192) - pow2(128) + BigInt::from_int64(1));
  BigInt f = BigInt::from_int64(1);
  for (int i = 2; i <= 30; i++) f = f * BigInt::from_int64(i);
  EXPECT_EQ(f.to_string(), "265252859812191058636308480000000");

  Rng rng{3};
  for (int i = 0; i < 300; i++) {
    BigInt a = rng.big(6), b = rng.big(6), c = rng.big(3);
    EXPECT_EQ((a + b) * (a - b), a * a - b * b);
    EXPECT_EQ(a * (b + c), a * b + a * c);
    EXPECT_EQ(a * b, b * a);
  }
}

TEST(BigInt, DivmodSmall) {
  // Truncation against C++ on int64 operands (INT64_MIN / -1 overflows int64 but not BigInt).
  Rng rng{4};
  for (int i = 0; i < 3000; i++) {
    int64_t x = static_cast<int64_t>(rng.next() >> (rng.next() % 64));
    int64_t y = static_cast<int64_t>(rng.next() >> (rng.next() % 64));
    if (rng.next() % 2) x = -x;
    if (rng.next() % 2) y = -y;
    if (y == 0) continue;
    BigInt q, r;
    BigInt::divmod(BigInt::from_int64(x), BigInt::from_int64(y), &q, &r);
    EXPECT_EQ(q.to_string(), i128_string(I128{x} / y)) << x << " / " << y;
    EXPECT_EQ(r.to_string(), i128_string(I128{x} % y)) << x << " % " << y;
  }
  BigInt q, r;
  BigInt::divmod(BigInt::from_int64(std::numeric_limits<int64_t>::min()), BigInt::from_int64(-1),
                 &q, &r);
  EXPECT_EQ(q, pow2(63));
  EXPECT_TRUE(r.is_zero());
  BigInt::divmod(N("-7"), N("2"), &q, &r);
  EXPECT_EQ(q, N("-3"));
  EXPECT_EQ(r, N("-1"));
  BigInt::divmod(N("7"), N("-2"), &q, &r);
  EXPECT_EQ(q, N("-3"));
  EXPECT_EQ(r, N("1"));
  BigInt::divmod(N("-7"), N("-2"), &q, &r);
  EXPECT_EQ(q, N("3"));
  EXPECT_EQ(r, N("-1"));
  BigInt::divmod(N("-6"), N("2"), &q, &r);
  EXPECT_EQ(q, N("-3"));
  EXPECT_FALSE(r.is_negative());
  BigInt::divmod(N("-1"), N("100000000000000000000000000"), &q, &r);
  EXPECT_TRUE(q.is_zero());
  EXPECT_FALSE(q.is_negative());
  EXPECT_EQ(r, N("-1"));
}

TEST(BigInt, DivmodKnown) {
  BigInt q, r;
  BigInt::divmod(N("123456789123456789123456789123456789123456789"),
                 N("987654321987654321987654321"), &q, &r);
  EXPECT_EQ(q, N("124999998860937500"));
  EXPECT_EQ(r, N("14062500137519289137519289"));
  BigInt::divmod(pow2(256) - BigInt::from_int64(1), pow2(191), &q, &r);
  EXPECT_EQ(q, pow2(65) - BigInt::from_int64(1));
  EXPECT_EQ(r, pow2(191) - BigInt::from_int64(1));
  // Single-limb divisor path across many limbs.
  BigInt::divmod(pow2(640) + BigInt::from_int64(5), BigInt::from_int64(2), &q, &r);
  EXPECT_EQ(q, pow2(639) + BigInt::from_int64(2));
  EXPECT_EQ(r, BigInt::from_int64(1));
  // Null outputs and outputs aliasing inputs.
  BigInt a = N("1000000000000000000000000000000000000001"), b = N("-3000000000000000000000");
  BigInt::divmod(a, b, &q, nullptr);
  BigInt::divmod(a, b, nullptr, &r);
  BigInt aa = a, bb = b;
  BigInt::divmod(aa, bb, &aa, &bb);
  EXPECT_EQ(aa, q);
  EXPECT_EQ(bb, r);
  EXPECT_EQ(q * b + r, a);
}

TEST(BigInt, DivmodKnuthCorrection) {
  BigInt q, r;
  // 2^192 / (2^128 + 1): the first quotient estimate is one too large even after the two-limb
  // refinement, so algorithm D must add the divisor back (step D6).
  BigInt::divmod(pow2(192), L({1, 0, 1}), &q, &r);
  EXPECT_EQ(q, BigInt::from_uint64(kOnes));
  EXPECT_EQ(r, L({1, kOnes}));
  BigInt::divmod(L({0, 0, 0, 1}), L({1, 0, kTop}), &q, &r);
  EXPECT_EQ(q, BigInt::from_int64(1));
  EXPECT_EQ(r, pow2(192) - L({1, 0, kTop}));

  // Divisors with top limb 0x8000... (no normalizing shift) and all-ones dividends, where the top
  // remainder limb equals the divisor's top limb and the estimate saturates at 2^64 - 1.
  for (size_t n = 2; n <= 5; n++) {
    for (size_t m = n; m <= n + 4; m++) {
      std::vector<Limb> v(n, 0);
      v[n - 1] = kTop;
      check_divmod(L(std::vector<Limb>(m, kOnes)), L(v));
      v[0] = 1;
      check_divmod(L(std::vector<Limb>(m, kOnes)), L(v));
      v[0] = kOnes;
      check_divmod(L(std::vector<Limb>(m, kOnes)), L(v));
      std::vector<Limb> w(n, kOnes);
      w[n - 1] = kTop;
      check_divmod(L(std::vector<Limb>(m, kOnes)), L(w));
      check_divmod(L(std::vector<Limb>(m, kOnes)), L(std::vector<Limb>(n, kOnes)));
    }
  }

  // Every 4-limb / 3-limb combination of awkward limbs (hits D6 thousands of times).
  const Limb vals[] = {0, 1, kTop - 1, kTop, kOnes - 1, kOnes};
  for (Limb a0 : vals)
    for (Limb a1 : vals)
      for (Limb a2 : vals)
        for (Limb a3 : vals)
          for (Limb b0 : vals)
            for (Limb b1 : vals)
              for (Limb b2 : {Limb{1}, kTop - 1, kTop, kOnes}) {
                BigInt a = L({a0, a1, a2, a3}), b = L({b0, b1, b2});
                BigInt::divmod(a, b, &q, &r);
                ASSERT_EQ(q * b + r, a) << a.to_string(16) << " / " << b.to_string(16);
                ASSERT_LT(compare(r, b), 0) << a.to_string(16) << " / " << b.to_string(16);
              }
}

TEST(BigInt, DivmodRandom) {
  Rng rng{5};
  for (int i = 0; i < 3000; i++) {
    BigInt a = rng.big(10), b = rng.big(6);
    if (b.is_zero()) continue;
    check_divmod(a, b);
    check_divmod(a * b + rng.big(2), b);
  }
  // Against binary long division.
  for (int i = 0; i < 200; i++) {
    BigInt a = abs(rng.big(6)), b = abs(rng.big(4));
    if (b.is_zero()) continue;
    BigInt q, r, sq, sr;
    BigInt::divmod(a, b, &q, &r);
    slow_divmod(a, b, &sq, &sr);
    EXPECT_EQ(q, sq) << a.to_string(16) << " / " << b.to_string(16);
    EXPECT_EQ(r, sr) << a.to_string(16) << " / " << b.to_string(16);
  }
}

TEST(BigInt, Gcd) {
  EXPECT_EQ(BigInt::gcd(BigInt(), BigInt()), BigInt());
  EXPECT_EQ(BigInt::gcd(BigInt(), N("-5")), N("5"));
  EXPECT_EQ(BigInt::gcd(N("-5"), BigInt()), N("5"));
  EXPECT_EQ(BigInt::gcd(N("12"), N("18")), N("6"));
  EXPECT_EQ(BigInt::gcd(N("-12"), N("18")), N("6"));
  EXPECT_EQ(BigInt::gcd(N("-12"), N("-18")), N("6"));
  EXPECT_EQ(BigInt::gcd(pow2(200), pow2(150) * N("3")), pow2(150));
  // Consecutive Fibonacci numbers are coprime: the worst case for Euclid.
  BigInt f0, f1 = BigInt::from_int64(1);
  for (int i = 0; i < 400; i++) {
    BigInt f2 = f0 + f1;
    f0 = f1;
    f1 = f2;
  }
  EXPECT_GT(f1.bit_length(), 256u);
  EXPECT_EQ(BigInt::gcd(f1, f0), BigInt::from_int64(1));
  Rng rng{6};
  for (int i = 0; i < 200; i++) {
    BigInt a = rng.big(4), b = rng.big(4), c = abs(rng.big(3));
    BigInt g = BigInt::gcd(a * c, b * c);
    EXPECT_FALSE(g.is_negative());
    if (c.is_zero()) {
      EXPECT_TRUE(g.is_zero());
      continue;
    }
    BigInt r;
    BigInt::divmod(g, c, nullptr, &r);
    EXPECT_TRUE(r.is_zero());  // c divides the gcd
    if (!g.is_zero()) {
      BigInt::divmod(a * c, g, nullptr, &r);
      EXPECT_TRUE(r.is_zero());
      BigInt::divmod(b * c, g, nullptr, &r);
      EXPECT_TRUE(r.is_zero());
    }
  }
}

TEST(BigInt, Shifts) {
  BigInt a = N("-123456789012345678901234567890");
  for (size_t s : {0, 1, 7, 63, 64, 65, 127, 128, 200}) {
    EXPECT_EQ(a.shifted_left(s), a * pow2(s)) << s;
    EXPECT_EQ(a.shifted_left(s).shifted_right(s), a) << s;
    BigInt q;
    BigInt::divmod(a, pow2(s), &q, nullptr);
    EXPECT_EQ(a.shifted_right(s), q) << s;  // rounds toward zero, like divmod
  }
  EXPECT_EQ(N("-5").shifted_right(1), N("-2"));
  EXPECT_EQ(N("5").shifted_right(1), N("2"));
  EXPECT_EQ(a.shifted_right(a.bit_length()), BigInt());
  EXPECT_EQ(a.shifted_right(a.bit_length() - 1), N("-1"));
  EXPECT_EQ(a.shifted_right(100000), BigInt());
  EXPECT_EQ(BigInt().shifted_left(1000), BigInt());
  EXPECT_EQ(pow2(1000).bit_length(), 1001u);
  EXPECT_EQ(pow2(1000).limbs().size(), 16u);
}

TEST(BigInt, ToDouble) {
  EXPECT_EQ(BigInt::from_int64(1).to_double(), 1.0);
  EXPECT_EQ(BigInt::from_int64(-1).to_double(), -1.0);
  EXPECT_EQ(pow2(64).to_double(), 18446744073709551616.0);
  EXPECT_EQ(BigInt::from_uint64(kOnes).to_double(), 18446744073709551616.0);
  EXPECT_EQ((-pow2(200)).to_double(), -std::ldexp(1.0, 200));
  EXPECT_EQ(N("99999999999999999999").to_double(), 1e20);
  EXPECT_EQ(N("1" + std::string(300, '0')).to_double(), 1e300);
  // Ties go to even; a set bit far below the top 64 must still break the tie upward.
  BigInt one = BigInt::from_int64(1);
  EXPECT_EQ((pow2(100) + pow2(47)).to_double(), std::ldexp(1.0, 100));
  EXPECT_EQ((pow2(100) + pow2(47) + one).to_double(), std::ldexp(1.0, 100) + std::ldexp(1.0, 48));
  EXPECT_EQ((pow2(100) + pow2(48) + pow2(47)).to_double(),
            std::ldexp(1.0, 100) + std::ldexp(1.0, 49));
  EXPECT_EQ((pow2(53) + one).to_double(), std::ldexp(1.0, 53));
  // The largest double, and the point above it where rounding reaches 2^1024.
  BigInt max = (pow2(53) - one).shifted_left(971);
  EXPECT_EQ(max.to_double(), std::numeric_limits<double>::max());
  EXPECT_EQ((max + pow2(969)).to_double(), std::numeric_limits<double>::max());
  EXPECT_EQ((max + pow2(970)).to_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(pow2(1024).to_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ((-pow2(5000)).to_double(), -std::numeric_limits<double>::infinity());
  Rng rng{7};
  for (int i = 0; i < 200; i++) {
    uint64_t v = rng.next();
    EXPECT_EQ(BigInt::from_uint64(v).to_double(), static_cast<double>(v));
    EXPECT_EQ(BigInt::from_uint64(v).shifted_left(300).to_double(),
              std::ldexp(static_cast<double>(v), 300));
  }
}

TEST(BigInt, BitLength) {
  EXPECT_EQ(BigInt::from_int64(1).bit_length(), 1u);
  EXPECT_EQ(BigInt::from_int64(-255).bit_length(), 8u);
  EXPECT_EQ(BigInt::from_int64(256).bit_length(), 9u);
  EXPECT_EQ(BigInt::from_uint64(kOnes).bit_length(), 64u);
  EXPECT_EQ(pow2(64).bit_length(), 65u);
  EXPECT_EQ(L({0, 0, 1}).bit_length(), 129u);
}

std::string random_digits(size_t n, int radix, uint64_t seed) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  Rng rng{seed};
  std::string s(n, '0');
  for (char& c : s) c = kDigits[rng.next() % radix];
  s[0] = kDigits[1 + rng.next() % (radix - 1)];
  return s;
}

TEST(BigInt, HundredThousandDigits) {
  for (int radix : {10, 16, 7}) {
    std::string s = random_digits(100000, radix, 8);
    auto t0 = std::chrono::steady_clock::now();
    std::optional<BigInt> a = BigInt::parse(s, radix);
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(a);
    std::string back = a->to_string(radix);
    auto t2 = std::chrono::steady_clock::now();
    EXPECT_TRUE(back == s) << "radix " << radix;
    using Ms = std::chrono::duration<double, std::milli>;
    std::cout << "radix " << radix << ", 100000 digits: parse " << Ms(t1 - t0).count()
              << " ms, to_string " << Ms(t2 - t1).count() << " ms\n";
  }
  // A power of ten checks the zero padding of inner chunks.
  std::string p = "1" + std::string(99999, '0');
  EXPECT_EQ(BigInt::parse(p, 10)->to_string(), p);
  // The hex and decimal paths agree with each other.
  BigInt h = *BigInt::parse(random_digits(20000, 16, 9), 16);
  EXPECT_EQ(*BigInt::parse(h.to_string(10), 10), h);
}

}  // namespace
}  // namespace lona
