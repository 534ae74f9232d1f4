// Tests for vm/intrinsics through CompilingEvaluator: the numeric tower behind + - * / quot rem mod
// and the comparisons (small integers, bigints, ratios, floats, fixed-width integers, variadics,
// errors), and the collection, type and name intrinsics of lona.core (lonala-reference 3, 4.1, 7,
// 8.1).
//
// Every expression is evaluated twice: on an ordinary heap and on one that collects at every
// allocation, so an intrinsic that holds a term across an allocation is caught. Arithmetic is
// checked through every way a call can reach it: the compiled binary instruction (two arguments),
// the same instruction over registers, and a call of the intrinsic as a function value.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/term/heap.hpp"
#include "runtime/term/number.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace lona {
namespace {

class ArithmeticTest : public ::testing::Test {
 protected:
  void SetUp() override { stress_heap_.set_stress(true); }
  void TearDown() override {
    EXPECT_GT(stress_heap_.collections(), 0u) << "the stress heap never collected";
  }

  // Reads one form and evaluates it: the printed value or "ERROR :reason".
  static std::string eval_on(Heap& heap, CompilingEvaluator& evaluator, const std::string& src,
                             Term* value = nullptr) {
    Term form;
    ReadError error;
    if (read_one(heap, src, &form, &error, evaluator.reader_options()) != Reader::Status::kForm) {
      ADD_FAILURE() << "reading " << src << ": :" << error.reason << " " << error.message;
      return "READ-ERROR :" + error.reason;
    }
    EvalResult r = evaluator.eval(heap, form);
    if (!r.ok) return "ERROR :" + r.error.reason;
    if (value != nullptr) *value = r.value;
    return print(r.value);
  }

  // The result of `src`, which must be the same on the stressed heap.
  std::string eval(const std::string& src) {
    std::string stressed = eval_on(stress_heap_, stress_evaluator_, src);
    std::string plain = eval_on(heap_, evaluator_, src);
    EXPECT_EQ(plain, stressed) << src << " differs when the heap collects at every allocation";
    return plain;
  }

  // The value of `src` (valid until the heap allocates again).
  Term value(const std::string& src) {
    Term v = Term::nil();
    std::string printed = eval_on(heap_, evaluator_, src, &v);
    EXPECT_EQ(printed.rfind("ERROR", 0), std::string::npos) << src << " => " << printed;
    return v;
  }

  // (op a b) through the compiled instruction on constants, the instruction on registers, and the
  // intrinsic called as a value (the variadic native function) must all give `expected`.
  void expect_binary(const std::string& op, const std::string& a, const std::string& b,
                     const std::string& expected) {
    std::string direct = "(" + op + " " + a + " " + b + ")";
    EXPECT_EQ(eval(direct), expected) << direct;
    EXPECT_EQ(eval("((fn* [x y] (" + op + " x y)) " + a + " " + b + ")"), expected)
        << direct << " on registers";
    EXPECT_EQ(eval("((fn* [f x y] (f x y)) " + op + " " + a + " " + b + ")"), expected)
        << direct << " through the native function";
  }

  Heap heap_;
  Heap stress_heap_;
  CompilingEvaluator evaluator_;
  CompilingEvaluator stress_evaluator_;
};

constexpr const char* kFixnumMax = "576460752303423487";  // 2^59 - 1
constexpr const char* kFixnumMin = "-576460752303423488";
constexpr const char* kInt64Max = "9223372036854775807";

// --- small integers ------------------------------------------------------------------------------

TEST_F(ArithmeticTest, SmallIntegers) {
  expect_binary("+", "1", "2", "3");
  expect_binary("-", "1", "2", "-1");
  expect_binary("*", "-6", "7", "-42");
  expect_binary("/", "6", "3", "2");
  expect_binary("quot", "7", "2", "3");
  expect_binary("rem", "7", "2", "1");
  expect_binary("mod", "7", "2", "1");
  expect_binary("+", "40000", "40000", "80000");  // constants beyond the LoadInt immediate
}

TEST_F(ArithmeticTest, QuotRemModSigns) {
  expect_binary("mod", "-7", "3", "2");
  expect_binary("rem", "-7", "3", "-1");
  expect_binary("quot", "-7", "2", "-3");
  expect_binary("mod", "7", "-3", "-2");
  expect_binary("rem", "7", "-3", "1");
  expect_binary("quot", "7", "-2", "-3");
  expect_binary("mod", "-7", "-3", "-1");
  expect_binary("rem", "-7", "-3", "-1");
  expect_binary("mod", "-10", "3", "2");
  expect_binary("mod", "6", "3", "0");
  expect_binary("mod", "-6", "3", "0");
}

TEST_F(ArithmeticTest, Comparisons) {
  expect_binary("<", "1", "2", "true");
  expect_binary("<", "2", "1", "false");
  expect_binary("<", "2", "2", "false");
  expect_binary("<=", "2", "2", "true");
  expect_binary(">", "3", "2", "true");
  expect_binary(">=", "2", "3", "false");
  expect_binary("=", "2", "2", "true");
  expect_binary("=", "2", "3", "false");
  expect_binary("=", "1", ":a", "false");  // = is equality, not only numeric
}

// --- bigints -------------------------------------------------------------------------------------

TEST_F(ArithmeticTest, SixtyBitOverflowPromotesAndComesBackDown) {
  const std::string max = kFixnumMax, min = kFixnumMin;
  expect_binary("+", max, "1", "576460752303423488");
  expect_binary("-", min, "1", "-576460752303423489");
  expect_binary("*", max, "2", "1152921504606846974");
  expect_binary("-", "0", min, "576460752303423488");
  expect_binary("quot", min, "-1", "576460752303423488");
  EXPECT_EQ(eval("(- " + min + ")"), "576460752303423488");
  EXPECT_EQ(eval("(integer? (+ " + max + " 1))"), "true");
  EXPECT_EQ(eval("(type (+ " + max + " 1))"), ":integer");
  // Back in range, the result is a small integer again and equal to one.
  EXPECT_TRUE(value("(- (+ " + max + " 1) 1)").is_fixnum());
  EXPECT_TRUE(value("((fn* [x] (- x 1)) (+ " + max + " 1))").is_fixnum());
  EXPECT_EQ(eval("(= (- (+ " + max + " 1) 1) " + max + ")"), "true");
  EXPECT_FALSE(value("(+ " + max + " 1)").is_fixnum());
}

TEST_F(ArithmeticTest, SixtyFourBitOverflowPromotesAndComesBackDown) {
  const std::string max = kInt64Max;
  // Past 64 bits a bigint prints with N (lonala-reference 8.1 #9).
  expect_binary("+", max, "1", "9223372036854775808N");
  expect_binary("*", "4611686018427387904", "2", "9223372036854775808N");
  expect_binary("*", kFixnumMax, kFixnumMax, "332306998946228967073030260463239169N");
  expect_binary("-", "0", "-9223372036854775808", "9223372036854775808N");
  expect_binary("quot", "-9223372036854775808", "-1", "9223372036854775808N");
  EXPECT_EQ(eval("(- (+ " + max + " 1) 1)"), max);
  EXPECT_TRUE(value("(- (+ " + max + " 1) " + max + ")").is_fixnum());
  EXPECT_EQ(eval("(- (* " + max + " " + max + ") (* " + max + " " + max + "))"), "0");
}

TEST_F(ArithmeticTest, BigintArithmetic) {
  const std::string big = "99999999999999999999";
  expect_binary("*", big, big, "9999999999999999999800000000000000000001N");
  expect_binary("/", "9999999999999999999800000000000000000001", big, "99999999999999999999N");
  expect_binary("quot", "100000000000000000000", "3", "33333333333333333333N");
  expect_binary("rem", "100000000000000000000", "3", "1");
  expect_binary("mod", "-100000000000000000000", "3", "2");
  expect_binary("rem", "-100000000000000000000", "3", "-1");
  expect_binary("<", "-100000000000000000000", "1", "true");
  expect_binary(">", "100000000000000000000", big, "true");
  expect_binary("=", "100000000000000000000", "100000000000000000000", "true");
  EXPECT_EQ(eval("(+ 42N 1)"), "43N");
  EXPECT_EQ(eval("(= 42 42N)"), "true");
  EXPECT_EQ(eval("(< 1 2N)"), "true");
  // 25! through a loop of multiplications.
  EXPECT_EQ(eval("((fn* f [n acc] (match n 0 acc _ (f (- n 1) (* acc n)))) 25 1)"),
            "15511210043330985984000000N");
}

// --- ratios --------------------------------------------------------------------------------------

TEST_F(ArithmeticTest, RatiosAreReduced) {
  expect_binary("/", "1", "3", "1/3");
  expect_binary("/", "4", "6", "2/3");
  expect_binary("/", "1", "-2", "-1/2");
  expect_binary("/", "-4", "-6", "2/3");
  expect_binary("+", "1/3", "2/3", "1");
  expect_binary("*", "2/3", "3/2", "1");
  expect_binary("-", "1/2", "1/2", "0");
  expect_binary("-", "5", "1/2", "9/2");
  expect_binary("+", "1/2", "100000000000000000000", "200000000000000000001/2");
  expect_binary("/", "1/2", "1/4", "2");
  EXPECT_EQ(eval("(+ (/ 1 3) (/ 2 3))"), "1");
  EXPECT_EQ(eval("(integer? (+ 1/3 2/3))"), "true");
  EXPECT_TRUE(value("(+ 1/3 2/3)").is_fixnum());
  EXPECT_EQ(eval("(ratio? (/ 1 3))"), "true");
  EXPECT_EQ(eval("(= 1/2 2/4)"), "true");
}

TEST_F(ArithmeticTest, RatioQuotRemMod) {
  expect_binary("quot", "7/2", "2", "1");
  expect_binary("rem", "7/2", "2", "3/2");
  expect_binary("mod", "7/2", "2", "3/2");
  expect_binary("quot", "-7/2", "2", "-1");
  expect_binary("rem", "-7/2", "2", "-3/2");
  expect_binary("mod", "-7/2", "2", "1/2");
}

TEST_F(ArithmeticTest, RatioComparisons) {
  expect_binary("<", "1/3", "1/2", "true");
  expect_binary("<", "1/2", "1/3", "false");
  expect_binary(">=", "1/2", "2/4", "true");
  expect_binary("<", "1/3", "0.34", "true");
  expect_binary(">", "1/2", "0", "true");
  expect_binary("<", "-1/2", "0", "true");
}

// --- floats --------------------------------------------------------------------------------------

TEST_F(ArithmeticTest, FloatContagion) {
  expect_binary("+", "1", "0.5", "1.5");
  expect_binary("+", "1/2", "0.5", "1.0");
  expect_binary("*", "2", "1.5", "3.0");
  expect_binary("/", "1", "2.0", "0.5");
  expect_binary("+", "0.1", "0.2", "0.30000000000000004");
  expect_binary("+", "100000000000000000000", "0.5", "1.0e20");
  expect_binary("+", "1.5f32", "1.5f32", "3.0f32");
  expect_binary("+", "1.5f32", "1.5", "3.0");  // f32 with f64 is f64
  expect_binary("*", "1.5", "2.0f32", "3.0");
  EXPECT_EQ(eval("(float? (+ 1 0.5))"), "true");
  EXPECT_EQ(eval("(type (* 2 1.5))"), ":float");
}

TEST_F(ArithmeticTest, FloatsFollowIeee) {
  expect_binary("/", "1", "0.0", "##Inf");
  expect_binary("/", "-1", "0.0", "##-Inf");
  expect_binary("/", "1.0", "0", "##Inf");
  expect_binary("-", "##Inf", "##Inf", "##NaN");
  expect_binary("*", "1.0", "##Inf", "##Inf");
  expect_binary("quot", "7.5", "2", "3.0");
  expect_binary("rem", "7.5", "2", "1.5");
  expect_binary("rem", "-7", "2.0", "-1.0");
  expect_binary("mod", "-7.5", "2", "0.5");
  EXPECT_EQ(eval("(- 5.5)"), "-5.5");
}

TEST_F(ArithmeticTest, NanComparisonsAreAllFalse) {
  for (const char* op : {"<", "<=", ">", ">=", "="}) {
    expect_binary(op, "##NaN", "1", "false");
    expect_binary(op, "1", "##NaN", "false");
    expect_binary(op, "##NaN", "##NaN", "false");
    expect_binary(op, "##NaN", "1.0", "false");
    expect_binary(op, "1/2", "##NaN", "false");
  }
  EXPECT_EQ(eval("(< 1 ##NaN 2)"), "false");
  EXPECT_EQ(eval("(>= 2 1 ##NaN)"), "false");
  EXPECT_EQ(eval("(not= ##NaN ##NaN)"), "true");
}

// --- fixed-width integers ------------------------------------------------------------------------

TEST_F(ArithmeticTest, FixedWidthWraps) {
  expect_binary("+", "255u8", "1", "0u8");
  expect_binary("+", "255u8", "1u8", "0u8");
  expect_binary("-", "0u8", "1", "255u8");
  expect_binary("*", "127i8", "2", "-2i8");
  expect_binary("+", "127i8", "1", "-128i8");
  expect_binary("+", "65535u16", "1", "0u16");
  expect_binary("+", "1u64", "18446744073709551615", "0u64");
  expect_binary("+", "9223372036854775807i64", "1", "-9223372036854775808i64");
  expect_binary("-", "-128i8", "1", "127i8");
  EXPECT_EQ(eval("(- 1u8)"), "255u8");
}

TEST_F(ArithmeticTest, FixedWidthWithPlainIntegersKeepsTheFixedKind) {
  expect_binary("+", "1u8", "1", "2u8");
  expect_binary("*", "2", "3u8", "6u8");
  expect_binary("-", "10", "3u8", "7u8");
  expect_binary("/", "7u8", "2", "3u8");
  expect_binary("mod", "-1", "7u16", "6u16");
  EXPECT_EQ(eval("(type (+ 1u8 1))"), ":u8");
  EXPECT_EQ(eval("(type (+ 1 1i32))"), ":i32");
}

TEST_F(ArithmeticTest, FixedWidthKindsDoNotMix) {
  expect_binary("+", "1u8", "1u16", "ERROR :type-error");
  expect_binary("*", "1i32", "1u32", "ERROR :type-error");
  expect_binary("+", "1u8", "1.0", "ERROR :type-error");
  expect_binary("+", "1u8", "1/2", "ERROR :type-error");
  expect_binary("+", "1u8", ":a", "ERROR :type-error");
}

TEST_F(ArithmeticTest, FixedWidthComparisonsAndEquality) {
  expect_binary("<", "1u8", "2", "true");
  expect_binary(">", "200u8", "100u8", "true");
  expect_binary("=", "1u8", "1u8", "true");
  expect_binary("=", "1u8", "1u16", "false");
}

// --- variadics -----------------------------------------------------------------------------------

TEST_F(ArithmeticTest, VariadicArithmetic) {
  EXPECT_EQ(eval("(+)"), "0");
  EXPECT_EQ(eval("(*)"), "1");
  EXPECT_EQ(eval("(+ 7)"), "7");
  EXPECT_EQ(eval("(* 7)"), "7");
  EXPECT_EQ(eval("(- 5)"), "-5");
  EXPECT_EQ(eval("(- 1/2)"), "-1/2");
  EXPECT_EQ(eval("(/ 2)"), "1/2");
  EXPECT_EQ(eval("(/ 1/2)"), "2");
  EXPECT_EQ(eval("(/ 0.0)"), "##Inf");
  EXPECT_EQ(eval("(+ 1 2 3 4 5)"), "15");
  EXPECT_EQ(eval("(- 10 1 2 3)"), "4");
  EXPECT_EQ(eval("(* 1 2 3 4)"), "24");
  EXPECT_EQ(eval("(/ 20 2 5)"), "2");
  EXPECT_EQ(eval("(/ 1 2 3)"), "1/6");
  EXPECT_EQ(eval("(+ 1 1/2 0.5)"), "2.0");
  EXPECT_EQ(eval("(+ 576460752303423487 1 -1 1)"), "576460752303423488");
  EXPECT_EQ(eval("((fn* [f] (f)) +)"), "0");
  EXPECT_EQ(eval("((fn* [f] (f 2)) /)"), "1/2");
}

TEST_F(ArithmeticTest, VariadicArityErrors) {
  EXPECT_EQ(eval("(-)"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(/)"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(<)"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("((fn* [f] (f)) -)"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(quot 1 2 3)"), "ERROR :arity-mismatch");
}

TEST_F(ArithmeticTest, VariadicComparisons) {
  EXPECT_EQ(eval("(< 1 2 3)"), "true");
  EXPECT_EQ(eval("(< 1 3 2)"), "false");
  EXPECT_EQ(eval("(< 1 2 2)"), "false");
  EXPECT_EQ(eval("(<= 1 2 2)"), "true");
  EXPECT_EQ(eval("(> 3 2 1)"), "true");
  EXPECT_EQ(eval("(> 3 1 2)"), "false");
  EXPECT_EQ(eval("(>= 3 3 1)"), "true");
  EXPECT_EQ(eval("(= 1 1 1)"), "true");
  EXPECT_EQ(eval("(= 1 1 2)"), "false");
  EXPECT_EQ(eval("(= 2 1 1)"), "false");
  EXPECT_EQ(eval("(< 1)"), "true");
  EXPECT_EQ(eval("(= 1)"), "true");
  EXPECT_EQ(eval("(not= 1 2)"), "true");
  EXPECT_EQ(eval("(not= 1 1 1)"), "false");
  EXPECT_EQ(eval("(< 1/2 1 1.5 2N 100000000000000000000)"), "true");
}

// --- errors --------------------------------------------------------------------------------------

TEST_F(ArithmeticTest, IntegerAndRatioDivisionByZero) {
  expect_binary("/", "1", "0", "ERROR :division-by-zero");
  expect_binary("/", "1/2", "0", "ERROR :division-by-zero");
  expect_binary("/", "100000000000000000000", "0", "ERROR :division-by-zero");
  expect_binary("quot", "1", "0", "ERROR :division-by-zero");
  expect_binary("rem", "1", "0", "ERROR :division-by-zero");
  expect_binary("mod", "1", "0", "ERROR :division-by-zero");
  expect_binary("quot", "1/2", "0", "ERROR :division-by-zero");
  expect_binary("rem", "1/2", "0", "ERROR :division-by-zero");
  expect_binary("mod", "1/2", "0", "ERROR :division-by-zero");
  expect_binary("/", "1u8", "0", "ERROR :division-by-zero");
  EXPECT_EQ(eval("(/ 0)"), "ERROR :division-by-zero");
  EXPECT_EQ(eval("(/ 1 2 0)"), "ERROR :division-by-zero");
}

TEST_F(ArithmeticTest, NonNumbersAreTypeErrors) {
  expect_binary("+", "1", ":a", "ERROR :type-error");
  expect_binary("+", ":a", "1", "ERROR :type-error");
  expect_binary("-", "1", "nil", "ERROR :type-error");
  expect_binary("*", "\"a\"", "2", "ERROR :type-error");
  expect_binary("/", "1", "[1]", "ERROR :type-error");
  expect_binary("mod", "5", "\"x\"", "ERROR :type-error");
  expect_binary("quot", "1.5", ":a", "ERROR :type-error");
  expect_binary("<", "1", ":a", "ERROR :type-error");
  expect_binary(">=", "nil", "1", "ERROR :type-error");
  expect_binary("+", "100000000000000000000", "'x", "ERROR :type-error");
  EXPECT_EQ(eval("(+ 1 2 :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(+ :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(- \"s\")"), "ERROR :type-error");
  EXPECT_EQ(eval("(< :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(< 1 2 :a)"), "ERROR :type-error");
}

// --- collection intrinsics -----------------------------------------------------------------------

TEST_F(ArithmeticTest, Count) {
  EXPECT_EQ(eval("(count nil)"), "0");
  EXPECT_EQ(eval("(count '(1 2 3))"), "3");
  EXPECT_EQ(eval("(count '())"), "0");
  EXPECT_EQ(eval("(count [1 2])"), "2");
  EXPECT_EQ(eval("(count {1 2 3})"), "3");
  EXPECT_EQ(eval("(count %{:a 1})"), "1");
  EXPECT_EQ(eval("(count #{1 2 3})"), "3");
  EXPECT_EQ(eval("(count \"hello\")"), "5");
  EXPECT_EQ(eval("(count \"h\u00e9llo\")"), "5");  // code points, not bytes
  EXPECT_EQ(eval("(count 5)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, First) {
  EXPECT_EQ(eval("(first nil)"), "nil");
  EXPECT_EQ(eval("(first '())"), "nil");
  EXPECT_EQ(eval("(first '(1 2))"), "1");
  EXPECT_EQ(eval("(first [])"), "nil");
  EXPECT_EQ(eval("(first [1 2])"), "1");
  EXPECT_EQ(eval("(first {3 4})"), "3");
  EXPECT_EQ(eval("(first %{:a 1 :b 2})"), "[:a 1]");
  EXPECT_EQ(eval("(first #{7})"), "7");
  EXPECT_EQ(eval("(first \"abc\")"), "\\a");  // lonala-reference 8.1 #24
  EXPECT_EQ(eval("(first \"\u00e9t\u00e9\")"), "\\\u00e9");
  EXPECT_EQ(eval("(first \"\")"), "nil");
  EXPECT_EQ(eval("(first 5)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, RestAlwaysReturnsAList) {
  EXPECT_EQ(eval("(rest nil)"), "()");
  EXPECT_EQ(eval("(rest '(1))"), "()");
  EXPECT_EQ(eval("(rest '(1 2 3))"), "(2 3)");
  EXPECT_EQ(eval("(rest [1 2 3])"), "(2 3)");
  EXPECT_EQ(eval("(rest {1 2 3})"), "(2 3)");
  EXPECT_EQ(eval("(rest [])"), "()");
  EXPECT_EQ(eval("(rest %{:a 1 :b 2})"), "([:b 2])");
  EXPECT_EQ(eval("(rest \"abc\")"), "(\\b \\c)");
  EXPECT_EQ(eval("(list? (rest [1]))"), "true");
  EXPECT_EQ(eval("(rest 5)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, Nth) {
  EXPECT_EQ(eval("(nth [1 2 3] 0)"), "1");
  EXPECT_EQ(eval("(nth [1 2 3] 2)"), "3");
  EXPECT_EQ(eval("(nth '(1 2 3) 1)"), "2");
  EXPECT_EQ(eval("(nth {1 2 3} 1)"), "2");
  EXPECT_EQ(eval("(nth [1 2 3] 5 :nf)"), ":nf");
  EXPECT_EQ(eval("(nth [1 2 3] -1 :nf)"), ":nf");
  EXPECT_EQ(eval("(nth [1 2 3] 3)"), "ERROR :index-out-of-bounds");
  EXPECT_EQ(eval("(nth [1 2 3] -1)"), "ERROR :index-out-of-bounds");
  EXPECT_EQ(eval("(nth [] 5)"), "ERROR :index-out-of-bounds");
  EXPECT_EQ(eval("(nth '() 0)"), "ERROR :index-out-of-bounds");
  EXPECT_EQ(eval("(nth [1 2] :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(nth 5 0)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, Get) {
  EXPECT_EQ(eval("(get %{:a 1} :a)"), "1");
  EXPECT_EQ(eval("(get %{:a 1} :b)"), "nil");
  EXPECT_EQ(eval("(get %{:a 1} :b :d)"), ":d");
  EXPECT_EQ(eval("(get %{:a nil} :a :d)"), "nil");
  EXPECT_EQ(eval("(get %{[1 2] :t} [1 2])"), ":t");
  EXPECT_EQ(eval("(get [1 2] 1)"), "2");
  EXPECT_EQ(eval("(get [1 2] 5 :d)"), ":d");
  EXPECT_EQ(eval("(get {1 2} 0)"), "1");
  EXPECT_EQ(eval("(get #{1 2} 2)"), "2");
  EXPECT_EQ(eval("(get #{1 2} 3)"), "nil");
  EXPECT_EQ(eval("(get nil :a)"), "nil");
  EXPECT_EQ(eval("(get nil :a :d)"), ":d");
}

TEST_F(ArithmeticTest, Put) {
  EXPECT_EQ(eval("(put %{:a 1} :b 2)"), "%{:a 1 :b 2}");
  EXPECT_EQ(eval("(put %{:a 1 :b 2} :a 3)"), "%{:a 3 :b 2}");  // replaced in place
  EXPECT_EQ(eval("(count (put %{:a 1 :b 2} :a 3))"), "2");
  EXPECT_EQ(eval("(put nil :a 1)"), "%{:a 1}");
  EXPECT_EQ(eval("(put %{} (str \"k\" 1) [(+ 1 1)])"), "%{\"k1\" [2]}");
  EXPECT_EQ(eval("(put [1] 0 2)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, ContainsP) {
  EXPECT_EQ(eval("(contains? %{:a 1} :a)"), "true");
  EXPECT_EQ(eval("(contains? %{:a 1} :b)"), "false");
  EXPECT_EQ(eval("(contains? %{:a nil} :a)"), "true");
  EXPECT_EQ(eval("(contains? #{1 2} 2)"), "ERROR :type-error");  // maps only (reference 4.1)
  EXPECT_EQ(eval("(contains? [1 2 3] 0)"), "ERROR :type-error");
  EXPECT_EQ(eval("[(#{1 2} 2) (get #{1 2} 3)]"), "[2 nil]");  // a set's membership
}

TEST_F(ArithmeticTest, Concat) {
  EXPECT_EQ(eval("(concat)"), "()");
  EXPECT_EQ(eval("(concat [1 2] '(3) {4} nil [])"), "(1 2 3 4)");
  EXPECT_EQ(eval("(concat %{:a 1})"), "([:a 1])");
  EXPECT_EQ(eval("(list? (concat [1]))"), "true");
  EXPECT_EQ(eval("(concat [1] 5)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, PrependAndAppend) {
  EXPECT_EQ(eval("(prepend '(2 3) 1)"), "(1 2 3)");
  EXPECT_EQ(eval("(prepend '() 1)"), "(1)");
  EXPECT_EQ(eval("(prepend nil 1)"), "(1)");
  EXPECT_EQ(eval("(prepend [1] 0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(append [1 2] 3)"), "[1 2 3]");
  EXPECT_EQ(eval("(append {1 2} 3)"), "{1 2 3}");
  EXPECT_EQ(eval("(append [] [1])"), "[[1]]");
  EXPECT_EQ(eval("(append '(1) 2)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, Type) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"nil", ":nil"},   {"true", ":boolean"},  {"1", ":integer"}, {"1N", ":integer"},
      {"1.5", ":float"}, {"1/2", ":ratio"},     {"\\a", ":char"},  {"\"s\"", ":string"},
      {"'a", ":symbol"}, {":k", ":keyword"},    {"'(1)", ":list"}, {"'()", ":list"},
      {"[1]", ":tuple"}, {"{1}", ":vector"},    {"%{}", ":map"},   {"#{}", ":set"},
      {"+", ":fn"},      {"(fn* [] 1)", ":fn"}, {"#'+", ":var"},   {"1u8", ":u8"},
      {"1i64", ":i64"},
  };
  for (const auto& [src, expected] : cases) EXPECT_EQ(eval("(type " + src + ")"), expected) << src;
}

// --- strings, symbols, keywords ------------------------------------------------------------------

TEST_F(ArithmeticTest, Str) {
  EXPECT_EQ(eval("(str)"), "\"\"");
  EXPECT_EQ(eval("(str \"a\" \"b\")"), "\"ab\"");
  EXPECT_EQ(eval("(str nil)"), "\"\"");
  EXPECT_EQ(eval("(str 1 :a 'b \\c \"d\" nil [1 \"x\"])"), "\"1:abcd[1 \\\"x\\\"]\"");
  EXPECT_EQ(eval("(str 1/2 1.5 100000000000000000000)"), "\"1/21.5100000000000000000000N\"");
}

TEST_F(ArithmeticTest, Symbol) {
  EXPECT_EQ(eval("(symbol \"foo\")"), "foo");
  EXPECT_EQ(eval("(symbol \"a.b\" \"c\")"), "a.b/c");
  EXPECT_EQ(eval("(symbol 'x)"), "x");
  EXPECT_EQ(eval("(symbol :kw)"), "kw");
  EXPECT_EQ(eval("(= (symbol \"foo\") 'foo)"), "true");
  EXPECT_EQ(eval("(symbol? (symbol \"foo\"))"), "true");
  EXPECT_EQ(eval("(symbol 5)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, Keyword) {
  EXPECT_EQ(eval("(keyword \"foo\")"), ":foo");
  EXPECT_EQ(eval("(keyword \"a\" \"b\")"), ":a/b");
  EXPECT_EQ(eval("(keyword 'sym)"), ":sym");
  EXPECT_EQ(eval("(keyword :k)"), ":k");
  EXPECT_EQ(eval("(= (keyword \"a\" \"b\") :a/b)"), "true");
  EXPECT_EQ(eval("(keyword 5)"), "ERROR :type-error");
}

TEST_F(ArithmeticTest, NameAndNamespace) {
  EXPECT_EQ(eval("(name :foo)"), "\"foo\"");
  EXPECT_EQ(eval("(name :a/b)"), "\"b\"");
  EXPECT_EQ(eval("(name 'x.y/z)"), "\"z\"");
  EXPECT_EQ(eval("(name \"s\")"), "\"s\"");
  EXPECT_EQ(eval("(name 5)"), "ERROR :type-error");
  EXPECT_EQ(eval("(namespace :a/b)"), "\"a\"");
  EXPECT_EQ(eval("(namespace 'x.y/z)"), "\"x.y\"");
  EXPECT_EQ(eval("(namespace :b)"), "nil");
  EXPECT_EQ(eval("(namespace 'b)"), "nil");
  EXPECT_EQ(eval("(namespace \"s\")"), "ERROR :type-error");
}

}  // namespace
}  // namespace lona
