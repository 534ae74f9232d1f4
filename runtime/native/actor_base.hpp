// runtime/native: what every native actor can do on its own thread: know its pid, send, link,
// monitor, exit, spawn linked or monitored children, build terms on its heap, count reductions.
//
// A native actor is a scheduled runtime process (runtime/process) like a Lonala process: the
// same pid, mailbox, links, monitors and reductions, run by the same workers. The two styles,
// class actors (actor.hpp) and coroutine actors (coroutine.hpp), both derive from ActorBase.
//
// Threading: everything here is for the actor's own thread, inside its hooks or its coroutine
// (the worker running it). Other threads reach an actor by sending it messages, nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string_view>
#include <utility>

#include "runtime/native/terms.hpp"
#include "runtime/process/process.hpp"

namespace lona::native {

class ActorBase : public Process {
 public:
  // 4 KiB, as a Lonala process; the heap grows as needed.
  static constexpr size_t kDefaultHeapWords = 512;

  // A process of the realm's runtime (Runtime::get()) with a fresh pid and a heap of its own.
  // It runs once started (spawn(), start()).
  explicit ActorBase(size_t heap_words = kDefaultHeapWords);
  ~ActorBase() override;

  // This actor's pid, and as a term on its heap (to put in a message).
  Pid self() const { return id(); }
  Term self_pid() { return pid_term(heap(), id()); }

  // Sends a copy of `message` (a term on this heap) to `to`. A pid with no process drops it
  // silently, as in Lonala. False only when the message is too large to copy (nothing is sent).
  bool send(Pid to, Term message);

  // Links, monitors and exit signals, with Lonala's rules (docs/runtime.md): linking or
  // monitoring a pid with no process gives :noproc; monitor returns the ref that the
  // [:DOWN ref pid reason] message carries. exit(pid, reason) sends an exit signal (:kill is
  // untrappable); false when the reason is too large to copy.
  void link(Pid other);
  void unlink(Pid other);
  uint64_t monitor(Pid target);
  void demonitor(uint64_t ref);
  bool exit(Pid target, Term reason);

  // Ends this actor with `reason` (a term on its heap; :normal for a normal end) once the
  // current handler returns or, for a coroutine, at its next co_await.
  void exit(Term reason);
  bool exiting() const { return exiting_; }

  // Adds work done to this slice's reductions (one is counted per message handled); a busy
  // actor that charges for its work yields sooner, as Lonala processes do.
  void charge(uint32_t reductions) { used_ += reductions; }

  // process-info: the reductions of the slice in progress count too (a native actor's stack is
  // the worker's, not its own: :stack-size 0).
  RunnerInfo runner_info() const override { return {0, reductions() + used_}; }

  // Starts `child` (new, not yet started) linked to this actor, or monitored by it: the link or
  // monitor exists before the child runs. Return its pid (and the monitor's ref).
  Pid start_link(Process* child);
  std::pair<Pid, uint64_t> start_monitor(Process* child);
  template <typename T, typename... A>
  Pid spawn_link(A&&... args) {
    return start_link(new T(std::forward<A>(args)...));
  }
  template <typename T, typename... A>
  std::pair<Pid, uint64_t> spawn_monitor(A&&... args) {
    return start_monitor(new T(std::forward<A>(args)...));
  }

 protected:
  // Called once when the actor ends, whatever the reason (returned, exit(), an exit signal, an
  // exception), with the reason; the actor may still send. Runs on the actor's thread.
  virtual void on_exit(Term reason) { static_cast<void>(reason); }

  // Runs f; a C++ exception that escapes it ends the actor with reason
  // [:error :exception %{:message "what()"}]. False then.
  template <typename F>
  bool guarded(F&& f) {
    try {
      std::forward<F>(f)();
      return true;
    } catch (const std::exception& e) {
      fail_with_exception(e.what());
    } catch (...) {
      fail_with_exception("unknown C++ exception");
    }
    return false;
  }
  // Ends the actor with reason [:error :exception %{:message what}].
  void fail_with_exception(std::string_view what);

  // The end of run() for an actor that exits (reason set): calls on_exit, counts reductions.
  RunStatus finish();
  // The end of a slice that does not exit: counts the slice's reductions.
  RunStatus end_slice(RunStatus status) {
    drop_target();
    add_reductions(used_);
    used_ = 0;
    return status;
  }

  uint32_t used_ = 0;  // reductions spent in this slice
  bool exiting_ = false;

 private:
  void drop_target();
  // The process last sent to, retained for the rest of the slice: a burst of sends to one
  // process finds it once. Dropped at the end of each slice, so that no reference outlives a
  // slice (actors that send to each other never keep each other alive).
  Process* target_ = nullptr;
};

}  // namespace lona::native
