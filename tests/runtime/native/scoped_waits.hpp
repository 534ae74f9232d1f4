// tests/runtime/native: the waits of a test thread that is a ScopedActor, shared by the native
// actor tests. Every wait is for a message, with a generous timeout that only a failure reaches.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "runtime/native/scoped_actor.hpp"
#include "vm/printer/printer.hpp"

namespace lona::native::test_waits {

inline constexpr std::chrono::milliseconds kLong(10000);

// The next message, printed ("timeout" when none came).
inline std::string next(ScopedActor& me) {
  std::optional<Term> m = me.receive(kLong);
  return m ? print(*m) : "timeout";
}

// The reason of the :DOWN of monitor `ref`, printed (other messages are dropped on the way).
inline std::string down_reason(ScopedActor& me, uint64_t ref) {
  for (;;) {
    std::optional<Term> m = me.receive(kLong);
    if (!m) return "timeout";
    if (std::optional<Down> d = down_of(*m); d && d->ref == ref) return print(d->reason);
  }
}

}  // namespace lona::native::test_waits
