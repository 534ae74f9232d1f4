// tests/ipc: ipc_peer, one end of the protocol in its own OS process, built for every protocol
// version (ipc_peer: the current schema; ipc_peer_v1: idl/history/v1), so that the evolution
// tests can pair an old client with a new server and the other way round.
//
//   ipc_peer serve FD    serves the reference services on the SOCK_SEQPACKET socket FD
//   ipc_peer client FD   runs every call against the server on FD and checks the replies
#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "ipc/socket_channel.hpp"
#include "tests/ipc/client_script.hpp"
#include "tests/ipc/reference_services.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: ipc_peer serve|client FD\n", stderr);
    return 2;
  }
  std::string mode = argv[1];
  lona::ipc::SocketChannel channel{lona::ipc::UniqueFd(std::atoi(argv[2]))};
  if (mode == "serve") {
    lona::ipc::testing::ReferenceLmm lmm;
    lona::ipc::Dispatcher dispatcher;
    lmm.bind_all(dispatcher);
    absl::Status served = lona::ipc::serve(channel, dispatcher);
    if (!served.ok()) {
      std::fprintf(stderr, "ipc_peer serve: %s\n", served.ToString().c_str());
      return 1;
    }
    return 0;
  }
  if (mode == "client") {
    lona::ipc::RpcClient rpc(channel, absl::Seconds(10));
    std::string failure = lona::ipc::testing::run_client_script(rpc);
    if (!failure.empty()) {
      std::fprintf(stderr, "ipc_peer client: %s\n", failure.c_str());
      return 1;
    }
    std::puts("ipc_peer client: every call answered as expected");
    return 0;
  }
  std::fputs("usage: ipc_peer serve|client FD\n", stderr);
  return 2;
}
