// gen (lona-idlc): the evolution check.
#include "gen/evolution.hpp"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace lona::idlc {
namespace {

using Problems = std::vector<std::string>;

// A type as a name that does not depend on the schema's indexes: "ulong", "[lona.ipc.Pid]".
std::string type_name(const reflection::Schema& schema, const reflection::Type& type) {
  auto named = [&](reflection::BaseType base) -> std::string {
    if (base == reflection::Obj) return schema.objects()->Get(type.index())->name()->str();
    if (base == reflection::Union || base == reflection::UType) {
      return absl::StrCat(reflection::EnumNameBaseType(base), " ",
                          schema.enums()->Get(type.index())->name()->str());
    }
    std::string scalar = reflection::EnumNameBaseType(base);
    if (type.index() >= 0 && base != reflection::String) {
      absl::StrAppend(&scalar, " ", schema.enums()->Get(type.index())->name()->str());
    }
    return scalar;
  };
  if (type.base_type() == reflection::Vector) return absl::StrCat("[", named(type.element()), "]");
  if (type.base_type() == reflection::Array) {
    return absl::StrCat("[", named(type.element()), ":", type.fixed_length(), "]");
  }
  return named(type.base_type());
}

std::string default_of(const reflection::Field& field) {
  if (field.type()->base_type() == reflection::Float ||
      field.type()->base_type() == reflection::Double) {
    return absl::StrCat(field.default_real());
  }
  return absl::StrCat(field.default_integer());
}

void check_object(const reflection::Schema& frozen, const reflection::Object& old_object,
                  const reflection::Schema& current, const reflection::Object& new_object,
                  Problems& problems) {
  std::string where =
      absl::StrCat(old_object.is_struct() ? "struct " : "table ", old_object.name()->str());
  if (old_object.is_struct() != new_object.is_struct()) {
    problems.push_back(absl::StrCat(where, ": changed between struct and table"));
    return;
  }
  if (old_object.is_struct() && old_object.bytesize() != new_object.bytesize()) {
    problems.push_back(absl::StrCat(where, ": a struct cannot change size (", old_object.bytesize(),
                                    " -> ", new_object.bytesize(), " bytes)"));
  }
  for (const reflection::Field* old_field : *old_object.fields()) {
    std::string at = absl::StrCat(where, " field ", old_field->name()->str());
    const reflection::Field* new_field =
        new_object.fields()->LookupByKey(old_field->name()->c_str());
    if (new_field == nullptr) {
      problems.push_back(absl::StrCat(at, ": removed (deprecate it instead)"));
      continue;
    }
    if (new_field->id() != old_field->id()) {
      problems.push_back(
          absl::StrCat(at, ": id changed (", old_field->id(), " -> ", new_field->id(), ")"));
    }
    if (old_object.is_struct() && new_field->offset() != old_field->offset()) {
      problems.push_back(absl::StrCat(at, ": moved in the struct"));
    }
    std::string old_type = type_name(frozen, *old_field->type());
    std::string new_type = type_name(current, *new_field->type());
    if (old_type != new_type) {
      problems.push_back(absl::StrCat(at, ": type changed (", old_type, " -> ", new_type, ")"));
    } else if (default_of(*old_field) != default_of(*new_field)) {
      problems.push_back(absl::StrCat(at, ": default changed (", default_of(*old_field), " -> ",
                                      default_of(*new_field), ")"));
    }
    if (new_field->required() && !old_field->required()) {
      problems.push_back(absl::StrCat(at, ": made required (old writers do not set it)"));
    }
    if (new_field->optional() != old_field->optional()) {
      problems.push_back(absl::StrCat(at, ": changed between optional and defaulted"));
    }
  }
  if (old_object.is_struct()) {
    if (new_object.fields()->size() != old_object.fields()->size()) {
      problems.push_back(absl::StrCat(where, ": a struct cannot gain fields"));
    }
    return;
  }
  for (const reflection::Field* new_field : *new_object.fields()) {
    if (old_object.fields()->LookupByKey(new_field->name()->c_str()) != nullptr) continue;
    for (const reflection::Field* old_field : *old_object.fields()) {
      if (old_field->id() == new_field->id()) {
        problems.push_back(absl::StrCat(where, " field ", new_field->name()->str(),
                                        ": reuses the id ", new_field->id(), " of ",
                                        old_field->name()->str()));
      }
    }
    if (new_field->required()) {
      problems.push_back(absl::StrCat(where, " field ", new_field->name()->str(),
                                      ": a new field cannot be required (old writers lack it)"));
    }
  }
}

void check_enum(const reflection::Schema& frozen, const reflection::Enum& old_enum,
                const reflection::Schema& current, const reflection::Enum& new_enum,
                Problems& problems) {
  std::string where =
      absl::StrCat(old_enum.is_union() ? "union " : "enum ", old_enum.name()->str());
  if (old_enum.is_union() != new_enum.is_union()) {
    problems.push_back(absl::StrCat(where, ": changed between enum and union"));
    return;
  }
  if (type_name(frozen, *old_enum.underlying_type()) !=
      type_name(current, *new_enum.underlying_type())) {
    problems.push_back(absl::StrCat(where, ": underlying type changed"));
  }
  std::int64_t old_max = 0;
  for (const reflection::EnumVal* old_value : *old_enum.values()) {
    old_max = std::max(old_max, old_value->value());
    const reflection::EnumVal* new_value = new_enum.values()->LookupByKey(old_value->value());
    std::string at = absl::StrCat(where, " value ", old_value->name()->str());
    if (new_value == nullptr || new_value->name()->str() != old_value->name()->str()) {
      problems.push_back(absl::StrCat(at, " (", old_value->value(), "): removed or renumbered"));
      continue;
    }
    if (old_enum.is_union() && old_value->value() != 0 &&
        type_name(frozen, *old_value->union_type()) !=
            type_name(current, *new_value->union_type())) {
      problems.push_back(absl::StrCat(at, ": now carries another table"));
    }
  }
  for (const reflection::EnumVal* new_value : *new_enum.values()) {
    if (old_enum.values()->LookupByKey(new_value->value()) == nullptr &&
        new_value->value() < old_max) {
      problems.push_back(absl::StrCat(where, " value ", new_value->name()->str(),
                                      ": added in the middle (append after ", old_max, ")"));
    }
  }
}

const reflection::Service* find_service(const reflection::Schema& schema, const std::string& name) {
  if (schema.services() == nullptr) return nullptr;
  for (const reflection::Service* service : *schema.services()) {
    if (service->name()->str() == name) return service;
  }
  return nullptr;
}

bool oneway(const reflection::RPCCall& call) {
  if (call.attributes() == nullptr) return false;
  for (const reflection::KeyValue* attribute : *call.attributes()) {
    if (attribute->key()->str() == "oneway") return true;
  }
  return false;
}

const reflection::RPCCall* find_call(const reflection::Service& service, const std::string& name) {
  for (const reflection::RPCCall* call : *service.calls()) {
    if (call->name()->str() == name) return call;
  }
  return nullptr;
}

void check_services(const reflection::Schema& frozen, const reflection::Schema& current,
                    Problems& problems) {
  if (frozen.services() == nullptr) return;
  for (const reflection::Service* old_service : *frozen.services()) {
    std::string where = absl::StrCat("service ", old_service->name()->str());
    const reflection::Service* new_service = find_service(current, old_service->name()->str());
    if (new_service == nullptr) {
      problems.push_back(absl::StrCat(where, ": removed"));
      continue;
    }
    for (const reflection::RPCCall* old_call : *old_service->calls()) {
      std::string at = absl::StrCat(where, " call ", old_call->name()->str());
      const reflection::RPCCall* new_call = find_call(*new_service, old_call->name()->str());
      if (new_call == nullptr) {
        problems.push_back(absl::StrCat(at, ": removed"));
        continue;
      }
      if (old_call->request()->name()->str() != new_call->request()->name()->str() ||
          old_call->response()->name()->str() != new_call->response()->name()->str()) {
        problems.push_back(absl::StrCat(at, ": request or reply type changed"));
      }
      if (oneway(*old_call) != oneway(*new_call)) {
        problems.push_back(absl::StrCat(at, ": changed between one-way and answered"));
      }
    }
  }
}

}  // namespace

std::vector<std::string> check_evolution(const reflection::Schema& frozen,
                                         const reflection::Schema& current) {
  Problems problems;
  auto ident = [](const reflection::Schema& s) {
    return s.file_ident() != nullptr ? s.file_ident()->str() : std::string();
  };
  if (ident(frozen) != ident(current)) problems.push_back("file_identifier changed");
  if (frozen.root_table() != nullptr &&
      (current.root_table() == nullptr ||
       frozen.root_table()->name()->str() != current.root_table()->name()->str())) {
    problems.push_back("root_type changed");
  }
  for (const reflection::Object* old_object : *frozen.objects()) {
    const reflection::Object* new_object =
        current.objects()->LookupByKey(old_object->name()->c_str());
    if (new_object == nullptr) {
      problems.push_back(absl::StrCat(old_object->is_struct() ? "struct " : "table ",
                                      old_object->name()->str(), ": removed"));
      continue;
    }
    check_object(frozen, *old_object, current, *new_object, problems);
  }
  for (const reflection::Enum* old_enum : *frozen.enums()) {
    const reflection::Enum* new_enum = current.enums()->LookupByKey(old_enum->name()->c_str());
    if (new_enum == nullptr) {
      problems.push_back(absl::StrCat("enum ", old_enum->name()->str(), ": removed"));
      continue;
    }
    check_enum(frozen, *old_enum, current, *new_enum, problems);
  }
  check_services(frozen, current, problems);
  return problems;
}

}  // namespace lona::idlc
