// Tests for runtime/term/term_codec: the serialized-term format of docs/protocol.md. The exact
// bytes of small terms of every tag, written out by hand from the spec's table, so that the
// format cannot drift; round trips of every kind that travels (bounds of every number kind,
// NaN, infinities and -0.0, unicode, qualified names, empty, large and deep collections, pids,
// refs, realm ids), compared with the runtime's equality; what does not travel; every rejection
// the spec lists, and the semantic ones, each with its message; inputs that are not what the
// encoder writes but mean a term (normalised as the runtime's constructors normalise); decoding
// with a collection at every allocation.
#include "runtime/term/term_codec.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/kernel_object.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "tests/support/term_builder.hpp"

namespace lona {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint64_t kRealm = 1;  // the realm the tests run in (runtime.hpp: the init realm)
// The spec's limit, written out rather than taken from the header, so that a change of the
// constant fails here.
constexpr size_t kSpecDepth = 1000;

BigInt pow2(size_t n) { return BigInt::from_int64(1).shifted_left(n); }

Bytes B(std::initializer_list<int> xs) {
  Bytes out;
  for (int x : xs) out.push_back(static_cast<uint8_t>(x));
  return out;
}
Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Bytes repeat(const Bytes& b, size_t n) {
  Bytes out;
  for (size_t i = 0; i < n; ++i) out.insert(out.end(), b.begin(), b.end());
  return out;
}

uint64_t float_bits(Term t) { return std::bit_cast<uint64_t>(float_value(t)); }

// A heap big enough that no test here collects (TearDown checks it), so the builders can take
// terms by value; the test that wants collections makes its own heap.
struct OwnedHeap {
  Heap owned_heap{1 << 20};
};

class TermCodecTest : public ::testing::Test, protected OwnedHeap, protected TermBuilder {
 protected:
  TermCodecTest() : TermBuilder{owned_heap} {}
  void TearDown() override { EXPECT_EQ(h.collections(), 0u) << "the test assumed no collection"; }

  static Term K(std::string_view s) { return make_keyword(s); }
  static Term Y(std::string_view s) { return make_symbol(s); }
  using TermBuilder::Fx;
  Term Fx(FixedKind k, const BigInt& v) { return *make_fixed(h, k, v); }

  static Bytes encode(Term t) {
    Bytes out;
    std::string error;
    EXPECT_TRUE(encode_term(t, kRealm, &out, &error)) << error;
    return out;
  }
  // The encoder's error for t, which must not travel.
  static std::string encode_error(Term t) {
    Bytes out = B({7});
    std::string error;
    EXPECT_FALSE(encode_term(t, kRealm, &out, &error));
    EXPECT_EQ(out, B({7})) << "a failed encoding must leave the output as it was";
    return error;
  }
  Term decode(const Bytes& bytes) {
    TermDecodeResult r = decode_term(h, bytes, kRealm);
    EXPECT_TRUE(r.ok) << r.reason << ": " << r.message;
    return r.value;
  }
  Term round_trip(Term t) { return decode(encode(t)); }
  void expect_round_trip(Term t) {
    Term back = round_trip(t);
    EXPECT_TRUE(equal(t, back)) << "kind " << static_cast<int>(kind_of(t));
    EXPECT_EQ(encode(back), encode(t)) << "re-encoding must give the same bytes";
  }
  // Decoding `bytes` fails with that reason and message and leaves nothing on the term stack.
  void expect_rejected(const Bytes& bytes, std::string_view reason, std::string_view message) {
    size_t stack = h.stack().size();
    TermDecodeResult r = decode_term(h, bytes, kRealm);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.reason, reason);
    EXPECT_EQ(r.message, message);
    EXPECT_EQ(h.stack().size(), stack) << "a failed decoding left terms on the stack";
  }
  void expect_malformed(const Bytes& bytes, std::string_view message) {
    expect_rejected(bytes, "malformed", message);
  }

  // `depth` collections of kind `wrap` (0 tuple, 1 vector, 2 list, 3 map key, 4 map value, 5 set)
  // around `inner`.
  Term nest(size_t depth, int wrap, Term inner) {
    h.push(inner);
    for (size_t i = 0; i < depth; ++i) {
      switch (wrap) {
        case 0:
          h.push(tuple_from_stack(h, 1));
          break;
        case 1:
          h.push(vector_from_stack(h, 1));
          break;
        case 2:
          h.push(list_from_stack(h, 1));
          break;
        case 3:
          h.push(I(static_cast<int64_t>(i)));
          h.push(map_from_stack(h, 1));
          break;
        case 4: {
          Term v = h.pop();
          h.push(K("k"));
          h.push(v);
          h.push(map_from_stack(h, 1));
          break;
        }
        default:
          h.push(K("e"));  // never equal to the set beside it
          h.push(set_from_stack(h, 2));
          break;
      }
    }
    return h.pop();
  }
};

// --- the exact bytes -----------------------------------------------------------------------------

TEST_F(TermCodecTest, ConstantsHaveTheirTags) {
  EXPECT_EQ(encode(Term::nil()), B({1, 0x00}));
  EXPECT_EQ(encode(Term::boolean(false)), B({1, 0x01}));
  EXPECT_EQ(encode(Term::boolean(true)), B({1, 0x02}));
  EXPECT_EQ(encode(Term::empty_list()), B({1, 0x03}));
}

TEST_F(TermCodecTest, IntegersAreZigzagVarints) {
  EXPECT_EQ(encode(I(0)), B({1, 0x04, 0x00}));
  EXPECT_EQ(encode(I(-1)), B({1, 0x04, 0x01}));
  EXPECT_EQ(encode(I(1)), B({1, 0x04, 0x02}));
  EXPECT_EQ(encode(I(300)), B({1, 0x04, 0xD8, 0x04}));  // zigzag 600 = 0b100_1011000
  // INT64_MIN is boxed in the runtime but fits 64 bits: 0x04, zigzag 2^64 - 1, ten bytes.
  EXPECT_EQ(encode(I(std::numeric_limits<int64_t>::min())),
            cat(B({1, 0x04}), cat(repeat(B({0xFF}), 9), B({0x01}))));
  // Written with N, still a 64-bit value: the N only changes printing and does not travel.
  EXPECT_EQ(encode(BigN(BigInt::from_int64(42))), B({1, 0x04, 84}));
}

TEST_F(TermCodecTest, BigIntegersAreSignAndLittleEndianMagnitude) {
  EXPECT_EQ(encode(Int(pow2(64))), B({1, 0x05, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(encode(Int(-pow2(64))), B({1, 0x05, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  // The magnitude has no leading zero byte, also when its top byte is full.
  EXPECT_EQ(encode(Int(pow2(71))), B({1, 0x05, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}));
  EXPECT_EQ(encode(Int(pow2(72) + BigInt::from_int64(0x0102))),
            B({1, 0x05, 0, 10, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 0, 1}));
}

TEST_F(TermCodecTest, FloatsRatiosAndCharsHaveTheirBytes) {
  EXPECT_EQ(encode(F(1.0)), B({1, 0x06, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F}));
  EXPECT_EQ(encode(F(-2.5)), B({1, 0x06, 0, 0, 0, 0, 0, 0, 0x04, 0xC0}));
  EXPECT_EQ(encode(R(1, 2)), B({1, 0x07, 0x04, 0x02, 0x04, 0x04}));
  EXPECT_EQ(encode(R(-1, 2)), B({1, 0x07, 0x04, 0x01, 0x04, 0x04}));
  EXPECT_EQ(encode(Term::character('A')), B({1, 0x08, 0x41}));
  EXPECT_EQ(encode(Term::character(0x1F600)), B({1, 0x08, 0x80, 0xEC, 0x07}));
}

TEST_F(TermCodecTest, TextAndBytesAreCounted) {
  EXPECT_EQ(encode(S("h\xC3\xA9")), B({1, 0x09, 3, 'h', 0xC3, 0xA9}));
  EXPECT_EQ(encode(K("a/b")), B({1, 0x0A, 3, 'a', '/', 'b'}));
  EXPECT_EQ(encode(K("k")), B({1, 0x0A, 1, 'k'}));
  EXPECT_EQ(encode(Y("foo")), B({1, 0x0B, 3, 'f', 'o', 'o'}));
  EXPECT_EQ(encode(Bin(std::string("\x00\xFF", 2))), B({1, 0x0C, 2, 0x00, 0xFF}));
}

TEST_F(TermCodecTest, CollectionsAreCountedInOrder) {
  EXPECT_EQ(encode(tup({I(1), K("a")})), B({1, 0x0D, 2, 0x04, 2, 0x0A, 1, 'a'}));
  EXPECT_EQ(encode(vec({})), B({1, 0x0E, 0}));
  EXPECT_EQ(encode(lst({I(1), I(2)})), B({1, 0x0F, 2, 0x04, 2, 0x04, 4}));
  EXPECT_EQ(encode(map({K("b"), I(1), K("a"), Term::nil()})),
            B({1, 0x10, 2, 0x0A, 1, 'b', 0x04, 2, 0x0A, 1, 'a', 0x00}));
  EXPECT_EQ(encode(set({Term::nil(), Term::boolean(true)})), B({1, 0x11, 2, 0x00, 0x02}));
}

TEST_F(TermCodecTest, IdentitiesAndFixedWidthIntegersHaveTheirBytes) {
  EXPECT_EQ(encode(make_pid(h, 1, 300)), B({1, 0x12, 1, 0xAC, 0x02}));
  EXPECT_EQ(encode(make_ref(h, 5)), B({1, 0x13, static_cast<int>(kRealm), 5}));
  EXPECT_EQ(encode(make_realm_id(h, 7)), B({1, 0x15, 7}));
  EXPECT_EQ(encode(Fx(FixedKind::kU8, 255)), B({1, 0x14, 0, 0xFE, 0x03}));
  EXPECT_EQ(encode(Fx(FixedKind::kI8, -128)), B({1, 0x14, 4, 0xFF, 0x01}));
  // A u64 past INT64_MAX travels as the int64 of its bits: 2^64 - 1 is -1, zigzag 1.
  EXPECT_EQ(encode(Fx(FixedKind::kU64, pow2(64) - BigInt::from_int64(1))), B({1, 0x14, 3, 0x01}));
  EXPECT_EQ(encode(Fx(FixedKind::kI64, -1)), B({1, 0x14, 7, 0x01}));
}

TEST_F(TermCodecTest, EncodingAppends) {
  Bytes out = B({0xAA});
  std::string error;
  ASSERT_TRUE(encode_term(I(1), kRealm, &out, &error));
  EXPECT_EQ(out, B({0xAA, 1, 0x04, 2}));
}

// --- round trips ---------------------------------------------------------------------------------

TEST_F(TermCodecTest, IntegersOfEverySizeRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{64}, int64_t{-65},
                    Term::kFixnumMax, Term::kFixnumMin, Term::kFixnumMax + 1, Term::kFixnumMin - 1,
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    expect_round_trip(I(v));
  }
  for (const BigInt& v : {pow2(63), -pow2(63) - BigInt::from_int64(1), pow2(64), -pow2(64),
                          pow2(64) - BigInt::from_int64(1), pow2(200) + BigInt::from_int64(12345),
                          -(pow2(1000) - BigInt::from_int64(1)), pow2(4096)}) {
    Term back = round_trip(Int(v));
    ASSERT_TRUE(is_integer(back));
    EXPECT_EQ(integer_value(back), v) << v.to_string();
  }
  // 42N arrives as 42: equal, and small again.
  Term back = round_trip(BigN(BigInt::from_int64(42)));
  EXPECT_TRUE(back.is_fixnum());
  EXPECT_EQ(back.fixnum_value(), 42);
}

TEST_F(TermCodecTest, FloatsKeepTheirBits) {
  for (double d :
       {0.0, 1.5, -2.25, 6.02214076e23, std::numeric_limits<double>::min(),
        std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(),
        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    expect_round_trip(F(d));
  }
  // Equality cannot tell these apart (0.0 = -0.0, NaN unequal to itself): compare the bits.
  Term neg_zero = round_trip(F(-0.0));
  EXPECT_TRUE(std::signbit(float_value(neg_zero)));
  Term nan = F(std::bit_cast<double>(uint64_t{0x7FF8000000000001}));
  Term nan_back = round_trip(nan);
  ASSERT_TRUE(is_float(nan_back));
  EXPECT_EQ(float_bits(nan_back), float_bits(nan));
  EXPECT_TRUE(std::isnan(float_value(nan_back)));
  // An f32 arrives as the f64 of the same value, which it equals.
  Term f32 = make_f32(h, 1.1f);
  Term f32_back = round_trip(f32);
  EXPECT_FALSE(float_is_f32(f32_back));
  EXPECT_TRUE(equal(f32, f32_back));
  EXPECT_EQ(float_value(f32_back), static_cast<double>(1.1f));
}

TEST_F(TermCodecTest, RatiosRoundTrip) {
  expect_round_trip(R(-3, 4));
  expect_round_trip(R(1, std::numeric_limits<int64_t>::max()));
  expect_round_trip(make_ratio(h, pow2(70) + BigInt::from_int64(1), BigInt::from_int64(3)));
  expect_round_trip(make_ratio(h, BigInt::from_int64(-1), pow2(100)));
  Term back = round_trip(R(-3, 4));
  ASSERT_TRUE(is_ratio(back));
  EXPECT_EQ(integer_value(ratio_numerator(back)), BigInt::from_int64(-3));
}

TEST_F(TermCodecTest, FixedWidthIntegersRoundTripAtTheirBounds) {
  for (uint8_t k = 0; k < 8; ++k) {
    auto kind = static_cast<FixedKind>(k);
    const FixedInfo& info = fixed_info(kind);
    BigInt lo = info.is_signed ? -pow2(info.bits - 1) : BigInt();
    BigInt hi = (info.is_signed ? pow2(info.bits - 1) : pow2(info.bits)) - BigInt::from_int64(1);
    for (const BigInt& v : {lo, hi, BigInt::from_int64(1)}) {
      Term back = round_trip(Fx(kind, v));
      ASSERT_TRUE(is_fixed(back)) << info.suffix;
      EXPECT_EQ(fixed_kind(back), kind);
      EXPECT_EQ(fixed_value(back), v) << info.suffix << " " << v.to_string();
    }
  }
}

TEST_F(TermCodecTest, CharsStringsAndNamesRoundTrip) {
  for (uint32_t cp : {0u, 0x41u, 0x7Fu, 0x80u, 0xD7FFu, 0xE000u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    expect_round_trip(Term::character(cp));
  }
  expect_round_trip(S(""));
  expect_round_trip(S("h\xC3\xA9llo w\xC3\xB6rld \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80"));
  expect_round_trip(S(std::string("nul\0inside", 10)));
  expect_round_trip(S(std::string(5000, 'x')));
  for (std::string_view name : {"k", "lona.core/foo", "a.b.c/d-e?", "/", "lona.core//", "",
                                "\xE6\x97\xA5/\xF0\x9F\x98\x80"}) {
    expect_round_trip(K(name));
    expect_round_trip(Y(name));
  }
  Term kw = round_trip(K("lona.core/foo"));
  ASSERT_TRUE(kw.is_keyword());
  EXPECT_EQ(name_entry(kw).ns(), "lona.core");
  EXPECT_EQ(name_entry(kw).name(), "foo");
  // Names travel by name: the keyword and symbol of the same name stay apart.
  EXPECT_TRUE(round_trip(Y("foo")).is_symbol());
}

TEST_F(TermCodecTest, BinariesRoundTripOnAndOffTheHeap) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (size_t n :
       {size_t{0}, size_t{1}, kRefcBinaryThreshold, kRefcBinaryThreshold + 1, size_t{256}}) {
    Term back = round_trip(Bin(all.substr(0, n)));
    ASSERT_TRUE(is_binary(back));
    EXPECT_EQ(byte_view(back), all.substr(0, n));
  }
  // A sub-binary (offset into a shared blob) travels as its own bytes.
  Term whole = Bin(all);
  Term part = binary_part(h, whole, 100, 100);
  EXPECT_EQ(byte_view(round_trip(part)), all.substr(100, 100));
}

TEST_F(TermCodecTest, IdentitiesRoundTrip) {
  expect_round_trip(make_pid(h, 1, 0));
  expect_round_trip(make_pid(h, 9, std::numeric_limits<uint64_t>::max()));
  expect_round_trip(make_ref(h, 1));
  expect_round_trip(make_ref(h, std::numeric_limits<uint64_t>::max()));
  expect_round_trip(make_realm_id(h, 1));
  expect_round_trip(make_realm_id(h, std::numeric_limits<uint64_t>::max()));
  Term pid = round_trip(make_pid(h, 3, 77));
  ASSERT_TRUE(is_pid(pid));
  EXPECT_EQ(pid_realm(pid), 3u);
  EXPECT_EQ(pid_local(pid), 77u);
}

TEST_F(TermCodecTest, CollectionsRoundTripInInsertionOrder) {
  expect_round_trip(tup({}));
  expect_round_trip(vec({}));
  expect_round_trip(map({}));
  expect_round_trip(set({}));
  Term mixed = tup({lst({I(1), S("two"), K("three")}), vec({F(4.5), R(5, 6)}),
                    map({tup({I(1), I(2)}), set({K("x")}), vec({}), map({K("n"), Term::nil()})}),
                    set({lst({I(1)}), Term::empty_list(), tup({})}), make_pid(h, 2, 3)});
  expect_round_trip(mixed);

  // Past the hash index threshold, and in an order that is not sorted.
  std::vector<Term> kvs, elems;
  for (int64_t i = 0; i < 100; ++i) {
    kvs.push_back(I((i * 37) % 101));
    kvs.push_back(S(std::to_string(i)));
    elems.push_back(K("e" + std::to_string((i * 53) % 100)));
  }
  Term m = map(kvs);
  Term s = set(elems);
  Term m_back = round_trip(m);
  Term s_back = round_trip(s);
  EXPECT_TRUE(equal(m, m_back));
  EXPECT_TRUE(equal(s, s_back));
  ASSERT_EQ(map_count(m_back), 100u);
  ASSERT_EQ(set_count(s_back), 100u);
  EXPECT_TRUE(has_hash_index(m_back));
  for (size_t i = 0; i < 100; ++i) {
    EXPECT_TRUE(equal(map_key(m_back, i), map_key(m, i))) << i;
    EXPECT_TRUE(equal(map_value(m_back, i), map_value(m, i))) << i;
    EXPECT_TRUE(equal(set_at(s_back, i), set_at(s, i))) << i;
  }
  EXPECT_TRUE(equal(*map_get(m_back, I(37)), S("1")));

  std::vector<Term> long_list;
  for (int64_t i = 0; i < 10000; ++i) long_list.push_back(I(i));
  expect_round_trip(lst(long_list));
}

TEST_F(TermCodecTest, MetadataDoesNotTravel) {
  Term m = map({K("line"), I(3)});
  Term v = meta(vec({I(1)}), m);
  Term sym = meta(Y("f"), m);
  Term back = round_trip(tup({v, sym}));
  EXPECT_TRUE(equal(back, tup({vec({I(1)}), Y("f")})));
  EXPECT_TRUE(meta_of(array_at(back, 0)).is_nil());
  EXPECT_TRUE(array_at(back, 1).is_symbol());
}

TEST_F(TermCodecTest, NestingUpToTheLimitRoundTripsThroughEveryCollection) {
  ASSERT_EQ(kMaxTermDepth, kSpecDepth);
  for (int wrap = 0; wrap < 6; ++wrap) {
    Term deep = nest(kSpecDepth, wrap, I(42));
    expect_round_trip(deep);
    // One more level is refused by the encoder (the receiver would refuse it).
    EXPECT_EQ(encode_error(nest(1, wrap, deep)),
              "serialized term: cannot send a term nested deeper than 1000 collections to "
              "another realm")
        << wrap;
  }
  // An empty collection is a level too.
  EXPECT_EQ(encode_error(nest(kSpecDepth, 0, vec({}))),
            "serialized term: cannot send a term nested deeper than 1000 collections to another "
            "realm");
  expect_round_trip(nest(kSpecDepth - 1, 0, vec({})));
}

TEST_F(TermCodecTest, DecodingSurvivesACollectionAtEveryAllocation) {
  std::vector<Term> kvs;
  for (int64_t i = 0; i < 20; ++i) {
    kvs.push_back(tup({I(i), S("s" + std::to_string(i))}));
    kvs.push_back(lst({Int(pow2(100) + BigInt::from_int64(i)), R(1, i + 2), F(0.5)}));
  }
  Term original = tup({map(kvs), set({Bin(std::string(100, 'b')), make_pid(h, 1, 2)}),
                       nest(50, 2, make_ref(h, 9)), Fx(FixedKind::kI16, -7)});
  Bytes bytes = encode(original);
  Heap stressed;
  stressed.set_stress(true, 0);
  TermDecodeResult r = decode_term(stressed, bytes, kRealm);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_GT(stressed.collections(), 100u);
  EXPECT_TRUE(equal(original, r.value));
  EXPECT_TRUE(stressed.stack().empty());
}

// --- what does not travel ------------------------------------------------------------------------

TEST_F(TermCodecTest, TermsThatCannotTravelAreRefused) {
  EXPECT_EQ(encode_error(Term::native_fn(0)),
            "serialized term: cannot send a function to another realm");
  EXPECT_EQ(encode_error(Term::var(0)), "serialized term: cannot send a var to another realm");
  EXPECT_EQ(encode_error(Term::ns(0)), "serialized term: cannot send a namespace to another realm");
  EXPECT_EQ(encode_error(make_bytebuf(h, 4)),
            "serialized term: cannot send a bytebuf to another realm");
  EXPECT_EQ(encode_error(make_address(h, ObjTag::kPaddr, 0x1000)),
            "serialized term: cannot send a paddr to another realm");
  EXPECT_EQ(encode_error(make_address(h, ObjTag::kVaddr, 0x1000)),
            "serialized term: cannot send a vaddr to another realm");
  EXPECT_EQ(encode_error(make_capability_object(h, 1, CapType::kFrame, 0)),
            "serialized term: cannot send a capability to another realm");
  EXPECT_EQ(encode_error(make_msg_info(h, 1, 2, 0)),
            "serialized term: cannot send a msg-info to another realm");
  EXPECT_EQ(encode_error(Term::unbound()),
            "serialized term: cannot send an internal value to another realm");
  EXPECT_EQ(encode_error(cons_list({I(1)}, I(2))),
            "serialized term: cannot send an improper list to another realm");
  // Deep inside a collection, after bytes were written: the output is still left as it was.
  EXPECT_EQ(encode_error(map({K("a"), S("long enough to write"), K("b"), vec({Term::var(3)})})),
            "serialized term: cannot send a var to another realm");
}

// --- rejections ----------------------------------------------------------------------------------

TEST_F(TermCodecTest, RejectsAMissingOrUnknownVersion) {
  expect_malformed(B({}), "serialized term: empty input");
  expect_malformed(B({0, 0}), "serialized term: unknown format version 0 (version 1 expected)");
  expect_malformed(B({2, 0}), "serialized term: unknown format version 2 (version 1 expected)");
}

TEST_F(TermCodecTest, RejectsUnknownTags) {
  expect_malformed(B({1, 0x16}), "serialized term: unknown tag 0x16 at offset 1");
  expect_malformed(B({1, 0xFF}), "serialized term: unknown tag 0xff at offset 1");
  expect_malformed(B({1, 0x0D, 2, 0x00, 0x3F}), "serialized term: unknown tag 0x3f at offset 4");
}

TEST_F(TermCodecTest, RejectsPayloadsPastTheEnd) {
  expect_malformed(B({1}), "serialized term: term at offset 1 runs past the end of the input");
  expect_malformed(B({1, 0x06, 0, 0, 0, 0, 0, 0, 0xF0}),
                   "serialized term: float at offset 1 runs past the end of the input");
  expect_malformed(B({1, 0x04, 0x80}),
                   "serialized term: varint at offset 2 runs past the end of the input");
  expect_malformed(B({1, 0x05}),
                   "serialized term: big integer at offset 1 runs past the end of the input");
  expect_malformed(B({1, 0x14}),
                   "serialized term: fixed-width integer at offset 1 runs past the end of the "
                   "input");
  expect_malformed(B({1, 0x12, 1}),
                   "serialized term: varint at offset 3 runs past the end of the input");
  expect_malformed(B({1, 0x07, 0x04, 0x02}),
                   "serialized term: ratio part at offset 4 runs past the end of the input");
  // The count fits the bytes left, the elements do not.
  expect_malformed(B({1, 0x0D, 2, 0x06, 0, 0, 0, 0, 0, 0, 0, 0}),
                   "serialized term: term at offset 12 runs past the end of the input");
}

TEST_F(TermCodecTest, RejectsVarintsOver64Bits) {
  expect_malformed(cat(B({1, 0x04}), cat(repeat(B({0xFF}), 9), B({0x02}))),
                   "serialized term: varint at offset 2 is longer than 64 bits");
  expect_malformed(cat(B({1, 0x08}), cat(repeat(B({0x80}), 10), B({0x00}))),
                   "serialized term: varint at offset 2 is longer than 64 bits");
  expect_malformed(cat(B({1, 0x0E}), repeat(B({0xFF}), 12)),
                   "serialized term: varint at offset 2 is longer than 64 bits");
}

TEST_F(TermCodecTest, RejectsCountsLargerThanTheBytesLeft) {
  expect_malformed(B({1, 0x0D, 5, 0, 0}),
                   "serialized term: count 5 at offset 2 is more than the 2 bytes left can hold");
  // A map entry takes two terms, so two bytes at least.
  expect_malformed(B({1, 0x10, 2, 0, 0, 0}),
                   "serialized term: count 2 at offset 2 is more than the 3 bytes left can hold");
  expect_malformed(B({1, 0x09, 4, 'a', 'b'}),
                   "serialized term: count 4 at offset 2 is more than the 2 bytes left can hold");
  expect_malformed(B({1, 0x05, 0, 9, 1, 2, 3}),
                   "serialized term: count 9 at offset 3 is more than the 3 bytes left can hold");
  expect_malformed(cat(B({1, 0x0C}), cat(repeat(B({0xFF}), 9), B({0x01}))),
                   "serialized term: count 18446744073709551615 at offset 2 is more than the 0 "
                   "bytes left can hold");
}

TEST_F(TermCodecTest, RejectsInvalidUtf8) {
  expect_malformed(B({1, 0x09, 2, 0xC3, 0x28}),
                   "serialized term: invalid UTF-8 at offset 3 in the string at offset 1");
  expect_malformed(B({1, 0x0A, 3, 0xED, 0xA0, 0x80}),  // a surrogate
                   "serialized term: invalid UTF-8 at offset 3 in the keyword at offset 1");
  expect_malformed(B({1, 0x0B, 3, 'a', 0xC0, 0x80}),  // overlong NUL
                   "serialized term: invalid UTF-8 at offset 4 in the symbol at offset 1");
  // A sequence cut by the end of its string, though the next string would complete it.
  expect_malformed(B({1, 0x0D, 2, 0x09, 1, 0xC3, 0x09, 1, 0xA9}),
                   "serialized term: invalid UTF-8 at offset 5 in the string at offset 3");
}

TEST_F(TermCodecTest, RejectsNestingDeeperThanTheLimit) {
  // kSpecDepth tuples hold each other; the innermost holds one more collection.
  for (uint8_t tag : {0x0D, 0x0E, 0x0F, 0x10, 0x11}) {
    Bytes bytes = cat(cat(B({1}), repeat(B({0x0D, 1}), kSpecDepth)), B({tag, 0}));
    expect_malformed(
        bytes, "serialized term: collection at offset 2001 is nested deeper than 1000 levels");
  }
  // Exactly at the limit decodes.
  Term at_limit = decode(cat(cat(B({1}), repeat(B({0x0E, 1}), kSpecDepth)), B({0x04, 84})));
  EXPECT_TRUE(equal(at_limit, nest(kSpecDepth, 1, I(42))));
}

TEST_F(TermCodecTest, RejectsBytesAfterTheTerm) {
  expect_malformed(B({1, 0x00, 0x00, 0x00}),
                   "serialized term: 2 bytes left after the term at offset 2");
  expect_malformed(B({1, 0x0D, 1, 0x04, 2, 0x03}),
                   "serialized term: 1 bytes left after the term at offset 5");
}

TEST_F(TermCodecTest, RejectsImpossibleNumbers) {
  expect_malformed(B({1, 0x05, 2, 1, 1}),
                   "serialized term: big integer sign 2 at offset 1 is not 0 or 1");
  expect_malformed(B({1, 0x07, 0x04, 0x02, 0x04, 0x00}),
                   "serialized term: ratio at offset 1 has a zero denominator");
  expect_malformed(B({1, 0x07, 0x04, 0x02, 0x05, 1, 0}),
                   "serialized term: ratio at offset 1 has a zero denominator");
  expect_malformed(B({1, 0x07, 0x06, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x04, 0x02}),
                   "serialized term: ratio part at offset 2 is not an integer (tag 0x06)");
  expect_malformed(B({1, 0x07, 0x04, 0x02, 0x07, 0x04, 0x02, 0x04, 0x04}),
                   "serialized term: ratio part at offset 4 is not an integer (tag 0x07)");
  expect_malformed(B({1, 0x14, 8, 0}),
                   "serialized term: fixed-width kind 8 at offset 1 is unknown (0 to 7)");
  expect_malformed(B({1, 0x14, 0, 0x80, 0x04}),
                   "serialized term: value 256 at offset 1 is out of range for u8");
  expect_malformed(B({1, 0x14, 4, 0x81, 0x02}),
                   "serialized term: value -129 at offset 1 is out of range for i8");
  expect_malformed(B({1, 0x14, 1, 0x01}),
                   "serialized term: value -1 at offset 1 is out of range for u16");
  expect_malformed(B({1, 0x14, 6, 0x80, 0x80, 0x80, 0x80, 0x10}),
                   "serialized term: value 2147483648 at offset 1 is out of range for i32");
}

TEST_F(TermCodecTest, RejectsCharsThatAreNoScalarValues) {
  expect_malformed(B({1, 0x08, 0x80, 0xB0, 0x03}),
                   "serialized term: char U+D800 at offset 1 is not a Unicode scalar value");
  expect_malformed(B({1, 0x08, 0x80, 0x80, 0x44}),
                   "serialized term: char U+110000 at offset 1 is not a Unicode scalar value");
  // 2^32 + 'A': cut to 32 bits it would be 'A'.
  expect_malformed(B({1, 0x08, 0xC1, 0x80, 0x80, 0x80, 0x10}),
                   "serialized term: char U+100000041 at offset 1 is not a Unicode scalar value");
}

TEST_F(TermCodecTest, RejectsRealmZeroAndForeignReferences) {
  expect_malformed(B({1, 0x12, 0, 5}),
                   "serialized term: pid at offset 1 names realm 0, which is never a realm");
  expect_malformed(B({1, 0x13, 0, 5}),
                   "serialized term: reference at offset 1 names realm 0, which is never a realm");
  expect_malformed(B({1, 0x15, 0}),
                   "serialized term: realm id at offset 1 names realm 0, which is never a realm");
  expect_malformed(B({1, 0x13, static_cast<int>(kRealm), 0}),
                   "serialized term: reference at offset 1 has number 0, which no realm makes");
  // A ref holds no realm, so a foreign one would pass for this realm's ref of the same number.
  expect_rejected(B({1, 0x0D, 1, 0x13, 2, 5}), "unsupported",
                  "serialized term: reference at offset 3 was made in realm 2, and this realm (1) "
                  "can hold only its own references");
  // The same bytes are fine in realm 2.
  TermDecodeResult r = decode_term(h, B({1, 0x13, 2, 5}), 2);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(ref_id(r.value), 5u);
}

TEST_F(TermCodecTest, RejectsRepeatedKeysAndElements) {
  expect_malformed(B({1, 0x10, 2, 0x04, 2, 0x00, 0x04, 2, 0x01}),
                   "serialized term: map at offset 1 repeats a key");
  // 1 as a small and as a big integer are the same key.
  expect_malformed(B({1, 0x0E, 1, 0x10, 2, 0x04, 2, 0x00, 0x05, 0, 1, 1, 0x01}),
                   "serialized term: map at offset 3 repeats a key");
  expect_malformed(B({1, 0x11, 3, 0x00, 0x02, 0x00}),
                   "serialized term: set at offset 1 repeats an element");
  // NaN is not equal to itself, so two NaNs are two elements, as the runtime's sets have them.
  Bytes nan = B({0x06, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F});
  Term s = decode(cat(cat(B({1, 0x11, 2}), nan), nan));
  ASSERT_TRUE(is_set(s));
  EXPECT_EQ(set_count(s), 2u);
}

// --- inputs the encoder does not write, decoded as the runtime's constructors would ------------

TEST_F(TermCodecTest, NonCanonicalInputsAreNormalised) {
  // A big integer that fits: the small integer (not a bigint that would print with N).
  Term small = decode(B({1, 0x05, 0, 1, 42}));
  ASSERT_TRUE(small.is_fixnum());
  EXPECT_EQ(small.fixnum_value(), 42);
  Term neg_zero = decode(B({1, 0x05, 1, 0}));
  ASSERT_TRUE(neg_zero.is_fixnum());
  EXPECT_EQ(neg_zero.fixnum_value(), 0);
  EXPECT_EQ(integer_value(decode(B({1, 0x05, 1, 3, 7, 0, 0}))), BigInt::from_int64(-7));
  // A padded varint.
  EXPECT_EQ(decode(B({1, 0x04, 0x82, 0x00})).fixnum_value(), 1);
  // Ratios reduce as 4/2 reads as 2; the sign moves to the numerator.
  Term two = decode(B({1, 0x07, 0x04, 8, 0x04, 4}));
  ASSERT_TRUE(two.is_fixnum());
  EXPECT_EQ(two.fixnum_value(), 2);
  EXPECT_TRUE(equal(decode(B({1, 0x07, 0x04, 4, 0x04, 7})), R(-1, 2)));
  // A list of no terms is the empty list.
  EXPECT_TRUE(decode(B({1, 0x0F, 0})).is_empty_list());
}

}  // namespace
}  // namespace lona
