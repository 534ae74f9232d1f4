// The batch REPL in process: one output line per top-level form, errors reported and skipped.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "vm/eval/evaluator.hpp"
#include "vm/repl/repl.hpp"

namespace lona {
namespace {

std::vector<std::string> run(const std::string& input) {
  std::istringstream in(input);
  std::ostringstream out;
  Heap heap;
  LiteralEvaluator evaluator;
  EXPECT_EQ(run_batch_repl(in, out, evaluator, heap), 0);
  std::vector<std::string> lines;
  std::istringstream split(out.str());
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  return lines;
}

using Lines = std::vector<std::string>;

TEST(BatchRepl, OneLinePerForm) { EXPECT_EQ(run("1 2 3\n:a\n"), (Lines{"1", "2", "3", ":a"})); }

TEST(BatchRepl, EmptyInputAndCommentsPrintNothing) {
  EXPECT_TRUE(run("").empty());
  EXPECT_TRUE(run("; just a comment\n\n   \n#_ (discarded)\n").empty());
}

TEST(BatchRepl, FormsSpanLines) {
  EXPECT_EQ(run("[1\n 2\n 3]\n\"two\nlines\"\n"), (Lines{"[1 2 3]", "\"two\\nlines\""}));
}

TEST(BatchRepl, LastLineWithoutNewline) { EXPECT_EQ(run("1\n2"), (Lines{"1", "2"})); }

TEST(BatchRepl, QuoteAndSelfEvaluatingCollections) {
  EXPECT_EQ(run("'foo\n''foo\n(quote (1 2))\n['a 'b]\n%{:k 'v}\n#{'x}\n'()\n()\n"),
            (Lines{"foo", "(quote foo)", "(1 2)", "[a b]", "%{:k v}", "#{x}", "()", "()"}));
}

TEST(BatchRepl, QuoteArityIsASyntaxError) {
  Lines out = run("(quote)\n(quote a b)\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rfind("ERROR :syntax-error ", 0), 0u) << out[0];
  EXPECT_EQ(out[1].rfind("ERROR :syntax-error ", 0), 0u) << out[1];
}

TEST(BatchRepl, WhatNeedsTheCompilerIsNotImplemented) {
  Lines out = run("foo\n(+ 1 2)\n[1 x]\n42\n");
  ASSERT_EQ(out.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out[i].rfind("ERROR :not-implemented ", 0), 0u) << out[i];
  EXPECT_EQ(out[3], "42");  // the REPL goes on
}

TEST(BatchRepl, ReaderErrorsAreReportedAndSkipped) {
  Lines out = run("1\n)\n2\n\"bad \\q escape\" 3\n4\n[1 2\n");
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0], "1");
  EXPECT_EQ(out[1].rfind("ERROR :unmatched-delimiter ", 0), 0u) << out[1];
  EXPECT_EQ(out[2], "2");
  // The rest of the bad line (the 3) is skipped with it.
  EXPECT_EQ(out[3].rfind("ERROR :invalid-escape ", 0), 0u) << out[3];
  EXPECT_NE(out[3].find("line 4, column 6"), std::string::npos) << out[3];
  EXPECT_EQ(out[4], "4");
  EXPECT_EQ(out[5].rfind("ERROR :unexpected-eof ", 0), 0u) << out[5];
}

TEST(BatchRepl, StrayCloserSkipsOnlyItself) {
  EXPECT_EQ(run(") 5\n").size(), 2u);
  EXPECT_EQ(run(") 5\n")[1], "5");
}

TEST(BatchRepl, BadBytesDoNotStopTheRepl) {
  std::string input = "1\n";
  input += std::string("a\0b", 3) + "\n";
  input += "\"\xE2\x82\"\n";  // truncated UTF-8 inside a string
  input += "\xC3\n";          // truncated UTF-8 as a token
  input += "2\n";
  Lines out = run(input);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0], "1");
  EXPECT_EQ(out[1].rfind("ERROR :invalid-character ", 0), 0u) << out[1];
  EXPECT_EQ(out[2].rfind("ERROR :invalid-utf8 ", 0), 0u) << out[2];
  EXPECT_EQ(out[3].rfind("ERROR :invalid-utf8 ", 0), 0u) << out[3];
  EXPECT_EQ(out[4], "2");
}

TEST(BatchRepl, MegabyteTokensWork) {
  std::string sym(1 << 20, 'x');
  std::string str(1 << 20, 'y');
  Lines out = run("'" + sym + "\n\"" + str + "\"\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], sym);
  EXPECT_EQ(out[1], "\"" + str + "\"");
}

TEST(BatchRepl, ErrorLinesAreSingleLines) {
  Lines out = run("(\n\n\n");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rfind("ERROR :unexpected-eof ", 0), 0u);
}

// The REPL is a process that traps exits (reference 6): a linked process's crash arrives as the
// message [:EXIT pid reason], and the session goes on.
TEST(BatchRepl, TheReplTrapsExits) {
  std::istringstream in(
      "(:trap-exit (process-info))\n"
      "(def p (spawn-link (fn* [] (exit :boom))))\n"
      "(receive [:EXIT q reason] [(= q p) reason] :after 10000 :timeout)\n"
      "(spawn-link (fn* [] (+ 1 :x)))\n"
      "(receive [:EXIT _ [:error kind _]] kind :after 10000 :timeout)\n"
      "(+ 1 2)\n");
  std::ostringstream out;
  Heap heap;
  CompilingEvaluator evaluator;
  EXPECT_EQ(run_batch_repl(in, out, evaluator, heap), 0);
  std::vector<std::string> lines;
  std::istringstream split(out.str());
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 6u) << out.str();
  EXPECT_EQ(lines[0], "true");
  EXPECT_EQ(lines[2], "[true :boom]");
  EXPECT_EQ(lines[4], ":type-error");
  EXPECT_EQ(lines[5], "3");
}

// The REPL's process answers another process's process-info while it waits in a receive, from
// its own state: the message it has queued, the process linked to it, its trapping of exits.
TEST(BatchRepl, TheReplAnswersProcessInfoInAReceive) {
  std::istringstream in(
      "(def me (self))\n"
      "(send me :queued)\n"
      "(def child (spawn-link (fn* [] (send me [:info (process-info me)]))))\n"
      "(receive [:info m] [(:mailbox-len m) (= (get (:links m) child) child)"
      " (> (:reductions m) 0) (:trap-exit m)] :after 10000 :timeout)\n");
  std::ostringstream out;
  Heap heap;
  CompilingEvaluator evaluator;
  EXPECT_EQ(run_batch_repl(in, out, evaluator, heap), 0);
  std::vector<std::string> lines;
  std::istringstream split(out.str());
  for (std::string line; std::getline(split, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u) << out.str();
  EXPECT_EQ(lines[3], "[1 true true true]");
}

}  // namespace
}  // namespace lona
