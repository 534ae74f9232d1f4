// Tests for terms nested far deeper than the C++ stack could follow by recursion (a million levels
// through tuples, vectors, list heads and tails, map keys and values, set elements, metadata):
// equality (equal and unequal at the bottom, metadata ignored, unordered maps and sets, keys that
// are collections, matched directly, by trying candidates, or by hash), hashing (equal terms hash
// alike; the iterative walk gives the same hash as the recursive one), deep copies into
// non-moving storage (and the bounded size check deep_copy_words, DAGs included), constructors
// that compare and hash keys, and printing. Run under ASan, whose frames are larger, any
// recursion per level left in these paths overflows the stack.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/hash.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LONA_DEEP_TERMS_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LONA_DEEP_TERMS_SANITIZED 1
#endif

// How deep the deep terms are: a million levels, or 50,000 in sanitizer builds, which are
// unoptimised and run these tests some fifty times slower. A walk that recursed per level would
// still overflow an 8 MiB stack there: sanitizer frames take hundreds of bytes (the printer's
// recursion was measured at about 1 KiB per level).
#ifdef LONA_DEEP_TERMS_SANITIZED
constexpr size_t kDeep = 50000;
#else
constexpr size_t kDeep = 1000000;
#endif

// One level of nesting around a term x.
enum class Wrap {
  kTuple,        // [x]
  kVector,       // {x}
  kListHead,     // (x)
  kListTail,     // (0 . x): a longer list when x is a list, else an improper tail
  kMapKey,       // %{x 1}
  kMapValue,     // %{:k x}
  kSet,          // #{x 5}
  kTupleMeta,    // ^%{:m 1} [x]: through the element of a tuple that carries metadata
  kThroughMeta,  // ^%{:m x} [0]: through the metadata only
};
constexpr Wrap kAllWraps[] = {Wrap::kTuple,    Wrap::kVector,    Wrap::kListHead,
                              Wrap::kListTail, Wrap::kMapKey,    Wrap::kMapValue,
                              Wrap::kSet,      Wrap::kTupleMeta, Wrap::kThroughMeta};

Term K(const char* name) { return make_keyword(name); }

// Replaces the term x on top of h's stack by one level of nesting around it. `flip` builds maps
// and sets with their entries in the other order. Everything stays on the stack (or is passed to
// a constructor that roots its arguments) across allocations.
void wrap(Heap& h, Wrap w, bool flip = false) {
  switch (w) {
    case Wrap::kTuple:
      h.push(tuple_from_stack(h, 1));
      return;
    case Wrap::kVector:
      h.push(vector_from_stack(h, 1));
      return;
    case Wrap::kListHead:
      h.push(list_from_stack(h, 1));
      return;
    case Wrap::kListTail: {
      Term x = h.pop();
      h.push(make_cons(h, Term::fixnum(0), x));  // make_cons roots both
      return;
    }
    case Wrap::kMapKey:
    case Wrap::kMapValue: {
      Term x = h.pop();
      Term other = w == Wrap::kMapKey ? Term::fixnum(1) : K("k");
      if (w == Wrap::kMapKey) {
        h.push(x);
        h.push(other);
      } else {
        h.push(other);
        h.push(x);
      }
      if (flip) {  // one more entry, first or last
        Term a = h.pop(), b = h.pop();
        h.push(K("other"));
        h.push(Term::fixnum(2));
        h.push(b);
        h.push(a);
      } else {
        h.push(K("other"));
        h.push(Term::fixnum(2));
      }
      h.push(map_from_stack(h, 2));
      return;
    }
    case Wrap::kSet:
      if (flip) {
        Term x = h.pop();
        h.push(Term::fixnum(5));
        h.push(x);
      } else {
        h.push(Term::fixnum(5));
      }
      h.push(set_from_stack(h, 2));
      return;
    case Wrap::kTupleMeta: {
      Term t = tuple_from_stack(h, 1);
      h.push(t);
      h.push(K("m"));
      h.push(Term::fixnum(1));
      Term meta = map_from_stack(h, 1);
      t = h.pop();
      h.push(with_meta(h, t, meta));  // with_meta roots both
      return;
    }
    case Wrap::kThroughMeta: {
      Term x = h.pop();
      h.push(K("m"));
      h.push(x);
      h.push(map_from_stack(h, 1));
      h.push(Term::fixnum(0));
      Term t = tuple_from_stack(h, 1);
      Term meta = h.pop();
      h.push(with_meta(h, t, meta));
      return;
    }
  }
}

// `bottom` nested `depth` levels deep, level i (from the bottom) made by kind(i).
template <typename KindAt>
Term build(Heap& h, Term bottom, size_t depth, KindAt kind, bool flip = false) {
  h.push(bottom);
  for (size_t i = 0; i < depth; ++i) wrap(h, kind(i), flip);
  return h.pop();
}

Term build(Heap& h, Term bottom, size_t depth, Wrap w, bool flip = false) {
  return build(
      h, bottom, depth, [w](size_t) { return w; }, flip);
}

// Every kind in turn, so that each level nests through another kind (but never through metadata
// alone, which would hide the levels below from equality).
Wrap mixed(size_t i) { return kAllWraps[i % (std::size(kAllWraps) - 1)]; }

// Non-moving storage for deep copies, sized with deep_copy_words; checks that the copy takes
// exactly that many words.
class Arena {
 public:
  Term copy(Term t) {
    size_t words = deep_copy_words(t, std::numeric_limits<size_t>::max() / 2);
    auto block = std::make_unique<Word[]>(words);
    Word* base = block.get();
    size_t used = 0;
    Term result = deep_copy(t, [&](size_t n) -> Word* {
      if (used + n > words) {  // more than predicted: a failure, but stay in bounds
        spill_.push_back(std::make_unique<Word[]>(n));
        used += n;
        return spill_.back().get();
      }
      Word* p = base + used;
      used += n;
      return p;
    });
    EXPECT_EQ(used, words) << "deep_copy_words disagrees with deep_copy";
    blocks_.push_back(std::move(block));
    return result;
  }

  // A copy moved out of the block deep_copy_into made (copy_block, as a process takes a message
  // out of its envelope); the block is then overwritten, so the copy must share nothing with it.
  Term moved(Term t) {
    size_t words = deep_copy_words(t, std::numeric_limits<size_t>::max() / 2);
    auto from = std::make_unique<Word[]>(words);
    Term in_block = deep_copy_into(t, from.get());
    auto to = std::make_unique<Word[]>(words);
    Term result = copy_block(in_block, from.get(), words, to.get());
    std::fill(from.get(), from.get() + words, Term::nil().raw());
    blocks_.push_back(std::move(to));
    return result;
  }

 private:
  std::vector<std::unique_ptr<Word[]>> blocks_, spill_;
};

class DeepTermsTest : public ::testing::Test {
 protected:
  Heap h{Heap::kProgramInitialWords};
  Arena arena;
};

// a and b equal (both ways, with equal hashes), c different from both.
void expect_equal_but_not(Term a, Term b, Term c) {
  EXPECT_TRUE(equal(a, b));
  EXPECT_TRUE(equal(b, a));
  EXPECT_EQ(hash(a), hash(b));
  EXPECT_FALSE(equal(a, c));
  EXPECT_FALSE(equal(c, a));
  EXPECT_FALSE(equal(b, c));
}

TEST_F(DeepTermsTest, EveryKindOfNestingComparesHashesAndCopies) {
  for (Wrap w : kAllWraps) {
    SCOPED_TRACE(static_cast<int>(w));
    Rooted a(h, build(h, Term::fixnum(1), kDeep, w));
    Rooted c(h, build(h, Term::fixnum(2), kDeep, w));
    Term copy = arena.copy(a.get());  // separately built, outside the heap
    EXPECT_FALSE(h.contains(copy.is_cons() ? copy.cons_cell() : object_of(copy)));
    Term moved = arena.moved(a.get());
    EXPECT_TRUE(equal(a.get(), moved));
    EXPECT_EQ(hash(a.get()), hash(moved));
    if (w == Wrap::kThroughMeta) {
      // Only the metadata differs, and equality never looks at it.
      EXPECT_TRUE(equal(a.get(), c.get()));
      EXPECT_EQ(hash(a.get()), hash(c.get()));
      EXPECT_TRUE(equal(a.get(), copy));
      // The copy has all of the metadata: follow it down.
      size_t levels = 0;
      Term t = copy;
      for (; is_tuple(t) && !meta_of(t).is_nil(); ++levels) t = map_value(meta_of(t), 0);
      EXPECT_EQ(levels, kDeep);
      EXPECT_EQ(t, Term::fixnum(1));
      continue;
    }
    expect_equal_but_not(a.get(), copy, c.get());
  }
}

TEST_F(DeepTermsTest, MapsAndSetsInTheOtherOrderAtEveryLevel) {
  for (Wrap w : {Wrap::kMapKey, Wrap::kMapValue, Wrap::kSet}) {
    SCOPED_TRACE(static_cast<int>(w));
    Rooted a(h, build(h, Term::fixnum(1), kDeep, w));
    Rooted b(h, build(h, Term::fixnum(1), kDeep, w, /*flip=*/true));
    Rooted c(h, build(h, Term::fixnum(2), kDeep, w, /*flip=*/true));
    expect_equal_but_not(a.get(), b.get(), c.get());
  }
}

TEST_F(DeepTermsTest, MixedNesting) {
  Rooted a(h, build(h, Term::fixnum(1), kDeep, mixed));
  Rooted b(h, build(h, Term::fixnum(1), kDeep, mixed, /*flip=*/true));
  Rooted c(h, build(h, Term::fixnum(2), kDeep, mixed));
  expect_equal_but_not(a.get(), b.get(), c.get());
  Term copy = arena.copy(b.get());
  expect_equal_but_not(copy, a.get(), c.get());
  expect_equal_but_not(arena.moved(b.get()), a.get(), c.get());
  // NaN at the bottom: unequal to a copy of itself, although the hashes agree.
  Rooted n(h, build(h, make_float(h, std::nan("")), kDeep, mixed));
  Term n2 = arena.copy(n.get());
  EXPECT_FALSE(equal(n.get(), n2));
  EXPECT_EQ(hash(n.get()), hash(n2));
  EXPECT_TRUE(equal(n.get(), n.get()));  // the same term: identity
  // Integers by value at the bottom: 42 = 42N.
  Rooted i(h, build(h, Term::fixnum(42), kDeep, mixed));
  Rooted big(h, Term::nil());
  big.set(build(h, make_integer(h, BigInt::from_int64(42), /*explicit_big=*/true), kDeep, mixed));
  EXPECT_TRUE(equal(i.get(), big.get()));
  EXPECT_EQ(hash(i.get()), hash(big.get()));
  // Raw payloads (a string, a float, a big integer) moved as they are, never read as terms.
  Rooted s(h, build(h, make_string(h, "a string of more than one word"), kDeep, mixed));
  EXPECT_TRUE(equal(s.get(), arena.moved(s.get())));
  EXPECT_TRUE(equal(big.get(), arena.moved(big.get())));
  Rooted f(h, build(h, make_float(h, 2.5), kDeep, mixed));
  EXPECT_TRUE(equal(f.get(), arena.moved(f.get())));
}

TEST_F(DeepTermsTest, ListsTupleAndVectorsStayApartAtDepth) {
  Rooted t(h, build(h, Term::fixnum(1), kDeep, Wrap::kTuple));
  Rooted v(h, build(h, Term::fixnum(1), kDeep, Wrap::kVector));
  Rooted l(h, build(h, Term::fixnum(1), kDeep, Wrap::kListHead));
  // Differing only at the bottom level's kind.
  Rooted tv(h, build(h, build(h, Term::fixnum(1), 1, Wrap::kVector), kDeep - 1, Wrap::kTuple));
  EXPECT_FALSE(equal(t.get(), v.get()));
  EXPECT_FALSE(equal(t.get(), l.get()));
  EXPECT_FALSE(equal(v.get(), l.get()));
  EXPECT_FALSE(equal(t.get(), tv.get()));
  EXPECT_NE(hash(t.get()), hash(tv.get()));
}

TEST_F(DeepTermsTest, LongListsAndImproperTails) {
  // kDeep elements, each a small tuple, ending in an improper tail that is itself deep.
  h.push(build(h, Term::fixnum(9), 1000, Wrap::kTuple));
  for (size_t i = 0; i < kDeep; ++i) {
    h.push(Term::fixnum(static_cast<int64_t>(i)));
    h.push(tuple_from_stack(h, 1));
    Term head = h.pop();
    Term tail = h.pop();
    h.push(make_cons(h, head, tail));
  }
  Rooted a(h, h.pop());
  Term copy = arena.copy(a.get());
  Rooted c(h, make_cons(h, Term::fixnum(0), a.get()));  // one element longer
  EXPECT_TRUE(equal(a.get(), copy));
  EXPECT_EQ(hash(a.get()), hash(copy));
  EXPECT_TRUE(equal(a.get(), arena.moved(a.get())));
  EXPECT_FALSE(equal(a.get(), c.get()));
  EXPECT_FALSE(equal(list_tail(c.get()), c.get()));
  EXPECT_TRUE(equal(list_tail(c.get()), copy));
}

// The hash of [x] is combine(hash([]), hash(x)), and likewise for lists and vectors; so nesting x
// n levels deep gives a hash that can be computed from hash(x). This checks that the iterative
// walk (which takes over below the first levels) hashes every kind of term as the recursive walk
// does at the top.
TEST_F(DeepTermsTest, DeepHashesAgreeWithShallowOnes) {
  h.push(Term::fixnum(1));
  h.push(make_string(h, "s"));
  h.push(make_cons(h, Term::fixnum(3), Term::fixnum(4)));  // (3 . 4)
  h.push(Term::fixnum(2));
  Term inner = tuple_from_stack(h, 2);
  h.push(inner);
  h.push(make_float(h, -0.0));
  h.push(K("a"));
  Term set = set_from_stack(h, 3);  // #{[(3 . 4) 2] -0.0 :a}
  h.push(set);
  Term m = map_from_stack(h, 1);  // %{"s" #{...}}
  h.push(m);
  Term list = list_from_stack(h, 2);  // (1 %{"s" #{...}})
  Rooted x(h, list);
  uint64_t top = hash(x.get());
  for (Wrap w : {Wrap::kTuple, Wrap::kVector, Wrap::kListHead}) {
    Term empty = w == Wrap::kTuple    ? tuple_from_stack(h, 0)
                 : w == Wrap::kVector ? vector_from_stack(h, 0)
                                      : Term::empty_list();
    uint64_t seed = hash(empty);
    for (size_t depth : {1, 63, 64, 65, 100, 1000}) {
      Term t = build(h, x.get(), depth, w);
      uint64_t expected = top;
      for (size_t i = 0; i < depth; ++i) expected = hashing::combine(seed, expected);
      EXPECT_EQ(hash(t), expected) << static_cast<int>(w) << " " << depth;
    }
  }
}

TEST_F(DeepTermsTest, ConstructorsCompareAndHashDeepKeys) {
  Rooted a(h, build(h, Term::fixnum(1), kDeep, mixed));
  Rooted b(h, build(h, Term::fixnum(1), kDeep, mixed, /*flip=*/true));
  // A set of two equal deep terms keeps one.
  h.push(a.get());
  h.push(b.get());
  Rooted s(h, set_from_stack(h, 2));
  EXPECT_EQ(set_count(s.get()), 1u);
  EXPECT_TRUE(set_contains(s.get(), b.get()));
  // A large (indexed) map with a deep key among small ones, in two orders.
  for (bool reversed : {false, true}) {
    for (int i = 0; i < 20; ++i) {
      int k = reversed ? 19 - i : i;
      h.push(k == 7 ? (reversed ? b.get() : a.get()) : Term::fixnum(k));
      h.push(Term::fixnum(100 + k));
    }
    Term m = map_from_stack(h, 20);
    h.push(m);
  }
  Rooted m2(h, h.pop());
  Rooted m1(h, h.pop());
  ASSERT_TRUE(has_hash_index(m1.get()));
  EXPECT_EQ(map_get(m1.get(), b.get()), Term::fixnum(107));
  EXPECT_EQ(map_get(m2.get(), a.get()), Term::fixnum(107));
  EXPECT_TRUE(equal(m1.get(), m2.get()));
  EXPECT_EQ(hash(m1.get()), hash(m2.get()));
}

// Keys that are collections are matched among many candidates by hash: a chain of sets, each
// holding nine small tuples and the next set, built in opposite orders.
TEST_F(DeepTermsTest, ManyCollectionKeysAtEveryLevel) {
  // Building is quadratic (each level hashes the one below), so not too deep; but past the levels
  // that equality recurses through.
  constexpr size_t kDepth = std::max<size_t>(kDeep / 1000, 100);
  auto chain = [&](int64_t bottom, bool reversed) {
    h.push(Term::fixnum(bottom));
    for (size_t level = 0; level < kDepth; ++level) {
      Term deeper = h.pop();
      std::vector<int64_t> order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
      if (reversed) std::reverse(order.begin(), order.end());
      h.push(deeper);  // keep it rooted while the small tuples are made
      size_t base = h.stack().size();
      for (int64_t k : order) {
        if (k == 9) {
          h.push(h.stack()[base - 1]);
        } else {
          h.push(Term::fixnum(k + static_cast<int64_t>(level)));
          h.push(tuple_from_stack(h, 1));
        }
      }
      Term s = set_from_stack(h, 10);
      h.pop();
      h.push(s);
    }
    return h.pop();
  };
  Rooted a(h, chain(1, false));
  Rooted b(h, chain(1, true));
  Rooted c(h, chain(2, true));
  expect_equal_but_not(a.get(), b.get(), c.get());
  Term copy = arena.copy(a.get());
  expect_equal_but_not(b.get(), copy, c.get());
}

// Keys that are collections with several candidates of the same kind and size: the comparison
// tries a decoy first, which fails a level down, and backs out of it.
TEST_F(DeepTermsTest, CandidateKeysThatFailAreBackedOutOf) {
  constexpr size_t kDepth = std::min<size_t>(kDeep, 200000);
  h.push(Term::fixnum(1));
  Rooted decoy(h, set_from_stack(h, 1));  // #{1}
  // Level i: #{[deeper i] [#{1} i]}, the decoy first or last.
  auto chain = [&](int64_t bottom, bool decoy_first) {
    h.push(Term::fixnum(bottom));
    for (size_t level = 0; level < kDepth; ++level) {
      Term tag = Term::fixnum(static_cast<int64_t>(level));
      h.push(tag);
      h.push(tuple_from_stack(h, 2));  // [deeper i]
      h.push(decoy.get());
      h.push(tag);
      h.push(tuple_from_stack(h, 2));  // [#{1} i]
      if (decoy_first) {
        Term d = h.pop(), t = h.pop();
        h.push(d);
        h.push(t);
      }
      h.push(set_from_stack(h, 2));
    }
    return h.pop();
  };
  Rooted a(h, chain(1, false));
  Rooted b(h, chain(1, true));
  Rooted c(h, chain(2, true));
  expect_equal_but_not(a.get(), b.get(), c.get());
  Rooted d(h, chain(2, false));
  EXPECT_FALSE(equal(c.get(), a.get()));
  EXPECT_TRUE(equal(c.get(), d.get()));
}

TEST_F(DeepTermsTest, TheLiteralAreaCopiesDeepTerms) {
  Rooted a(h, build(h, Term::fixnum(1), kDeep, mixed));
  size_t before = LiteralArea::global().words_used();
  Term copy = LiteralArea::global().copy(a.get());
  EXPECT_EQ(LiteralArea::global().words_used() - before, deep_copy_words(a.get(), SIZE_MAX / 2));
  EXPECT_TRUE(equal(copy, a.get()));
  EXPECT_EQ(hash(copy), hash(a.get()));
}

TEST_F(DeepTermsTest, DeepCopyWordsCountsExactlyAndStopsAtTheLimit) {
  h.push(Term::fixnum(1));
  h.push(Term::fixnum(2));
  Rooted t(h, tuple_from_stack(h, 2));                  // header + 2
  Rooted l(h, make_cons(h, t.get(), Term::fixnum(3)));  // 2 + the tuple
  Rooted s(h, make_string(h, "abc"));                   // header, length, one word of bytes
  EXPECT_EQ(deep_copy_words(Term::fixnum(1), 10), 0u);
  EXPECT_EQ(deep_copy_words(t.get(), 10), 3u);
  EXPECT_EQ(deep_copy_words(l.get(), 10), 5u);
  EXPECT_EQ(deep_copy_words(s.get(), 10), 3u);
  EXPECT_EQ(deep_copy_words(l.get(), 5), 5u);
  EXPECT_EQ(deep_copy_words(l.get(), 4), 5u);  // limit + 1
  EXPECT_EQ(deep_copy_words(l.get(), 0), 1u);
  // A shared subterm counts once per path to it, as deep_copy copies it.
  h.push(t.get());
  h.push(t.get());
  Rooted shared(h, vector_from_stack(h, 2));
  EXPECT_EQ(deep_copy_words(shared.get(), 100), 3u + 2 * 3u);
  Term copy = arena.copy(shared.get());
  EXPECT_TRUE(equal(copy, shared.get()));
}

// Most messages are one object of immediates and leaves (a pid, a string, a tuple of
// immediates): flat_words sizes it without the general walk, and deep_copy_words and
// deep_copy_into take that path. Anything holding a list, an object that holds a pointer or a
// bytebuf, or wider than kFlatFields, is not flat and goes the general way; both ways give the
// same words and copies.
TEST_F(DeepTermsTest, FlatObjectsAreSizedAndCopiedWithoutTheWalk) {
  h.push(K("token"));
  h.push(Term::fixnum(7));
  Rooted flat(h, tuple_from_stack(h, 2));
  Rooted text(h, make_string(h, "a string longer than a word"));
  Rooted pid(h, make_pid(h, 1, 42));
  h.push(pid.get());
  h.push(text.get());
  h.push(Term::fixnum(9));
  h.push(pid.get());  // the same leaf twice: copied twice, as the general walk does
  Rooted leaves(h, tuple_from_stack(h, 4));
  h.push(K("token"));
  h.push(flat.get());
  Rooted nested(h, tuple_from_stack(h, 2));  // [:token [:token 7]]: a leaf inside
  h.push(nested.get());
  Rooted deeper(h, tuple_from_stack(h, 1));  // [[:token [:token 7]]]: three levels
  Rooted buf(h, make_bytebuf(h, 8));
  h.push(buf.get());
  Rooted holds_buf(h, tuple_from_stack(h, 1));
  for (size_t i = 0; i <= kFlatFields; ++i) h.push(Term::fixnum(static_cast<int64_t>(i)));
  Rooted wide(h, vector_from_stack(h, kFlatFields + 1));
  EXPECT_EQ(flat_words(Term::fixnum(1)), 0u);
  EXPECT_EQ(flat_words(flat.get()), 3u);
  EXPECT_EQ(flat_words(text.get()), 1 + object_size(text.get()));
  EXPECT_EQ(flat_words(leaves.get()),
            5 + 2 * (1 + object_size(pid.get())) + 1 + object_size(text.get()));
  EXPECT_EQ(flat_words(nested.get()), 3u + 3u);
  EXPECT_EQ(flat_words(deeper.get()), 0u);        // its child holds a pointer
  EXPECT_EQ(flat_words(holds_buf.get()), 0u);     // a bytebuf is for the general walk to see
  EXPECT_EQ(flat_words(wide.get()), 0u);          // wider than kFlatFields
  EXPECT_EQ(deep_copy_words(flat.get(), 2), 3u);  // limit + 1: the limit still holds
  EXPECT_EQ(deep_copy_words(wide.get(), 100), kFlatFields + 2);
  for (Term t : {flat.get(), text.get(), leaves.get(), nested.get(), deeper.get(), wide.get()}) {
    size_t words = deep_copy_words(t, 1000);
    auto block = std::make_unique<Word[]>(words);
    Term copy = deep_copy_into(t, block.get());
    EXPECT_TRUE(equal(copy, t));
    EXPECT_EQ(copy.boxed_object(), block.get());
    EXPECT_NE(copy.raw(), t.raw());
    // No field of the copy points outside the block: it owes nothing to the original.
    if (header::has_raw_payload(block[0])) continue;
    for (size_t i = 1; i <= header::size(block[0]); ++i) {
      Term f = Term::from_raw(block[i]);
      if (!f.is_pointer()) continue;
      EXPECT_GE(f.boxed_object(), block.get());
      EXPECT_LT(f.boxed_object(), block.get() + words);
    }
  }
}

TEST_F(DeepTermsTest, DeepCopyWordsOfAnExponentialDagIsQuick) {
  // x = [a a], a = [b b], ... 100 levels: a tree of 2^100 nodes in 100 objects.
  h.push(Term::fixnum(1));
  for (int i = 0; i < 100; ++i) {
    h.push(h.stack().back());
    h.push(tuple_from_stack(h, 2));
  }
  Rooted dag(h, h.pop());
  EXPECT_EQ(deep_copy_words(dag.get(), 1000000), 1000001u);
  EXPECT_EQ(deep_copy_words(dag.get(), 10), 11u);
  // Limits no walk of the paths could reach: counted node by node (2^100 paths would never end).
  EXPECT_EQ(deep_copy_words(dag.get(), SIZE_MAX / 2), SIZE_MAX / 2 + 1);
  Term level50 = dag.get();
  for (int i = 0; i < 50; ++i) level50 = array_at(level50, 0);
  EXPECT_EQ(deep_copy_words(level50, SIZE_MAX / 2), 3 * ((uint64_t{1} << 50) - 1));
  // Small enough DAGs count in full.
  h.push(Term::fixnum(1));
  for (int i = 0; i < 10; ++i) {
    h.push(h.stack().back());
    h.push(tuple_from_stack(h, 2));
  }
  EXPECT_EQ(deep_copy_words(h.pop(), 1000000), 3u * ((1u << 10) - 1));
  // Big terms (past the plain walk) with and without sharing count exactly.
  Rooted list(h, Term::empty_list());
  for (int i = 0; i < 40000; ++i) list.set(make_cons(h, Term::fixnum(i), list.get()));
  EXPECT_EQ(deep_copy_words(list.get(), SIZE_MAX / 2), 80000u);
  h.push(list.get());
  h.push(list.get());
  Rooted pair(h, tuple_from_stack(h, 2));
  EXPECT_EQ(deep_copy_words(pair.get(), SIZE_MAX / 2), 3u + 2 * 80000u);
  EXPECT_EQ(deep_copy_words(pair.get(), 100000), 100001u);
}

// The printer cuts structures deeper than its limit off with a marker (they could not be read
// back anyway), and must get there without running out of stack, whatever the structure nests
// through. The expected text is built here from the depth of the cut.
TEST_F(DeepTermsTest, PrintingDeepTerms) {
  constexpr size_t kDepth = std::max<size_t>(kDeep / 10, 10000);  // beyond the printer's cut
  const std::string m = "#<nested too deep>";
  struct Case {
    Wrap wrap;
    std::string open, close;
    std::string last;  // the deepest level printed, whose children are all cut off
  };
  std::vector<Case> cases = {
      {Wrap::kTuple, "[", "]", "[" + m + "]"},
      {Wrap::kVector, "{", "}", "{" + m + "}"},
      {Wrap::kListHead, "(", ")", "(" + m + ")"},
      {Wrap::kMapKey, "%{", " 1 :other 2}", "%{" + m + " " + m + " " + m + " " + m + "}"},
      {Wrap::kMapValue, "%{:k ", " :other 2}", "%{" + m + " " + m + " " + m + " " + m + "}"},
      {Wrap::kSet, "#{", " 5}", "#{" + m + " " + m + "}"},
      {Wrap::kTupleMeta, "[", "]", "[" + m + "]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.open);
    Term t = build(h, Term::fixnum(7), kDepth, c.wrap);
    std::string printed = print(t);
    size_t cut = printed.find(m);
    ASSERT_NE(cut, std::string::npos);
    size_t levels = (cut - c.last.find(m)) / c.open.size();  // printed in full, above the last
    EXPECT_GE(levels, 1024u);  // what the reader accepts prints in full
    std::string expected;
    for (size_t i = 0; i < levels; ++i) expected += c.open;
    expected += c.last;
    for (size_t i = 0; i < levels; ++i) expected += c.close;
    // Not EXPECT_EQ: a failure would print both strings, megabytes each.
    EXPECT_TRUE(printed == expected) << "lengths " << printed.size() << ", " << expected.size();
  }
  // Metadata is never printed, however deep.
  EXPECT_EQ(print(build(h, Term::fixnum(7), 1, Wrap::kThroughMeta)), "[0]");
  Term through = build(h, Term::fixnum(7), kDepth, Wrap::kThroughMeta);
  EXPECT_EQ(print(through), "[0]");
  // Depth along a list's tail is not nesting: a long list prints in full.
  Term tail = build(h, Term::fixnum(7), kDepth, Wrap::kListTail);
  std::string expected = "(";
  for (size_t i = 0; i < kDepth; ++i) expected += "0 ";
  expected += ". 7)";
  EXPECT_TRUE(print(tail) == expected);
}

}  // namespace
}  // namespace lona
