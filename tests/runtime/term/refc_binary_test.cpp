// Tests for runtime/term/refc_binary: binaries above 64 bytes live off the heap, shared by
// reference count. They read like any binary; a collection frees one that nothing reaches and
// keeps one that something does; a heap that dies and an envelope that is destroyed let go of
// theirs; a copy takes a reference instead of copying the bytes; a big part of one is a
// sub-binary that shares the blob.
#include "runtime/term/refc_binary.hpp"

#include <gtest/gtest.h>

#include <string>

#include "runtime/process/envelope.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/text.hpp"

namespace lona {
namespace {

std::string bytes(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7);
  return s;
}

uint64_t refs_of(Term t) { return refc_blob_of(object_of(t))->refs.load(); }

// A tuple of the terms on the heap's stack (pushed by the caller, each made after the last push
// so that none is held across an allocation unrooted).
Term tuple_of(Heap& h, size_t n) { return tuple_from_stack(h, n); }

TEST(RefcBinaryTest, OnlyBinariesAbove64BytesGoOffTheHeap) {
  Heap h;
  size_t before = live_refc_blobs();
  Term small = make_binary(h, bytes(64, 'a'));
  EXPECT_FALSE(is_refc_binary_object(object_of(small)));
  EXPECT_EQ(live_refc_blobs(), before);
  Rooted big(h, make_binary(h, bytes(65, 'a')));
  EXPECT_TRUE(is_refc_binary_object(object_of(big.get())));
  // the length, the blob and the offset: 1,000 bytes or 65
  EXPECT_EQ(object_size(big.get()), kRefcBinaryWords);
  EXPECT_EQ(live_refc_blobs(), before + 1);
  EXPECT_TRUE(is_binary(big.get()));
  EXPECT_EQ(kind_of(big.get()), Kind::kBinary);
  EXPECT_EQ(byte_view(big.get()), bytes(65, 'a'));
  EXPECT_EQ(h.refc_bytes(), 65u);
  // A string is never off the heap, however long.
  Term text = make_string(h, std::string(1000, 'x'));
  EXPECT_FALSE(is_refc_binary_object(object_of(text)));
}

TEST(RefcBinaryTest, EqualAndHashedByTheirBytesWhereverTheyLive) {
  Heap h;
  Rooted a(h, make_binary(h, bytes(100, 'q')));
  Rooted b(h, make_binary(h, bytes(100, 'q')));
  Rooted c(h, make_binary(h, bytes(100, 'r')));
  EXPECT_TRUE(equal(a.get(), b.get()));
  EXPECT_FALSE(equal(a.get(), c.get()));
  EXPECT_EQ(hash(a.get()), hash(b.get()));
}

TEST(RefcBinaryTest, ACollectionFreesWhatNothingReachesAndKeepsTheRest) {
  size_t before = live_refc_blobs();
  Heap h;
  Rooted kept(h, make_binary(h, bytes(200, 'k')));
  make_binary(h, bytes(300, 'd'));  // garbage at once
  h.push(make_binary(h, bytes(400, 't')));
  h.push(tuple_of(h, 1));
  EXPECT_EQ(live_refc_blobs(), before + 3);
  h.collect();
  EXPECT_EQ(live_refc_blobs(), before + 2);
  EXPECT_EQ(h.refc_bytes(), 600u);
  EXPECT_EQ(byte_view(kept.get()), bytes(200, 'k'));
  EXPECT_EQ(byte_view(array_at(h.stack().back(), 0)), bytes(400, 't'));
  h.pop();
  h.collect();
  EXPECT_EQ(live_refc_blobs(), before + 1);
  EXPECT_EQ(byte_view(kept.get()), bytes(200, 'k'));
}

TEST(RefcBinaryTest, AHeapThatDiesLetsGoOfItsBinaries) {
  size_t before = live_refc_blobs();
  {
    Heap h;
    h.push(make_binary(h, bytes(100, 'x')));
    make_binary(h, bytes(100, 'y'));
    EXPECT_EQ(live_refc_blobs(), before + 2);
  }
  EXPECT_EQ(live_refc_blobs(), before);
}

// Making and dropping big binaries frees them though the heap never fills: the off-heap bytes
// make the heap collect.
TEST(RefcBinaryTest, DroppedBinariesAreFreedBeforeTheHeapFills) {
  size_t before = live_refc_blobs();
  Heap h(Heap::kProgramInitialWords);
  for (int i = 0; i < 1000; ++i) make_binary(h, bytes(100000, 'z'));  // 100 MB made in all
  EXPECT_LE(live_refc_bytes(), 2 * Heap::kMinRefcBytes);
  EXPECT_GT(h.collections(), 0u);
  EXPECT_LT(live_refc_blobs() - before, 30u);
}

// A message shares the bytes: the envelope's copy takes a reference and lets it go when it is
// destroyed; a heap that takes the message (copy_block) takes its own.
TEST(RefcBinaryTest, ACopyTakesAReferenceInsteadOfTheBytes) {
  Heap h;
  Rooted bin(h, make_binary(h, bytes(1000, 'm')));
  h.push(bin.get());
  h.push(bin.get());
  Rooted msg(h, tuple_of(h, 2));
  EXPECT_EQ(refs_of(bin.get()), 1u);
  Envelope* e = Envelope::make(EnvelopeKind::kMessage, 1, msg.get());
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->refc);
  EXPECT_LT(e->words, 20u);  // two small objects and the tuple, not 2,000 bytes
  EXPECT_EQ(refs_of(bin.get()), 3u);
  Heap receiver;
  Word* block = receiver.alloc(e->words);
  Term got = copy_block(e->payload, e->fragment(), e->words, block);
  receiver.track_refc_in(block, e->words);
  EXPECT_EQ(refs_of(bin.get()), 5u);
  Envelope::destroy(e);
  EXPECT_EQ(refs_of(bin.get()), 3u);
  EXPECT_TRUE(equal(got, msg.get()));
  receiver.collect();  // nothing roots the copy: the receiver's two references go
  EXPECT_EQ(refs_of(bin.get()), 1u);
}

// A part of more than 64 bytes of an off-heap binary shares its blob (one more reference, no new
// blob); a part of a part reads from the right place; small parts, and parts of small binaries,
// are copies. The blob goes when the last of the whole and its parts is gone.
TEST(RefcBinaryTest, BigPartsAreSubBinariesThatShareTheBlob) {
  size_t before = live_refc_blobs();
  const std::string all = bytes(1000, 's');
  {
    Heap h;
    Rooted whole(h, make_binary(h, all));
    Rooted part(h, binary_part(h, whole.get(), 100, 500));
    EXPECT_EQ(live_refc_blobs(), before + 1);  // no new blob
    EXPECT_EQ(refs_of(whole.get()), 2u);
    EXPECT_EQ(byte_view(part.get()), all.substr(100, 500));
    Rooted inner(h, binary_part(h, part.get(), 50, 300));
    EXPECT_EQ(byte_view(inner.get()), all.substr(150, 300));
    EXPECT_EQ(refs_of(whole.get()), 3u);
    Term same = make_binary(h, all.substr(150, 300));
    EXPECT_TRUE(equal(inner.get(), same));
    // Copies: 64 bytes or fewer, and parts under a quarter of the blob (a small part kept must
    // not keep a big blob alive).
    Term small = binary_part(h, part.get(), 0, 64);
    EXPECT_FALSE(is_refc_binary_object(object_of(small)));
    EXPECT_EQ(byte_view(small), all.substr(100, 64));
    Term under_a_quarter = binary_part(h, whole.get(), 10, 249);
    EXPECT_TRUE(is_refc_binary_object(object_of(under_a_quarter)));  // a blob of its own
    EXPECT_EQ(byte_view(under_a_quarter), all.substr(10, 249));
    EXPECT_EQ(live_refc_blobs(), before + 3);  // the whole's, `same`'s and this one's
    EXPECT_EQ(refs_of(whole.get()), 3u);
    EXPECT_EQ(binary_part(h, whole.get(), 0, 1000), whole.get());  // the whole: itself

    // The whole goes; the parts keep the blob, through collections that move them.
    whole.set(Term::nil());
    h.collect_major();  // the copy under a quarter goes too
    EXPECT_EQ(live_refc_blobs(), before + 1);
    EXPECT_EQ(refs_of(part.get()), 2u);
    EXPECT_EQ(byte_view(part.get()), all.substr(100, 500));
    EXPECT_EQ(byte_view(inner.get()), all.substr(150, 300));

    // A copy (a message) of a part reads the same bytes, and holds its own reference.
    Envelope* e = Envelope::make(EnvelopeKind::kMessage, 1, inner.get());
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(byte_view(e->payload), all.substr(150, 300));
    EXPECT_EQ(refs_of(part.get()), 3u);
    Envelope::destroy(e);
    part.set(Term::nil());
    inner.set(Term::nil());
    h.collect_major();
    EXPECT_EQ(live_refc_blobs(), before);
  }
  EXPECT_EQ(live_refc_blobs(), before);
}

}  // namespace
}  // namespace lona
