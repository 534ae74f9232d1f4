// Definitions: the metadata and roots that def and intern give a var (vm/namespace define_meta,
// set_root), the same whichever defines it.
#include <gtest/gtest.h>

#include "tests/support/eval_fixture.hpp"

namespace lona {
namespace {

using DefineTest = EvalTest;

TEST_F(DefineTest, DefAndInternGiveTheSameMetadata) {
  EXPECT_EQ(eval("(def ^%{:doc \"d\"} df-a 1)"), "#'user/df-a");
  EXPECT_EQ(eval("(intern 'user (with-meta 'df-b %{:doc \"d\"}) 1)"), "#'user/df-b");
  EXPECT_EQ(eval("[(meta #'df-a) (meta #'df-b)]"),
            "[%{:doc \"d\" :name df-a :ns #<ns user>} %{:doc \"d\" :name df-b :ns #<ns user>}]");
  // :macro in the metadata makes a macro either way.
  EXPECT_EQ(eval("(intern 'user (with-meta 'df-m %{:macro true}) (fn* [x] (list 'quote x)))"),
            "#'user/df-m");
  EXPECT_EQ(eval("(df-m (not evaluated))"), "(not evaluated)");
  EXPECT_EQ(eval("(def ^:macro df-n (fn* [x] (list 'quote x)))"), "#'user/df-n");
  EXPECT_EQ(eval("(df-n (nor this))"), "(nor this)");
}

TEST_F(DefineTest, RootsWhoseCopyWouldExplodeAreRefused) {
  // 2^100 leaves once the shared halves are copied apart: refused at once, nothing set.
  EXPECT_EQ(eval("(def df-big (reduce (fn [x _] [x x]) 1 (range 100)))"), "ERROR :oom");
  EXPECT_EQ(eval("(intern 'user 'df-big2 (reduce (fn [x _] [x x]) 1 (range 100)))"), "ERROR :oom");
  EXPECT_EQ(eval("df-big2"), "ERROR :undefined");
  EXPECT_EQ(eval("(intern 'user 'df-small (reduce (fn [x _] [x x]) 1 (range 3)))"),
            "#'user/df-small");
  EXPECT_EQ(eval("df-small"), "[[[1 1] [1 1]] [[1 1] [1 1]]]");
}

}  // namespace
}  // namespace lona
