// Tests for vm/intrinsics/kernel_types.cpp: capabilities (cap?, the 10 typed and 15 arch
// predicates, cap-type, cap-rights, cap-has-right?, make_capability) and msg-info (reference 3,
// 4.1, 8.2): predicates on every kind of value, errors, equality and hashing, printing, and
// survival across collections.
//
// Capabilities cannot be written in source, so the tests make them with make_capability and bind
// them to vars of `user`. Vars are realm-global and outlive a test, so every test names its vars
// with a prefix of its own.
#include "vm/intrinsics/kernel_types.hpp"

#include <gtest/gtest.h>

#include <string>

#include "runtime/term/equality.hpp"
#include "runtime/term/heap.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/symbol_table.hpp"
#include "tests/support/eval_fixture.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

class KernelTypesTest : public EvalTest {
 protected:
  // Binds a new capability of `type` (a keyword name) with `rights` to user/`var`; returns its
  // printed form.
  std::string def_cap(const std::string& var, const std::string& type, uint8_t rights) {
    Term cap = make_capability(heap_, make_keyword(type), rights);
    EXPECT_TRUE(is_capability(cap)) << type;
    Var& v = Namespaces::global().intern(evaluator_.current_ns(), make_symbol(var));
    v.set(LiteralArea::global().copy(cap));
    return print(cap);
  }
};

// One value of every kind the language has, none of them a capability or a msg-info.
const char* const kNonCaps[] = {
    "nil",
    "true",
    "false",
    "42",
    "12345678901234567890N",
    "3.5",
    "1/3",
    "7u8",
    "\\a",
    "\"s\"",
    "'sym",
    ":frame",
    "'(1 2)",
    "'()",
    "[1 2]",
    "{1 2}",
    "%{:a 1}",
    "#{1}",
    "#bytes[1 2]",
    "(bytebuf-alloc 4)",
    "(paddr 16)",
    "(vaddr 16)",
    "+",
    "(fn* [x] x)",
    "#'cap?",
    "*ns*",
    "(msg-info 1 2 3)",
};

// --- capabilities --------------------------------------------------------------------------------

TEST_F(KernelTypesTest, PredicatesAreFalseForEveryOtherKindOfValue) {
  for (std::string_view name : kCapTypeNames) {
    std::string pred = std::string(name) + "-cap?";
    for (const char* v : kNonCaps) {
      EXPECT_EQ(eval("(" + pred + " " + v + ")"), "false") << pred << " " << v;
    }
  }
  for (const char* v : kNonCaps) EXPECT_EQ(eval(std::string("(cap? ") + v + ")"), "false") << v;
}

TEST_F(KernelTypesTest, EachTypedPredicateHoldsForExactlyItsOwnType) {
  // 10 types of lona.core and 15 arch types, each with its own predicate.
  ASSERT_EQ(std::size(kCapTypeNames), 25u);
  for (std::string_view type : kCapTypeNames) {
    std::string var = "kt-pred-" + std::string(type);
    def_cap(var, std::string(type), kCapRead);
    EXPECT_EQ(eval("(cap? " + var + ")"), "true") << type;
    EXPECT_EQ(eval("(cap-type " + var + ")"), ":" + std::string(type));
    for (std::string_view other : kCapTypeNames) {
      std::string expected = other == type ? "true" : "false";
      EXPECT_EQ(eval("(" + std::string(other) + "-cap? " + var + ")"), expected)
          << other << " of a " << type;
    }
  }
}

TEST_F(KernelTypesTest, TheReferenceNamesEveryPredicate) {
  for (const char* pred : {"tcb-cap?",           "endpoint-cap?",      "notification-cap?",
                           "cnode-cap?",         "untyped-cap?",       "frame-cap?",
                           "vspace-cap?",        "sched-context-cap?", "irq-handler-cap?",
                           "port-cap?",          "pml4-cap?",          "pgd-cap?",
                           "pdpt-cap?",          "pud-cap?",           "page-directory-cap?",
                           "pmd-cap?",           "page-table-cap?",    "pte-cap?",
                           "sched-control-cap?", "irq-control-cap?",   "asid-control-cap?",
                           "asid-pool-cap?",     "fdt-cap?",           "iospace-cap?",
                           "vcpu-cap?"}) {
    EXPECT_EQ(eval(std::string("(fn? ") + pred + ")"), "true") << pred;
    EXPECT_EQ(eval(std::string("(") + pred + ")"), "ERROR :arity-mismatch") << pred;
  }
}

TEST_F(KernelTypesTest, TypeKeywordOfCapAndMsgInfo) {
  def_cap("kt-type-ep", "endpoint", kCapAllRights);
  EXPECT_EQ(eval("(type kt-type-ep)"), ":cap");
  EXPECT_EQ(eval("(type (msg-info 1 2 3))"), ":msg-info");
}

TEST_F(KernelTypesTest, Rights) {
  def_cap("kt-rights-all", "endpoint", kCapAllRights);
  def_cap("kt-rights-rw", "frame", kCapRead | kCapWrite);
  def_cap("kt-rights-none", "tcb", 0);
  def_cap("kt-rights-gr", "endpoint", kCapGrantReply);
  EXPECT_EQ(eval("(cap-rights kt-rights-all)"), "#{:read :write :grant :grant-reply}");
  EXPECT_EQ(eval("(cap-rights kt-rights-rw)"), "#{:read :write}");
  EXPECT_EQ(eval("(cap-rights kt-rights-none)"), "#{}");
  EXPECT_EQ(eval("(cap-rights kt-rights-gr)"), "#{:grant-reply}");
  EXPECT_EQ(eval("(= (cap-rights kt-rights-rw) #{:write :read})"), "true");
  EXPECT_EQ(eval("(cap-has-right? kt-rights-rw :read)"), "true");
  EXPECT_EQ(eval("(cap-has-right? kt-rights-rw :write)"), "true");
  EXPECT_EQ(eval("(cap-has-right? kt-rights-rw :grant)"), "false");
  EXPECT_EQ(eval("(cap-has-right? kt-rights-rw :grant-reply)"), "false");
  EXPECT_EQ(eval("(cap-has-right? kt-rights-gr :grant-reply)"), "true");
  EXPECT_EQ(eval("(cap-has-right? kt-rights-gr :grant)"), "false");
  EXPECT_EQ(eval("(cap-has-right? kt-rights-none :read)"), "false");
  EXPECT_EQ(eval("(cap-has-right? kt-rights-all :grant)"), "true");
}

TEST_F(KernelTypesTest, InspectorErrors) {
  def_cap("kt-err-cap", "frame", kCapRead);
  for (const char* v : kNonCaps) {
    EXPECT_EQ(eval(std::string("(cap-type ") + v + ")"), "ERROR :type-error") << v;
    EXPECT_EQ(eval(std::string("(cap-rights ") + v + ")"), "ERROR :type-error") << v;
    EXPECT_EQ(eval(std::string("(cap-has-right? ") + v + " :read)"), "ERROR :type-error") << v;
  }
  EXPECT_EQ(eval("(cap-has-right? kt-err-cap \"read\")"), "ERROR :type-error");
  EXPECT_EQ(eval("(cap-has-right? kt-err-cap 'read)"), "ERROR :type-error");
  EXPECT_EQ(eval("(cap-has-right? kt-err-cap :execute)"), "ERROR :badarg");
  EXPECT_EQ(eval("(cap-has-right? kt-err-cap :other/read)"), "ERROR :badarg");
  EXPECT_EQ(eval("(cap-type kt-err-cap kt-err-cap)"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(cap-has-right? kt-err-cap)"), "ERROR :arity-mismatch");
}

TEST_F(KernelTypesTest, TheFactoryRejectsWhatIsNotACapType) {
  EXPECT_TRUE(make_capability(heap_, make_keyword("page"), kCapRead).is_nil());
  EXPECT_TRUE(make_capability(heap_, make_symbol("frame"), kCapRead).is_nil());
  EXPECT_TRUE(make_capability(heap_, make_keyword("x/frame"), kCapRead).is_nil());
  EXPECT_TRUE(make_capability(heap_, Term::fixnum(5), kCapRead).is_nil());
  Term cap = make_capability(heap_, CapType::kIrqHandler, 0xFF);  // extra bits are dropped
  ASSERT_TRUE(is_capability(cap));
  EXPECT_EQ(capability_type(cap), CapType::kIrqHandler);
  EXPECT_EQ(capability_rights(cap), kCapAllRights);
}

TEST_F(KernelTypesTest, PrintsTypeAndId) {
  Term a = make_capability(heap_, CapType::kFrame, kCapRead);
  Term b = make_capability(heap_, CapType::kFrame, kCapRead);
  EXPECT_NE(capability_id(a), capability_id(b));
  EXPECT_EQ(print(a), "#cap<frame " + std::to_string(capability_id(a)) + ">");
  EXPECT_EQ(print(b), "#cap<frame " + std::to_string(capability_id(b)) + ">");
  std::string printed = def_cap("kt-print-sc", "sched-context", 0);
  EXPECT_EQ(printed.rfind("#cap<sched-context ", 0), 0u) << printed;
  EXPECT_EQ(eval("kt-print-sc"), printed);
  EXPECT_EQ(eval("[kt-print-sc]"), "[" + printed + "]");
  EXPECT_EQ(eval("(str kt-print-sc)"), "\"" + printed + "\"");
}

// Identity: a capability equals itself (and its copies, which keep its id) and nothing else, not
// even a capability of the same type and rights.
TEST_F(KernelTypesTest, EqualityIsIdentity) {
  def_cap("kt-eq-a", "frame", kCapRead | kCapWrite);
  def_cap("kt-eq-b", "frame", kCapRead | kCapWrite);
  EXPECT_EQ(eval("(= kt-eq-a kt-eq-a)"), "true");
  EXPECT_EQ(eval("(= kt-eq-a (var-get #'kt-eq-a))"), "true");
  EXPECT_EQ(eval("(= kt-eq-a kt-eq-b)"), "false");
  EXPECT_EQ(eval("(not= kt-eq-a kt-eq-b)"), "true");
  EXPECT_EQ(eval("(= [kt-eq-a 1] [kt-eq-a 1])"), "true");
  EXPECT_EQ(eval("(= [kt-eq-a 1] [kt-eq-b 1])"), "false");
  EXPECT_EQ(eval("(= kt-eq-a (msg-info 0 0 0))"), "false");
  // As a constant of compiled code (copied into the literal area once more).
  EXPECT_EQ(eval("(= kt-eq-a (eval kt-eq-a))"), "true");
  EXPECT_EQ(eval("(eval (list 'cap-type kt-eq-a))"), ":frame");
  // A copy (here into the literal area, as a var's value is) is the same capability.
  Term a = make_capability(heap_, CapType::kEndpoint, kCapGrant);
  Term copy = LiteralArea::global().copy(a);
  EXPECT_NE(a.raw(), copy.raw());
  EXPECT_TRUE(equal(a, copy));
  EXPECT_EQ(hash(a), hash(copy));
  Term other = make_capability(heap_, CapType::kEndpoint, kCapGrant);
  EXPECT_FALSE(equal(a, other));
  EXPECT_NE(hash(a), hash(other));
}

TEST_F(KernelTypesTest, CapsInSetsAndAsMapKeys) {
  def_cap("kt-coll-a", "endpoint", kCapRead);
  def_cap("kt-coll-b", "endpoint", kCapRead);
  def_cap("kt-coll-c", "notification", kCapWrite);
  EXPECT_EQ(eval("(count (hash-set kt-coll-a kt-coll-b kt-coll-a kt-coll-c kt-coll-b))"), "3");
  EXPECT_EQ(eval("(get (hash-map kt-coll-a 1 kt-coll-b 2) kt-coll-b)"), "2");
  EXPECT_EQ(eval("(get (hash-map kt-coll-a 1 kt-coll-b 2) kt-coll-c :none)"), ":none");
  EXPECT_EQ(eval("(contains? (put %{} kt-coll-a :x) kt-coll-a)"), "true");
  EXPECT_EQ(eval("(count (put (hash-map kt-coll-a 1) kt-coll-a 2))"), "1");
  // Past 8 entries maps and sets look keys up through their hash index.
  EXPECT_EQ(eval("(def kt-coll-big (hash-map 1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9 kt-coll-a :a "
                 "kt-coll-b :b))"),
            "#'user/kt-coll-big");
  EXPECT_EQ(eval("(kt-coll-big kt-coll-a)"), ":a");
  EXPECT_EQ(eval("(kt-coll-big kt-coll-b)"), ":b");
  EXPECT_EQ(eval("(kt-coll-big kt-coll-c)"), "nil");
  EXPECT_EQ(eval("(count (hash-set 1 2 3 4 5 6 7 8 9 kt-coll-a kt-coll-b kt-coll-a kt-coll-c))"),
            "12");
}

// --- msg-info ------------------------------------------------------------------------------------

TEST_F(KernelTypesTest, MsgInfoFields) {
  EXPECT_EQ(eval("(msg-info 100 4 2)"), "#msg-info<label=100 length=4 caps=2>");
  EXPECT_EQ(eval("(msg-info-label (msg-info 100 4 2))"), "100");
  EXPECT_EQ(eval("(msg-info-length (msg-info 100 4 2))"), "4");
  EXPECT_EQ(eval("(msg-info-caps (msg-info 100 4 2))"), "2");
  EXPECT_EQ(eval("(msg-info 0 0 0)"), "#msg-info<label=0 length=0 caps=0>");
  // The largest value of each field, which must not spill into its neighbours.
  EXPECT_EQ(eval("(msg-info 4503599627370495 120 3)"),
            "#msg-info<label=4503599627370495 length=120 caps=3>");
  EXPECT_EQ(eval("(msg-info-label (msg-info 4503599627370495 0 0))"), "4503599627370495");
  EXPECT_EQ(eval("(msg-info-length (msg-info 4503599627370495 120 0))"), "120");
  EXPECT_EQ(eval("(msg-info-caps (msg-info 0 120 3))"), "3");
  EXPECT_EQ(eval("(msg-info-label (msg-info 0 120 3))"), "0");
  // Fixed-width and boxed integers are integers too.
  EXPECT_EQ(eval("(msg-info 7u8 3u64 1i32)"), "#msg-info<label=7 length=3 caps=1>");
  EXPECT_EQ(eval("(msg-info 5N 1 0)"), "#msg-info<label=5 length=1 caps=0>");
}

TEST_F(KernelTypesTest, MsgInfoBoundsAndTypes) {
  EXPECT_EQ(eval("(msg-info 4503599627370496 0 0)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(msg-info -1 0 0)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(msg-info 0 121 0)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(msg-info 0 -1 0)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(msg-info 0 0 4)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(msg-info 0 0 -1i8)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(msg-info 100000000000000000000000 0 0)"), "ERROR :out-of-bounds");
  EXPECT_EQ(eval("(msg-info 1.0 0 0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(msg-info 1 :a 0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(msg-info 1 0 nil)"), "ERROR :type-error");
  EXPECT_EQ(eval("(msg-info 1/2 0 0)"), "ERROR :type-error");
  EXPECT_EQ(eval("(msg-info 1 2)"), "ERROR :arity-mismatch");
  for (const char* fn : {"msg-info-label", "msg-info-length", "msg-info-caps"}) {
    for (const char* v : kNonCaps) {
      if (std::string(v) == "(msg-info 1 2 3)") continue;
      EXPECT_EQ(eval(std::string("(") + fn + " " + v + ")"), "ERROR :type-error") << fn << v;
    }
  }
}

TEST_F(KernelTypesTest, MsgInfoPredicate) {
  EXPECT_EQ(eval("(msg-info? (msg-info 1 2 3))"), "true");
  for (const char* v : kNonCaps) {
    if (std::string(v) == "(msg-info 1 2 3)") continue;
    EXPECT_EQ(eval(std::string("(msg-info? ") + v + ")"), "false") << v;
  }
  def_cap("kt-mi-cap", "endpoint", kCapRead);
  EXPECT_EQ(eval("(msg-info? kt-mi-cap)"), "false");
  EXPECT_EQ(eval("(cap? (msg-info 1 2 3))"), "false");
}

TEST_F(KernelTypesTest, MsgInfoEqualityAndHashByValue) {
  EXPECT_EQ(eval("(= (msg-info 1 2 3) (msg-info 1 2 3))"), "true");
  EXPECT_EQ(eval("(= (msg-info 1 2 3) (msg-info 1 2 2))"), "false");
  EXPECT_EQ(eval("(= (msg-info 1 2 3) (msg-info 1 3 3))"), "false");
  EXPECT_EQ(eval("(= (msg-info 1 2 3) (msg-info 2 2 3))"), "false");
  EXPECT_EQ(eval("(identical? (msg-info 1 2 3) (msg-info 1 2 3))"), "false");
  EXPECT_EQ(eval("(= (msg-info 1 2 3) [1 2 3])"), "false");
  EXPECT_EQ(eval("(count (hash-set (msg-info 1 2 3) (msg-info 1 2 3) (msg-info 1 2 0)))"), "2");
  // Through the hash index of a large set and map.
  EXPECT_EQ(eval("(count (hash-set 1 2 3 4 5 6 7 8 9 (msg-info 1 2 3) (msg-info 1 2 3)))"), "10");
  EXPECT_EQ(eval("((hash-map 1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9 (msg-info 5 6 1) :found) "
                 "(msg-info 5 6 1))"),
            ":found");
  Term a = make_msg_info(heap_, 77, 5, 1);
  Term b = make_msg_info(heap_, 77, 5, 1);
  Term c = make_msg_info(heap_, 77, 5, 2);
  EXPECT_TRUE(equal(a, b));
  EXPECT_EQ(hash(a), hash(b));
  EXPECT_FALSE(equal(a, c));
  EXPECT_NE(hash(a), hash(c));
  // The word is packed as seL4 packs seL4_MessageInfo_t on 64-bit targets.
  EXPECT_EQ(msg_info_word(c), (uint64_t{77} << 12) | (uint64_t{2} << 7) | 5);
}

// --- the collector -------------------------------------------------------------------------------

TEST_F(KernelTypesTest, SurviveCollections) {
  heap_.set_stress(true, 0);
  Term cap = make_capability(heap_, CapType::kPort, kCapRead | kCapGrant);
  uint64_t id = capability_id(cap);
  Rooted rooted_cap(heap_, cap);
  Rooted rooted_info(heap_, make_msg_info(heap_, 9, 8, 1));
  for (int i = 0; i < 100; ++i) make_msg_info(heap_, 1, 1, 1);  // garbage; each allocation moves
  EXPECT_GT(heap_.collections(), 50u);
  EXPECT_TRUE(is_capability(rooted_cap.get()));
  EXPECT_EQ(capability_id(rooted_cap.get()), id);
  EXPECT_EQ(capability_type(rooted_cap.get()), CapType::kPort);
  EXPECT_EQ(capability_rights(rooted_cap.get()), kCapRead | kCapGrant);
  EXPECT_EQ(print(rooted_info.get()), "#msg-info<label=9 length=8 caps=1>");

  def_cap("kt-gc-cap", "port", kCapWrite);
  heap_.set_stress(true, 4);
  EXPECT_EQ(eval("(def kt-gc-f (fn* [c n acc] (match n 0 acc _ (kt-gc-f c (- n 1) "
                 "(prepend acc [c (msg-info n 1 2) (cap-rights c)])))))"),
            "#'user/kt-gc-f");
  EXPECT_EQ(eval("(let [xs (kt-gc-f kt-gc-cap 200 '())] "
                 "[(count xs) (first xs) (= (first (first xs)) kt-gc-cap)])"),
            "[200 [" + eval("kt-gc-cap") + " #msg-info<label=1 length=1 caps=2> #{:write}] true]");
  EXPECT_EQ(eval("(msg-info-label (nth (nth (kt-gc-f kt-gc-cap 50 '()) 49) 1))"), "50");
  EXPECT_EQ(eval("(garbage-collect)"), ":ok");
  EXPECT_EQ(eval("(cap-rights kt-gc-cap)"), "#{:write}");
}

}  // namespace
}  // namespace lona
