// Tests for runtime/term/collections and text: lists, tuples, vectors, maps and sets (insertion
// order, duplicate keys, the hash index of large maps and sets), strings and binaries, metadata,
// and kind_of for every kind of term.
#include "runtime/term/collections.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/term/equality.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "tests/support/term_builder.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

BigInt pow2(size_t n) { return BigInt::from_int64(1).shifted_left(n); }

// A heap big enough that no test here collects (TearDown checks it), so the builders can take
// terms by value: nothing moves while a test runs.
struct OwnedHeap {
  Heap owned_heap{1 << 18};
};

class CollectionsTest : public ::testing::Test, protected OwnedHeap, protected TermBuilder {
 protected:
  CollectionsTest() : TermBuilder{owned_heap} {}
  void TearDown() override { EXPECT_EQ(h.collections(), 0u) << "the test assumed no collection"; }

  static Term K(std::string_view s) { return make_keyword(s); }
  static Term Y(std::string_view s) { return make_symbol(s); }

  // Keys of many kinds, pairwise not equal, each built fresh (so lookups use equal(), not
  // identity). `salt` varies the numbers so that several batches stay distinct.
  std::vector<Term> varied_keys(int64_t salt) {
    std::vector<Term> ks;
    std::string s = std::to_string(salt);
    ks.push_back(I(salt));
    ks.push_back(I(-salt - 1000000));
    ks.push_back(make_integer(h, pow2(70) + BigInt::from_int64(salt)));
    ks.push_back(make_integer(h, Term::kFixnumMax + 1 + salt));
    ks.push_back(make_float(h, static_cast<double>(salt) + 0.5));
    ks.push_back(make_ratio(h, BigInt::from_int64(2 * salt + 1), BigInt::from_int64(2)));
    ks.push_back(*make_fixed(h, FixedKind::kU16, BigInt::from_int64(salt)));
    ks.push_back(*make_fixed(h, FixedKind::kI64, BigInt::from_int64(salt)));
    ks.push_back(S("s" + s));
    ks.push_back(make_binary(h, "s" + s));  // same bytes as the string: a different key
    ks.push_back(Y("sym-" + s));
    ks.push_back(K("sym-" + s));  // same name as the symbol: a different key
    ks.push_back(Term::character(static_cast<uint32_t>(0x4E00 + salt)));
    ks.push_back(tup({I(salt), K("t")}));
    ks.push_back(vec({I(salt), K("t")}));  // same elements as the tuple
    ks.push_back(lst({I(salt), K("t")}));  // same elements again, as a list
    ks.push_back(map({K("m"), I(salt)}));
    ks.push_back(set({I(salt), S("e")}));
    return ks;
  }
};

// --- kinds ---------------------------------------------------------------------------------------

TEST_F(CollectionsTest, KindOfEveryKind) {
  EXPECT_EQ(kind_of(Term::nil()), Kind::kNil);
  EXPECT_EQ(kind_of(Term::boolean(true)), Kind::kBoolean);
  EXPECT_EQ(kind_of(Term::boolean(false)), Kind::kBoolean);
  EXPECT_EQ(kind_of(Term::unbound()), Kind::kUnbound);
  EXPECT_EQ(kind_of(I(1)), Kind::kInteger);
  EXPECT_EQ(kind_of(make_integer(h, pow2(80))), Kind::kInteger);
  EXPECT_EQ(kind_of(make_float(h, 1.0)), Kind::kFloat);
  EXPECT_EQ(kind_of(make_f32(h, 1.0f)), Kind::kFloat);
  EXPECT_EQ(kind_of(make_ratio(h, BigInt::from_int64(1), BigInt::from_int64(3))), Kind::kRatio);
  EXPECT_EQ(kind_of(*make_fixed(h, FixedKind::kU8, BigInt::from_int64(1))), Kind::kFixed);
  EXPECT_EQ(kind_of(Term::character('x')), Kind::kChar);
  EXPECT_EQ(kind_of(S("x")), Kind::kString);
  EXPECT_EQ(kind_of(make_binary(h, "x")), Kind::kBinary);
  EXPECT_EQ(kind_of(Y("x")), Kind::kSymbol);
  EXPECT_EQ(kind_of(with_meta(h, Y("x"), map({K("a"), I(1)}))), Kind::kSymbol);
  EXPECT_EQ(kind_of(K("x")), Kind::kKeyword);
  EXPECT_EQ(kind_of(Term::empty_list()), Kind::kList);
  EXPECT_EQ(kind_of(lst({I(1)})), Kind::kList);
  EXPECT_EQ(kind_of(tup({})), Kind::kTuple);
  EXPECT_EQ(kind_of(vec({})), Kind::kVector);
  EXPECT_EQ(kind_of(map({})), Kind::kMap);
  EXPECT_EQ(kind_of(set({})), Kind::kSet);
}

// --- strings and binaries
// -------------------------------------------------------------------------

TEST_F(CollectionsTest, EmptyStringAndBinary) {
  Term s = S("");
  ASSERT_TRUE(is_string(s));
  EXPECT_FALSE(is_binary(s));
  EXPECT_EQ(byte_view(s).size(), 0u);
  EXPECT_EQ(print(s), "\"\"");
  EXPECT_TRUE(s.truthy());
  Term b = make_binary(h, "");
  ASSERT_TRUE(is_binary(b));
  EXPECT_FALSE(is_string(b));
  EXPECT_EQ(byte_view(b).size(), 0u);
  EXPECT_EQ(print(b), "#bytes[]");
}

TEST_F(CollectionsTest, StringsAndBinariesKeepNulBytes) {
  std::string bytes("a\0b\0\0c", 6);
  Term s = S(bytes);
  EXPECT_EQ(byte_view(s), bytes);
  EXPECT_EQ(byte_view(s).size(), 6u);

  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  Term b = make_binary(h, all);
  EXPECT_EQ(byte_view(b), all);
  EXPECT_EQ(print(make_binary(h, std::string("\x00\x01\xff\x48", 4))),
            "#bytes[0x00 0x01 0xFF 0x48]");
  EXPECT_EQ(print(S("Line 1\nLine 2")), "\"Line 1\\nLine 2\"");
  EXPECT_EQ(print(S("h\xC3\xA9llo")), "\"h\xC3\xA9llo\"");  // UTF-8 printed verbatim
}

TEST_F(CollectionsTest, StringsOfEveryLengthReadBack) {
  // Every padding of the last word, and long ones.
  for (size_t n : {1u, 2u, 7u, 8u, 9u, 15u, 16u, 17u, 63u, 64u, 65u, 1000u, 100000u}) {
    std::string text;
    for (size_t i = 0; i < n; ++i) text.push_back(static_cast<char>('a' + i % 26));
    Term s = S(text);
    Term b = make_binary(h, text);
    EXPECT_EQ(byte_view(s), text) << n;
    EXPECT_EQ(byte_view(b), text) << n;
    EXPECT_EQ(object_size(s), 1 + words_for_bytes(n)) << n;  // length word + bytes
  }
}

// --- lists
// -----------------------------------------------------------------------------------------

TEST_F(CollectionsTest, ConsCellsAndTheEmptyList) {
  Term l = make_cons(h, I(1), Term::empty_list());
  ASSERT_TRUE(l.is_cons());
  EXPECT_TRUE(l.is_list());
  EXPECT_EQ(list_head(l), Term::fixnum(1));
  EXPECT_TRUE(list_tail(l).is_empty_list());
  EXPECT_EQ(print(l), "(1)");
  EXPECT_EQ(h.used_words(), 2u);  // a cons cell is two words, no header

  Term improper = make_cons(h, I(1), I(2));
  EXPECT_EQ(list_tail(improper), Term::fixnum(2));
  EXPECT_EQ(print(improper), "(1 . 2)");

  EXPECT_EQ(print(Term::empty_list()), "()");
  EXPECT_NE(Term::empty_list(), Term::nil());
}

TEST_F(CollectionsTest, ListFromStackKeepsOrder) {
  Term l = lst({I(1), S("two"), K("three"), lst({}), Term::nil()});
  EXPECT_EQ(print(l), "(1 \"two\" :three () nil)");
  size_t n = 0;
  for (Term t = l; t.is_cons(); t = list_tail(t)) ++n;
  EXPECT_EQ(n, 5u);
  EXPECT_TRUE(lst({}).is_empty_list());
  EXPECT_TRUE(h.stack().empty());  // the elements were popped
}

// --- tuples and vectors
// ----------------------------------------------------------------------------

TEST_F(CollectionsTest, TuplesAndVectors) {
  Term t = tup({I(1), S("a"), Term::nil()});
  ASSERT_TRUE(is_tuple(t));
  EXPECT_FALSE(is_vector(t));
  EXPECT_EQ(array_count(t), 3u);
  EXPECT_EQ(array_at(t, 0), Term::fixnum(1));
  EXPECT_EQ(byte_view(array_at(t, 1)), "a");
  EXPECT_TRUE(array_at(t, 2).is_nil());
  EXPECT_EQ(print(t), "[1 \"a\" nil]");

  Term v = vec({I(1), I(2)});
  ASSERT_TRUE(is_vector(v));
  EXPECT_FALSE(is_tuple(v));
  EXPECT_EQ(array_count(v), 2u);
  EXPECT_EQ(print(v), "{1 2}");

  Term e = tup({});
  EXPECT_EQ(array_count(e), 0u);
  EXPECT_EQ(print(e), "[]");
  EXPECT_EQ(print(vec({})), "{}");
  EXPECT_TRUE(h.stack().empty());

  // Nested and large.
  std::vector<Term> many;
  for (int64_t i = 0; i < 5000; ++i) many.push_back(I(i * 3));
  Term big = vec(many);
  ASSERT_EQ(array_count(big), 5000u);
  for (size_t i = 0; i < 5000; ++i) EXPECT_EQ(array_at(big, i).fixnum_value(), 3 * int64_t(i));
  EXPECT_EQ(print(tup({vec({tup({})}), lst({I(1)})})), "[{[]} (1)]");
}

// --- maps
// --------------------------------------------------------------------------------------------

TEST_F(CollectionsTest, MapKeepsInsertionOrder) {
  Term m = map({K("c"), I(3), K("a"), I(1), K("b"), I(2)});
  ASSERT_TRUE(is_map(m));
  EXPECT_EQ(map_count(m), 3u);
  EXPECT_EQ(print(m), "%{:c 3 :a 1 :b 2}");
  EXPECT_EQ(map_key(m, 0), K("c"));
  EXPECT_EQ(map_value(m, 2), Term::fixnum(2));
  EXPECT_FALSE(has_hash_index(m));
  EXPECT_EQ(print(map({})), "%{}");
  EXPECT_EQ(map_count(map({})), 0u);
  EXPECT_EQ(map_get(map({}), K("a")), std::nullopt);
}

TEST_F(CollectionsTest, MapDuplicateKeysKeepFirstPositionAndLastValue) {
  Term m = map({K("a"), I(1), K("b"), I(2), K("a"), I(3), K("c"), I(4), K("b"), I(5)});
  EXPECT_EQ(map_count(m), 3u);
  EXPECT_EQ(print(m), "%{:a 3 :b 5 :c 4}");
  EXPECT_EQ(map_get(m, K("a")), Term::fixnum(3));

  // Keys equal by value but written differently: the first key term stays, the last value wins.
  Term n = map({I(42), K("first"), make_integer(h, BigInt::from_int64(42), true), K("last"), S("k"),
                I(1), S("k"), I(2), make_float(h, 0.0), I(1), make_float(h, -0.0), I(2)});
  EXPECT_EQ(map_count(n), 3u);
  EXPECT_TRUE(map_key(n, 0).is_fixnum());
  EXPECT_EQ(map_value(n, 0), K("last"));
  EXPECT_EQ(map_value(n, 1), Term::fixnum(2));
  EXPECT_EQ(print(n), "%{42 :last \"k\" 2 0.0 2}");
}

TEST_F(CollectionsTest, SmallMapLookups) {
  Term m = map({K("a"), I(1), S("b"), I(2), I(3), K("three"), Term::nil(), I(4)});
  EXPECT_EQ(map_get(m, K("a")), Term::fixnum(1));
  EXPECT_EQ(map_get(m, S("b")), Term::fixnum(2));  // a fresh, equal string
  EXPECT_EQ(map_get(m, I(3)), K("three"));
  EXPECT_EQ(map_get(m, Term::nil()), Term::fixnum(4));
  EXPECT_EQ(map_get(m, Y("a")), std::nullopt);
  EXPECT_EQ(map_get(m, make_binary(h, "b")), std::nullopt);
  EXPECT_EQ(map_get(m, make_float(h, 3.0)), std::nullopt);
  EXPECT_EQ(map_get(m, Term::boolean(false)), std::nullopt);
}

TEST_F(CollectionsTest, MapIndexThreshold) {
  std::vector<Term> kvs;
  for (int64_t i = 0; i < static_cast<int64_t>(kIndexThreshold); ++i) {
    kvs.push_back(I(i));
    kvs.push_back(I(i * 10));
  }
  Term at = map(kvs);
  EXPECT_EQ(map_count(at), kIndexThreshold);
  EXPECT_FALSE(has_hash_index(at));

  kvs.push_back(I(100));
  kvs.push_back(I(1000));
  Term over = map(kvs);
  EXPECT_EQ(map_count(over), kIndexThreshold + 1);
  EXPECT_TRUE(has_hash_index(over));
  EXPECT_EQ(kind_of(payload_term(over, 0)), Kind::kInternal);
  for (int64_t i = 0; i < static_cast<int64_t>(kIndexThreshold); ++i) {
    EXPECT_EQ(map_get(over, I(i)), Term::fixnum(i * 10));
    EXPECT_EQ(map_get(at, I(i)), Term::fixnum(i * 10));
  }
  EXPECT_EQ(map_get(over, I(100)), Term::fixnum(1000));
  EXPECT_EQ(map_get(at, I(100)), std::nullopt);
  EXPECT_EQ(map_get(over, I(101)), std::nullopt);
}

TEST_F(CollectionsTest, IndexedMapWithKeysOfManyKinds) {
  std::vector<Term> keys;
  for (int64_t salt = 0; salt < 40; ++salt) {
    for (Term k : varied_keys(salt)) keys.push_back(k);
  }
  keys.push_back(Term::nil());
  keys.push_back(Term::boolean(true));
  keys.push_back(Term::boolean(false));
  keys.push_back(Term::empty_list());
  keys.push_back(tup({}));
  keys.push_back(vec({}));
  keys.push_back(map({}));
  keys.push_back(set({}));
  std::vector<Term> kvs;
  for (size_t i = 0; i < keys.size(); ++i) {
    kvs.push_back(keys[i]);
    kvs.push_back(I(static_cast<int64_t>(i)));
  }
  Term m = map(kvs);
  ASSERT_EQ(map_count(m), keys.size());  // the keys are pairwise distinct
  EXPECT_TRUE(has_hash_index(m));

  // Present: every key, both the stored term and an equal one built afresh.
  std::vector<Term> rebuilt;
  for (int64_t salt = 0; salt < 40; ++salt) {
    for (Term k : varied_keys(salt)) rebuilt.push_back(k);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE(print(keys[i]));
    EXPECT_EQ(map_key(m, i), keys[i]);  // insertion order
    EXPECT_EQ(map_get(m, keys[i]), Term::fixnum(static_cast<int64_t>(i)));
    if (i < rebuilt.size()) {
      EXPECT_EQ(map_get(m, rebuilt[i]), Term::fixnum(static_cast<int64_t>(i)));
    }
  }
  // Absent: other salts, and near misses of other kinds.
  for (int64_t salt = 40; salt < 60; ++salt) {
    for (Term k : varied_keys(salt)) EXPECT_EQ(map_get(m, k), std::nullopt) << print(k);
  }
  EXPECT_EQ(map_get(m, make_float(h, 0.0)), std::nullopt);  // the integer 0 is a key, 0.0 is not
  EXPECT_EQ(map_get(m, *make_fixed(h, FixedKind::kU8, BigInt::from_int64(1))), std::nullopt);
  EXPECT_EQ(map_get(m, make_keyword("nope")), std::nullopt);
  EXPECT_EQ(map_get(m, S("")), std::nullopt);
  EXPECT_EQ(map_get(m, Term::unbound()), std::nullopt);
}

TEST_F(CollectionsTest, LargeMapEveryKeyPresentAndAbsent) {
  constexpr int64_t kN = 5000;
  std::vector<Term> kvs;
  for (int64_t i = 0; i < kN; ++i) {
    kvs.push_back(I(i * 2));  // even keys only
    kvs.push_back(S("v" + std::to_string(i)));
  }
  Term m = map(kvs);
  ASSERT_EQ(map_count(m), static_cast<size_t>(kN));
  ASSERT_TRUE(has_hash_index(m));
  for (int64_t i = 0; i < kN; ++i) {
    std::optional<Term> v = map_get(m, I(i * 2));
    ASSERT_TRUE(v.has_value()) << i;
    EXPECT_EQ(byte_view(*v), "v" + std::to_string(i));
    EXPECT_EQ(map_get(m, I(i * 2 + 1)), std::nullopt) << i;
    EXPECT_EQ(map_key(m, static_cast<size_t>(i)).fixnum_value(), i * 2);
  }
}

TEST_F(CollectionsTest, IndexedMapDuplicates) {
  // 30 pairs, 12 distinct keys: indexed, first position, last value.
  std::vector<Term> kvs;
  for (int64_t i = 0; i < 30; ++i) {
    kvs.push_back(S("k" + std::to_string(i % 12)));
    kvs.push_back(I(i));
  }
  Term m = map(kvs);
  ASSERT_EQ(map_count(m), 12u);
  EXPECT_TRUE(has_hash_index(m));
  for (int64_t k = 0; k < 12; ++k) {
    EXPECT_EQ(byte_view(map_key(m, static_cast<size_t>(k))), "k" + std::to_string(k));
    int64_t last = k + 12 * ((29 - k) / 12);
    EXPECT_EQ(map_get(m, S("k" + std::to_string(k))), Term::fixnum(last)) << k;
  }

  // 20 pairs that collapse to 5 keys: small again, no index.
  kvs.clear();
  for (int64_t i = 0; i < 20; ++i) {
    kvs.push_back(I(i % 5));
    kvs.push_back(I(i));
  }
  Term small = map(kvs);
  EXPECT_EQ(map_count(small), 5u);
  EXPECT_FALSE(has_hash_index(small));
  EXPECT_EQ(print(small), "%{0 15 1 16 2 17 3 18 4 19}");
}

// --- sets
// --------------------------------------------------------------------------------------------

TEST_F(CollectionsTest, SetKeepsOrderAndDropsDuplicates) {
  Term s = set({I(3), I(1), I(2), I(1), I(3), make_integer(h, BigInt::from_int64(2), true)});
  ASSERT_TRUE(is_set(s));
  EXPECT_EQ(set_count(s), 3u);
  EXPECT_EQ(print(s), "#{3 1 2}");
  EXPECT_TRUE(set_contains(s, I(1)));
  EXPECT_TRUE(set_contains(s, make_integer(h, BigInt::from_int64(3), true)));
  EXPECT_FALSE(set_contains(s, I(4)));
  EXPECT_FALSE(set_contains(s, make_float(h, 1.0)));
  EXPECT_FALSE(has_hash_index(s));
  EXPECT_EQ(print(set({})), "#{}");
  EXPECT_FALSE(set_contains(set({}), Term::nil()));

  Term z = set({make_float(h, -0.0), make_float(h, 0.0), S("a"), S("a"), make_binary(h, "a")});
  EXPECT_EQ(set_count(z), 3u);  // -0.0 = 0.0; "a" twice; the binary is different
  EXPECT_EQ(print(z), "#{-0.0 \"a\" #bytes[0x61]}");
}

TEST_F(CollectionsTest, SetIndexThresholdAndLookups) {
  std::vector<Term> xs;
  for (int64_t i = 0; i < static_cast<int64_t>(kIndexThreshold); ++i) xs.push_back(I(i));
  EXPECT_FALSE(has_hash_index(set(xs)));
  xs.push_back(I(8));
  Term s = set(xs);
  EXPECT_TRUE(has_hash_index(s));
  for (int64_t i = 0; i <= 8; ++i) EXPECT_TRUE(set_contains(s, I(i)));
  EXPECT_FALSE(set_contains(s, I(9)));
  EXPECT_FALSE(set_contains(s, I(-1)));
}

TEST_F(CollectionsTest, IndexedSetWithElementsOfManyKinds) {
  std::vector<Term> xs;
  for (int64_t salt = 0; salt < 30; ++salt) {
    for (Term k : varied_keys(salt)) xs.push_back(k);
  }
  // The whole batch again: all duplicates.
  for (int64_t salt = 0; salt < 30; ++salt) {
    for (Term k : varied_keys(salt)) xs.push_back(k);
  }
  Term s = set(xs);
  size_t distinct = xs.size() / 2;
  ASSERT_EQ(set_count(s), distinct);
  EXPECT_TRUE(has_hash_index(s));
  for (size_t i = 0; i < distinct; ++i) {
    EXPECT_EQ(set_at(s, i), xs[i]);  // the first occurrence, in order
    EXPECT_TRUE(set_contains(s, xs[i + distinct])) << print(xs[i]);
  }
  for (int64_t salt = 30; salt < 45; ++salt) {
    for (Term k : varied_keys(salt)) EXPECT_FALSE(set_contains(s, k)) << print(k);
  }
}

TEST_F(CollectionsTest, LargeSet) {
  std::vector<Term> xs;
  for (int64_t i = 0; i < 3000; ++i) xs.push_back(S(std::to_string(i * 7)));
  Term s = set(xs);
  ASSERT_EQ(set_count(s), 3000u);
  for (int64_t i = 0; i < 3000 * 7; ++i) {
    EXPECT_EQ(set_contains(s, S(std::to_string(i))), i % 7 == 0) << i;
  }
}

// --- metadata ------------------------------------------------------------------------------------

TEST_F(CollectionsTest, MetadataOnSymbols) {
  Term sym = Y("with-meta-sym");
  EXPECT_TRUE(can_carry_meta(sym));
  EXPECT_TRUE(meta_of(sym).is_nil());

  Term meta = map({K("doc"), S("hello")});
  Term ms = with_meta(h, sym, meta);
  ASSERT_TRUE(is_meta_symbol(ms));
  EXPECT_FALSE(ms.is_symbol());
  EXPECT_TRUE(is_any_symbol(ms));
  EXPECT_TRUE(can_carry_meta(ms));
  EXPECT_EQ(bare_symbol(ms), sym);
  EXPECT_EQ(bare_symbol(sym), sym);
  EXPECT_EQ(meta_of(ms), meta);
  EXPECT_TRUE(equal(ms, sym));
  EXPECT_EQ(print(ms), "with-meta-sym");

  // Replacing the metadata of a meta-symbol keeps one level (no meta-symbol of a meta-symbol).
  Term meta2 = map({K("line"), I(3)});
  Term ms2 = with_meta(h, ms, meta2);
  ASSERT_TRUE(is_meta_symbol(ms2));
  EXPECT_EQ(payload_term(ms2, 0), sym);
  EXPECT_EQ(meta_of(ms2), meta2);
  EXPECT_EQ(meta_of(ms), meta);  // the original is unchanged

  // nil removes it: back to the bare immediate.
  EXPECT_EQ(with_meta(h, ms, Term::nil()), sym);
  EXPECT_EQ(with_meta(h, sym, Term::nil()), sym);
}

TEST_F(CollectionsTest, MetadataOnTuplesVectorsMapsAndSets) {
  Term meta = map({K("tag"), I(7)});
  std::vector<Term> objects = {tup({I(1), I(2)}),
                               vec({I(1), I(2), I(3)}),
                               map({K("a"), I(1), K("b"), I(2)}),
                               set({I(1), I(2), I(3), I(4)}),
                               tup({}),
                               vec({}),
                               map({}),
                               set({})};
  for (Term o : objects) {
    std::string printed = print(o);
    SCOPED_TRACE(printed);
    ASSERT_TRUE(can_carry_meta(o));
    EXPECT_TRUE(meta_of(o).is_nil());

    Term m = with_meta(h, o, meta);
    EXPECT_EQ(kind_of(m), kind_of(o));
    EXPECT_EQ(meta_of(m), meta);
    EXPECT_TRUE(meta_of(o).is_nil());  // the original is unchanged
    EXPECT_EQ(print(m), printed);      // metadata is never printed, counts unchanged
    EXPECT_TRUE(equal(m, o));
    EXPECT_EQ(hash(m), hash(o));

    Term meta2 = map({K("tag"), I(8)});
    Term m2 = with_meta(h, m, meta2);
    EXPECT_EQ(meta_of(m2), meta2);
    EXPECT_EQ(print(m2), printed);
    EXPECT_EQ(object_size(m2), object_size(m));  // replaced, not appended

    Term bare = with_meta(h, m, Term::nil());
    EXPECT_TRUE(meta_of(bare).is_nil());
    EXPECT_EQ(object_size(bare), object_size(o));
    EXPECT_EQ(print(bare), printed);
  }
  // Element access ignores the metadata word.
  Term t = with_meta(h, tup({I(1), I(2)}), meta);
  EXPECT_EQ(array_count(t), 2u);
  Term s = with_meta(h, set({I(5)}), meta);
  EXPECT_EQ(set_count(s), 1u);
  EXPECT_TRUE(set_contains(s, I(5)));
  EXPECT_FALSE(set_contains(s, meta));
  Term m = with_meta(h, map({K("a"), I(1)}), meta);
  EXPECT_EQ(map_count(m), 1u);
  EXPECT_EQ(map_get(m, K("a")), Term::fixnum(1));
}

TEST_F(CollectionsTest, MetadataOnIndexedMapsAndSets) {
  std::vector<Term> kvs;
  for (int64_t i = 0; i < 50; ++i) {
    kvs.push_back(S("k" + std::to_string(i)));
    kvs.push_back(I(i));
  }
  Term m = map(kvs);
  Term meta = map({K("big"), Term::boolean(true)});
  Term mm = with_meta(h, m, meta);
  EXPECT_TRUE(has_hash_index(mm));
  EXPECT_EQ(map_count(mm), 50u);
  EXPECT_EQ(meta_of(mm), meta);
  for (int64_t i = 0; i < 50; ++i) {
    EXPECT_EQ(map_get(mm, S("k" + std::to_string(i))), Term::fixnum(i));
  }
  EXPECT_EQ(map_get(mm, S("k50")), std::nullopt);
  EXPECT_TRUE(equal(mm, m));

  std::vector<Term> xs;
  for (int64_t i = 0; i < 20; ++i) xs.push_back(I(i));
  Term s = with_meta(h, set(xs), meta);
  EXPECT_EQ(set_count(s), 20u);
  EXPECT_TRUE(set_contains(s, I(19)));
  EXPECT_FALSE(set_contains(s, I(20)));
}

TEST_F(CollectionsTest, WhatCannotCarryMetadata) {
  std::vector<Term> others = {Term::nil(),
                              Term::boolean(true),
                              Term::boolean(false),
                              Term::empty_list(),
                              lst({I(1)}),
                              I(1),
                              make_integer(h, pow2(90)),
                              make_float(h, 1.0),
                              make_ratio(h, BigInt::from_int64(1), BigInt::from_int64(2)),
                              *make_fixed(h, FixedKind::kU8, BigInt::from_int64(1)),
                              S("s"),
                              make_binary(h, "b"),
                              K("kw"),
                              Term::character('c')};
  for (Term t : others) {
    EXPECT_FALSE(can_carry_meta(t)) << print(t);
    EXPECT_TRUE(meta_of(t).is_nil()) << print(t);
  }
}

}  // namespace
}  // namespace lona
