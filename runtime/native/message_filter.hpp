// runtime/native: selective receive for native actors: the message a receive takes is the oldest
// that a filter accepts, and the others stay queued in order, as in a Lonala receive with
// patterns.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "runtime/process/process.hpp"
#include "runtime/term/term.hpp"

namespace lona::native {

// Accepts or rejects a message (a term on the actor's heap). It runs on the actor's thread; it
// may allocate on the heap (the message is re-read after it returns).
using MessageFilter = std::function<bool(Term)>;

// The index of the oldest queued message from `p`'s save pointer on that `filter` accepts (any,
// when the filter is empty), or nullopt. Moves the save pointer past the messages it rejected, so
// a receive that waits for more never runs the filter on one message twice.
inline std::optional<size_t> next_match(Process& p, const MessageFilter& filter) {
  for (size_t i = p.save(); i < p.message_count(); ++i) {
    if (!filter || filter(p.message(i))) return i;
    p.set_save(i + 1);
  }
  return std::nullopt;
}

}  // namespace lona::native
