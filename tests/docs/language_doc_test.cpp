// tests/docs: runs the examples of docs/language.md, so that the guide cannot drift from the
// language it describes.
//
// The convention, also stated at the top of the guide: a fenced block tagged `lonala` holds
// forms; a comment `;=> text` after a form (at the end of its last line, or on a line of its own)
// is the value the batch REPL prints for it, and `;=> ERROR :reason` an error whose reason alone
// is compared (messages are prose and may be reworded). Forms with no `;=>` after them are run
// for effect and must not fail. Every block of the file runs in order in one session that starts
// in `user`, as if typed into one REPL, so definitions carry over. Other fences are not run.
//
// The extractor is a text pass (no heap), tested on its own on an inline sample, and the runner is
// tested on a sample with deliberately wrong expectations, so that a broken extractor or runner
// cannot make the guide pass vacuously; the guide must also yield at least kMinExamples checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/term/heap.hpp"
#include "tests/support/namespaces.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace lona {
namespace {

constexpr const char* kGuidePath = LONA_DOCS_DIR "/language.md";
// Far below what the guide holds; only there so that a guide the extractor cannot parse (or an
// emptied one) fails instead of passing with nothing checked.
constexpr int kMinExamples = 100;

// One chunk of a lonala block: the forms since the previous expectation, and what the last of
// them must print (when `checked`).
struct Example {
  int line = 0;  // markdown line of the first line of `code`
  std::string code;
  bool checked = false;
  std::string expected;
  int expected_line = 0;
};

struct Extraction {
  std::vector<Example> examples;
  std::vector<std::string> problems;  // malformed markdown: each names its line
};

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The fence of a markdown line (three or more backticks after optional indentation), or npos.
size_t fence_at(std::string_view line) {
  size_t b = line.find_first_not_of(' ');
  if (b == std::string_view::npos || line.compare(b, 3, "```") != 0) return std::string_view::npos;
  return b;
}

// Scans the lonala lines of `markdown`. Strings and char literals are followed across lines so
// that a ";=>" inside a string, or a `\;` char, is never taken for an expectation.
Extraction extract(std::string_view markdown) {
  Extraction out;
  bool in_fence = false;
  bool in_lonala = false;
  int fence_line = 0;
  bool in_string = false;
  Example pending;
  bool pending_has_code = false;

  auto flush_unchecked = [&] {
    if (pending_has_code) out.examples.push_back(pending);
    pending = Example{};
    pending_has_code = false;
  };

  std::istringstream lines{std::string(markdown)};
  std::string raw;
  int lineno = 0;
  while (std::getline(lines, raw)) {
    ++lineno;
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t fence = fence_at(line);
    if (!in_fence) {
      if (fence == std::string_view::npos) continue;
      std::string_view info = trim(line.substr(fence + 3));
      info = info.substr(0, info.find_first_of(" \t{"));
      in_fence = true;
      in_lonala = info == "lonala";
      fence_line = lineno;
      continue;
    }
    if (fence != std::string_view::npos && !in_string) {
      if (in_lonala) flush_unchecked();
      in_fence = in_lonala = false;
      continue;
    }
    if (!in_lonala) continue;

    // Walk the line: code up to a comment; a comment starting ";=>" is an expectation.
    size_t comment = std::string_view::npos;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
        pending_has_code = true;
      } else if (c == '\\') {  // a char literal: the next character is never syntax
        ++i;
        pending_has_code = true;
      } else if (c == ';') {
        comment = i;
        break;
      } else if (c != ' ' && c != '\t' && c != ',') {
        pending_has_code = true;
      }
    }
    if (pending.code.empty()) pending.line = lineno;
    bool expectation = comment != std::string_view::npos && line.substr(comment, 3) == ";=>";
    pending.code.append(line.substr(0, expectation ? comment : line.size()));
    pending.code.push_back('\n');
    if (!expectation) continue;
    if (!pending_has_code) {
      out.problems.push_back("line " + std::to_string(lineno) + ": ;=> follows no form");
    } else {
      pending.checked = true;
      pending.expected = std::string(trim(line.substr(comment + 3)));
      pending.expected_line = lineno;
      out.examples.push_back(pending);
    }
    pending = Example{};
    pending_has_code = false;
  }
  if (in_fence) {
    out.problems.push_back("line " + std::to_string(fence_line) + ": code block never closed");
  }
  if (in_string) {
    out.problems.push_back("line " + std::to_string(fence_line) + ": block ends inside a string");
  }
  return out;
}

struct RunReport {
  int checked = 0;  // expectations compared (whether they held or not)
  std::vector<std::string> failures;
};

// Skips whitespace, commas and line comments from `pos`: where the next form's text starts.
size_t skip_blank(std::string_view code, size_t pos) {
  while (pos < code.size()) {
    char c = code[pos];
    if (c == ';') {
      size_t nl = code.find('\n', pos);
      pos = nl == std::string_view::npos ? code.size() : nl + 1;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      ++pos;
    } else {
      break;
    }
  }
  return pos;
}

// What an expectation text means: a printed value, or an error reason (`ERROR :reason`, nothing
// after it: an expectation that also quoted the message would look checked but not be).
struct Expectation {
  bool error = false;
  std::string text;  // the printed value, or the reason without its colon
  bool malformed = false;
};

Expectation parse_expectation(std::string_view expected) {
  Expectation e;
  if (expected.substr(0, 5) != "ERROR") {
    e.text = std::string(expected);
    e.malformed = expected.empty();
    return e;
  }
  e.error = true;
  std::string_view rest = expected.substr(5);
  e.malformed = rest.size() < 3 || rest[0] != ' ' || rest[1] != ':' ||
                rest.substr(2).find_first_of(" \t") != std::string_view::npos;
  if (!e.malformed) e.text = std::string(rest.substr(2));
  return e;
}

// Evaluates the examples in order with `evaluator`; each form is read only after the previous one
// has run, as the REPL does, so syntax-quote sees the vars defined just before it.
RunReport run_examples(const std::vector<Example>& examples, std::string_view file, Heap& heap,
                       Evaluator& evaluator) {
  RunReport report;
  auto fail = [&](int line, std::string_view form, const std::string& what) {
    report.failures.push_back(std::string(file) + ":" + std::to_string(line) + ": " +
                              std::string(form) + "\n  " + what);
  };
  for (const Example& ex : examples) {
    ReaderOptions options = evaluator.reader_options();
    options.first_line = ex.line;
    Reader reader(heap, ex.code, options);
    std::string_view code = ex.code;

    // The result of the latest form; only the last one of an example may be an error, and only
    // when an expectation says so.
    bool have_last = false;
    bool last_ok = false;
    std::string last_text;  // printed value, or the reason
    std::string last_message;
    std::string last_form;
    int last_line = 0;
    auto unexpected_error = [&] {
      fail(last_line, last_form,
           "evaluated for effect but failed: ERROR :" + last_text + " " + last_message);
    };

    bool read_failed = false;
    for (;;) {
      size_t start = skip_blank(code, reader.offset());
      Term form;
      Reader::Status s = reader.next(&form);
      if (s == Reader::Status::kEnd) break;
      if (have_last && !last_ok) unexpected_error();
      if (s == Reader::Status::kError) {
        const ReadError& e = reader.error();
        fail(e.line, code.substr(start, code.find('\n', start) - start),
             "cannot be read: ERROR :" + e.reason + " " + e.message);
        read_failed = true;
        break;
      }
      last_form = std::string(trim(code.substr(start, reader.offset() - start)));
      last_line = ex.line + static_cast<int>(std::count(code.begin(), code.begin() + start, '\n'));
      EvalResult r = evaluator.eval(heap, form);
      have_last = true;
      last_ok = r.ok;
      if (r.ok) {
        last_text = print(r.value);  // before anything else allocates: the value may move
      } else {
        last_text = r.error.reason;
        last_message = r.error.message;
      }
    }
    if (read_failed) continue;
    if (!have_last) {
      fail(ex.line, ex.code, "no form to evaluate");
      continue;
    }
    if (!ex.checked) {
      if (!last_ok) unexpected_error();
      continue;
    }
    ++report.checked;
    Expectation want = parse_expectation(ex.expected);
    std::string actual = last_ok ? last_text : "ERROR :" + last_text + " " + last_message;
    if (want.malformed) {
      fail(ex.expected_line, last_form,
           "malformed expectation ;=> " + ex.expected + " (want a value or ERROR :reason)");
    } else if (want.error ? (last_ok || last_text != want.text)
                          : (!last_ok || last_text != want.text)) {
      fail(ex.expected_line, last_form, "expected: " + ex.expected + "\n  actual:   " + actual);
    }
  }
  return report;
}

// A namespace of its own for the samples below, referring what `user` refers, so that
// what they define can never meet the guide's definitions in `user`.
uint32_t sample_namespace() { return namespace_like_user("lona.docs.sample"); }

TEST(LanguageDocExtractor, SplitsBlocksIntoFormsAndExpectations) {
  const std::string md =
      "# Title\n"                              // 1
      "```text\n"                              // 2
      "(not run) ;=> 1\n"                      // 3
      "```\n"                                  // 4
      "```lonala\n"                            // 5
      "(def a 1)\n"                            // 6
      "(+ a 1) ;=> 2\n"                        // 7
      "; a plain comment\n"                    // 8
      "(str \"x ;=> y\"\n"                     // 9
      "     \\;) ;=> \"x ;=> y;\"\n"           // 10
      "(do\n"                                  // 11
      "  :multi)\n"                            // 12
      ";=> :multi\n"                           // 13
      "(def tail 3)\n"                         // 14
      "```\n"                                  // 15
      "```sh\n"                                // 16
      "lona eval '(+ 1 2)' ;=> 3\n"            // 17
      "```\n"                                  // 18
      "```lonala\n"                            // 19
      "(/ 1 0) ;=> ERROR :division-by-zero\n"  // 20
      "```\n";                                 // 21
  Extraction x = extract(md);
  EXPECT_TRUE(x.problems.empty()) << x.problems.front();
  ASSERT_EQ(x.examples.size(), 5u);

  EXPECT_EQ(x.examples[0].line, 6);
  EXPECT_EQ(x.examples[0].code, "(def a 1)\n(+ a 1) \n");
  EXPECT_TRUE(x.examples[0].checked);
  EXPECT_EQ(x.examples[0].expected, "2");
  EXPECT_EQ(x.examples[0].expected_line, 7);

  // The string's ";=>" and the `\;` char stay code; the comment line joins the next example.
  EXPECT_EQ(x.examples[1].line, 8);
  EXPECT_EQ(x.examples[1].expected, "\"x ;=> y;\"");
  EXPECT_EQ(x.examples[1].expected_line, 10);

  EXPECT_EQ(x.examples[2].line, 11);
  EXPECT_EQ(x.examples[2].code, "(do\n  :multi)\n\n");
  EXPECT_EQ(x.examples[2].expected, ":multi");

  EXPECT_FALSE(x.examples[3].checked);  // a definition at the end of a block: run for effect
  EXPECT_EQ(x.examples[3].line, 14);

  EXPECT_EQ(x.examples[4].expected, "ERROR :division-by-zero");
  EXPECT_EQ(x.examples[4].line, 20);
}

TEST(LanguageDocExtractor, ReportsMalformedBlocks) {
  Extraction orphan = extract("```lonala\n;=> 1\n```\n");
  ASSERT_EQ(orphan.problems.size(), 1u);
  EXPECT_NE(orphan.problems[0].find("line 2"), std::string::npos) << orphan.problems[0];

  Extraction open = extract("text\n```lonala\n(+ 1 2)\n");
  ASSERT_EQ(open.problems.size(), 1u);
  EXPECT_NE(open.problems[0].find("line 2: code block never closed"), std::string::npos);

  // A string left open swallows the closing fence: both are reported.
  Extraction unterminated = extract("```lonala\n(str \"abc)\n```\nprose\n");
  ASSERT_EQ(unterminated.problems.size(), 2u);
  EXPECT_NE(unterminated.problems[0].find("line 1: code block never closed"), std::string::npos)
      << unterminated.problems[0];
  EXPECT_NE(unterminated.problems[1].find("line 1: block ends inside a string"), std::string::npos)
      << unterminated.problems[1];
}

TEST(LanguageDocRunner, ReportsEveryKindOfMismatch) {
  const std::string md =
      "```lonala\n"                                      // 1
      "(def sample-x 40)\n"                              // 2
      "(+ sample-x 2) ;=> 42\n"                          // 3
      "(+ sample-x 1) ;=> 42\n"                          // 4: wrong value
      "(nth [] 1) ;=> ERROR :division-by-zero\n"         // 5: wrong reason
      "(/ 1 0) ;=> 0\n"                                  // 6: error, value expected
      "(+ 1 1) ;=> ERROR :badmatch\n"                    // 7: value, error expected
      "(undefined-thing)\n"                              // 8: effect form that fails
      "(match 1 2 :two) ;=> ERROR :badmatch\n"           // 9
      "(+ 1 1) ;=> ERROR :badmatch no clause matched\n"  // 10: malformed expectation
      "```\n";
  Extraction x = extract(md);
  ASSERT_TRUE(x.problems.empty());
  ASSERT_EQ(x.examples.size(), 7u);

  Heap heap;
  CompilingEvaluator evaluator(sample_namespace());
  RunReport r = run_examples(x.examples, "sample.md", heap, evaluator);
  EXPECT_EQ(r.checked, 7);
  ASSERT_EQ(r.failures.size(), 6u);
  EXPECT_EQ(r.failures[0], "sample.md:4: (+ sample-x 1)\n  expected: 42\n  actual:   41");
  EXPECT_NE(r.failures[1].find("sample.md:5: (nth [] 1)\n  expected: ERROR :division-by-zero\n"
                               "  actual:   ERROR :index-out-of-bounds"),
            std::string::npos)
      << r.failures[1];
  EXPECT_NE(r.failures[2].find("sample.md:6: (/ 1 0)\n  expected: 0\n  actual:   ERROR "
                               ":division-by-zero"),
            std::string::npos)
      << r.failures[2];
  EXPECT_EQ(r.failures[3], "sample.md:7: (+ 1 1)\n  expected: ERROR :badmatch\n  actual:   2");
  EXPECT_NE(r.failures[4].find("sample.md:8: (undefined-thing)\n  evaluated for effect but failed: "
                               "ERROR :undefined"),
            std::string::npos)
      << r.failures[4];
  EXPECT_NE(r.failures[5].find("sample.md:10: (+ 1 1)\n  malformed expectation"), std::string::npos)
      << r.failures[5];
}

TEST(LanguageDocRunner, ReportsUnreadableForms) {
  Extraction x = extract("```lonala\n(+ 1 2) ;=> 3\n\n(+ 1\n   ]) ;=> 1\n```\n");
  ASSERT_TRUE(x.problems.empty());
  Heap heap;
  CompilingEvaluator evaluator(sample_namespace());
  RunReport r = run_examples(x.examples, "sample.md", heap, evaluator);
  ASSERT_EQ(r.failures.size(), 1u);
  // The reader's line is the markdown line, since each example is read from its first line.
  EXPECT_NE(r.failures[0].find("sample.md:5: "), std::string::npos) << r.failures[0];
  EXPECT_NE(r.failures[0].find("ERROR :unmatched-delimiter"), std::string::npos) << r.failures[0];

  // Text that reads as no form at all (a discarded one) has nothing to compare.
  Extraction discarded = extract("```lonala\n#_(+ 1 2) ;=> 3\n```\n");
  ASSERT_TRUE(discarded.problems.empty());
  r = run_examples(discarded.examples, "sample.md", heap, evaluator);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].find("sample.md:2: "), std::string::npos) << r.failures[0];
  EXPECT_NE(r.failures[0].find("no form to evaluate"), std::string::npos) << r.failures[0];
}

TEST(LanguageDoc, EveryExampleOfTheGuideHolds) {
  std::ifstream in(kGuidePath);
  ASSERT_TRUE(in) << "cannot open " << kGuidePath;
  std::stringstream text;
  text << in.rdbuf();

  Extraction x = extract(text.str());
  for (const std::string& p : x.problems) ADD_FAILURE() << "docs/language.md " << p;

  Heap heap;  // before the evaluator: its interpreter unregisters its roots from the heap
  CompilingEvaluator evaluator;  // in `user`, as the guide's REPL session is
  RunReport r = run_examples(x.examples, "docs/language.md", heap, evaluator);
  for (const std::string& f : r.failures) ADD_FAILURE() << f;
  EXPECT_GE(r.checked, kMinExamples) << "the guide's examples were not found";
  std::printf("docs/language.md: %d examples checked, %zu failed\n", r.checked, r.failures.size());
}

}  // namespace
}  // namespace lona
