// vm/interp: the bytecode interpreter.
//
// Frames live on the heap's term stack (so the collector sees every register): a frame is the
// function being run followed by its registers. Argument registers X are a fixed array that the
// heap also treats as roots. Calls in tail position reuse the caller's frame, so tail recursion
// of any kind runs in constant space. Every call and backward jump charges a reduction; the
// scheduler will preempt on the budget. Errors end the run with an EvalError (no C++ exceptions).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/term/heap.hpp"
#include "vm/bytecode/code.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/intrinsics/arithmetic.hpp"

namespace lona {

class Interpreter {
 public:
  static constexpr size_t kArgRegisters = 256;
  // Non-tail calls deeper than this end in :stack-overflow rather than exhausting memory.
  static constexpr size_t kMaxFrames = 200000;
  static constexpr size_t kMaxRegisterSlots = size_t{1} << 24;

  explicit Interpreter(Heap& heap);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Calls `fn` (a closure or native function) with `args` and runs it to completion.
  EvalResult call(Term fn, std::span<const Term> args);

  uint64_t reductions() const { return reductions_; }
  void set_current_ns(uint32_t ns) { current_ns_ = ns; }
  uint32_t current_ns() const { return current_ns_; }

 private:
  struct Frame {  // where a call returns to
    const Code* code;
    const uint32_t* pc;
    size_t base;
    uint32_t dest;
  };

  EvalResult run(size_t nargs);
  bool spread_apply_args(Term* fn, uint32_t* n, EvalError* error);

  // Makes room for n more register-stack slots; false when the stack would pass its limit.
  bool reserve_registers(size_t n) { return top_ + n <= regs_capacity_ || grow_registers(n); }
  bool grow_registers(size_t n);
  // Out of the dispatch loop, so that its state stays in machine registers.
  const Code* enter_frame(uint32_t n, EvalError* error);
  bool call_intrinsic(uint32_t id, uint32_t n, Term* result, EvalError* error);
  bool call_lookup(Term fn, uint32_t n, Term* result, EvalError* error);
  // Calls what is not a closure (intrinsics, apply, keyword and collection lookups). kClosure:
  // *fn (after apply spread its arguments into X) is a closure for the caller to enter.
  enum class Direct { kCalled, kClosure, kError };
  Direct call_direct(Term* fn, uint32_t* n, Term* result, EvalError* error);
  bool slow_arith(ArithOp op, Term b, Term c, Term* out, const char* fname, EvalError* error);
  bool slow_compare(Term b, Term c, int* cmp, bool* unordered, const char* fname, EvalError* error);

  Heap& heap_;
  std::array<Term, kArgRegisters> x_{};
  Term* x_base_ = x_.data();  // for the heap's root range
  size_t x_count_ = kArgRegisters;
  // The register stack: frames of [function, registers...], a GC root range [0, top_).
  std::unique_ptr<Term[]> regs_;
  Term* regs_base_ = nullptr;
  size_t regs_capacity_ = 0;
  size_t top_ = 0;
  std::vector<Frame> frames_;
  uint64_t reductions_ = 0;
  uint32_t current_ns_ = 0;
};

}  // namespace lona
