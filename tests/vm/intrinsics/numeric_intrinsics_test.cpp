// Tests for vm/intrinsics/numeric_intrinsics.cpp through CompilingEvaluator: fixed-width
// coercions, char, numerator/denominator, checked and saturating arithmetic, the bitwise family,
// byte order and masks (lonala-reference 4.1, 7 and 8.1 #9).
#include <gtest/gtest.h>

#include <string>

#include "runtime/term/heap.hpp"
#include "tests/support/eval_fixture.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace lona {
namespace {

class NumericIntrinsicsTest : public EvalTest {};

// --- fixed-width coercions ---------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, CoercionsKeepValuesThatFit) {
  EXPECT_EQ(eval("(u8 42)"), "42u8");
  EXPECT_EQ(eval("(u16 1000)"), "1000u16");
  EXPECT_EQ(eval("(u32 100000)"), "100000u32");
  EXPECT_EQ(eval("(u64 42)"), "42u64");
  EXPECT_EQ(eval("(i8 -50)"), "-50i8");
  EXPECT_EQ(eval("(i16 -1000)"), "-1000i16");
  EXPECT_EQ(eval("(i32 -100000)"), "-100000i32");
  EXPECT_EQ(eval("(i64 -42)"), "-42i64");
}

TEST_F(NumericIntrinsicsTest, CoercionsWrapTwosComplement) {
  EXPECT_EQ(eval("(u8 255)"), "255u8");
  EXPECT_EQ(eval("(u8 256)"), "0u8");
  EXPECT_EQ(eval("(u8 -1)"), "255u8");
  EXPECT_EQ(eval("(i8 127)"), "127i8");
  EXPECT_EQ(eval("(i8 128)"), "-128i8");
  EXPECT_EQ(eval("(i8 -129)"), "127i8");
  EXPECT_EQ(eval("(u16 65537)"), "1u16");
  EXPECT_EQ(eval("(u16 -1)"), "65535u16");
  EXPECT_EQ(eval("(u32 4294967296)"), "0u32");
  EXPECT_EQ(eval("(u32 -1)"), "4294967295u32");
  EXPECT_EQ(eval("(i16 32768)"), "-32768i16");
  EXPECT_EQ(eval("(i32 -2147483649)"), "2147483647i32");
}

TEST_F(NumericIntrinsicsTest, CoercionsAtSixtyFourBitsAndBeyond) {
  EXPECT_EQ(eval("(u64 -1)"), "18446744073709551615u64");
  EXPECT_EQ(eval("(i64 9223372036854775808)"), "-9223372036854775808i64");
  EXPECT_EQ(eval("(i64 18446744073709551615)"), "-1i64");
  EXPECT_EQ(eval("(u64 18446744073709551616)"), "0u64");  // 2^64
  EXPECT_EQ(eval("(u8 100000000000000000000000000001)"), "1u8");
  EXPECT_EQ(eval("(u8 -100000000000000000000000000001)"), "255u8");
}

TEST_F(NumericIntrinsicsTest, CoercionsFromFixedWidthAndChars) {
  EXPECT_EQ(eval("(u8 300u16)"), "44u8");
  EXPECT_EQ(eval("(u8 -1i32)"), "255u8");
  EXPECT_EQ(eval("(i8 200u8)"), "-56i8");
  EXPECT_EQ(eval("(u32 -1i8)"), "4294967295u32");
  EXPECT_EQ(eval("(u32 \\a)"), "97u32");
}

TEST_F(NumericIntrinsicsTest, CoercionsRejectNonIntegers) {
  EXPECT_EQ(eval("(u8 1.5)"), "ERROR :type-error");
  EXPECT_EQ(eval("(i32 1/2)"), "ERROR :type-error");
  EXPECT_EQ(eval("(u16 \"1\")"), "ERROR :type-error");
  EXPECT_EQ(eval("(u8 nil)"), "ERROR :type-error");
}

// --- char ----------------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, CharFromCodePoint) {
  EXPECT_EQ(eval("(char 65)"), "\\A");
  EXPECT_EQ(eval("(char 97)"), "\\a");
  EXPECT_EQ(eval("(char 10)"), "\\newline");
  EXPECT_EQ(eval("(u32 (char 0x10FFFF))"), "1114111u32");
  EXPECT_EQ(eval("(char? (char 0x10FFFF))"), "true");
  EXPECT_EQ(eval("(char 97u8)"), "\\a");
  EXPECT_EQ(eval("(char \\z)"), "\\z");
  EXPECT_EQ(eval("(u32 (char 0xD7FF))"), "55295u32");  // around the surrogates
  EXPECT_EQ(eval("(u32 (char 0xE000))"), "57344u32");
}

TEST_F(NumericIntrinsicsTest, CharRejectsNonScalarValues) {
  EXPECT_EQ(eval("(char -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(char 0xD800)"), "ERROR :badarg");
  EXPECT_EQ(eval("(char 0xDFFF)"), "ERROR :badarg");
  EXPECT_EQ(eval("(char 0x110000)"), "ERROR :badarg");
  EXPECT_EQ(eval("(char 100000000000000000000000)"), "ERROR :badarg");
  EXPECT_EQ(eval("(char \"a\")"), "ERROR :type-error");
  EXPECT_EQ(eval("(char 65.0)"), "ERROR :type-error");
}

// --- numerator / denominator ---------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, RatioParts) {
  EXPECT_EQ(eval("(numerator 22/7)"), "22");
  EXPECT_EQ(eval("(denominator 22/7)"), "7");
  EXPECT_EQ(eval("(numerator 6/4)"), "3");
  EXPECT_EQ(eval("(denominator 6/4)"), "2");
  EXPECT_EQ(eval("(numerator -1/3)"), "-1");
  EXPECT_EQ(eval("(denominator -1/3)"), "3");
  EXPECT_EQ(eval("(numerator (/ 1 -3))"), "-1");
  EXPECT_EQ(eval("(numerator 5)"), "5");
  EXPECT_EQ(eval("(denominator 5)"), "1");
  EXPECT_EQ(eval("(numerator 1.5)"), "ERROR :type-error");
  EXPECT_EQ(eval("(denominator 5u8)"), "ERROR :type-error");
}

// --- checked / saturating arithmetic -------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, CheckedArithmetic) {
  EXPECT_EQ(eval("(checked-add 1u8 2u8)"), "[:ok 3u8]");
  EXPECT_EQ(eval("(checked-add 255u8 1u8)"), "[:error :overflow]");
  EXPECT_EQ(eval("(checked-add 254u8 1u8)"), "[:ok 255u8]");
  EXPECT_EQ(eval("(checked-add 100i8 100i8)"), "[:error :overflow]");
  EXPECT_EQ(eval("(checked-add -100i8 -28i8)"), "[:ok -128i8]");
  EXPECT_EQ(eval("(checked-add -100i8 -29i8)"), "[:error :overflow]");
  EXPECT_EQ(eval("(checked-sub 0u8 1u8)"), "[:error :overflow]");
  EXPECT_EQ(eval("(checked-sub 5u32 5)"), "[:ok 0u32]");
  EXPECT_EQ(eval("(checked-mul 16u8 16u8)"), "[:error :overflow]");
  EXPECT_EQ(eval("(checked-mul 15u8 17u8)"), "[:ok 255u8]");
  EXPECT_EQ(eval("(checked-mul -1i64 -9223372036854775808i64)"), "[:error :overflow]");
  EXPECT_EQ(eval("(checked-add 18446744073709551615u64 0u64)"), "[:ok 18446744073709551615u64]");
  EXPECT_EQ(eval("(checked-add 1u8 300)"), "[:error :overflow]");
  // plain integers never overflow
  EXPECT_EQ(eval("(checked-add 1 2)"), "[:ok 3]");
  EXPECT_EQ(eval("(= (checked-mul 4294967296 4294967296) [:ok (* 4294967296 4294967296)])"),
            "true");
}

TEST_F(NumericIntrinsicsTest, CheckedArithmeticTypeErrors) {
  EXPECT_EQ(eval("(checked-add 1u8 1u16)"), "ERROR :type-error");
  EXPECT_EQ(eval("(checked-add 1.0 2.0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(checked-sub :a 1)"), "ERROR :type-error");
}

TEST_F(NumericIntrinsicsTest, SaturatingArithmetic) {
  EXPECT_EQ(eval("(saturating-add 250u8 10u8)"), "255u8");
  EXPECT_EQ(eval("(saturating-add 120i8 20i8)"), "127i8");
  EXPECT_EQ(eval("(saturating-add -120i8 -20i8)"), "-128i8");
  EXPECT_EQ(eval("(saturating-add 1u8 2u8)"), "3u8");
  EXPECT_EQ(eval("(saturating-sub 1u8 2u8)"), "0u8");
  EXPECT_EQ(eval("(saturating-sub -100i8 100)"), "-128i8");
  EXPECT_EQ(eval("(saturating-mul 100u16 1000u16)"), "65535u16");
  EXPECT_EQ(eval("(saturating-mul -2i64 9223372036854775807i64)"), "-9223372036854775808i64");
  EXPECT_EQ(eval("(saturating-add 18446744073709551615u64 1)"), "18446744073709551615u64");
  EXPECT_EQ(eval("(saturating-add 1 2)"), "3");
  EXPECT_EQ(eval("(saturating-add 1i8 1u8)"), "ERROR :type-error");
}

// --- and / or / xor / not ------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, BitwiseOnPlainIntegers) {
  EXPECT_EQ(eval("(bit-and 0b1100 0b1010)"), "8");
  EXPECT_EQ(eval("(bit-and 0xFF 0x0F)"), "15");
  EXPECT_EQ(eval("(bit-or 0b1100 0b1010)"), "14");
  EXPECT_EQ(eval("(bit-or 0 1 2 4)"), "7");
  EXPECT_EQ(eval("(bit-xor 0b1100 0b1010)"), "6");
  EXPECT_EQ(eval("(bit-and -1 12345)"), "12345");
  EXPECT_EQ(eval("(bit-and -8 0xFF)"), "248");
  EXPECT_EQ(eval("(bit-xor -1 5)"), "-6");
  EXPECT_EQ(eval("(bit-not 5)"), "-6");
  EXPECT_EQ(eval("(bit-not -1)"), "0");
  EXPECT_EQ(eval("(bit-and 1)"), "ERROR :arity-mismatch");
}

TEST_F(NumericIntrinsicsTest, BitwiseOnBigIntegers) {
  // 2^64 + 5 and 2^64 + 3 share bit 64 and bit 0
  EXPECT_EQ(eval("(= (bit-and 18446744073709551621 18446744073709551619) 18446744073709551617)"),
            "true");
  EXPECT_EQ(eval("(= (bit-or 18446744073709551616 1) 18446744073709551617)"), "true");
  EXPECT_EQ(eval("(bit-and 18446744073709551621 0xFF)"), "5");
  // -2^64 has bits 64 and up set
  EXPECT_EQ(eval("(bit-and -18446744073709551616 0xFF)"), "0");
  EXPECT_EQ(eval("(= (bit-and -18446744073709551616 36893488147419103231) 18446744073709551616)"),
            "true");
  EXPECT_EQ(eval("(= (bit-xor -1 18446744073709551616) -18446744073709551617)"), "true");
  EXPECT_EQ(eval("(= (bit-not 18446744073709551616) -18446744073709551617)"), "true");
  EXPECT_EQ(eval("(bit-or -18446744073709551617 18446744073709551616)"), "-1");
}

TEST_F(NumericIntrinsicsTest, BitwiseOnFixedWidthKeepsTheKind) {
  EXPECT_EQ(eval("(bit-not 0u8)"), "255u8");
  EXPECT_EQ(eval("(bit-not 0i8)"), "-1i8");
  EXPECT_EQ(eval("(bit-not 0u64)"), "18446744073709551615u64");
  EXPECT_EQ(eval("(bit-not 255u8)"), "0u8");
  EXPECT_EQ(eval("(bit-and 0xF0u8 0x3C)"), "48u8");
  EXPECT_EQ(eval("(bit-or 1 0x80u8)"), "129u8");
  EXPECT_EQ(eval("(bit-or -128i8 1)"), "-127i8");
  EXPECT_EQ(eval("(bit-xor 0xFFu8 -1)"), "0u8");  // -1 adopts u8: all ones
  EXPECT_EQ(eval("(bit-and 0xFFFFu16 0x1FFFF)"), "65535u16");
  EXPECT_EQ(eval("(bit-and 1u8 1u16)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-and 1u8 1i8)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-and 1 1.0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-not :x)"), "ERROR :type-error");
}

// --- shifts --------------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, ShiftsOnPlainIntegers) {
  EXPECT_EQ(eval("(bit-shl 1 4)"), "16");
  EXPECT_EQ(eval("(bit-shl 0b0001 3)"), "8");
  EXPECT_EQ(eval("(bit-shr 16 2)"), "4");
  EXPECT_EQ(eval("(bit-shr 0b1000 3)"), "1");
  EXPECT_EQ(eval("(bit-shl 5 0)"), "5");
  EXPECT_EQ(eval("(bit-shl -3 2)"), "-12");
  EXPECT_EQ(eval("(= (bit-shl 1 64) (* 4294967296 4294967296))"), "true");
  EXPECT_EQ(eval("(= (bit-shl 3 100) (* 3 (bit-shl 1 100)))"), "true");
  EXPECT_EQ(eval("(bit-shr (bit-shl 1 100) 99)"), "2");
  EXPECT_EQ(eval("(bit-shr 1 1000)"), "0");
  EXPECT_EQ(eval("(bit-sar -8 1)"), "-4");
  EXPECT_EQ(eval("(bit-sar -5 1)"), "-3");  // rounds down
  EXPECT_EQ(eval("(bit-sar -1 1000)"), "-1");
  EXPECT_EQ(eval("(bit-sar 7 1000)"), "0");
  EXPECT_EQ(eval("(bit-sar (- 0 (bit-shl 1 100)) 98)"), "-4");
  EXPECT_EQ(eval("(bit-sar (- 0 (bit-shl 1 100) 1) 100)"), "-2");
  EXPECT_EQ(eval("(bit-shl 0 100000000000)"), "0");
}

TEST_F(NumericIntrinsicsTest, ShiftErrors) {
  EXPECT_EQ(eval("(bit-shl 1 -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-shr 8 -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-sar 8u8 -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-shr -8 1)"), "ERROR :badarg");  // logical shift needs a width
  EXPECT_EQ(eval("(bit-shl 1 100000000000)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-shl 1.0 1)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-shl 1 :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-shr (- 0 (bit-shl 1 100)) 1)"), "ERROR :badarg");  // a negative bigint
  EXPECT_EQ(eval("(= (bit-sar (- 0 (bit-shl 1 100)) 1) (- 0 (bit-shl 1 99)))"), "true");
}

TEST_F(NumericIntrinsicsTest, ShiftsOnFixedWidth) {
  EXPECT_EQ(eval("(bit-sar -8i32 2)"), "-2i32");
  EXPECT_EQ(eval("(bit-shl 1u8 7)"), "128u8");
  EXPECT_EQ(eval("(bit-shl 1u8 8)"), "0u8");
  EXPECT_EQ(eval("(bit-shl 0xFFu8 4)"), "240u8");
  EXPECT_EQ(eval("(bit-shl 1i8 7)"), "-128i8");
  EXPECT_EQ(eval("(bit-shl 1u64 63)"), "9223372036854775808u64");
  EXPECT_EQ(eval("(bit-shl 1u64 64)"), "0u64");
  EXPECT_EQ(eval("(bit-shr -8i8 1)"), "124i8");  // logical: 0xF8 >> 1 = 0x7C
  EXPECT_EQ(eval("(bit-shr -1i64 63)"), "1i64");
  EXPECT_EQ(eval("(bit-shr 0x80u8 7)"), "1u8");
  EXPECT_EQ(eval("(bit-shr 0x80u8 8)"), "0u8");
  EXPECT_EQ(eval("(bit-sar -128i8 7)"), "-1i8");
  EXPECT_EQ(eval("(bit-sar -128i8 100)"), "-1i8");
  EXPECT_EQ(eval("(bit-sar 127i8 100)"), "0i8");
  EXPECT_EQ(eval("(bit-sar 0x80u8 1)"), "64u8");  // unsigned: no sign to extend
  EXPECT_EQ(eval("(bit-shl 1u8 3u8)"), "8u8");    // a fixed-width count is fine
}

// --- rotations -----------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, Rotations) {
  EXPECT_EQ(eval("(bit-rol 0b10000001u8 1 8)"), "3u8");
  EXPECT_EQ(eval("(bit-ror 0b10000001u8 1 8)"), "192u8");
  EXPECT_EQ(eval("(bit-rol 0b10000001u8 9 8)"), "3u8");     // n mod width
  EXPECT_EQ(eval("(bit-rol 0b10000001u8 -1 8)"), "192u8");  // negative: the other way
  EXPECT_EQ(eval("(bit-ror 0b10000001u8 0 8)"), "129u8");
  EXPECT_EQ(eval("(bit-rol 0x12u16 4 8)"), "33u16");    // only the low byte rotates
  EXPECT_EQ(eval("(bit-rol 0x112u16 4 8)"), "289u16");  // bits above the width stay
  EXPECT_EQ(eval("(bit-rol 1u64 63 64)"), "9223372036854775808u64");
  EXPECT_EQ(eval("(bit-ror 1u64 1 64)"), "9223372036854775808u64");
  EXPECT_EQ(eval("(bit-rol -128i8 1 8)"), "1i8");
  EXPECT_EQ(eval("(bit-rol 0b1001 1 4)"), "3");
  EXPECT_EQ(eval("(bit-ror 0b1001 1 4)"), "12");
  EXPECT_EQ(eval("(bit-rol 0x181 1 8)"), "259");  // 0x100 | 0x03
  EXPECT_EQ(eval("(bit-rol -1 3 8)"), "-1");
  EXPECT_EQ(eval("(= (bit-ror 1 1 100) (bit-shl 1 99))"), "true");
  EXPECT_EQ(eval("(bit-rol 1u8 1 9)"), "ERROR :badarg");  // width beyond u8
  EXPECT_EQ(eval("(bit-rol 1 1 0)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-rol 1 1.0 8)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-rol :a 1 8)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-ror 1 1 :w)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-ror 1 1 -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-rol 1 1 100000000)"), "ERROR :badarg");  // past the plain-integer limit
}

// --- single bits ---------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, SingleBitsOnPlainIntegers) {
  EXPECT_EQ(eval("(bit-test 0b1010 1)"), "true");
  EXPECT_EQ(eval("(bit-test 0b1010 2)"), "false");
  EXPECT_EQ(eval("(bit-set 0b1000 0)"), "9");
  EXPECT_EQ(eval("(bit-clear 0b1111 1)"), "13");
  EXPECT_EQ(eval("(bit-flip 0b1010 1)"), "8");
  EXPECT_EQ(eval("(bit-flip 0b1010 0)"), "11");
  EXPECT_EQ(eval("(bit-test -1 1000)"), "true");  // infinite sign bits
  EXPECT_EQ(eval("(bit-test -2 0)"), "false");
  EXPECT_EQ(eval("(bit-test 1 1000)"), "false");
  EXPECT_EQ(eval("(bit-test (bit-shl 1 100) 100)"), "true");
  EXPECT_EQ(eval("(bit-test (- 0 (bit-shl 1 100)) 99)"), "false");
  EXPECT_EQ(eval("(bit-test (- 0 (bit-shl 1 100)) 100)"), "true");
  EXPECT_EQ(eval("(bit-test (- 0 (bit-shl 1 100)) 101)"), "true");
  EXPECT_EQ(eval("(= (bit-set 0 100) (bit-shl 1 100))"), "true");
  EXPECT_EQ(eval("(bit-clear (bit-set 0 100) 100)"), "0");
  EXPECT_EQ(eval("(bit-clear -1 0)"), "-2");
  EXPECT_EQ(eval("(bit-set -2 0)"), "-1");
  EXPECT_EQ(eval("(= (bit-clear -1 64) (- -1 (bit-shl 1 64)))"), "true");
  EXPECT_EQ(eval("(bit-set 0 62)"), "4611686018427387904");  // beyond the fixnum range
  EXPECT_EQ(eval("(bit-test 5 -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-set 5 100000000000)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-test :a 1)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-clear 1 1.0)"), "ERROR :type-error");
}

TEST_F(NumericIntrinsicsTest, SingleBitsOnFixedWidth) {
  EXPECT_EQ(eval("(bit-test 0x80u8 7)"), "true");
  EXPECT_EQ(eval("(bit-test -1i8 7)"), "true");
  EXPECT_EQ(eval("(bit-set 0u8 7)"), "128u8");
  EXPECT_EQ(eval("(bit-set 0i8 7)"), "-128i8");
  EXPECT_EQ(eval("(bit-clear -1i8 7)"), "127i8");
  EXPECT_EQ(eval("(bit-flip 0u64 63)"), "9223372036854775808u64");
  EXPECT_EQ(eval("(bit-test 1u8 8)"), "ERROR :badarg");  // beyond the width
  EXPECT_EQ(eval("(bit-set 1u8 8)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-flip 1i64 64)"), "ERROR :badarg");
}

// --- fields --------------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, BitFields) {
  EXPECT_EQ(eval("(bit-field 0xABCD 4 8)"), "188");
  EXPECT_EQ(eval("(bit-field-set 0 4 8 0xFF)"), "4080");
  EXPECT_EQ(eval("(bit-field-set 0xFFFF 4 8 0)"), "61455");  // 0xF00F
  EXPECT_EQ(eval("(bit-field-set 0 4 4 0x1F)"), "240");      // v is cut to the width
  EXPECT_EQ(eval("(bit-field-set 0 0 4 -1)"), "15");
  EXPECT_EQ(eval("(bit-field -1 100 3)"), "7");
  EXPECT_EQ(eval("(bit-field 0xABCD 4 0)"), "0");
  EXPECT_EQ(eval("(bit-field (bit-shl 0xAB 100) 100 8)"), "171");
  EXPECT_EQ(eval("(bit-field-set -1 0 8 0)"), "-256");
  EXPECT_EQ(eval("(bit-field 0xABCDu16 8 8)"), "171u16");
  EXPECT_EQ(eval("(bit-field -1i8 4 4)"), "15i8");
  EXPECT_EQ(eval("(bit-field -1i8 0 8)"), "-1i8");
  EXPECT_EQ(eval("(bit-field-set 0u8 4 4 0xF)"), "240u8");
  EXPECT_EQ(eval("(bit-field-set 0i8 4 4 0xF)"), "-16i8");
  EXPECT_EQ(eval("(bit-field 0u8 4 5)"), "ERROR :badarg");  // 4 + 5 > 8
  EXPECT_EQ(eval("(bit-field-set 0u16 16 1 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-field 1 -1 2)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-field-set 0 0 4 :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-field :a 0 1)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bit-field 1 0 100000000)"), "ERROR :badarg");  // past the plain-integer limit
  EXPECT_EQ(eval("(bit-field-set 1 100000000 1 0)"), "ERROR :badarg");
}

// --- counting ------------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, BitCount) {
  EXPECT_EQ(eval("(bit-count 0b1010)"), "2");
  EXPECT_EQ(eval("(bit-count 0b11111111)"), "8");
  EXPECT_EQ(eval("(bit-count 0)"), "0");
  EXPECT_EQ(eval("(bit-count (bit-shl 3 100))"), "2");
  EXPECT_EQ(eval("(bit-count -1i8)"), "8");
  EXPECT_EQ(eval("(bit-count -1i64)"), "64");
  EXPECT_EQ(eval("(bit-count 0x0Fu16)"), "4");
  EXPECT_EQ(eval("(bit-count -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bit-count 1.0)"), "ERROR :type-error");
}

TEST_F(NumericIntrinsicsTest, LeadingAndTrailingZeros) {
  EXPECT_EQ(eval("(leading-zeros 1u8)"), "7");
  EXPECT_EQ(eval("(trailing-zeros 8u8)"), "3");
  EXPECT_EQ(eval("(leading-zeros 0u8)"), "8");
  EXPECT_EQ(eval("(trailing-zeros 0u16)"), "16");
  EXPECT_EQ(eval("(leading-zeros 0u64)"), "64");
  EXPECT_EQ(eval("(leading-zeros 1u64)"), "63");
  EXPECT_EQ(eval("(leading-zeros -1i8)"), "0");
  EXPECT_EQ(eval("(leading-zeros 1i32)"), "31");
  EXPECT_EQ(eval("(trailing-zeros -128i8)"), "7");
  EXPECT_EQ(eval("(trailing-zeros 9223372036854775808u64)"), "63");
  EXPECT_EQ(eval("(leading-zeros 1)"), "ERROR :type-error");  // needs a width
  EXPECT_EQ(eval("(trailing-zeros 8)"), "ERROR :type-error");
}

// --- byte order ----------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, ByteReverse) {
  EXPECT_EQ(eval("(byte-reverse16 0x1234u16)"), "13330u16");
  EXPECT_EQ(eval("(byte-reverse32 0x12345678u32)"), "2018915346u32");
  EXPECT_EQ(eval("(byte-reverse16 0x1234)"), "13330");
  EXPECT_EQ(eval("(byte-reverse16 0x00FFi16)"), "-256i16");
  EXPECT_EQ(eval("(byte-reverse32 0xFFu32)"), "4278190080u32");
  EXPECT_EQ(eval("(byte-reverse16 0x12u8)"), "ERROR :type-error");
  EXPECT_EQ(eval("(byte-reverse16 0x10000)"), "ERROR :badarg");
  EXPECT_EQ(eval("(byte-reverse32 -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(byte-reverse32 0x12345678)"), "2018915346");
  EXPECT_EQ(eval("(byte-reverse32 0xFFi32)"), "-16777216i32");  // wraps into the sign bit
  EXPECT_EQ(eval("(byte-reverse16 -1i16)"), "-1i16");
  EXPECT_EQ(eval("(byte-reverse32 0x1234u16)"), "ERROR :type-error");  // the width must match
  EXPECT_EQ(eval("(byte-reverse16 :a)"), "ERROR :type-error");
}

// --- masks ---------------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, Masks) {
  EXPECT_EQ(eval("(mask-bits 4)"), "15");
  EXPECT_EQ(eval("(mask-bits 8)"), "255");
  EXPECT_EQ(eval("(mask-bits 0)"), "0");
  EXPECT_EQ(eval("(mask-bits 64)"), "18446744073709551615N");  // needs 65 bits signed
  EXPECT_EQ(eval("(= (mask-bits 100) (- (bit-shl 1 100) 1))"), "true");
  EXPECT_EQ(eval("(mask-range 4 8)"), "240");
  EXPECT_EQ(eval("(mask-range 3 3)"), "0");
  EXPECT_EQ(eval("(= (mask-range 0 64) (mask-bits 64))"), "true");
  EXPECT_EQ(eval("(mask-range 62 63)"), "4611686018427387904");
  EXPECT_EQ(eval("(= (mask-range 60 100) (- (mask-bits 100) (mask-bits 60)))"), "true");
  EXPECT_EQ(eval("(mask-bits -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(mask-range 8 4)"), "ERROR :badarg");
  EXPECT_EQ(eval("(mask-bits 100000000000)"), "ERROR :badarg");
  EXPECT_EQ(eval("(mask-bits :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(mask-range 0 100000000)"), "ERROR :badarg");
  EXPECT_EQ(eval("(mask-range 1 :a)"), "ERROR :type-error");
}

// --- installation --------------------------------------------------------------------------------

TEST_F(NumericIntrinsicsTest, InstalledAsFunctionsInLonaCore) {
  EXPECT_EQ(eval("(fn? u8)"), "true");
  EXPECT_EQ(eval("(fn? bit-field-set)"), "true");
  EXPECT_EQ(eval("(lona.core/bit-or 1 2)"), "3");
  EXPECT_EQ(eval("(apply bit-or [1 2 4 8])"), "15");
}

}  // namespace
}  // namespace lona
