// gen (lona-idlc): the Python output: per service a client class with one method per call, over
// ipc/python/lona_rpc.py and flatc's Python output (object API).
#pragma once

#include <string>

#include "gen/protocol.hpp"

namespace lona::idlc {

/// The module `<base>_clients.py`.
std::string generate_python(const Protocol& protocol, const std::string& base);

/// "ListRealms" -> "list_realms".
std::string snake_case(const std::string& name);

}  // namespace lona::idlc
