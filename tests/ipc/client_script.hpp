// tests/ipc: every call of the reference services, made through the generated clients and
// checked: used by ipc_peer client (against servers of every version) and by the socketpair test.
#pragma once

#include <string>

#include "ipc/rpc_client.hpp"

namespace lona::ipc::testing {

/// Runs the script against the reference server on `rpc`'s channel. Returns "" when every reply
/// was as expected, else what went wrong first.
std::string run_client_script(RpcClient& rpc);

}  // namespace lona::ipc::testing
