// runtime/native: a process for a thread that is not a worker: main(), a test, a thread doing
// blocking work. It has a pid, a mailbox, links and monitors like any process, and blocks its
// thread when it waits for a message (CAF's scoped_actor).
//
//   lona::native::ScopedActor me;
//   me.send(server, lona::native::tuple(me.heap(), lona::native::PidOf{me.self()}, 42));
//   std::optional<lona::Term> reply = me.receive(std::chrono::seconds(5));
//
// receive(filter, timeout) is a selective receive: it takes the oldest message the filter
// accepts and leaves the others queued, in order, for later receives.
//
// Only the thread that made it uses it. It ends (reason :normal, or the reason an exit signal
// gave it) when destroyed; its links and monitors hear of it then.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "runtime/native/message_filter.hpp"
#include "runtime/native/terms.hpp"
#include "runtime/process/process.hpp"
#include "runtime/term/heap.hpp"

namespace lona::native {

class ScopedActor {
 public:
  ScopedActor();
  ~ScopedActor();
  ScopedActor(const ScopedActor&) = delete;
  ScopedActor& operator=(const ScopedActor&) = delete;

  Pid self() const { return process_->id(); }
  Term self_pid() { return pid_term(heap_, self()); }
  // Where messages to send are built and received messages live.
  Heap& heap() { return heap_; }
  Process& process() { return *process_; }

  // As ActorBase::send: false only when the message is too large to copy.
  bool send(Pid to, Term message);

  // The next message, oldest first, blocking the thread; nullopt when `timeout` passed first
  // (none: wait for ever) or when an exit signal ended this process (killed()). The message
  // stays a root of the heap until the next receive.
  std::optional<Term> receive(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    return receive(MessageFilter(), timeout);
  }
  // The oldest message `filter` accepts (the others stay queued, in order), as above.
  std::optional<Term> receive(const MessageFilter& filter,
                              std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  void link(Pid other);
  void unlink(Pid other);
  uint64_t monitor(Pid target);
  void demonitor(uint64_t ref);
  // An exit signal to `target` (:kill is untrappable); false when the reason is too large.
  bool exit(Pid target, Term reason);
  void set_trap_exit(bool on) { process_->set_trap_exit(on); }
  // True once an exit signal ended this process (its reason: process().exit_reason()).
  bool killed() const { return killed_; }

 private:
  Heap heap_;  // before process_, which lives on it
  Process* process_;
  std::optional<size_t> held_;  // the queue index of the message the last receive returned
  bool killed_ = false;
};

}  // namespace lona::native
