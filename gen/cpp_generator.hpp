// gen (lona-idlc): the C++ output: per service a client (one typed method per call, on an
// ipc::RpcClient) and a server interface (one virtual handler per call) with the routes that bind
// it to an ipc::Dispatcher. Over flatc's C++ output with the object API.
#pragma once

#include <string>

#include "gen/protocol.hpp"

namespace lona::idlc {

/// The two generated files: `<base>_services.hpp` and `<base>_services.cpp`.
struct CppOutput {
  std::string header;
  std::string source;
};

/// `base`: the schema's name ("lona"): the header includes "<include_dir>/<base>_generated.h".
CppOutput generate_cpp(const Protocol& protocol, const std::string& base,
                       const std::string& include_dir);

}  // namespace lona::idlc
