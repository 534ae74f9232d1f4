// runtime/native: class actors: a C++ class whose handlers the scheduler calls for each message.
//
//   class Counter : public lona::native::Actor {
//     int64_t n_ = 0;
//     void on_message(lona::Term m) override {
//       if (auto from = lona::native::pid_of(m)) send(*from, lona::Term::fixnum(n_++));
//     }
//   };
//   lona::native::Pid pid = lona::native::spawn<Counter>();
//
// Messages come one at a time, oldest first, each handled once; [:DOWN ...] and (when trapping
// exits) [:EXIT ...] signals arrive as messages too. A handler must not block its worker (no
// sleeping, no waiting on locks or I/O): a blocking job belongs to a thread of its own, which can
// be a process too (ScopedActor, scoped_actor.hpp).
#pragma once

#include <cstdint>

#include "runtime/native/actor_base.hpp"
#include "runtime/native/spawn.hpp"

namespace lona::native {

class Actor : public ActorBase {
 public:
  using ActorBase::ActorBase;

  // The scheduler's entry: takes the mail and calls the handlers, within the slice's budget of
  // reductions (one per message plus what the handlers charge()).
  RunStatus run(uint32_t budget) final;

 protected:
  // Before the first message.
  virtual void on_start() {}
  // One message, a term on this actor's heap. It stays a root while the handler runs, but a
  // term read from it goes stale at the next allocation: re-read current_message() after
  // allocating, or hold what is needed in a Rooted.
  virtual void on_message(Term message) = 0;
  // The message being handled, up to date after an allocation.
  Term current_message() const { return message(0); }

 private:
  bool started_ = false;
};

}  // namespace lona::native
