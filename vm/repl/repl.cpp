#include "vm/repl/repl.hpp"

#include <editline/readline.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <cstdio>
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

int run_batch_repl(std::istream& in, std::ostream& out, Evaluator& evaluator, Heap& heap) {
  evaluator.trap_exits();  // the REPL is a process that hears of linked crashes as messages
  FormStream stream(heap, evaluator.reader_options());
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

namespace {

// The interactive session, reached from libedit's line callback (which takes no user data).
struct Session {
  Session(Evaluator& e, Heap& h) : heap(h), stream(heap, e.reader_options()), evaluator(&e) {}
  Heap& heap;
  FormStream stream;
  Evaluator* evaluator;
  std::string history;
  bool done = false;
  bool line_complete = false;
};
Session* g_session = nullptr;

// Ctrl-C only wakes the event loop (self-pipe); the loop drops the line being typed.
int g_interrupt_pipe[2] = {-1, -1};
void on_sigint(int) {
  char c = 1;
  [[maybe_unused]] ssize_t n = write(g_interrupt_pipe[1], &c, 1);
}

const char* prompt() { return g_session->stream.pending() ? "  ... " : "lona> "; }

void on_line(char* raw) {
  Session& s = *g_session;
  if (raw == nullptr) {  // Ctrl-D
    s.done = true;
    return;
  }
  std::string line(raw);
  std::free(raw);
  if (line.find_first_not_of(" \t") != std::string::npos) {
    add_history(line.c_str());
    if (!s.history.empty()) write_history(s.history.c_str());
  }
  line.push_back('\n');
  s.stream.feed(
      line,
      [&](Term form) {
        EvalResult r = s.evaluator->eval(s.heap, form);
        if (r.ok) {
          std::cout << print(r.value) << std::endl;
        } else {
          std::cout << "error: " << r.error.message << " (:" << r.error.reason << ")" << std::endl;
        }
      },
      [](const ReadError& e) {
        std::cout << "error: " << e.message << " (:" << e.reason << ") at line " << e.line
                  << ", column " << e.column << std::endl;
      });
  s.line_complete = true;
}

}  // namespace

int run_interactive_repl(Evaluator& evaluator, Heap& heap) {
  if (pipe2(g_interrupt_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::perror("lona: cannot create the interrupt pipe");
    return 1;
  }
  evaluator.trap_exits();  // the REPL is a process that hears of linked crashes as messages
  Session session(evaluator, heap);
  session.history = history_path();
  g_session = &session;  // cleared before returning; on_line reaches the session through it
  using_history();
  if (!session.history.empty()) read_history(session.history.c_str());

  struct sigaction action = {}, previous = {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous);
  rl_catch_signals = 0;

  std::cout << "Lona 0.1.0 - Ctrl-D to exit, Ctrl-C to drop the current input" << std::endl;
  rl_callback_handler_install(prompt(), on_line);
  while (!session.done) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {g_interrupt_pipe[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if ((fds[1].revents & POLLIN) != 0) {  // Ctrl-C: drop the line and any open form
      char buf[64];
      while (read(g_interrupt_pipe[0], buf, sizeof buf) > 0) {
      }
      session.stream.reset();
      rl_replace_line("", 0);
      std::cout << std::endl;
      rl_callback_handler_remove();
      rl_callback_handler_install(prompt(), on_line);
      continue;
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      rl_callback_read_char();
      if (session.line_complete && !session.done) {
        // Start the next line now, with the prompt that says whether a form is still open
        // (libedit would otherwise show the old prompt only when the next key arrives).
        session.line_complete = false;
        rl_callback_handler_remove();
        rl_callback_handler_install(prompt(), on_line);
      }
    }
  }
  rl_callback_handler_remove();
  sigaction(SIGINT, &previous, nullptr);
  close(g_interrupt_pipe[0]);
  close(g_interrupt_pipe[1]);
  g_session = nullptr;
  std::cout << std::endl;
  return 0;
}

}  // namespace lona
