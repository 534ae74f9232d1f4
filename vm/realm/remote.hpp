// vm/realm: reaching processes of other realms, through the LMM: what `send` does with a pid
// whose realm is not this one.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/term/term.hpp"

namespace lona::realm {

/// Sends `message` from local process `from` to the process (`realm`, `local`) of another
/// realm, serialized (runtime/term/term_codec). Ordered with every other message from `from`
/// to that process. False with *error when the message cannot travel (a function, a bytebuf...:
/// the caller reports :badarg) or the realm has no LMM (a standalone VM); a process that is gone
/// is not an error.
bool forward_message(std::uint64_t from, std::uint64_t realm, std::uint64_t local, Term message,
                     std::string* error);

}  // namespace lona::realm
