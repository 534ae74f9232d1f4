// gen (lona-idlc): reading and checking the protocol from a binary schema.
#include "gen/protocol.hpp"

#include <fstream>
#include <iterator>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ipc/method_id.hpp"

namespace lona::idlc {
namespace {

absl::Status invalid(const std::string& what) { return absl::InvalidArgumentError(what); }

std::vector<std::string> doc_of(
    const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* doc) {
  std::vector<std::string> lines;
  if (doc == nullptr) return lines;
  for (const auto* line : *doc) lines.push_back(line->str());
  return lines;
}

const reflection::Field* field(const reflection::Object& object, const char* name) {
  return object.fields()->LookupByKey(name);
}

// The envelope: version (ushort), request_id (ulong), body (union), method (uint).
absl::Status check_envelope(const reflection::Schema& schema, const reflection::Object& envelope,
                            const reflection::Enum*& body) {
  struct Expected {
    const char* name;
    reflection::BaseType type;
  };
  const Expected expected[] = {{"version", reflection::UShort},
                               {"request_id", reflection::ULong},
                               {"body", reflection::Union},
                               {"method", reflection::UInt}};
  for (const Expected& want : expected) {
    const reflection::Field* got = field(envelope, want.name);
    if (got == nullptr || got->type()->base_type() != want.type) {
      return invalid(absl::StrCat("the root table ", envelope.name()->str(), " must have a field ",
                                  want.name, " of type ", reflection::EnumNameBaseType(want.type)));
    }
  }
  body = schema.enums()->Get(field(envelope, "body")->type()->index());
  return absl::OkStatus();
}

// Checks the envelope's union and gathers its member tables. Each member is named after its
// table, so no table can be in it twice.
absl::Status check_union(const reflection::Schema& schema, const reflection::Enum& body,
                         absl::flat_hash_set<const reflection::Object*>& members) {
  for (const reflection::EnumVal* value : *body.values()) {
    if (value->value() == 0) continue;  // NONE
    const reflection::Type* type = value->union_type();
    if (type == nullptr || type->base_type() != reflection::Obj) {
      return invalid(absl::StrCat("union ", body.name()->str(), " member ", value->name()->str(),
                                  " is not a table: lona-idlc supports unions of tables only"));
    }
    const reflection::Object* member = schema.objects()->Get(type->index());
    if (member->is_struct()) {
      return invalid(absl::StrCat("union ", body.name()->str(), " member ", value->name()->str(),
                                  " is a struct: lona-idlc supports unions of tables only"));
    }
    if (short_name(member->name()->str()) != value->name()->str()) {
      return invalid(absl::StrCat("union ", body.name()->str(), " member ", value->name()->str(),
                                  " is an alias of ", member->name()->str(),
                                  ": lona-idlc names each member after its table"));
    }
    members.insert(member);
  }
  return absl::OkStatus();
}

}  // namespace

std::string short_name(const std::string& qualified) {
  auto dot = qualified.rfind('.');
  return dot == std::string::npos ? qualified : qualified.substr(dot + 1);
}

std::string namespace_of(const std::string& qualified) {
  auto dot = qualified.rfind('.');
  return dot == std::string::npos ? std::string() : qualified.substr(0, dot);
}

absl::StatusOr<std::string> read_binary_schema(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (!reflection::VerifySchemaBuffer(verifier)) {
    return invalid(absl::StrCat(path, ": not a binary schema (flatc -b --schema makes one)"));
  }
  return bytes;
}

absl::StatusOr<Protocol> load_protocol(const reflection::Schema& schema) {
  Protocol protocol{};
  protocol.schema = &schema;
  // Vectors of unions and unions of structs or strings need code lona-idlc does not write.
  if ((schema.advanced_features() & reflection::AdvancedUnionFeatures) != 0) {
    return invalid(
        "the schema uses advanced union features (vectors of unions, unions of structs "
        "or strings): lona-idlc does not support them");
  }
  if (schema.root_table() == nullptr) return invalid("the schema has no root_type (the envelope)");
  protocol.envelope = schema.root_table();
  if (protocol.envelope->is_struct()) return invalid("the root type must be a table");
  if (schema.file_ident() == nullptr || schema.file_ident()->size() != 4) {
    return invalid("the schema has no file_identifier: every message must carry one");
  }
  protocol.file_identifier = schema.file_ident()->str();
  if (absl::Status status = check_envelope(schema, *protocol.envelope, protocol.body);
      !status.ok()) {
    return status;
  }
  absl::flat_hash_set<const reflection::Object*> members;
  if (absl::Status status = check_union(schema, *protocol.body, members); !status.ok()) {
    return status;
  }

  // flatc's C++ makes a function CreateX for each table X: a table named CreateX beside a table
  // X would clash with it, and the generated code would not compile.
  for (const reflection::Object* object : *schema.objects()) {
    std::string name = object->name()->str();
    std::string last = short_name(name);
    if (last.rfind("Create", 0) != 0) continue;
    std::string ns = namespace_of(name);
    std::string created = ns.empty() ? last.substr(6) : absl::StrCat(ns, ".", last.substr(6));
    if (schema.objects()->LookupByKey(created.c_str()) != nullptr) {
      return invalid(absl::StrCat("table ", name, " clashes with the function flatc makes for ",
                                  created, ": rename it"));
    }
  }

  std::string ns = namespace_of(protocol.envelope->name()->str());
  if (!ns.empty()) protocol.ns = absl::StrSplit(ns, '.');

  absl::flat_hash_map<std::uint32_t, std::string> methods;
  if (schema.services() == nullptr || schema.services()->size() == 0) {
    return invalid("the schema declares no rpc_service");
  }
  for (const reflection::Service* declared : *schema.services()) {
    std::string qualified = declared->name()->str();
    if (namespace_of(qualified) != ns) {
      return invalid(
          absl::StrCat("service ", qualified, " is not in the envelope's namespace ", ns));
    }
    if (declared->attributes() != nullptr && declared->attributes()->size() != 0) {
      return invalid(absl::StrCat("service ", qualified, " has attributes (",
                                  declared->attributes()->Get(0)->key()->str(),
                                  "): lona-idlc knows none on services"));
    }
    Service service{short_name(qualified), {}, doc_of(declared->documentation())};
    for (const reflection::RPCCall* declared_call : *declared->calls()) {
      Call call{};
      call.name = declared_call->name()->str();
      call.full_name = absl::StrCat(service.name, ".", call.name);
      call.method = ipc::method_id(call.full_name);
      call.request = declared_call->request();
      call.reply = declared_call->response();
      call.doc = doc_of(declared_call->documentation());
      if (declared_call->attributes() != nullptr) {
        for (const reflection::KeyValue* attribute : *declared_call->attributes()) {
          std::string key = attribute->key()->str();
          if (key == "oneway") {
            call.oneway = true;
          } else {
            return invalid(absl::StrCat("call ", call.full_name, " has the attribute ", key,
                                        key == "streaming" ? ": streaming calls are not supported"
                                                           : ": lona-idlc knows only oneway"));
          }
        }
      }
      for (const reflection::Object* type : {call.request, call.reply}) {
        if (!members.contains(type)) {
          return invalid(absl::StrCat("call ", call.full_name, " uses ", type->name()->str(),
                                      ", which is not a member of the union ",
                                      protocol.body->name()->str(), " the envelope carries"));
        }
      }
      if (call.oneway && short_name(call.reply->name()->str()) != "NoReply") {
        return invalid(absl::StrCat("one-way call ", call.full_name, " declares the reply ",
                                    call.reply->name()->str(), "; one-way calls declare NoReply"));
      }
      auto [existing, added] = methods.emplace(call.method, call.full_name);
      if (!added) {
        return invalid(absl::StrCat("calls ", existing->second, " and ", call.full_name,
                                    " have the same method id ", call.method,
                                    ": rename one of them"));
      }
      service.calls.push_back(std::move(call));
    }
    protocol.services.push_back(std::move(service));
  }
  return protocol;
}

}  // namespace lona::idlc
