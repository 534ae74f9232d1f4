// Tests for runtime/term/term and heap: the tagged word (fixnum range, immediates, constants,
// truthiness) and the copying collector (roots on the term stack and in Rooted handles, structure
// and sharing kept, long lists, collections triggered by allocation, stress mode, shrinking, the
// size table, the two generations).
#include "runtime/term/heap.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/term.hpp"
#include "runtime/term/text.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

BigInt B(int64_t v) { return BigInt::from_int64(v); }
BigInt pow2(size_t n) { return BigInt::from_int64(1).shifted_left(n); }

// Pointers reachable from t that are not in h's young block or old heap (0 for a healthy heap
// term). Walks iteratively, visiting shared objects once, so long lists and DAGs are cheap.
size_t pointers_outside(const Heap& h, Term t) {
  size_t bad = 0;
  std::vector<Term> work = {t};
  std::unordered_set<Word> seen;
  while (!work.empty()) {
    Term x = work.back();
    work.pop_back();
    if (!x.is_pointer() || !seen.insert(x.raw()).second) continue;
    if (x.is_cons()) {
      if (!h.contains(x.cons_cell())) {
        ++bad;
        continue;
      }
      work.push_back(list_head(x));
      work.push_back(list_tail(x));
      continue;
    }
    if (!h.contains(object_of(x))) {
      ++bad;
      continue;
    }
    if (header::has_raw_payload(*object_of(x))) continue;
    for (size_t i = 0; i < object_size(x); ++i) work.push_back(payload_term(x, i));
  }
  return bad;
}

// Pushes onto h's stack one structure holding every kind of term, varied by i. Every
// intermediate value lives on the stack while later parts allocate, so this is safe on a heap
// that collects at any allocation.
void push_sample(Heap& h, int64_t i) {
  size_t base = h.stack().size();
  std::string s = std::to_string(i);
  h.push(make_integer(h, i));
  h.push(make_integer(h, Term::kFixnumMax + 1 + i));
  h.push(make_integer(h, pow2(64 + static_cast<size_t>(i % 70)) + B(i)));
  h.push(make_integer(h, B(i), /*explicit_big=*/true));
  h.push(make_float(h, static_cast<double>(i) + 0.25));
  h.push(make_f32(h, static_cast<float>(i) * 0.5f));
  h.push(make_ratio(h, B(2 * i + 1), B(4)));
  h.push(make_ratio(h, pow2(90) + B(1), pow2(70 + static_cast<size_t>(i % 5))));
  h.push(*make_fixed(h, FixedKind::kU32, B(i)));
  h.push(*make_fixed(h, FixedKind::kI8, B(-(i % 128))));
  h.push(make_string(h, "string number " + s));
  h.push(make_binary(h, std::string("\0\x01", 2) + s));
  h.push(make_symbol("sym-" + s));
  h.push(make_keyword("kw"));
  h.push(Term::character(static_cast<uint32_t>('a' + i % 26)));
  h.push(Term::nil());
  h.push(Term::boolean(i % 2 == 0));
  h.push(Term::empty_list());
  // (i "x" (i+1))
  h.push(make_integer(h, i));
  h.push(make_string(h, "x"));
  h.push(make_integer(h, i + 1));
  h.push(list_from_stack(h, 1));
  h.push(list_from_stack(h, 3));
  // Improper (i . :tail), by make_cons.
  h.push(make_cons(h, Term::fixnum(i), make_keyword("tail")));
  // {i "v" [] } with metadata %{:line i}
  h.push(make_integer(h, i));
  h.push(make_string(h, "v"));
  h.push(tuple_from_stack(h, 0));
  h.push(vector_from_stack(h, 3));
  h.push(make_keyword("line"));
  h.push(make_integer(h, i));
  h.push(map_from_stack(h, 1));
  {
    Term meta = h.pop();
    Term v = h.pop();
    h.push(with_meta(h, v, meta));
  }
  // A small map and a set, and an indexed map of 12 string keys.
  h.push(make_keyword("a"));
  h.push(make_string(h, "A" + s));
  h.push(make_keyword("b"));
  h.push(make_float(h, -0.0));
  h.push(map_from_stack(h, 2));
  h.push(make_integer(h, i));
  h.push(make_string(h, "e"));
  h.push(make_integer(h, i));  // a duplicate
  h.push(set_from_stack(h, 3));
  for (int64_t k = 0; k < 12; ++k) {
    h.push(make_string(h, "key" + std::to_string(k)));
    h.push(make_integer(h, pow2(66) + B(k + i)));
  }
  h.push(map_from_stack(h, 12));
  // A symbol with metadata.
  h.push(make_keyword("doc"));
  h.push(make_string(h, "about " + s));
  {
    Term meta = map_from_stack(h, 1);
    h.push(with_meta(h, make_symbol("documented"), meta));
  }
  h.push(tuple_from_stack(h, h.stack().size() - base));
}

// The metadata inside a sample (equal() and print() ignore it): the vector's and the symbol's.
std::string sample_metadata(Term sample) {
  EXPECT_EQ(array_count(sample), 25u);
  return print(meta_of(array_at(sample, 20))) + " " + print(meta_of(array_at(sample, 24)));
}

// The same sample on a heap of its own that never collects.
class Reference {
 public:
  explicit Reference(int64_t i) {
    push_sample(heap_, i);
    EXPECT_EQ(heap_.collections(), 0u);
  }
  Term term() { return heap_.stack().back(); }

 private:
  Heap heap_{1 << 16};
};

// --- the term word
// ---------------------------------------------------------------------------------

TEST(TermWord, FixnumRangeEdges) {
  EXPECT_EQ(Term::kFixnumMax, (int64_t{1} << 59) - 1);
  EXPECT_EQ(Term::kFixnumMin, -(int64_t{1} << 59));
  EXPECT_TRUE(Term::fits_fixnum(Term::kFixnumMax));
  EXPECT_TRUE(Term::fits_fixnum(Term::kFixnumMin));
  EXPECT_FALSE(Term::fits_fixnum(Term::kFixnumMax + 1));
  EXPECT_FALSE(Term::fits_fixnum(Term::kFixnumMin - 1));
  EXPECT_FALSE(Term::fits_fixnum(std::numeric_limits<int64_t>::max()));
  EXPECT_FALSE(Term::fits_fixnum(std::numeric_limits<int64_t>::min()));
  for (int64_t v : {Term::kFixnumMin, Term::kFixnumMin + 1, int64_t{-1}, int64_t{0}, int64_t{1},
                    Term::kFixnumMax - 1, Term::kFixnumMax}) {
    Term t = Term::fixnum(v);
    EXPECT_TRUE(t.is_fixnum()) << v;
    EXPECT_TRUE(t.is_immediate()) << v;
    EXPECT_FALSE(t.is_pointer()) << v;
    EXPECT_FALSE(t.is_symbol() || t.is_keyword() || t.is_char() || t.is_nil()) << v;
    EXPECT_EQ(t.fixnum_value(), v);
  }
  EXPECT_NE(Term::fixnum(Term::kFixnumMax), Term::fixnum(Term::kFixnumMin));
  EXPECT_NE(Term::fixnum(0), Term::nil());
}

TEST(TermWord, SymbolsKeywordsAndChars) {
  Term sym = make_symbol("word-test/foo");
  Term kw = make_keyword("word-test/foo");
  ASSERT_TRUE(sym.is_symbol());
  ASSERT_TRUE(kw.is_keyword());
  EXPECT_FALSE(sym.is_keyword());
  EXPECT_FALSE(kw.is_symbol());
  EXPECT_TRUE(sym.is_immediate());
  EXPECT_EQ(sym.name_index(), kw.name_index());  // they share the intern entry
  EXPECT_NE(sym, kw);
  EXPECT_EQ(make_symbol("word-test/foo"), sym);  // interning: the same word
  EXPECT_NE(make_symbol("word-test/bar"), sym);
  EXPECT_EQ(name_entry(sym).ns(), "word-test");
  EXPECT_EQ(name_entry(sym).name(), "foo");
  EXPECT_EQ(name_entry(make_symbol("/")).ns(), "");
  EXPECT_EQ(name_entry(make_symbol("/")).name(), "/");
  EXPECT_EQ(name_entry(make_symbol("a/")).name(), "a/");
  EXPECT_EQ(print(sym), "word-test/foo");
  EXPECT_EQ(print(kw), ":word-test/foo");

  for (uint32_t cp : {0u, 'a' + 0u, 0xD7FFu, 0xE000u, 0x1F600u, 0x10FFFFu}) {
    Term c = Term::character(cp);
    EXPECT_TRUE(c.is_char()) << cp;
    EXPECT_FALSE(c.is_symbol() || c.is_keyword() || c.is_fixnum()) << cp;
    EXPECT_EQ(c.char_value(), cp);
    EXPECT_TRUE(is_scalar_value(cp)) << cp;
  }
  EXPECT_FALSE(is_scalar_value(0xD800));
  EXPECT_FALSE(is_scalar_value(0xDFFF));
  EXPECT_FALSE(is_scalar_value(0x110000));
  EXPECT_NE(Term::character(1), Term::symbol(1));
  EXPECT_NE(Term::keyword(1), Term::symbol(1));
}

TEST(TermWord, ConstantsAreDistinct) {
  std::vector<Term> cs = {Term::nil(), Term::boolean(true), Term::boolean(false), Term::unbound(),
                          Term::empty_list()};
  for (size_t i = 0; i < cs.size(); ++i) {
    EXPECT_TRUE(cs[i].is_immediate());
    for (size_t j = 0; j < cs.size(); ++j) {
      if (i != j) {
        EXPECT_NE(cs[i], cs[j]) << i << " " << j;
      }
    }
  }
  EXPECT_EQ(Term(), Term::nil());
  EXPECT_TRUE(Term::nil().is_nil());
  EXPECT_TRUE(Term::boolean(true).is_true());
  EXPECT_TRUE(Term::boolean(false).is_false());
  EXPECT_TRUE(Term::boolean(true).is_boolean());
  EXPECT_FALSE(Term::nil().is_boolean());
  EXPECT_TRUE(Term::unbound().is_unbound());
  // The empty list is a list and not nil; nil is not a list.
  EXPECT_TRUE(Term::empty_list().is_empty_list());
  EXPECT_TRUE(Term::empty_list().is_list());
  EXPECT_FALSE(Term::empty_list().is_nil());
  EXPECT_FALSE(Term::nil().is_list());
  EXPECT_FALSE(Term::nil().is_empty_list());
  EXPECT_EQ(kind_of(Term::nil()), Kind::kNil);
  EXPECT_EQ(kind_of(Term::empty_list()), Kind::kList);
  EXPECT_FALSE(equal(Term::nil(), Term::empty_list()));
  EXPECT_EQ(print(Term::nil()), "nil");
  EXPECT_EQ(print(Term::empty_list()), "()");
}

TEST(TermWord, OnlyNilAndFalseAreFalsy) {
  EXPECT_FALSE(Term::nil().truthy());
  EXPECT_FALSE(Term::boolean(false).truthy());
  Heap h(1 << 12);
  std::vector<Term> truthy = {
      Term::boolean(true),  Term::empty_list(),          Term::fixnum(0),
      Term::character(0),   make_symbol("false"),        make_keyword("nil"),
      make_float(h, 0.0),   make_integer(h, B(0), true), make_string(h, ""),
      make_binary(h, ""),   tuple_from_stack(h, 0),      vector_from_stack(h, 0),
      map_from_stack(h, 0), set_from_stack(h, 0)};
  EXPECT_EQ(h.collections(), 0u);
  for (Term t : truthy) EXPECT_TRUE(t.truthy()) << print(t);
}

TEST(TermWord, PointerTags) {
  Heap h(1 << 12);
  Term cons = make_cons(h, Term::fixnum(1), Term::empty_list());
  Term boxed = make_string(h, "x");
  EXPECT_TRUE(cons.is_cons());
  EXPECT_TRUE(cons.is_pointer());
  EXPECT_FALSE(cons.is_boxed());
  EXPECT_TRUE(boxed.is_boxed());
  EXPECT_TRUE(boxed.is_pointer());
  EXPECT_FALSE(boxed.is_cons());
  EXPECT_FALSE(Term::nil().is_pointer());
  EXPECT_EQ(Term::cons_ptr(cons.cons_cell()), cons);
  EXPECT_EQ(Term::boxed_ptr(boxed.boxed_object()), boxed);
  EXPECT_TRUE(header::is_header(*object_of(boxed)));
  EXPECT_EQ(header::tag(*object_of(boxed)), ObjTag::kString);
}

// --- the size table
// --------------------------------------------------------------------------------

TEST(Heap, NextSizeIsMonotonicAndCovers) {
  EXPECT_EQ(Heap::next_size(0), Heap::kSmallestWords);
  EXPECT_EQ(Heap::next_size(1), 21u);
  EXPECT_EQ(Heap::next_size(22), 34u);
  EXPECT_EQ(Heap::next_size(35), 55u);
  EXPECT_EQ(Heap::next_size(145), 233u);
  EXPECT_EQ(Heap::next_size(233), 233u);
  EXPECT_EQ(Heap::next_size(234), 377u);
  EXPECT_EQ(Heap::next_size(378), 610u);
  EXPECT_EQ(Heap::next_size(611), 987u);
  size_t prev = 0;
  std::vector<size_t> probes;
  for (size_t w = 0; w < 20000; ++w) probes.push_back(w);
  for (size_t w = 20000; w < (size_t{1} << 31); w += w / 7 + 1) probes.push_back(w);
  for (size_t w : probes) {
    size_t s = Heap::next_size(w);
    ASSERT_GE(s, w);
    ASSERT_GE(s, prev) << w;
    ASSERT_EQ(Heap::next_size(s), s) << w;  // a table entry maps to itself
    prev = s;
  }
  // Past the Fibonacci part the steps are about 20%.
  size_t big = Heap::next_size(size_t{1} << 26);
  size_t after = Heap::next_size(big + 1);
  EXPECT_GT(after, big);
  EXPECT_LE(after, big + big / 5 + 1);
}

// A process on an adopted heap keeps an empty one of its own: it must cost no block, and still
// work if anything allocates on it.
TEST(Heap, AnEmptyHeapAllocatesItsBlockAtTheFirstAllocation) {
  Heap empty(0);
  EXPECT_EQ(empty.capacity_words(), 0u);
  EXPECT_EQ(empty.used_words(), 0u);
  empty.push(make_string(empty, "first"));
  EXPECT_GE(empty.capacity_words(), Heap::kSmallestWords);
  EXPECT_EQ(byte_view(empty.stack().back()), "first");
  empty.collect();
  EXPECT_EQ(byte_view(empty.stack().back()), "first");
}

TEST(Heap, InitialCapacityComesFromTheTable) {
  Heap tiny(1);
  EXPECT_EQ(tiny.capacity_words(), Heap::kSmallestWords);
  EXPECT_EQ(tiny.used_words(), 0u);
  EXPECT_EQ(tiny.collections(), 0u);
  Heap bigger(1000);
  EXPECT_EQ(bigger.capacity_words(), 1597u);
  Heap deflt;
  EXPECT_EQ(deflt.capacity_words(), Heap::kDefaultInitialWords);
}

// --- roots
// -----------------------------------------------------------------------------------------

TEST(Heap, StackRootsSurviveCollections) {
  Reference ref(7);
  Heap h(1);
  push_sample(h, 7);
  ASSERT_EQ(h.stack().size(), 1u);
  std::string before = print(h.stack().back());
  EXPECT_EQ(before, print(ref.term()));
  uint64_t hash_before = hash(h.stack().back());

  // Round 0 copies it into the new young block, round 1 moves it to the old heap (it has
  // survived a collection), round 2 leaves it there (a minor collection does not copy the old
  // heap), round 3 is major and brings it back to a young block.
  for (int round = 0; round < 4; ++round) {
    Word old = h.stack().back().raw();
    uint64_t n = h.collections();
    if (round == 3) {
      h.collect_major();
    } else {
      h.collect();
    }
    EXPECT_EQ(h.collections(), n + 1);
    Term t = h.stack().back();
    // Only rounds 1 and 2 say for sure whether it moved: in the others a block freed during the
    // collection may come back from the allocator at the same address.
    if (round == 1) {
      EXPECT_NE(t.raw(), old);
    } else if (round == 2) {
      EXPECT_EQ(t.raw(), old);
    }
    EXPECT_EQ(h.old_used_words() > 0, round == 1 || round == 2) << round;
    EXPECT_EQ(pointers_outside(h, t), 0u);
    EXPECT_EQ(print(t), before);
    EXPECT_TRUE(equal(t, ref.term()));
    EXPECT_EQ(sample_metadata(t), sample_metadata(ref.term()));
    EXPECT_EQ(hash(t), hash_before);
  }
}

// A fragment: terms copied into a block of their own (a message in its envelope), made part of
// a heap without copying. A collection copies out what is live in it and releases the block,
// whether anything in it was live or not.
std::vector<Word>* copy_to_fragment(Term t) {
  auto* block = new std::vector<Word>(1 + deep_copy_words(t, size_t{1} << 30));
  block->front() = deep_copy_into(t, block->data() + 1).raw();  // word 0: the term
  return block;
}

TEST(Heap, AdoptedFragmentsAreCopiedOutAndReleased) {
  Reference ref(7);
  Heap sender(1);
  push_sample(sender, 7);
  static int released = 0;
  released = 0;
  auto release = [](void* m) {
    ++released;
    delete static_cast<std::vector<Word>*>(m);
  };
  Heap h(1);
  std::vector<Word>* live = copy_to_fragment(sender.stack().back());
  std::vector<Word>* dead = copy_to_fragment(sender.stack().back());
  h.push(Term::from_raw(live->front()));
  h.adopt_fragment(live->data() + 1, live->size() - 1, live, release);
  h.adopt_fragment(dead->data() + 1, dead->size() - 1, dead, release);
  EXPECT_EQ(h.fragment_count(), 2u);
  EXPECT_TRUE(equal(h.stack().back(), ref.term()));  // usable before any collection

  h.collect();
  EXPECT_EQ(released, 2);
  EXPECT_EQ(h.fragment_count(), 0u);
  EXPECT_EQ(pointers_outside(h, h.stack().back()), 0u);  // the live one now in the heap's block
  EXPECT_TRUE(equal(h.stack().back(), ref.term()));
  EXPECT_EQ(print(h.stack().back()), print(ref.term()));
}

// Fragments count towards the heap's fill: past a heap's worth, the next allocation collects.
TEST(Heap, FragmentsPastTheCapacityMakeTheNextAllocationCollect) {
  Heap sender(1);
  sender.push(make_string(sender, std::string(4000, 'x')));
  Heap h(1);
  auto release = [](void* m) { delete static_cast<std::vector<Word>*>(m); };
  uint64_t n = h.collections();
  while (h.collections() == n) {
    std::vector<Word>* f = copy_to_fragment(sender.stack().back());
    h.adopt_fragment(f->data() + 1, f->size() - 1, f, release);
    ASSERT_LE(h.fragment_count(), h.capacity_words()) << "no collection was triggered";
    h.alloc(1);
  }
  EXPECT_EQ(h.fragment_count(), 0u);
}

TEST(Heap, RootedHandlesSurviveCollections) {
  Reference ref1(1), ref2(2);
  Heap h(1);
  push_sample(h, 1);
  Rooted outer(h, h.pop());
  {
    push_sample(h, 2);
    Rooted inner(h, h.pop());
    ASSERT_TRUE(h.stack().empty());
    h.collect();
    EXPECT_EQ(pointers_outside(h, outer.get()), 0u);
    EXPECT_EQ(pointers_outside(h, inner.get()), 0u);
    EXPECT_TRUE(equal(outer.get(), ref1.term()));
    EXPECT_TRUE(equal(inner.get(), ref2.term()));
    EXPECT_EQ(sample_metadata(inner.get()), "%{:line 2} %{:doc \"about 2\"}");
    EXPECT_EQ(print(inner.get()), print(ref2.term()));
  }
  // The inner handle is gone: its sample is garbage now; the outer one is still kept.
  size_t with_both = h.used_words();
  h.collect();
  EXPECT_LT(h.used_words(), with_both);
  EXPECT_TRUE(equal(outer.get(), ref1.term()));
  EXPECT_EQ(print(outer.get()), print(ref1.term()));
  EXPECT_EQ(sample_metadata(outer.get()), "%{:line 1} %{:doc \"about 1\"}");

  // set() replaces the rooted term; a major collection keeps only what is reachable.
  outer.set(make_string(h, "replaced"));
  h.collect_major();
  EXPECT_EQ(byte_view(outer.get()), "replaced");
  EXPECT_EQ(h.used_words(), 1 + object_size(outer.get()));  // only the string is live
}

TEST(Heap, UnrootedDataIsDroppedAndImmediatesStay) {
  Heap h(1);
  for (int i = 0; i < 50; ++i) make_string(h, "garbage");
  h.push(Term::fixnum(5));
  h.push(make_symbol("s"));
  h.push(Term::empty_list());
  h.collect();
  EXPECT_EQ(h.used_words(), 0u);
  ASSERT_EQ(h.stack().size(), 3u);
  EXPECT_EQ(h.stack()[0], Term::fixnum(5));
  EXPECT_EQ(h.stack()[1], make_symbol("s"));
  EXPECT_EQ(h.stack()[2], Term::empty_list());
}

TEST(Heap, PushAndPop) {
  Heap h(1);
  h.push(Term::fixnum(1));
  h.push(Term::fixnum(2));
  EXPECT_EQ(h.stack().size(), 2u);
  EXPECT_EQ(h.pop(), Term::fixnum(2));
  EXPECT_EQ(h.pop(), Term::fixnum(1));
  EXPECT_TRUE(h.stack().empty());
}

// --- sharing and size
// ------------------------------------------------------------------------------

TEST(Heap, SharedSubstructureStaysShared) {
  Heap h(1);
  // v = {1 2 3}; t = [v v]
  h.push(Term::fixnum(1));
  h.push(Term::fixnum(2));
  h.push(Term::fixnum(3));
  Term v = vector_from_stack(h, 3);
  h.push(v);
  h.push(v);
  h.push(tuple_from_stack(h, 2));
  h.collect();
  Term t = h.stack().back();
  EXPECT_EQ(array_at(t, 0).raw(), array_at(t, 1).raw());
  EXPECT_EQ(h.used_words(), 3u + 4u);  // the tuple and one copy of the vector
  EXPECT_EQ(print(t), "[{1 2 3} {1 2 3}]");

  // Two lists sharing a tail, a map whose two values are one string, and a cons shared by two
  // roots on the stack.
  h.stack().clear();
  h.push(make_cons(h, Term::fixnum(2), Term::empty_list()));  // shared tail (2)
  {
    Term tail = h.stack().back();
    h.push(make_cons(h, Term::fixnum(1), tail));  // (1 2)
  }
  {
    Term tail = h.stack()[0];
    h.push(make_cons(h, Term::fixnum(0), tail));  // (0 2)
  }
  h.push(make_keyword("a"));
  h.push(make_string(h, "shared"));
  h.push(make_keyword("b"));
  h.push(h.stack()[4]);
  h.push(map_from_stack(h, 2));  // stack: tail, (1 2), (0 2), map
  h.push(h.stack()[1]);          // (1 2) twice on the stack
  for (int round = 0; round < 2; ++round) {
    h.collect();
    std::vector<Term>& st = h.stack();
    ASSERT_EQ(st.size(), 5u);
    EXPECT_EQ(list_tail(st[1]), st[0]);
    EXPECT_EQ(list_tail(st[2]), st[0]);
    EXPECT_EQ(st[4], st[1]);
    EXPECT_EQ(map_value(st[3], 0), map_value(st[3], 1));
    EXPECT_EQ(print(st[1]), "(1 2)");
    EXPECT_EQ(print(st[2]), "(0 2)");
    EXPECT_EQ(print(st[3]), "%{:a \"shared\" :b \"shared\"}");
    // Three cons cells (6 words), the map (1 + 1 + 4 words), the string (1 + 2 words).
    EXPECT_EQ(h.used_words(), 6u + 6u + 3u);
  }
}

TEST(Heap, HundredThousandConsCellsSurvive) {
  constexpr int64_t kN = 100000;
  Heap h(1);
  Rooted list(h, Term::empty_list());
  for (int64_t i = 0; i < kN; ++i) list.set(make_cons(h, Term::fixnum(i), list.get()));
  EXPECT_GT(h.collections(), 0u);
  for (int round = 0; round < 2; ++round) {
    h.collect();
    EXPECT_EQ(h.used_words(), static_cast<size_t>(2 * kN));
    int64_t expect = kN - 1;
    Term t = list.get();
    for (; t.is_cons(); t = list_tail(t), --expect) {
      ASSERT_TRUE(h.contains(t.cons_cell()));
      ASSERT_EQ(list_head(t), Term::fixnum(expect));
    }
    EXPECT_TRUE(t.is_empty_list());
    EXPECT_EQ(expect, -1);
  }
  // The same length through list_from_stack, and equality across the two builds.
  Heap h2(1);
  for (int64_t i = kN - 1; i >= 0; --i) h2.push(Term::fixnum(i));
  Term other = list_from_stack(h2, static_cast<size_t>(kN));
  EXPECT_TRUE(equal(list.get(), other));
  EXPECT_EQ(hash(list.get()), hash(other));
}

// --- collections triggered by allocation
// -----------------------------------------------------------

TEST(Heap, AllocationTriggersCollectionsAndKeepsEverything) {
  constexpr int64_t kN = 300;
  Heap h(1);
  for (int64_t i = 0; i < kN; ++i) push_sample(h, i);
  Term all = vector_from_stack(h, static_cast<size_t>(kN));
  h.push(all);
  EXPECT_GT(h.collections(), 5u);
  all = h.stack().back();
  EXPECT_EQ(pointers_outside(h, all), 0u);
  ASSERT_EQ(array_count(all), static_cast<size_t>(kN));
  for (int64_t i = 0; i < kN; ++i) {
    Reference ref(i);
    Term t = array_at(all, static_cast<size_t>(i));
    ASSERT_TRUE(equal(t, ref.term())) << i;
    ASSERT_EQ(print(t), print(ref.term())) << i;
    ASSERT_EQ(hash(t), hash(ref.term())) << i;
    ASSERT_EQ(sample_metadata(t), sample_metadata(ref.term())) << i;
  }
}

TEST(Heap, LargeCollectionsBuiltOnATinyHeap) {
  Heap h(1);
  // An indexed map of 2000 string keys to bigints, with metadata.
  for (int64_t i = 0; i < 2000; ++i) {
    h.push(make_string(h, "key-" + std::to_string(i)));
    h.push(make_integer(h, pow2(80) + B(i)));
  }
  h.push(map_from_stack(h, 2000));
  h.push(make_keyword("size"));
  h.push(make_integer(h, 2000));
  {
    Term meta = map_from_stack(h, 1);
    Term m = h.pop();
    h.push(with_meta(h, m, meta));
  }
  // A set of 2000 floats and a vector of 2000 ratios.
  for (int64_t i = 0; i < 2000; ++i) h.push(make_float(h, static_cast<double>(i) / 8));
  h.push(set_from_stack(h, 2000));
  for (int64_t i = 0; i < 2000; ++i) h.push(make_ratio(h, pow2(70) + B(2 * i + 1), B(2)));
  h.push(vector_from_stack(h, 2000));
  EXPECT_GT(h.collections(), 0u);
  h.collect();

  ASSERT_EQ(h.stack().size(), 3u);
  Term m = h.stack()[0], s = h.stack()[1], v = h.stack()[2];
  for (Term t : {m, s, v}) EXPECT_EQ(pointers_outside(h, t), 0u);
  ASSERT_EQ(map_count(m), 2000u);
  EXPECT_TRUE(has_hash_index(m));
  EXPECT_EQ(print(meta_of(m)), "%{:size 2000}");
  ASSERT_EQ(set_count(s), 2000u);
  ASSERT_EQ(array_count(v), 2000u);
  Heap probe(1 << 12);
  for (int64_t i = 0; i < 2000; ++i) {
    std::optional<Term> got = map_get(m, make_string(probe, "key-" + std::to_string(i)));
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(integer_value(*got), pow2(80) + B(i));
    EXPECT_EQ(byte_view(map_key(m, static_cast<size_t>(i))), "key-" + std::to_string(i));
    EXPECT_TRUE(set_contains(s, make_float(probe, static_cast<double>(i) / 8))) << i;
    EXPECT_FALSE(set_contains(s, make_float(probe, static_cast<double>(i) / 8 + 1000))) << i;
    Term r = array_at(v, static_cast<size_t>(i));
    ASSERT_TRUE(is_ratio(r));
    EXPECT_EQ(integer_value(ratio_numerator(r)), pow2(70) + B(2 * i + 1));
    probe.stack().clear();
    if (probe.used_words() > 3000) probe.collect();
  }
  EXPECT_EQ(map_get(m, make_string(probe, "key-2000")), std::nullopt);
}

TEST(Heap, StressModeCollectsAtEveryAllocation) {
  Heap h(1);
  h.set_stress(true);
  constexpr int64_t kN = 20;
  for (int64_t i = 0; i < kN; ++i) push_sample(h, i);
  h.push(tuple_from_stack(h, static_cast<size_t>(kN)));
  EXPECT_GT(h.collections(), static_cast<uint64_t>(kN) * 40);  // dozens of allocations a sample
  Term all = h.stack().back();
  EXPECT_EQ(pointers_outside(h, all), 0u);
  for (int64_t i = 0; i < kN; ++i) {
    Reference ref(i);
    EXPECT_TRUE(equal(array_at(all, static_cast<size_t>(i)), ref.term())) << i;
    EXPECT_EQ(print(array_at(all, static_cast<size_t>(i))), print(ref.term())) << i;
    EXPECT_EQ(sample_metadata(array_at(all, static_cast<size_t>(i))), sample_metadata(ref.term()))
        << i;
  }
}

TEST(Heap, ChurnKeepsLiveDataIntact) {
  Heap h(1);
  for (int64_t i = 0; i < 20000; ++i) {
    Term garbage = make_string(h, std::string(static_cast<size_t>(i % 40), 'g'));
    if (i % 100 == 0) {
      h.push(garbage);
      h.push(make_integer(h, pow2(100) + B(i)));
      h.push(tuple_from_stack(h, 2));
    }
  }
  EXPECT_GT(h.collections(), 10u);
  ASSERT_EQ(h.stack().size(), 200u);
  for (size_t k = 0; k < 200; ++k) {
    Term t = h.stack()[k];
    int64_t i = static_cast<int64_t>(k) * 100;
    EXPECT_EQ(byte_view(array_at(t, 0)), std::string(static_cast<size_t>(i % 40), 'g'));
    EXPECT_EQ(integer_value(array_at(t, 1)), pow2(100) + B(i));
    EXPECT_EQ(pointers_outside(h, t), 0u);
  }
}

// --- other heaps, growth and shrinking
// -------------------------------------------------------------

TEST(Heap, TermsOutsideTheHeapAreNotMoved) {
  Heap other(1 << 12);
  Term foreign = make_string(other, "lives elsewhere");
  Heap h(1);
  h.push(foreign);
  h.push(make_string(h, "local"));
  h.push(tuple_from_stack(h, 2));
  h.collect();
  Term t = h.stack().back();
  EXPECT_EQ(array_at(t, 0), foreign);  // the same word: not copied
  EXPECT_TRUE(other.contains(object_of(array_at(t, 0))));
  EXPECT_FALSE(h.contains(object_of(array_at(t, 0))));
  EXPECT_TRUE(h.contains(object_of(array_at(t, 1))));
  EXPECT_EQ(byte_view(array_at(t, 0)), "lives elsewhere");
  EXPECT_EQ(byte_view(array_at(t, 1)), "local");
}

TEST(Heap, ContainsFollowsTheCurrentBlock) {
  Heap h(1);
  Heap other(1);
  Rooted s(h, make_string(h, "here"));
  Term elsewhere = make_string(other, "there");
  EXPECT_TRUE(h.contains(object_of(s.get())));
  EXPECT_FALSE(h.contains(object_of(elsewhere)));
  h.collect();
  // (The old block is freed: the allocator may hand its address to the new one, so whether it
  // still "contains" the old address is not something to test.)
  EXPECT_TRUE(h.contains(object_of(s.get())));
  EXPECT_FALSE(h.contains(object_of(elsewhere)));
  EXPECT_EQ(byte_view(s.get()), "here");
}

TEST(Heap, CollectLeavesRoomForTheRequest) {
  Heap h(1);
  h.push(make_string(h, "keep"));
  h.collect(10000);
  EXPECT_GE(h.capacity_words() - h.used_words(), 10000u);
  // One allocation much larger than the heap.
  std::string huge(1 << 20, 'h');
  Term t = make_string(h, huge);
  EXPECT_EQ(byte_view(t), huge);
  EXPECT_GE(h.capacity_words(), huge.size() / 8);
  EXPECT_EQ(byte_view(h.stack().back()), "keep");
}

TEST(Heap, NeverShrinksBelowItsInitialSize) {
  Heap h(Heap::kProgramInitialWords);
  size_t initial = h.capacity_words();
  EXPECT_GE(initial, Heap::kProgramInitialWords);
  h.push(make_string(h, "live"));
  // 500k words of garbage with one small live object: each collection keeps the full initial
  // size, so there is one collection per initial-size worth of allocation, not one per few
  // hundred words.
  for (int i = 0; i < 250000; ++i) make_cons(h, Term::fixnum(i), Term::empty_list());
  EXPECT_GE(h.young_capacity_words(), initial);
  // the size it was created with, and a request
  EXPECT_LE(h.young_capacity_words(), initial + 16);
  EXPECT_LE(h.collections(), 500000 / (initial - 16) + 1);
  EXPECT_GE(h.collections(), 500000 / initial);
  EXPECT_EQ(byte_view(h.stack().back()), "live");
}

TEST(Heap, ShrinksAfterGarbageIsDropped) {
  Heap h(1);
  for (int64_t i = 0; i < 50000; ++i) h.push(make_cons(h, Term::fixnum(i), Term::empty_list()));
  h.push(list_from_stack(h, 20000));  // and a long list on top
  size_t peak = h.capacity_words();
  EXPECT_GT(peak, 100000u);

  // Keep one small part, drop the rest.
  h.push(make_string(h, "survivor"));
  Term survivor = h.pop();
  h.stack().clear();
  h.push(survivor);
  h.collect_major();  // the old heap holds the rest until a major collection
  EXPECT_LT(h.capacity_words(), peak);
  EXPECT_LE(h.capacity_words(), 1000u);
  EXPECT_EQ(byte_view(h.stack().back()), "survivor");

  // Drop everything.
  h.stack().clear();
  h.collect_major();
  EXPECT_EQ(h.used_words(), 0u);
  EXPECT_LT(h.capacity_words(), peak);
  EXPECT_EQ(h.capacity_words(), Heap::kWorkingWords);  // a heap that collects keeps that much
  // Still usable.
  h.push(make_string(h, "again"));
  EXPECT_EQ(byte_view(h.stack().back()), "again");
}

// --- the two generations
// ---------------------------------------------------------------------------

// What survives two collections lives in the old heap, which minor collections neither copy nor
// scan; garbage in the young block is freed at once, garbage in the old heap at the next major
// collection, which brings everything back to one young block and frees the old heap.
TEST(Heap, MinorCollectionsPromoteSurvivorsAndLeaveTheOldHeapAlone) {
  Heap h(1);
  Rooted kept(h, make_string(h, "long lived"));
  Rooted dropped(h, make_string(h, "short lived"));
  h.collect();
  EXPECT_EQ(h.old_used_words(), 0u);  // survived once: still young
  h.collect();
  const size_t string_words = 1 + object_size(kept.get());
  EXPECT_EQ(h.old_used_words(), 2 * string_words);
  EXPECT_EQ(h.young_used_words(), 0u);
  EXPECT_GE(h.old_capacity_words(), 2 * h.old_used_words());  // room for more promotions
  const Word* in_old = object_of(kept.get());

  dropped.set(Term::nil());
  for (int i = 0; i < 1000; ++i) make_string(h, "young garbage");
  h.collect();
  EXPECT_EQ(object_of(kept.get()), in_old);         // not copied
  EXPECT_EQ(h.old_used_words(), 2 * string_words);  // the dropped one is still there
  EXPECT_EQ(h.young_used_words(), 0u);              // the young garbage is gone
  EXPECT_EQ(h.major_collections(), 0u);

  const uint64_t before_major = h.collections();
  h.collect_major();
  EXPECT_EQ(h.major_collections(), 1u);
  EXPECT_EQ(h.collections(), before_major + 1);
  EXPECT_EQ(h.old_capacity_words(), 0u);  // freed
  EXPECT_EQ(h.used_words(), string_words);
  EXPECT_EQ(byte_view(kept.get()), "long lived");
  EXPECT_EQ(pointers_outside(h, kept.get()), 0u);
}

// When the old heap has no room for what a minor collection would move there, the collection is
// major instead; data kept across many such cycles stays intact.
TEST(Heap, AFullOldHeapMakesTheCollectionMajor) {
  Heap h(1);
  for (int64_t i = 0; i < 3000; ++i) {
    h.push(make_integer(h, pow2(70) + B(i)));  // live: promoted in time
    for (int j = 0; j < 5; ++j) make_string(h, "garbage");
  }
  EXPECT_GT(h.major_collections(), 0u);
  EXPECT_GT(h.collections(), 2 * h.major_collections());  // most are minor
  ASSERT_EQ(h.stack().size(), 3000u);
  for (size_t i = 0; i < 3000; ++i) {
    EXPECT_EQ(integer_value(h.stack()[i]), pow2(70) + B(static_cast<int64_t>(i))) << i;
    EXPECT_EQ(pointers_outside(h, h.stack()[i]), 0u) << i;
  }
}

// An old heap made for what had survived once, when all of it died before the collection that
// would have moved it, is freed at once rather than held until a major collection.
TEST(Heap, AnOldHeapThatGetsNothingIsFreed) {
  Heap h(1 << 14);  // room for the structure: no collection while it is built
  Rooted big(h, Term::nil());
  for (int i = 0; i < 100; ++i) {
    h.push(big.get());
    h.push(make_string(h, "part of a big structure"));
    big.set(tuple_from_stack(h, 2));
  }
  ASSERT_EQ(h.collections(), 0u);
  h.collect();  // the structure has survived once: a minor collection would move it
  big.set(Term::nil());
  h.collect();
  EXPECT_EQ(h.old_capacity_words(), 0u);
  EXPECT_EQ(h.used_words(), 0u);
}

// Dead data in the old heap goes at a major collection, which comes after kMajorAfterMinors minor
// ones at the latest, whether or not the old heap fills.
TEST(Heap, AMajorCollectionComesAfterSoManyMinorOnes) {
  Heap h(1);
  Rooted dies_old(h, make_string(h, "dies in the old heap"));
  h.collect();
  h.collect();
  ASSERT_GT(h.old_used_words(), 0u);
  dies_old.set(Term::nil());
  while (h.collections() < Heap::kMajorAfterMinors + 2) make_cons(h, Term::nil(), Term::nil());
  EXPECT_EQ(h.major_collections(), 1u);
  EXPECT_EQ(h.old_capacity_words(), 0u);
}

// reclaimed_words counts what each collection did not copy: the garbage made, whichever
// generation it died in.
TEST(Heap, ReclaimedWordsCountWhatCollectionsFreed) {
  Heap h(1);
  Rooted kept(h, make_string(h, "kept"));
  const size_t string_words = 1 + object_size(kept.get());
  Rooted dies_old(h, make_string(h, "dies old"));
  h.collect();
  h.collect();  // both promoted
  EXPECT_EQ(h.reclaimed_words(), 0u);
  for (int i = 0; i < 10; ++i) make_string(h, "kept");  // as big as kept: 10 strings of garbage
  dies_old.set(Term::nil());
  h.collect();
  EXPECT_EQ(h.reclaimed_words(), 10 * string_words);
  h.collect_major();
  EXPECT_EQ(h.reclaimed_words(), 10 * string_words + string_words);
}

// A map of more than 8 entries gets a hash index, made before the map so that the map (which may
// be promoted) never points to something younger than itself. Under stress the heap checks that
// at every collection; the lookups check that the index survived.
TEST(Heap, BigMapsAndSetsKeepTheirIndexAcrossGenerations) {
  Heap h(1);
  h.set_stress(true, 8);
  for (int64_t i = 0; i < 40; ++i) {
    h.push(make_integer(h, pow2(80) + B(i)));
    h.push(Term::fixnum(i));
  }
  Rooted map(h, map_from_stack(h, 40));
  for (int64_t i = 0; i < 40; ++i) h.push(make_integer(h, pow2(90) + B(i)));
  Rooted set(h, set_from_stack(h, 40));
  ASSERT_TRUE(has_hash_index(map.get()));
  ASSERT_TRUE(has_hash_index(set.get()));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 200; ++i) make_string(h, "churn");
    for (int64_t i = 0; i < 40; ++i) {
      Rooted key(h, make_integer(h, pow2(80) + B(i)));
      std::optional<Term> v = map_get(map.get(), key.get());
      ASSERT_TRUE(v.has_value()) << i;
      EXPECT_EQ(*v, Term::fixnum(i));
      Rooted member(h, make_integer(h, pow2(90) + B(i)));
      EXPECT_TRUE(set_contains(set.get(), member.get())) << i;
    }
  }
  EXPECT_GT(h.old_used_words(), 0u);
  h.set_stress(false);
}

// An interpreter's register stack (Heap::RegisterArea), as vm/interp keeps it: slots [0, top)
// are its roots, and it tells the heap so as it visits them.
class RegisterStack final : public RootSource {
 public:
  explicit RegisterStack(Heap& heap) : heap_(heap) {
    heap.add_root_source(this);
    heap.attach_registers(&area_);
  }
  ~RegisterStack() override {
    heap_.detach_registers();
    heap_.remove_root_source(this);
  }
  void visit_roots(RootVisitor& visitor) override {
    visitor.visit(area_.base, top_);
    area_.live = top_;
  }
  const Heap::RegisterArea& area() const { return area_; }
  size_t top_ = 0;

 private:
  Heap& heap_;
  Heap::RegisterArea area_;
};

TEST(Heap, TheRegisterStackSharesTheYoungBlockAndMovesWithIt) {
  Heap h(233);
  RegisterStack regs(h);
  EXPECT_EQ(regs.area().words, 0u);
  h.reserve_registers(10);
  ASSERT_GE(regs.area().words, 10u);
  for (size_t i = 0; i < regs.area().words; ++i) EXPECT_TRUE(regs.area().base[i].is_nil()) << i;
  EXPECT_EQ(h.young_used_words(), regs.area().words);  // no objects yet: the stack is all of it
  EXPECT_EQ(h.collections(), 0u);                      // room enough: nothing collected

  for (size_t i = 0; i < 10; ++i) {
    Term s = make_string(h, "register " + std::to_string(i));
    regs.area().base[i] = s;  // read after the allocation, which may have moved the stack
  }
  regs.top_ = 10;
  // Objects and the stack fill the same block: allocating enough collects, and each collection
  // puts the stack at the end of the new block with the registers updated.
  for (int i = 0; i < 2000; ++i) make_string(h, "garbage, and enough of it to fill the block");
  EXPECT_GT(h.collections(), 2u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(print(regs.area().base[i]), "\"register " + std::to_string(i) + "\"") << i;
  }

  // A collection gives back the slots above the top (they come back as nil when reserved again)
  // and keeps little room beyond.
  h.reserve_registers(200);
  ASSERT_GE(regs.area().words, 200u);
  regs.area().base[150] = make_string(h, "above the top: dead");
  h.collect();
  EXPECT_LE(regs.area().words, 10 + Heap::kRegisterSlack);
  h.reserve_registers(200);
  EXPECT_TRUE(regs.area().base[150].is_nil());
  EXPECT_EQ(print(regs.area().base[9]), "\"register 9\"");
}

TEST(Heap, GrowingTheRegisterStackPastTheBlockCollects) {
  Heap h(233);
  RegisterStack regs(h);
  h.reserve_registers(4);
  regs.area().base[0] = make_string(h, "kept");
  regs.top_ = 1;
  Rooted object(h, make_string(h, "an object"));
  const uint64_t before = h.collections();
  h.reserve_registers(5000);  // more than the block: the block grows, by a collection
  EXPECT_EQ(h.collections(), before + 1);
  EXPECT_GE(regs.area().words, 5000u);
  EXPECT_GE(h.young_capacity_words(), h.young_used_words());
  EXPECT_GE(h.young_used_words(), regs.area().words + 1 + object_size(object.get()));
  EXPECT_EQ(print(regs.area().base[0]), "\"kept\"");
  EXPECT_EQ(print(object.get()), "\"an object\"");
  EXPECT_TRUE(regs.area().base[4999].is_nil());

  // In stress mode every growth collects, so each one moves the stack.
  h.set_stress(true);
  for (size_t want = 5001; want < 40000; want *= 2) {
    const uint64_t n = h.collections();
    h.reserve_registers(want);
    EXPECT_EQ(h.collections(), n + 1) << want;
    EXPECT_EQ(print(regs.area().base[0]), "\"kept\"");
  }
  h.set_stress(false);
}

TEST(Heap, TheRegisterStackGrowsByHalfAgainUpToItsLimit) {
  Heap h(233);
  RegisterStack regs(h);
  h.reserve_registers(40, 100);
  EXPECT_EQ(regs.area().words, 40u);
  h.reserve_registers(41, 100);
  EXPECT_EQ(regs.area().words, 60u);  // half as much again
  h.reserve_registers(61, 100);
  EXPECT_EQ(regs.area().words, 90u);
  h.reserve_registers(91, 100);
  EXPECT_EQ(regs.area().words, 100u);  // not 135: the limit
  // A growth that collects keeps the whole stack (a plain collection would give back all but
  // half as much again as the top): the young block then holds it and the growth, not more.
  regs.top_ = 2;
  const uint64_t n = h.collections();
  h.reserve_registers(5000, 10000);
  EXPECT_EQ(h.collections(), n + 1);
  EXPECT_EQ(regs.area().words, 5000u);
  EXPECT_LE(h.young_capacity_words(), Heap::next_size(2 * (5000 + 8)));
}

TEST(HeapDeathTest, AHeapHasOneRegisterStack) {
  auto attach_twice = [] {
    Heap h;
    Heap::RegisterArea a, b;
    h.attach_registers(&a);
    h.attach_registers(&b);
  };
  EXPECT_DEATH(attach_twice(), "a second interpreter on a heap that has one");
}

// The check that stress mode makes: an old object that points into the young generation (which
// immutable terms never do) stops the process instead of leaving a pointer the next minor
// collection would break.
TEST(HeapDeathTest, StressModeCatchesAnOldObjectPointingToAYoungOne) {
  auto break_the_rule = [] {
    Heap h(1);
    h.set_stress(true, 64);
    h.push(Term::nil());
    Rooted holder(h, tuple_from_stack(h, 1));
    h.collect();
    h.collect();  // the tuple is old now
    Term young = make_string(h, "young");
    object_of(holder.get())[1] = young.raw();  // the mutation terms must never undergo
    h.collect();
  };
  EXPECT_DEATH(break_the_rule(), "an old object points into the young generation");
}

}  // namespace
}  // namespace lona
