// ipc: the server side of every service. A Dispatcher verifies each message it is given, routes
// it by method to the handler a generated service interface bound, and builds the reply: the
// handler's, or an Error. It counts what it rejected; nothing a peer sends can crash it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "flatbuffers/flatbuffers.h"
#include "ipc/channel.hpp"
#include "ipc/envelope.hpp"
#include "ipc/message.hpp"

namespace lona::ipc {

/// What a handler sees of the message beside its request: who sent it, the fds that came with
/// it, and the fds to send beside the reply.
class CallContext {
 public:
  CallContext(std::uint64_t peer, std::uint64_t request_id, std::vector<UniqueFd>& received)
      : peer_(peer), request_id_(request_id), received_(received) {}

  /// The connection the request came on (the Dispatcher's peer): a realm's identity is its
  /// socket, never a field of the payload.
  std::uint64_t peer() const { return peer_; }
  /// The fds beside the request. A handler takes those it keeps; the rest are closed.
  std::vector<UniqueFd>& received_fds() { return received_; }
  /// Sends `fd` beside the reply (and closes it here once sent).
  void attach(UniqueFd fd) { attached_.push_back(std::move(fd)); }
  std::vector<UniqueFd>& attached_fds() { return attached_; }
  /// The request's id, for a handler that answers later.
  std::uint64_t request_id() const { return request_id_; }
  /// Says that the handler will answer later (a server that relays the call to another peer
  /// and replies when that one has): the dispatcher sends nothing now. The server builds the
  /// reply itself, with finish_envelope (request_id(), the call's method) or finish_error.
  void defer() { deferred_ = true; }
  bool deferred() const { return deferred_; }

 private:
  std::uint64_t peer_;
  std::uint64_t request_id_;
  bool deferred_ = false;
  std::vector<UniqueFd>& received_;
  std::vector<UniqueFd> attached_;
};

/// Counts of a dispatcher's work.
struct DispatchStats {
  /// Calls a handler took (one-way ones included), and those it answered with an error.
  std::uint64_t handled = 0;
  std::uint64_t failed = 0;
  /// Messages rejected before any handler, per Rejection.
  std::array<std::uint64_t, kRejectionCount> rejected{};

  std::uint64_t total_rejected() const;
};

/// Routes messages to handlers. Single-threaded: one dispatcher per connection or event loop.
class Dispatcher {
 public:
  /// The reply body a route built.
  struct ReplyBody {
    Body type = Body_NONE;
    flatbuffers::Offset<void> offset;
  };
  /// A generated route: calls one handler of `service` with the request of `envelope` (whose
  /// body is already known to be the call's request type) and builds its reply in `builder`.
  using Route = absl::Status (*)(void* service, CallContext& context, const Envelope& envelope,
                                 flatbuffers::FlatBufferBuilder& builder, ReplyBody& reply);

  /// `peer`: what CallContext::peer() says to the handlers.
  explicit Dispatcher(std::uint64_t peer = 0) : peer_(peer) {}

  /// Routes `call` to `route` on `service`. Generated `bind` functions call this; a method
  /// bound twice keeps the last binding.
  void add(const CallInfo& call, void* service, Route route);

  /// Handles one message. Returns true when `reply` holds a message to send back (with its fds
  /// in reply.fds()): the handler's reply or an Error. One-way calls that succeed get none.
  bool handle(Message& request, Message& reply);
  /// The same for a message the caller has verified already (`envelope` is
  /// verify_envelope(request.bytes())): a receiver that looks at the envelope first, to tell a
  /// reply from a request, verifies it once.
  bool handle(const Envelope& envelope, Message& request, Message& reply);

  /// Answers a message the transport dropped (over the limits): counted, and an Error reply.
  void reject_dropped(const absl::Status& transport_error, Message& reply);

  const DispatchStats& stats() const { return stats_; }

 private:
  struct Binding {
    const CallInfo* call;
    void* service;
    Route route;
  };
  void reject(Rejection rejection, const absl::Status& status, std::uint64_t request_id,
              std::uint32_t method, Message& reply);
  void copy_out(Message& reply);

  std::uint64_t peer_;
  absl::flat_hash_map<std::uint32_t, Binding> bindings_;
  flatbuffers::FlatBufferBuilder builder_{1024};
  DispatchStats stats_;
};

/// Receives one message on `channel` (waiting up to `timeout`), dispatches it and sends the reply,
/// using `request` and `reply` as buffers (keep them from call to call: a receive buffer is
/// kMaxMessageBytes). Returns the transport's error (Unavailable once the other end has closed;
/// DeadlineExceeded when nothing came); a message the transport dropped is answered and is not
/// an error.
absl::Status serve_one(Channel& channel, Dispatcher& dispatcher, absl::Duration timeout,
                       Message& request, Message& reply);

/// Serves until the other end closes (then OK) or the transport fails.
absl::Status serve(Channel& channel, Dispatcher& dispatcher);

}  // namespace lona::ipc
