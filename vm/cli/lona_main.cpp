// vm/cli: the `lona` command line (until the LMM takes over `lona` and this becomes `lona-vm`).
#include <unistd.h>

#include <iostream>
#include <string_view>
#include <vector>

#include "vm/eval/evaluator.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"
#include "vm/repl/repl.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: lona [command]\n"
    "\n"
    "commands:\n"
    "  repl            interactive REPL (the default)\n"
    "  repl --batch    read forms from stdin, print one result line per form:\n"
    "                  the value, or ERROR :reason message\n"
    "  eval EXPR       evaluate the forms in EXPR, print the value of the last\n"
    "  --help          this text\n"
    "  --version       the version\n";

int eval_command(std::string_view source) {
  lona::Heap heap;
  lona::CompilingEvaluator evaluator;
  lona::Reader reader(heap, source);
  lona::Term form;
  std::string last = "nil";
  for (;;) {
    lona::Reader::Status s = reader.next(&form);
    if (s == lona::Reader::Status::kEnd) break;
    if (s == lona::Reader::Status::kError) {
      const lona::ReadError& e = reader.error();
      std::cerr << "error: " << e.message << " (:" << e.reason << ") at line " << e.line
                << ", column " << e.column << "\n";
      return 1;
    }
    lona::EvalResult r = evaluator.eval(heap, form);
    if (!r.ok) {
      std::cerr << "error: " << r.error.message << " (:" << r.error.reason << ")\n";
      return 1;
    }
    last = lona::print(r.value);
  }
  std::cout << last << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || (args.size() == 1 && args[0] == "repl")) {
    lona::CompilingEvaluator evaluator;
    if (!isatty(STDIN_FILENO)) return lona::run_batch_repl(std::cin, std::cout, evaluator);
    return lona::run_interactive_repl(evaluator);
  }
  if (args.size() == 2 && args[0] == "repl" && args[1] == "--batch") {
    std::ios::sync_with_stdio(false);
    lona::CompilingEvaluator evaluator;
    return lona::run_batch_repl(std::cin, std::cout, evaluator);
  }
  if (args.size() == 2 && args[0] == "eval") return eval_command(args[1]);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (args.size() == 1 && args[0] == "--version") {
    std::cout << "lona 0.1.0\n";
    return 0;
  }
  std::cerr << "lona: unknown command line";
  for (std::string_view a : args) std::cerr << ' ' << a;
  std::cerr << "\n\n" << kUsage;
  return 2;
}
