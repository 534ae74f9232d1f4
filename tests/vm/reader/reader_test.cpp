// Tests for vm/reader: every syntax form of lonala-reference section 1 read into the expected term.
// Errors are in reader_error_test.cpp. Most checks compare the printed form (the printer has its
// own tests) and, where the printed form would not tell, the term itself.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <regex>
#include <set>
#include <string>
#include <vector>

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

class ReaderTest : public ::testing::Test {
 protected:
  // Reads `src` as exactly one form. A read error fails the test and gives nil. The result is
  // valid until the next allocation on heap_ (use keep() to hold it longer).
  Term read(const std::string& src, const ReaderOptions& options = {}) {
    Term form;
    ReadError error;
    Reader::Status s = read_one(heap_, src, &form, &error, options);
    EXPECT_EQ(s, Reader::Status::kForm)
        << "reading " << src << ": :" << error.reason << " " << error.message;
    return s == Reader::Status::kForm ? form : Term::nil();
  }

  // Read, then print.
  std::string rp(const std::string& src, const ReaderOptions& options = {}) {
    return print(read(src, options));
  }

  // Reads `src` and roots the form on the heap's term stack; returns its index there.
  size_t keep(const std::string& src, const ReaderOptions& options = {}) {
    heap_.push(read(src, options));
    return heap_.stack().size() - 1;
  }
  Term kept(size_t index) { return heap_.stack()[index]; }

  // equal() of the forms read from a and b.
  bool same(const std::string& a, const std::string& b) {
    size_t i = keep(a);
    Term tb = read(b);
    return equal(kept(i), tb);
  }

  // All forms of `src`, printed; "ERROR :reason" for an error (reading stops there).
  std::vector<std::string> read_all(const std::string& src, const ReaderOptions& options = {}) {
    Reader reader(heap_, src, options);
    std::vector<std::string> out;
    Term form;
    for (;;) {
      Reader::Status s = reader.next(&form);
      if (s == Reader::Status::kEnd) break;
      if (s == Reader::Status::kError) {
        out.push_back("ERROR :" + reader.error().reason);
        break;
      }
      out.push_back(print(form));
    }
    return out;
  }

  Heap heap_;  // the default, small heap: reading collects often
};

std::string name_of(Term symbol_or_keyword) {
  return name_entry(is_any_symbol(symbol_or_keyword) ? bare_symbol(symbol_or_keyword)
                                                     : symbol_or_keyword)
      .full;
}

Term kw(std::string_view name) { return make_keyword(name); }

// The value of key k (a keyword name) in map m, printed; "<none>" when absent.
std::string get(Term m, std::string_view k) {
  if (!is_map(m)) return "<not a map>";
  std::optional<Term> v = map_get(m, kw(k));
  return v ? print(*v) : "<none>";
}

// --- integers ------------------------------------------------------------------------------------

TEST_F(ReaderTest, DecimalIntegers) {
  EXPECT_EQ(rp("42"), "42");
  EXPECT_EQ(rp("-17"), "-17");
  EXPECT_EQ(rp("+5"), "5");
  EXPECT_EQ(rp("0"), "0");
  EXPECT_EQ(rp("-0"), "0");
  EXPECT_EQ(rp("007"), "7");
  Term t = read("42");
  ASSERT_TRUE(t.is_fixnum());
  EXPECT_EQ(t.fixnum_value(), 42);
  t = read("-17");
  ASSERT_TRUE(t.is_fixnum());
  EXPECT_EQ(t.fixnum_value(), -17);
}

TEST_F(ReaderTest, IntegersAcrossRepresentations) {
  // 60-bit small integers, boxed int64, and bigints beyond int64 (which print with N).
  Term t = read("576460752303423487");  // Term::kFixnumMax
  ASSERT_TRUE(t.is_fixnum());
  EXPECT_EQ(t.fixnum_value(), Term::kFixnumMax);
  t = read("-576460752303423488");  // Term::kFixnumMin
  ASSERT_TRUE(t.is_fixnum());
  EXPECT_EQ(t.fixnum_value(), Term::kFixnumMin);

  t = read("576460752303423488");
  ASSERT_TRUE(is_bigint(t));
  EXPECT_FALSE(bigint_explicit(t));
  EXPECT_EQ(print(t), "576460752303423488");
  EXPECT_EQ(rp("-576460752303423489"), "-576460752303423489");
  EXPECT_EQ(rp("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(rp("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(rp("9223372036854775808"), "9223372036854775808N");
  EXPECT_EQ(rp("-9223372036854775809"), "-9223372036854775809N");
  EXPECT_EQ(rp("123456789012345678901234567890"), "123456789012345678901234567890N");
  EXPECT_EQ(*integer_as_int64(read("-9223372036854775808")), std::numeric_limits<int64_t>::min());
}

TEST_F(ReaderTest, BasePrefixes) {
  EXPECT_EQ(rp("0xFF"), "255");
  EXPECT_EQ(rp("0xff"), "255");
  EXPECT_EQ(rp("0xDeadBeef"), "3735928559");
  EXPECT_EQ(rp("0x0"), "0");
  EXPECT_EQ(rp("-0x10"), "-16");
  EXPECT_EQ(rp("+0x10"), "16");
  EXPECT_EQ(rp("0o10"), "8");
  EXPECT_EQ(rp("0o777"), "511");
  EXPECT_EQ(rp("0b1010"), "10");
  EXPECT_EQ(rp("-0b1"), "-1");
  EXPECT_EQ(rp("0x7FFFFFFFFFFFFFFF"), "9223372036854775807");
  EXPECT_EQ(rp("0x1FFFFFFFFFFFFFFFF"), "36893488147419103231N");
  Term t = read("0xFFN");
  ASSERT_TRUE(is_bigint(t));
  EXPECT_TRUE(bigint_explicit(t));
  EXPECT_EQ(print(t), "255N");
}

TEST_F(ReaderTest, RadixNotation) {
  EXPECT_EQ(rp("2r1111"), "15");
  EXPECT_EQ(rp("16rFF"), "255");
  EXPECT_EQ(rp("16rff"), "255");
  EXPECT_EQ(rp("36rZZ"), "1295");
  EXPECT_EQ(rp("36rzz"), "1295");
  EXPECT_EQ(rp("8r17"), "15");
  EXPECT_EQ(rp("3r12"), "5");
  EXPECT_EQ(rp("7R16"), "13");
  EXPECT_EQ(rp("-2r101"), "-5");
  EXPECT_EQ(rp("+2r101"), "5");
  EXPECT_EQ(rp("36rZZZZZZZZZZZZZZZ"), "221073919720733357899775N");
  // Every radix from 2 to 36: "10" is the radix itself and the largest digit is radix - 1.
  const std::string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (int radix = 2; radix <= 36; ++radix) {
    std::string r = std::to_string(radix);
    EXPECT_EQ(rp(r + "r10"), r);
    EXPECT_EQ(rp(r + "r" + digits[radix - 1]), std::to_string(radix - 1)) << radix;
    EXPECT_EQ(rp(r + "r100"), std::to_string(radix * radix)) << radix;
  }
}

TEST_F(ReaderTest, DigitSeparators) {
  EXPECT_EQ(rp("1_000_000"), "1000000");
  EXPECT_EQ(rp("0xFF_FF_FF_FFu32"), "4294967295u32");
  EXPECT_EQ(rp("0b1111_0000u8"), "240u8");
  EXPECT_EQ(rp("0x_FF"), "255");
  EXPECT_EQ(rp("1__2"), "12");
  EXPECT_EQ(rp("-1_0"), "-10");
  EXPECT_EQ(rp("16rF_F"), "255");
  EXPECT_EQ(rp("2r1_0_1"), "5");
  EXPECT_EQ(rp("1_000N"), "1000N");
  EXPECT_EQ(rp("1_000.000_5"), "1000.0005");
  EXPECT_EQ(rp("1_0e1_0"), "1.0e11");
  EXPECT_EQ(rp("12/3_4"), "6/17");
  EXPECT_EQ(rp("1_000u16"), "1000u16");
  EXPECT_EQ(rp("1_5f32"), "15.0f32");
}

TEST_F(ReaderTest, ExplicitBigInts) {
  Term t = read("42N");
  ASSERT_TRUE(is_bigint(t));
  EXPECT_TRUE(bigint_explicit(t));
  EXPECT_EQ(print(t), "42N");
  EXPECT_EQ(rp("0N"), "0N");
  EXPECT_EQ(rp("-5N"), "-5N");
  EXPECT_EQ(rp("99999999999999999999N"), "99999999999999999999N");
  EXPECT_EQ(rp("99999999999999999999"), "99999999999999999999N");
  EXPECT_TRUE(same("42N", "42"));  // equal by value whatever the representation
  EXPECT_FALSE(same("42N", "43"));
}

TEST_F(ReaderTest, Ratios) {
  Term t = read("22/7");
  ASSERT_TRUE(is_ratio(t));
  EXPECT_EQ(print(ratio_numerator(t)), "22");
  EXPECT_EQ(print(ratio_denominator(t)), "7");
  EXPECT_EQ(print(t), "22/7");
  EXPECT_EQ(rp("2/4"), "1/2");
  EXPECT_EQ(rp("-2/4"), "-1/2");
  EXPECT_EQ(rp("+3/6"), "1/2");
  EXPECT_EQ(rp("-7/21"), "-1/3");
  t = read("4/2");  // reduces to an integer
  ASSERT_TRUE(t.is_fixnum());
  EXPECT_EQ(t.fixnum_value(), 2);
  EXPECT_EQ(rp("-6/3"), "-2");
  EXPECT_EQ(rp("0/5"), "0");
  EXPECT_EQ(rp("100000000000000000000/3"), "100000000000000000000/3");
  EXPECT_EQ(rp("1/100000000000000000000"), "1/100000000000000000000");
  EXPECT_EQ(rp("200000000000000000000/100000000000000000000"), "2");
  EXPECT_TRUE(same("1/2", "2/4"));
}

// --- floats --------------------------------------------------------------------------------------

TEST_F(ReaderTest, Floats) {
  Term t = read("3.14");
  ASSERT_TRUE(is_float(t));
  EXPECT_FALSE(float_is_f32(t));
  EXPECT_EQ(float_value(t), 3.14);
  EXPECT_EQ(print(t), "3.14");
  EXPECT_EQ(rp("6.022e23"), "6.022e23");
  EXPECT_EQ(rp("1.5e-10"), "1.5e-10");
  EXPECT_EQ(rp("1E3"), "1000.0");
  EXPECT_EQ(rp("1e+2"), "100.0");
  EXPECT_EQ(rp("1e5"), "1.0e5");
  EXPECT_EQ(rp("1.5E-3"), "0.0015");
  EXPECT_EQ(rp("123.456e-2"), "1.23456");
  EXPECT_EQ(rp("2.0"), "2.0");
  EXPECT_EQ(rp("-2.5"), "-2.5");
  EXPECT_EQ(rp("+1.5"), "1.5");
  EXPECT_EQ(rp("0.0"), "0.0");
  EXPECT_EQ(rp("1."), "1.0");
  EXPECT_EQ(rp("1e21"), "1.0e21");
  EXPECT_EQ(rp("1.7976931348623157e308"), "1.7976931348623157e308");
  EXPECT_EQ(float_value(read("1.7976931348623157e308")), std::numeric_limits<double>::max());
  EXPECT_EQ(float_value(read("5e-324")), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(float_value(read("2.2250738585072014e-308")), std::numeric_limits<double>::min());
  t = read("-0.0");
  ASSERT_TRUE(is_float(t));
  EXPECT_EQ(float_value(t), 0.0);
  EXPECT_TRUE(std::signbit(float_value(t)));
  EXPECT_EQ(print(t), "-0.0");
  EXPECT_FALSE(same("1.0", "1"));  // floats never equal integers
}

TEST_F(ReaderTest, FloatSuffixes) {
  Term t = read("3.14f32");
  ASSERT_TRUE(is_float(t));
  EXPECT_TRUE(float_is_f32(t));
  EXPECT_EQ(float_value(t), static_cast<double>(3.14f));
  EXPECT_EQ(print(t), "3.14f32");
  t = read("3.14f64");
  ASSERT_TRUE(is_float(t));
  EXPECT_FALSE(float_is_f32(t));
  EXPECT_EQ(print(t), "3.14");
  EXPECT_EQ(float_value(read("0.1f32")), static_cast<double>(0.1f));
  EXPECT_EQ(rp("1f32"), "1.0f32");
  EXPECT_EQ(rp("1f64"), "1.0");
  EXPECT_EQ(rp("2e3f32"), "2000.0f32");
  EXPECT_EQ(rp("-0.5f32"), "-0.5f32");
  EXPECT_EQ(rp("3.4028235e38f32"), "3.4028235e38f32");
  EXPECT_EQ(float_value(read("3.4028235e38f32")),
            static_cast<double>(std::numeric_limits<float>::max()));
}

TEST_F(ReaderTest, SpecialFloats) {
  Term t = read("##Inf");
  ASSERT_TRUE(is_float(t));
  EXPECT_TRUE(std::isinf(float_value(t)));
  EXPECT_GT(float_value(t), 0);
  t = read("##-Inf");
  ASSERT_TRUE(is_float(t));
  EXPECT_TRUE(std::isinf(float_value(t)));
  EXPECT_LT(float_value(t), 0);
  t = read("##NaN");
  ASSERT_TRUE(is_float(t));
  EXPECT_TRUE(std::isnan(float_value(t)));
  EXPECT_EQ(rp("[##Inf ##-Inf ##NaN]"), "[##Inf ##-Inf ##NaN]");
  EXPECT_TRUE(same("##Inf", "##Inf"));
  EXPECT_FALSE(same("##NaN", "##NaN"));
}

// --- fixed-width integers ------------------------------------------------------------------------

TEST_F(ReaderTest, FixedWidthIntegers) {
  struct Case {
    const char* src;
    const char* printed;
    FixedKind kind;
  };
  const Case cases[] = {
      {"42u8", "42u8", FixedKind::kU8},
      {"0u8", "0u8", FixedKind::kU8},
      {"255u8", "255u8", FixedKind::kU8},
      {"65535u16", "65535u16", FixedKind::kU16},
      {"4294967295u32", "4294967295u32", FixedKind::kU32},
      {"18446744073709551615u64", "18446744073709551615u64", FixedKind::kU64},
      {"-128i8", "-128i8", FixedKind::kI8},
      {"127i8", "127i8", FixedKind::kI8},
      {"-32768i16", "-32768i16", FixedKind::kI16},
      {"32767i16", "32767i16", FixedKind::kI16},
      {"-50i16", "-50i16", FixedKind::kI16},
      {"-2147483648i32", "-2147483648i32", FixedKind::kI32},
      {"2147483647i32", "2147483647i32", FixedKind::kI32},
      {"-9223372036854775808i64", "-9223372036854775808i64", FixedKind::kI64},
      {"9223372036854775807i64", "9223372036854775807i64", FixedKind::kI64},
      {"0xFFu32", "255u32", FixedKind::kU32},
      {"-0x80i8", "-128i8", FixedKind::kI8},
      {"0b1u8", "1u8", FixedKind::kU8},
      {"0o777u16", "511u16", FixedKind::kU16},
      {"0xFFFF_FFFF_FFFF_FFFFu64", "18446744073709551615u64", FixedKind::kU64},
      {"-0i8", "0i8", FixedKind::kI8},
  };
  for (const Case& c : cases) {
    Term t = read(c.src);
    ASSERT_TRUE(is_fixed(t)) << c.src;
    EXPECT_EQ(fixed_kind(t), c.kind) << c.src;
    EXPECT_EQ(print(t), c.printed) << c.src;
  }
  EXPECT_EQ(fixed_bits(read("18446744073709551615u64")), UINT64_MAX);
  EXPECT_TRUE(same("42u8", "42u8"));
  EXPECT_FALSE(same("42u8", "42"));     // fixed-width only equals the same kind
  EXPECT_FALSE(same("42u8", "42u16"));  // ... and width
}

// --- characters ----------------------------------------------------------------------------------

TEST_F(ReaderTest, Characters) {
  struct Case {
    const char* src;
    uint32_t cp;
  };
  const Case cases[] = {
      {R"(\a)", 'a'},
      {R"(\A)", 'A'},
      {R"(\z)", 'z'},
      {R"(\0)", '0'},
      {R"(\n)", 'n'},
      {R"(\u)", 'u'},
      {R"(\newline)", '\n'},
      {R"(\space)", ' '},
      {R"(\tab)", '\t'},
      {R"(\return)", '\r'},
      {R"(\backspace)", '\b'},
      {R"(\formfeed)", '\f'},
      {R"(\u0041)", 'A'},
      {R"(\u00e9)", 0xE9},
      {R"(\u00E9)", 0xE9},
      {R"(\u0000)", 0},
      {R"(\u000A)", '\n'},
      {R"(\uFFFD)", 0xFFFD},
      {"\\\xC3\xA9", 0xE9},
      {"\\\xE6\x97\xA5", 0x65E5},
      {"\\\xF0\x9F\x98\x80", 0x1F600},
      {R"(\()", '('},
      {R"(\))", ')'},
      {R"(\[)", '['},
      {R"(\])", ']'},
      {R"(\{)", '{'},
      {R"(\})", '}'},
      {R"(\")", '"'},
      {R"(\\)", '\\'},
      {R"(\;)", ';'},
      {R"(\@)", '@'},
      {R"(\^)", '^'},
      {R"(\`)", '`'},
      {R"(\~)", '~'},
      {R"(\#)", '#'},
      {R"(\%)", '%'},
      {R"(\')", '\''},
      {R"(\:)", ':'},
      {R"(\/)", '/'},
      {R"(\,)", ','},
  };
  for (const Case& c : cases) {
    Term t = read(c.src);
    ASSERT_TRUE(t.is_char()) << c.src;
    EXPECT_EQ(t.char_value(), c.cp) << c.src;
  }
  EXPECT_TRUE(same(R"(\newline)", R"(\u000A)"));
  EXPECT_TRUE(same(R"(\A)", R"(\u0041)"));
  EXPECT_FALSE(same(R"(\a)", R"(\A)"));
  EXPECT_FALSE(same(R"(\a)", R"("a")"));
}

TEST_F(ReaderTest, CharactersNextToDelimiters) {
  EXPECT_EQ(rp(R"((\a\b))"), R"((\a \b))");
  EXPECT_EQ(rp(R"([\( \)])"), R"([\( \)])");
  EXPECT_EQ(rp(R"((\)))"), R"((\)))");
  EXPECT_EQ(rp(R"([\a])"), R"([\a])");
  EXPECT_EQ(rp(R"([\space\tab])"), R"([\space \tab])");
  EXPECT_EQ(rp("[\\a;comment\n]"), R"([\a])");
  EXPECT_EQ(rp(R"([\, \a])"), R"([\, \a])");
  EXPECT_EQ(rp(R"([\"\"])"), R"([\" \"])");
}

// --- strings -------------------------------------------------------------------------------------

TEST_F(ReaderTest, Strings) {
  Term t = read(R"("hello")");
  ASSERT_TRUE(is_string(t));
  EXPECT_EQ(byte_view(t), "hello");
  EXPECT_EQ(byte_view(read(R"("")")), "");
  EXPECT_EQ(byte_view(read(R"("Hello, World!")")), "Hello, World!");
  EXPECT_EQ(byte_view(read(R"("a;b (] {")")), "a;b (] {");
  EXPECT_FALSE(same(R"("a")", "a"));
}

TEST_F(ReaderTest, StringEscapes) {
  EXPECT_EQ(byte_view(read(R"("a\nb\tc\rd\\e\"f")")), "a\nb\tc\rd\\e\"f");
  EXPECT_EQ(byte_view(read(R"("\u0041\u00e9\u00E9")")), "A\xC3\xA9\xC3\xA9");
  EXPECT_EQ(byte_view(read(R"("\u65E5\u672C")")), "\xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(byte_view(read(R"("unicode:\u0041")")), "unicode:A");
  EXPECT_EQ(byte_view(read(R"("\u0000")")), std::string_view("\0", 1));
  // A UTF-16 surrogate pair written as two escapes is one character (U+1F600).
  EXPECT_EQ(byte_view(read(R"("\uD83D\uDE00")")), "\xF0\x9F\x98\x80");
  EXPECT_EQ(byte_view(read(R"("x\ud83d\ude00y")")), "x\xF0\x9F\x98\x80y");
  EXPECT_EQ(byte_view(read(R"("\uDBFF\uDFFF")")), "\xF4\x8F\xBF\xBF");  // U+10FFFF
}

TEST_F(ReaderTest, StringsKeepTextVerbatim) {
  // Multi-line strings keep their newlines; UTF-8 and raw control bytes are taken as they are.
  EXPECT_EQ(byte_view(read("\"line1\nline2\n\"")), "line1\nline2\n");
  EXPECT_EQ(byte_view(read("\"a\tb\r\nc\"")), "a\tb\r\nc");
  const std::string text = "h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80";
  EXPECT_EQ(byte_view(read("\"" + text + "\"")), text);
  const std::string raw("\"a\0b\x01\x7F\"", 7);
  EXPECT_EQ(byte_view(read(raw)), std::string_view("a\0b\x01\x7F", 5));
}

// --- symbols, keywords, constants
// -----------------------------------------------------------------

TEST_F(ReaderTest, Symbols) {
  const char* names[] = {"foo",
                         "my-var",
                         "*ns*",
                         "+limit+",
                         "valid?",
                         "x'",
                         "a:b",
                         "foo#",
                         "->",
                         "->>",
                         "+",
                         "-",
                         "*",
                         "/",
                         "&",
                         "_",
                         "%",
                         "%1",
                         "%&",
                         "$",
                         "a$b",
                         "<=",
                         ">=",
                         "=",
                         "!",
                         "a.b.c",
                         ".",
                         "..",
                         "a1",
                         "nil?",
                         "nilx",
                         "truex",
                         "false?",
                         "-a",
                         "+a",
                         "recur",
                         "h\xC3\xA9llo",
                         "\xE6\x97\xA5\xE6\x9C\xAC"};
  for (const char* name : names) {
    Term t = read(name);
    ASSERT_TRUE(t.is_symbol()) << name;
    EXPECT_EQ(name_of(t), name);
    EXPECT_EQ(name_entry(t).ns_length, 0u) << name;
    EXPECT_EQ(print(t), name);
  }
}

TEST_F(ReaderTest, QualifiedSymbols) {
  struct Case {
    const char* src;
    const char* ns;
    const char* name;
  };
  const Case cases[] = {
      {"my.ns/bar", "my.ns", "bar"},     {"lona.core/count", "lona.core", "count"},
      {"lona.core//", "lona.core", "/"}, {"a/b", "a", "b"},
      {"lona.core/+", "lona.core", "+"},
  };
  for (const Case& c : cases) {
    Term t = read(c.src);
    ASSERT_TRUE(t.is_symbol()) << c.src;
    EXPECT_EQ(name_entry(t).ns(), c.ns) << c.src;
    EXPECT_EQ(name_entry(t).name(), c.name) << c.src;
    EXPECT_EQ(print(t), c.src);
  }
  EXPECT_FALSE(same("my.ns/bar", "bar"));
}

TEST_F(ReaderTest, Keywords) {
  const char* sources[] = {":foo", ":ok", ":error", ":a-b?", ":+", ":a1", ":a.b", ":h\xC3\xA9"};
  for (const char* src : sources) {
    Term t = read(src);
    ASSERT_TRUE(t.is_keyword()) << src;
    EXPECT_EQ(name_of(t), src + 1);
    EXPECT_EQ(print(t), src);
  }
  Term t = read(":my.ns/bar");
  ASSERT_TRUE(t.is_keyword());
  EXPECT_EQ(name_entry(t).ns(), "my.ns");
  EXPECT_EQ(name_entry(t).name(), "bar");
  EXPECT_EQ(print(t), ":my.ns/bar");
  EXPECT_TRUE(same(":foo", ":foo"));
  EXPECT_FALSE(same(":foo", "foo"));
  EXPECT_FALSE(same(":foo", ":bar"));
}

TEST_F(ReaderTest, NilTrueFalse) {
  EXPECT_TRUE(read("nil").is_nil());
  EXPECT_TRUE(read("true").is_true());
  EXPECT_TRUE(read("false").is_false());
  EXPECT_EQ(rp("[nil true false]"), "[nil true false]");
  EXPECT_TRUE(read("nil?").is_symbol());
}

// --- collections ---------------------------------------------------------------------------------

TEST_F(ReaderTest, EmptyCollections) {
  Term t = read("()");
  EXPECT_TRUE(t.is_empty_list());
  EXPECT_FALSE(t.is_nil());  // () is distinct from nil
  t = read("[]");
  ASSERT_TRUE(is_tuple(t));
  EXPECT_EQ(array_count(t), 0u);
  t = read("{}");
  ASSERT_TRUE(is_vector(t));
  EXPECT_EQ(array_count(t), 0u);
  t = read("%{}");
  ASSERT_TRUE(is_map(t));
  EXPECT_EQ(map_count(t), 0u);
  t = read("#{}");
  ASSERT_TRUE(is_set(t));
  EXPECT_EQ(set_count(t), 0u);
  EXPECT_EQ(rp("[() [] {} %{} #{}]"), "[() [] {} %{} #{}]");
}

TEST_F(ReaderTest, Collections) {
  Term t = read("(1 2 3)");
  ASSERT_TRUE(t.is_cons());
  EXPECT_EQ(print(list_head(t)), "1");
  EXPECT_EQ(print(list_tail(t)), "(2 3)");
  EXPECT_EQ(print(t), "(1 2 3)");

  t = read("[1 :a \"s\"]");
  ASSERT_TRUE(is_tuple(t));
  ASSERT_EQ(array_count(t), 3u);
  EXPECT_EQ(print(array_at(t, 1)), ":a");

  t = read("{1 2 3}");
  ASSERT_TRUE(is_vector(t));
  EXPECT_EQ(array_count(t), 3u);
  EXPECT_EQ(print(t), "{1 2 3}");

  t = read("%{:a 1 :b 2}");
  ASSERT_TRUE(is_map(t));
  EXPECT_EQ(map_count(t), 2u);
  EXPECT_EQ(get(t, "a"), "1");
  EXPECT_EQ(get(t, "b"), "2");
  EXPECT_EQ(print(t), "%{:a 1 :b 2}");
  EXPECT_EQ(rp("%{:b 2 :a 1}"), "%{:b 2 :a 1}");  // literal order is kept

  t = read("#{1 2 3}");
  ASSERT_TRUE(is_set(t));
  EXPECT_EQ(set_count(t), 3u);
  EXPECT_TRUE(set_contains(t, Term::fixnum(2)));
  EXPECT_FALSE(set_contains(t, Term::fixnum(4)));
  EXPECT_EQ(print(t), "#{1 2 3}");

  // Same elements in different kinds of collection are not equal.
  EXPECT_FALSE(same("(1 2)", "[1 2]"));
  EXPECT_FALSE(same("[1 2]", "{1 2}"));
  EXPECT_TRUE(same("%{:a 1 :b 2}", "%{:b 2 :a 1}"));  // maps compare unordered
  EXPECT_TRUE(same("#{1 2}", "#{2 1}"));
}

TEST_F(ReaderTest, NestedCollections) {
  EXPECT_EQ(rp("[(1 {2 %{:a #{3 [4]}}}) ()]"), "[(1 {2 %{:a #{3 [4]}}}) ()]");
  EXPECT_EQ(rp("[[[[1]]]]"), "[[[[1]]]]");
  EXPECT_EQ(rp("(a(b)c)"), "(a (b) c)");
  EXPECT_EQ(rp("[:a[:b]\"s\"[]]"), "[:a [:b] \"s\" []]");
  EXPECT_EQ(rp("%{[1 2] {3} #{4} (5)}"), "%{[1 2] {3} #{4} (5)}");
  EXPECT_EQ(read_all("\"x\"\"y\"(a)[b]"),
            (std::vector<std::string>{"\"x\"", "\"y\"", "(a)", "[b]"}));
}

TEST_F(ReaderTest, CommasAndWhitespace) {
  EXPECT_EQ(rp("[1,2,,3]"), "[1 2 3]");
  EXPECT_EQ(rp("%{:a 1, :b 2}"), "%{:a 1 :b 2}");
  EXPECT_EQ(rp(",,(,1,),,"), "(1)");
  EXPECT_EQ(rp("#{1,2}"), "#{1 2}");
  EXPECT_EQ(rp("(1\t2\n3\r\n4\f5\v6)"), "(1 2 3 4 5 6)");
  EXPECT_EQ(rp("  \n\t 42 \n "), "42");
}

TEST_F(ReaderTest, MapDuplicateKeysKeepFirstPositionAndLastValue) {
  Term t = read("%{:a 1 :b 2 :a 3}");
  ASSERT_TRUE(is_map(t));
  EXPECT_EQ(map_count(t), 2u);
  EXPECT_EQ(get(t, "a"), "3");
  EXPECT_EQ(print(t), "%{:a 3 :b 2}");
}

TEST_F(ReaderTest, SetDuplicatesRemoved) {
  Term t = read("#{1 1 2}");
  ASSERT_TRUE(is_set(t));
  EXPECT_EQ(set_count(t), 2u);
  EXPECT_EQ(print(t), "#{1 2}");
  EXPECT_EQ(rp("#{3 1 3 2 1}"), "#{3 1 2}");
  EXPECT_EQ(rp("#{:a :a :a}"), "#{:a}");
  EXPECT_EQ(rp("#{1 1N}"), "#{1}");  // equal by value
}

TEST_F(ReaderTest, LargeCollections) {
  std::string tuple = "[", map = "%{", set = "#{", expect_tuple = "[";
  for (int i = 0; i < 1000; ++i) {
    std::string n = std::to_string(i);
    tuple += n + " ";
    expect_tuple += (i ? " " : "") + n;
    if (i < 200) {
      map += ":k" + n + " " + n + " ";
      set += "\"s" + n + "\" ";
    }
  }
  tuple += "]";
  map += "}";
  set += "}";
  expect_tuple += "]";
  Term t = read(tuple);
  ASSERT_TRUE(is_tuple(t));
  EXPECT_EQ(array_count(t), 1000u);
  EXPECT_EQ(print(t), expect_tuple);
  t = read(map);
  ASSERT_TRUE(is_map(t));
  EXPECT_EQ(map_count(t), 200u);
  EXPECT_EQ(get(t, "k0"), "0");
  EXPECT_EQ(get(t, "k150"), "150");
  EXPECT_EQ(get(t, "k199"), "199");
  EXPECT_EQ(get(t, "k200"), "<none>");
  EXPECT_EQ(print(map_key(t, 137)), ":k137");  // insertion order
  size_t i = keep(set);
  Term needle = read("\"s123\"");
  ASSERT_TRUE(is_set(kept(i)));
  EXPECT_EQ(set_count(kept(i)), 200u);
  EXPECT_TRUE(set_contains(kept(i), needle));
}

// --- #bytes and #bits ----------------------------------------------------------------------------

TEST_F(ReaderTest, ByteLiterals) {
  Term t = read("#bytes[0x48 0x65 0x6C]");
  ASSERT_TRUE(is_binary(t));
  EXPECT_EQ(byte_view(t), "Hel");
  t = read("#bytes[]");
  ASSERT_TRUE(is_binary(t));
  EXPECT_EQ(byte_view(t), "");
  EXPECT_EQ(byte_view(read("#bytes[72 101 108]")), "Hel");
  EXPECT_EQ(byte_view(read("#bytes[0 255 0b1 0o7 2r11]")),
            std::string_view("\0\xFF\x01\x07\x03", 5));
  EXPECT_EQ(byte_view(read("#bytes[1,2 #_3 4]")), "\x01\x02\x04");
  EXPECT_EQ(rp("#bytes[0x48 0x65 0x6C]"), "#bytes[0x48 0x65 0x6C]");
  EXPECT_FALSE(same("#bytes[0x61]", "\"a\""));  // a binary is not a string
}

TEST_F(ReaderTest, ByteConstructorWithNonLiteralElements) {
  EXPECT_EQ(rp("#bytes[1 x]"), "(lona.core/bytes 1 x)");
  EXPECT_EQ(rp("#bytes[1 & rest]"), "(lona.core/bytes 1 & rest)");
  EXPECT_EQ(rp("#bytes[(f a) 2 y]"), "(lona.core/bytes (f a) 2 y)");
  EXPECT_EQ(rp("#bytes[x]"), "(lona.core/bytes x)");
  Term t = read("#bytes[x]");
  ASSERT_TRUE(t.is_cons());
  EXPECT_EQ(name_of(list_head(t)), "lona.core/bytes");
}

TEST_F(ReaderTest, ByteStrings) {
  EXPECT_EQ(byte_view(read(R"(#bytes"Hello")")), "Hello");
  EXPECT_EQ(rp(R"(#bytes"Hello")"), "#bytes[0x48 0x65 0x6C 0x6C 0x6F]");
  EXPECT_EQ(byte_view(read("#bytes\"caf\xC3\xA9\"")), "caf\xC3\xA9");  // UTF-8 by default
  EXPECT_EQ(byte_view(read(R"(#bytes"a\n\u0041")")), "a\nA");
  EXPECT_EQ(byte_view(read(R"(#bytes"")")), "");
  EXPECT_EQ(rp(R"(#bytes/ascii"Hello")"), "#bytes[0x48 0x65 0x6C 0x6C 0x6F]");
  EXPECT_EQ(rp("#bytes/latin1\"caf\xC3\xA9\""), "#bytes[0x63 0x61 0x66 0xE9]");
  EXPECT_EQ(rp(R"(#bytes/latin1"\u00FF")"), "#bytes[0xFF]");
  EXPECT_EQ(rp(R"(#bytes/ascii"\u007F")"), "#bytes[0x7F]");
  EXPECT_TRUE(is_binary(read(R"(#bytes/ascii"")")));
}

TEST_F(ReaderTest, BitSyntax) {
  EXPECT_EQ(rp("#bits[v:4 x:16/be & rest]"), "(lona.core/bits [v 4] [x 16 :be] & rest)");
  EXPECT_EQ(rp("#bits[version:4 ihl:4 tos:8 len:16/be]"),
            "(lona.core/bits [version 4] [ihl 4] [tos 8] [len 16 :be])");
  EXPECT_EQ(rp("#bits[v]"), "(lona.core/bits [v])");
  EXPECT_EQ(rp("#bits[]"), "(lona.core/bits)");
  EXPECT_EQ(rp("#bits[1:8 0xFF:8]"), "(lona.core/bits [1 8] [255 8])");
  EXPECT_EQ(rp("#bits[x:n/signed/le]"), "(lona.core/bits [x n :signed :le])");
  EXPECT_EQ(rp("#bits[a:1/be b:2/le c:3/native d:4/signed e:5/unsigned f:6/bytes]"),
            "(lona.core/bits [a 1 :be] [b 2 :le] [c 3 :native] [d 4 :signed] [e 5 :unsigned] "
            "[f 6 :bytes])");
  EXPECT_EQ(rp("#bits[(f a):8 \"ab\":16/bytes]"), "(lona.core/bits [(f a) 8] [\"ab\" 16 :bytes])");
  EXPECT_EQ(rp("#bits[v:+8]"), "(lona.core/bits [v 8])");
  EXPECT_EQ(rp("#bits[& r]"), "(lona.core/bits & r)");
  EXPECT_EQ(rp("#bits[a:8,b:8]"), "(lona.core/bits [a 8] [b 8])");
  Term t = read("#bits[x:16/be]");
  ASSERT_TRUE(t.is_cons());
  Term seg = list_head(list_tail(t));
  ASSERT_TRUE(is_tuple(seg));
  EXPECT_TRUE(array_at(seg, 0).is_symbol());
  EXPECT_TRUE(array_at(seg, 1).is_fixnum());
  EXPECT_TRUE(array_at(seg, 2).is_keyword());
}

// --- quote and friends ---------------------------------------------------------------------------

TEST_F(ReaderTest, QuoteVarUnquote) {
  EXPECT_EQ(rp("'x"), "(quote x)");
  EXPECT_EQ(rp("' x"), "(quote x)");
  EXPECT_EQ(rp("''x"), "(quote (quote x))");
  EXPECT_EQ(rp("'(1 2)"), "(quote (1 2))");
  EXPECT_EQ(rp("'()"), "(quote ())");
  EXPECT_EQ(rp("#'x"), "(var x)");
  EXPECT_EQ(rp("#'lona.core/map"), "(var lona.core/map)");
  EXPECT_EQ(rp("~x"), "(unquote x)");
  EXPECT_EQ(rp("~@xs"), "(unquote-splicing xs)");
  EXPECT_EQ(rp("~(f x)"), "(unquote (f x))");
  EXPECT_EQ(rp("['a #'b ~c ~@d]"), "[(quote a) (var b) (unquote c) (unquote-splicing d)]");
  Term t = read("'x");
  ASSERT_TRUE(t.is_cons());
  EXPECT_EQ(list_head(t), make_symbol("quote"));
  EXPECT_EQ(list_head(list_tail(t)), make_symbol("x"));
  EXPECT_TRUE(list_tail(list_tail(t)).is_empty_list());
}

// --- syntax-quote --------------------------------------------------------------------------------

TEST_F(ReaderTest, SyntaxQuoteExpansionShape) {
  EXPECT_EQ(rp("`(a ~x ~@xs)"),
            "(lona.core/concat (lona.core/list (quote a)) (lona.core/list x) xs)");
  EXPECT_EQ(rp("`(a (b ~c))"),
            "(lona.core/concat (lona.core/list (quote a)) (lona.core/list (lona.core/concat "
            "(lona.core/list (quote b)) (lona.core/list c))))");
  EXPECT_EQ(rp("`(f ~(g x))"),
            "(lona.core/concat (lona.core/list (quote f)) (lona.core/list (g x)))");
  EXPECT_EQ(rp("`(1 :k \"s\")"),
            "(lona.core/concat (lona.core/list 1) (lona.core/list :k) (lona.core/list \"s\"))");
}

TEST_F(ReaderTest, SyntaxQuoteAtoms) {
  EXPECT_EQ(rp("`a"), "(quote a)");
  EXPECT_EQ(rp("`lona.core/a"), "(quote lona.core/a)");
  EXPECT_EQ(rp("`1"), "1");
  EXPECT_EQ(rp("`:k"), ":k");
  EXPECT_EQ(rp("`\"s\""), "\"s\"");
  EXPECT_EQ(rp("`nil"), "nil");
  EXPECT_EQ(rp("`\\a"), "\\a");
  EXPECT_EQ(rp("`()"), "()");
  EXPECT_EQ(rp("`~x"), "x");
  EXPECT_EQ(rp("`~(f x)"), "(f x)");
}

TEST_F(ReaderTest, SyntaxQuoteCollectionsApplyConstructors) {
  EXPECT_EQ(rp("`[a ~b ~@c]"),
            "(lona.core/apply lona.core/tuple (lona.core/concat (lona.core/list (quote a)) "
            "(lona.core/list b) c))");
  EXPECT_EQ(rp("`{a}"),
            "(lona.core/apply lona.core/vector (lona.core/concat (lona.core/list (quote a))))");
  EXPECT_EQ(rp("`%{:a ~b}"),
            "(lona.core/apply lona.core/hash-map (lona.core/concat (lona.core/list :a) "
            "(lona.core/list b)))");
  EXPECT_EQ(rp("`#{a}"),
            "(lona.core/apply lona.core/hash-set (lona.core/concat (lona.core/list (quote a))))");
  EXPECT_EQ(rp("`[]"), "(lona.core/apply lona.core/tuple (lona.core/concat))");
  EXPECT_EQ(rp("``a"),
            "(lona.core/concat (lona.core/list (quote quote)) (lona.core/list (quote a)))");
}

TEST_F(ReaderTest, SyntaxQuoteKeepsMetadataOfCollections) {
  EXPECT_EQ(rp("`^:m [a]"),
            "(lona.core/with-meta (lona.core/apply lona.core/tuple (lona.core/concat "
            "(lona.core/list (quote a)))) (lona.core/apply lona.core/hash-map (lona.core/concat "
            "(lona.core/list :m) (lona.core/list true))))");
}

TEST_F(ReaderTest, SyntaxQuoteUsesResolveSymbol) {
  std::vector<std::string> asked;
  ReaderOptions options;
  options.resolve_symbol = [&asked](Term s) {
    std::string name = name_of(s);
    asked.push_back(name);
    if (name == "map") return make_symbol("lona.core/map");
    if (name == "foo") return make_symbol("user/foo");
    return s;  // names no var: stays as written
  };
  EXPECT_EQ(rp("`(map foo bar lona.core/x)", options),
            "(lona.core/concat (lona.core/list (quote lona.core/map)) (lona.core/list (quote "
            "user/foo)) (lona.core/list (quote bar)) (lona.core/list (quote lona.core/x)))");
  EXPECT_EQ(asked, (std::vector<std::string>{"map", "foo", "bar"}));  // qualified: not asked

  asked.clear();
  EXPECT_EQ(rp("`(a ~b ~@c)", options),
            "(lona.core/concat (lona.core/list (quote a)) (lona.core/list b) c)");
  EXPECT_EQ(asked, (std::vector<std::string>{"a"}));  // unquoted forms are not touched

  asked.clear();
  EXPECT_EQ(rp("(map foo 'bar)", options), "(map foo (quote bar))");  // outside syntax-quote
  EXPECT_TRUE(asked.empty());
}

TEST_F(ReaderTest, SyntaxQuoteNeverQualifiesSpecialForms) {
  std::vector<std::string> asked;
  ReaderOptions options;
  options.resolve_symbol = [&asked](Term s) {
    asked.push_back(name_of(s));
    return make_symbol("user/" + name_of(s));
  };
  EXPECT_EQ(rp("`(def fn* match do quote var receive & _ x)", options),
            "(lona.core/concat (lona.core/list (quote def)) (lona.core/list (quote fn*)) "
            "(lona.core/list (quote match)) (lona.core/list (quote do)) (lona.core/list (quote "
            "quote)) (lona.core/list (quote var)) (lona.core/list (quote receive)) (lona.core/list "
            "(quote &)) (lona.core/list (quote _)) (lona.core/list (quote user/x)))");
  EXPECT_EQ(asked, (std::vector<std::string>{"x"}));
}

TEST_F(ReaderTest, SyntaxQuoteWithoutResolverKeepsSymbols) {
  EXPECT_EQ(rp("`(map x)"),
            "(lona.core/concat (lona.core/list (quote map)) (lona.core/list (quote x)))");
}

// The distinct auto-gensym names (x__N__auto__) in `printed`, and how often each occurs.
std::vector<std::string> gensyms(const std::string& printed, const std::string& prefix) {
  std::regex re(prefix + "__[0-9]+__auto__");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(printed.begin(), printed.end(), re);
       it != std::sregex_iterator(); ++it) {
    out.push_back(it->str());
  }
  return out;
}

TEST_F(ReaderTest, AutoGensymConsistentWithinOneSyntaxQuote) {
  std::vector<std::string> seen;
  ReaderOptions options;
  options.resolve_symbol = [&seen](Term s) {
    seen.push_back(name_of(s));
    return s;
  };
  std::string printed = rp("`(let* [x# 1 y# 2] (f x# [y# {x#}]))", options);
  EXPECT_EQ(printed.find('#'), std::string::npos) << printed;
  std::vector<std::string> xs = gensyms(printed, "x"), ys = gensyms(printed, "y");
  ASSERT_EQ(xs.size(), 3u) << printed;
  ASSERT_EQ(ys.size(), 2u) << printed;
  EXPECT_EQ(std::set<std::string>(xs.begin(), xs.end()).size(), 1u) << printed;
  EXPECT_EQ(std::set<std::string>(ys.begin(), ys.end()).size(), 1u) << printed;
  EXPECT_NE(xs[0], ys[0]);
  for (const std::string& s : seen) EXPECT_EQ(s.find('#'), std::string::npos) << s;  // not resolved
}

TEST_F(ReaderTest, AutoGensymDiffersAcrossSyntaxQuotes) {
  std::vector<std::string> a = gensyms(rp("`x#"), "x"), b = gensyms(rp("`x#"), "x");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(a[0], b[0]);
  // Two syntax-quotes inside one top-level form are two scopes too.
  std::vector<std::string> both = gensyms(rp("[`x# `(x# x#)]"), "x");
  ASSERT_EQ(both.size(), 3u);
  EXPECT_NE(both[0], both[1]);
  EXPECT_EQ(both[1], both[2]);
}

// --- metadata ------------------------------------------------------------------------------------

TEST_F(ReaderTest, MetadataKeywordShorthand) {
  Term t = read("^:private foo");
  ASSERT_TRUE(is_any_symbol(t));
  EXPECT_EQ(name_of(t), "foo");
  EXPECT_EQ(print(meta_of(t)), "%{:private true}");
  EXPECT_EQ(print(t), "foo");  // metadata is never printed
  EXPECT_TRUE(same("^:private foo", "foo"));
}

TEST_F(ReaderTest, MetadataMapSymbolAndString) {
  Term t = read(R"(^%{:doc "d" :k 1} [1 2])");
  ASSERT_TRUE(is_tuple(t));
  EXPECT_EQ(array_count(t), 2u);
  EXPECT_EQ(get(meta_of(t), "doc"), "\"d\"");
  EXPECT_EQ(get(meta_of(t), "k"), "1");
  t = read("^String x");
  EXPECT_EQ(print(meta_of(t)), "%{:tag String}");
  t = read(R"(^"str" x)");
  EXPECT_EQ(print(meta_of(t)), "%{:tag \"str\"}");
  t = read("^my.ns/T x");
  EXPECT_EQ(print(meta_of(t)), "%{:tag my.ns/T}");
}

TEST_F(ReaderTest, SeveralMetadataPrefixesMergeInnerWins) {
  Term t = read("^:a ^:b x");
  EXPECT_EQ(get(meta_of(t), "a"), "true");
  EXPECT_EQ(get(meta_of(t), "b"), "true");
  EXPECT_EQ(map_count(meta_of(t)), 2u);
  t = read("^%{:k 1 :o 1} ^%{:k 2} x");
  EXPECT_EQ(get(meta_of(t), "k"), "2");
  EXPECT_EQ(get(meta_of(t), "o"), "1");
  t = read("^%{:k 1} ^%{:k 2} ^%{:k 3} [x]");
  EXPECT_EQ(get(meta_of(t), "k"), "3");
  t = read("^Outer ^Inner x");
  EXPECT_EQ(get(meta_of(t), "tag"), "Inner");
  t = read("^%{:tag Outer :o 1} ^Inner x");
  EXPECT_EQ(get(meta_of(t), "tag"), "Inner");
  EXPECT_EQ(get(meta_of(t), "o"), "1");
}

TEST_F(ReaderTest, MetadataOnEveryKindThatCarriesIt) {
  const char* sources[] = {"^:m sym",  "^:m [1]", "^:m {1}", "^:m %{:a 1}",
                           "^:m #{1}", "^:m []",  "^:m %{}"};
  for (const char* src : sources) {
    Term t = read(src);
    EXPECT_EQ(get(meta_of(t), "m"), "true") << src;
    EXPECT_EQ(print(t), std::string(src).substr(4)) << src;
  }
  EXPECT_EQ(rp("[^:k x y]"), "[x y]");
  Term t = read("[^:k x y]");
  EXPECT_EQ(get(meta_of(array_at(t, 0)), "k"), "true");
  EXPECT_TRUE(meta_of(array_at(t, 1)).is_nil());
  EXPECT_TRUE(same("^:k [1 2]", "[1 2]"));
  EXPECT_TRUE(same("^:k %{:a 1}", "%{:a 1}"));
}

// --- discard, anonymous functions, comments ------------------------------------------------------

TEST_F(ReaderTest, Discard) {
  EXPECT_EQ(rp("#_ 1 2"), "2");
  EXPECT_EQ(rp("#_1 2"), "2");
  EXPECT_EQ(rp("[1 #_2 3]"), "[1 3]");
  EXPECT_EQ(rp("[1 #_(+ 1 1) 3]"), "[1 3]");
  EXPECT_EQ(rp("(+ 1 #_2 3)"), "(+ 1 3)");
  EXPECT_EQ(rp("#_ #_ 1 2 3"), "3");
  EXPECT_EQ(rp("[#_ #_ 1 2 3]"), "[3]");
  EXPECT_EQ(rp("(a #_ b)"), "(a)");
  EXPECT_EQ(rp("%{:a #_ x 1}"), "%{:a 1}");
  EXPECT_EQ(rp("#_[1 2 (3)] x"), "x");
  EXPECT_EQ(rp("#_ #{1 2} #_ \"s\" #_ %{:a 1} y"), "y");
  EXPECT_EQ(rp("[#_ ^:m x y]"), "[y]");
  EXPECT_EQ(rp("'#_a b"), "(quote b)");
  EXPECT_EQ(read_all("#_ x"), std::vector<std::string>{});
  EXPECT_EQ(read_all("1 #_ 2 3"), (std::vector<std::string>{"1", "3"}));
}

TEST_F(ReaderTest, AnonymousFunctions) {
  EXPECT_EQ(rp("#(+ % 1)"), "(fn* [%] (+ % 1))");
  EXPECT_EQ(rp("#(+ %1 %2)"), "(fn* [%1 %2] (+ %1 %2))");
  EXPECT_EQ(rp("#(apply + %&)"), "(fn* [& %&] (apply + %&))");
  EXPECT_EQ(rp("#(* %1 %3)"), "(fn* [%1 %2 %3] (* %1 %3))");  // arity = highest %n
  EXPECT_EQ(rp("#(- %2 %1)"), "(fn* [%1 %2] (- %2 %1))");
  EXPECT_EQ(rp("#(apply + %1 %&)"), "(fn* [%1 & %&] (apply + %1 %&))");
  EXPECT_EQ(rp("#(% %&)"), "(fn* [% & %&] (% %&))");
  EXPECT_EQ(rp("#(foo)"), "(fn* [] (foo))");
  EXPECT_EQ(rp("#()"), "(fn* [] ())");
  EXPECT_EQ(rp("#(f [%2 {%1}] %{:k %3})"), "(fn* [%1 %2 %3] (f [%2 {%1}] %{:k %3}))");
  EXPECT_EQ(rp("[#(%1) #(%2)]"), "[(fn* [%1] (%1)) (fn* [%1 %2] (%2))]");
  EXPECT_EQ(rp("(%1 % %&)"), "(%1 % %&)");  // outside #(...) they are plain symbols
  Term t = read("#(+ %1 %2)");
  ASSERT_TRUE(t.is_cons());
  EXPECT_EQ(list_head(t), make_symbol("fn*"));
  Term params = list_head(list_tail(t));
  ASSERT_TRUE(is_tuple(params));  // the parameter list is a tuple
  EXPECT_EQ(array_count(params), 2u);
}

TEST_F(ReaderTest, Comments) {
  EXPECT_EQ(rp("; comment\n42"), "42");
  EXPECT_EQ(rp("42 ; trailing"), "42");
  EXPECT_EQ(rp("#!/usr/bin/env lona\n42"), "42");
  EXPECT_EQ(rp("(1 ; c ) ]\n 2)"), "(1 2)");
  EXPECT_EQ(rp("[1 #! x ]\n 2]"), "[1 2]");
  EXPECT_EQ(rp(";;; a\n;; b\n\n:k ; c"), ":k");
  EXPECT_EQ(rp("\"; not a comment\""), "\"; not a comment\"");
  EXPECT_EQ(read_all("; only a comment"), std::vector<std::string>{});
  EXPECT_EQ(read_all("; a\n#! b\n  ; c"), std::vector<std::string>{});
  EXPECT_EQ(read_all(""), std::vector<std::string>{});
}

// --- reading several forms
// ------------------------------------------------------------------------

TEST_F(ReaderTest, ReaderDeliversEveryTopLevelForm) {
  const std::string src = "1 (2) [3] :k \"s\" ; c\n {4}\n%{:a 1} #{5} 'q";
  Reader reader(heap_, src);
  std::vector<std::string> got;
  std::vector<size_t> offsets;
  Term form;
  Reader::Status s;
  while ((s = reader.next(&form)) == Reader::Status::kForm) {
    got.push_back(print(form));
    offsets.push_back(reader.offset());
  }
  EXPECT_EQ(s, Reader::Status::kEnd);
  EXPECT_EQ(got, (std::vector<std::string>{"1", "(2)", "[3]", ":k", "\"s\"", "{4}", "%{:a 1}",
                                           "#{5}", "(quote q)"}));
  ASSERT_EQ(offsets.size(), 9u);
  EXPECT_EQ(offsets[0], 1u);  // just past "1"
  EXPECT_EQ(offsets[1], 5u);  // just past "(2)"
  for (size_t i = 1; i < offsets.size(); ++i) EXPECT_GT(offsets[i], offsets[i - 1]);
  EXPECT_EQ(reader.next(&form), Reader::Status::kEnd);  // stays at the end
  EXPECT_EQ(reader.next(&form), Reader::Status::kEnd);
}

TEST_F(ReaderTest, ReadOne) {
  Term form;
  ReadError error;
  EXPECT_EQ(read_one(heap_, "  42  ; c\n #_ x\n", &form, &error), Reader::Status::kForm);
  EXPECT_EQ(print(form), "42");
  EXPECT_EQ(read_one(heap_, "", &form, &error), Reader::Status::kEnd);
  EXPECT_EQ(read_one(heap_, " ; nothing\n", &form, &error), Reader::Status::kEnd);
  EXPECT_EQ(read_one(heap_, "(a [b])", &form, &error), Reader::Status::kForm);
  EXPECT_EQ(print(form), "(a [b])");
}

TEST_F(ReaderTest, FormsSurviveCollectionsWhileReading) {
  // The default heap is tiny, so reading a large nested form collects many times; every part of
  // the result must still be intact.
  std::string src = "[", expect = "[";
  for (int i = 0; i < 300; ++i) {
    std::string n = std::to_string(i);
    std::string item = "(" + n + " \"s" + n + "\" %{:k [" + n + " 1.5]} #{" + n + "N} {" + n +
                       "/7 ^:m [x]} 99999999999999999999" + n + "N)";
    std::string printed = "(" + n + " \"s" + n + "\" %{:k [" + n + " 1.5]} #{" + n + "N} {" +
                          print(read(n + "/7")) + " [x]} 99999999999999999999" + n + "N)";
    src += item + " ";
    expect += (i ? " " : "") + printed;
  }
  src += "]";
  expect += "]";
  uint64_t before = heap_.collections();
  EXPECT_EQ(rp(src), expect);
  EXPECT_GT(heap_.collections(), before);
  EXPECT_EQ(rp("`(a [b ~c] %{:k ~@d} #{e})"),
            "(lona.core/concat (lona.core/list (quote a)) (lona.core/list (lona.core/apply "
            "lona.core/tuple (lona.core/concat (lona.core/list (quote b)) (lona.core/list c)))) "
            "(lona.core/list (lona.core/apply lona.core/hash-map (lona.core/concat (lona.core/list "
            ":k) d))) (lona.core/list (lona.core/apply lona.core/hash-set (lona.core/concat "
            "(lona.core/list (quote e))))))");
}

TEST_F(ReaderTest, FormsSurviveACollectionAtEveryAllocation) {
  // Every construct that builds terms from parts, read once normally and once with a collection
  // at every allocation: a part held unrooted across an allocation would change the result.
  const char* sources[] = {
      "(1 [2 {3 %{:a #{4 5}}}] \"s\" 1.5 2/3 99999999999999999999 7u8 42N \\c)",
      "%{:a [1 2] :b %{:c (3)} \"k\" #{:x :y} 1.5 2.5 :a 9}",
      "#{[1] [2] (3) {4} \"five\" 6.0 7/8 99999999999999999999}",
      "^:a ^%{:b [1 2] :c \"d\"} ^T [x ^:m y {z}]",
      "^%{:k 1} ^%{:k 2 :l [3]} %{:m #{4}}",
      "`(a ~b ~@c [d ~e] {f} %{:g ~h} #{i} ^:m [j] (k (l ~@m)))",
      "`[a [b [c [d ~@e]]]]",
      "#(f %1 [%2 {%3}] %{:k %&})",
      "#bytes[1 x (f 2) & rest]",
      "#bytes[0x48 0x65 0x6C 0x6C 0x6F]",
      "#bytes/latin1\"caf\xC3\xA9\"",
      "#bits[v:4 x:16/be/signed (f a):n & rest]",
      "['a #'b ~c ~@d '[e ~f]]",
      "(#_ [1 2] 3 #_ %{:a 1} 4)",
      "[1.5 -0.0 ##Inf 3.14f32 22/7 -7/3 123456789012345678901234567890 -9223372036854775809]",
  };
  std::vector<std::string> expected;
  for (const char* src : sources) expected.push_back(rp(src));
  uint64_t before = heap_.collections();
  heap_.set_stress(true, 0);
  for (size_t i = 0; i < std::size(sources); ++i) {
    EXPECT_EQ(rp(sources[i]), expected[i]) << sources[i];
  }
  EXPECT_GT(heap_.collections() - before, 100u);
  EXPECT_EQ(read_all("[1 2] (3 \"four\") %{:five 5.0}"),
            (std::vector<std::string>{"[1 2]", "(3 \"four\")", "%{:five 5.0}"}));
  heap_.set_stress(false);
}

TEST_F(ReaderTest, NestingUpToTheLimitIsRead) {
  ReaderOptions options;
  options.max_depth = 10;
  std::string open(10, '['), close(10, ']');
  EXPECT_EQ(rp(open + "x" + close, options), open + "x" + close);
  EXPECT_EQ(rp(open + close, options), open + close);
  // The default limit.
  const auto limit = static_cast<size_t>(ReaderOptions{}.max_depth);
  std::string deep_open(limit, '('), deep_close(limit, ')');
  std::string printed = rp(deep_open + "1" + deep_close);
  EXPECT_EQ(printed, deep_open + "1" + deep_close);
}

TEST_F(ReaderTest, FormLineIsWhereEachFormBegins) {
  std::string src = "; comment\n(a\n b)\n\n  c d ; x\n#_ skipped\n\"multi\nline\" e";
  Reader reader(heap_, src);
  std::vector<std::pair<std::string, int>> got;
  Term form;
  while (reader.next(&form) == Reader::Status::kForm) {
    got.emplace_back(print(form), reader.form_line());
  }
  std::vector<std::pair<std::string, int>> want = {
      {"(a b)", 2}, {"c", 5}, {"d", 5}, {"\"multi\\nline\"", 7}, {"e", 8}};
  EXPECT_EQ(got, want);

  ReaderOptions later;
  later.first_line = 40;  // text that continues a longer input
  Reader continued(heap_, "\n\nx", later);
  ASSERT_EQ(continued.next(&form), Reader::Status::kForm);
  EXPECT_EQ(continued.form_line(), 42);
}

}  // namespace
}  // namespace lona
