// Tests for vm/printer: the printed form of every kind of term (lonala-reference section 1.6), and
// read/print round trips over a corpus of literals: read(print(read(s))) is equal to read(s), and
// print(read(print(x))) == print(x).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "runtime/term/bigint.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace lona {
namespace {

class PrinterTest : public ::testing::Test {
 protected:
  Term read(const std::string& src) {
    Term form;
    ReadError error;
    Reader::Status s = read_one(heap_, src, &form, &error);
    EXPECT_EQ(s, Reader::Status::kForm)
        << "reading " << src << ": :" << error.reason << " " << error.message;
    return s == Reader::Status::kForm ? form : Term::nil();
  }

  Term big(std::string_view decimal, bool explicit_big = false) {
    bool negative = !decimal.empty() && decimal[0] == '-';
    BigInt v = *BigInt::parse(decimal.substr(negative ? 1 : 0), 10);
    return make_integer(heap_, negative ? -v : v, explicit_big);
  }

  Term fixed(FixedKind kind, std::string_view decimal) {
    bool negative = !decimal.empty() && decimal[0] == '-';
    BigInt v = *BigInt::parse(decimal.substr(negative ? 1 : 0), 10);
    std::optional<Term> t = make_fixed(heap_, kind, negative ? -v : v);
    EXPECT_TRUE(t.has_value()) << decimal;
    return t ? *t : Term::nil();
  }

  Term ratio(int64_t num, int64_t den) {
    return make_ratio(heap_, BigInt::from_int64(num), BigInt::from_int64(den));
  }

  // Builds a collection from printed-as-read elements with one of the *_from_stack functions.
  template <typename Build>
  Term collection(const std::vector<std::string>& elements, Build build) {
    for (const std::string& e : elements) heap_.push(read(e));
    return build(elements.size());
  }

  // The round-trip properties for one literal; returns the printed form.
  std::string round_trip(const std::string& src) {
    size_t base = heap_.stack().size();
    heap_.push(read(src));
    std::string p1 = print(heap_.stack()[base]);
    Term b = read(p1);
    Term a = heap_.stack()[base];
    bool both_nan =
        is_float(a) && is_float(b) && std::isnan(float_value(a)) && std::isnan(float_value(b));
    EXPECT_TRUE(equal(a, b) || both_nan)
        << src << " printed as " << p1 << " read back as " << print(b);
    EXPECT_EQ(print(b), p1) << src;
    heap_.stack().resize(base);
    return p1;
  }

  Heap heap_;
};

std::string p(Term t) { return print(t); }

// --- atoms ---------------------------------------------------------------------------------------

TEST_F(PrinterTest, Constants) {
  EXPECT_EQ(p(Term::nil()), "nil");
  EXPECT_EQ(p(Term::boolean(true)), "true");
  EXPECT_EQ(p(Term::boolean(false)), "false");
  EXPECT_EQ(p(Term::empty_list()), "()");
  EXPECT_EQ(p(Term::unbound()), "#<unbound>");
}

TEST_F(PrinterTest, PrintToAppends) {
  std::string out = "x=";
  print_to(&out, Term::fixnum(1));
  print_to(&out, make_keyword("k"));
  EXPECT_EQ(out, "x=1:k");
}

TEST_F(PrinterTest, Integers) {
  EXPECT_EQ(p(Term::fixnum(42)), "42");
  EXPECT_EQ(p(Term::fixnum(-17)), "-17");
  EXPECT_EQ(p(Term::fixnum(0)), "0");
  EXPECT_EQ(p(Term::fixnum(Term::kFixnumMax)), "576460752303423487");
  EXPECT_EQ(p(Term::fixnum(Term::kFixnumMin)), "-576460752303423488");
  // Boxed int64 beyond the small-integer range: no N.
  Term t = make_integer(heap_, Term::kFixnumMax + 1);
  ASSERT_TRUE(is_bigint(t));
  EXPECT_EQ(p(t), "576460752303423488");
  EXPECT_EQ(p(make_integer(heap_, std::numeric_limits<int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(p(make_integer(heap_, std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  // Beyond int64: always N.
  EXPECT_EQ(p(big("9223372036854775808")), "9223372036854775808N");
  EXPECT_EQ(p(big("99999999999999999999")), "99999999999999999999N");
  EXPECT_EQ(p(big("-99999999999999999999")), "-99999999999999999999N");
  // Written with N: N even when small.
  EXPECT_EQ(p(big("42", true)), "42N");
  EXPECT_EQ(p(big("0", true)), "0N");
  EXPECT_EQ(p(big("-7", true)), "-7N");
  EXPECT_EQ(p(big("99999999999999999999", true)), "99999999999999999999N");
}

TEST_F(PrinterTest, Floats) {
  struct Case {
    double v;
    const char* printed;
  };
  const Case cases[] = {
      {3.14, "3.14"},
      {6.022e23, "6.022e23"},
      {1.5e-10, "1.5e-10"},
      {1.0, "1.0"},
      {-1.0, "-1.0"},
      {100.0, "100.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {-2.5, "-2.5"},
      {0.001, "0.001"},
      {0.1 + 0.2, "0.30000000000000004"},
      {123456789.0, "123456789.0"},
      {1e5, "1.0e5"},
      {1e-5, "1.0e-5"},
      {1e21, "1.0e21"},
      {1e22, "1.0e22"},
      {1e100, "1.0e100"},
      {1.25e-100, "1.25e-100"},
      {std::numeric_limits<double>::max(), "1.7976931348623157e308"},
      {std::numeric_limits<double>::min(), "2.2250738585072014e-308"},
      {std::numeric_limits<double>::denorm_min(), "5.0e-324"},
      {std::numeric_limits<double>::infinity(), "##Inf"},
      {-std::numeric_limits<double>::infinity(), "##-Inf"},
      {std::numeric_limits<double>::quiet_NaN(), "##NaN"},
      {-std::numeric_limits<double>::quiet_NaN(), "##NaN"},
  };
  for (const Case& c : cases) EXPECT_EQ(p(make_float(heap_, c.v)), c.printed) << c.printed;
}

TEST_F(PrinterTest, F32Floats) {
  struct Case {
    float v;
    const char* printed;
  };
  const Case cases[] = {
      {3.14f, "3.14f32"},
      {1.0f, "1.0f32"},
      {0.1f, "0.1f32"},  // shortest for the f32, not for its widened double
      {-0.5f, "-0.5f32"},
      {-0.0f, "-0.0f32"},
      {16777216.0f, "16777216.0f32"},
      {1e10f, "1.0e10f32"},
      {std::numeric_limits<float>::max(), "3.4028235e38f32"},
      {std::numeric_limits<float>::min(), "1.1754944e-38f32"},
      {std::numeric_limits<float>::denorm_min(), "1.0e-45f32"},
      {std::numeric_limits<float>::infinity(), "##Inf"},
      {std::numeric_limits<float>::quiet_NaN(), "##NaN"},
  };
  for (const Case& c : cases) EXPECT_EQ(p(make_f32(heap_, c.v)), c.printed) << c.printed;
}

TEST_F(PrinterTest, FixedWidthIntegers) {
  EXPECT_EQ(p(fixed(FixedKind::kU8, "42")), "42u8");
  EXPECT_EQ(p(fixed(FixedKind::kU8, "255")), "255u8");
  EXPECT_EQ(p(fixed(FixedKind::kU16, "0")), "0u16");
  EXPECT_EQ(p(fixed(FixedKind::kU32, "255")), "255u32");
  EXPECT_EQ(p(fixed(FixedKind::kU32, "4294967295")), "4294967295u32");
  EXPECT_EQ(p(fixed(FixedKind::kU64, "18446744073709551615")), "18446744073709551615u64");
  EXPECT_EQ(p(fixed(FixedKind::kI8, "-128")), "-128i8");
  EXPECT_EQ(p(fixed(FixedKind::kI16, "-50")), "-50i16");
  EXPECT_EQ(p(fixed(FixedKind::kI32, "2147483647")), "2147483647i32");
  EXPECT_EQ(p(fixed(FixedKind::kI64, "-9223372036854775808")), "-9223372036854775808i64");
}

TEST_F(PrinterTest, Ratios) {
  EXPECT_EQ(p(ratio(22, 7)), "22/7");
  EXPECT_EQ(p(ratio(2, 4)), "1/2");
  EXPECT_EQ(p(ratio(-3, 6)), "-1/2");
  EXPECT_EQ(p(ratio(3, -6)), "-1/2");
  // Parts beyond int64 have no N inside a ratio (22N/7 is not a literal).
  BigInt huge = *BigInt::parse("100000000000000000000", 10);
  EXPECT_EQ(p(make_ratio(heap_, huge, BigInt::from_int64(3))), "100000000000000000000/3");
  EXPECT_EQ(p(make_ratio(heap_, -BigInt::from_int64(1), huge)), "-1/100000000000000000000");
  EXPECT_EQ(p(make_ratio(heap_, huge + BigInt::from_int64(1), huge)),
            "100000000000000000001/100000000000000000000");
}

TEST_F(PrinterTest, Characters) {
  struct Case {
    uint32_t cp;
    const char* printed;
  };
  const Case cases[] = {
      {'a', "\\a"},
      {'A', "\\A"},
      {'0', "\\0"},
      {'\n', "\\newline"},
      {' ', "\\space"},
      {'\t', "\\tab"},
      {'\r', "\\return"},
      {'\b', "\\backspace"},
      {'\f', "\\formfeed"},
      {0, "\\u0000"},
      {1, "\\u0001"},
      {0x0B, "\\u000B"},
      {0x1B, "\\u001B"},
      {0x1F, "\\u001F"},
      {0x7F, "\\u007F"},
      {0xE9, "\\\xC3\xA9"},
      {0x65E5, "\\\xE6\x97\xA5"},
      {0x1F600, "\\\xF0\x9F\x98\x80"},
      {'(', "\\("},
      {')', "\\)"},
      {'\\', "\\\\"},
      {'"', "\\\""},
      {';', "\\;"},
      {',', "\\,"},
  };
  for (const Case& c : cases) EXPECT_EQ(p(Term::character(c.cp)), c.printed) << c.cp;
}

TEST_F(PrinterTest, Strings) {
  auto s = [this](std::string_view text) { return p(make_string(heap_, text)); };
  EXPECT_EQ(s(""), "\"\"");
  EXPECT_EQ(s("Hello, World!"), "\"Hello, World!\"");
  EXPECT_EQ(s("Line 1\nLine 2"), "\"Line 1\\nLine 2\"");
  EXPECT_EQ(s("tab:\there"), "\"tab:\\there\"");
  EXPECT_EQ(s("cr:\r"), "\"cr:\\r\"");
  EXPECT_EQ(s("quote:\"hi\""), "\"quote:\\\"hi\\\"\"");
  EXPECT_EQ(s("backslash:\\"), "\"backslash:\\\\\"");
  // Other control characters as \uXXXX (uppercase hex).
  EXPECT_EQ(s(std::string_view("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(s("\x01\x1F\x7F"), "\"\\u0001\\u001F\\u007F\"");
  EXPECT_EQ(s("\b\f\v"), "\"\\u0008\\u000C\\u000B\"");
  EXPECT_EQ(s("\x1B[0m"), "\"\\u001B[0m\"");
  // UTF-8 verbatim, never \x escapes.
  EXPECT_EQ(s("h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80"),
            "\"h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80\"");
  EXPECT_EQ(s("; (] {"), "\"; (] {\"");
}

TEST_F(PrinterTest, SymbolsAndKeywords) {
  EXPECT_EQ(p(make_symbol("foo")), "foo");
  EXPECT_EQ(p(make_symbol("my.ns/bar")), "my.ns/bar");
  EXPECT_EQ(p(make_symbol("lona.core//")), "lona.core//");
  EXPECT_EQ(p(make_symbol("+")), "+");
  EXPECT_EQ(p(make_symbol("h\xC3\xA9llo")), "h\xC3\xA9llo");
  EXPECT_EQ(p(make_keyword("foo")), ":foo");
  EXPECT_EQ(p(make_keyword("my.ns/bar")), ":my.ns/bar");
}

// --- collections ---------------------------------------------------------------------------------

TEST_F(PrinterTest, Lists) {
  EXPECT_EQ(p(collection({"1", "2", "3"}, [this](size_t n) { return list_from_stack(heap_, n); })),
            "(1 2 3)");
  EXPECT_EQ(p(collection({}, [this](size_t n) { return list_from_stack(heap_, n); })), "()");
  EXPECT_EQ(
      p(collection({"()", "(a)", "[b]"}, [this](size_t n) { return list_from_stack(heap_, n); })),
      "(() (a) [b])");
  // An improper tail.
  EXPECT_EQ(p(make_cons(heap_, Term::fixnum(1), Term::fixnum(2))), "(1 . 2)");
}

TEST_F(PrinterTest, TuplesAndVectors) {
  EXPECT_EQ(p(collection({"1", "2"}, [this](size_t n) { return tuple_from_stack(heap_, n); })),
            "[1 2]");
  EXPECT_EQ(p(collection({}, [this](size_t n) { return tuple_from_stack(heap_, n); })), "[]");
  EXPECT_EQ(p(collection({"1", "2"}, [this](size_t n) { return vector_from_stack(heap_, n); })),
            "{1 2}");
  EXPECT_EQ(p(collection({}, [this](size_t n) { return vector_from_stack(heap_, n); })), "{}");
}

TEST_F(PrinterTest, MapsInInsertionOrder) {
  auto map = [this](size_t n) { return map_from_stack(heap_, n / 2); };
  EXPECT_EQ(p(collection({":a", "1", ":b", "2"}, map)), "%{:a 1 :b 2}");
  EXPECT_EQ(p(collection({":b", "2", ":a", "1"}, map)), "%{:b 2 :a 1}");
  EXPECT_EQ(p(collection({":a", "1", ":b", "2", ":a", "3"}, map)), "%{:a 3 :b 2}");
  EXPECT_EQ(p(collection({}, map)), "%{}");
  // Past the size where a hash index is built, the order is still the insertion order.
  std::vector<std::string> elements;
  std::string expect = "%{";
  for (int i = 20; i > 0; --i) {
    elements.push_back(":k" + std::to_string(i));
    elements.push_back(std::to_string(i));
    expect += (i < 20 ? " :k" : ":k") + std::to_string(i) + " " + std::to_string(i);
  }
  expect += "}";
  Term m = collection(elements, map);
  EXPECT_TRUE(has_hash_index(m));
  EXPECT_EQ(p(m), expect);
}

TEST_F(PrinterTest, SetsInInsertionOrder) {
  auto set = [this](size_t n) { return set_from_stack(heap_, n); };
  EXPECT_EQ(p(collection({"1", "2"}, set)), "#{1 2}");
  EXPECT_EQ(p(collection({"3", "1", "3", "2"}, set)), "#{3 1 2}");
  EXPECT_EQ(p(collection({}, set)), "#{}");
  std::vector<std::string> elements;
  std::string expect = "#{";
  for (int i = 30; i > 0; --i) {
    elements.push_back(std::to_string(i * 7));
    expect += (i < 30 ? " " : "") + std::to_string(i * 7);
  }
  expect += "}";
  EXPECT_EQ(p(collection(elements, set)), expect);
}

TEST_F(PrinterTest, Binaries) {
  EXPECT_EQ(p(make_binary(heap_, "He")), "#bytes[0x48 0x65]");
  EXPECT_EQ(p(make_binary(heap_, "")), "#bytes[]");
  EXPECT_EQ(p(make_binary(heap_, std::string_view("\x00\x0A\xab\xFF", 4))),
            "#bytes[0x00 0x0A 0xAB 0xFF]");  // uppercase, two digits
  EXPECT_EQ(p(read("#bytes[0x48 0x65 0x6C]")), "#bytes[0x48 0x65 0x6C]");
  EXPECT_EQ(p(read("#bytes[72 101 108]")), "#bytes[0x48 0x65 0x6C]");
}

TEST_F(PrinterTest, QuoteFormsAreNotAbbreviated) {
  EXPECT_EQ(p(read("''foo")), "(quote (quote foo))");
  EXPECT_EQ(p(read("(quote foo)")), "(quote foo)");
  EXPECT_EQ(p(read("'foo")), "(quote foo)");
  EXPECT_EQ(p(read("#'x")), "(var x)");
  EXPECT_EQ(p(read("~x")), "(unquote x)");
  EXPECT_EQ(p(read("~@x")), "(unquote-splicing x)");
}

TEST_F(PrinterTest, MetadataIsNeverPrinted) {
  size_t base = heap_.stack().size();
  heap_.push(read("%{:doc \"d\" :private true}"));
  for (const char* src : {"foo", "my.ns/foo", "[1 2]", "{1 2}", "%{:a 1}", "#{1}", "[]"}) {
    Term t = read(src);
    Term with = with_meta(heap_, t, heap_.stack()[base]);
    ASSERT_FALSE(meta_of(with).is_nil()) << src;
    EXPECT_EQ(p(with), src);
  }
  EXPECT_EQ(p(read("^:private foo")), "foo");
  EXPECT_EQ(p(read("[^:k x ^%{:a 1} {y} ^T #{z}]")), "[x {y} #{z}]");
  heap_.stack().resize(base);
}

TEST_F(PrinterTest, NestingBeyondThePrinterLimitIsCutOff) {
  Rooted t(heap_, Term::empty_list());
  for (int i = 0; i < 20000; ++i) t.set(make_cons(heap_, t.get(), Term::empty_list()));
  std::string printed = p(t.get());
  EXPECT_NE(printed.find("#<nested too deep>"), std::string::npos);
  EXPECT_EQ(printed.substr(0, 5), "(((((");
  EXPECT_LT(printed.size(), 20000u);
}

TEST_F(PrinterTest, EverythingTheReaderAcceptsPrintsInFull) {
  // As deep as the reader's default limit.
  heap_.push(Term::fixnum(7));
  for (int i = 0; i < ReaderOptions{}.max_depth; ++i)
    heap_.push(i % 2 ? list_from_stack(heap_, 1) : tuple_from_stack(heap_, 1));
  std::string printed = p(heap_.pop());
  EXPECT_EQ(printed.find('#'), std::string::npos);
  Term back = read(printed);
  EXPECT_EQ(p(back), printed);
}

// --- round trips ---------------------------------------------------------------------------------

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> kCorpus = {
      // integers
      "0",
      "1",
      "-1",
      "42",
      "-17",
      "+5",
      "007",
      "576460752303423487",
      "576460752303423488",
      "-576460752303423488",
      "-576460752303423489",
      "9223372036854775807",
      "-9223372036854775808",
      "9223372036854775808",
      "-9223372036854775809",
      "99999999999999999999",
      "123456789012345678901234567890",
      "42N",
      "0N",
      "-5N",
      "99999999999999999999N",
      "0xFF",
      "0xFFN",
      "0x1FFFFFFFFFFFFFFFF",
      "0o777",
      "0b1010",
      "-0b1",
      "2r1111",
      "16rFF",
      "36rZZ",
      "36rZZZZZZZZZZZZZZZ",
      "7R16",
      "1_000_000",
      // ratios
      "22/7",
      "2/4",
      "-1/3",
      "4/2",
      "100000000000000000000/3",
      "-1/100000000000000000000",
      "100000000000000000001/100000000000000000000",
      // floats
      "3.14",
      "-2.5",
      "0.0",
      "-0.0",
      "1.0",
      "1e5",
      "1e-5",
      "1e21",
      "1e22",
      "6.022e23",
      "1.5e-10",
      "1.7976931348623157e308",
      "5e-324",
      "2.2250738585072014e-308",
      "2.225073858507201e-308",
      "0.1",
      "0.30000000000000004",
      "123456789.123",
      "1e100",
      "1e-100",
      "9007199254740993",
      "9007199254740993.0",
      "3.14f32",
      "3.14f64",
      "1f32",
      "-0.5f32",
      "0.1f32",
      "3.4028235e38f32",
      "1e-45f32",
      "1.1754944e-38f32",
      "16777217f32",
      "-0.0f32",
      "##Inf",
      "##-Inf",
      "##NaN",
      // fixed-width
      "42u8",
      "0u8",
      "255u8",
      "65535u16",
      "4294967295u32",
      "18446744073709551615u64",
      "-128i8",
      "127i8",
      "-32768i16",
      "-2147483648i32",
      "-9223372036854775808i64",
      "9223372036854775807i64",
      "0xFFu32",
      "0b1111_0000u8",
      // characters
      "\\a",
      "\\A",
      "\\newline",
      "\\space",
      "\\tab",
      "\\return",
      "\\backspace",
      "\\formfeed",
      "\\u0000",
      "\\u0001",
      "\\u007F",
      "\\u00e9",
      "\\\xC3\xA9",
      "\\\xE6\x97\xA5",
      "\\\xF0\x9F\x98\x80",
      "\\(",
      "\\)",
      "\\\"",
      "\\\\",
      "\\;",
      "\\,",
      "\\#",
      "\\u0085",
      "\\u2028",
      "\\u",
      // strings
      "\"\"",
      "\"hello\"",
      "\"Line 1\\nLine 2\"",
      "\"tab:\\there\"",
      "\"q:\\\"hi\\\"\"",
      "\"bs:\\\\\"",
      "\"\\r\\n\"",
      "\"\\u0000\\u0001\\u001F\\u007F\"",
      "\"\\u00e9\"",
      "\"h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80\"",
      "\"\\uD83D\\uDE00\"",
      "\"multi\nline\"",
      "\"; not a comment\"",
      "\"(]{\"",
      "\"\\u0085\"",
      // symbols, keywords, constants
      "foo",
      "my-var",
      "*ns*",
      "+",
      "-",
      "/",
      "lona.core//",
      "my.ns/bar",
      "->>",
      "&",
      "_",
      "%",
      "%1",
      "x'",
      "a:b",
      "foo#",
      "h\xC3\xA9llo",
      "nil?",
      ":foo",
      ":my.ns/bar",
      ":a-b?",
      ":+",
      "nil",
      "true",
      "false",
      // collections
      "()",
      "(1 2 3)",
      "[]",
      "[1 2]",
      "{}",
      "{1 2 3}",
      "%{}",
      "%{:a 1 :b 2}",
      "%{:b 2 :a 1}",
      "%{:a 1 :b 2 :a 3}",
      "#{}",
      "#{1 2 3}",
      "#{1 1 2}",
      "[(1 {2 %{:a #{3 [4]}}}) ()]",
      "%{[1 2] {3} #{4} (5) \"s\" \\c}",
      "(((())))",
      "[[[[]]]]",
      "%{%{:a 1} #{%{}}}",
      "#{[1 2] (3) {4}}",
      "(1.5 -0.0 1e300 22/7 42N 7u8 \\x \"s\" :k sym)",
      "[##Inf ##-Inf]",
      "%{1 :int 1.0 :float 1N :big 1/2 :ratio 1u8 :u8}",
      "[\\a \\space \\, \"\\n\"]",
      // binaries
      "#bytes[]",
      "#bytes[0x48 0x65 0x6C]",
      "#bytes[0 255 127 128]",
      "#bytes\"Hello\"",
      "#bytes/latin1\"caf\xC3\xA9\"",
      // reader macros, read as the forms they stand for
      "'x",
      "''foo",
      "#'x",
      "~x",
      "~@xs",
      "`(a ~b ~@c)",
      "`[a #{b} %{:c {d}}]",
      "`(let* [x# 1] x#)",
      "#(+ % 1)",
      "#(apply + %1 %&)",
      "#bits[v:4 x:16/be & rest]",
      "#bytes[1 x]",
      "^:k [1 2]",
      "^%{:doc \"d\"} foo",
      "[1 #_2 3]",
      "; c\n42",
  };
  return kCorpus;
}

TEST_F(PrinterTest, RoundTripCorpus) {
  ASSERT_GE(corpus().size(), 150u);
  for (const std::string& src : corpus()) round_trip(src);
}

TEST_F(PrinterTest, RoundTripPrintsAsExpected) {
  // Spot checks that the round trip goes through the documented printed forms.
  EXPECT_EQ(round_trip("0xFFu32"), "255u32");
  EXPECT_EQ(round_trip("3.14f64"), "3.14");
  EXPECT_EQ(round_trip("2/4"), "1/2");
  EXPECT_EQ(round_trip("#{1 1 2}"), "#{1 2}");
  EXPECT_EQ(round_trip("\\u0041"), "\\A");
  EXPECT_EQ(round_trip("\"unicode:\\u0041\""), "\"unicode:A\"");
  EXPECT_EQ(round_trip("#bytes\"Hello\""), "#bytes[0x48 0x65 0x6C 0x6C 0x6F]");
  EXPECT_EQ(round_trip("99999999999999999999"), "99999999999999999999N");
}

TEST_F(PrinterTest, RoundTripLargeCollection) {
  std::string src = "[";
  for (int i = 0; i < 500; ++i) {
    src += "(" + std::to_string(i) + " " + std::to_string(i) + ".5 \"s" + std::to_string(i) +
           "\" %{:k" + std::to_string(i) + " #{" + std::to_string(i) + "N}}) ";
  }
  src += "]";
  round_trip(src);
}

// A deterministic generator (xorshift64).
struct Rng {
  uint64_t s = 0x2545F4914F6CDD1Du;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

uint64_t bits_of(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

// The doubles to test: random bit patterns (all exponents, subnormals included), random
// subnormals, values near powers of ten and the edges of the range.
std::vector<double> some_doubles() {
  Rng rng;
  std::vector<double> out = {0.0,
                             -0.0,
                             std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::denorm_min(),
                             std::nextafter(std::numeric_limits<double>::min(), 0.0),
                             std::numeric_limits<double>::epsilon(),
                             1.0 + std::numeric_limits<double>::epsilon()};
  for (int i = 0; i < 3000; ++i) {
    uint64_t b = rng.next();
    double d;
    std::memcpy(&d, &b, sizeof d);
    if (std::isnan(d) || std::isinf(d)) continue;
    out.push_back(d);
  }
  for (int i = 0; i < 300; ++i) {
    uint64_t b = rng.next() & ((uint64_t{1} << 52) - 1);  // exponent 0: subnormal
    double d;
    std::memcpy(&d, &b, sizeof d);
    out.push_back(i % 2 ? -d : d);
  }
  for (int e = -320; e <= 308; e += 7) {
    double d = std::pow(10.0, e);
    out.push_back(d);
    out.push_back(std::nextafter(d, 0.0));
    out.push_back(std::nextafter(d, std::numeric_limits<double>::infinity()));
    double scaled = static_cast<double>(rng.next() % 1000000) * d;
    if (!std::isinf(scaled)) out.push_back(scaled);
  }
  return out;
}

TEST_F(PrinterTest, RoundTripManyDoubles) {
  std::vector<double> doubles = some_doubles();
  ASSERT_GT(doubles.size(), 3000u);
  char text[64];
  for (double d : doubles) {
    std::snprintf(text, sizeof text, "%.17e", d);  // an exact decimal for d
    Term t = read(text);
    ASSERT_TRUE(is_float(t)) << text;
    EXPECT_EQ(bits_of(float_value(t)), bits_of(d)) << text;
    std::string printed = print(t);
    Term back = read(printed);
    ASSERT_TRUE(is_float(back)) << printed;
    EXPECT_EQ(bits_of(float_value(back)), bits_of(d)) << text << " printed as " << printed;
    EXPECT_FALSE(float_is_f32(back)) << printed;
    EXPECT_EQ(print(back), printed);
    // The printed form is made unmistakably a float.
    EXPECT_TRUE(printed.find('.') != std::string::npos) << printed;
    // Shortest: no zero-padded exponent.
    EXPECT_EQ(printed.find("e0"), std::string::npos) << printed;
    EXPECT_EQ(printed.find("e-0"), std::string::npos) << printed;
  }
}

TEST_F(PrinterTest, RoundTripManyF32) {
  Rng rng;
  std::vector<float> floats = {std::numeric_limits<float>::min(),
                               std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::denorm_min(),
                               -std::numeric_limits<float>::denorm_min(),
                               0.0f,
                               -0.0f};
  for (int i = 0; i < 3000; ++i) {
    uint32_t b = static_cast<uint32_t>(rng.next());
    if (i % 10 == 0) b &= 0x807FFFFFu;  // subnormal
    float f;
    std::memcpy(&f, &b, sizeof f);
    if (std::isnan(f) || std::isinf(f)) continue;
    floats.push_back(f);
  }
  char text[64];
  for (float f : floats) {
    std::snprintf(text, sizeof text, "%.9ef32", static_cast<double>(f));
    Term t = read(text);
    ASSERT_TRUE(is_float(t)) << text;
    EXPECT_TRUE(float_is_f32(t)) << text;
    EXPECT_EQ(bits_of(float_value(t)), bits_of(static_cast<double>(f))) << text;
    std::string printed = print(t);
    Term back = read(printed);
    ASSERT_TRUE(is_float(back)) << printed;
    EXPECT_TRUE(float_is_f32(back)) << printed;
    EXPECT_EQ(bits_of(float_value(back)), bits_of(static_cast<double>(f)))
        << text << " printed as " << printed;
    EXPECT_EQ(print(back), printed);
    EXPECT_EQ(printed.substr(printed.size() - 3), "f32");
  }
}

TEST_F(PrinterTest, RoundTripManyIntegersAndRatios) {
  Rng rng;
  auto digits = [&rng](size_t n) {
    std::string s(1, static_cast<char>('1' + rng.next() % 9));
    while (s.size() < n) s.push_back(static_cast<char>('0' + rng.next() % 10));
    return s;
  };
  for (int i = 0; i < 300; ++i) {
    std::string n = digits(1 + rng.next() % 60);
    std::string sign = rng.next() % 2 ? "-" : "";
    std::string suffix = rng.next() % 3 == 0 ? "N" : "";
    std::string printed = round_trip(sign + n + suffix);
    // Printed in decimal, with N exactly when written with N or beyond int64.
    bool beyond = n.size() > 19 || (n.size() == 19 && n > "9223372036854775807" &&
                                    !(sign == "-" && n == "9223372036854775808"));
    EXPECT_EQ(printed, sign + n + (suffix == "N" || beyond ? "N" : "")) << printed;
  }
  for (int i = 0; i < 200; ++i) {
    std::string sign = rng.next() % 2 ? "-" : "";
    std::string printed =
        round_trip(sign + digits(1 + rng.next() % 40) + "/" + digits(1 + rng.next() % 40));
    // A ratio prints its parts without N (one that reduced to an integer is an integer).
    if (printed.find('/') != std::string::npos) {
      EXPECT_EQ(printed.find('N'), std::string::npos) << printed;
    }
  }
  const char* suffixes[] = {"u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"};
  const int bits[] = {8, 16, 32, 64, 8, 16, 32, 64};
  for (int i = 0; i < 400; ++i) {
    int k = static_cast<int>(rng.next() % 8);
    uint64_t v = rng.next();
    std::string text;
    if (k < 4) {
      if (bits[k] < 64) v &= (uint64_t{1} << bits[k]) - 1;
      text = std::to_string(v);
    } else {
      int64_t s = static_cast<int64_t>(v) >> (64 - bits[k]);
      text = std::to_string(s);
    }
    EXPECT_EQ(round_trip(text + suffixes[k]), text + suffixes[k]);
  }
}

}  // namespace
}  // namespace lona

namespace lona {
namespace {

TEST(PrintBounded, ShortTermsPrintWhole) {
  Heap heap;
  for (int i = 0; i < 3; ++i) heap.push(Term::fixnum(i));
  Term v = vector_from_stack(heap, 3);
  EXPECT_EQ(print_bounded(v), "{0 1 2}");
  EXPECT_EQ(print_bounded(v, 7), "{0 1 2}");
}

TEST(PrintBounded, LongTermsAreCutWithAnEllipsis) {
  Heap heap;
  for (int i = 0; i < 10000; ++i) heap.push(Term::fixnum(i));
  Term v = vector_from_stack(heap, 10000);
  EXPECT_EQ(print_bounded(v, 10), "{0 1 2 3 4...");
  EXPECT_EQ(print_bounded(v).size(), 1003u);
}

// A DAG with 2^60 paths prints its first characters, not all of it.
TEST(PrintBounded, SharedStructureStopsEarly) {
  Heap heap;
  Term t = Term::fixnum(0);
  for (int i = 0; i < 60; ++i) {
    heap.push(t);
    heap.push(t);
    t = tuple_from_stack(heap, 2);
  }
  std::string s = print_bounded(t, 100);
  EXPECT_EQ(s.size(), 103u);
  EXPECT_EQ(s.substr(0, 5), "[[[[[");
}

}  // namespace
}  // namespace lona
