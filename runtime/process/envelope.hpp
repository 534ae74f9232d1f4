// runtime/process: what travels between processes: a message or a signal, in one allocation.
//
// A send deep-copies the message into the envelope's own words (its fragment), so the sender's
// heap can move or die at once and the receiver copies it out at its leisure. Signals (link,
// exit, monitor, down, ...) travel in the same queue as messages, which orders them with the
// messages of the same sender (DESIGN.md section 5).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "runtime/term/term.hpp"

namespace lona {

enum class EnvelopeKind : uint8_t {
  kMessage,    // payload: the message
  kLink,       // from wants a link
  kUnlink,     // from drops its link
  kExit,       // payload: the reason; from exited (linked) or called (exit pid reason)
  kMonitor,    // from monitors us under ref
  kDemonitor,  // from drops monitor ref
  kDown,       // payload: the reason; the process from that we monitored under ref is gone
  kTimeout,    // the timer of receive ... :after numbered `ref` fired
  kReply,      // payload: the answer to request `ref` of the receiver (send-sync's
               // acknowledgement, lona.server's reply); dropped unless the receiver awaits ref
  // payload: the :status the asker read; from wants this process's process-info map in a kReply
  // for ref (process_info.hpp)
  kInfoRequest,
};

// The mailbox's intrusive link (runtime/process/mailbox). A base of its own so that the
// mailbox's stub node is this one word, not a whole envelope, in every process.
struct MailboxLink {
  std::atomic<MailboxLink*> next{nullptr};
};

struct Envelope : MailboxLink {
  EnvelopeKind kind = EnvelopeKind::kMessage;
  bool linked = false;    // kExit: sent because a linked process exited (not by exit/2)
  bool refc = false;      // the fragment holds off-heap binaries (each copy holds a reference)
  uint16_t pool_tag = 0;  // where its memory came from (EnvelopePool)
  uint64_t from = 0;      // the sender's local pid
  uint64_t ref = 0;       // kMonitor, kDemonitor, kDown: the monitor; kTimeout: the timer;
                          // kReply, kInfoRequest: the request; kMessage: nonzero for
                          // send-sync, which the receiver acknowledges (kReply) when a receive
                          // takes the message
  Term payload = Term::nil();
  size_t words = 0;  // the fragment's size
  Word* fragment() { return reinterpret_cast<Word*>(this + 1); }

  // An envelope with `payload` deep-copied into its fragment (immediates need none). Returns
  // nullptr when the copy would exceed kMaxMessageWords (a DAG whose tree copy explodes) and,
  // given `holds_bytebuf`, when the payload holds a bytebuf (which it then sets).
  static Envelope* make(EnvelopeKind kind, uint64_t from, Term payload,
                        bool* holds_bytebuf = nullptr);
  // The answer to a link or monitor `request` that found no process `dead`: the exit signal
  // :noproc of a link, or the :DOWN of monitor `ref` with reason :noproc.
  static Envelope* noproc(EnvelopeKind request, uint64_t dead, uint64_t ref);
  static void destroy(Envelope* e);

  // 512 MiB: bigger messages are refused with :badarg rather than exhausting memory.
  static constexpr size_t kMaxMessageWords = size_t{1} << 26;
};

}  // namespace lona
