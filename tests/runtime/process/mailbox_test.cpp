// The mailbox (Vyukov MPSC) and envelopes: order, concurrency, and copies that outlive the
// sender's heap.
#include "runtime/process/mailbox.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/text.hpp"

namespace lona {
namespace {

Envelope* message(int64_t from, int64_t n) {
  return Envelope::make(EnvelopeKind::kMessage, static_cast<uint64_t>(from), Term::fixnum(n));
}

TEST(Mailbox, FirstInFirstOut) {
  Mailbox box;
  EXPECT_FALSE(box.has_pending());
  EXPECT_EQ(box.take(), nullptr);
  for (int i = 0; i < 5; ++i) box.push(message(0, i));
  EXPECT_TRUE(box.has_pending());
  for (int i = 0; i < 5; ++i) {
    Envelope* e = box.take();
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->payload, Term::fixnum(i));
    Envelope::destroy(e);
  }
  EXPECT_EQ(box.take(), nullptr);
  EXPECT_FALSE(box.has_pending());
}

TEST(Mailbox, PendingUntilTheLastIsTaken) {
  Mailbox box;
  box.push(message(0, 1));
  Envelope* e = box.take();
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(box.has_pending());
  Envelope::destroy(e);
  box.push(message(0, 2));
  box.push(message(0, 3));
  Envelope::destroy(box.take());
  EXPECT_TRUE(box.has_pending());  // 3 is still there
  Envelope::destroy(box.take());
  EXPECT_FALSE(box.has_pending());
}

// Four senders, one receiver: nothing lost, each sender's messages in its order.
TEST(Mailbox, ConcurrentSendersKeepTheirOwnOrder) {
  constexpr int kSenders = 4;
  constexpr int kEach = 50000;
  Mailbox box;
  std::vector<std::thread> senders;
  senders.reserve(kSenders);
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&box, s] {
      for (int i = 0; i < kEach; ++i) box.push(message(s, i));
    });
  }
  std::vector<int64_t> next(kSenders, 0);
  int received = 0;
  while (received < kSenders * kEach) {
    Envelope* e = box.take();
    if (e == nullptr) {
      std::this_thread::yield();
      continue;
    }
    ASSERT_EQ(e->payload, Term::fixnum(next[e->from])) << "sender " << e->from;
    ++next[e->from];
    ++received;
    Envelope::destroy(e);
  }
  for (auto& t : senders) t.join();
  EXPECT_EQ(box.take(), nullptr);
  for (int s = 0; s < kSenders; ++s) EXPECT_EQ(next[s], kEach);
}

TEST(Envelope, CopiesThePayloadOutOfTheSendersHeap) {
  Envelope* e = nullptr;
  {
    Heap heap;
    heap.push(make_string(heap, "hello"));
    heap.push(Term::fixnum(42));
    Term tuple = tuple_from_stack(heap, 2);
    e = Envelope::make(EnvelopeKind::kMessage, 7, tuple);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->words, 3u + 3u);  // the tuple (header + 2) and the string (header, length, bytes)
  }                                // the heap is gone; the copy is not
  ASSERT_TRUE(is_tuple(e->payload));
  EXPECT_EQ(byte_view(array_at(e->payload, 0)), "hello");
  EXPECT_EQ(array_at(e->payload, 1), Term::fixnum(42));
  Envelope::destroy(e);
}

}  // namespace
}  // namespace lona
