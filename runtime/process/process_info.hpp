// runtime/process: process-info, what a process tells about itself: its status, heap, mailbox,
// links, monitors and reductions, as a map of keywords.
//
// Only a process's owner may read its heap, queue, links and monitors (process.hpp), so the map
// is always built by the owner: for itself directly, and for another process as BEAM does it, by
// a signal. The asker sends an info request (EnvelopeKind::kInfoRequest, with a ref); the target
// answers when it next takes its mail (at the start of each slice, in every receive) with a reply
// signal (kReply) for that ref whose payload is the map. A process that exits before it answers
// never answers: the asker must also watch it (Lonala's process-info monitors it).
#pragma once

#include <cstdint>

#include "runtime/process/process.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/term.hpp"

namespace lona {

// The :status an asker reports for `p`, read from what p publishes atomically: :waiting (blocked
// in a receive), :runnable (in a run queue), :running or :exiting.
Term process_status(Process& p);

// The process-info map of `p`, built on `heap` (p's own, or a scratch heap whose copy travels in a
// reply) with `status` as :status. Only p's owner may call it.
Term build_process_info(Process& p, Heap& heap, Term status);

// Sends the request to `target` on behalf of `asker` (its owner's thread): target answers `asker`
// with a reply for `ref`. The caller holds a reference to target.
void request_process_info(Process& asker, Process& target, uint64_t ref);

// The target's half: answers request `e` (kInfoRequest), from the owner's thread, in take_mail.
void answer_process_info(Process& target, const Envelope& request);

}  // namespace lona
