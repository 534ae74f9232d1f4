#include "runtime/process/mailbox.hpp"

#include <new>

#include "runtime/process/envelope_pool.hpp"

#include "runtime/term/literal_area.hpp"
#include "runtime/term/symbol_table.hpp"

namespace lona {

Envelope* Envelope::make(EnvelopeKind kind, uint64_t from, Term payload, bool* holds_bytebuf) {
  CopyHolds holds;
  CopySize size = deep_copy_size(payload, kMaxMessageWords, &holds);
  if (holds_bytebuf != nullptr) *holds_bytebuf = holds.bytebuf;
  if (size.words > kMaxMessageWords || (holds_bytebuf != nullptr && holds.bytebuf)) {
    return nullptr;
  }
  uint16_t tag = 0;
  Envelope* e =
      new (EnvelopePool::allocate(sizeof(Envelope) + size.words * sizeof(Word), &tag)) Envelope;
  e->pool_tag = tag;
  e->kind = kind;
  e->from = from;
  e->words = size.words;
  e->refc = holds.refc_binary;
  e->payload = deep_copy_sized(payload, size, e->fragment());
  return e;
}

Envelope* Envelope::noproc(EnvelopeKind request, uint64_t dead, uint64_t ref) {
  static const Term kNoproc = make_keyword("noproc");
  Envelope* e = make(request == EnvelopeKind::kLink ? EnvelopeKind::kExit : EnvelopeKind::kDown,
                     dead, kNoproc);
  e->linked = request == EnvelopeKind::kLink;
  e->ref = ref;
  return e;
}

void Envelope::destroy(Envelope* e) {
  if (e->refc) for_each_refc_binary(e->fragment(), e->words, release_refc);
  uint16_t tag = e->pool_tag;
  e->~Envelope();
  EnvelopePool::release(e, tag);
}

Envelope* Mailbox::take() {
  MailboxLink* head = head_;
  MailboxLink* next = head->next.load(std::memory_order_acquire);
  if (head == &stub_) {
    if (next == nullptr) return nullptr;
    head_ = next;
    head = next;
    next = next->next.load(std::memory_order_acquire);
  }
  if (next != nullptr) {
    head_ = next;
    return static_cast<Envelope*>(head);
  }
  if (head != tail_.load(std::memory_order_acquire)) return nullptr;  // a push is half done
  // head is the last envelope: put the stub behind it so that it can be handed out.
  stub_.next.store(nullptr, std::memory_order_relaxed);
  link(&stub_);
  next = head->next.load(std::memory_order_acquire);
  if (next != nullptr) {
    head_ = next;
    return static_cast<Envelope*>(head);
  }
  return nullptr;
}

Mailbox::~Mailbox() {
  while (Envelope* e = take()) Envelope::destroy(e);
}

}  // namespace lona
