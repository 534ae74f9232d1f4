// Tests for the derived functions of the reference's appendix (lonala-reference 5, last
// paragraph) that stdlib/lona/core.lona and the format intrinsic (vm/intrinsics/string_format.cpp)
// add: letfn, iterate, flatten, seq?, coll?, seqable? and format; that every name of that
// appendix is defined; and that lona.process and lona.time (stdlib/lona/process.lona, time.lona)
// own their names and are referred wherever lona.core is.
//
// Vars are realm-global and outlive a test, so every test names its vars with a prefix of its own.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/support/eval_fixture.hpp"
#include "vm/intrinsics/native_context.hpp"

namespace lona {
namespace {

class StdlibTest : public EvalTest {
 protected:
  // The message of the error that the one form of `src` ends in ("" when it succeeds).
  std::string error_message(const std::string& src) {
    Reader reader(heap_, src, evaluator_.reader_options());
    Term form;
    if (reader.next(&form) != Reader::Status::kForm) return "<no form>";
    EvalResult r = evaluator_.eval(heap_, form);
    return r.ok ? "" : r.error.message;
  }
};

TEST_F(StdlibTest, EveryAppendixNameIsDefinedInLonaCore) {
  for (const char* name :
       {"letfn",    "second",     "last",   "butlast",   "map",      "filter",   "reduce",
        "take",     "drop",       "range",  "repeat",    "iterate",  "concat",   "flatten",
        "list",     "tuple",      "vector", "hash-map",  "hash-set", "vals",     "into",
        "merge",    "conj",       "update", "update-in", "get-in",   "assoc-in", "seq?",
        "coll?",    "seqable?",   "pos?",   "neg?",      "zero?",    "even?",    "odd?",
        "identity", "constantly", "comp",   "partial",   "juxt",     "some",     "every?",
        "format",   "println",    "inc"}) {
    EXPECT_EQ(eval(std::string("#'") + name), std::string("#'lona.core/") + name);
  }
}

TEST_F(StdlibTest, ProcessAndTimeNamesLiveInTheirNamespaces) {
  for (const char* name :
       {"spawn",         "spawn-link", "spawn-monitor", "self",     "alive?",     "process-info",
        "send",          "send-sync",  "send-named",    "link",     "unlink",     "trap-exit",
        "monitor",       "demonitor",  "exit",          "register", "unregister", "whereis",
        "whereis-local", "make-ref",   "yield!"}) {
    EXPECT_EQ(eval(std::string("#'") + name), std::string("#'lona.process/") + name);
  }
  for (const char* name : {"monotonic-time", "system-time", "sleep"}) {
    EXPECT_EQ(eval(std::string("#'") + name), std::string("#'lona.time/") + name);
  }
  EXPECT_EQ(eval("[(lona.time/sleep 0) (pid? (lona.process/self)) (lona.process/alive? (self))]"),
            "[:ok true true]");
}

TEST_F(StdlibTest, ANewNamespaceSeesProcessAndTimeUnqualified) {
  EXPECT_EQ(eval("(ns lona.test.pt-fresh)"
                 "(let [p (spawn (fn [] (receive [from x] (send from [:got x]))))]"
                 "  (send p [(self) (>= (monotonic-time) 0)])"
                 "  [(receive [:got x] x :after 5000 :timeout) (sleep 0)])"),
            "[true :ok]");
  EXPECT_EQ(eval("(ns user)"), "nil");
}

TEST_F(StdlibTest, TheRuntimesPrivateHalvesAreNotReferred) {
  EXPECT_EQ(eval("(send-sync* (self) 1 (make-ref))"), "ERROR :undefined");
  EXPECT_EQ(eval("(await-reply* nil)"), "ERROR :undefined");
  EXPECT_EQ(eval("(:private (meta #'lona.process/reply*))"), "true");
}

// --- letfn ---------------------------------------------------------------------------------------

TEST(IntrinsicTable, NamesAreUnique) {
  std::set<std::string> seen;
  for (uint32_t id = 0; id < intrinsic_count(); ++id) {
    EXPECT_TRUE(seen.insert(intrinsic(id).name).second)
        << "two intrinsics named " << intrinsic(id).name;
  }
}

TEST_F(StdlibTest, LetfnDefinesLocalFunctions) {
  EXPECT_EQ(eval("(letfn [(twice [x] (* 2 x))] (twice 21))"), "42");
  EXPECT_EQ(eval("(letfn [(a [] 1) (b [] 2)] (+ (a) (b)))"), "3");
  // Several body forms: the last is the value; no body is nil; no functions is a plain do.
  EXPECT_EQ(eval("(letfn [(f [] 1)] (f) 2 (f))"), "1");
  EXPECT_EQ(eval("(letfn [(f [] 1)])"), "nil");
  EXPECT_EQ(eval("(letfn [] 1 2)"), "2");
  // The names are local: they shadow vars, and vanish after.
  EXPECT_EQ(eval("(letfn [(inc [x] (- x 1))] (inc 5))"), "4");
  EXPECT_EQ(eval("(inc 5)"), "6");
  EXPECT_EQ(eval("(letfn [(lf-gone [] 1)] (lf-gone)) (lf-gone)"), "ERROR :undefined");
}

TEST_F(StdlibTest, LetfnFunctionsSeeEachOtherAndThemselves) {
  EXPECT_EQ(eval("(letfn [(fact [n] (if (= n 0) 1 (* n (fact (- n 1)))))] (fact 20))"),
            "2432902008176640000");
  EXPECT_EQ(eval("(letfn [(ev? [n] (if (= n 0) true (od? (- n 1))))"
                 "        (od? [n] (if (= n 0) false (ev? (- n 1))))]"
                 "  [(ev? 0) (ev? 7) (od? 7) (od? 10)])"),
            "[true false true false]");
  // A cycle of three, and a function calling one defined after it.
  EXPECT_EQ(eval("(letfn [(a [n] (if (= n 0) :a (b (- n 1))))"
                 "        (b [n] (if (= n 0) :b (c (- n 1))))"
                 "        (c [n] (if (= n 0) :c (a (- n 1))))]"
                 "  [(a 0) (a 1) (a 2) (a 3) (c 4)])"),
            "[:a :b :c :a :a]");
}

TEST_F(StdlibTest, LetfnMutualRecursionInTailPositionRunsInConstantSpace) {
  // A million calls deep: each call's frame is reused, or this would be :stack-overflow (as the
  // non-tail recursion of the last case shows; the register stack holds 4M slots).
  EXPECT_EQ(eval("(letfn [(ev? [n] (if (= n 0) true (od? (- n 1))))"
                 "        (od? [n] (if (= n 0) false (ev? (- n 1))))]"
                 "  [(ev? 1000000) (od? 1000001) (ev? 1000001)])"),
            "[true true false]");
  EXPECT_EQ(eval("(letfn [(down [n] (if (= n 0) :done (down (- n 1))))] (down 1000000))"), ":done");
  // Through cond, case and a multi-arity function.
  EXPECT_EQ(eval("(letfn [(ping ([n] (ping n 0)) ([n acc] (cond (= n 0) acc :else (pong n acc))))"
                 "        (pong [n acc] (case n 0 acc (ping (- n 1) (+ acc 1))))]"
                 "  (ping 1000000))"),
            "1000000");
  EXPECT_EQ(eval("(letfn [(deep [n] (if (= n 0) 0 (+ 1 (deep (- n 1)))))] (deep 10000000))"),
            "ERROR :stack-overflow");
}

TEST_F(StdlibTest, LetfnNonTailRecursion) {
  EXPECT_EQ(
      eval("(letfn [(sum [l] (if (empty? l) 0 (+ (first l) (sum (rest l)))))] (sum [1 2 3]))"),
      "6");
}

// A regression: collections inside short callees once made the caller lose its registers
// (vm/interp: the stack's high-water mark after a return).
TEST_F(StdlibTest, LetfnAcrossCollections) {
  EXPECT_EQ(eval("(letfn [(d [n] (if (= n 0) 0 (+ 1 (e (- n 1))))) (e [n] (d n))] (d 1000))"),
            "1000");
  EXPECT_EQ(eval("(letfn [(d [n] (if (= n 0) 0 (+ 1 (e (- n 1))))) (e [n] (d n))] (d 200000))"),
            "200000");
  EXPECT_EQ(eval("((letfn [(f [x] (g x)) (g [x] (* x 2))] f) 21)"), "42");
  // Not letfn's own: the same with a plain function.
  EXPECT_EQ(eval("(defn lf-mk [] (fn* [n] (if (= n 0) 0 (let [f (lf-mk)] (+ 1 (f (- n 1)))))))"
                 "((lf-mk) 200000)"),
            "200000");
}

TEST_F(StdlibTest, LetfnFunctionsAreClosuresAndValues) {
  EXPECT_EQ(eval("(let [k 10] (letfn [(add [x] (+ x k))] (map add [1 2])))"), "(11 12)");
  // Returned out of the letfn, they still reach their siblings.
  EXPECT_EQ(eval("(let [[f g] (letfn [(f [n] (if (= n 0) :f (g (- n 1))))"
                 "                    (g [n] (if (= n 0) :g (f (- n 1))))] [f g])]"
                 "  [(f 3) (g 3) (fn? f)])"),
            "[:g :f true]");
  // Nested: the inner functions see the outer ones.
  EXPECT_EQ(
      eval("(letfn [(sq [x] (* x x))] (letfn [(sum-sq [a b] (+ (sq a) (sq b)))] (sum-sq 3 4)))"),
      "25");
}

TEST_F(StdlibTest, LetfnParametersHideSiblings) {
  // f's parameter g is the argument, not the sibling g, in plain and in pattern parameters.
  EXPECT_EQ(eval("(letfn [(f [g] (g 1)) (g [x] :sibling)] (f inc))"), "2");
  EXPECT_EQ(eval("(letfn [(f [[g]] (g 1)) (g [x] :sibling)] (f [inc]))"), "2");
  EXPECT_EQ(eval("(letfn [(f ([g] (g 1)) ([g h] (h 1))) (g [x] :sibling)] [(f inc) (f g dec)])"),
            "[2 0]");
  // A parameter named like the function itself.
  EXPECT_EQ(eval("(letfn [(f [f] f)] (f 7))"), "7");
}

TEST_F(StdlibTest, LetfnTakesWhatFnTakes) {
  EXPECT_EQ(eval("(letfn [(f [[a b]] (+ a b))] (f [1 2]))"), "3");
  EXPECT_EQ(eval("(letfn [(f [x & more] [x more])] (f 1 2 3))"), "[1 [2 3]]");
  EXPECT_EQ(eval("(letfn [(f ([] (f 1)) ([x] (+ x 100)))] [(f) (f 5)])"), "[101 105]");
  EXPECT_EQ(eval("(letfn [(f ([:sq s] (* s s)) ([:rect w h] (* w h)))] [(f :sq 3) (f :rect 2 3)])"),
            "[9 6]");
}

TEST_F(StdlibTest, LetfnErrors) {
  // As with fn: plain parameters check the count, patterns and arities match.
  EXPECT_EQ(eval("(letfn [(f [x] x)] (f))"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(letfn [(f [[a b]] a)] (f 1))"), "ERROR :badmatch");
  EXPECT_EQ(eval("(letfn [(f ([] 0) ([x] x))] (f 1 2))"), "ERROR :badmatch");
  // Malformed specs: the expansion finds no clause.
  EXPECT_EQ(eval("(letfn [x] 1)"), "ERROR :badmatch");
  EXPECT_EQ(eval("(letfn 5 1)"), "ERROR :badmatch");
  EXPECT_EQ(eval("(letfn [(f [x] x) 5] 1)"), "ERROR :badmatch");
  EXPECT_EQ(eval("(letfn [(5 [x] x)] 1)"), "ERROR :badmatch");
  EXPECT_EQ(eval("(letfn [(f [x] (undefined-thing x))] 1)"), "ERROR :undefined");
}

// --- iterate -------------------------------------------------------------------------------------

TEST_F(StdlibTest, IterateTakesACount) {
  EXPECT_EQ(eval("(iterate inc 0 5)"), "(0 1 2 3 4)");
  EXPECT_EQ(eval("(iterate (fn [x] (* 2 x)) 1 8)"), "(1 2 4 8 16 32 64 128)");
  EXPECT_EQ(eval("(iterate (fn [v] (append v 1)) [] 3)"), "([] [1] [1 1])");
  EXPECT_EQ(eval("(iterate inc 0 1)"), "(0)");
  EXPECT_EQ(eval("(iterate inc 0 0)"), "()");
  EXPECT_EQ(eval("(iterate inc 0 -3)"), "()");
  EXPECT_EQ(eval("(iterate identity nil 2)"), "(nil nil)");
  // f runs n - 1 times: the last value is not fed back (here that would divide by zero).
  EXPECT_EQ(eval("(iterate (fn [x] (if (= x 2) (/ 1 0) (inc x))) 0 3)"), "(0 1 2)");
}

TEST_F(StdlibTest, IterateErrors) {
  // No laziness, so no endless (iterate f x).
  EXPECT_EQ(eval("(iterate inc 0)"), "ERROR :arity-mismatch");
  EXPECT_EQ(error_message("(iterate inc 0)"),
            "wrong number of arguments to iterate: expected 3, got 2");
  EXPECT_EQ(eval("(iterate inc 0 :n)"), "ERROR :type-error");
  EXPECT_EQ(eval("(iterate inc :x 3)"), "ERROR :type-error");
  EXPECT_EQ(eval("(iterate 5 0 3)"), "ERROR :not-callable");
}

TEST_F(StdlibTest, IterateIsIterative) {
  EXPECT_EQ(eval("(let [l (iterate inc 0 100000)] [(count l) (first l) (last l)])"),
            "[100000 0 99999]");
}

// --- flatten -------------------------------------------------------------------------------------

TEST_F(StdlibTest, FlattenSequentialCollections) {
  EXPECT_EQ(eval("(flatten [1 [2 [3 4]] 5])"), "(1 2 3 4 5)");
  EXPECT_EQ(eval("(flatten '(1 (2 {3 [4]}) ((5))))"), "(1 2 3 4 5)");
  EXPECT_EQ(eval("(flatten {[1 2] '(3)})"), "(1 2 3)");
  EXPECT_EQ(eval("(flatten [[1 2] [3 4]])"), "(1 2 3 4)");
  EXPECT_EQ(eval("(flatten [1 2 3])"), "(1 2 3)");
  // Empty collections vanish wherever they are.
  EXPECT_EQ(eval("(flatten [[] 1 '() {} [[[]]] 2])"), "(1 2)");
  EXPECT_EQ(eval("(flatten [])"), "()");
  EXPECT_EQ(eval("(flatten '())"), "()");
  EXPECT_EQ(eval("(flatten [[[[]]]])"), "()");
}

TEST_F(StdlibTest, FlattenKeepsOtherValuesWhole) {
  // Maps, sets, strings, binaries and nil are elements, as non-sequentials are in Clojure.
  EXPECT_EQ(eval("(flatten [%{:a [1]} #{[2]} \"ab\" nil #bytes[1] [nil]])"),
            "(%{:a [1]} #{[2]} \"ab\" nil #bytes[0x01] nil)");
  // At the top they are not taken apart either: nothing sequential, nothing to flatten.
  EXPECT_EQ(eval("(flatten nil)"), "()");
  EXPECT_EQ(eval("(flatten 5)"), "()");
  EXPECT_EQ(eval("(flatten %{:a 1})"), "()");
  EXPECT_EQ(eval("(flatten #{1})"), "()");
  EXPECT_EQ(eval("(flatten \"abc\")"), "()");
}

TEST_F(StdlibTest, FlattenLargeAndDeepInputs) {
  EXPECT_EQ(eval("(let [l (flatten (range 100000))] [(count l) (first l) (last l)])"),
            "[100000 0 99999]");
  EXPECT_EQ(eval("(let [l (flatten (map (fn [i] [i [i]]) (range 50000)))] [(count l) (last l)])"),
            "[100000 49999]");
  // 100,000 levels deep: the walk keeps its place on a list, not on the call stack.
  EXPECT_EQ(eval("(flatten (reduce (fn [acc _] [acc]) 1 (range 100000)))"), "(1)");
  EXPECT_EQ(eval("(flatten (reduce (fn [acc i] [i acc]) [] (range 5)))"), "(4 3 2 1 0)");
}

// --- seq?, coll?, seqable?
// ------------------------------------------------------------------------

TEST_F(StdlibTest, SeqPredicate) {
  EXPECT_EQ(eval("[(seq? '()) (seq? '(1 2)) (seq? (rest [1])) (seq? (map inc [1]))]"),
            "[true true true true]");
  EXPECT_EQ(eval("[(seq? nil) (seq? [1]) (seq? {1}) (seq? %{}) (seq? #{}) (seq? \"a\") (seq? 1)]"),
            "[false false false false false false false]");
}

TEST_F(StdlibTest, CollPredicate) {
  EXPECT_EQ(eval("[(coll? '()) (coll? '(1)) (coll? []) (coll? {}) (coll? %{:a 1}) (coll? #{})]"),
            "[true true true true true true]");
  EXPECT_EQ(eval("[(coll? nil) (coll? \"ab\") (coll? #bytes[1]) (coll? 1) (coll? :k) (coll? inc)]"),
            "[false false false false false false]");
}

TEST_F(StdlibTest, SeqablePredicateFollowsSeq) {
  EXPECT_EQ(eval("[(seqable? nil) (seqable? \"\") (seqable? '()) (seqable? [1]) (seqable? {})"
                 " (seqable? %{}) (seqable? #{})]"),
            "[true true true true true true true]");
  EXPECT_EQ(eval("[(seqable? 1) (seqable? :k) (seqable? \\a) (seqable? #bytes[1]) (seqable? inc)]"),
            "[false false false false false]");
  // What seqable? says is what seq takes.
  EXPECT_EQ(eval("(seq #bytes[1])"), "ERROR :type-error");
  EXPECT_EQ(eval("(seq \\a)"), "ERROR :type-error");
  EXPECT_EQ(eval("[(seq nil) (seq \"ab\") (seq #{})]"), "[nil (\\a \\b) nil]");
}

// --- format --------------------------------------------------------------------------------------

TEST_F(StdlibTest, VecCollectsAnyCollectionIntoAVector) {
  EXPECT_EQ(eval("(vec '(1 2 3))"), "{1 2 3}");
  EXPECT_EQ(eval("(vec [1 2])"), "{1 2}");
  EXPECT_EQ(eval("(vec #{:a})"), "{:a}");
  EXPECT_EQ(eval("(vec %{:a 1})"), "{[:a 1]}");
  EXPECT_EQ(eval("(vec \"h\u00e9\")"), "{\\h \\\u00e9}");
  EXPECT_EQ(eval("(vec nil)"), "{}");
  EXPECT_EQ(eval("(vec 5)"), "ERROR :type-error");
  EXPECT_EQ(error_message("(vec :k)"), "vec expects a collection, got :k");
}

// map over a vector and into a vector build the result in one step: 200k elements stay linear
// (they were quadratic, one vector copy per element).
TEST_F(StdlibTest, MapAndIntoOnLargeVectors) {
  EXPECT_EQ(eval("(def big (vec (range 200000))) (count (map inc big))"), "200000");
  EXPECT_EQ(eval("(vector? (map inc big))"), "true");
  EXPECT_EQ(eval("(nth (map inc big) 199999)"), "200000");
  EXPECT_EQ(eval("(count (into big big))"), "400000");
  EXPECT_EQ(eval("(into {1} '(2 3))"), "{1 2 3}");
  EXPECT_EQ(eval("(into {} nil)"), "{}");
}

TEST_F(StdlibTest, FormatPlainText) {
  EXPECT_EQ(eval("(format \"%s-%d\" \"a\" 1)"), "\"a-1\"");
  EXPECT_EQ(eval("(format \"\")"), "\"\"");
  EXPECT_EQ(eval("(format \"no directives\")"), "\"no directives\"");
  EXPECT_EQ(eval("(format \"100%%\")"), "\"100%\"");
  EXPECT_EQ(eval("(format \"%%%s%%\" 1)"), "\"%1%\"");
  EXPECT_EQ(eval("(format \"héllo %s\" \"wörld\")"), "\"héllo wörld\"");
}

TEST_F(StdlibTest, FormatS) {
  // As str: nil as nothing, strings and chars as they are, everything else printed.
  EXPECT_EQ(eval("(format \"%s|%s|%s|%s|%s|%s|%s\" nil \"s\" \\c :k 'sym [1 \"x\"] 1.5)"),
            "\"|s|c|:k|sym|[1 \\\"x\\\"]|1.5\"");
  EXPECT_EQ(eval("(format \"%s\" %{:a 1})"), "\"%{:a 1}\"");
  EXPECT_EQ(eval("(format \"%.2s|%.0s|%.9s\" \"héllo\" \"x\" \"ab\")"), "\"hé||ab\"");
}

TEST_F(StdlibTest, FormatIntegers) {
  EXPECT_EQ(eval("(format \"%d %d %d\" 42 -7 0)"), "\"42 -7 0\"");
  EXPECT_EQ(eval("(format \"%d\" 123456789012345678901234567890)"),
            "\"123456789012345678901234567890\"");
  EXPECT_EQ(eval("(format \"%d\" 42N)"), "\"42\"");
  EXPECT_EQ(eval("(format \"%d %d %d\" 255u8 -128i8 18446744073709551615u64)"),
            "\"255 -128 18446744073709551615\"");
  EXPECT_EQ(eval("(format \"%x %X %o\" 255 255 8)"), "\"ff FF 10\"");
  EXPECT_EQ(eval("(format \"%x\" 0)"), "\"0\"");
  EXPECT_EQ(eval("(format \"%x\" 123456789012345678901234567890)"),
            "\"18ee90ff6c373e0ee4e3f0ad2\"");
  // A negative fixed-width integer shows its bits in its width.
  EXPECT_EQ(eval("(format \"%x %X %o\" -1i8 -1i64 -1i16)"), "\"ff FFFFFFFFFFFFFFFF 177777\"");
  EXPECT_EQ(eval("(format \"%x\" 18446744073709551615u64)"), "\"ffffffffffffffff\"");
}

TEST_F(StdlibTest, FormatFloats) {
  EXPECT_EQ(eval("(format \"%f\" 1.5)"), "\"1.500000\"");
  EXPECT_EQ(eval("(format \"%.2f\" 3.14159)"), "\"3.14\"");
  EXPECT_EQ(eval("(format \"%.0f\" 2.5)"), "\"2\"");
  EXPECT_EQ(eval("(format \"%.1f\" -0.25)"), "\"-0.2\"");
  EXPECT_EQ(eval("(format \"%.2f\" 1.5f32)"), "\"1.50\"");
  // Integers and ratios exactly, rounding ties to even as the C library does for floats.
  EXPECT_EQ(eval("(format \"%.3f\" 7)"), "\"7.000\"");
  EXPECT_EQ(eval("(format \"%.2f %.2f\" 1/3 -2/3)"), "\"0.33 -0.67\"");
  EXPECT_EQ(eval("(format \"%.2f %.2f\" 1/8 0.125)"), "\"0.12 0.12\"");
  EXPECT_EQ(eval("(format \"%.0f %.0f %.0f\" 5/2 7/2 -5/2)"), "\"2 4 -2\"");
  EXPECT_EQ(eval("(format \"%.1f\" 12345678901234567890123)"), "\"12345678901234567890123.0\"");
  EXPECT_EQ(eval("(format \"%.30f\" 1/3)"), "\"0.333333333333333333333333333333\"");
  EXPECT_EQ(eval("(format \"%f\" 3u8)"), "\"3.000000\"");
  EXPECT_EQ(eval("(format \"%e\" 12345.678)"), "\"1.234568e+04\"");
  EXPECT_EQ(eval("(format \"%.2e %.1e %.0e\" 1/3 7 0)"), "\"3.33e-01 7.0e+00 0e+00\"");
  EXPECT_EQ(eval("(format \"%f %f %e\" ##NaN ##Inf ##-Inf)"), "\"NaN Infinity -Infinity\"");
  // Ratios too wide for a double: both parts lose the same low bits first.
  EXPECT_EQ(eval("(format \"%.3e\" (/ (+ (bit-shl 1 2000) 1) (bit-shl 1 1999)))"), "\"2.000e+00\"");
  EXPECT_EQ(eval("(format \"%e %e\" (/ (bit-shl 1 2000) 3) (/ (bit-shl 1 2000) -3))"),
            "\"Infinity -Infinity\"");
}

TEST_F(StdlibTest, FormatChars) {
  EXPECT_EQ(eval("(format \"%c%c%c\" \\a \\é \\newline)"), "\"aé\\n\"");
}

TEST_F(StdlibTest, FormatWidthAndFlags) {
  EXPECT_EQ(eval("(format \"%5d|%-5d|%05d|%+d|%+05d|%2d\" 42 42 42 42 -42 12345)"),
            "\"   42|42   |00042|+42|-0042|12345\"");
  // Widths count characters, not bytes.
  EXPECT_EQ(eval("(format \"%-5s|%5s|%3c|\" \"ab\" \"é\" \\é)"), "\"ab   |    é|  é|\"");
  EXPECT_EQ(eval("(format \"%08.3f|%-8.2f|%+.1f\" -3.14159 2.5 0.0)"),
            "\"-003.142|2.50    |+0.0\"");
  EXPECT_EQ(eval("(format \"%6x|%-6X|%06o\" 255 255 8)"), "\"    ff|FF    |000010\"");
  // Infinity and NaN are not padded with zeros.
  EXPECT_EQ(eval("(format \"%010f|%+f\" ##Inf ##Inf)"), "\"  Infinity|+Infinity\"");
  EXPECT_EQ(eval("(format \"%+f|%+e\" ##NaN ##-Inf)"), "\"NaN|-Infinity\"");  // no sign to add
  EXPECT_EQ(eval("(count (format \"%10000d\" 1))"), "10000");
}

TEST_F(StdlibTest, FormatArgumentCountErrors) {
  EXPECT_EQ(eval("(format \"%d\")"), "ERROR :badarg");
  EXPECT_EQ(error_message("(format \"%s and %d\" 1)"), "format: %d has no argument (1 given)");
  EXPECT_EQ(eval("(format \"%d\" 1 2)"), "ERROR :badarg");
  EXPECT_EQ(error_message("(format \"x\" 1)"),
            "format: 1 arguments, but the format string takes 0");
  EXPECT_EQ(eval("(format)"), "ERROR :arity-mismatch");
}

TEST_F(StdlibTest, FormatDirectiveErrors) {
  EXPECT_EQ(eval("(format \"%q\" 1)"), "ERROR :badarg");
  EXPECT_EQ(error_message("(format \"%q\" 1)"),
            "format: %q is not a directive (%% writes a percent sign)");
  EXPECT_EQ(eval("(format \"%b\" 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%n\")"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%é\" 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%5%\")"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"50%\")"), "ERROR :badarg");
  EXPECT_EQ(error_message("(format \"%-5\")"),
            "format: the directive %-5 at the end is incomplete");
  // Flags and precisions a conversion does not take.
  EXPECT_EQ(eval("(format \"%-05d\" 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%05s\" \"a\")"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%+x\" 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%+s\" 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%.2d\" 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%.1c\" \\a)"), "ERROR :badarg");
  // Sizes past the limit.
  EXPECT_EQ(eval("(format \"%10001d\" 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%.99999999999999999999f\" 1)"), "ERROR :badarg");
}

TEST_F(StdlibTest, FormatTypeErrors) {
  EXPECT_EQ(eval("(format 42)"), "ERROR :type-error");
  EXPECT_EQ(eval("(format nil)"), "ERROR :type-error");
  EXPECT_EQ(eval("(format \"%d\" 1.5)"), "ERROR :type-error");
  EXPECT_EQ(error_message("(format \"%d\" \"1\")"), "format expects an integer for %d, got \"1\"");
  EXPECT_EQ(eval("(format \"%d\" 1/2)"), "ERROR :type-error");
  EXPECT_EQ(eval("(format \"%x\" 1.0)"), "ERROR :type-error");
  EXPECT_EQ(error_message("(format \"%X\" 1.0)"), "format expects an integer for %X, got 1.0");
  EXPECT_EQ(eval("(format \"%f\" :a)"), "ERROR :type-error");
  EXPECT_EQ(eval("(format \"%e\" \"1\")"), "ERROR :type-error");
  EXPECT_EQ(eval("(format \"%c\" 65)"), "ERROR :type-error");
  EXPECT_EQ(eval("(format \"%c\" \"a\")"), "ERROR :type-error");
  // A plain negative integer has no width to show its bits in (as with bit-count).
  EXPECT_EQ(eval("(format \"%x\" -1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(format \"%o\" -123456789012345678901234567890)"), "ERROR :badarg");
}

TEST_F(StdlibTest, FormatLargeInputs) {
  EXPECT_EQ(eval("(count (apply format (apply str (repeat 200 \"%d,\")) (range 200)))"), "690");
  // 2^17 characters of two bytes each.
  EXPECT_EQ(eval("(count (format \"%s|\" (last (iterate (fn [s] (str s s)) \"é\" 18))))"),
            "131073");
  EXPECT_EQ(eval("(count (format \"%.10000f\" 1/7))"), "10002");
}

}  // namespace
}  // namespace lona
