// ipc: reading and writing the Envelope every message is (idl/lona.fbs): verification within
// the limits of limits.hpp, and the error replies.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "flatbuffers/flatbuffers.h"
#include "idl/lona_generated.h"
#include "ipc/method_id.hpp"

namespace lona::ipc {

/// The major protocol version this build speaks (Envelope.version).
inline constexpr std::uint16_t kProtocolVersion = 1;

/// Why a received message was not handed to a handler.
enum class Rejection : std::uint8_t {
  /// Shorter than a FlatBuffer's root offset and identifier.
  kTruncated,
  /// Over kMaxMessageBytes or kMaxMessageFds (the transport dropped it).
  kOversized,
  /// Not tagged "LONA": not a message of this protocol.
  kBadIdentifier,
  /// Does not verify: an offset out of bounds, misaligned, nested too deep, too many tables,
  /// a union whose table does not verify as its type.
  kMalformed,
  /// Envelope.version is not kProtocolVersion.
  kWrongVersion,
  /// Envelope.method names no call the receiver serves.
  kUnknownMethod,
  /// The body is not the call's request type (or the reply not the call's reply type).
  kWrongBody,
};
inline constexpr std::size_t kRejectionCount = static_cast<std::size_t>(Rejection::kWrongBody) + 1;

/// A short name for logs and stats ("truncated", "malformed", ...).
std::string_view rejection_name(Rejection rejection);

/// A rejection and what to say about it.
struct RejectedMessage {
  Rejection rejection;
  absl::Status status;
};

/// Verifies `bytes` as an Envelope of this protocol version. Does not look at the method or the
/// body's type against a call: that is the dispatcher's and the client's job.
const Envelope* verify_envelope(std::span<const std::uint8_t> bytes, RejectedMessage& why);

/// What a call is on the wire: the generated code has one per call (`MemoryCalls::Allocate`),
/// which the client sends by and the dispatcher routes by.
struct CallInfo {
  /// method_id(name).
  std::uint32_t method;
  /// "Service.Call", for errors.
  const char* name;
  Body request_type;
  Body reply_type;
  /// Not answered: the client does not wait, the dispatcher sends nothing back on success.
  bool oneway;
};

/// Builds, in `builder`, an Envelope around `body` (which `builder` already holds).
void finish_envelope(flatbuffers::FlatBufferBuilder& builder, std::uint64_t request_id,
                     std::uint32_t method, Body body_type, flatbuffers::Offset<void> body);

/// Builds, in `builder` (cleared first), an Error reply for `status` (not OK).
void finish_error(flatbuffers::FlatBufferBuilder& builder, std::uint64_t request_id,
                  std::uint32_t method, const absl::Status& status);

/// The status an Error body stands for (its code and message, prefixed by `call`).
absl::Status error_status(const Error* error, std::string_view call);

}  // namespace lona::ipc
