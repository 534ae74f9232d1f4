// Tests for vm/intrinsics/binary_intrinsics.cpp through CompilingEvaluator: binaries, bytebufs,
// byte order, paddr/vaddr, subs, set-add/set-remove/dissoc (lonala-reference 4.1, 7, 8.1 #4 #24
// #27), their bounds, type and encoding errors; the construction of #bytes[...] and #bits[...]
// with non-literal parts (`bytes`, `bits`, reference 1.2, 2.1, 8.1 #15), and the bit field
// helpers of runtime/term/bit_field.hpp they are built on.
//
// Vars are realm-global and outlive a test, so every test names its vars with a prefix of its own.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "runtime/term/bit_field.hpp"
#include "runtime/term/heap.hpp"
#include "tests/support/eval_fixture.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace lona {
namespace {

class BinaryIntrinsicsTest : public EvalTest {};

// --- binaries ------------------------------------------------------------------------------------

TEST_F(BinaryIntrinsicsTest, BinaryFromSequences) {
  EXPECT_EQ(eval("(binary '(72 101 108 108 111))"), "#bytes[0x48 0x65 0x6C 0x6C 0x6F]");
  EXPECT_EQ(eval("(binary [0 255])"), "#bytes[0x00 0xFF]");
  EXPECT_EQ(eval("(binary {1 2u8})"), "#bytes[0x01 0x02]");
  EXPECT_EQ(eval("(binary '())"), "#bytes[]");
  EXPECT_EQ(eval("(binary? (binary [1]))"), "true");
  EXPECT_EQ(eval("(binary [256])"), "ERROR :badarg");
  EXPECT_EQ(eval("(binary [-1])"), "ERROR :badarg");
  EXPECT_EQ(eval("(binary [:a])"), "ERROR :type-error");
  EXPECT_EQ(eval("(binary 5)"), "ERROR :type-error");
  EXPECT_EQ(eval("(binary nil)"), "#bytes[]");
  EXPECT_EQ(eval("(binary #bytes[1 2])"), "#bytes[0x01 0x02]");  // a binary is returned as is
  EXPECT_EQ(eval("(binary [18446744073709551615u64])"), "ERROR :badarg");  // beyond int64
  EXPECT_EQ(eval("(binary [-100000000000000000000])"), "ERROR :badarg");
}

TEST_F(BinaryIntrinsicsTest, SizeAndRef) {
  EXPECT_EQ(eval("(binary-size #bytes\"Hello\")"), "5");
  EXPECT_EQ(eval("(binary-size #bytes[])"), "0");
  EXPECT_EQ(eval("(binary-ref #bytes[10 20 30] 0)"), "10");
  EXPECT_EQ(eval("(binary-ref #bytes[10 20 0xFF] 2)"), "255");
  EXPECT_EQ(eval("(binary-ref #bytes[10 20 30] 1u8)"), "20");
  EXPECT_EQ(eval("(binary-ref #bytes[10 20 30] 3)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-ref #bytes[10 20 30] -1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-ref #bytes[10] 100000000000000000000)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-ref #bytes[] 0)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-ref #bytes[1] :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(binary-size \"abc\")"), "ERROR :type-error");
}

TEST_F(BinaryIntrinsicsTest, SliceTakesOffsetAndLength) {
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3 4 5] 1 3)"), "#bytes[0x02 0x03 0x04]");
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3 4 5] 0 2)"), "#bytes[0x01 0x02]");
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3] 3 0)"), "#bytes[]");
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3] 0 10)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3] 2 2)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3] -1 1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3] 1 -1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3] 4 0)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(binary-slice \"abc\" 0 1)"), "ERROR :type-error");
  EXPECT_EQ(eval("(binary-slice #bytes[1 2 3] 0 :a)"), "ERROR :type-error");
}

TEST_F(BinaryIntrinsicsTest, Concat) {
  EXPECT_EQ(eval("(binary-concat #bytes[1 2] #bytes[3 4])"), "#bytes[0x01 0x02 0x03 0x04]");
  EXPECT_EQ(eval("(binary-concat #bytes[] #bytes[1])"), "#bytes[0x01]");
  EXPECT_EQ(eval("(binary-concat #bytes[1] #bytes[2] #bytes[3])"), "#bytes[0x01 0x02 0x03]");
  EXPECT_EQ(eval("(binary-concat #bytes[1] \"x\")"), "ERROR :type-error");
}

TEST_F(BinaryIntrinsicsTest, BinaryToStringDecodes) {
  EXPECT_EQ(eval("(binary->string #bytes\"Hello\")"), "\"Hello\"");
  EXPECT_EQ(eval("(binary->string #bytes[72 105] :utf-8)"), "\"Hi\"");
  EXPECT_EQ(eval("(count (binary->string #bytes[0xC3 0xA9]))"), "1");
  EXPECT_EQ(eval("(binary->string #bytes[0xFF 0xFE] :utf-8)"), "ERROR :invalid-utf8");
  EXPECT_EQ(eval("(binary->string #bytes[0xC3])"), "ERROR :invalid-utf8");            // truncated
  EXPECT_EQ(eval("(binary->string #bytes[0xC0 0x80])"), "ERROR :invalid-utf8");       // overlong
  EXPECT_EQ(eval("(binary->string #bytes[0xED 0xA0 0x80])"), "ERROR :invalid-utf8");  // surrogate
  EXPECT_EQ(eval("(binary->string #bytes[72 105] :ascii)"), "\"Hi\"");
  EXPECT_EQ(eval("(binary->string #bytes[0x80] :ascii)"), "ERROR :invalid-ascii");
  EXPECT_EQ(eval("(= (binary->string #bytes[0x63 0xE9] :latin1) \"c\\u00E9\")"), "true");
  EXPECT_EQ(eval("(binary->string #bytes[1] :ebcdic)"), "ERROR :badarg");
  EXPECT_EQ(eval("(binary->string #bytes[1] \"utf-8\")"), "ERROR :type-error");
  EXPECT_EQ(eval("(binary->string \"Hi\")"), "ERROR :type-error");
}

TEST_F(BinaryIntrinsicsTest, StringToBinaryEncodes) {
  EXPECT_EQ(eval("(string->binary \"Hi\")"), "#bytes[0x48 0x69]");
  EXPECT_EQ(eval("(string->binary \"Hi\" :utf-8)"), "#bytes[0x48 0x69]");
  EXPECT_EQ(eval("(string->binary \"\\u00E9\")"), "#bytes[0xC3 0xA9]");
  EXPECT_EQ(eval("(string->binary \"caf\\u00E9\" :latin1)"), "#bytes[0x63 0x61 0x66 0xE9]");
  EXPECT_EQ(eval("(string->binary \"\\u0100\" :latin1)"), "ERROR :invalid-latin1");
  EXPECT_EQ(eval("(string->binary \"ok\" :ascii)"), "#bytes[0x6F 0x6B]");
  EXPECT_EQ(eval("(string->binary \"\\u00E9\" :ascii)"), "ERROR :invalid-ascii");
  EXPECT_EQ(eval("(string->binary #bytes[1])"), "ERROR :type-error");
  EXPECT_EQ(eval("(string->binary \"a\" :ebcdic)"), "ERROR :badarg");
  // Round trips.
  EXPECT_EQ(eval("(binary->string (string->binary \"h\\u00E9llo\"))"), "\"h\xC3\xA9llo\"");
}

// --- bytebufs ------------------------------------------------------------------------------------

TEST_F(BinaryIntrinsicsTest, AllocIsZeroedAndSized) {
  EXPECT_EQ(eval("(def bb-a (bytebuf-alloc 16)) (bytebuf? bb-a)"), "true");
  EXPECT_EQ(eval("(bytebuf-size bb-a)"), "16");
  EXPECT_EQ(eval("(bytebuf-read8 bb-a 15)"), "0");
  EXPECT_EQ(eval("(bytebuf-size (bytebuf-alloc-unsafe 3))"), "3");
  EXPECT_EQ(eval("(bytebuf-size (bytebuf-alloc 0))"), "0");
  EXPECT_EQ(eval("(bytebuf? #bytes[1 2 3])"), "false");
  EXPECT_EQ(eval("(bytebuf-alloc -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bytebuf-alloc 100000000000)"), "ERROR :oom");
  EXPECT_EQ(eval("(bytebuf-alloc :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytebuf-size #bytes[1])"), "ERROR :type-error");
}

TEST_F(BinaryIntrinsicsTest, Read8AndWrite8) {
  EXPECT_EQ(eval("(def bb-b (bytebuf-alloc 4)) (bytebuf-write8! bb-b 0 42)"), ":ok");
  EXPECT_EQ(eval("(bytebuf-read8 bb-b 0)"), "42");
  EXPECT_EQ(eval("(bytebuf-read8 bb-b 1)"), "0");
  EXPECT_EQ(eval("(bytebuf-write8! bb-b 3 255) (bytebuf-read8 bb-b 3)"), "255");
  EXPECT_EQ(eval("(bytebuf-read-i8 bb-b 3)"), "-1i8");
  EXPECT_EQ(eval("(bytebuf-write8! bb-b 1 -2) (bytebuf-read8 bb-b 1)"), "254");
  EXPECT_EQ(eval("(bytebuf-write8! bb-b 2 0x7Fu8) (bytebuf-read-i8 bb-b 2)"), "127i8");
  EXPECT_EQ(eval("(bytebuf-write8! bb-b 0 256)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bytebuf-write8! bb-b 0 -129)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bytebuf-write8! bb-b 0 1.5)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytebuf-write8! bb-b 4 1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-write8! bb-b -1 1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-read8 bb-b 4)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-read8 #bytes[1] 0)"), "ERROR :type-error");
  // A failed write leaves the buffer as it was.
  EXPECT_EQ(eval("(bytebuf->binary bb-b)"), "#bytes[0x2A 0xFE 0x7F 0xFF]");
}

TEST_F(BinaryIntrinsicsTest, WiderReadsAndWritesHonourByteOrder) {
  EXPECT_EQ(eval("(def bb-c (bytebuf-alloc 8)) (bytebuf-write16-le! bb-c 0 0x1234u16)"), ":ok");
  EXPECT_EQ(eval("(bytebuf-read16-le bb-c 0)"), "4660u16");
  EXPECT_EQ(eval("(bytebuf-read8 bb-c 0)"), "52");
  EXPECT_EQ(eval("(bytebuf-read8 bb-c 1)"), "18");
  EXPECT_EQ(eval("(bytebuf-read16-be bb-c 0)"), "13330u16");
  EXPECT_EQ(eval("(bytebuf-write16-be! bb-c 0 0x1234u16) (bytebuf-read8 bb-c 0)"), "18");
  EXPECT_EQ(eval("(bytebuf-read16-be bb-c 0)"), "4660u16");
  EXPECT_EQ(eval("(bytebuf-write32-le! bb-c 2 0x12345678u32) (bytebuf->binary bb-c 2 4)"),
            "#bytes[0x78 0x56 0x34 0x12]");
  EXPECT_EQ(eval("(bytebuf-read32-le bb-c 2)"), "305419896u32");
  EXPECT_EQ(eval("(bytebuf-write32-be! bb-c 2 0x12345678u32) (bytebuf->binary bb-c 2 4)"),
            "#bytes[0x12 0x34 0x56 0x78]");
  EXPECT_EQ(eval("(bytebuf-read32-be bb-c 2)"), "305419896u32");
  EXPECT_EQ(eval("(bytebuf-write64-be! bb-c 0 0x0102030405060708u64) (bytebuf->binary bb-c)"),
            "#bytes[0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08]");
  EXPECT_EQ(eval("(bytebuf-read64-le bb-c 0)"), "578437695752307201u64");
  EXPECT_EQ(eval("(bytebuf-write64-le! bb-c 0 -1) (bytebuf-read64-be bb-c 0)"),
            "18446744073709551615u64");
  // Native order agrees with one of the explicit ones.
  EXPECT_EQ(eval("(bytebuf-write16! bb-c 0 1000) (bytebuf-read16 bb-c 0)"), "1000u16");
  EXPECT_EQ(eval("(bytebuf-write32! bb-c 4 99999) (bytebuf-read32 bb-c 4)"), "99999u32");
  EXPECT_EQ(eval("(bytebuf-write64! bb-c 0 7) (bytebuf-read64 bb-c 0)"), "7u64");
  EXPECT_EQ(eval("(= (bytebuf-read64 bb-c 0) (match (native-endian) :little"
                 " (bytebuf-read64-le bb-c 0) :big (bytebuf-read64-be bb-c 0)))"),
            "true");
  // Widths and bounds.
  EXPECT_EQ(eval("(bytebuf-write16-le! bb-c 0 65536)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bytebuf-write16-le! bb-c 0 -32768)"), ":ok");
  EXPECT_EQ(eval("(bytebuf-write16-le! bb-c 7 1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-read32-le bb-c 5)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-read64 bb-c 1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-write64! bb-c 0 18446744073709551616)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bytebuf-write16-be! bb-c 0 -32769)"), "ERROR :badarg");             // below i16
  EXPECT_EQ(eval("(bytebuf-write64! bb-c 0 -9223372036854775809)"), "ERROR :badarg");  // below i64
  EXPECT_EQ(eval("(bytebuf-write64-be! bb-c 0 -9223372036854775808) (bytebuf->binary bb-c)"),
            "#bytes[0x80 0x00 0x00 0x00 0x00 0x00 0x00 0x00]");
  EXPECT_EQ(eval("(bytebuf-write32-le! bb-c 0 -2) (bytebuf->binary bb-c 0 4)"),
            "#bytes[0xFE 0xFF 0xFF 0xFF]");
}

TEST_F(BinaryIntrinsicsTest, ToBinaryCopies) {
  EXPECT_EQ(
      eval("(def bb-d (bytebuf-alloc 4)) (bytebuf-write8! bb-d 0 1) (bytebuf-write8! bb-d 1 2)"
           " (bytebuf->binary bb-d 0 2)"),
      "#bytes[0x01 0x02]");
  EXPECT_EQ(eval("(binary-size (bytebuf->binary bb-d))"), "4");
  EXPECT_EQ(eval("(bytebuf->binary bb-d 1)"), "#bytes[0x02 0x00 0x00]");
  EXPECT_EQ(eval("(bytebuf->binary bb-d 4 0)"), "#bytes[]");
  // The binary is a snapshot: later writes do not change it.
  EXPECT_EQ(eval("(def bb-d-snap (bytebuf->binary bb-d)) (bytebuf-write8! bb-d 0 9) bb-d-snap"),
            "#bytes[0x01 0x02 0x00 0x00]");
  EXPECT_EQ(eval("(bytebuf->binary bb-d 2 3)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf->binary bb-d 5)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf->binary bb-d -1 1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf->binary #bytes[1])"), "ERROR :type-error");
}

TEST_F(BinaryIntrinsicsTest, CopyAndFill) {
  EXPECT_EQ(eval("(def bb-src (bytebuf-alloc 4)) (def bb-dst (bytebuf-alloc 4))"
                 " (bytebuf-write8! bb-src 0 1) (bytebuf-write8! bb-src 1 2)"
                 " (bytebuf-copy! bb-dst 0 bb-src 0 2)"),
            ":ok");
  EXPECT_EQ(eval("(bytebuf->binary bb-dst)"), "#bytes[0x01 0x02 0x00 0x00]");
  EXPECT_EQ(eval("(bytebuf-copy! bb-dst 1 bb-dst 0 3) (bytebuf->binary bb-dst)"),
            "#bytes[0x01 0x01 0x02 0x00]");  // overlapping: as if through a temporary
  EXPECT_EQ(eval("(bytebuf-copy! bb-dst 2 #bytes[7 8] 0 2) (bytebuf->binary bb-dst)"),
            "#bytes[0x01 0x01 0x07 0x08]");
  EXPECT_EQ(eval("(bytebuf-fill! bb-dst 0 4 0xFF) (bytebuf->binary bb-dst)"),
            "#bytes[0xFF 0xFF 0xFF 0xFF]");
  EXPECT_EQ(eval("(bytebuf-fill! bb-dst 1 2 0) (bytebuf->binary bb-dst)"),
            "#bytes[0xFF 0x00 0x00 0xFF]");
  EXPECT_EQ(eval("(bytebuf-copy! bb-dst 3 bb-src 0 2)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-copy! bb-dst 0 bb-src 3 2)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-copy! #bytes[0 0] 0 bb-src 0 1)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytebuf-fill! bb-dst 2 3 0)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytebuf-fill! bb-dst 0 1 300)"), "ERROR :badarg");
  EXPECT_EQ(eval("(bytebuf-copy! bb-dst 0 \"ab\" 0 1)"), "ERROR :type-error");  // the source
  EXPECT_EQ(eval("(bytebuf-copy! bb-dst 0 bb-src 0 :n)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytebuf-fill! bb-dst 0 1 :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytebuf-fill! #bytes[0] 0 1 0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytebuf->binary bb-dst)"), "#bytes[0xFF 0x00 0x00 0xFF]");
}

TEST_F(BinaryIntrinsicsTest, EverythingSurvivesACollectionAtEveryAllocation) {
  heap_.set_stress(true);
  uint64_t before = heap_.collections();
  EXPECT_EQ(eval(R"(
    (def st-buf (bytebuf-alloc 8))
    (bytebuf-fill! st-buf 0 8 7)
    (bytebuf-write32-be! st-buf 0 0x01020304u32)
    [(bytebuf->binary st-buf 0 4) (bytebuf-read16-be st-buf 2) (bytebuf-read-i8 st-buf 4)
     (binary-concat (binary (tuple 1 2)) (string->binary (str "a" "b")) (binary-slice #bytes[9 8 7] 1 2))
     (binary->string (binary-concat #bytes"x" (string->binary (subs (str "hello" "!") 2 4))) :latin1)
     (vaddr->u64 (vaddr-align (vaddr+ (vaddr (+ 4 4)) 5) 8))
     (paddr- (paddr+ (paddr 16) 32) (paddr 8))
     (set-add (set-remove (with-meta (hash-set (str "a") (str "b")) %{:k (str "m")}) "a") (str "c"))
     (dissoc (with-meta (hash-map (str "k") (str "v") :z [1]) %{:m [2]}) "k")
     (meta (set-add (with-meta #{1} %{:k (str "m")}) (str "c")))
     (be->native16 (native->be16 (bytebuf-read16-le st-buf 0)))])"),
            "[#bytes[0x01 0x02 0x03 0x04] 772u16 7i8 #bytes[0x01 0x02 0x61 0x62 0x08 0x07] "
            "\"xll\" 16u64 40u64 #{\"b\" \"c\"} %{:z [1]} %{:k \"m\"} 513u16]");
  EXPECT_GT(heap_.collections(), before + 10);
}

// --- byte order ----------------------------------------------------------------------------------

TEST_F(BinaryIntrinsicsTest, EndianConversions) {
  EXPECT_EQ(eval("(keyword? (native-endian))"), "true");
  EXPECT_EQ(eval("(some? (#{:little :big} (native-endian)))"), "true");
  EXPECT_EQ(eval("(= (native->be16 0x1234u16) (match (native-endian) :little 0x3412u16 "
                 ":big 0x1234u16))"),
            "true");
  EXPECT_EQ(eval("(be->native16 (native->be16 0x1234u16))"), "4660u16");
  EXPECT_EQ(eval("(le->native16 (native->le16 0xBEEFu16))"), "48879u16");
  EXPECT_EQ(eval("(native->le16 65536)"), "ERROR :badarg");
  EXPECT_EQ(eval("(native->le16 :x)"), "ERROR :type-error");
  EXPECT_EQ(eval("(= (native->le16 0x1234u16) (match (native-endian) :little 0x1234u16 "
                 ":big 0x3412u16))"),
            "true");
  EXPECT_EQ(eval("(be->native16 -1)"), "65535u16");  // a value of 16 bits, signed or not
}

// --- addresses -----------------------------------------------------------------------------------

TEST_F(BinaryIntrinsicsTest, AddressBasics) {
  EXPECT_EQ(eval("(paddr 0x1000_0000u64)"), "#paddr<0x10000000>");
  EXPECT_EQ(eval("(vaddr 0x4000_0000u64)"), "#vaddr<0x40000000>");
  EXPECT_EQ(eval("(paddr? (paddr 0x1000u64))"), "true");
  EXPECT_EQ(eval("(paddr? 0x1000u64)"), "false");
  EXPECT_EQ(eval("(paddr? (vaddr 0x1000u64))"), "false");
  EXPECT_EQ(eval("(vaddr? (vaddr 0x1000u64))"), "true");
  EXPECT_EQ(eval("(vaddr? (paddr 0x1000u64))"), "false");
  EXPECT_EQ(eval("(paddr->u64 (paddr 4096))"), "4096u64");
  EXPECT_EQ(eval("(vaddr->u64 (vaddr 0xFFFFFFFFFFFFFFFFu64))"), "18446744073709551615u64");
  EXPECT_EQ(eval("(paddr -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(paddr 18446744073709551616)"), "ERROR :badarg");
  EXPECT_EQ(eval("(paddr \"0x1000\")"), "ERROR :type-error");
  EXPECT_EQ(eval("(paddr->u64 (vaddr 1))"), "ERROR :type-error");
  EXPECT_EQ(eval("(vaddr -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(vaddr->u64 4096)"), "ERROR :type-error");
}

TEST_F(BinaryIntrinsicsTest, AddressArithmeticAndComparison) {
  EXPECT_EQ(eval("(def ad-p (paddr 0x1000u64)) (paddr->u64 (paddr+ ad-p 0x100u64))"), "4352u64");
  EXPECT_EQ(eval("(paddr- (paddr 0x2000u64) (paddr 0x1000u64))"), "4096u64");
  EXPECT_EQ(eval("(paddr= ad-p ad-p)"), "true");
  EXPECT_EQ(eval("(paddr= ad-p (paddr 0x1000u64))"), "true");
  EXPECT_EQ(eval("(paddr= ad-p (paddr 0x1001u64))"), "false");
  EXPECT_EQ(eval("(paddr< ad-p (paddr 0x2000u64))"), "true");
  EXPECT_EQ(eval("(paddr< ad-p ad-p)"), "false");
  EXPECT_EQ(eval("(def ad-v (vaddr 0x4000u64)) (vaddr->u64 (vaddr+ ad-v 0x100u64))"), "16640u64");
  EXPECT_EQ(eval("(vaddr->u64 (vaddr+ ad-v -0x100))"), "16128u64");
  EXPECT_EQ(eval("(vaddr- (vaddr 0x5000u64) (vaddr 0x4000u64))"), "4096u64");
  EXPECT_EQ(eval("(vaddr= ad-v ad-v)"), "true");
  EXPECT_EQ(eval("(vaddr< (vaddr 0x5000u64) ad-v)"), "false");
  // u64 arithmetic wraps.
  EXPECT_EQ(eval("(vaddr->u64 (vaddr+ (vaddr 0xFFFFFFFFFFFFFFFFu64) 2))"), "1u64");
  EXPECT_EQ(eval("(paddr- (paddr 0u64) (paddr 1u64))"), "18446744073709551615u64");
  // Kinds do not mix.
  EXPECT_EQ(eval("(paddr= ad-p ad-v)"), "ERROR :type-error");
  EXPECT_EQ(eval("(vaddr- ad-v ad-p)"), "ERROR :type-error");
  EXPECT_EQ(eval("(paddr+ ad-v 1)"), "ERROR :type-error");
  EXPECT_EQ(eval("(paddr+ ad-p :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(paddr+ ad-p 18446744073709551616)"), "ERROR :badarg");  // beyond u64
  EXPECT_EQ(eval("(vaddr+ ad-v -9223372036854775809)"), "ERROR :badarg");
}

TEST_F(BinaryIntrinsicsTest, AddressAlignment) {
  EXPECT_EQ(eval("(paddr->u64 (paddr-align (paddr 0x1001u64) 0x1000u64))"), "8192u64");
  EXPECT_EQ(eval("(paddr->u64 (paddr-align (paddr 0x2000u64) 0x1000u64))"), "8192u64");
  EXPECT_EQ(eval("(paddr->u64 (paddr-align-down (paddr 0x1FFFu64) 0x1000u64))"), "4096u64");
  EXPECT_EQ(eval("(paddr-aligned? (paddr 0x1000u64) 0x1000u64)"), "true");
  EXPECT_EQ(eval("(paddr-aligned? (paddr 0x1001u64) 0x1000u64)"), "false");
  EXPECT_EQ(eval("(vaddr->u64 (vaddr-align (vaddr 0x1001u64) 0x1000u64))"), "8192u64");
  EXPECT_EQ(eval("(vaddr->u64 (vaddr-align-down (vaddr 0x1FFFu64) 4096))"), "4096u64");
  EXPECT_EQ(eval("(vaddr-aligned? (vaddr 0x1000u64) 0x1000u64)"), "true");
  EXPECT_EQ(eval("(vaddr-aligned? (vaddr 0x1001u64) 1)"), "true");
  EXPECT_EQ(eval("(paddr-align (paddr 1u64) 3)"), "ERROR :badarg");
  EXPECT_EQ(eval("(vaddr-aligned? (vaddr 1u64) 0)"), "ERROR :badarg");
  EXPECT_EQ(eval("(vaddr-align (paddr 1u64) 8)"), "ERROR :type-error");
  EXPECT_EQ(eval("(paddr-align (paddr 1u64) -8)"), "ERROR :badarg");
  EXPECT_EQ(eval("(paddr-align-down (paddr 1u64) :a)"), "ERROR :type-error");
}

// --- strings -------------------------------------------------------------------------------------

TEST_F(BinaryIntrinsicsTest, SubsCountsCodePoints) {
  EXPECT_EQ(eval("(subs \"hello\" 0)"), "\"hello\"");
  EXPECT_EQ(eval("(subs \"hello\" 1)"), "\"ello\"");
  EXPECT_EQ(eval("(subs \"hello\" 0 2)"), "\"he\"");
  EXPECT_EQ(eval("(subs \"hello\" 1 4)"), "\"ell\"");
  EXPECT_EQ(eval("(subs \"hello\" 5)"), "\"\"");
  EXPECT_EQ(eval("(subs \"hello\" 2 2)"), "\"\"");
  EXPECT_EQ(eval("(= (subs \"h\\u00E9llo\" 1 3) \"\\u00E9l\")"), "true");
  EXPECT_EQ(eval("(subs \"a\xC3\xA9\xF0\x9F\x98\x80"
                 "b\" 2)"),
            "\"\xF0\x9F\x98\x80"
            "b\"");
  EXPECT_EQ(eval("(subs \"a\xC3\xA9\xF0\x9F\x98\x80"
                 "b\" 1 2)"),
            "\"\xC3\xA9\"");
  EXPECT_EQ(eval("(subs \"hello\" 6)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(subs \"hello\" -1)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(subs \"hello\" 3 2)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(subs \"hello\" 0 6)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(subs \"h\\u00E9\" 0 3)"), "ERROR :out-of-bounds");  // 2 code points, 3 bytes
  EXPECT_EQ(eval("(subs :hello 1)"), "ERROR :type-error");
  EXPECT_EQ(eval("(subs \"hello\" \"1\")"), "ERROR :type-error");
}

// --- sets and maps -------------------------------------------------------------------------------

TEST_F(BinaryIntrinsicsTest, SetAddAndRemove) {
  EXPECT_EQ(eval("(set-add #{1 2} 3)"), "#{1 2 3}");
  EXPECT_EQ(eval("(set-add #{1 2} 2)"), "#{1 2}");
  EXPECT_EQ(eval("(set-add #{} 1)"), "#{1}");
  EXPECT_EQ(eval("(set-add nil 1)"), "#{1}");
  EXPECT_EQ(eval("(set-add #{1} 2 3 2)"), "#{1 2 3}");
  EXPECT_EQ(eval("(set-remove #{1 2 3} 2)"), "#{1 3}");
  EXPECT_EQ(eval("(set-remove #{1 2} 3)"), "#{1 2}");
  EXPECT_EQ(eval("(set-remove #{} 1)"), "#{}");
  EXPECT_EQ(eval("(set-remove nil 1)"), "nil");
  EXPECT_EQ(eval("(set-remove #{1 2 3} 1 3)"), "#{2}");
  EXPECT_EQ(eval("(set-remove #{[1 2] :a} [1 2])"), "#{:a}");  // by value, not identity
  EXPECT_EQ(eval("(set-add [1] 2)"), "ERROR :type-error");
  EXPECT_EQ(eval("(set-remove %{:a 1} :a)"), "ERROR :type-error");
  // Larger (hash-indexed) sets.
  EXPECT_EQ(eval("(def sa-big (hash-set 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19)) (count "
                 "(set-add sa-big 20))"),
            "21");
  EXPECT_EQ(eval("(some? ((set-remove sa-big 7) 7))"), "false");
  EXPECT_EQ(eval("(count (set-remove sa-big 7))"), "19");
  EXPECT_EQ(eval("(some? ((set-add sa-big 99) 99))"), "true");
  // Metadata is kept.
  EXPECT_EQ(eval("(meta (set-add (with-meta #{1} %{:m 1}) 2))"), "%{:m 1}");
}

TEST_F(BinaryIntrinsicsTest, Dissoc) {
  EXPECT_EQ(eval("(dissoc %{:a 1 :b 2} :a)"), "%{:b 2}");
  EXPECT_EQ(eval("(dissoc %{:a 1} :b)"), "%{:a 1}");
  EXPECT_EQ(eval("(dissoc %{} :a)"), "%{}");
  EXPECT_EQ(eval("(dissoc %{:a 1 :b 2 :c 3} :a :c)"), "%{:b 2}");
  EXPECT_EQ(eval("(dissoc %{[1] :x 2 :y} [1])"), "%{2 :y}");
  EXPECT_EQ(eval("(dissoc nil :a)"), "nil");
  EXPECT_EQ(eval("(dissoc [1 2] 0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(def di-big (hash-map 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
                 "23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39)) (count (dissoc di-big 10))"),
            "19");
  EXPECT_EQ(eval("(get (dissoc di-big 10) 10)"), "nil");
  EXPECT_EQ(eval("(get (dissoc di-big 10) 12)"), "13");
  EXPECT_EQ(eval("(meta (dissoc (with-meta %{:a 1 :b 2} %{:m 1}) :a))"), "%{:m 1}");
}

// --- bit fields (runtime/term/bit_field.hpp) -----------------------------------------------------

TEST(BitFieldTest, PutBitsIsMostSignificantBitFirst) {
  uint8_t b[4] = {};
  bits::put_bits(b, 0, 4, 4);
  bits::put_bits(b, 4, 4, 5);
  bits::put_bits(b, 8, 8, 0);
  bits::put_bits(b, 16, 16, 40);
  EXPECT_EQ(b[0], 0x45);
  EXPECT_EQ(b[1], 0x00);
  EXPECT_EQ(b[2], 0x00);
  EXPECT_EQ(b[3], 0x28);
  uint8_t c[3] = {};
  bits::put_bits(c, 3, 13, 0x1FFF);  // straddles two bytes, unaligned at both ends
  EXPECT_EQ(c[0], 0x1F);
  EXPECT_EQ(c[1], 0xFF);
  EXPECT_EQ(c[2], 0x00);
  bits::put_bits(c, 0, 1, 0xFF);  // bits above the field are ignored
  EXPECT_EQ(c[0], 0x9F);
}

TEST(BitFieldTest, PutBitsKeepsTheNeighbours) {
  uint8_t b[3] = {0xFF, 0xFF, 0xFF};
  bits::put_bits(b, 5, 9, 0);
  EXPECT_EQ(b[0], 0xF8);
  EXPECT_EQ(b[1], 0x03);
  EXPECT_EQ(b[2], 0xFF);
  bits::put_bits(b, 5, 0, 0);  // a field of no bits touches nothing
  EXPECT_EQ(b[0], 0xF8);
}

TEST(BitFieldTest, SixtyFourBitFields) {
  uint8_t b[9] = {};
  bits::put_bits(b, 4, 64, 0x0123456789ABCDEFull);
  EXPECT_EQ(b[0], 0x00);
  EXPECT_EQ(b[1], 0x12);
  EXPECT_EQ(b[8], 0xF0);
  EXPECT_EQ(bits::get_bits(b, 4, 64), 0x0123456789ABCDEFull);
  EXPECT_EQ(bits::get_bits(b, 0, 8), 0x00u);
  EXPECT_EQ(bits::get_bits(b, 4, 4), 0x0u);
  EXPECT_EQ(bits::get_bits(b, 8, 4), 0x1u);
  EXPECT_EQ(bits::get_bits(b, 0, 0), 0u);
}

TEST(BitFieldTest, GetBitsReadsWhatPutBitsWrote) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 2000; ++round) {
    uint8_t buf[24] = {};
    struct Field {
      size_t offset;
      uint32_t nbits;
      uint64_t value;
    };
    std::vector<Field> fields;
    size_t offset = rng() % 8;
    while (true) {
      uint32_t n = static_cast<uint32_t>(rng() % 65);
      if (offset + n > 8 * sizeof buf) break;
      uint64_t v = bits::low_bits(rng(), n);
      fields.push_back({offset, n, v});
      bits::put_bits(buf, offset, n, v);
      offset += n;
    }
    for (const Field& f : fields) {
      ASSERT_EQ(bits::get_bits(buf, f.offset, f.nbits), f.value)
          << "round " << round << " offset " << f.offset << " bits " << f.nbits;
    }
  }
}

TEST(BitFieldTest, ReverseBytesAndSignExtend) {
  EXPECT_EQ(bits::reverse_bytes(0x1234, 2), 0x3412u);
  EXPECT_EQ(bits::reverse_bytes(0xAABB1234, 2), 0x3412u);  // only the low bytes count
  EXPECT_EQ(bits::reverse_bytes(0x0102030405060708ull, 8), 0x0807060504030201ull);
  EXPECT_EQ(bits::reverse_bytes(0x12, 1), 0x12u);
  EXPECT_EQ(bits::reverse_bytes(0x12, 0), 0u);
  EXPECT_EQ(static_cast<int64_t>(bits::sign_extend(0xF, 4)), -1);
  EXPECT_EQ(static_cast<int64_t>(bits::sign_extend(0x7, 4)), 7);
  EXPECT_EQ(static_cast<int64_t>(bits::sign_extend(0x80, 8)), -128);
  EXPECT_EQ(static_cast<int64_t>(bits::sign_extend(0x1FF, 8)), -1);  // bits above are ignored
  EXPECT_EQ(bits::sign_extend(~0ull, 64), ~0ull);
  EXPECT_EQ(bits::sign_extend(1, 0), 0u);
  // A little-endian field: reverse, then write big-endian; read back and reverse again.
  uint8_t b[3] = {};
  bits::put_bits(b, 4, 16, bits::reverse_bytes(0x1234, 2));
  EXPECT_EQ(b[0], 0x03);
  EXPECT_EQ(b[1], 0x41);
  EXPECT_EQ(b[2], 0x20);
  EXPECT_EQ(bits::reverse_bytes(bits::get_bits(b, 4, 16), 2), 0x1234u);
}

// --- #bytes[...] and #bits[...] with non-literal parts -------------------------------------------

TEST_F(BinaryIntrinsicsTest, BytesBuildsABinary) {
  EXPECT_EQ(eval("(let [a 1] #bytes[a 2])"), "#bytes[0x01 0x02]");
  EXPECT_EQ(eval("(let [a 0xFF b 0u8] #bytes[b a (+ a -15) 7])"), "#bytes[0x00 0xFF 0xF0 0x07]");
  EXPECT_EQ(eval("(bytes 1 2u8 255u64 0i8)"), "#bytes[0x01 0x02 0xFF 0x00]");
  EXPECT_EQ(eval("(bytes 7N)"), "#bytes[0x07]");
  EXPECT_EQ(eval("(bytes)"), "#bytes[]");
  EXPECT_EQ(eval("(= (let [x 0x48] #bytes[x 0x65]) #bytes\"He\")"), "true");
  EXPECT_EQ(eval("(apply bytes (list 1 2 3))"), "#bytes[0x01 0x02 0x03]");
  // round trip: every byte comes back through binary-ref
  EXPECT_EQ(eval("(let [b (bytes 0 127 128 255)] "
                 "[(binary-ref b 0) (binary-ref b 1) (binary-ref b 2) (binary-ref b 3)])"),
            "[0 127 128 255]");
}

TEST_F(BinaryIntrinsicsTest, BytesErrors) {
  EXPECT_EQ(eval("(let [a 256] #bytes[a])"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(let [a -1] #bytes[1 a])"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytes -1i8)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytes 256u16)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bytes 100000000000000000000000)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(let [a :x] #bytes[a])"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytes 1.0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytes \\a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytes #bytes[1])"), "ERROR :type-error");
  EXPECT_EQ(eval("(bytes 18446744073709551615u64)"), "ERROR :out-of-bounds");  // beyond int64
}

TEST_F(BinaryIntrinsicsTest, BitsPacksFieldsMostSignificantBitFirst) {
  // The IPv4 header example (the reader turns the all-literal form into a call, too).
  EXPECT_EQ(eval("#bits[4:4 5:4 0:8 40:16/be]"), "#bytes[0x45 0x00 0x00 0x28]");
  EXPECT_EQ(eval("(let [version 4 ihl 5 tos 0 len 40] #bits[version:4 ihl:4 tos:8 len:16])"),
            "#bytes[0x45 0x00 0x00 0x28]");
  EXPECT_EQ(eval("(let [n 16 len 40] #bits[0x45:8 0:8 len:n])"),
            "#bytes[0x45 0x00 0x00 0x28]");  // the size is a value too
  EXPECT_EQ(eval("#bits[1:1 0:1 1:1 0:1 1:1 0:1 1:1 1:1]"), "#bytes[0xAB]");
  EXPECT_EQ(eval("#bits[1:3 0x1FFF:13]"), "#bytes[0x3F 0xFF]");
  EXPECT_EQ(eval("#bits[0x123456:24 0xABCDEF:24/unsigned]"),
            "#bytes[0x12 0x34 0x56 0xAB 0xCD 0xEF]");
  EXPECT_EQ(eval("#bits[0xFFFFFFFFFFFFFFFF:64 0:4 0xF:4]"),
            "#bytes[0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0x0F]");
  EXPECT_EQ(eval("#bits[3:2/bytes]"), "#bytes[0x00 0x03]");  // :bytes counts bytes
  EXPECT_EQ(eval("#bits[0:0 7:8]"), "#bytes[0x07]");         // a field of no bits
  EXPECT_EQ(eval("(bits)"), "#bytes[]");
  EXPECT_EQ(eval("(bits [7])"), "#bytes[0x07]");  // no size: an integer takes a byte
  EXPECT_EQ(eval("(bits [200u8 8] [-1i8 8 :signed] [0x102u16 16])"),
            "#bytes[0xC8 0xFF 0x01 0x02]");  // fixed-width values
}

TEST_F(BinaryIntrinsicsTest, BitsByteOrder) {
  EXPECT_EQ(eval("#bits[0x1234:16/le]"), "#bytes[0x34 0x12]");
  EXPECT_EQ(eval("#bits[0x1234:16/be]"), "#bytes[0x12 0x34]");
  EXPECT_EQ(eval("#bits[0x1234:16]"), "#bytes[0x12 0x34]");  // big-endian by default (#15)
  EXPECT_EQ(eval("#bits[0x010203:3/bytes/le]"), "#bytes[0x03 0x02 0x01]");
  EXPECT_EQ(eval("#bits[0x0102030405060708:64/le]"),
            "#bytes[0x08 0x07 0x06 0x05 0x04 0x03 0x02 0x01]");
  // A little-endian field need not start on a byte boundary.
  EXPECT_EQ(eval("#bits[0:4 0x1234:16/le 0:4]"), "#bytes[0x03 0x41 0x20]");
  // :native is the host's order.
  EXPECT_EQ(eval("(= #bits[0x1234:16/native] (match (native-endian) :little #bytes[0x34 0x12] "
                 ":big #bytes[0x12 0x34]))"),
            "true");
  // Round trips through the bytebuf readers.
  EXPECT_EQ(eval("(def bo-le #bits[0xBEEF:16/le 0xCAFEF00D:32/le 0x0102030405060708:64/be])"
                 "(def bo-buf (bytebuf-alloc 14)) (bytebuf-copy! bo-buf 0 bo-le 0 14)"
                 "[(bytebuf-read16-le bo-buf 0) (bytebuf-read32-le bo-buf 2) "
                 "(bytebuf-read64-be bo-buf 6)]"),
            "[48879u16 3405705229u32 72623859790382856u64]");
}

TEST_F(BinaryIntrinsicsTest, BitsSignedFields) {
  EXPECT_EQ(eval("#bits[-1:8/signed]"), "#bytes[0xFF]");
  EXPECT_EQ(eval("#bits[-128:8/signed 127:8/signed]"), "#bytes[0x80 0x7F]");
  EXPECT_EQ(eval("#bits[-2:16/signed/le]"), "#bytes[0xFE 0xFF]");
  EXPECT_EQ(eval("#bits[-2:16/le/signed]"), "#bytes[0xFE 0xFF]");
  EXPECT_EQ(eval("#bits[-1:4/signed 0:4]"), "#bytes[0xF0]");
  EXPECT_EQ(eval("#bits[-8:4/signed 7:4/signed]"), "#bytes[0x87]");
  EXPECT_EQ(eval("(let [x -300] #bits[x:16/signed])"), "#bytes[0xFE 0xD4]");
  EXPECT_EQ(eval("#bits[-9223372036854775808:64/signed]"),
            "#bytes[0x80 0x00 0x00 0x00 0x00 0x00 0x00 0x00]");
  EXPECT_EQ(eval("#bits[-1:1/signed 0:7]"), "#bytes[0x80]");
  // Round trip through a signed read.
  EXPECT_EQ(eval("(def sg-buf (bytebuf-alloc 1)) (bytebuf-copy! sg-buf 0 #bits[-5:8/signed] 0 1)"
                 "(bytebuf-read-i8 sg-buf 0)"),
            "-5i8");
}

TEST_F(BinaryIntrinsicsTest, BitsWideIntegers) {
  EXPECT_EQ(eval("#bits[0x0102030405060708090A:80]"),
            "#bytes[0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08 0x09 0x0A]");
  EXPECT_EQ(eval("#bits[0x0102030405060708090A:80/le]"),
            "#bytes[0x0A 0x09 0x08 0x07 0x06 0x05 0x04 0x03 0x02 0x01]");
  EXPECT_EQ(eval("#bits[1:72]"), "#bytes[0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x01]");
  EXPECT_EQ(eval("#bits[0xFFFFFFFFFFFFFFFFFF:72]"),
            "#bytes[0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF]");
  EXPECT_EQ(eval("#bits[-1:72/signed]"), "#bytes[0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF]");
  EXPECT_EQ(eval("#bits[-0x800000000000000000:72/signed]"),
            "#bytes[0x80 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00]");
  EXPECT_EQ(eval("#bits[-2:72/signed/le]"), "#bytes[0xFE 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF 0xFF]");
  EXPECT_EQ(eval("#bits[0xF:4 0x123456789ABCDEF01:68]"),
            "#bytes[0xF1 0x23 0x45 0x67 0x89 0xAB 0xCD 0xEF 0x01]");
  EXPECT_EQ(eval("(binary-size #bits[0:1024])"), "128");
  EXPECT_EQ(eval("#bits[0xFFFFFFFFFFFFFFFFFF:72] "), eval("#bits[-1:72/signed]"));
  EXPECT_EQ(eval("#bits[0x1FFFFFFFFFFFFFFFFFF:72]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[0x800000000000000000:72/signed]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[-0x800000000000000001:72/signed]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[-1:72]"), "ERROR :out-of-bounds");
}

TEST_F(BinaryIntrinsicsTest, BitsBinarySegments) {
  EXPECT_EQ(eval("(let [b #bytes[1 2]] #bits[b:2/bytes 3:8])"), "#bytes[0x01 0x02 0x03]");
  EXPECT_EQ(eval("(let [b #bytes[1 2]] #bits[b:16])"), "#bytes[0x01 0x02]");  // size in bits
  EXPECT_EQ(eval("(let [b #bytes[1 2]] #bits[1:4 b:2/bytes 2:4])"),
            "#bytes[0x10 0x10 0x22]");  // copied at an unaligned offset
  EXPECT_EQ(eval("(let [b #bytes[]] #bits[b:0/bytes 9:8])"), "#bytes[0x09]");
  EXPECT_EQ(eval("(bits [#bytes\"abc\"] [0 8])"), "#bytes[0x61 0x62 0x63 0x00]");  // no size
  EXPECT_EQ(eval("(let [b #bytes[1 2 3]] #bits[b:2/bytes])"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(let [b #bytes[1]] #bits[b:2/bytes])"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(let [b #bytes[1 2]] #bits[b:2/bytes/le])"), "ERROR :badarg");
  EXPECT_EQ(eval("(let [b #bytes[1 2]] #bits[b:2/bytes/signed])"), "ERROR :badarg");
}

TEST_F(BinaryIntrinsicsTest, BitsErrors) {
  // values that do not fit their field
  EXPECT_EQ(eval("#bits[256:8]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[16:4 0:4]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[-1:8]"), "ERROR :out-of-bounds");  // unsigned by default
  EXPECT_EQ(eval("#bits[-1:8/unsigned]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[128:8/signed]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[-129:8/signed]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[0x10000:16/le]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[1:0 0:8]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("#bits[-1:0/signed 0:8]"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(let [x 300] #bits[x:8])"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(bits [-1i8 8])"), "ERROR :out-of-bounds");
  // the total and little-endian fields must be whole bytes
  EXPECT_EQ(eval("#bits[1:4 2:8]"), "ERROR :badarg");
  EXPECT_EQ(eval("(let [a 1 b 2] #bits[a:4 b:12/le])"), "ERROR :badarg");
  EXPECT_EQ(eval("#bits[1:12/le 0:4]"), "ERROR :badarg");
  EXPECT_EQ(eval("#bits[1:12/native 0:4]"), "ERROR :badarg");  // on every host
  EXPECT_EQ(eval("#bits[1:12/be 0:4]"), "#bytes[0x00 0x10]");
  // sizes and modifiers of direct calls, which the reader does not check
  EXPECT_EQ(eval("(bits [1 -8])"), "ERROR :badarg");
  EXPECT_EQ(eval("(bits [1 8 :big])"), "ERROR :badarg");
  EXPECT_EQ(eval("(bits [1 16 :be :le])"), "ERROR :badarg");
  EXPECT_EQ(eval("(bits [1 8 :signed :unsigned])"), "ERROR :badarg");
  EXPECT_EQ(eval("(bits [1 16 :le :le])"), "#bytes[0x01 0x00]");  // repeats agree
  EXPECT_EQ(eval("(bits [0 100000000000])"), "ERROR :oom");
  EXPECT_EQ(eval("(bits [0 8589934592 :bytes])"), "ERROR :oom");
  // the total is checked too, before anything is allocated
  EXPECT_EQ(eval("(bits [0 536870912 :bytes] [0 536870912 :bytes] [0 8])"), "ERROR :oom");
  // types
  EXPECT_EQ(eval("(bits 5)"), "ERROR :type-error");
  EXPECT_EQ(eval("(bits [])"), "ERROR :type-error");
  EXPECT_EQ(eval("(bits {1 8})"), "ERROR :type-error");
  EXPECT_EQ(eval("(bits [1 :x])"), "ERROR :type-error");
  EXPECT_EQ(eval("(bits [1 8.0])"), "ERROR :type-error");
  EXPECT_EQ(eval("(bits [1 8 \"le\"])"), "ERROR :type-error");
  EXPECT_EQ(eval("(let [x 1.5] #bits[x:8])"), "ERROR :type-error");
  EXPECT_EQ(eval("(let [x \"ab\"] #bits[x:16])"), "ERROR :type-error");
  EXPECT_EQ(eval("(let [x :k] #bits[x:8])"), "ERROR :type-error");
}

TEST_F(BinaryIntrinsicsTest, BitsSurviveACollectionAtEveryAllocation) {
  heap_.set_stress(true);
  uint64_t before = heap_.collections();
  EXPECT_EQ(eval("(let [b (binary-concat (bytes 1 2) (string->binary (str \"a\" \"b\")))"
                 "      n (+ 100000000000000000000 1)]"
                 "  [#bits[(+ 1 3):4 5:4 b:4/bytes (- n 100000000000000000000):72/le]"
                 "   (bytes (+ 1 1) (count [1 2 3]))])"),
            "[#bytes[0x45 0x01 0x02 0x61 0x62 0x01 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00] "
            "#bytes[0x02 0x03]]");
  EXPECT_GT(heap_.collections(), before);
}

}  // namespace
}  // namespace lona
