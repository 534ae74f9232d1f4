#include "vm/interp/interpreter.hpp"

#include "runtime/sched/runtime.hpp"
#include "runtime/support/str_cat.hpp"
#include "runtime/term/bit_field.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "vm/intrinsics/arithmetic.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

constexpr const char* kRegisterStackFull = "stack overflow: the register stack is full";

std::string function_name(const Code* code) {
  return code->name.is_nil() ? std::string("fn") : print(code->name);
}

std::string arity_message(const Code* code, uint32_t nargs) {
  return str_cat("wrong number of arguments to ", function_name(code), ": expected ",
                 code->nparams - (code->variadic ? 1 : 0), code->variadic ? " or more" : "",
                 ", got ", nargs);
}

}  // namespace

const SourcePosition Interpreter::kNoSource;

void Interpreter::set_source(SourcePosition source) {
  if (source.file.empty() && source.line == 0) {
    source_.reset();
  } else if (source_) {
    *source_ = std::move(source);
  } else {
    source_ = std::make_unique<SourcePosition>(std::move(source));
  }
}

Interpreter::Interpreter(Heap& heap) : heap_(heap) {
  x_inline_.fill(Term::nil());
  heap_.add_root_source(this);
  heap_.attach_registers(&regs_);
}

Interpreter::~Interpreter() {
  if (owns_process_) Runtime::get().detach_bound(process_);
  heap_.detach_registers();
  heap_.remove_root_source(this);
}

void Interpreter::visit_roots(RootVisitor& visitor) {
  // The inline registers stay a root after X moved to x_big_: an intrinsic's argument span may
  // still point at them when a nested call grows X.
  visitor.visit(x_inline_.data(), x_inline_.size());
  if (x_big_) visitor.visit(x_big_.get(), kArgRegisters);
  visitor.visit(regs_.base, top_);
  // The stale registers above the top are dropped (the heap sets them to nil as it moves the
  // stack) rather than kept alive or left dangling.
  regs_.live = top_;
}

void Interpreter::grow_x() {
  x_big_ = std::make_unique<Term[]>(kArgRegisters);
  std::copy(x_base_, x_base_ + x_count_, x_big_.get());
  std::fill(x_big_.get() + x_count_, x_big_.get() + kArgRegisters, Term::nil());
  x_base_ = x_big_.get();
  x_count_ = kArgRegisters;
}

namespace {
// The bound process of a thread that runs this interpreter (the REPL, `lona run`, a test): its
// reductions and stack are the interpreter's, for process-info.
class InterpreterBoundProcess final : public Process {
 public:
  InterpreterBoundProcess(Runtime& rt, Heap& heap, const Interpreter& interp)
      : Process(rt, rt.next_pid(), true, heap), interp_(interp) {}
  RunStatus run(uint32_t) override { return RunStatus::kExit; }  // never scheduled
  RunnerInfo runner_info() const override { return {interp_.stack_words(), interp_.reductions()}; }

 private:
  const Interpreter& interp_;
};
}  // namespace

Process* Interpreter::process() {
  if (process_ == nullptr) {
    Runtime& rt = Runtime::get();
    process_ = rt.attach_bound(new InterpreterBoundProcess(rt, heap_, *this));
    owns_process_ = true;
  }
  return process_;
}

bool Interpreter::grow_registers(size_t end) {
  if (end > kMaxRegisterSlots) return false;
  heap_.reserve_registers(end, kMaxRegisterSlots);
  return true;
}

bool Interpreter::reserve_registers_holding(size_t end, Term* held) {
  if (end <= regs_.words) return true;
  Rooted root(heap_, *held);  // growing may collect
  if (!grow_registers(end)) return false;
  *held = root.get();
  return true;
}

bool Interpreter::spread_apply_args(Term* fn, uint32_t* n, EvalError* error) {
  if (*n < 2) {
    *error = {"arity-mismatch", "apply takes a function and a collection of arguments"};
    return false;
  }
  Term f = x_base_[0];
  Term coll = x_base_[*n - 1];
  if (kind_of(f) != Kind::kFunction && !f.is_keyword() && !is_map(f) && !is_set(f)) {
    *error = {"badarg", str_cat("apply of ", print_bounded(f), ", which is not a function")};
    return false;
  }
  uint32_t m = *n - 2;
  for (uint32_t k = 0; k < m; ++k) x_base_[k] = x_base_[k + 1];
  auto add = [&](Term t) {
    if (m >= kArgRegisters) return false;
    reserve_x(m + 1);
    x_base_[m++] = t;
    return true;
  };
  bool ok = true;
  if (coll.is_list()) {
    for (; coll.is_cons() && ok; coll = list_tail(coll)) ok = add(list_head(coll));
  } else if (is_tuple(coll) || is_vector(coll)) {
    for (size_t k = 0; k < array_count(coll) && ok; ++k) ok = add(array_at(coll, k));
  } else if (!coll.is_nil()) {
    *error = {"type-error", str_cat("apply expects a list, tuple or vector of arguments, got ",
                                    print_bounded(coll))};
    return false;
  }
  if (!ok) {
    *error = {"badarg", "apply with more than 256 arguments"};
    return false;
  }
  *fn = f;
  *n = m;
  return true;
}

EvalResult Interpreter::call(Term fn, std::span<const Term> args) {
  // What call() runs never suspends, even inside a process's run (eval, macro expansion).
  bool could_suspend = can_suspend_;
  uint64_t limit = reduction_limit_;
  can_suspend_ = false;
  reduction_limit_ = UINT64_MAX;
  EvalResult r = nested_call(fn, args);
  can_suspend_ = could_suspend;
  reduction_limit_ = std::min(limit, reduction_limit_);  // a preemption asked for meanwhile stays
  return r;
}

EvalResult Interpreter::start(Term fn, std::span<const Term> args, uint64_t budget) {
  entry_top_ = top_;
  EvalResult r;
  if (args.size() > kArgRegisters) {
    return EvalResult::failure("badarg", "too many arguments (at most 256)");
  }
  reserve_x(args.size());  // args may be on the heap: growing X does not move it
  for (size_t i = 0; i < args.size(); ++i) x_base_[i] = args[i];
  size_t base = enter_entry_frame(fn, static_cast<uint32_t>(args.size()), &r);
  if (base == 0) return r;
  saved_base_ = base;
  saved_pc_ = nullptr;
  return resume(budget);
}

size_t Interpreter::enter_entry_frame(Term fn, uint32_t n, EvalResult* result) {
  if (!is_object(fn, ObjTag::kClosure)) {
    Term value;
    EvalError error;
    Direct d = call_direct(&fn, &n, &value, &error);
    if (d == Direct::kCalled) {
      *result = EvalResult::success(value);
      return 0;
    }
    if (d == Direct::kError) {
      *result = EvalResult::failure(std::move(error.reason), std::move(error.message));
      return 0;
    }
  }
  size_t entry_top = top_;
  size_t base = top_ + kFrameHeader;
  if (!reserve_registers_holding(base + 1 + n, &fn)) {  // the header, fn and its arguments
    *result = EvalResult::failure("stack-overflow", kRegisterStackFull);
    return 0;
  }
  regs_.base[base - 2] = Term::fixnum(0);
  regs_.base[base - 1] = Term::fixnum(0);
  top_ = base;
  EvalError error;
  if (enter_from_x(base, fn, n, &error) == nullptr) {
    top_ = entry_top;
    *result = EvalResult::failure(std::move(error.reason), std::move(error.message));
    return 0;
  }
  return base;
}

EvalResult Interpreter::resume(uint64_t budget) {
  reduction_limit_ = reductions_ + budget;
  can_suspend_ = true;
  EvalResult r = run(saved_base_, saved_pc_);
  can_suspend_ = false;
  reduction_limit_ = UINT64_MAX;
  if (r.suspended == EvalResult::Suspended::kNo) top_ = entry_top_;
  return r;
}

EvalResult Interpreter::nested_call(Term fn, std::span<const Term> args) {
  if (args.size() > kArgRegisters) {
    return EvalResult::failure("badarg", "too many arguments (at most 256)");
  }
  reserve_x(args.size());  // args may be a span over X itself: growing X keeps its values
  for (size_t i = 0; i < args.size(); ++i) x_base_[i] = args[i];
  size_t entry_top = top_;
  EvalResult r;
  size_t base = enter_entry_frame(fn, static_cast<uint32_t>(args.size()), &r);
  if (base == 0) return r;
  r = run(base, nullptr);
  top_ = entry_top;
  return r;
}

const Code* Interpreter::enter_from_x(size_t base, Term fn, uint32_t n, EvalError* error) {
  if (!reserve_registers_holding(base + 1 + n, &fn)) {
    *error = {"stack-overflow", kRegisterStackFull};
    return nullptr;
  }
  regs_.base[base] = fn;
  std::copy(x_base_, x_base_ + n, regs_.base + base + 1);
  top_ = std::max(top_, base + 1 + n);  // the arguments stay roots until the frame is entered
  return enter_slow(base, n, error);
}

const Code* Interpreter::enter_slow(size_t base, uint32_t n, EvalError* error) {
  const Code* callee = code_of(payload_term(regs_.base[base], 0));
  uint32_t fixed = callee->nparams - (callee->variadic ? 1 : 0);
  if (callee->variadic ? n < fixed : n != fixed) [[unlikely]] {
    *error = {"arity-mismatch", arity_message(callee, n)};
    return nullptr;
  }
  if (!reserve_registers(base + callee->frame_size)) [[unlikely]] {
    *error = {"stack-overflow",
              str_cat("stack overflow: nested calls filled the ", kMaxRegisterSlots,
                      "-slot register stack (only calls in tail position reuse their frame)")};
    return nullptr;
  }
  // The frame is in use before the rest is built: a collection keeps the stack up to top_ only.
  top_ = base + callee->frame_size;
  if (callee->variadic) {  // the rest as a tuple, built through the heap's scratch stack
    for (uint32_t i = fixed; i < n; ++i) heap_.push(regs_.base[base + 1 + i]);
    Term rest = tuple_from_stack(heap_, n - fixed);  // may collect: regs_.base is read after
    regs_.base[base + 1 + fixed] = rest;
  }
  ++reductions_;
  return callee;
}

bool Interpreter::call_intrinsic(uint32_t id, uint32_t n, Term* result, EvalError* error) {
  const Intrinsic& in = intrinsic(id);
  if (static_cast<int>(n) < in.min_args || (in.max_args >= 0 && static_cast<int>(n) > in.max_args))
      [[unlikely]] {
    *error = {"arity-mismatch", str_cat("wrong number of arguments to ", in.name, ": got ", n)};
    return false;
  }
  NativeContext ctx{heap_, *error, current_ns_, this, id};
  return in.fn(ctx, std::span<Term>(x_base_, n), result);
}

Interpreter::Direct Interpreter::call_direct(Term* fn, uint32_t* n, Term* result,
                                             EvalError* error) {
  while (fn->is_native_fn() && fn->index() == kApplyIntrinsic) {
    if (!spread_apply_args(fn, n, error)) return Direct::kError;
  }
  if (is_object(*fn, ObjTag::kClosure)) return Direct::kClosure;
  bool ok;
  if (fn->is_native_fn()) {
    ok = call_intrinsic(fn->index(), *n, result, error);
  } else if (fn->is_keyword() || is_map(*fn) || is_set(*fn)) {
    ok = call_lookup(*fn, *n, result, error);
  } else {
    *error = {"not-callable", str_cat(print_bounded(*fn), " is not a function")};
    ok = false;
  }
  return ok ? Direct::kCalled : Direct::kError;
}

// (:k m default?), (m k default?) and (s x default?): lookups written as calls.
bool Interpreter::call_lookup(Term fn, uint32_t n, Term* result, EvalError* error) {
  if (n < 1 || n > 2) {
    *error = {"arity-mismatch", str_cat(print_bounded(fn), " called with ", n,
                                        " arguments: a key lookup takes 1 or 2")};
    return false;
  }
  Term m = fn.is_keyword() ? x_base_[0] : fn;
  Term key = fn.is_keyword() ? fn : x_base_[0];
  Term fallback = n == 2 ? x_base_[1] : Term::nil();
  if (is_map(m)) {
    std::optional<Term> v = map_get(m, key);
    *result = v ? *v : fallback;
  } else if (is_set(m)) {
    *result = set_contains(m, key) ? key : fallback;
  } else {
    *result = fallback;  // (:k nil) and (:k 42) look up nothing
  }
  return true;
}

bool Interpreter::slow_arith(ArithOp op, Term b, Term c, Term* out, const char* fname,
                             EvalError* error) {
  NativeContext ctx{heap_, *error, current_ns_, this};
  return arith(ctx, op, b, c, out, fname);
}

bool Interpreter::slow_compare(Term b, Term c, int* cmp, bool* unordered, const char* fname,
                               EvalError* error) {
  NativeContext ctx{heap_, *error, current_ns_, this};
  return compare_numbers(ctx, b, c, cmp, unordered, fname);
}

void Interpreter::unbound_error(const Var* v, EvalError* error) {
  *error = {"undefined", str_cat("var ", print(Namespaces::global().ns_name(v->ns)), "/",
                                 print(v->name), " is unbound")};
}

void Interpreter::bad_match(Term value, EvalError* error) {
  *error = {"badmatch", str_cat("no clause matched ", print_bounded(value))};
}

bool Interpreter::define_var(Var* v, Term value, Term* out, EvalError* error) {
  if (!set_root(*v, value)) {
    *error = {"oom", str_cat("the value of ", print(v->name), " is more than ", kMaxRootWords,
                             " words once its shared parts are copied")};
    return false;
  }
  *out = Term::var(v->index);
  return true;
}

bool Interpreter::map_lookup(Term m, Term key, Term* out) {
  if (!is_map(m)) return false;
  std::optional<Term> v = map_get(m, key);
  if (v) *out = *v;
  return v.has_value();
}

Term Interpreter::make_closure(const Code* nested, size_t base) {
  size_t n = nested->captures.size();
  Word* p = heap_.alloc(2 + n);
  const Term* R = regs_.base + base;  // after the allocation, which may have moved everything
  p[0] = header::make(ObjTag::kClosure, 0, 1 + n);
  p[1] = code_term(nested).raw();
  for (size_t k = 0; k < n; ++k) {
    CaptureSource src = nested->captures[k];
    p[2 + k] = (src.from_capture ? payload_term(R[0], 1 + src.index) : R[src.index]).raw();
  }
  return Term::boxed_ptr(p);
}

Term Interpreter::build(uint32_t i, size_t base) {
  const Term* R = regs_.base + base;
  uint32_t b = instr::b(i), c = instr::c(i);
  switch (instr::op(i)) {
    case Op::kRestTuple:
    case Op::kRestVector: {
      Term t = R[b];
      size_t n = array_count(t);
      for (size_t k = c; k < n; ++k) heap_.push(array_at(t, k));
      size_t count = n > c ? n - c : 0;
      return instr::op(i) == Op::kRestTuple ? tuple_from_stack(heap_, count)
                                            : vector_from_stack(heap_, count);
    }
    case Op::kMakeMap:
      for (uint32_t k = 0; k < 2 * c; ++k) heap_.push(R[b + k]);
      return map_from_stack(heap_, c);
    case Op::kMakeTuple:
    case Op::kMakeVector: {
      // Straight from the registers, without the round trip through the heap's stack that the
      // other constructors take: a tuple is what most messages are built as.
      Word* object = heap_.alloc(1 + c);  // may collect: the registers are roots, moved in place
      R = regs_.base + base;
      object[0] =
          header::make(instr::op(i) == Op::kMakeTuple ? ObjTag::kTuple : ObjTag::kVector, 0, c);
      for (uint32_t k = 0; k < c; ++k) object[1 + k] = R[b + k].raw();
      return Term::boxed_ptr(object);
    }
    default:
      break;
  }
  for (uint32_t k = 0; k < c; ++k) heap_.push(R[b + k]);
  return instr::op(i) == Op::kMakeList ? list_from_stack(heap_, c) : set_from_stack(heap_, c);
}

// A bit field (GetBits) or the tail (BinaryRest) of a binary that a pattern has tested.
Term Interpreter::binary_part(uint32_t i, uint32_t word, size_t base) {
  Term bin = regs_.base[base + instr::b(i)];
  std::string_view bytes = byte_view(bin);
  if (instr::op(i) == Op::kBinaryRest) {  // a sub-binary when big: parse loops stay linear
    return lona::binary_part(heap_, bin, word, bytes.size() - word);
  }
  uint32_t nbits = word & bit_field_word::kSizeMask;
  uint64_t v = bits::get_bits(reinterpret_cast<const uint8_t*>(bytes.data()),
                              word >> bit_field_word::kOffsetShift, nbits);
  if ((word & bit_field_word::kLittle) != 0) v = bits::reverse_bytes(v, nbits / 8);
  if ((word & bit_field_word::kSigned) != 0) {
    return make_integer(heap_, static_cast<int64_t>(bits::sign_extend(v, nbits)));
  }
  if (v <= static_cast<uint64_t>(INT64_MAX)) return make_integer(heap_, static_cast<int64_t>(v));
  return make_integer(heap_, BigInt::from_uint64(v));
}

namespace {

// `=` with the common cases first: identical words are equal (but a NaN float, which is not
// even equal to itself), two different immediates never are, and neither are a keyword and a
// boxed term (a receive testing a tuple message against a keyword pattern, as `:stop`).
inline bool same_value(Term a, Term b) {
  if (a == b) return !is_float(a) || equal(a, b);
  if (a.is_keyword() || b.is_keyword()) return false;
  return (a.is_pointer() || b.is_pointer()) && equal(a, b);
}

// A frame's return pc as the fixnum it is stored as (user-space pointers fit in 60 bits).
Term return_pc_term(const uint32_t* pc) {
  return Term::fixnum(static_cast<int64_t>(reinterpret_cast<uintptr_t>(pc)));
}

}  // namespace

// Runs the frame entered at `entry_base` until it returns into its entry frame (a return pc of
// 0, made by call()).
EvalResult Interpreter::run(size_t entry_base, const uint32_t* start_pc) {
  size_t base = entry_base;
  Term* R = regs_.base + base;
  const Code* code = code_of(payload_term(R[0], 0));
  const uint32_t* pc = start_pc != nullptr ? start_pc : code->instrs.data();
  Process* proc = process_;  // set on first use by a receive
  EvalError error;
  Term rv;  // the value being returned (do_return)

  // At a call's entry or after a backward jump: a process whose slice is spent stops here.
#define LONA_CHECK_BUDGET()                                      \
  do {                                                           \
    if (reductions_ >= reduction_limit_) [[unlikely]] {          \
      saved_base_ = base;                                        \
      saved_pc_ = pc;                                            \
      return EvalResult::suspend(EvalResult::Suspended::kYield); \
    }                                                            \
  } while (0)

  // Continues in the frame that enter_slow() or enter_from_x() set up at new_base (a call's
  // entry: the budget is checked).
#define LONA_ENTERED(enter, new_base)  \
  do {                                 \
    const Code* entered = (enter);     \
    if (entered == nullptr) goto fail; \
    code = entered;                    \
    base = (new_base);                 \
    R = regs_.base + base;             \
    pc = code->instrs.data();          \
    LONA_CHECK_BUDGET();               \
  } while (0)

#define LONA_OP_LABEL(name) &&op_##name,
  static const void* const kDispatch[] = {LONA_OPCODES(LONA_OP_LABEL)};
#undef LONA_OP_LABEL
  uint32_t i;
#define DISPATCH()             \
  do {                         \
    i = *pc++;                 \
    goto* kDispatch[i & 0xFF]; \
  } while (0)
#define A instr::a(i)
#define B instr::b(i)
#define C instr::c(i)

  DISPATCH();

op_LoadK:
  R[A] = code->constants[instr::bx(i)];
  DISPATCH();
op_LoadInt:
  R[A] = Term::fixnum(instr::sbx(i));
  DISPATCH();
op_Move:
  R[A] = R[B];
  DISPATCH();
op_GetVar : {
  const Var* v = code->vars[instr::bx(i)];
  Term value = v->get();
  if (value.is_unbound()) [[unlikely]] {
    unbound_error(v, &error);
    goto fail;
  }
  R[A] = value;
  DISPATCH();
}
op_DefVar : {
  Term defined;
  if (!define_var(code->vars[instr::bx(i)], R[A], &defined, &error)) goto fail;
  R = regs_.base + base;
  R[A] = defined;
  DISPATCH();
}
op_GetCapture:
  R[A] = payload_term(R[0], 1 + B);
  DISPATCH();
op_Closure : {
  Term closure = make_closure(code->nested[instr::bx(i)].get(), base);
  R = regs_.base + base;  // the allocation may have moved the registers
  R[A] = closure;
  DISPATCH();
}
op_Arg:
  reserve_x(A + 1);
  x_base_[A] = R[B];
  DISPATCH();
op_Call : {
  // The callee's frame starts at the block R[B] holds the header of: R[B+2] is its R0.
  size_t new_base = base + B + kFrameHeader;
  Term* F = R + B + kFrameHeader;
  Term fn = F[0];
  uint32_t n = C;
  F[-2] = return_pc_term(pc);
  F[-1] = Term::fixnum(static_cast<int64_t>(base << 8 | A));
  if (is_object(fn, ObjTag::kClosure)) [[likely]] {
    const Code* callee = code_of(payload_term(fn, 0));
    size_t new_top = new_base + callee->frame_size;
    if (callee->exact_arity == n && new_top <= regs_.words) [[likely]] {
      top_ = new_top;
      ++reductions_;
      code = callee;
      base = new_base;
      R = F;
      pc = code->instrs.data();
      LONA_CHECK_BUDGET();
      DISPATCH();
    }
    LONA_ENTERED(enter_slow(new_base, n, &error), new_base);
    DISPATCH();
  }
  reserve_x(n);
  std::copy(F + 1, F + 1 + n, x_base_);
  Term result;
  Direct d = call_direct(&fn, &n, &result, &error);
  R = regs_.base + base;
  if (d == Direct::kError) goto fail;
  if (d == Direct::kCalled) {
    R[A] = result;
    DISPATCH();
  }
  LONA_ENTERED(enter_from_x(new_base, fn, n, &error), new_base);
  DISPATCH();
}
op_TailCall : {
  // The callee takes over this frame (and its return address): its R0 and arguments move down.
  Term* F = R + B + kFrameHeader;
  Term fn = F[0];
  uint32_t n = C;
  if (is_object(fn, ObjTag::kClosure)) [[likely]] {
    std::copy(F, F + 1 + n, R);
    const Code* callee = code_of(payload_term(fn, 0));
    size_t new_top = base + callee->frame_size;
    if (callee->exact_arity == n && new_top <= regs_.words) [[likely]] {
      top_ = new_top;
      ++reductions_;
      code = callee;
      pc = code->instrs.data();
      LONA_CHECK_BUDGET();
      DISPATCH();
    }
    LONA_ENTERED(enter_slow(base, n, &error), base);
    DISPATCH();
  }
  reserve_x(n);
  std::copy(F + 1, F + 1 + n, x_base_);
  Term result;
  Direct d = call_direct(&fn, &n, &result, &error);
  R = regs_.base + base;
  if (d == Direct::kError) goto fail;
  if (d == Direct::kCalled) {  // nothing to enter: return its result
    rv = result;
    goto do_return;
  }
  LONA_ENTERED(enter_from_x(base, fn, n, &error), base);
  DISPATCH();
}
op_CallNative : {
  Term result;
  bool ok = call_intrinsic(B, C, &result, &error);
  R = regs_.base + base;
  if (!ok) goto fail;
  R[A] = result;
  DISPATCH();
}
op_Return:
  rv = R[A];
do_return : {
  Term v = rv;
  Term ret = R[-2];
  if (ret == Term::fixnum(0)) {  // the entry frame
    top_ = base - kFrameHeader;
    return EvalResult::success(v);
  }
  uint64_t caller = static_cast<uint64_t>(R[-1].fixnum_value());
  base = caller >> 8;
  R = regs_.base + base;
  code = code_of(payload_term(R[0], 0));
  pc = reinterpret_cast<const uint32_t*>(static_cast<uintptr_t>(ret.fixnum_value()));
  R[caller & 0xFF] = v;  // below the callee's frame, so a root from here on
  {
    // A collection in the callee may have given back the stack above the callee's top, which
    // can lie below the caller's (its registers there were dead temporaries): take it back, as
    // nil, while top_ still says what is in use.
    size_t caller_top = base + code->frame_size;
    if (caller_top > regs_.words) [[unlikely]] {
      reserve_registers(caller_top);  // no deeper than the stack was: within kMaxRegisterSlots
      R = regs_.base + base;
    }
    top_ = caller_top;
  }
  DISPATCH();
}
op_Jump : {
  int offset = instr::sbx(i);
  pc += offset;
  if (offset < 0) {
    ++reductions_;
    LONA_CHECK_BUDGET();
  }
  DISPATCH();
}
op_JumpIfFalsy:
  if (!R[A].truthy()) pc += instr::sbx(i);
  DISPATCH();
op_TestEq:
  if (same_value(R[A], R[B])) ++pc;
  DISPATCH();
op_TestTuple:
  if (is_tuple(R[A]) && (C ? array_count(R[A]) >= B : array_count(R[A]) == B)) ++pc;
  DISPATCH();
op_TestVector:
  if (is_vector(R[A]) && (C ? array_count(R[A]) >= B : array_count(R[A]) == B)) ++pc;
  DISPATCH();
op_TestMap:
  if (is_map(R[A])) ++pc;
  DISPATCH();
op_TestMapGet:
  if (map_lookup(R[B], R[C], &R[A])) ++pc;
  DISPATCH();
op_TestSet:
  if (is_set(R[A]) && set_count(R[A]) == B) ++pc;
  DISPATCH();
op_TestSetHas:
  if (set_contains(R[A], R[B])) ++pc;
  DISPATCH();
op_SetElem:
  R[A] = set_at(R[B], C);
  DISPATCH();
op_TestBinary:
  if (is_binary(R[A]) && byte_view(R[A]).size() == instr::bx(i)) ++pc;
  DISPATCH();
op_TestBinaryAtLeast:
  if (is_binary(R[A]) && byte_view(R[A]).size() >= instr::bx(i)) ++pc;
  DISPATCH();
op_GetBits:
op_BinaryRest : {
  Term v = binary_part(i, *pc++, base);
  R = regs_.base + base;
  R[A] = v;
  DISPATCH();
}
op_GetElem:
  R[A] = array_at(R[B], C);
  DISPATCH();
op_RestTuple:
op_RestVector:
op_MakeTuple:
op_MakeVector:
op_MakeList:
op_MakeMap:
op_MakeSet : {
  Term made = build(i, base);
  R = regs_.base + base;
  R[A] = made;
  DISPATCH();
}
op_BadMatch:
  bad_match(R[A], &error);
  goto fail;

#define LONA_ARITH(name, op, builtin, fname, operand)                                         \
  op_##name : {                                                                               \
    Term b = R[B], c = (operand);                                                             \
    int64_t r;                                                                                \
    if (b.is_fixnum() && c.is_fixnum() && !builtin(b.fixnum_value(), c.fixnum_value(), &r) && \
        Term::fits_fixnum(r)) {                                                               \
      R[A] = Term::fixnum(r);                                                                 \
      DISPATCH();                                                                             \
    }                                                                                         \
    Term out;                                                                                 \
    bool ok = slow_arith(op, b, c, &out, fname, &error);                                      \
    R = regs_.base + base;                                                                    \
    if (!ok) goto fail;                                                                       \
    R[A] = out;                                                                               \
    DISPATCH();                                                                               \
  }
#define LONA_IMMEDIATE Term::fixnum(static_cast<int8_t>(C))
  LONA_ARITH(Add, ArithOp::kAdd, __builtin_add_overflow, "+", R[C])
  LONA_ARITH(Sub, ArithOp::kSub, __builtin_sub_overflow, "-", R[C])
  LONA_ARITH(Mul, ArithOp::kMul, __builtin_mul_overflow, "*", R[C])
  LONA_ARITH(AddI, ArithOp::kAdd, __builtin_add_overflow, "+", LONA_IMMEDIATE)
  LONA_ARITH(SubI, ArithOp::kSub, __builtin_sub_overflow, "-", LONA_IMMEDIATE)
#undef LONA_ARITH

// A comparison; the J forms then take the Jump that follows them when it is false.
#define LONA_JUMP_UNLESS(r) (pc += (r) ? 1 : 1 + instr::sbx(*pc))
#define LONA_COMPARE(name, test, fname, operand, jump)                     \
  op_##name : {                                                            \
    Term b = R[B], c = (operand);                                          \
    bool r;                                                                \
    if (b.is_fixnum() && c.is_fixnum()) [[likely]] {                       \
      r = b.fixnum_value() test c.fixnum_value();                          \
    } else {                                                               \
      int cmp;                                                             \
      bool unordered;                                                      \
      if (!slow_compare(b, c, &cmp, &unordered, fname, &error)) goto fail; \
      R = regs_.base + base; /* comparing big numbers may allocate */      \
      r = !unordered && cmp test 0;                                        \
    }                                                                      \
    R[A] = Term::boolean(r);                                               \
    if (jump) LONA_JUMP_UNLESS(r);                                         \
    DISPATCH();                                                            \
  }
  LONA_COMPARE(Lt, <, "<", R[C], false)
  LONA_COMPARE(Le, <=, "<=", R[C], false)
  LONA_COMPARE(Gt, >, ">", R[C], false)
  LONA_COMPARE(Ge, >=, ">=", R[C], false)
  LONA_COMPARE(LtI, <, "<", LONA_IMMEDIATE, false)
  LONA_COMPARE(LeI, <=, "<=", LONA_IMMEDIATE, false)
  LONA_COMPARE(GtI, >, ">", LONA_IMMEDIATE, false)
  LONA_COMPARE(GeI, >=, ">=", LONA_IMMEDIATE, false)
  LONA_COMPARE(LtJ, <, "<", R[C], true)
  LONA_COMPARE(LeJ, <=, "<=", R[C], true)
  LONA_COMPARE(GtJ, >, ">", R[C], true)
  LONA_COMPARE(GeJ, >=, ">=", R[C], true)
  LONA_COMPARE(LtIJ, <, "<", LONA_IMMEDIATE, true)
  LONA_COMPARE(LeIJ, <=, "<=", LONA_IMMEDIATE, true)
  LONA_COMPARE(GtIJ, >, ">", LONA_IMMEDIATE, true)
  LONA_COMPARE(GeIJ, >=, ">=", LONA_IMMEDIATE, true)
#undef LONA_COMPARE

#define LONA_EQUAL(name, operand, jump) \
  op_##name : {                         \
    Term b = R[B], c = (operand);       \
    bool r = same_value(b, c);          \
    R[A] = Term::boolean(r);            \
    if (jump) LONA_JUMP_UNLESS(r);      \
    DISPATCH();                         \
  }
  LONA_EQUAL(NumEq, R[C], false)
  LONA_EQUAL(EqI, LONA_IMMEDIATE, false)
  LONA_EQUAL(NumEqJ, R[C], true)
  LONA_EQUAL(EqIJ, LONA_IMMEDIATE, true)
#undef LONA_EQUAL
#undef LONA_JUMP_UNLESS
#undef LONA_IMMEDIATE

// --- receive (see compile_receive) ---------------------------------------------------------
op_RecvPeek:
  if (proc == nullptr) proc = process();
  if (proc->save() >= proc->message_count() && !proc->take_mail()) goto exited;
  R = regs_.base + base;
  if (proc->save() < proc->message_count()) {
    R[A] = proc->message(proc->save());
    ++pc;  // over the Jump to the wait
  }
  DISPATCH();
op_RecvNext:
  proc->set_save(proc->save() + 1);
  DISPATCH();
op_RecvRemove:
  proc->remove_message(proc->save());
  DISPATCH();
op_RecvWait:
op_RecvWaitTimeout : {
  uint64_t ms = 0;
  bool timed = instr::op(i) == Op::kRecvWaitTimeout;
  if (timed) {
    Term t = R[A];
    if (!t.is_fixnum() || t.fixnum_value() < 0) {
      error = {"badarg",
               str_cat("receive :after expects a non-negative integer of milliseconds, got ",
                       print_bounded(t))};
      goto fail;
    }
    ms = static_cast<uint64_t>(t.fixnum_value());
  }
  // The mailbox was just looked at: by RecvPeek, which found nothing new and jumped here, or,
  // when a suspended receive resumes, by the process's run before it resumed. (Mail that arrives
  // in between is not lost: a process that suspends to wait with mail pending is run again.)
  for (;;) {
    if (proc->save() < proc->message_count()) break;  // a new message: take the Jump to peek
    if (timed && (ms == 0 || proc->timed_out())) {
      proc->end_receive();
      ++pc;  // over the Jump: the timeout body follows
      break;
    }
    if (timed && proc->timer() == 0) proc->arm_timer(ms);
    if (can_suspend_) {
      saved_base_ = base;
      saved_pc_ = pc - 1;  // this instruction again
      return EvalResult::suspend(EvalResult::Suspended::kWait);
    }
    proc->wait();  // a thread of its own (or a nested call): block
    if (!proc->take_mail()) goto exited;
    R = regs_.base + base;
  }
  DISPATCH();
}

exited:  // a signal ended the process (its exit reason is set)
  error = {"exit", str_cat("the process exited: ", print_bounded(proc->exit_reason()))};
  goto fail;

fail:
  return EvalResult::failure(std::move(error.reason), std::move(error.message));
#undef LONA_CHECK_BUDGET
#undef A
#undef B
#undef C
#undef DISPATCH
#undef LONA_ENTERED
}

}  // namespace lona
