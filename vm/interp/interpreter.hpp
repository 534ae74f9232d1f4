// vm/interp: the bytecode interpreter.
//
// Frames live on a register stack at the end of the heap's young block (Heap::RegisterArea): a
// root range the collector sees whole, and moves with the block, so every allocation (and every
// call, which may allocate) is followed by finding the registers again (R = regs_.base + base). A
// frame is [return pc][caller's base and result register][R0 = the running closure][R1 ...]: the
// caller builds the callee's R0 and arguments in its own registers and the callee's frame begins
// there (vm/bytecode), so a call copies nothing and a return reads its way back from the two words
// before R0 (fixnums, which the collector passes over). Calls in tail position reuse the caller's
// frame, so tail recursion of any kind runs in constant space. Every call and backward jump charges
// a reduction.
//
// A process runs its function with start() and resume(): the run stops at a call or a backward
// jump once its budget of reductions is spent, or in a receive that finds nothing, and resume()
// goes on from there (its frames stay on the register stack). call() runs to the end: code it
// runs never yields, and a receive in it blocks the thread (the REPL, macro expansion, eval).
// Errors end the run with an EvalError (no C++ exceptions).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/process/process.hpp"
#include "runtime/term/heap.hpp"
#include "vm/bytecode/code.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/intrinsics/arithmetic.hpp"

namespace lona {

class Interpreter final : private RootSource {
 public:
  static constexpr size_t kArgRegisters = 256;
  // The register stack's limit (32 MiB): non-tail recursion deeper than it allows ends in
  // :stack-overflow rather than exhausting memory.
  static constexpr size_t kMaxRegisterSlots = size_t{1} << 22;
  // Words before a frame's R0: the return pc and the caller's base and result register.
  static constexpr size_t kFrameHeader = 2;

  explicit Interpreter(Heap& heap);
  ~Interpreter() override;
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Calls `fn` (a closure or native function) with `args` and runs it to completion.
  EvalResult call(Term fn, std::span<const Term> args);

  // Runs the process's function `fn` with `args` (spawn: none; spawn-in: those sent) for at
  // most `budget` reductions; resume() goes on after a suspension. See the header comment.
  EvalResult start(Term fn, std::span<const Term> args, uint64_t budget);
  EvalResult resume(uint64_t budget);
  // Ends the current slice at the next call or backward jump (yield!).
  void end_slice() { reduction_limit_ = reductions_; }
  // The word that, set to 0, does the same from elsewhere (Heap::set_limit).
  uint64_t* preemption_word() { return &reduction_limit_; }

  // The process this interpreter runs for: the scheduled process it was made for, or else a
  // bound process for the calling thread on this heap, made on first use and ended with the
  // interpreter.
  Process* process();
  void set_process(Process* p) { process_ = p; }

  uint64_t reductions() const { return reductions_; }
  // The register stack's slots in use (process-info's :stack-size).
  size_t stack_words() const { return top_; }
  void set_current_ns(uint32_t ns) { current_ns_ = ns; }
  uint32_t current_ns() const { return current_ns_; }

  // Where the top-level form being compiled and run comes from (`def` records it in the var's
  // metadata as :file and :line).
  const SourcePosition& source() const { return source_ ? *source_ : kNoSource; }
  void set_source(SourcePosition source);

 private:
  void visit_roots(RootVisitor& visitor) override;
  // Runs from pc (nullptr: the start of the frame's code) in the frame at base until the entry
  // frame returns, or until a suspension.
  EvalResult run(size_t base, const uint32_t* pc);
  EvalResult nested_call(Term fn, std::span<const Term> args);
  // Sets up an entry frame (a return pc of 0 makes run() return to it) and enters fn with its n
  // arguments in X. Returns the base of fn's frame, or 0 when there is nothing to run: *result
  // then holds fn's value (it was not a closure) or the error.
  size_t enter_entry_frame(Term fn, uint32_t n, EvalResult* result);
  bool spread_apply_args(Term* fn, uint32_t* n, EvalError* error);

  // Makes the register stack hold at least `end` slots (which may collect, and so move every
  // register); false past kMaxRegisterSlots.
  bool reserve_registers(size_t end) { return end <= regs_.words || grow_registers(end); }
  bool grow_registers(size_t end);
  // The same, for code that holds a term in C++ across it: *held is kept up to date.
  bool reserve_registers_holding(size_t end, Term* held);
  // Out of the dispatch loop, so that its state stays in machine registers. Enters the closure
  // at regs_[base] with its n arguments after it, doing what the fast path does not: variadic
  // parameters, arity errors, growing the stack.
  const Code* enter_slow(size_t base, uint32_t n, EvalError* error);
  // Places fn and X[0..n) at regs_[base ...] (after an apply spread them), then enter_slow.
  const Code* enter_from_x(size_t base, Term fn, uint32_t n, EvalError* error);
  bool call_intrinsic(uint32_t id, uint32_t n, Term* result, EvalError* error);
  bool call_lookup(Term fn, uint32_t n, Term* result, EvalError* error);
  // Calls what is not a closure (intrinsics, apply, keyword and collection lookups), with its
  // arguments in X. kClosure: *fn (after apply spread its arguments into X) is a closure for the
  // caller to enter.
  enum class Direct { kCalled, kClosure, kError };
  Direct call_direct(Term* fn, uint32_t* n, Term* result, EvalError* error);
  bool slow_arith(ArithOp op, Term b, Term c, Term* out, const char* fname, EvalError* error);
  // The bulkier instructions, out of line for the same reason.
  Term make_closure(const Code* nested, size_t base);
  Term build(uint32_t instruction, size_t base);                       // Make* and Rest*
  bool define_var(Var* v, Term value, Term* out, EvalError* error);    // *out: the var
  Term binary_part(uint32_t instruction, uint32_t word, size_t base);  // GetBits, BinaryRest
  static bool map_lookup(Term m, Term key, Term* out);
  static void unbound_error(const Var* v, EvalError* error);
  static void bad_match(Term value, EvalError* error);
  bool slow_compare(Term b, Term c, int* cmp, bool* unordered, const char* fname, EvalError* error);

  Heap& heap_;
  // The argument registers X: kInlineArgs in the interpreter (most calls pass fewer arguments),
  // kArgRegisters in a block of their own from the first call that needs more. X is
  // x_base_[0 .. x_count_), a root range of the heap.
  static constexpr size_t kInlineArgs = 8;
  std::array<Term, kInlineArgs> x_inline_;
  std::unique_ptr<Term[]> x_big_;
  Term* x_base_ = x_inline_.data();
  size_t x_count_ = kInlineArgs;
  // Makes X hold at least n registers (n <= kArgRegisters).
  void reserve_x(size_t n) {
    if (n > x_count_) [[unlikely]]
      grow_x();
  }
  void grow_x();
  // The register stack: frames as described above, in the heap's block. Every slot is a valid
  // term; [0, top_) is a GC root range, and a collection gives up (or sets to nil) the slots
  // above top_.
  Heap::RegisterArea regs_;
  size_t top_ = 0;
  uint64_t reductions_ = 0;
  uint64_t reduction_limit_ = UINT64_MAX;  // preempt at a call or backward jump from here on
  size_t saved_base_ = 0;                  // where a suspended run goes on
  const uint32_t* saved_pc_ = nullptr;
  size_t entry_top_ = 0;  // the register stack's top before start()
  Process* process_ = nullptr;
  bool owns_process_ = false;
  bool can_suspend_ = false;  // true in start() and resume(), outside nested calls
  uint32_t current_ns_ = 0;
  // Where the code being evaluated comes from (the loader and the REPL set it); a process's
  // interpreter has none, and pays a pointer for it.
  std::unique_ptr<SourcePosition> source_;
  static const SourcePosition kNoSource;
};

}  // namespace lona
