// runtime/process: a process's inbox, an intrusive multi-producer single-consumer queue.
//
// Dmitry Vyukov's non-blocking MPSC queue: a send is one atomic exchange on the tail, whoever
// sends; the owner takes envelopes from the head without any read-modify-write. Producers are
// never blocked by each other or by the consumer. An envelope pushed concurrently may be briefly
// invisible to take() (a producer between its exchange and its link store); has_pending() says
// so, and the sender's wake-up that follows every push makes the owner look again.
#pragma once

#include <atomic>

#include "runtime/process/envelope.hpp"

namespace lona {

class Mailbox {
 public:
  Mailbox() : head_(&stub_), tail_(&stub_) {}
  ~Mailbox();  // destroys what was never taken
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Any thread.
  void push(Envelope* e) {
    e->next.store(nullptr, std::memory_order_relaxed);
    link(e);
  }

  // The owner only: the oldest envelope, or nullptr when none is visible yet.
  Envelope* take();

  // The owner only: true when an envelope has been pushed that take() has not returned.
  // (head_ is the stub or an envelope not yet returned; the stub at both ends is empty.)
  bool has_pending() const {
    return head_ != &stub_ || tail_.load(std::memory_order_acquire) != &stub_;
  }

 private:
  void link(MailboxLink* node) {
    MailboxLink* prev = tail_.exchange(node, std::memory_order_acq_rel);
    prev->next.store(node, std::memory_order_release);
  }

  MailboxLink* head_;  // the owner's end; stub_ or an envelope already returned
  std::atomic<MailboxLink*> tail_;
  MailboxLink stub_;
};

}  // namespace lona
