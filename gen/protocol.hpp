// gen (lona-idlc): the protocol as the generators see it, read from the binary schema (.bfbs) that
// flatc emits, through FlatBuffers reflection. Loading checks every assumption the generated code
// makes and refuses, with a precise message, a schema that breaks one: a feature lona-idlc does
// not understand is an error, never wrong code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "flatbuffers/reflection.h"

namespace lona::idlc {

/// One call of a service.
struct Call {
  std::string name;       ///< "Allocate"
  std::string full_name;  ///< "Memory.Allocate"
  std::uint32_t method;   ///< FNV-1a of full_name: Envelope.method
  const reflection::Object* request;
  const reflection::Object* reply;
  bool oneway;
  std::vector<std::string> doc;
};

/// One rpc_service.
struct Service {
  std::string name;  ///< "Memory"
  std::vector<Call> calls;
  std::vector<std::string> doc;
};

/// The protocol: its namespace, its envelope and union, its services.
struct Protocol {
  const reflection::Schema* schema;
  std::vector<std::string> ns;  ///< {"lona", "ipc"}
  std::string file_identifier;
  const reflection::Object* envelope;
  const reflection::Enum* body;
  std::vector<Service> services;
};

/// A .bfbs read into memory and verified as a reflection schema.
absl::StatusOr<std::string> read_binary_schema(const std::string& path);

/// The protocol of a verified binary schema (which must outlive it), or the first reason the
/// schema cannot be generated from.
absl::StatusOr<Protocol> load_protocol(const reflection::Schema& schema);

/// The last component of a qualified name: "lona.ipc.Pid" -> "Pid".
std::string short_name(const std::string& qualified);
/// All but the last: "lona.ipc.Pid" -> "lona.ipc"; "" for an unqualified name.
std::string namespace_of(const std::string& qualified);

}  // namespace lona::idlc
