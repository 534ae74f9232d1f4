#include "vm/interp/interpreter.hpp"

#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/equality.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/intrinsics/arithmetic.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

std::string function_name(const Code* code) {
  return code->name.is_nil() ? std::string("fn") : print(code->name);
}

std::string arity_message(const Code* code, uint32_t nargs) {
  return str_cat("wrong number of arguments to ", function_name(code), ": expected ",
                 code->nparams - (code->variadic ? 1 : 0), code->variadic ? " or more" : "",
                 ", got ", nargs);
}

}  // namespace

Interpreter::Interpreter(Heap& heap) : heap_(heap) {
  x_.fill(Term::nil());
  regs_capacity_ = size_t{1} << 12;
  regs_ = std::make_unique<Term[]>(regs_capacity_);
  regs_base_ = regs_.get();
  heap_.add_root_range(&x_base_, &x_count_);
  heap_.add_root_range(&regs_base_, &top_);
}

Interpreter::~Interpreter() {
  heap_.remove_root_range(&x_base_);
  heap_.remove_root_range(&regs_base_);
}

bool Interpreter::grow_registers(size_t n) {
  size_t capacity = regs_capacity_;
  while (capacity < top_ + n) capacity *= 2;
  if (capacity > kMaxRegisterSlots) return false;
  auto bigger = std::make_unique<Term[]>(capacity);
  std::copy(regs_.get(), regs_.get() + top_, bigger.get());
  regs_ = std::move(bigger);
  regs_base_ = regs_.get();
  regs_capacity_ = capacity;
  return true;
}

bool Interpreter::spread_apply_args(Term* fn, uint32_t* n, EvalError* error) {
  if (*n < 2) {
    *error = {"arity-mismatch", "apply takes a function and a collection of arguments"};
    return false;
  }
  Term f = x_[0];
  Term coll = x_[*n - 1];
  if (kind_of(f) != Kind::kFunction && !f.is_keyword() && !is_map(f) && !is_set(f)) {
    *error = {"badarg", str_cat("apply of ", print(f), ", which is not a function")};
    return false;
  }
  uint32_t m = *n - 2;
  for (uint32_t k = 0; k < m; ++k) x_[k] = x_[k + 1];
  auto add = [&](Term t) {
    if (m >= kArgRegisters) return false;
    x_[m++] = t;
    return true;
  };
  bool ok = true;
  if (coll.is_list()) {
    for (; coll.is_cons() && ok; coll = list_tail(coll)) ok = add(list_head(coll));
  } else if (is_tuple(coll) || is_vector(coll)) {
    for (size_t k = 0; k < array_count(coll) && ok; ++k) ok = add(array_at(coll, k));
  } else if (!coll.is_nil()) {
    *error = {"type-error",
              str_cat("apply expects a list, tuple or vector of arguments, got ", print(coll))};
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
  if (args.size() > kArgRegisters) {
    return EvalResult::failure("badarg", "too many arguments (at most 256)");
  }
  for (size_t i = 0; i < args.size(); ++i) x_[i] = args[i];
  uint32_t nargs = static_cast<uint32_t>(args.size());
  if (!is_object(fn, ObjTag::kClosure)) {
    Term result;
    EvalError error;
    Direct d = call_direct(&fn, &nargs, &result, &error);
    if (d == Direct::kCalled) return EvalResult::success(result);
    if (d == Direct::kError) {
      return EvalResult::failure(std::move(error.reason), std::move(error.message));
    }
  }
  size_t entry_top = top_;
  size_t entry_frames = frames_.size();
  if (!reserve_registers(1)) return EvalResult::failure("stack-overflow", "register stack full");
  // The entry call returns into a frame with no code: run() stops there.
  frames_.push_back(Frame{nullptr, nullptr, 0, 0});
  regs_[top_++] = fn;
  EvalResult r = run(nargs);
  top_ = entry_top;
  frames_.resize(entry_frames);
  return r;
}

const Code* Interpreter::enter_frame(uint32_t n, EvalError* error) {
  Term fn = regs_[top_ - 1];
  const Code* callee = code_of(payload_term(fn, 0));
  uint32_t fixed = callee->nparams - (callee->variadic ? 1 : 0);
  if (callee->variadic ? n < fixed : n != fixed) [[unlikely]] {
    *error = {"arity-mismatch", arity_message(callee, n)};
    return nullptr;
  }
  if (frames_.size() > kMaxFrames || !reserve_registers(callee->frame_size)) [[unlikely]] {
    *error = {"stack-overflow", str_cat("stack overflow: more than ", kMaxFrames,
                                        " nested calls (only calls in tail position reuse "
                                        "their frame)")};
    return nullptr;
  }
  size_t base = top_;
  Term* frame = regs_.get() + base;
  for (uint32_t i = 0; i < fixed; ++i) frame[i] = x_[i];
  for (uint32_t i = fixed; i < callee->frame_size; ++i) frame[i] = Term::nil();
  top_ = base + callee->frame_size;
  if (callee->variadic) {  // the rest as a tuple, built through the heap's scratch stack
    for (uint32_t i = fixed; i < n; ++i) heap_.push(x_[i]);
    Term rest = tuple_from_stack(heap_, n - fixed);
    regs_[base + fixed] = rest;
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
  NativeContext ctx{heap_, {}, current_ns_, this};
  bool ok = in.fn(ctx, std::span<Term>(x_.data(), n), result);
  if (!ok) *error = std::move(ctx.error);
  return ok;
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
    *error = {"not-callable", str_cat(print(*fn), " is not a function")};
    ok = false;
  }
  return ok ? Direct::kCalled : Direct::kError;
}

// (:k m default?), (m k default?) and (s x default?): lookups written as calls.
bool Interpreter::call_lookup(Term fn, uint32_t n, Term* result, EvalError* error) {
  if (n < 1 || n > 2) {
    *error = {"arity-mismatch",
              str_cat(print(fn), " called with ", n, " arguments: a key lookup takes 1 or 2")};
    return false;
  }
  Term m = fn.is_keyword() ? x_[0] : fn;
  Term key = fn.is_keyword() ? fn : x_[0];
  Term fallback = n == 2 ? x_[1] : Term::nil();
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
  NativeContext ctx{heap_, {}, current_ns_, this};
  bool ok = arith(ctx, op, b, c, out, fname);
  if (!ok) *error = std::move(ctx.error);
  return ok;
}

bool Interpreter::slow_compare(Term b, Term c, int* cmp, bool* unordered, const char* fname,
                               EvalError* error) {
  NativeContext ctx{heap_, {}, current_ns_, this};
  bool ok = compare_numbers(ctx, b, c, cmp, unordered, fname);
  if (!ok) *error = std::move(ctx.error);
  return ok;
}

// Runs the closure at the top of the register stack with `nargs` arguments in X until the frame
// pushed by call() is returned into.
EvalResult Interpreter::run(size_t nargs) {
  std::vector<Term>& stack = heap_.stack();  // scratch for building collections
  const Code* code = nullptr;
  const uint32_t* pc = nullptr;
  size_t base = 0;
  Term* R = nullptr;
  EvalError error;

  // Enters the closure on top of the register stack (called with n arguments in X): the frame
  // starts at the current top. Kept out of line so the dispatch state stays in registers.
#define LONA_ENTER(n)                              \
  do {                                             \
    size_t new_base = top_;                        \
    const Code* callee = enter_frame((n), &error); \
    if (callee == nullptr) goto fail;              \
    code = callee;                                 \
    base = new_base;                               \
    pc = code->instrs.data();                      \
    R = regs_.get() + base;                        \
  } while (0)

  LONA_ENTER(static_cast<uint32_t>(nargs));

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
  if (value.is_unbound()) {
    error = {"undefined", str_cat("var ", print(Namespaces::global().ns_name(v->ns)), "/",
                                  print(v->name), " is unbound")};
    goto fail;
  }
  R[A] = value;
  DISPATCH();
}
op_DefVar : {
  Var* v = code->vars[instr::bx(i)];
  v->set(LiteralArea::global().copy(R[A]));
  R[A] = Term::var(v->index);
  DISPATCH();
}
op_GetCapture:
  R[A] = payload_term(regs_[base - 1], 1 + B);
  DISPATCH();
op_Self:
  R[A] = regs_[base - 1];
  DISPATCH();
op_Closure : {
  const Code* nested = code->nested[instr::bx(i)].get();
  size_t n = nested->captures.size();
  Word* p = heap_.alloc(2 + n);
  R = regs_.get() + base;
  Term self = regs_[base - 1];
  p[0] = header::make(ObjTag::kClosure, 0, 1 + n);
  p[1] = code_term(nested).raw();
  for (size_t k = 0; k < n; ++k) {
    CaptureSource src = nested->captures[k];
    p[2 + k] = (src.from_capture ? payload_term(self, 1 + src.index) : R[src.index]).raw();
  }
  R[A] = Term::boxed_ptr(p);
  DISPATCH();
}
op_Arg:
  x_[A] = R[B];
  DISPATCH();
op_Call : {
  Term fn = R[B];
  uint32_t n = C;
  if (!is_object(fn, ObjTag::kClosure)) [[unlikely]] {
    Term result;
    Direct d = call_direct(&fn, &n, &result, &error);
    R = regs_.get() + base;
    if (d == Direct::kError) goto fail;
    if (d == Direct::kCalled) {
      R[A] = result;
      DISPATCH();
    }
  }
  frames_.push_back(Frame{code, pc, base, A});
  if (!reserve_registers(1)) {
    error = {"stack-overflow", "stack overflow: the register stack is full"};
    goto fail;
  }
  regs_[top_++] = fn;
  LONA_ENTER(n);
  DISPATCH();
}
op_TailCall : {
  Term fn = R[B];
  uint32_t n = C;
  if (!is_object(fn, ObjTag::kClosure)) [[unlikely]] {
    Term result;
    Direct d = call_direct(&fn, &n, &result, &error);
    R = regs_.get() + base;
    if (d == Direct::kError) goto fail;
    if (d == Direct::kCalled) {  // nothing to enter: return its result
      R[0] = result;
      i = instr::abc(Op::kReturn, 0, 0, 0);
      goto do_return;
    }
  }
  top_ = base - 1;  // drop this frame: the callee takes its place
  regs_[top_++] = fn;
  LONA_ENTER(n);
  DISPATCH();
}
op_CallNative : {
  Term result;
  bool ok = call_intrinsic(B, C, &result, &error);
  R = regs_.get() + base;
  if (!ok) goto fail;
  R[A] = result;
  DISPATCH();
}
op_Return:
do_return : {
  Term v = R[A];
  top_ = base - 1;
  Frame f = frames_.back();
  frames_.pop_back();
  if (f.code == nullptr) return EvalResult::success(v);
  code = f.code;
  pc = f.pc;
  base = f.base;
  R = regs_.get() + base;
  R[f.dest] = v;
  DISPATCH();
}
op_Jump : {
  int offset = instr::sbx(i);
  if (offset < 0) ++reductions_;
  pc += offset;
  DISPATCH();
}
op_JumpIfFalsy:
  if (!R[A].truthy()) pc += instr::sbx(i);
  DISPATCH();
op_TestEq : {
  // Identical words are equal (but a NaN float); two different immediates never are.
  Term a = R[A], b = R[B];
  if (a == b ? !is_float(a) : (a.is_pointer() || b.is_pointer()) && equal(a, b)) ++pc;
  DISPATCH();
}
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
  if (is_map(R[B])) {
    std::optional<Term> v = map_get(R[B], R[C]);
    if (v) {
      R[A] = *v;
      ++pc;
    }
  }
  DISPATCH();
op_GetElem:
  R[A] = array_at(R[B], C);
  DISPATCH();
op_RestTuple : {
  Term t = R[B];
  size_t n = array_count(t);
  for (size_t k = C; k < n; ++k) stack.push_back(array_at(t, k));
  Term rest = tuple_from_stack(heap_, n > C ? n - C : 0);
  R = regs_.get() + base;
  R[A] = rest;
  DISPATCH();
}
op_RestVector : {
  Term t = R[B];
  size_t n = array_count(t);
  for (size_t k = C; k < n; ++k) stack.push_back(array_at(t, k));
  Term rest = vector_from_stack(heap_, n > C ? n - C : 0);
  R = regs_.get() + base;
  R[A] = rest;
  DISPATCH();
}
op_BadMatch:
  error = {"badmatch", str_cat("no clause matched ", print(R[A]))};
  goto fail;

#define LONA_MAKE(name, count, make)                                  \
  op_##name : {                                                       \
    for (uint32_t k = 0; k < (count); ++k) stack.push_back(R[B + k]); \
    Term made = make(heap_, C);                                       \
    R = regs_.get() + base;                                           \
    R[A] = made;                                                      \
    DISPATCH();                                                       \
  }
  LONA_MAKE(MakeTuple, C, tuple_from_stack)
  LONA_MAKE(MakeVector, C, vector_from_stack)
  LONA_MAKE(MakeList, C, list_from_stack)
  LONA_MAKE(MakeMap, 2 * C, map_from_stack)
  LONA_MAKE(MakeSet, C, set_from_stack)
#undef LONA_MAKE

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
    R = regs_.get() + base;                                                                   \
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

#define LONA_COMPARE(name, test, fname, operand)                                                \
  op_##name : {                                                                                 \
    Term b = R[B], c = (operand);                                                               \
    if (b.is_fixnum() && c.is_fixnum()) {                                                       \
      int cmp = b.fixnum_value() < c.fixnum_value() ? -1 : b.fixnum_value() > c.fixnum_value(); \
      R[A] = Term::boolean(cmp test 0);                                                         \
      DISPATCH();                                                                               \
    }                                                                                           \
    int cmp;                                                                                    \
    bool unordered;                                                                             \
    if (!slow_compare(b, c, &cmp, &unordered, fname, &error)) goto fail;                        \
    R[A] = Term::boolean(!unordered && cmp test 0);                                             \
    DISPATCH();                                                                                 \
  }
  LONA_COMPARE(Lt, <, "<", R[C])
  LONA_COMPARE(Le, <=, "<=", R[C])
  LONA_COMPARE(Gt, >, ">", R[C])
  LONA_COMPARE(Ge, >=, ">=", R[C])
  LONA_COMPARE(LtI, <, "<", LONA_IMMEDIATE)
  LONA_COMPARE(LeI, <=, "<=", LONA_IMMEDIATE)
  LONA_COMPARE(GtI, >, ">", LONA_IMMEDIATE)
  LONA_COMPARE(GeI, >=, ">=", LONA_IMMEDIATE)
#undef LONA_COMPARE

op_NumEq:
  R[A] = Term::boolean(equal(R[B], R[C]));
  DISPATCH();
op_EqI : {
  Term b = R[B], c = LONA_IMMEDIATE;
  R[A] = Term::boolean(b == c || (b.is_pointer() && equal(b, c)));  // 42N = 42
  DISPATCH();
}
#undef LONA_IMMEDIATE

fail:
  return EvalResult::failure(std::move(error.reason), std::move(error.message));
#undef A
#undef B
#undef C
#undef DISPATCH
#undef LONA_ENTER
}

}  // namespace lona
