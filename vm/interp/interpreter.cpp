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
  heap_.set_register_roots(x_.data(), x_.size());
  heap_.stack().reserve(size_t{1} << 16);
}

Interpreter::~Interpreter() { heap_.set_register_roots(nullptr, 0); }

bool Interpreter::spread_apply_args(Term* fn, uint32_t* n, EvalError* error) {
  if (*n < 2) {
    *error = {"arity-mismatch", "apply takes a function and a collection of arguments"};
    return false;
  }
  Term f = x_[0];
  Term coll = x_[*n - 1];
  if (kind_of(f) != Kind::kFunction) {
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
  while (fn.is_native_fn() && fn.index() == kApplyIntrinsic) {
    EvalError error;
    if (!spread_apply_args(&fn, &nargs, &error)) {
      return EvalResult::failure(std::move(error.reason), std::move(error.message));
    }
  }
  if (fn.is_native_fn()) {
    const Intrinsic& in = intrinsic(fn.index());
    NativeContext ctx{heap_, {}, current_ns_, this};
    Term result;
    if (!in.fn(ctx, std::span<Term>(x_.data(), nargs), &result)) {
      return EvalResult::failure(std::move(ctx.error.reason), std::move(ctx.error.message));
    }
    return EvalResult::success(result);
  }
  if (!is_object(fn, ObjTag::kClosure)) {
    return EvalResult::failure("not-callable", str_cat(print(fn), " is not a function"));
  }
  std::vector<Term>& stack = heap_.stack();
  size_t entry_stack = stack.size();
  size_t entry_frames = frames_.size();
  // The entry call returns into a frame with no code: run() stops there.
  frames_.push_back(Frame{nullptr, nullptr, 0, 0});
  stack.push_back(fn);
  EvalResult r = run(nargs);
  stack.resize(entry_stack);
  frames_.resize(entry_frames);
  return r;
}

// Runs the closure at the top of the stack with `nargs` arguments in X until the frame pushed by
// call() is returned into.
EvalResult Interpreter::run(size_t nargs) {
  std::vector<Term>& stack = heap_.stack();
  const Code* code = nullptr;
  const uint32_t* pc = nullptr;
  size_t base = 0;
  Term* R = nullptr;
  EvalError error;

  // Sets up the frame of the closure at stack.back() for a call with n arguments in X.
  auto enter = [&](uint32_t n) -> bool {
    Term fn = stack.back();
    const Code* callee = code_of(payload_term(fn, 0));
    uint32_t fixed = callee->nparams - (callee->variadic ? 1 : 0);
    if (callee->variadic ? n < fixed : n != fixed) {
      error = {"arity-mismatch", arity_message(callee, n)};
      return false;
    }
    if (frames_.size() > kMaxFrames) {
      error = {"stack-overflow", str_cat("stack overflow: more than ", kMaxFrames,
                                         " nested calls (only calls in tail position reuse "
                                         "their frame)")};
      return false;
    }
    base = stack.size();
    stack.resize(base + callee->frame_size, Term::nil());
    for (uint32_t i = 0; i < fixed; ++i) stack[base + i] = x_[i];
    if (callee->variadic) {  // the rest as a tuple, built through the stack top
      for (uint32_t i = fixed; i < n; ++i) stack.push_back(x_[i]);
      Term rest = tuple_from_stack(heap_, n - fixed);
      stack[base + fixed] = rest;
    }
    code = callee;
    pc = callee->instrs.data();
    R = stack.data() + base;
    ++reductions_;
    return true;
  };

  auto call_native = [&](uint32_t id, uint32_t n, Term* result) -> bool {
    const Intrinsic& in = intrinsic(id);
    if (static_cast<int>(n) < in.min_args ||
        (in.max_args >= 0 && static_cast<int>(n) > in.max_args)) {
      error = {"arity-mismatch", str_cat("wrong number of arguments to ", in.name, ": got ", n)};
      return false;
    }
    NativeContext ctx{heap_, {}, current_ns_, this};
    bool ok = in.fn(ctx, std::span<Term>(x_.data(), n), result);
    if (!ok) error = std::move(ctx.error);
    R = stack.data() + base;
    return ok;
  };

  // (apply f a b coll): X holds f a b coll; afterwards X holds a b and coll's elements, and *fn f.
  auto spread = [&](Term* fn, uint32_t* n) -> bool {
    if (!spread_apply_args(fn, n, &error)) return false;
    R = stack.data() + base;
    return true;
  };

  // The slow paths of the arithmetic and comparison instructions. (In lambdas: a computed goto
  // may not leave the scope of a variable with a destructor, such as a NativeContext.)
  auto slow_arith = [&](ArithOp op, Term b, Term c, Term* out, const char* fname) -> bool {
    NativeContext ctx{heap_, {}, current_ns_, this};
    bool ok = arith(ctx, op, b, c, out, fname);
    if (!ok) error = std::move(ctx.error);
    R = stack.data() + base;
    return ok;
  };
  auto slow_compare = [&](Term b, Term c, int* cmp, bool* unordered, const char* fname) -> bool {
    NativeContext ctx{heap_, {}, current_ns_, this};
    bool ok = compare_numbers(ctx, b, c, cmp, unordered, fname);
    if (!ok) error = std::move(ctx.error);
    return ok;
  };

  auto not_callable = [&](Term fn) {
    error = {"not-callable", str_cat(print(fn), " is not a function")};
  };

  if (!enter(static_cast<uint32_t>(nargs))) return EvalResult::failure(error.reason, error.message);

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
  R[A] = payload_term(stack[base - 1], 1 + B);
  DISPATCH();
op_Self:
  R[A] = stack[base - 1];
  DISPATCH();
op_Closure : {
  const Code* nested = code->nested[instr::bx(i)].get();
  size_t n = nested->captures.size();
  Word* p = heap_.alloc(2 + n);
  R = stack.data() + base;
  Term self = stack[base - 1];
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
  while (fn.is_native_fn() && fn.index() == kApplyIntrinsic) {
    if (!spread(&fn, &n)) goto fail;
  }
  if (fn.is_native_fn()) {
    Term result;
    if (!call_native(fn.index(), n, &result)) goto fail;
    R[A] = result;
    DISPATCH();
  }
  if (!is_object(fn, ObjTag::kClosure)) {
    not_callable(fn);
    goto fail;
  }
  frames_.push_back(Frame{code, pc, base, A});
  stack.push_back(fn);
  if (!enter(n)) goto fail;
  DISPATCH();
}
op_TailCall : {
  Term fn = R[B];
  uint32_t n = C;
  while (fn.is_native_fn() && fn.index() == kApplyIntrinsic) {
    if (!spread(&fn, &n)) goto fail;
  }
  if (fn.is_native_fn()) {
    Term result;
    if (!call_native(fn.index(), n, &result)) goto fail;
    R[0] = result;
    i = instr::abc(Op::kReturn, 0, 0, 0);
    goto do_return;
  }
  if (!is_object(fn, ObjTag::kClosure)) {
    not_callable(fn);
    goto fail;
  }
  stack.resize(base - 1);  // drop this frame: the callee takes its place
  stack.push_back(fn);
  if (!enter(n)) goto fail;
  DISPATCH();
}
op_CallNative : {
  Term result;
  if (!call_native(B, C, &result)) goto fail;
  R[A] = result;
  DISPATCH();
}
op_Return:
do_return : {
  Term v = R[A];
  stack.resize(base - 1);
  Frame f = frames_.back();
  frames_.pop_back();
  if (f.code == nullptr) return EvalResult::success(v);
  code = f.code;
  pc = f.pc;
  base = f.base;
  R = stack.data() + base;
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
op_TestEq:
  if (equal(R[A], R[B])) ++pc;
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
  R = stack.data() + base;
  R[A] = rest;
  DISPATCH();
}
op_RestVector : {
  Term t = R[B];
  size_t n = array_count(t);
  for (size_t k = C; k < n; ++k) stack.push_back(array_at(t, k));
  Term rest = vector_from_stack(heap_, n > C ? n - C : 0);
  R = stack.data() + base;
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
    R = stack.data() + base;                                          \
    R[A] = made;                                                      \
    DISPATCH();                                                       \
  }
  LONA_MAKE(MakeTuple, C, tuple_from_stack)
  LONA_MAKE(MakeVector, C, vector_from_stack)
  LONA_MAKE(MakeList, C, list_from_stack)
  LONA_MAKE(MakeMap, 2 * C, map_from_stack)
  LONA_MAKE(MakeSet, C, set_from_stack)
#undef LONA_MAKE

#define LONA_ARITH(name, op, builtin, fname)                                                  \
  op_##name : {                                                                               \
    Term b = R[B], c = R[C];                                                                  \
    int64_t r;                                                                                \
    if (b.is_fixnum() && c.is_fixnum() && !builtin(b.fixnum_value(), c.fixnum_value(), &r) && \
        Term::fits_fixnum(r)) {                                                               \
      R[A] = Term::fixnum(r);                                                                 \
      DISPATCH();                                                                             \
    }                                                                                         \
    Term out;                                                                                 \
    if (!slow_arith(op, b, c, &out, fname)) goto fail;                                        \
    R[A] = out;                                                                               \
    DISPATCH();                                                                               \
  }
  LONA_ARITH(Add, ArithOp::kAdd, __builtin_add_overflow, "+")
  LONA_ARITH(Sub, ArithOp::kSub, __builtin_sub_overflow, "-")
  LONA_ARITH(Mul, ArithOp::kMul, __builtin_mul_overflow, "*")
#undef LONA_ARITH

#define LONA_COMPARE(name, test, fname)                                                         \
  op_##name : {                                                                                 \
    Term b = R[B], c = R[C];                                                                    \
    if (b.is_fixnum() && c.is_fixnum()) {                                                       \
      int cmp = b.fixnum_value() < c.fixnum_value() ? -1 : b.fixnum_value() > c.fixnum_value(); \
      R[A] = Term::boolean(cmp test 0);                                                         \
      DISPATCH();                                                                               \
    }                                                                                           \
    int cmp;                                                                                    \
    bool unordered;                                                                             \
    if (!slow_compare(b, c, &cmp, &unordered, fname)) goto fail;                                \
    R[A] = Term::boolean(!unordered && cmp test 0);                                             \
    DISPATCH();                                                                                 \
  }
  LONA_COMPARE(Lt, <, "<")
  LONA_COMPARE(Le, <=, "<=")
  LONA_COMPARE(Gt, >, ">")
  LONA_COMPARE(Ge, >=, ">=")
#undef LONA_COMPARE

op_NumEq:
  R[A] = Term::boolean(equal(R[B], R[C]));
  DISPATCH();

fail:
  return EvalResult::failure(std::move(error.reason), std::move(error.message));
#undef A
#undef B
#undef C
#undef DISPATCH
}

}  // namespace lona
