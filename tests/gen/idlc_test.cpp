// tests/gen: lona-idlc's checks. Schemas are compiled in process (flatbuffers::Parser, the
// parser flatc uses) to the binary schema lona-idlc reads; each test states a schema and what
// lona-idlc must say about it.
#include <string>
#include <vector>

#include "flatbuffers/idl.h"
#include "gen/evolution.hpp"
#include "gen/protocol.hpp"
#include "gen/python_generator.hpp"
#include "gtest/gtest.h"
#include "ipc/method_id.hpp"

namespace lona::idlc {
namespace {

// The binary schema of `text` (as flatc -b --schema --bfbs-builtins writes it).
std::string binary_schema(const std::string& text) {
  flatbuffers::IDLOptions options;
  options.binary_schema_builtins = true;
  flatbuffers::Parser parser(options);
  EXPECT_TRUE(parser.Parse(text.c_str())) << parser.error_;
  parser.Serialize();
  return {reinterpret_cast<const char*>(parser.builder_.GetBufferPointer()),
          parser.builder_.GetSize()};
}

// A minimal protocol, with `extra` inserted before the union and `members` appended to it.
std::string protocol_text(const std::string& extra = "", const std::string& members = "",
                          const std::string& service = "Alloc(Request):Reply;") {
  return "namespace t;\nattribute \"oneway\";\ntable Request { size:ulong; }\n"
         "table Reply { size:ulong; }\ntable NoReply {}\n" +
         extra + "union Body { Request, Reply, NoReply" + members +
         " }\ntable Envelope { version:ushort = 1; request_id:ulong; body:Body; method:uint; }\n"
         "root_type Envelope;\nfile_identifier \"TEST\";\nrpc_service Memory { " +
         service + " }\n";
}

// What load_protocol says of `text`: "" when it accepts it.
std::string load_error(const std::string& text) {
  std::string bytes = binary_schema(text);
  auto protocol = load_protocol(*reflection::GetSchema(bytes.data()));
  return protocol.ok() ? "" : std::string(protocol.status().message());
}

TEST(IdlcProtocolTest, AcceptsAWellFormedProtocol) {
  std::string bytes =
      binary_schema(protocol_text("", "", "Alloc(Request):Reply; Ping(Request):NoReply (oneway);"));
  auto protocol = load_protocol(*reflection::GetSchema(bytes.data()));
  ASSERT_TRUE(protocol.ok()) << protocol.status();
  ASSERT_EQ(protocol->services.size(), 1u);
  ASSERT_EQ(protocol->services[0].calls.size(), 2u);
  EXPECT_EQ(protocol->services[0].calls[0].full_name, "Memory.Alloc");
  EXPECT_EQ(protocol->services[0].calls[0].method, ipc::method_id("Memory.Alloc"));
  EXPECT_FALSE(protocol->services[0].calls[0].oneway);
  EXPECT_TRUE(protocol->services[0].calls[1].oneway);
  EXPECT_EQ(protocol->file_identifier, "TEST");
}

TEST(IdlcProtocolTest, RefusesWhatItDoesNotUnderstand) {
  struct Case {
    const char* what;
    std::string schema;
    const char* expected;
  };
  std::vector<Case> cases = {
      {"a streaming call", protocol_text("", "", "Alloc(Request):Reply (streaming: \"server\");"),
       "streaming calls are not supported"},
      {"an unknown attribute on a call",
       "attribute \"idempotent\";\n" + protocol_text("", "", "Alloc(Request):Reply (idempotent);"),
       "lona-idlc knows only oneway"},
      {"a request outside the envelope's union",
       protocol_text("table Other { x:int; }\n", "", "Alloc(Other):Reply;"),
       "not a member of the union"},
      {"a one-way call with a reply", protocol_text("", "", "Alloc(Request):Reply (oneway);"),
       "one-way calls declare NoReply"},
      {"a union alias", protocol_text("", ", Again:Request"), "alias"},
      {"a table CreateX beside X", protocol_text("table CreateRequest { x:int; }\n"),
       "clashes with the function flatc makes"},
  };
  for (const Case& c : cases) {
    std::string error = load_error(c.schema);
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << c.what << ": said \"" << error << "\", expected \"" << c.expected << "\"";
  }
}

TEST(IdlcProtocolTest, RefusesAnEnvelopeWithoutItsFields) {
  std::string schema = protocol_text();
  std::string no_method = schema;
  no_method.replace(no_method.find(" method:uint;"), 13, "");
  EXPECT_NE(load_error(no_method).find("must have a field method"), std::string::npos);
  std::string no_identifier = schema;
  no_identifier.replace(no_identifier.find("file_identifier \"TEST\";"), 23, "");
  EXPECT_NE(load_error(no_identifier).find("no file_identifier"), std::string::npos);
}

TEST(IdlcPythonTest, SnakeCase) {
  EXPECT_EQ(snake_case("ListRealms"), "list_realms");
  EXPECT_EQ(snake_case("Free"), "free");
}

// The evolution rules, one change at a time against the same frozen schema.
class IdlcEvolutionTest : public ::testing::Test {
 protected:
  static constexpr const char* kFrozen =
      "namespace t;\nenum Color : ubyte { Red = 0, Green = 1 }\n"
      "struct Point { x:int; y:int; }\n"
      "table Request { size:ulong (id: 0); color:Color (id: 1); at:Point (id: 2);"
      " limit:int = 5 (id: 3); }\n"
      "table Reply { size:ulong (id: 0); }\n"
      "union Body { Request, Reply }\n"
      "table Envelope { body:Body (id: 1); }\nroot_type Envelope;\nfile_identifier \"TEST\";\n"
      "rpc_service Memory { Alloc(Request):Reply; }\n";

  // The problems of the frozen schema with `old` replaced by `replacement`.
  std::vector<std::string> problems_after(const std::string& old, const std::string& replacement) {
    std::string current = kFrozen;
    auto at = current.find(old);
    EXPECT_NE(at, std::string::npos) << old;
    if (at != std::string::npos) current.replace(at, old.size(), replacement);
    std::string frozen_bytes = binary_schema(kFrozen);
    std::string current_bytes = binary_schema(current);
    return check_evolution(*reflection::GetSchema(frozen_bytes.data()),
                           *reflection::GetSchema(current_bytes.data()));
  }

  static std::string joined(const std::vector<std::string>& problems) {
    std::string all;
    for (const std::string& problem : problems) all += problem + "\n";
    return all;
  }
};

TEST_F(IdlcEvolutionTest, CompatibleChangesPass) {
  EXPECT_EQ(joined(problems_after("limit:int = 5 (id: 3);",
                                  "limit:int = 5 (id: 3); extra:ulong (id: 4);")),
            "");
  EXPECT_EQ(joined(problems_after("Green = 1 }", "Green = 1, Blue = 2 }")), "");
  EXPECT_EQ(joined(problems_after("union Body { Request, Reply }",
                                  "table Pong {}\nunion Body { Request, Reply, Pong }")),
            "");
  EXPECT_EQ(
      joined(problems_after("size:ulong (id: 0); color", "size:ulong (id: 0, deprecated); color")),
      "");
  EXPECT_EQ(joined(problems_after("Alloc(Request):Reply;",
                                  "Alloc(Request):Reply; Other(Request):Reply;")),
            "");
}

TEST_F(IdlcEvolutionTest, EachIncompatibleChangeIsNamed) {
  struct Case {
    const char* old;
    const char* replacement;
    const char* expected;
  };
  const Case cases[] = {
      {"size:ulong (id: 0); color", "size:uint (id: 0); color",
       "field size: type changed (ULong -> UInt)"},
      {" limit:int = 5 (id: 3);", "", "field limit: removed"},
      {"limit:int = 5", "limit:int = 6", "field limit: default changed (5 -> 6)"},
      {"at:Point (id: 2)", "at:Point (id: 2, required)", "made required"},
      {"limit:int = 5 (id: 3);", "limit:int = 5 (id: 3); extra:Reply (id: 4, required);",
       "a new field cannot be required"},
      {"size:ulong (id: 0); color:Color (id: 1);", "size:ulong (id: 1); color:Color (id: 0);",
       "id changed"},
      {"Green = 1 }", "Blue = 1 }", "value Green (1): removed or renumbered"},
      {"union Body { Request, Reply }", "table Pong {}\nunion Body { Pong, Request, Reply }",
       "union t.Body value Request (1): removed or renumbered"},
      {"struct Point { x:int; y:int; }", "struct Point { x:int; y:int; z:int; }",
       "a struct cannot change size"},
      {"Alloc(Request):Reply;", "Allocate(Request):Reply;", "call Alloc: removed"},
      {"Alloc(Request):Reply;", "Alloc(Reply):Reply;", "request or reply type changed"},
      {"file_identifier \"TEST\";", "file_identifier \"TES2\";", "file_identifier changed"},
  };
  for (const Case& c : cases) {
    std::string said = joined(problems_after(c.old, c.replacement));
    EXPECT_NE(said.find(c.expected), std::string::npos) << "changing \"" << c.old << "\" said:\n"
                                                        << said << "expected: " << c.expected;
  }
}

}  // namespace
}  // namespace lona::idlc
