// ipc: the Dispatcher.
#include "ipc/dispatcher.hpp"

#include <numeric>

#include "absl/strings/str_cat.h"

namespace lona::ipc {

std::uint64_t DispatchStats::total_rejected() const {
  return std::accumulate(rejected.begin(), rejected.end(), std::uint64_t{0});
}

void Dispatcher::add(const CallInfo& call, void* service, Route route) {
  bindings_[call.method] = Binding{&call, service, route};
}

void Dispatcher::copy_out(Message& reply) {
  reply.assign({builder_.GetBufferPointer(), builder_.GetSize()});
}

void Dispatcher::reject(Rejection rejection, const absl::Status& status, std::uint64_t request_id,
                        std::uint32_t method, Message& reply) {
  ++stats_.rejected[static_cast<std::size_t>(rejection)];
  reply.clear();
  finish_error(builder_, request_id, method, status);
  copy_out(reply);
}

void Dispatcher::reject_dropped(const absl::Status& transport_error, Message& reply) {
  reject(Rejection::kOversized, transport_error, 0, 0, reply);
}

bool Dispatcher::handle(Message& request, Message& reply) {
  RejectedMessage why{};
  const Envelope* envelope = verify_envelope(request.bytes(), why);
  if (envelope == nullptr) {
    // The request id cannot be trusted in a buffer that does not verify: the error goes to 0.
    reject(why.rejection, why.status, 0, 0, reply);
    return true;
  }
  return handle(*envelope, request, reply);
}

bool Dispatcher::handle(const Envelope& envelope, Message& request, Message& reply) {
  std::uint64_t request_id = envelope.request_id();
  std::uint32_t method = envelope.method();
  auto found = bindings_.find(method);
  if (found == bindings_.end()) {
    reject(Rejection::kUnknownMethod,
           absl::UnimplementedError(absl::StrCat("no call with method id ", method,
                                                 " is served here (body ",
                                                 EnumNameBody(envelope.body_type()), ")")),
           request_id, method, reply);
    return true;
  }
  const Binding& binding = found->second;
  const CallInfo& call = *binding.call;
  if (envelope.body_type() != call.request_type) {
    reject(Rejection::kWrongBody,
           absl::InvalidArgumentError(absl::StrCat(call.name, " takes a ",
                                                   EnumNameBody(call.request_type), ", not a ",
                                                   EnumNameBody(envelope.body_type()))),
           request_id, method, reply);
    return true;
  }
  if (envelope.body() == nullptr) {
    // A union tag with no table: the Verifier accepts it (the field is optional).
    reject(Rejection::kWrongBody,
           absl::InvalidArgumentError(absl::StrCat(call.name, ": the message has no body")),
           request_id, method, reply);
    return true;
  }
  ++stats_.handled;
  CallContext context(peer_, request_id, request.fds());
  builder_.Clear();
  ReplyBody body;
  absl::Status status = binding.route(binding.service, context, envelope, builder_, body);
  request.clear();  // the request's bytes are not needed any more; fds not taken are closed
  if (!status.ok()) {
    ++stats_.failed;
    reply.clear();
    finish_error(builder_, request_id, method, status);
    copy_out(reply);
    return true;
  }
  if (call.oneway || context.deferred()) return false;
  finish_envelope(builder_, request_id, method, body.type, body.offset);
  reply.clear();
  copy_out(reply);
  reply.fds() = std::move(context.attached_fds());
  return true;
}

absl::Status serve_one(Channel& channel, Dispatcher& dispatcher, absl::Duration timeout,
                       Message& request, Message& reply) {
  absl::Status received = channel.receive(request, timeout);
  bool answer;
  if (received.ok()) {
    answer = dispatcher.handle(request, reply);
  } else if (absl::IsResourceExhausted(received)) {
    dispatcher.reject_dropped(received, reply);
    answer = true;
  } else {
    return received;
  }
  if (!answer) return absl::OkStatus();
  return channel.send(reply);
}

absl::Status serve(Channel& channel, Dispatcher& dispatcher) {
  Message request;
  Message reply;
  for (;;) {
    absl::Status status = serve_one(channel, dispatcher, absl::InfiniteDuration(), request, reply);
    if (absl::IsUnavailable(status)) return absl::OkStatus();
    if (!status.ok()) return status;
  }
}

}  // namespace lona::ipc
