// ipc: the client side of every service. An RpcClient owns the calls made over one channel:
// request ids, waiting for the reply with the same id, verifying it, and keeping whatever else
// arrives meanwhile (notifications, one-way calls from the other end). The generated clients
// (one per service, idl/lona_services.hpp) are typed fronts on one shared RpcClient.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "flatbuffers/flatbuffers.h"
#include "ipc/channel.hpp"
#include "ipc/envelope.hpp"
#include "ipc/message.hpp"

namespace lona::ipc {

/// Per-call options.
struct CallOptions {
  /// How long to wait for the reply; zero means the client's default.
  absl::Duration timeout = absl::ZeroDuration();
  /// Fds to send beside the request (the caller keeps its own).
  std::span<const int> fds;
};

/// A typed reply and the fds that came beside it.
template <typename T>
struct Reply {
  T value;
  std::vector<UniqueFd> fds;

  T* operator->() { return &value; }
  const T* operator->() const { return &value; }
};

/// Calls over one channel. Not thread-safe: one call at a time (a caller that shares it between
/// threads serializes the calls).
class RpcClient {
 public:
  /// The default wait for a reply.
  static constexpr absl::Duration kDefaultTimeout = absl::Seconds(30);
  /// Unsolicited messages kept; beyond this the oldest are dropped (and counted).
  static constexpr std::size_t kMaxUnsolicited = 1024;

  explicit RpcClient(Channel& channel, absl::Duration timeout = kDefaultTimeout)
      : channel_(channel), timeout_(timeout) {}

  /// The builder to build a request body in (cleared).
  flatbuffers::FlatBufferBuilder& start() {
    builder_.Clear();
    return builder_;
  }

  /// Sends the request whose body `start()`'s builder holds and waits for its reply. OK when the
  /// reply is the call's reply type (then reply() and take_reply_fds() have it); the Error's status
  /// when the other end answered with one; DeadlineExceeded when no reply came in time;
  /// DataLoss when the reply did not verify or had the wrong type.
  absl::Status call(const CallInfo& call, flatbuffers::Offset<void> body,
                    const CallOptions& options);

  /// Sends a one-way call (request id 0): nothing answers it.
  absl::Status send_oneway(const CallInfo& call, flatbuffers::Offset<void> body,
                           const CallOptions& options);

  /// The last successful call's reply (valid until the next call).
  const Envelope& reply() const { return *reply_; }
  /// The fds beside the last successful call's reply.
  std::vector<UniqueFd> take_reply_fds() { return std::move(reply_message_.fds()); }

  /// Messages that arrived while waiting and were not the awaited reply: one-way calls and
  /// notifications from the other end, errors about messages it could not read (request id 0).
  std::deque<Message>& unsolicited() { return unsolicited_; }

  /// Replies that came too late (their call had timed out) and unsolicited messages dropped
  /// over kMaxUnsolicited.
  std::uint64_t stale_replies() const { return stale_replies_; }
  std::uint64_t dropped_unsolicited() const { return dropped_unsolicited_; }

 private:
  absl::Status send(std::uint64_t request_id, const CallInfo& call, flatbuffers::Offset<void> body,
                    const CallOptions& options);
  void keep_unsolicited(Message& message);

  Channel& channel_;
  absl::Duration timeout_;
  flatbuffers::FlatBufferBuilder builder_{1024};
  std::uint64_t next_request_id_ = 1;
  Message reply_message_;
  const Envelope* reply_ = nullptr;
  std::deque<Message> unsolicited_;
  std::uint64_t stale_replies_ = 0;
  std::uint64_t dropped_unsolicited_ = 0;
};

}  // namespace lona::ipc
