// runtime/native: coroutine actors: a C++20 coroutine that runs as a process and waits for
// messages with co_await, like a Lonala process in receive.
//
//   lona::native::Task echo(lona::native::Self& self) {
//     for (;;) {
//       lona::Term m = co_await self.receive();
//       if (auto from = lona::native::pid_of(m)) self.send(*from, lona::native::keyword("pong"));
//     }
//   }
//   lona::native::Pid pid = lona::native::spawn_coroutine(echo);
//
// The coroutine starts at the actor's first slice. co_await self.receive() suspends it until a
// message comes (the worker runs other processes meanwhile); receive(timeout) gives nullopt when
// none came in time; co_await self.receive(filter) and receive(filter, timeout) are selective:
// they take the oldest message the filter accepts and leave the others queued, in order, for
// later receives. co_await self.yield() ends the slice. Returning ends the actor with
// :normal, self.exit(reason) then co_return with that reason, an escaping exception with
// [:error :exception %{:message ...}]. Parameters are copied into the coroutine: pass them by
// value, never by reference to something that may be gone when the coroutine runs.
#pragma once

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <utility>

#include "runtime/native/actor_base.hpp"
#include "runtime/native/message_filter.hpp"
#include "runtime/native/spawn.hpp"

namespace lona::native {

// What a coroutine actor's function returns; owned by the actor running it.
class Task {
 public:
  struct promise_type {
    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { error = std::current_exception(); }
    std::exception_ptr error;
  };

  Task() = default;
  explicit Task(std::coroutine_handle<promise_type> h) : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~Task() { reset(); }

  std::coroutine_handle<promise_type> handle() const { return handle_; }
  // Destroys the coroutine's frame (its locals' destructors run).
  void reset() {
    if (handle_) std::exchange(handle_, {}).destroy();
  }

 private:
  std::coroutine_handle<promise_type> handle_;
};

// The process a coroutine actor runs in, and what its function gets to act with.
class Self : public ActorBase {
 public:
  using ActorBase::ActorBase;

  // The awaitables of receive() and yield().
  class Receive {
   public:
    bool await_ready() { return self_.receive_ready(std::move(filter_), timeout_); }
    void await_suspend(std::coroutine_handle<>) { self_.receive_suspend(timeout_); }
    std::optional<Term> await_resume() { return self_.receive_resume(); }

   private:
    friend class Self;
    Receive(Self& self, MessageFilter filter, std::optional<uint64_t> timeout)
        : self_(self), filter_(std::move(filter)), timeout_(timeout) {}
    Self& self_;
    MessageFilter filter_;
    std::optional<uint64_t> timeout_;
  };
  class ReceiveAny {
   public:
    bool await_ready() { return inner_.await_ready(); }
    void await_suspend(std::coroutine_handle<> h) { inner_.await_suspend(h); }
    Term await_resume() { return *inner_.await_resume(); }

   private:
    friend class Self;
    ReceiveAny(Self& self, MessageFilter filter) : inner_(self, std::move(filter), std::nullopt) {}
    Receive inner_;
  };
  class Yield {
   public:
    bool await_ready() { return false; }
    void await_suspend(std::coroutine_handle<>) { self_.state_ = State::kYield; }
    void await_resume() {}

   private:
    friend class Self;
    explicit Yield(Self& self) : self_(self) {}
    Self& self_;
  };

  // The next message, oldest first. It stays a root of the heap until the next receive: after
  // an allocation, re-read it with current_message() (a term read from it goes stale).
  ReceiveAny receive() { return ReceiveAny(*this, MessageFilter()); }
  // The same, or nullopt when no message came within `timeout` (0: only what is there now).
  Receive receive(std::chrono::milliseconds timeout) { return receive(MessageFilter(), timeout); }
  // Selective: the oldest message `filter` accepts; the others stay queued, in order.
  ReceiveAny receive(MessageFilter filter) { return ReceiveAny(*this, std::move(filter)); }
  Receive receive(MessageFilter filter, std::chrono::milliseconds timeout) {
    return Receive(*this, std::move(filter),
                   static_cast<uint64_t>(std::max<int64_t>(0, timeout.count())));
  }
  // Ends the slice: other processes run before this one goes on.
  Yield yield() { return Yield(*this); }
  // The message the last receive returned (nil when it timed out or before any).
  Term current_message() const { return held_ ? message(*held_) : Term::nil(); }

  // The coroutine to run (before the actor starts).
  void set_task(Task task) { task_ = std::move(task); }

  RunStatus run(uint32_t budget) final;

 private:
  enum class State : uint8_t { kRunnable, kReceive, kYield };
  bool receive_ready(MessageFilter filter, std::optional<uint64_t> timeout);
  void receive_suspend(std::optional<uint64_t> timeout);
  std::optional<Term> receive_resume();
  // Looks for a message the pending receive takes (matched_); *is_ready is true also when it is
  // to end without one (timed out, or a poll). False when the filter threw (the actor ends).
  bool ready(bool* is_ready);
  RunStatus end(RunStatus status);

  Task task_;
  State state_ = State::kRunnable;
  uint32_t budget_ = 0;
  MessageFilter filter_;           // the pending receive's
  std::optional<size_t> matched_;  // the queue index of the message the pending receive takes
  std::optional<size_t> held_;     // the queue index of the message the last receive returned
  bool poll_ = false;    // the pending receive has timeout 0: it completes at its next slice
  bool killed_ = false;  // an exit signal ended the actor while its coroutine ran
};

// A coroutine actor, not yet started (see start(), ActorBase::start_link): `fn(self, args...)`
// must return a Task; args are copied into the coroutine.
template <typename F, typename... A>
Self* make_coroutine(F&& fn, A&&... args) {
  auto* self = new Self();
  self->set_task(std::invoke(std::forward<F>(fn), *self, std::forward<A>(args)...));
  return self;
}

// Starts a coroutine actor; returns its pid.
template <typename F, typename... A>
Pid spawn_coroutine(F&& fn, A&&... args) {
  return start(make_coroutine(std::forward<F>(fn), std::forward<A>(args)...));
}

}  // namespace lona::native
