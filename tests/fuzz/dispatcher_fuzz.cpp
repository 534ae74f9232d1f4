// libFuzzer target: any bytes a peer can send, handed to a Dispatcher serving the reference
// services. It must never crash or read out of bounds (ASan), and every reply it sends must be
// a valid Envelope itself.
#include <cstdint>
#include <cstdlib>

#include "ipc/dispatcher.hpp"
#include "tests/ipc/reference_services.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static auto* lmm = new lona::ipc::testing::ReferenceLmm();
  static auto* dispatcher = [] {
    auto* made = new lona::ipc::Dispatcher();
    lmm->bind_all(*made);
    return made;
  }();
  lona::ipc::Message request;
  request.assign({data, size});
  lona::ipc::Message reply;
  if (dispatcher->handle(request, reply)) {
    lona::ipc::RejectedMessage why{};
    if (lona::ipc::verify_envelope(reply.bytes(), why) == nullptr) std::abort();
  }
  return 0;
}
