// gen (lona-idlc): the C++ clients, service interfaces and routes.
#include "gen/cpp_generator.hpp"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/substitute.h"

namespace lona::idlc {
namespace {

std::string cpp_type(const reflection::Object* object) {
  return absl::StrCat("::", absl::StrReplaceAll(object->name()->str(), {{".", "::"}}));
}

void doc_comment(std::string& out, const std::vector<std::string>& doc, const char* indent) {
  for (const std::string& line : doc) absl::StrAppend(&out, indent, "///", line, "\n");
}

std::string calls_struct(const Service& service) { return absl::StrCat(service.name, "Calls"); }

void declare_service(std::string& h, const Service& service) {
  // What each call is on the wire.
  absl::StrAppend(&h, "/// The calls of ", service.name, " on the wire.\nstruct ",
                  calls_struct(service), " {\n");
  for (const Call& call : service.calls) {
    absl::StrAppend(
        &h,
        absl::Substitute("  static constexpr CallInfo $0{$1u, \"$2\", BodyTraits<$3>::enum_value,\n"
                         "                                BodyTraits<$4>::enum_value, $5};\n",
                         call.name, call.method, call.full_name, cpp_type(call.request),
                         cpp_type(call.reply), call.oneway ? "true" : "false"));
  }
  // A receiver that serves some services and calls others tells requests from replies by this.
  std::vector<std::string> tests;
  for (const Call& call : service.calls)
    tests.push_back(absl::StrCat("method == ", call.name, ".method"));
  absl::StrAppend(&h, "  /// Whether `method` is one of the calls of ", service.name, ".\n",
                  tests.empty() ? "  static constexpr bool contains(std::uint32_t /*method*/) {\n"
                                  "    return false"
                                : "  static constexpr bool contains(std::uint32_t method) {\n"
                                  "    return ",
                  absl::StrJoin(tests, " ||\n           "), ";\n  }\n};\n\n");

  // The client.
  absl::StrAppend(&h, "/// The client of ", service.name,
                  ": one method per call, over an RpcClient (which may serve other clients of "
                  "the same channel).\n");
  doc_comment(h, service.doc, "");
  absl::StrAppend(&h, "class ", service.name, "Client {\n public:\n  explicit ", service.name,
                  "Client(RpcClient& rpc) : rpc_(rpc) {}\n\n");
  for (const Call& call : service.calls) {
    doc_comment(h, call.doc, "  ");
    if (call.oneway) {
      absl::StrAppend(&h, "  /// One-way: returns once sent.\n  absl::Status ", call.name,
                      "(const ", cpp_type(call.request),
                      "T& request, const CallOptions& options = {});\n");
    } else {
      absl::StrAppend(&h, "  absl::StatusOr<Reply<", cpp_type(call.reply), "T>> ", call.name,
                      "(const ", cpp_type(call.request),
                      "T& request, const CallOptions& options = {});\n");
    }
  }
  absl::StrAppend(&h,
                  "\n  RpcClient& rpc() { return rpc_; }\n\n private:\n  RpcClient& rpc_;\n};\n\n");

  // The server interface.
  absl::StrAppend(&h, "/// The server side of ", service.name,
                  ": one handler per call. A handler's error becomes the Error reply. A handler\n"
                  "/// not overridden answers Unimplemented, so that a server written before a "
                  "call was\n/// added to the service still builds, and answers that call with "
                  "an error.\n");
  doc_comment(h, service.doc, "");
  absl::StrAppend(&h, "class ", service.name, "Service {\n public:\n  virtual ~", service.name,
                  "Service() = default;\n\n");
  for (const Call& call : service.calls) {
    doc_comment(h, call.doc, "  ");
    std::string unimplemented =
        absl::StrCat(" {\n    return absl::UnimplementedError(\"", service.name, ".", call.name,
                     " is not served here\");\n  }\n");
    if (call.oneway) {
      absl::StrAppend(&h,
                      "  /// One-way: an error is answered with an Error; success with nothing.\n",
                      "  virtual absl::Status ", call.name, "(CallContext& /*context*/, const ",
                      cpp_type(call.request), "& /*request*/)", unimplemented);
    } else {
      absl::StrAppend(&h, "  virtual absl::Status ", call.name, "(CallContext& /*context*/, const ",
                      cpp_type(call.request), "& /*request*/, ", cpp_type(call.reply),
                      "T& /*reply*/)", unimplemented);
    }
  }
  absl::StrAppend(&h, "\n  /// Routes the calls of ", service.name,
                  " on `dispatcher` to this object, which must outlive it.\n"
                  "  void bind(Dispatcher& dispatcher);\n};\n\n");
}

void define_service(std::string& s, const Service& service) {
  for (const Call& call : service.calls) {
    std::string info = absl::StrCat(calls_struct(service), "::", call.name);
    if (call.oneway) {
      s += absl::Substitute(
          "absl::Status $0Client::$1(const $2T& request, const CallOptions& options) {\n"
          "  auto& builder = rpc_.start();\n"
          "  auto body = $2::Pack(builder, &request);\n"
          "  return rpc_.send_oneway($3, body.Union(), options);\n"
          "}\n\n",
          service.name, call.name, cpp_type(call.request), info);
      s += absl::Substitute(
          "static absl::Status route_$0_$1(void* service, CallContext& context,\n"
          "                                const Envelope& envelope, "
          "flatbuffers::FlatBufferBuilder&,\n"
          "                                Dispatcher::ReplyBody&) {\n"
          "  return static_cast<$0Service*>(service)->$1(context, *envelope.body_as<$2>());\n"
          "}\n\n",
          service.name, call.name, cpp_type(call.request));
    } else {
      s += absl::Substitute(
          "absl::StatusOr<Reply<$3T>> $0Client::$1(const $2T& request,\n"
          "                                        const CallOptions& options) {\n"
          "  auto& builder = rpc_.start();\n"
          "  auto body = $2::Pack(builder, &request);\n"
          "  if (absl::Status status = rpc_.call($4, body.Union(), options); !status.ok()) {\n"
          "    return status;\n"
          "  }\n"
          "  Reply<$3T> reply;\n"
          "  rpc_.reply().body_as<$3>()->UnPackTo(&reply.value);\n"
          "  reply.fds = rpc_.take_reply_fds();\n"
          "  return reply;\n"
          "}\n\n",
          service.name, call.name, cpp_type(call.request), cpp_type(call.reply), info);
      s += absl::Substitute(
          "static absl::Status route_$0_$1(void* service, CallContext& context,\n"
          "                                const Envelope& envelope,\n"
          "                                flatbuffers::FlatBufferBuilder& builder,\n"
          "                                Dispatcher::ReplyBody& reply) {\n"
          "  $3T value;\n"
          "  absl::Status status =\n"
          "      static_cast<$0Service*>(service)->$1(context, *envelope.body_as<$2>(), value);\n"
          "  if (!status.ok()) return status;\n"
          "  reply.type = BodyTraits<$3>::enum_value;\n"
          "  reply.offset = $3::Pack(builder, &value).Union();\n"
          "  return absl::OkStatus();\n"
          "}\n\n",
          service.name, call.name, cpp_type(call.request), cpp_type(call.reply));
    }
  }
  absl::StrAppend(&s, "void ", service.name, "Service::bind(Dispatcher& dispatcher) {\n");
  for (const Call& call : service.calls) {
    s += absl::Substitute("  dispatcher.add($0::$1, this, &route_$2_$1);\n", calls_struct(service),
                          call.name, service.name);
  }
  absl::StrAppend(&s, "}\n\n");
}

}  // namespace

CppOutput generate_cpp(const Protocol& protocol, const std::string& base,
                       const std::string& include_dir) {
  std::string ns = absl::StrJoin(protocol.ns, "::");
  std::string banner = absl::StrCat("// Generated by lona-idlc from ", base,
                                    ".bfbs. Do not edit: change the schema (idl/) instead.\n");
  CppOutput out;
  std::string& h = out.header;
  absl::StrAppend(&h, banner,
                  "// The typed clients and server interfaces of every service of the protocol.\n"
                  "#pragma once\n\n#include \"absl/status/status.h\"\n"
                  "#include \"absl/status/statusor.h\"\n#include \"",
                  include_dir, "/", base,
                  "_generated.h\"\n#include \"ipc/dispatcher.hpp\"\n"
                  "#include \"ipc/rpc_client.hpp\"\n\nnamespace ",
                  ns, " {\n\n");
  for (const Service& service : protocol.services) declare_service(h, service);
  absl::StrAppend(&h, "}  // namespace ", ns, "\n");

  std::string& s = out.source;
  absl::StrAppend(&s, banner, "#include \"", include_dir, "/", base,
                  "_services.hpp\"\n\nnamespace ", ns, " {\n\n");
  for (const Service& service : protocol.services) define_service(s, service);
  absl::StrAppend(&s, "}  // namespace ", ns, "\n");
  return out;
}

}  // namespace lona::idlc
