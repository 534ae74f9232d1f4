// vm/cli: `lona-vm`, the VM of one realm. The LMM (`lona`, lmm/main.cpp) starts it with
// `--lmm-fd 3` and the command of the realm (the init realm's: repl, run, eval; none for the
// others, which serve what the LMM brings them). Without --lmm-fd (or with --standalone) it is
// a VM on its own, without realms, for development.
#include <unistd.h>

#include <chrono>
#include <thread>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/loader/loader.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"
#include "vm/realm/lmm_link.hpp"
#include "vm/realm/realm_inbox.hpp"
#include "vm/realm/remote_route.hpp"
#include "vm/repl/repl.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: lona-vm [--standalone] [--lib DIR]... [--workers N] [--trace FILE] [command]\n"
    "\n"
    "The VM of one realm, standalone (without the LMM: no realms). `lona` runs the system.\n"
    "\n"
    "commands:\n"
    "  repl            interactive REPL (the default)\n"
    "  repl --batch    read forms from stdin, print one result line per form:\n"
    "                  the value, or ERROR :reason message (program output: stderr)\n"
    "  run FILE [ARG]...  evaluate FILE, then call its main with the ARGs (strings)\n"
    "  eval EXPR       evaluate the forms in EXPR, print the value of the last\n"
    "  --help          this text\n"
    "  --version       the version\n"
    "\n"
    "options:\n"
    "  --lib DIR       look for namespaces in DIR before the built-in library\n"
    "                  (LONA_PATH=DIR:DIR... does the same)\n"
    "  --workers N     run processes on N worker threads (1 to 1024; default: one per core)\n"
    "  --trace FILE    record scheduling events (run slices per worker, spawns, exits, steals,\n"
    "                  parks) and write them to FILE as a Chrome trace when lona ends: open it\n"
    "                  in chrome://tracing or ui.perfetto.dev (LONA_TRACE=FILE does the same)\n";

// Joins the LMM over `fd`: learns which realm this is, takes its settings, and starts serving
// what the LMM brings. Exits when it cannot. A spare waits for the LMM's answer as long as it
// takes: the LMM answers when realm-create makes the spare a realm.
void join_lmm(const std::string& fd_text, bool spare) {
  char* end = nullptr;
  long fd = std::strtol(fd_text.c_str(), &end, 10);
  if (fd_text.empty() || *end != '\0' || fd < 0) {
    std::cerr << "lona-vm: --lmm-fd takes an fd number, not " << fd_text << "\n";
    std::exit(2);
  }
  absl::StatusOr<lona::realm::LmmLink*> link = lona::realm::LmmLink::connect(
      static_cast<int>(fd), spare ? absl::InfiniteDuration() : absl::Seconds(10));
  if (!link.ok()) {
    std::cerr << "lona-vm: cannot join the LMM: " << link.status().message() << "\n";
    std::exit(70);
  }
  const lona::ipc::BootInfoT& boot = (*link)->boot();
  lona::Runtime::set_realm_id((*link)->realm());
  lona::Runtime::set_remote_route(&lona::realm::RealmRoute::get());
  if (boot.workers != 0) lona::Runtime::set_worker_count(boot.workers);
  static auto* inbox = new lona::realm::RealmInbox();  // serves until the process ends
  // The LMM closing the connection is the system going down (or this realm being ended).
  (*link)->start(*inbox, *inbox, [] { std::_Exit(0); });
  // What the realm reports of itself, for realm-info and lonactl: when it changed, at most five
  // times a second.
  std::thread([link = *link] {
    std::uint64_t last = ~std::uint64_t{0};
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      lona::Runtime* runtime = lona::Runtime::if_started();
      std::uint64_t processes = runtime == nullptr ? 0 : runtime->process_count();
      if (processes == last) continue;
      last = processes;
      lona::ipc::UsageReportT report;
      report.processes = processes;
      (void)link->with_sends([&](lona::realm::LmmLink::Clients& sends) {
        return sends.messaging.ReportUsage(report);
      });
    }
  }).detach();
}

int report(const lona::EvalError& e) {
  std::cerr << "error: " << e.message << " (:" << e.reason << ")\n";
  return 1;
}

int eval_command(std::string_view source) {
  lona::Heap heap(lona::Heap::kProgramInitialWords);
  lona::CompilingEvaluator evaluator;
  lona::Reader reader(heap, source, evaluator.reader_options());
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
    if (!r.ok) return report(r.error);
    last = lona::print(r.value);
  }
  std::cout << last << "\n";
  return 0;
}

int run_command(const std::string& path, const std::vector<std::string>& args) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::cerr << "lona: cannot open " << path << "\n";
    return 1;
  }
  std::stringstream text;
  text << f.rdbuf();
  lona::set_program_output(stdout);
  lona::Heap heap(lona::Heap::kProgramInitialWords);
  lona::CompilingEvaluator evaluator;
  lona::EvalError error;
  if (!lona::eval_source(evaluator, heap, text.str(), path, &error)) return report(error);
  // main, if the file defines one in the namespace it ended in, gets the arguments as strings.
  lona::Var* main =
      lona::Namespaces::global().resolve(evaluator.current_ns(), lona::make_symbol("main"));
  if (main == nullptr || main->get().is_unbound()) return 0;
  // main runs in a process of its own, scheduled like any other (a program that sends and
  // receives should not pay for waking this thread at every message); this thread waits for it.
  std::string call = "(main";
  for (const std::string& a : args) {
    heap.push(lona::make_string(heap, a));
    call += ' ';
    call += lona::print(heap.pop());
  }
  // The form's value: nil after a normal exit, else the message to print.
  call = "(let [[_ r] (spawn-monitor (fn* [] " + call +
         ")))] (receive [:DOWN r2 _ reason] (if (= r r2) (match reason :normal nil"
         " [:error k %{:message m}] (str m \" (\" k \")\") other (str \"main exited with \""
         " other)))))";
  lona::Term form;
  lona::ReadError read_error;
  lona::read_one(heap, call, &form, &read_error);
  lona::EvalResult r = evaluator.eval(heap, form);
  if (!r.ok) return report(r.error);
  if (r.value.is_nil()) return 0;
  std::cerr << "error: " << lona::byte_view(r.value) << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool trace = false;
  std::string lmm_fd;
  bool spare = false;
  if (!args.empty() && args[0] == "--standalone") args.erase(args.begin());
  if (args.size() >= 2 && args[0] == "--lmm-fd") {
    lmm_fd = args[1];
    args.erase(args.begin(), args.begin() + 2);
    // A process the LMM keeps ready for realm-create (lmm/spare_pool.hpp).
    spare = !args.empty() && args[0] == "--spare";
    if (spare) args.erase(args.begin());
  }
  while (args.size() >= 2 &&
         (args[0] == "--lib" || args[0] == "--workers" || args[0] == "--trace")) {
    if (args[0] == "--lib") {
      lona::add_library_dir(args[1]);
    } else if (args[0] == "--trace") {
      // Written when lona ends: a path that cannot be written is found out now, not then.
      if (args[1].empty() || !std::ofstream(args[1])) {
        std::cerr << "lona: --trace: cannot write to '" << args[1] << "'\n";
        return 2;
      }
      lona::Runtime::set_trace({.path = args[1]});
      trace = true;
    } else {
      char* end = nullptr;
      unsigned long n = std::strtoul(args[1].c_str(), &end, 10);
      if (args[1].empty() || *end != '\0' || n < 1 || n > 1024) {
        std::cerr << "lona: --workers takes a number from 1 to 1024, not " << args[1] << "\n";
        return 2;
      }
      lona::Runtime::set_worker_count(static_cast<unsigned>(n));
    }
    args.erase(args.begin(), args.begin() + 2);
  }
  // Only now, with the library directories in place: the LMM may bring a spawn-in at once, and
  // its function must be found where --lib says.
  bool in_realm = !lmm_fd.empty();
  if (in_realm) {
    // Every command boots the libraries: before the boot info, a spare does it while it waits.
    lona::boot_namespaces();
    join_lmm(lmm_fd, spare);
  }
  // The runtime starts on first use, which a program without processes never makes: a trace
  // asked for is then written all the same (the file says what little the workers did).
  const char* env_trace = std::getenv("LONA_TRACE");
  if (trace || (env_trace != nullptr && *env_trace != '\0')) lona::Runtime::get();
  // A realm other than the init realm has no command: it runs what its ancestors spawn in it
  // until it is ended.
  if (in_realm && args.empty() && lona::realm::LmmLink::current()->parent() != 0) {
    lona::Runtime::get();
    for (;;) ::pause();
  }
  if (args.empty() || (args.size() == 1 && args[0] == "repl")) {
    lona::Heap heap(
        lona::Heap::kProgramInitialWords);  // before the evaluator, which uses it until destroyed
    lona::CompilingEvaluator evaluator;
    if (!isatty(STDIN_FILENO)) return lona::run_batch_repl(std::cin, std::cout, evaluator, heap);
    return lona::run_interactive_repl(evaluator, heap);
  }
  if (args.size() == 2 && args[0] == "repl" && args[1] == "--batch") {
    std::ios::sync_with_stdio(false);
    lona::Heap heap(lona::Heap::kProgramInitialWords);
    lona::CompilingEvaluator evaluator;
    return lona::run_batch_repl(std::cin, std::cout, evaluator, heap);
  }
  if (args.size() == 2 && args[0] == "eval") return eval_command(args[1]);
  if (args.size() >= 2 && args[0] == "run") {
    return run_command(args[1], std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (args.size() == 1 && args[0] == "--version") {
    std::cout << "lona-vm 0.1.0\n";
    return 0;
  }
  std::cerr << "lona: unknown command line";
  for (const std::string& a : args) std::cerr << ' ' << a;
  std::cerr << "\n\n" << kUsage;
  return 2;
}
