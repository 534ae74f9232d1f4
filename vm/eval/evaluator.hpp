// vm/eval: what the REPL and the command line evaluate forms with.
//
// Until the compiler exists, LiteralEvaluator evaluates self-evaluating forms (and collections
// of them) and quote; anything else is an :not-implemented error.
#pragma once

#include <string>

#include "runtime/term/heap.hpp"

namespace lona {

// An error as the language reports it: `reason` is the error keyword without its colon.
struct EvalError {
  std::string reason;
  std::string message;
};

struct EvalResult {
  bool ok = false;
  Term value;
  EvalError error;

  static EvalResult success(Term v) { return {true, v, {}}; }
  static EvalResult failure(std::string reason, std::string message) {
    return {false, Term::nil(), {std::move(reason), std::move(message)}};
  }
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Evaluates one top-level form. The value lives on `heap` until its next allocation.
  virtual EvalResult eval(Heap& heap, Term form) = 0;
};

class LiteralEvaluator final : public Evaluator {
 public:
  EvalResult eval(Heap& heap, Term form) override;
};

}  // namespace lona
