// ipc: the Envelope: verification, construction, errors.
#include "ipc/envelope.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ipc/limits.hpp"

namespace lona::ipc {

std::string_view rejection_name(Rejection rejection) {
  switch (rejection) {
    case Rejection::kTruncated:
      return "truncated";
    case Rejection::kOversized:
      return "oversized";
    case Rejection::kBadIdentifier:
      return "bad identifier";
    case Rejection::kMalformed:
      return "malformed";
    case Rejection::kWrongVersion:
      return "wrong version";
    case Rejection::kUnknownMethod:
      return "unknown method";
    case Rejection::kWrongBody:
      return "wrong body";
  }
  return "?";
}

namespace {

const Envelope* rejected(RejectedMessage& why, Rejection rejection, absl::Status status) {
  why = {rejection, std::move(status)};
  return nullptr;
}

}  // namespace

const Envelope* verify_envelope(std::span<const std::uint8_t> bytes, RejectedMessage& why) {
  constexpr std::size_t kMinimum =
      sizeof(flatbuffers::uoffset_t) + flatbuffers::kFileIdentifierLength;
  if (bytes.size() < kMinimum) {
    return rejected(
        why, Rejection::kTruncated,
        absl::InvalidArgumentError(absl::StrCat("truncated message: ", bytes.size(),
                                                " bytes, a message has at least ", kMinimum)));
  }
  if (bytes.size() > kMaxMessageBytes) {
    return rejected(
        why, Rejection::kOversized,
        absl::ResourceExhaustedError(absl::StrCat(
            "message of ", bytes.size(), " bytes is over the limit of ", kMaxMessageBytes)));
  }
  if (!EnvelopeBufferHasIdentifier(bytes.data())) {
    return rejected(
        why, Rejection::kBadIdentifier,
        absl::InvalidArgumentError("not a Lona message: the file identifier is not \"LONA\""));
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), kMaxDepth, kMaxTables);
  if (!VerifyEnvelopeBuffer(verifier)) {
    return rejected(
        why, Rejection::kMalformed,
        absl::InvalidArgumentError(absl::StrCat(
            "malformed message: it does not verify (bounds, alignment, nesting at most ", kMaxDepth,
            ", at most ", kMaxTables, " tables, union bodies)")));
  }
  const Envelope* envelope = GetEnvelope(bytes.data());
  if (envelope->version() != kProtocolVersion) {
    return rejected(why, Rejection::kWrongVersion,
                    absl::FailedPreconditionError(
                        absl::StrCat("protocol version ", envelope->version(),
                                     " is not supported; this end speaks ", kProtocolVersion)));
  }
  return envelope;
}

void finish_envelope(flatbuffers::FlatBufferBuilder& builder, std::uint64_t request_id,
                     std::uint32_t method, Body body_type, flatbuffers::Offset<void> body) {
  EnvelopeBuilder envelope(builder);
  envelope.add_request_id(request_id);
  envelope.add_body(body);
  envelope.add_method(method);
  envelope.add_version(kProtocolVersion);
  envelope.add_body_type(body_type);
  FinishEnvelopeBuffer(builder, envelope.Finish());
}

void finish_error(flatbuffers::FlatBufferBuilder& builder, std::uint64_t request_id,
                  std::uint32_t method, const absl::Status& status) {
  builder.Clear();
  auto message = builder.CreateString(status.message().data(), status.message().size());
  auto code = static_cast<ErrorCode>(status.code());
  if (!EnumNameErrorCode(code)[0]) code = ErrorCode_Unknown;
  auto error = CreateError(builder, code, message);
  finish_envelope(builder, request_id, method, Body_Error, error.Union());
}

absl::Status error_status(const Error* error, std::string_view call) {
  auto code = static_cast<absl::StatusCode>(error->code());
  std::string_view message = error->message() != nullptr ? error->message()->string_view() : "";
  if (code == absl::StatusCode::kOk) code = absl::StatusCode::kUnknown;
  return absl::Status(code, absl::StrCat(std::string(call), ": ", std::string(message)));
}

}  // namespace lona::ipc
