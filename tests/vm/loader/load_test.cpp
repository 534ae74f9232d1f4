// Loading source files into the running realm: load-file and require, through the one
// read-and-run loop (vm/loader for_each_form) they share with `lona run` and the boot.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "tests/support/eval_fixture.hpp"
#include "vm/loader/loader.hpp"

namespace lona {
namespace {

class LoadTest : public EvalTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("lona-load-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::filesystem::path p = dir_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

  std::filesystem::path dir_;
};

// Syntax-quote in a loaded file qualifies names in the namespace the file's (ns ...) made
// current, not in the namespace that loaded it.
TEST_F(LoadTest, SyntaxQuoteQualifiesInTheFilesOwnNamespace) {
  std::string path = write("sqlib.lona",
                           "(ns ld.sqlib)\n(defn helper [] :from-sqlib)\n"
                           "(defmacro call-helper [] `(helper))\n");
  EXPECT_EQ(eval("(load-file \"" + path + "\")"), "#'ld.sqlib/call-helper");
  EXPECT_EQ(eval("(macroexpand-1 '(ld.sqlib/call-helper))"), "(ld.sqlib/helper)");
  EXPECT_EQ(eval("(ld.sqlib/call-helper)"), ":from-sqlib");
  EXPECT_EQ(eval("(ns-name *ns*)"), "user");  // the file's ns did not leak
}

TEST_F(LoadTest, RequireLoadsFromTheLibraryAndQualifiesThere) {
  write("ld/req.lona", "(ns ld.req)\n(def base 40)\n(defmacro plus-base [x] `(+ base ~x))\n");
  add_library_dir(dir_.string());
  EXPECT_EQ(eval("(require 'ld.req)"), "nil");
  EXPECT_EQ(eval("(ld.req/plus-base 2)"), "42");
  EXPECT_EQ(eval("(require 'ld.nothere)"), "ERROR :file-not-found");
}

TEST_F(LoadTest, LoadFileGivesTheLastValueAndPlacesErrors) {
  std::string path = write("values.lona", "(def lv-a 1)\n[lv-a (str \"x\" lv-a)]\n");
  heap_.set_stress(true);  // the last value must survive collections while later forms run
  EXPECT_EQ(eval("(load-file \"" + path + "\")"), "[1 \"x1\"]");
  heap_.set_stress(false);
  std::string bad_read = write("bad_read.lona", "(def lv-b 1)\n\n  (oops\n");
  EXPECT_EQ(eval("(load-file \"" + bad_read + "\")"), "ERROR :unexpected-eof");
  std::string bad_run = write("bad_run.lona", "(def lv-c 1)\n(/ 1 0)\n");
  EXPECT_EQ(eval("(load-file \"" + bad_run + "\")"), "ERROR :division-by-zero");
  EXPECT_EQ(eval("lv-c"), "1");  // what ran before the failing form stays defined
}

// The place is in the error message: file:line: for running errors, file:line:column: for
// reading ones.
TEST(ForEachForm, ErrorsNameTheFileAndLine) {
  Heap heap;
  EvalError error;
  int calls = 0;
  auto run = [&](Term, int line) {
    ++calls;
    return line == 3 ? EvalResult::failure("badmatch", "no clause matched")
                     : EvalResult::success(Term::nil());
  };
  EXPECT_FALSE(for_each_form(heap, "1\n2\n  3\n4", "f.lona", {}, run, &error));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(error.reason, "badmatch");
  EXPECT_EQ(error.message, "f.lona:3: no clause matched");
  calls = 0;
  EXPECT_FALSE(for_each_form(heap, "1\n (2", "g.lona", {}, run, &error));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(error.reason, "unexpected-eof");
  EXPECT_EQ(error.message.rfind("g.lona:2:", 0), 0u) << error.message;
  EXPECT_TRUE(for_each_form(heap, "; only a comment\n", "h.lona", {}, run, &error));
}

}  // namespace
}  // namespace lona
