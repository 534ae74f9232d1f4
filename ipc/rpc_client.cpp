// ipc: the RpcClient.
#include "ipc/rpc_client.hpp"

#include "absl/strings/str_cat.h"

namespace lona::ipc {

absl::Status RpcClient::send(std::uint64_t request_id, const CallInfo& call,
                             flatbuffers::Offset<void> body, const CallOptions& options) {
  finish_envelope(builder_, request_id, call.method, call.request_type, body);
  absl::Status sent = channel_.send({builder_.GetBufferPointer(), builder_.GetSize()}, options.fds);
  if (!sent.ok()) return absl::Status(sent.code(), absl::StrCat(call.name, ": ", sent.message()));
  return absl::OkStatus();
}

absl::Status RpcClient::send_oneway(const CallInfo& call, flatbuffers::Offset<void> body,
                                    const CallOptions& options) {
  return send(0, call, body, options);
}

void RpcClient::keep_unsolicited(Message& message) {
  if (unsolicited_.size() == kMaxUnsolicited) {
    unsolicited_.pop_front();
    ++dropped_unsolicited_;
  }
  unsolicited_.push_back(std::move(message));
}

absl::Status RpcClient::call(const CallInfo& call, flatbuffers::Offset<void> body,
                             const CallOptions& options) {
  reply_ = nullptr;
  std::uint64_t request_id = next_request_id_++;
  if (absl::Status sent = send(request_id, call, body, options); !sent.ok()) return sent;
  absl::Duration timeout = options.timeout == absl::ZeroDuration() ? timeout_ : options.timeout;
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    absl::Status received = channel_.receive(reply_message_, deadline - absl::Now());
    if (absl::IsDeadlineExceeded(received)) {
      return absl::DeadlineExceededError(
          absl::StrCat(call.name, ": no reply within ", absl::FormatDuration(timeout)));
    }
    if (absl::IsResourceExhausted(received)) continue;  // dropped by the transport: not ours
    if (!received.ok())
      return absl::Status(received.code(), absl::StrCat(call.name, ": ", received.message()));
    RejectedMessage why{};
    const Envelope* envelope = verify_envelope(reply_message_.bytes(), why);
    if (envelope == nullptr) {
      return absl::DataLossError(
          absl::StrCat(call.name, ": the reply was rejected: ", why.status.message()));
    }
    if (envelope->request_id() != request_id) {
      if (envelope->request_id() == 0) {
        keep_unsolicited(reply_message_);
      } else {
        ++stale_replies_;
      }
      continue;
    }
    if (envelope->body() == nullptr) {
      return absl::DataLossError(absl::StrCat(call.name, ": the reply has no body"));
    }
    if (envelope->body_type() == Body_Error) {
      return error_status(envelope->body_as_Error(), call.name);
    }
    if (envelope->body_type() != call.reply_type) {
      return absl::DataLossError(absl::StrCat(call.name, ": the reply is a ",
                                              EnumNameBody(envelope->body_type()), ", not a ",
                                              EnumNameBody(call.reply_type)));
    }
    reply_ = envelope;
    return absl::OkStatus();
  }
}

}  // namespace lona::ipc
