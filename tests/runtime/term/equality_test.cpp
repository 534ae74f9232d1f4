// Tests for runtime/term/equality: the language's `=` (lonala-reference sections 3 and 8.1 rows
// 6, 8, 9) and the hash that must agree with it. The main test is a corpus of equivalence classes,
// each holding terms built in different ways (other allocations, another heap, other integer
// representations, other insertion orders, with and without metadata): every pair is equal exactly
// when it is in the same class, and equal pairs hash alike.
#include "runtime/term/equality.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/term/collections.hpp"
#include "runtime/term/hash.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "tests/support/term_builder.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

BigInt B(int64_t v) { return BigInt::from_int64(v); }
BigInt pow2(size_t n) { return BigInt::from_int64(1).shifted_left(n); }

using Build = TermBuilder;

Term K(std::string_view s) { return make_keyword(s); }
Term Y(std::string_view s) { return make_symbol(s); }

class EqualityTest : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(h.collections(), 0u) << "the test assumed no collection";
    EXPECT_EQ(h2.collections(), 0u) << "the test assumed no collection";
  }
  Heap h{1 << 17};
  Heap h2{1 << 17};
  Build a{h};
  Build b{h2};
};

void expect_equal(Term x, Term y) {
  EXPECT_TRUE(equal(x, y)) << print(x) << " vs " << print(y);
  EXPECT_TRUE(equal(y, x)) << print(y) << " vs " << print(x);
  EXPECT_EQ(hash(x), hash(y)) << print(x) << " vs " << print(y);
}

void expect_not_equal(Term x, Term y) {
  EXPECT_FALSE(equal(x, y)) << print(x) << " vs " << print(y);
  EXPECT_FALSE(equal(y, x)) << print(y) << " vs " << print(x);
}

// --- numbers -------------------------------------------------------------------------------------

TEST_F(EqualityTest, IntegersAreEqualByValueWhateverTheRepresentation) {
  expect_equal(a.I(42), a.BigN(B(42)));
  expect_equal(a.BigN(B(42)), b.BigN(B(42)));
  expect_equal(a.I(0), a.BigN(BigInt()));
  expect_equal(a.I(-1), a.BigN(B(-1)));
  expect_equal(a.I(Term::kFixnumMax), a.BigN(B(Term::kFixnumMax)));
  expect_equal(a.I(Term::kFixnumMin), a.BigN(B(Term::kFixnumMin)));
  expect_equal(a.I(Term::kFixnumMax + 1), b.Int(B(Term::kFixnumMax + 1)));
  expect_equal(a.I(Term::kFixnumMax + 1), a.BigN(B(Term::kFixnumMax + 1)));
  int64_t min = std::numeric_limits<int64_t>::min();
  expect_equal(a.I(min), b.BigN(B(min)));
  expect_equal(a.Int(pow2(100)), b.Int(*BigInt::parse("1267650600228229401496703205376", 10)));
  expect_equal(a.Int(-pow2(100)), a.BigN(-pow2(100)));

  expect_not_equal(a.I(42), a.I(43));
  expect_not_equal(a.I(42), a.BigN(B(-42)));
  expect_not_equal(a.Int(pow2(100)), a.Int(-pow2(100)));
  expect_not_equal(a.Int(pow2(100)), a.Int(pow2(100) + B(1)));
  expect_not_equal(a.Int(pow2(64)), a.I(0));  // the low limb alone is zero
}

TEST_F(EqualityTest, IntegersAndFloatsAreNeverEqual) {
  expect_not_equal(a.I(1), a.F(1.0));
  expect_not_equal(a.I(0), a.F(0.0));
  expect_not_equal(a.I(0), a.F(-0.0));
  expect_not_equal(a.BigN(B(42)), a.F(42.0));
  expect_not_equal(a.I(int64_t{1} << 53), a.F(9007199254740992.0));
  expect_not_equal(a.Int(pow2(100)), a.F(std::ldexp(1.0, 100)));
  expect_not_equal(a.I(1), make_f32(h, 1.0f));
  // Nor ratios and floats, nor fixed-width integers and either.
  expect_not_equal(a.R(1, 2), a.F(0.5));
  expect_not_equal(a.Fx(FixedKind::kU8, 1), a.F(1.0));
  expect_not_equal(a.Fx(FixedKind::kI64, 1), a.I(1));
}

TEST_F(EqualityTest, NaNIsNotEqualToAnything) {
  Term nan = a.F(std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(equal(nan, nan));  // not even the same term
  expect_not_equal(nan, a.F(std::numeric_limits<double>::quiet_NaN()));
  expect_not_equal(nan, b.F(-std::numeric_limits<double>::quiet_NaN()));
  Term nan32 = make_f32(h, std::numeric_limits<float>::quiet_NaN());
  EXPECT_FALSE(equal(nan32, nan32));
  expect_not_equal(nan, nan32);
  expect_not_equal(nan, a.F(0.0));
  expect_not_equal(nan, a.I(0));
  expect_not_equal(nan, Term::nil());
  // Two collections holding NaN are not equal either.
  expect_not_equal(a.tup({nan}), a.tup({nan}));
  expect_not_equal(a.lst({nan}), b.lst({b.F(std::numeric_limits<double>::quiet_NaN())}));
}

TEST_F(EqualityTest, SignedZerosAreEqualAndHashAlike) {
  expect_equal(a.F(0.0), a.F(-0.0));
  expect_equal(a.F(-0.0), b.F(-0.0));
  expect_equal(make_f32(h, -0.0f), make_f32(h2, 0.0f));
  expect_equal(a.tup({a.F(0.0)}), a.tup({a.F(-0.0)}));
  expect_equal(a.set({a.F(0.0)}), b.set({b.F(-0.0)}));
  expect_equal(a.map({a.F(-0.0), K("z")}), b.map({b.F(0.0), K("z")}));
  expect_not_equal(a.F(0.0), a.F(std::numeric_limits<double>::denorm_min()));
}

TEST_F(EqualityTest, FloatsFollowIEEE) {
  double inf = std::numeric_limits<double>::infinity();
  expect_equal(a.F(1.5), b.F(1.5));
  expect_equal(a.F(inf), b.F(inf));
  expect_not_equal(a.F(inf), a.F(-inf));
  expect_not_equal(a.F(0.1), a.F(0.1 + 1e-17 * 2));
  // An f32 holds its own value, which is not the f64 with the same digits.
  expect_not_equal(make_f32(h, 0.1f), a.F(0.1));
  expect_equal(make_f32(h, 0.1f), make_f32(h2, 0.1f));
  // Whether 1.5f32 = 1.5 is not specified; if it is, it must hash alike.
  Term f32 = make_f32(h, 1.5f), f64 = a.F(1.5);
  if (equal(f32, f64)) {
    EXPECT_EQ(hash(f32), hash(f64));
  }
}

TEST_F(EqualityTest, RatiosCompareReduced) {
  expect_equal(a.R(1, 2), b.R(2, 4));
  expect_equal(a.R(-1, 2), b.R(3, -6));
  expect_equal(make_ratio(h, pow2(100) + B(1), pow2(80)),
               make_ratio(h2, (pow2(100) + B(1)) * B(3), pow2(80) * B(3)));
  expect_not_equal(a.R(1, 2), a.R(-1, 2));
  expect_not_equal(a.R(1, 2), a.R(1, 3));
  expect_not_equal(a.R(1, 2), a.R(2, 3));
  expect_not_equal(a.R(4, 2), a.R(1, 2));
  expect_equal(a.R(4, 2), a.I(2));  // it is the integer 2
}

TEST_F(EqualityTest, FixedWidthOnlyEqualToTheSameKindAndValue) {
  std::vector<FixedKind> kinds = {FixedKind::kU8,  FixedKind::kU16, FixedKind::kU32,
                                  FixedKind::kU64, FixedKind::kI8,  FixedKind::kI16,
                                  FixedKind::kI32, FixedKind::kI64};
  for (FixedKind k1 : kinds) {
    for (FixedKind k2 : kinds) {
      Term x = a.Fx(k1, 42), y = b.Fx(k2, 42);
      if (k1 == k2) {
        expect_equal(x, y);
      } else {
        expect_not_equal(x, y);
      }
    }
    expect_not_equal(a.Fx(k1, 42), a.Fx(k1, 43));
    expect_not_equal(a.Fx(k1, 42), a.I(42));
    expect_not_equal(a.Fx(k1, 42), a.BigN(B(42)));
  }
  // Same 64 bits, different kinds.
  Term u64max = *make_fixed(h, FixedKind::kU64, pow2(64) - B(1));
  Term minus1 = a.Fx(FixedKind::kI64, -1);
  EXPECT_EQ(fixed_bits(u64max), fixed_bits(minus1));
  expect_not_equal(u64max, minus1);
  expect_equal(u64max, *make_fixed(h2, FixedKind::kU64, pow2(64) - B(1)));
  expect_equal(a.Fx(FixedKind::kI8, -128), b.Fx(FixedKind::kI8, -128));
}

// --- text, names, immediates ---------------------------------------------------------------------

TEST_F(EqualityTest, StringsAndBinariesCompareBytes) {
  expect_equal(a.S("hello"), a.S("hello"));
  expect_equal(a.S("hello"), b.S("hello"));
  expect_equal(a.S(""), b.S(""));
  expect_equal(a.S(std::string("a\0b", 3)), b.S(std::string("a\0b", 3)));
  std::string long_text(10000, 'x');
  expect_equal(a.S(long_text), b.S(long_text));
  expect_not_equal(a.S(std::string("a\0b", 3)), a.S(std::string("a\0c", 3)));
  expect_not_equal(a.S(std::string("a\0", 2)), a.S("a"));  // lengths differ only by a NUL
  expect_not_equal(a.S("hello"), a.S("hellO"));
  expect_not_equal(a.S(long_text), a.S(long_text + "x"));
  expect_equal(a.Bin("\x01\x02"), b.Bin("\x01\x02"));
  expect_not_equal(a.S("abc"), a.Bin("abc"));  // string vs binary: different kinds
  expect_not_equal(a.S(""), a.Bin(""));
  expect_not_equal(a.S("a"), Term::character('a'));
  expect_not_equal(a.S("foo"), Y("foo"));
}

TEST_F(EqualityTest, SymbolsKeywordsCharsAndConstants) {
  expect_equal(Y("foo"), Y("foo"));
  expect_not_equal(Y("foo"), Y("bar"));
  expect_not_equal(Y("foo"), K("foo"));  // same intern entry, different kinds
  expect_not_equal(Y("a/foo"), Y("foo"));
  expect_equal(K("a/foo"), K("a/foo"));
  expect_equal(Term::character(0x1F600), Term::character(0x1F600));
  expect_not_equal(Term::character('a'), Term::character('A'));
  expect_not_equal(Term::character('1'), a.I(1));
  expect_not_equal(Term::nil(), Term::boolean(false));
  expect_not_equal(Term::nil(), Term::empty_list());
  expect_not_equal(Term::empty_list(), a.tup({}));
  expect_not_equal(Term::boolean(true), a.I(1));
  expect_equal(Term::nil(), Term::nil());
  expect_equal(Term::empty_list(), Term::empty_list());
}

// --- sequences
// ---------------------------------------------------------------------------------------

TEST_F(EqualityTest, ListTupleAndVectorWithTheSameElementsDiffer) {
  Term l = a.lst({a.I(1), a.I(2)});
  Term t = a.tup({a.I(1), a.I(2)});
  Term v = a.vec({a.I(1), a.I(2)});
  expect_not_equal(l, t);
  expect_not_equal(l, v);
  expect_not_equal(t, v);
  expect_not_equal(a.tup({}), a.vec({}));
  expect_not_equal(Term::empty_list(), a.vec({}));
  expect_equal(l, b.cons_list({b.I(1), b.BigN(B(2))}));
  expect_equal(t, b.tup({b.BigN(B(1)), b.I(2)}));
  expect_equal(v, b.vec({b.I(1), b.I(2)}));
}

TEST_F(EqualityTest, ListsOfDifferentLengthsOrTails) {
  Term l1 = a.lst({a.I(1)});
  Term l12 = a.lst({a.I(1), a.I(2)});
  Term l123 = a.lst({a.I(1), a.I(2), a.I(3)});
  expect_not_equal(Term::empty_list(), l1);
  expect_not_equal(l1, l12);
  expect_not_equal(l12, l123);
  expect_not_equal(l123, l12);
  // Improper lists compare their tails.
  Term dotted = a.cons_list({a.I(1)}, a.I(2));
  expect_not_equal(dotted, l12);
  expect_not_equal(dotted, l1);
  expect_equal(dotted, b.cons_list({b.BigN(B(1))}, b.BigN(B(2))));
  expect_not_equal(dotted, a.cons_list({a.I(1)}, a.I(3)));
  expect_not_equal(dotted, a.cons_list({a.I(1)}, a.tup({a.I(2)})));
  expect_not_equal(a.cons_list({a.I(1), a.I(2)}, a.I(3)), l123);
  expect_not_equal(a.cons_list({a.I(1)}, Term::nil()), l1);  // nil is not the empty list
  // Nesting.
  expect_equal(a.lst({l12, a.tup({l1})}),
               b.lst({b.lst({b.I(1), b.I(2)}), b.tup({b.lst({b.I(1)})})}));
  expect_not_equal(a.lst({l12}), a.lst({l123}));
  expect_not_equal(a.lst({l1, l1}), a.lst({l1}));
}

TEST_F(EqualityTest, ArraysCompareElementByElement) {
  expect_not_equal(a.tup({a.I(1)}), a.tup({a.I(1), a.I(2)}));
  expect_not_equal(a.tup({a.I(1), a.I(2)}), a.tup({a.I(2), a.I(1)}));
  expect_not_equal(a.vec({a.S("a")}), a.vec({a.Bin("a")}));
  expect_equal(a.vec({a.S("a"), a.tup({})}), b.vec({b.S("a"), b.tup({})}));
  expect_not_equal(a.tup({a.tup({})}), a.tup({a.vec({})}));
}

// --- maps and sets
// -----------------------------------------------------------------------------------

// n entries k<i> -> i, in the given order of i.
Term numbered_map(Build& x, const std::vector<int64_t>& order) {
  std::vector<Term> kvs;
  for (int64_t i : order) {
    kvs.push_back(x.S("k" + std::to_string(i)));
    kvs.push_back(x.I(i));
  }
  return x.map(kvs);
}

// n entries [i] -> i (the value of `changed` off by 100), in the given order of i: keys that are
// collections of one kind and size, which equality must tell apart by looking inside.
Term tuple_keyed_map(Build& x, const std::vector<int64_t>& order, int64_t changed = -1) {
  std::vector<Term> kvs;
  for (int64_t i : order) {
    kvs.push_back(x.tup({x.I(i)}));
    kvs.push_back(x.I(i == changed ? i + 100 : i));
  }
  return x.map(kvs);
}

std::vector<int64_t> iota(int64_t n, bool reversed = false) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(reversed ? n - 1 - i : i);
  return v;
}

TEST_F(EqualityTest, SmallMapsIgnoreInsertionOrder) {
  Term m1 = a.map({K("a"), a.I(1), K("b"), a.I(2), K("c"), a.I(3)});
  Term m2 = b.map({K("c"), b.I(3), K("a"), b.I(1), K("b"), b.I(2)});
  ASSERT_FALSE(has_hash_index(m1));
  expect_equal(m1, m2);
  expect_equal(m1, a.map({K("b"), a.I(0), K("c"), a.I(3), K("a"), a.I(1), K("b"), a.I(2)}));
  expect_not_equal(m1, a.map({K("a"), a.I(1), K("b"), a.I(2), K("c"), a.I(4)}));
  expect_not_equal(m1, a.map({K("a"), a.I(1), K("b"), a.I(2), K("d"), a.I(3)}));
  expect_not_equal(m1, a.map({K("a"), a.I(1), K("b"), a.I(2)}));
  expect_not_equal(a.map({K("a"), a.I(1), K("b"), a.I(2)}), m1);
  expect_not_equal(m1, a.set({K("a"), K("b"), K("c")}));
  expect_not_equal(a.map({}), a.set({}));
  expect_equal(a.map({}), b.map({}));
  // Keys equal across representations.
  expect_equal(a.map({a.I(42), K("v")}), b.map({b.BigN(B(42)), K("v")}));
  expect_equal(a.map({K("k"), a.I(42)}), b.map({K("k"), b.BigN(B(42))}));
}

TEST_F(EqualityTest, IndexedMapsIgnoreInsertionOrder) {
  Term fwd = numbered_map(a, iota(40));
  Term rev = numbered_map(b, iota(40, true));
  ASSERT_TRUE(has_hash_index(fwd));
  ASSERT_TRUE(has_hash_index(rev));
  EXPECT_NE(print(fwd), print(rev));  // really different orders
  expect_equal(fwd, rev);

  std::vector<int64_t> shuffled;
  for (int64_t i = 0; i < 40; ++i) shuffled.push_back((i * 17) % 40);
  expect_equal(fwd, numbered_map(a, shuffled));

  std::vector<int64_t> missing = iota(41);
  missing.erase(missing.begin() + 7);  // 40 entries, one key different
  expect_not_equal(fwd, numbered_map(a, missing));

  std::vector<Term> kvs;  // one value different
  for (int64_t i = 0; i < 40; ++i) {
    kvs.push_back(a.S("k" + std::to_string(i)));
    kvs.push_back(a.I(i == 23 ? -1 : i));
  }
  expect_not_equal(fwd, a.map(kvs));
}

TEST_F(EqualityTest, SmallVersusIndexedMaps) {
  Term small = numbered_map(a, iota(kIndexThreshold));
  Term indexed = numbered_map(a, iota(kIndexThreshold + 1));
  ASSERT_FALSE(has_hash_index(small));
  ASSERT_TRUE(has_hash_index(indexed));
  expect_not_equal(small, indexed);  // a strict subset, both ways round

  // The same nine entries built differently: reversed, with duplicate keys whose last value is
  // the right one, integer values as explicit bigints, and metadata.
  std::vector<Term> kvs;
  for (int64_t i = static_cast<int64_t>(kIndexThreshold); i >= 0; --i) {
    kvs.push_back(b.S("k" + std::to_string(i)));
    kvs.push_back(b.I(1000 + i));  // overwritten below
  }
  for (int64_t i = 0; i <= static_cast<int64_t>(kIndexThreshold); ++i) {
    kvs.push_back(b.S("k" + std::to_string(i)));
    kvs.push_back(b.BigN(B(i)));
  }
  Term other = b.meta(b.map(kvs), b.map({K("m"), Term::boolean(true)}));
  ASSERT_TRUE(has_hash_index(other));
  expect_equal(indexed, other);

  // A map that collapses from many pairs to a small one equals one built small.
  std::vector<Term> dup;
  for (int64_t round = 0; round < 3; ++round) {
    for (int64_t i = 0; i < 5; ++i) {
      dup.push_back(a.S("k" + std::to_string(i)));
      dup.push_back(a.I(i));
    }
  }
  Term collapsed = a.map(dup);
  ASSERT_FALSE(has_hash_index(collapsed));
  expect_equal(collapsed, numbered_map(b, iota(5, true)));
}

TEST_F(EqualityTest, SetsIgnoreInsertionOrder) {
  expect_equal(a.set({a.I(1), a.I(2), a.I(3)}), b.set({b.I(3), b.I(1), b.I(2)}));
  expect_equal(a.set({a.I(1), a.I(2)}), b.set({b.I(2), b.BigN(B(1)), b.I(2), b.I(1)}));
  expect_not_equal(a.set({a.I(1), a.I(2), a.I(3)}), a.set({a.I(1), a.I(2), a.I(4)}));
  expect_not_equal(a.set({a.I(1), a.I(2)}), a.set({a.I(1), a.I(2), a.I(3)}));
  expect_not_equal(a.set({a.I(1)}), a.set({a.F(1.0)}));

  std::vector<Term> xs, ys, zs;
  for (int64_t i = 0; i < 60; ++i) {
    xs.push_back(a.S(std::to_string(i)));
    ys.push_back(b.S(std::to_string(59 - i)));
    zs.push_back(a.S(std::to_string(i == 0 ? 60 : i)));
  }
  Term sx = a.set(xs), sy = b.set(ys), sz = a.set(zs);
  ASSERT_TRUE(has_hash_index(sx));
  expect_equal(sx, sy);
  expect_not_equal(sx, sz);

  // Small versus indexed.
  std::vector<Term> nine, eight;
  for (int64_t i = 0; i < 9; ++i) nine.push_back(a.I(i));
  for (int64_t i = 0; i < 8; ++i) eight.push_back(a.I(i));
  expect_not_equal(a.set(nine), a.set(eight));
  std::vector<Term> nine_dups;
  for (int64_t i = 8; i >= 0; --i) {
    nine_dups.push_back(b.BigN(B(i)));
    nine_dups.push_back(b.I(i));
  }
  expect_equal(a.set(nine), b.set(nine_dups));
}

TEST_F(EqualityTest, MetadataIsIgnored) {
  Term meta = a.map({K("doc"), a.S("x")});
  Term other = a.map({K("doc"), a.S("y")});
  Term sym = Y("meta-ignored");
  expect_equal(a.meta(sym, meta), sym);
  expect_equal(a.meta(sym, meta), a.meta(sym, other));
  expect_not_equal(a.meta(sym, meta), a.meta(Y("meta-other"), meta));
  expect_not_equal(a.meta(sym, meta), K("meta-ignored"));

  std::vector<Term> bases = {a.tup({a.I(1)}), a.vec({a.I(1)}), a.map({K("a"), a.I(1)}),
                             a.set({a.I(1)}), numbered_map(a, iota(20))};
  for (Term t : bases) {
    expect_equal(t, a.meta(t, meta));
    expect_equal(a.meta(t, meta), a.meta(t, other));
    expect_equal(a.tup({t}), a.tup({a.meta(t, meta)}));  // nested
  }
  // Metadata values that would differ are not looked at: a map holding meta-symbols.
  expect_equal(a.map({a.meta(sym, meta), a.I(1)}), a.map({sym, a.I(1)}));
  expect_equal(a.set({a.meta(sym, meta)}), a.set({sym}));
  EXPECT_EQ(map_get(a.map({a.meta(sym, meta), a.I(1)}), sym), Term::fixnum(1));
}

// --- the corpus
// --------------------------------------------------------------------------------------

// Equivalence classes of terms: each inner vector holds mutually equal terms built differently.
std::vector<std::vector<Term>> corpus(Build& x, Build& y) {
  std::vector<std::vector<Term>> c;
  Term meta = x.map({K("meta"), x.I(1)});
  Term meta2 = y.map({K("meta"), y.S("two")});
  int64_t min64 = std::numeric_limits<int64_t>::min();
  double inf = std::numeric_limits<double>::infinity();

  // Integers.
  c.push_back({x.I(42), x.BigN(B(42)), y.BigN(B(42)), y.Int(B(42))});
  c.push_back({x.I(0), y.BigN(BigInt()), x.R(0, 5)});
  c.push_back({x.I(-1), y.BigN(B(-1)), x.R(3, -3)});
  c.push_back({x.I(Term::kFixnumMax), y.BigN(B(Term::kFixnumMax))});
  c.push_back(
      {x.I(Term::kFixnumMax + 1), y.Int(B(Term::kFixnumMax + 1)), y.BigN(B(Term::kFixnumMax + 1))});
  c.push_back({x.I(Term::kFixnumMin - 1), y.I(Term::kFixnumMin - 1)});
  c.push_back({x.I(min64), y.BigN(B(min64))});
  c.push_back({x.Int(pow2(64)), y.BigN(pow2(64)), make_ratio(x.h, pow2(66), B(4))});
  c.push_back({x.Int(pow2(100)), y.BigN(pow2(100)), make_ratio(x.h, pow2(101), B(2)),
               y.Int(*BigInt::parse("1267650600228229401496703205376", 10))});
  c.push_back({x.Int(-pow2(100)), y.Int(-pow2(100))});
  // Floats.
  c.push_back({x.F(0.0), x.F(-0.0), y.F(0.0), y.F(-0.0)});
  c.push_back({x.F(42.0), y.F(42.0)});
  c.push_back({x.F(1.5), y.F(1.5)});
  c.push_back({x.F(-1.5)});
  c.push_back({x.F(inf), y.F(inf)});
  c.push_back({x.F(-inf), y.F(-inf)});
  c.push_back({make_f32(x.h, 0.1f), make_f32(y.h, 0.1f)});
  c.push_back({x.F(0.1), y.F(0.1)});
  // Ratios.
  c.push_back({x.R(1, 2), y.R(2, 4), x.R(-3, -6)});
  c.push_back({x.R(-1, 3), y.R(1, -3), x.R(-100, 300)});
  c.push_back({x.R(3, 2), y.R(6, 4)});
  c.push_back({make_ratio(x.h, pow2(100) + B(1), pow2(80)),
               make_ratio(y.h, (pow2(100) + B(1)) * B(7), pow2(80) * B(7))});
  // Fixed-width.
  c.push_back({x.Fx(FixedKind::kU8, 42), y.Fx(FixedKind::kU8, 42)});
  c.push_back({x.Fx(FixedKind::kI8, 42), y.Fx(FixedKind::kI8, 42)});
  c.push_back({x.Fx(FixedKind::kU16, 42)});
  c.push_back({x.Fx(FixedKind::kI64, 42), y.Fx(FixedKind::kI64, 42)});
  c.push_back({*make_fixed(x.h, FixedKind::kU64, pow2(64) - B(1)),
               *make_fixed(y.h, FixedKind::kU64, pow2(64) - B(1))});
  c.push_back({x.Fx(FixedKind::kI64, -1), y.Fx(FixedKind::kI64, -1)});
  c.push_back({x.Fx(FixedKind::kU8, 0)});
  // Immediates.
  c.push_back({Term::nil()});
  c.push_back({Term::boolean(true)});
  c.push_back({Term::boolean(false)});
  c.push_back({Term::empty_list(), x.lst({}), y.cons_list({})});
  c.push_back({Term::character('a')});
  c.push_back({Term::character('b')});
  c.push_back({Term::character(0)});
  // Text.
  c.push_back({x.S("abc"), x.S("abc"), y.S("abc")});
  c.push_back({x.S(""), y.S("")});
  c.push_back({x.S(std::string("a\0b", 3)), y.S(std::string("a\0b", 3))});
  c.push_back({x.S(std::string("a\0c", 3))});
  c.push_back({x.S("0123456789abcdef"), y.S("0123456789abcdef")});  // exactly two words
  c.push_back({x.S("0123456789abcdefg")});
  c.push_back({x.Bin("abc"), y.Bin("abc")});
  c.push_back({x.Bin(""), y.Bin("")});
  // Names.
  c.push_back({Y("foo"), x.meta(Y("foo"), meta), y.meta(Y("foo"), meta2)});
  c.push_back({Y("bar")});
  c.push_back({Y("ns/foo")});
  c.push_back({K("foo")});
  c.push_back({K("ns/foo")});
  // Lists.
  c.push_back({x.lst({x.I(1), x.I(2), x.I(3)}), y.cons_list({y.I(1), y.BigN(B(2)), y.I(3)})});
  c.push_back({x.lst({x.I(1), x.I(2)}), y.lst({y.I(1), y.I(2)})});
  c.push_back({x.lst({x.I(1)}), y.cons_list({y.I(1)})});
  c.push_back({x.lst({x.I(2), x.I(1)})});
  c.push_back({x.cons_list({x.I(1)}, x.I(2)), y.cons_list({y.BigN(B(1))}, y.I(2))});
  c.push_back({x.cons_list({x.I(1), x.I(2)}, x.I(3))});
  c.push_back({x.lst({x.lst({x.I(1)})}), y.lst({y.cons_list({y.I(1)})})});
  // Tuples and vectors.
  c.push_back({x.tup({x.I(1), x.I(2), x.I(3)}), x.meta(x.tup({x.I(1), x.I(2), x.I(3)}), meta),
               y.tup({y.BigN(B(1)), y.I(2), y.I(3)})});
  c.push_back({x.vec({x.I(1), x.I(2), x.I(3)}), y.meta(y.vec({y.I(1), y.I(2), y.I(3)}), meta2)});
  c.push_back({x.tup({}), y.meta(y.tup({}), meta2)});
  c.push_back({x.vec({}), y.vec({})});
  c.push_back({x.tup({x.F(0.0)}), y.tup({y.F(-0.0)})});
  c.push_back({x.tup({x.I(0)})});
  c.push_back({x.tup({x.tup({})})});
  c.push_back({x.tup({x.vec({})})});
  // Maps.
  c.push_back({x.map({K("a"), x.I(1), K("b"), x.I(2)}), y.map({K("b"), y.I(2), K("a"), y.I(1)}),
               x.meta(x.map({K("b"), x.I(0), K("a"), x.I(1), K("b"), x.I(2)}), meta)});
  c.push_back({x.map({K("a"), x.I(1), K("b"), x.I(3)})});
  c.push_back({x.map({K("a"), x.I(1), K("c"), x.I(2)})});
  c.push_back({x.map({K("a"), x.I(1)}), y.map({K("a"), y.BigN(B(1))})});
  c.push_back({x.map({}), y.meta(y.map({}), meta2)});
  c.push_back({x.map({x.I(42), x.S("v")}), y.map({y.BigN(B(42)), y.S("v")})});
  c.push_back({numbered_map(x, iota(20)), numbered_map(y, iota(20, true)),
               x.meta(numbered_map(x, iota(20, true)), meta)});
  c.push_back({numbered_map(x, iota(21)), numbered_map(y, iota(21, true))});
  c.push_back({numbered_map(x, iota(9)), numbered_map(y, iota(9, true))});
  c.push_back({numbered_map(x, iota(8)), numbered_map(y, iota(8, true))});
  c.push_back({tuple_keyed_map(x, iota(2)), tuple_keyed_map(y, iota(2, true))});
  c.push_back({tuple_keyed_map(x, iota(2), 0), tuple_keyed_map(y, iota(2, true), 0)});
  c.push_back({tuple_keyed_map(x, iota(2, true), 1)});
  c.push_back({tuple_keyed_map(x, iota(12)), tuple_keyed_map(y, iota(12, true))});
  c.push_back({tuple_keyed_map(x, iota(12), 11), tuple_keyed_map(y, iota(12, true), 11)});
  c.push_back({tuple_keyed_map(x, iota(12, true), 0)});
  // Sets.
  c.push_back({x.set({x.I(1), x.I(2), x.I(3)}), y.set({y.I(3), y.I(2), y.I(1), y.BigN(B(2))})});
  c.push_back({x.set({x.I(1), x.I(2), x.I(4)})});
  c.push_back({x.set({}), x.meta(x.set({}), meta)});
  c.push_back({x.set({x.F(0.0)}), y.set({y.F(-0.0)})});
  {
    std::vector<Term> s1, s2;
    for (int64_t i = 0; i < 30; ++i) {
      s1.push_back(x.S("e" + std::to_string(i)));
      s2.push_back(y.S("e" + std::to_string(29 - i)));
    }
    c.push_back({x.set(s1), y.meta(y.set(s2), meta2)});
  }
  // Nested mixtures.
  c.push_back({x.tup({x.map({K("a"), x.lst({x.I(1), x.I(2)})}), x.set({x.S("x")})}),
               y.tup({y.map({K("a"), y.cons_list({y.BigN(B(1)), y.I(2)})}),
                      y.meta(y.set({y.S("x")}), meta2)})});
  c.push_back({x.map({x.tup({x.I(1)}), x.vec({x.R(1, 2)}), x.set({}), x.Bin("b")}),
               y.map({y.set({}), y.Bin("b"), y.tup({y.I(1)}), y.vec({y.R(2, 4)})})});
  return c;
}

TEST_F(EqualityTest, CorpusEqualExactlyWithinClassesAndHashesAgree) {
  std::vector<std::vector<Term>> classes = corpus(a, b);
  size_t pairs = 0;
  for (size_t ci = 0; ci < classes.size(); ++ci) {
    for (size_t cj = 0; cj < classes.size(); ++cj) {
      for (Term x : classes[ci]) {
        for (Term y : classes[cj]) {
          ++pairs;
          bool eq = equal(x, y);
          if (ci == cj) {
            EXPECT_TRUE(eq) << "class " << ci << ": " << print(x) << " vs " << print(y);
            EXPECT_EQ(hash(x), hash(y)) << "class " << ci << ": " << print(x) << " vs " << print(y);
          } else {
            EXPECT_FALSE(eq) << "classes " << ci << ", " << cj << ": " << print(x) << " vs "
                             << print(y);
          }
        }
      }
    }
  }
  EXPECT_GT(pairs, 10000u);
}

// Nests t `depth` levels deep through tuples, lists, maps (as a key and as a value, the other
// entry first or last), sets, vectors and tuples carrying metadata in turn.
Term nest(Build& x, Term t, int depth, bool flip) {
  Term meta = x.map({K("nest-meta"), x.I(1)});
  for (int i = 0; i < depth; ++i) {
    switch (i % 7) {
      case 0:
        t = x.tup({t});
        break;
      case 1:
        t = x.lst({t});
        break;
      case 2:
        t = flip ? x.map({K("nest-z"), x.I(0), t, x.I(1)})
                 : x.map({t, x.I(1), K("nest-z"), x.I(0)});
        break;
      case 3:
        t = flip ? x.map({K("nest-y"), x.I(0), K("nest-v"), t})
                 : x.map({K("nest-v"), t, K("nest-y"), x.I(0)});
        break;
      case 4:
        t = flip ? x.set({K("nest-e"), t}) : x.set({t, K("nest-e")});
        break;
      case 5:
        t = x.vec({t});
        break;
      default:
        t = x.meta(x.tup({t}), flip ? meta : Term::nil());
        break;
    }
  }
  return t;
}

// The corpus again, every term nested deeper than equality and hashing recurse (their iterative
// walks take over there): the same classes and the same hashes as at the top; and nested in
// tuples only, the hash a recursive definition gives, hash([t]) = combine(hash([]), hash(t)).
TEST_F(EqualityTest, CorpusNestedBeyondTheRecursionAgrees) {
  constexpr int kDepth = 70;  // equality.cpp recurses 64 levels
  std::vector<std::vector<Term>> classes = corpus(a, b);
  std::vector<std::vector<Term>> nested;
  uint64_t tuple_seed = hash(a.tup({}));
  for (const std::vector<Term>& cls : classes) {
    nested.emplace_back();
    for (size_t i = 0; i < cls.size(); ++i) {
      nested.back().push_back(nest(a, cls[i], kDepth, i % 2 == 1));
      Term in_tuples = cls[i];
      uint64_t expected = hash(cls[i]);
      for (int d = 0; d < kDepth; ++d) {
        in_tuples = a.tup({in_tuples});
        expected = hashing::combine(tuple_seed, expected);
      }
      EXPECT_EQ(hash(in_tuples), expected) << print(cls[i]);
    }
  }
  for (size_t ci = 0; ci < nested.size(); ++ci) {
    for (size_t cj = 0; cj < nested.size(); ++cj) {
      for (size_t xi = 0; xi < nested[ci].size(); ++xi) {
        for (size_t yi = 0; yi < nested[cj].size(); ++yi) {
          Term x = nested[ci][xi], y = nested[cj][yi];
          EXPECT_EQ(equal(x, y), ci == cj)
              << print(classes[ci][xi]) << " vs " << print(classes[cj][yi]);
          if (ci == cj) {
            EXPECT_EQ(hash(x), hash(y)) << print(classes[ci][xi]);
          }
        }
      }
    }
  }
}

// A cons chain that does not end in the empty list.
bool is_improper_list(Term t) {
  if (!t.is_cons()) return false;
  while (t.is_cons()) t = list_tail(t);
  return !t.is_empty_list();
}

TEST_F(EqualityTest, HashesAreDeterministicAndSpread) {
  std::vector<std::vector<Term>> c1 = corpus(a, b);
  std::vector<std::vector<Term>> c2 = corpus(b, a);
  ASSERT_EQ(c1.size(), c2.size());
  for (size_t i = 0; i < c1.size(); ++i) {
    Term x = c1[i][0];
    EXPECT_EQ(hash(x), hash(c2[i][0])) << print(x);  // same value on another heap: same hash
    // Distinct classes do not collide here. Improper lists are left out: (1 . 2) hashes like
    // (1 2) by construction, which equality does not require to differ.
    if (is_improper_list(x)) continue;
    for (size_t j = 0; j < i; ++j) {
      Term y = c1[j][0];
      if (is_improper_list(y)) continue;
      EXPECT_NE(hash(x), hash(y)) << print(x) << " and " << print(y);
    }
  }
}

}  // namespace
}  // namespace lona
