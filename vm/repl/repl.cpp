#include "vm/repl/repl.hpp"

#include <editline/readline.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "runtime/support/str_cat.hpp"
#include "vm/printer/printer.hpp"
#include "vm/repl/form_stream.hpp"

namespace lona {
namespace {

// One line per form, whatever the message holds.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home != nullptr ? str_cat(home, "/.lona_history") : std::string();
}

}  // namespace

int run_batch_repl(std::istream& in, std::ostream& out, Evaluator& evaluator) {
  Heap heap;
  FormStream stream(heap);
  auto on_form = [&](Term form) {
    EvalResult r = evaluator.eval(heap, form);
    if (r.ok) {
      out << print(r.value) << '\n';
    } else {
      out << "ERROR :" << r.error.reason << ' ' << one_line(r.error.message) << '\n';
    }
    out.flush();
  };
  auto on_error = [&](const ReadError& e) {
    out << "ERROR :" << e.reason << ' ' << one_line(e.message) << " (line " << e.line << ", column "
        << e.column << ")\n";
    out.flush();
  };
  std::string line;
  while (std::getline(in, line)) {
    if (!in.eof()) line.push_back('\n');
    stream.feed(line, on_form, on_error);
  }
  stream.finish(on_form, on_error);
  return 0;
}

int run_interactive_repl(Evaluator& evaluator) {
  Heap heap;
  FormStream stream(heap);
  std::string history = history_path();
  using_history();
  if (!history.empty()) read_history(history.c_str());

  std::cout << "Lona "
            << "0.1.0"
            << " - Ctrl-D to exit\n";
  auto on_form = [&](Term form) {
    EvalResult r = evaluator.eval(heap, form);
    if (r.ok) {
      std::cout << print(r.value) << std::endl;
    } else {
      std::cout << "error: " << r.error.message << " (:" << r.error.reason << ")" << std::endl;
    }
  };
  auto on_error = [&](const ReadError& e) {
    std::cout << "error: " << e.message << " (:" << e.reason << ") at line " << e.line
              << ", column " << e.column << std::endl;
  };
  for (;;) {
    char* raw = readline(stream.pending() ? "  ... " : "lona> ");
    if (raw == nullptr) break;  // Ctrl-D
    std::string line(raw);
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) {
      add_history(line.c_str());
      if (!history.empty()) write_history(history.c_str());
    }
    line.push_back('\n');
    stream.feed(line, on_form, on_error);
  }
  stream.finish(on_form, on_error);
  std::cout << std::endl;
  return 0;
}

}  // namespace lona
