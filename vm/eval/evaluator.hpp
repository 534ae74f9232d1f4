// vm/eval: what the REPL and the command line evaluate forms with.
//
// CompilingEvaluator compiles each top-level form and runs it (the language). LiteralEvaluator
// evaluates only self-evaluating forms and quote, without namespaces or code: the reader's tests
// and tools that must not run code use it.
#pragma once

#include <memory>
#include <string>

#include "runtime/term/heap.hpp"
#include "vm/reader/reader.hpp"

namespace lona {

// An error as the language reports it: `reason` is the error keyword without its colon.
struct EvalError {
  std::string reason;
  std::string message;
};

// Where a top-level form comes from. Line 0: unknown; an empty file: a line of no file.
struct SourcePosition {
  std::string file;
  int line = 0;
};

struct EvalResult {
  // A run of a process (Interpreter::start/resume) may stop before its end: it used up its
  // reductions, or it waits for a message. Neither is ok nor an error.
  enum class Suspended : uint8_t { kNo, kYield, kWait };

  bool ok = false;
  Term value;
  EvalError error;
  Suspended suspended = Suspended::kNo;

  static EvalResult success(Term v) { return {true, v, {}, Suspended::kNo}; }
  static EvalResult failure(std::string reason, std::string message) {
    return {false, Term::nil(), {std::move(reason), std::move(message)}, Suspended::kNo};
  }
  static EvalResult suspend(Suspended why) { return {false, Term::nil(), {}, why}; }
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Evaluates one top-level form. The value lives on `heap` until its next allocation.
  virtual EvalResult eval(Heap& heap, Term form) = 0;
  // How the reader should read forms for this evaluator (syntax-quote qualification).
  virtual ReaderOptions reader_options() { return {}; }
  // The REPL's process traps exits (reference 6): the crash of a process linked to it arrives
  // as the message [:EXIT pid reason] instead of ending the session. Evaluators without
  // processes ignore it.
  virtual void trap_exits() {}
};

class LiteralEvaluator final : public Evaluator {
 public:
  EvalResult eval(Heap& heap, Term form) override;
};

class Interpreter;

// Boots the realm's namespaces once (lona.core, lona.process and lona.time with their intrinsics
// and libraries; user referring all three) and returns the index of `user`.
uint32_t boot_namespaces();

class CompilingEvaluator final : public Evaluator {
 public:
  // Evaluates in `user` (booting the realm's namespaces first if needed).
  CompilingEvaluator();
  // Evaluates in namespace `ns` of an already booted realm.
  explicit CompilingEvaluator(uint32_t ns);
  ~CompilingEvaluator() override;
  EvalResult eval(Heap& heap, Term form) override;
  // Syntax-quote qualifies a symbol that names a var of the current namespace.
  ReaderOptions reader_options() override;
  uint32_t current_ns() const { return ns_; }
  void set_current_ns(uint32_t ns) { ns_ = ns; }
  // Where the next forms come from (file and line of each), for the metadata of what they define.
  void set_source(std::string file, int line) { source_ = {std::move(file), line}; }
  // The process evaluating (made at the first eval) traps exits from then on.
  void trap_exits() override;

 private:
  void publish_current_ns();
  std::unique_ptr<Interpreter> interp_;
  Heap* heap_ = nullptr;  // the heap interp_ runs on
  uint32_t ns_;
  SourcePosition source_;
  bool trap_exits_ = false;
};

}  // namespace lona
