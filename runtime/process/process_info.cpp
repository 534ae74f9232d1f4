#include "runtime/process/process_info.hpp"

#include <algorithm>
#include <vector>

#include "runtime/process/envelope.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/pid.hpp"
#include "runtime/term/symbol_table.hpp"

namespace lona {
namespace {

Term int_term(uint64_t v) { return Term::fixnum(static_cast<int64_t>(v)); }
uint64_t bytes_of(size_t words) { return words * sizeof(Word); }

// A set of `ids` in ascending order (so that two answers compare equal when nothing changed),
// each made a term by `make`, pushed on the heap's stack.
template <typename Make>
void push_id_set(Heap& heap, std::vector<uint64_t> ids, Make make) {
  std::sort(ids.begin(), ids.end());
  for (uint64_t id : ids) heap.push(make(id));
  heap.push(set_from_stack(heap, ids.size()));
}

}  // namespace

Term process_status(Process& p) {
  static const Term kWaiting = make_keyword("waiting");
  static const Term kRunnable = make_keyword("runnable");
  static const Term kRunning = make_keyword("running");
  static const Term kExiting = make_keyword("exiting");
  using S = Process::SchedState;
  switch (p.sched_state().load(std::memory_order_acquire)) {
    case S::kWaiting:
      return kWaiting;
    case S::kQueued:
      return kRunnable;
    case S::kRunning:
    case S::kRunningNotified:
      // A bound process is "running" for as long as it lives: its thread says whether it waits.
      return p.blocked() ? kWaiting : kRunning;
    case S::kExited:
      return kExiting;
  }
  return kRunning;
}

Term build_process_info(Process& p, Heap& heap, Term status) {
  static const Term kStatus = make_keyword("status");
  static const Term kHeapSize = make_keyword("heap-size");
  static const Term kHeapUsed = make_keyword("heap-used");
  static const Term kOldHeapSize = make_keyword("old-heap-size");
  static const Term kOldHeapUsed = make_keyword("old-heap-used");
  static const Term kStackSize = make_keyword("stack-size");
  static const Term kMinorGcCount = make_keyword("minor-gc-count");
  static const Term kMajorGcCount = make_keyword("major-gc-count");
  static const Term kTotalReclaimed = make_keyword("total-reclaimed");
  static const Term kMailboxLen = make_keyword("mailbox-len");
  static const Term kPriority = make_keyword("priority");
  static const Term kLinks = make_keyword("links");
  static const Term kMonitors = make_keyword("monitors");
  static const Term kReductions = make_keyword("reductions");
  static const Term kTrapExit = make_keyword("trap-exit");
  size_t pairs = 0;
  auto put = [&](Term key, Term value) {
    heap.push(key);
    heap.push(value);
    ++pairs;
  };
  // Read before anything is built: when `heap` is p's own, building moves what it measures.
  const Heap& h = p.heap();
  const Process::RunnerInfo runner = p.runner_info();
  // Sizes in bytes; :heap-size and :heap-used are the young generation's, as in BEAM.
  const uint64_t young_size = bytes_of(h.young_capacity_words());
  const uint64_t young_used = bytes_of(h.young_used_words());
  const uint64_t old_size = bytes_of(h.old_capacity_words());
  const uint64_t old_used = bytes_of(h.old_used_words());
  const uint64_t majors = h.major_collections();
  const uint64_t minors = h.collections() - majors;
  const uint64_t reclaimed = bytes_of(h.reclaimed_words());
  put(kStatus, status);
  put(kHeapSize, int_term(young_size));
  put(kHeapUsed, int_term(young_used));
  put(kOldHeapSize, int_term(old_size));
  put(kOldHeapUsed, int_term(old_used));
  put(kStackSize, int_term(runner.stack_words * sizeof(Word)));
  put(kMinorGcCount, int_term(minors));
  put(kMajorGcCount, int_term(majors));
  put(kTotalReclaimed, int_term(reclaimed));
  put(kMailboxLen, int_term(p.message_count()));
  put(kPriority, int_term(p.priority()));
  Runtime& rt = p.runtime();
  heap.push(kLinks);
  push_id_set(heap, {p.links().begin(), p.links().end()},
              [&](uint64_t link) { return rt.pid_term(heap, link); });
  ++pairs;
  std::vector<uint64_t> refs;
  refs.reserve(p.monitors().size());
  for (const auto& [ref, target] : p.monitors()) refs.push_back(ref);
  heap.push(kMonitors);
  push_id_set(heap, std::move(refs), [&](uint64_t ref) { return make_ref(heap, ref); });
  ++pairs;
  put(kReductions, int_term(runner.reductions));
  put(kTrapExit, Term::boolean(p.trap_exit()));
  return map_from_stack(heap, pairs);
}

void request_process_info(Process& asker, Process& target, uint64_t ref) {
  // The status is the asker's to read: the target, answering, is always running.
  Envelope* e = Envelope::make(EnvelopeKind::kInfoRequest, asker.id(), process_status(target));
  e->ref = ref;
  asker.set_awaited_reply(ref);
  target.deliver(e);
}

void answer_process_info(Process& target, const Envelope& request) {
  // Built on a heap of its own, not the target's: answering allocates nothing there, so no
  // collection runs under a native actor's terms in the middle of its take_mail, and the
  // numbers reported are not disturbed by the report.
  Heap scratch;
  Term info = build_process_info(target, scratch, request.payload);
  Envelope* reply = Envelope::make(EnvelopeKind::kReply, target.id(), info);
  // Too large to copy (tens of millions of links): the asker gets nil rather than waiting.
  if (reply == nullptr) reply = Envelope::make(EnvelopeKind::kReply, target.id(), Term::nil());
  reply->ref = request.ref;
  target.runtime().send(request.from, reply);
}

}  // namespace lona
