// Tests for the reflection intrinsics of vm/intrinsics/reflection.cpp: macroexpand-1 and
// macroexpand (reference 4.1 Evaluation) on core macros, nested user macros, non-macro forms and
// non-lists, macro errors and the expansion limit; garbage-collect; and the errors of the
// namespace, reading and loading intrinsics (their working cases are in the conformance vectors
// and tests/vm/loader).
//
// Vars are realm-global and outlive a test, so every test names its vars with a prefix of its own.
#include <gtest/gtest.h>

#include <string>

#include "runtime/term/heap.hpp"
#include "tests/support/eval_fixture.hpp"
#include "vm/intrinsics/reflection.hpp"

namespace lona {
namespace {

class ReflectionTest : public EvalTest {};

// --- macroexpand-1 / macroexpand -----------------------------------------------------------------

TEST_F(ReflectionTest, MacroexpandOneExpandsOnce) {
  EXPECT_EQ(eval("(macroexpand-1 '(when a b c))"), "(lona.core/if a (do b c))");
  // cond names itself before its var exists, so syntax-quote leaves that symbol unqualified.
  EXPECT_EQ(eval("(macroexpand-1 '(cond a 1 b 2))"), "(lona.core/if a 1 (cond b 2))");
  EXPECT_EQ(eval("(macroexpand-1 '(cond))"), "nil");
  EXPECT_EQ(eval("(macroexpand-1 '(and))"), "true");
  EXPECT_EQ(eval("(macroexpand-1 '(comment 1 2))"), "nil");
  // A qualified name resolves too.
  EXPECT_EQ(eval("(macroexpand-1 '(lona.core/when a b))"), "(lona.core/if a (do b))");
}

TEST_F(ReflectionTest, MacroexpandRepeatsUntilTheHeadIsNoMacro) {
  // when -> if -> match (a special form).
  EXPECT_EQ(eval("(first (macroexpand '(when a b)))"), "match");
  EXPECT_EQ(eval("(first (macroexpand '(cond a 1 b 2)))"), "match");
  EXPECT_EQ(eval("(count (macroexpand '(if a b c)))"), "8");  // (match a g when g b _ c)
  EXPECT_EQ(eval("(nth (macroexpand '(if a b c)) 1)"), "a");
  EXPECT_EQ(eval("(nth (macroexpand '(if a b c)) 5)"), "b");
  EXPECT_EQ(eval("(nth (macroexpand '(if a b c)) 7)"), "c");
  // A macro whose expansion is not a list ends the expansion there.
  EXPECT_EQ(eval("(macroexpand '(cond))"), "nil");
  EXPECT_EQ(eval("(macroexpand '(and x))"), "x");
  // Only the outermost form is expanded; its subforms stay as they are.
  EXPECT_EQ(eval("(macroexpand '(+ (when a b) 1))"), "(+ (when a b) 1)");
  EXPECT_EQ(eval("(nth (macroexpand '(when (when a b) c)) 1)"), "(when a b)");
  // What comes out evaluates as the original would.
  EXPECT_EQ(eval("(eval (macroexpand '(cond false 1 :else 2)))"), "2");
  EXPECT_EQ(eval("(eval (macroexpand-1 '(when true 1 2 3)))"), "3");
}

TEST_F(ReflectionTest, NestedUserMacros) {
  EXPECT_EQ(eval("(defmacro rf-inc [x] `(+ ~x 1))"), "#'user/rf-inc");
  EXPECT_EQ(eval("(defmacro rf-twice [x] `(rf-inc (rf-inc ~x)))"), "#'user/rf-twice");
  EXPECT_EQ(eval("(defmacro rf-outer [x] `(rf-twice ~x))"), "#'user/rf-outer");
  EXPECT_EQ(eval("(macroexpand-1 '(rf-outer 5))"), "(user/rf-twice 5)");
  EXPECT_EQ(eval("(macroexpand-1 (macroexpand-1 '(rf-outer 5)))"), "(user/rf-inc (user/rf-inc 5))");
  EXPECT_EQ(eval("(macroexpand '(rf-outer 5))"), "(lona.core/+ (user/rf-inc 5) 1)");
  EXPECT_EQ(eval("(macroexpand '(user/rf-outer [1 {2} %{:a 3}]))"),
            "(lona.core/+ (user/rf-inc [1 {2} %{:a 3}]) 1)");
  EXPECT_EQ(eval("(eval (macroexpand '(rf-outer 5)))"), "7");
  EXPECT_EQ(eval("(rf-outer 5)"), "7");
}

TEST_F(ReflectionTest, NonMacroFormsComeBackUnchanged) {
  EXPECT_EQ(eval("(def rf-fn (fn* [x] x))"), "#'user/rf-fn");
  for (const char* form : {"42",
                           ":k",
                           "\"s\"",
                           "nil",
                           "true",
                           "1.5",
                           "\\a",
                           "'[1 (when a b)]",
                           "{1 2}",
                           "%{:a 1}",
                           "#{1}",
                           "'()",
                           "'when",
                           "'rf-fn",
                           "'(+ 1 2)",
                           "'(rf-fn 1)",
                           "'(rf-no-such-var 1)",
                           "'((when a b) 1)",
                           "'(1 2 3)",
                           "'(\"when\" a)",
                           "'(:when a)",
                           "'(do (when a b))",
                           "'(quote (when a b))",
                           "'(fn* [x] (when x 1))",
                           "'(def x (when a b))",
                           "'(match x _ (when a b))",
                           "'(var when)",
                           "'(lona.core/no-such a)",
                           "'(no.such.ns/when a)",
                           "(paddr 1)",
                           "(msg-info 1 2 3)"}) {
    std::string value = eval(form);
    ASSERT_EQ(value.rfind("ERROR", 0), std::string::npos) << form;
    EXPECT_EQ(eval(std::string("(macroexpand-1 ") + form + ")"), value) << form;
    EXPECT_EQ(eval(std::string("(macroexpand ") + form + ")"), value) << form;
  }
  // The very same value, not a copy.
  EXPECT_EQ(eval("(def rf-form '(rf-fn [1 2]))"), "#'user/rf-form");
  EXPECT_EQ(eval("(identical? rf-form (macroexpand rf-form))"), "true");
  EXPECT_EQ(eval("(identical? rf-form (macroexpand-1 rf-form))"), "true");
}

TEST_F(ReflectionTest, MacroErrorsPropagate) {
  EXPECT_EQ(eval("(defmacro rf-bad [x] (+ x :a))"), "#'user/rf-bad");
  EXPECT_EQ(eval("(macroexpand-1 '(rf-bad 1))"), "ERROR :type-error");
  EXPECT_EQ(eval("(macroexpand '(rf-bad 1))"), "ERROR :type-error");
  EXPECT_EQ(eval("(macroexpand-1 '(when))"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(macroexpand '(if))"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(macroexpand-1)"), "ERROR :arity-mismatch");
  EXPECT_EQ(eval("(macroexpand 1 2)"), "ERROR :arity-mismatch");
  // The evaluator goes on normally afterwards.
  EXPECT_EQ(eval("(macroexpand-1 '(when a b))"), "(lona.core/if a (do b))");
  // The message names the macro that failed.
  EXPECT_TRUE(Mentions(eval_message("(macroexpand-1 '(rf-bad 1))"), "in macro rf-bad"));
  EXPECT_TRUE(Mentions(eval_message("(macroexpand '(rf-bad 1))"), "in macro rf-bad"));
}

TEST_F(ReflectionTest, AMacroWhoseDefinitionFailedIsUnboundWhenExpanded) {
  // The failed definition declares the var as a macro with no value: expanding it is an error
  // that says so, not a call of nothing.
  EXPECT_EQ(eval("(defmacro rf-broken [[a]] a)"), "ERROR :syntax-error");
  for (const char* form : {"(macroexpand-1 '(rf-broken 1))", "(macroexpand '(rf-broken 1))"}) {
    EXPECT_EQ(eval(form), "ERROR :undefined") << form;
    EXPECT_TRUE(Mentions(eval_message(form), "macro rf-broken is unbound")) << form;
  }
}

TEST_F(ReflectionTest, ExpansionLimit) {
  EXPECT_EQ(eval("(defmacro rf-forever [x] `(rf-forever ~x))"), "#'user/rf-forever");
  EXPECT_EQ(eval("(macroexpand-1 '(rf-forever 1))"), "(rf-forever 1)");
  EXPECT_EQ(eval("(macroexpand '(rf-forever 1))"), "ERROR :macro-expansion-limit");
  EXPECT_EQ(eval("(macroexpand-1 '(rf-forever 1))"), "(rf-forever 1)");  // and goes on after it
  // A long but finite chain is fine, right up to the limit.
  EXPECT_EQ(eval("(defmacro rf-down [n] (match n 0 :done _ `(rf-down ~(- n 1))))"),
            "#'user/rf-down");
  EXPECT_EQ(eval("(macroexpand '(rf-down 1000))"), ":done");
  EXPECT_EQ(
      eval("(macroexpand '(rf-down " + std::to_string(reflection::kMaxMacroexpandSteps - 1) + "))"),
      ":done");
  EXPECT_EQ(
      eval("(macroexpand '(rf-down " + std::to_string(reflection::kMaxMacroexpandSteps) + "))"),
      "ERROR :macro-expansion-limit");
}

TEST_F(ReflectionTest, MacroexpandUnderGcStress) {
  heap_.set_stress(true, 8);
  EXPECT_EQ(eval("(defmacro rf-gc-list [& xs] `(list ~@xs [~@xs]))"), "#'user/rf-gc-list");
  EXPECT_EQ(eval("(macroexpand '(rf-gc-list [1 2] %{:a [3]} \"s\"))"),
            "(lona.core/list [1 2] %{:a [3]} \"s\" [[1 2] %{:a [3]} \"s\"])");
  EXPECT_EQ(eval("(count (macroexpand '(cond a 1 b 2 c 3 d 4 e 5 f 6)))"), "8");
  EXPECT_EQ(eval("(eval (macroexpand '(cond false 1 nil 2 (= 1 1) [3 4])))"), "[3 4]");
  EXPECT_GT(heap_.collections(), 10u);
}

// --- garbage-collect -----------------------------------------------------------------------------

TEST_F(ReflectionTest, GarbageCollect) {
  // No argument and :full are major collections; :minor is a minor one here, where the old
  // heap is empty after the major ones.
  uint64_t before = heap_.collections(), majors = heap_.major_collections();
  EXPECT_EQ(eval("(garbage-collect)"), ":ok");
  EXPECT_GT(heap_.collections(), before);
  EXPECT_EQ(heap_.major_collections(), majors + 1);
  before = heap_.collections();
  EXPECT_EQ(eval("(garbage-collect :full)"), ":ok");
  EXPECT_GT(heap_.collections(), before);
  EXPECT_EQ(heap_.major_collections(), majors + 2);
  before = heap_.collections();
  EXPECT_EQ(eval("(garbage-collect :minor)"), ":ok");
  EXPECT_GT(heap_.collections(), before);
  EXPECT_EQ(heap_.major_collections(), majors + 2);
  EXPECT_EQ(eval("(garbage-collect :major)"), "ERROR :badarg");
  EXPECT_EQ(eval("(garbage-collect 1)"), "ERROR :type-error");
  EXPECT_EQ(eval("(garbage-collect :full :full)"), "ERROR :arity-mismatch");
  // Live values, held only in registers, survive it.
  EXPECT_EQ(eval("(let [x [1 {2 \"three\"} %{:four 4N}] y (garbage-collect)] [x y])"),
            "[[1 {2 \"three\"} %{:four 4N}] :ok]");
  EXPECT_EQ(eval("((fn* [a b] (garbage-collect) (garbage-collect :full) [a b]) (str \"x\" 1) 2.5)"),
            "[\"x1\" 2.5]");
}

// --- namespaces, reading and loading: their errors -----------------------------------------------

TEST_F(ReflectionTest, NamespaceIntrinsicsCheckTheirArguments) {
  for (const char* form :
       {"(create-ns \"rf.x\")", "(find-ns :rf.x)", "(ns-name 'user)", "(in-ns \"rf.x\")",
        "(alias \"a\" 'user)", "(alias 'rf-a 42)", "(require \"rf.x\")", "(refer 42)",
        "(ns-map [1])", "(intern 42 'x)", "(intern 'user \"x\")"}) {
    EXPECT_EQ(eval(form), "ERROR :type-error") << form;
  }
  // A symbol that names no namespace: found by find-ns as nil, an error everywhere else.
  EXPECT_EQ(eval("(find-ns 'rf.no.such)"), "nil");
  for (const char* form : {"(refer 'rf.no.such)", "(alias 'rf-a 'rf.no.such)",
                           "(ns-map 'rf.no.such)", "(intern 'rf.no.such 'x)"}) {
    EXPECT_EQ(eval(form), "ERROR :undefined") << form;
    EXPECT_TRUE(Mentions(eval_message(form), "no namespace named rf.no.such")) << form;
  }
  // A var is interned in the namespace given, under a plain name.
  EXPECT_EQ(eval("(intern 'user 'rf.q/x 1)"), "ERROR :badarg");
  EXPECT_EQ(eval("(find-ns 'rf.q)"), "nil");
}

TEST_F(ReflectionTest, ReadStringOfNoFormOrNoString) {
  EXPECT_EQ(eval("(read-string 42)"), "ERROR :type-error");
  for (const char* form : {"(read-string \"\")", "(read-string \"  ; only a comment\")"}) {
    EXPECT_EQ(eval(form), "ERROR :unexpected-eof") << form;
    EXPECT_TRUE(Mentions(eval_message(form), "of no form")) << form;
  }
  EXPECT_EQ(eval("(read-string \" [1 2] \")"), "[1 2]");
}

TEST_F(ReflectionTest, LoadFileAndRequireOfWhatIsNotThere) {
  EXPECT_EQ(eval("(load-file 'rf-path)"), "ERROR :type-error");
  EXPECT_EQ(eval("(load-file \"/nonexistent/rf.lona\")"), "ERROR :file-not-found");
  EXPECT_TRUE(Mentions(eval_message("(load-file \"/nonexistent/rf.lona\")"),
                       "cannot open /nonexistent/rf.lona"));
  // require looks for the namespace's path in the library, and names it when absent.
  EXPECT_EQ(eval("(require 'rf.no.such.lib)"), "ERROR :file-not-found");
  EXPECT_TRUE(Mentions(eval_message("(require 'rf.no.such.lib)"), "rf/no/such/lib.lona"));
  EXPECT_EQ(eval("(find-ns 'rf.no.such.lib)"), "nil");
  // A namespace that exists already is not looked for.
  EXPECT_EQ(eval("(require 'user)"), "nil");
}

}  // namespace
}  // namespace lona
