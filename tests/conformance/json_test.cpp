// tests/conformance: the JSON reader the conformance runner reads spec.jsonl with.
#include "tests/conformance/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lona::json {
namespace {

Value parse_ok(const std::string& text) {
  Value v;
  std::string error;
  EXPECT_TRUE(parse(text, &v, &error)) << text << ": " << error;
  return v;
}

std::string parse_error(const std::string& text) {
  Value v;
  std::string error;
  EXPECT_FALSE(parse(text, &v, &error)) << text << " parsed";
  return error;
}

TEST(Json, ObjectsKeepOrderAndNest) {
  Value v = parse_ok(R"( {"id": "a", "n": -12.5e1, "t": [true, false, null, []], "o": {}} )");
  ASSERT_TRUE(v.is_object());
  const Object& o = v.as_object();
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].first, "id");
  EXPECT_EQ(o[3].first, "o");
  EXPECT_EQ(v.find("id")->as_string(), "a");
  EXPECT_EQ(v.find("n")->as_number(), -125.0);
  const Array& t = v.find("t")->as_array();
  ASSERT_EQ(t.size(), 4u);
  EXPECT_TRUE(t[0].as_bool());
  EXPECT_FALSE(t[1].as_bool());
  EXPECT_TRUE(t[2].is_null());
  EXPECT_TRUE(t[3].as_array().empty());
  EXPECT_TRUE(v.find("o")->as_object().empty());
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ(parse_ok(R"({"k": 1, "k": 2})").find("k")->as_number(), 2.0);  // the last one wins
}

TEST(Json, StringEscapes) {
  EXPECT_EQ(parse_ok(R"("\"\\\/\b\f\n\r\t")").as_string(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(parse_ok(R"("\u0041\u00e9\u20AC")").as_string(), "A\u00e9\u20ac");
  // A surrogate pair is one code point, written as four bytes of UTF-8.
  EXPECT_EQ(parse_ok(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(parse_ok("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").as_string(),
            "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(parse_ok(R"("\u0000")").as_string(), std::string(1, '\0'));
}

TEST(Json, MalformedInputIsAnErrorWithItsOffset) {
  EXPECT_NE(parse_error(R"({"a" 1})").find("expected ':' at byte 5"), std::string::npos);
  parse_error("");
  parse_error("{");
  parse_error(R"({"a": 1,})");
  parse_error("[1 2]");
  parse_error("[1,]");
  parse_error(R"("abc)");
  parse_error(R"("\x")");
  parse_error(R"("\u12G4")");
  parse_error(R"("\ud83d")");        // lone high surrogate
  parse_error(R"("\ud83d\u0041")");  // high surrogate without a low one
  parse_error(R"("\ude00")");        // lone low surrogate
  parse_error("\"a\nb\"");           // raw control character
  parse_error("\"\xC3\"");           // truncated UTF-8
  parse_error("\"\xC0\xAF\"");       // overlong UTF-8
  parse_error("\"\xED\xA0\x80\"");   // an encoded surrogate
  parse_error("01");
  parse_error("1.");
  parse_error("-");
  parse_error("1e");
  parse_error("tru");
  parse_error("nul");
  parse_error("{} {}");
  parse_error(std::string(600, '[') + std::string(600, ']'));  // nesting bound
}

}  // namespace
}  // namespace lona::json
