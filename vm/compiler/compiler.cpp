#include "vm/compiler/compiler.hpp"

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/number.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/printer/printer.hpp"

namespace lona {
namespace {

// Top-level code lives as long as the realm (closures made by it may be anywhere).
std::vector<std::unique_ptr<Code>>& toplevel_code() {
  static auto* codes = new std::vector<std::unique_ptr<Code>>();
  return *codes;
}
std::mutex toplevel_mutex;

std::string_view symbol_name(Term sym) { return name_entry(bare_symbol(sym)).full; }

bool is_symbol_named(Term t, std::string_view name) {
  return is_any_symbol(t) && symbol_name(t) == name;
}

// The elements of a proper list.
std::vector<Term> list_items(Term list) {
  std::vector<Term> items;
  for (; list.is_cons(); list = list_tail(list)) items.push_back(list_head(list));
  return items;
}

}  // namespace

// Compiles one function body. Nested fn* forms get a FnCompiler of their own whose parent is
// this one, which is how captured variables are found.
class Compiler::FnCompiler {
 public:
  // R0 holds the running closure (vm/bytecode); the function's own registers start at R1.
  FnCompiler(Compiler& c, FnCompiler* parent, Code* code) : c_(c), parent_(parent), code_(code) {
    code_->frame_size = std::max<uint32_t>(code_->frame_size, 1);
  }

  // Compiles `forms` as a function body (an implicit do) that returns its value.
  bool body(const std::vector<Term>& forms, size_t from) {
    int dest = alloc();
    if (dest < 0) return false;
    return compile_do(forms, from, dest, true);
  }

  void bind(Term sym, int reg) { locals_.push_back({bare_symbol(sym).name_index(), reg}); }
  int alloc() {
    if (next_reg_ >= kMaxRegisters) {
      fail("syntax-error", "function too complex: more than 255 registers");
      return -1;
    }
    int r = next_reg_++;
    if (static_cast<uint32_t>(next_reg_) > code_->frame_size) code_->frame_size = next_reg_;
    return r;
  }
  void emit(uint32_t i) {
    last_instr_ = code_->instrs.size();
    code_->instrs.push_back(i);
  }
  // The operand word that follows a +W instruction (vm/bytecode).
  void emit_word(uint32_t w) { code_->instrs.push_back(w); }

  void set_error_sink(EvalError* e) { error_ = e; }

 private:
  struct Local {
    uint32_t name;
    int reg;
  };
  enum class Where { kNone, kLocal, kCapture };
  struct Resolved {
    Where where = Where::kNone;
    int index = 0;
  };

  bool fail(std::string reason, std::string message) {
    if (error_->reason.empty()) *error_ = {std::move(reason), std::move(message)};
    return false;
  }
  bool syntax(std::string message) { return fail("syntax-error", std::move(message)); }

  // --- names ---------------------------------------------------------------------------------

  Resolved resolve_local(uint32_t name) {
    for (size_t i = locals_.size(); i-- > 0;) {
      if (locals_[i].name == name) return {Where::kLocal, locals_[i].reg};
    }
    for (size_t i = 0; i < capture_names_.size(); ++i) {
      if (capture_names_[i] == name) return {Where::kCapture, static_cast<int>(i)};
    }
    if (parent_ == nullptr) return {};
    Resolved outer = parent_->resolve_local(name);
    if (outer.where == Where::kNone) return {};
    if (code_->captures.size() >= 255) {
      fail("syntax-error", "function too complex: more than 255 captured values");
      return {};
    }
    code_->captures.push_back(
        CaptureSource{outer.where == Where::kCapture, static_cast<uint8_t>(outer.index)});
    capture_names_.push_back(name);
    return {Where::kCapture, static_cast<int>(capture_names_.size() - 1)};
  }

  Var* resolve_var(Term sym) { return Namespaces::global().resolve(c_.ns_, sym); }

  uint32_t var_slot(Var* v) {
    for (size_t i = 0; i < code_->vars.size(); ++i) {
      if (code_->vars[i] == v) return static_cast<uint32_t>(i);
    }
    code_->vars.push_back(v);
    return static_cast<uint32_t>(code_->vars.size() - 1);
  }

  // --- emitting --------------------------------------------------------------------------------

  size_t emit_jump() {
    emit(instr::asbx(Op::kJump, 0, 0));
    return code_->instrs.size() - 1;
  }
  void patch_to_here(size_t at) {
    int offset = static_cast<int>(code_->instrs.size() - at - 1);
    uint32_t old = code_->instrs[at];
    code_->instrs[at] = instr::asbx(instr::op(old), instr::a(old), offset);
    label_ = code_->instrs.size();
  }

  // Jumps (to be patched) when register `reg` is nil or false. When the instruction just
  // emitted is a comparison into `reg` (the test of an `if`) and nothing jumps to here, the two
  // fuse: the comparison becomes its compare-and-jump form, followed by a plain Jump.
  size_t emit_jump_unless(int reg) {
    static constexpr std::pair<Op, Op> kFusable[] = {
        {Op::kLt, Op::kLtJ},   {Op::kLe, Op::kLeJ},       {Op::kGt, Op::kGtJ},
        {Op::kGe, Op::kGeJ},   {Op::kNumEq, Op::kNumEqJ}, {Op::kLtI, Op::kLtIJ},
        {Op::kLeI, Op::kLeIJ}, {Op::kGtI, Op::kGtIJ},     {Op::kGeI, Op::kGeIJ},
        {Op::kEqI, Op::kEqIJ}};
    std::vector<uint32_t>& instrs = code_->instrs;
    if (!instrs.empty() && label_ != instrs.size() && last_instr_ + 1 == instrs.size() &&
        instr::a(instrs.back()) == static_cast<uint32_t>(reg)) {
      for (const auto& [op, fused] : kFusable) {
        if (instr::op(instrs.back()) != op) continue;
        instrs.back() = (instrs.back() & ~0xFFu) | static_cast<uint32_t>(fused);
        return emit_jump();
      }
    }
    emit(instr::asbx(Op::kJumpIfFalsy, reg, 0));
    return instrs.size() - 1;
  }

  void emit_constant(Term t, int dest) {
    if (t.is_fixnum() && t.fixnum_value() >= -kSBxBias && t.fixnum_value() <= kSBxBias) {
      emit(instr::asbx(Op::kLoadInt, dest, static_cast<int>(t.fixnum_value())));
      return;
    }
    code_->constants.push_back(t.is_pointer() ? LiteralArea::global().copy(t) : t);
    size_t k = code_->constants.size() - 1;
    if (k > 0xFFFF) {
      fail("syntax-error", "function too complex: more than 65535 constants");
      return;
    }
    emit(instr::abx(Op::kLoadK, dest, static_cast<uint32_t>(k)));
  }

  bool finish(int dest, bool tail) {
    if (tail) emit(instr::abc(Op::kReturn, dest, 0, 0));
    return true;
  }

  // --- forms ---------------------------------------------------------------------------------

 public:
  bool compile(Term form, int dest, bool tail, int depth) {
    if (depth > kMaxDepth) {
      return fail("nesting-too-deep", str_cat("forms nested deeper than ", kMaxDepth, " levels"));
    }
    if (is_any_symbol(form)) {
      if (tail && name_entry(bare_symbol(form)).ns_length == 0) {  // return a local where it is
        Resolved r = resolve_local(bare_symbol(form).name_index());
        if (r.where == Where::kLocal) return finish(r.index, true);
      }
      if (!compile_symbol(form, dest)) return false;
      return finish(dest, tail);
    }
    if (form.is_cons()) return compile_list(form, dest, tail, depth);
    Kind k = kind_of(form);
    if (k == Kind::kTuple || k == Kind::kVector || k == Kind::kMap || k == Kind::kSet) {
      if (!compile_collection(form, k, dest, depth)) return false;
      return finish(dest, tail);
    }
    emit_constant(form, dest);
    return finish(dest, tail);
  }

 private:
  bool compile_symbol(Term sym, int dest) {
    const SymbolTable::Entry& e = name_entry(bare_symbol(sym));
    if (e.ns_length == 0) {
      Resolved r = resolve_local(bare_symbol(sym).name_index());
      if (r.where == Where::kLocal) {
        if (r.index != dest) emit(instr::abc(Op::kMove, dest, r.index, 0));
        return true;
      }
      if (r.where == Where::kCapture) {
        emit(instr::abc(Op::kGetCapture, dest, r.index, 0));
        return true;
      }
      if (!error_->reason.empty()) return false;
    }
    Var* v = resolve_var(sym);
    if (v == nullptr) return fail("undefined", str_cat("unable to resolve symbol ", e.full));
    Term root = v->get();
    if (v->intrinsic.load() && root.is_native_fn()) {  // the intrinsic itself, as a constant
      emit_constant(root, dest);
      return true;
    }
    if (v->process_bound.load()) {  // (var-get #'v): the process's own value, else the root
      static const uint32_t kVarGet = *find_intrinsic("var-get");
      return compile_intrinsic_call(kVarGet, {sym, Term::var(v->index)}, dest, false, 0);
    }
    emit(instr::abx(Op::kGetVar, dest, var_slot(v)));
    return true;
  }

  // Constant collections load as one constant; others are built from their evaluated elements.
  bool compile_collection(Term form, Kind k, int dest, int depth) {
    size_t n = k == Kind::kMap   ? 2 * map_count(form)
               : k == Kind::kSet ? set_count(form)
                                 : array_count(form);
    auto element = [&](size_t i) {
      return k == Kind::kMap   ? (i % 2 == 0 ? map_key(form, i / 2) : map_value(form, i / 2))
             : k == Kind::kSet ? set_at(form, i)
                               : array_at(form, i);
    };
    bool constant = true;
    for (size_t i = 0; i < n && constant; ++i) {
      Term e = element(i);
      constant = !is_any_symbol(e) && !e.is_cons() && kind_of(e) != Kind::kTuple &&
                 kind_of(e) != Kind::kVector && kind_of(e) != Kind::kMap &&
                 kind_of(e) != Kind::kSet;
    }
    if (constant) {
      emit_constant(form, dest);
      return true;
    }
    if (n > 255) return syntax("collection literal with more than 255 evaluated elements");
    int mark = next_reg_;
    int first = next_reg_;
    for (size_t i = 0; i < n; ++i) {
      int r = alloc();
      if (r < 0 || !compile(element(i), r, false, depth + 1)) return false;
    }
    Op op = k == Kind::kTuple    ? Op::kMakeTuple
            : k == Kind::kVector ? Op::kMakeVector
            : k == Kind::kMap    ? Op::kMakeMap
                                 : Op::kMakeSet;
    emit(instr::abc(op, dest, first, static_cast<uint32_t>(k == Kind::kMap ? n / 2 : n)));
    next_reg_ = mark;
    return true;
  }

  bool compile_list(Term form, int dest, bool tail, int depth) {
    std::vector<Term> items = list_items(form);
    if (!list_tail_is_proper(form)) return syntax("cannot evaluate an improper list");
    Term head = items[0];
    if (is_any_symbol(head) && name_entry(bare_symbol(head)).ns_length == 0) {
      std::string_view name = symbol_name(head);
      if (name == "quote") {
        if (items.size() != 2) return syntax("quote takes exactly one form");
        emit_constant(items[1], dest);
        return finish(dest, tail);
      }
      if (name == "do") return compile_do(items, 1, dest, tail, depth);
      if (name == "def") return compile_def(items, dest, tail, depth);
      if (name == "fn*") return compile_fn(items, dest, tail);
      if (name == "match") return compile_match(items, dest, tail, depth);
      if (name == "var") return compile_var(items, dest, tail);
      if (name == "receive") return compile_receive(items, dest, tail, depth);
    }
    // A macro call expands, then compiles what it expanded to. Expansions that are macro calls
    // again expand here, in a loop rather than a recursion, so that one that never ends meets the
    // expansion limit, not the nesting limit.
    if (Var* macro = macro_of(form)) {
      Term expansion = form;
      for (int steps = 0; macro != nullptr; macro = macro_of(expansion), ++steps) {
        if (steps >= kMaxDepth) {  // each step may be bigger than the last: bound them early
          return fail("macro-expansion-limit",
                      str_cat("more than ", kMaxDepth, " expansions of macro calls in a row ",
                              "(the last of ", print(macro->name), ")"));
        }
        if (!expand(macro, expansion, &expansion)) return false;
      }
      return compile(expansion, dest, tail, depth + 1);
    }
    if (is_any_symbol(head) && !is_local(head)) {
      Var* v = resolve_var(head);
      if (v != nullptr && v->intrinsic.load() && v->get().is_native_fn() &&
          v->get().index() != kApplyIntrinsic) {
        return compile_intrinsic_call(v->get().index(), items, dest, tail, depth);
      }
    }
    return compile_call(items, dest, tail, depth);
  }

  // The macro `form` calls, if it is a (proper) list headed by a name of one.
  // The macro `form` calls, unless a local of that name shadows it.
  Var* macro_of(Term form) {
    if (form.is_cons() && is_any_symbol(list_head(form)) && is_local(list_head(form))) {
      return nullptr;
    }
    return macro_called_by(c_.ns_, form);
  }

  static bool list_tail_is_proper(Term list) {
    while (list.is_cons()) list = list_tail(list);
    return list.is_empty_list();
  }

  bool is_local(Term sym) {
    if (name_entry(bare_symbol(sym)).ns_length != 0) return false;
    Resolved r = resolve_local(bare_symbol(sym).name_index());
    return r.where != Where::kNone;
  }

  // Expands the macro call `form` into the literal area.
  bool expand(Var* macro, Term form, Term* out) {
    if (++c_.expansions_ > kMaxExpansions) {
      return fail("macro-expansion-limit",
                  str_cat("more than ", kMaxExpansions, " macro expansions in one form"));
    }
    EvalResult r = expand_macro(c_.interp_, macro, form);
    if (!r.ok) return fail(std::move(r.error.reason), std::move(r.error.message));
    if (deep_copy_words(r.value, kMaxRootWords) > kMaxRootWords) {  // the copy would explode
      return fail("macro-expansion-limit",
                  str_cat("the expansion of macro ", print(macro->name), " is too large"));
    }
    *out = LiteralArea::global().copy(r.value);  // before anything else can allocate
    return true;
  }

  // Evaluates items[1..] into fresh registers (or finds them in place) and moves them to X.
  bool compile_args(const std::vector<Term>& items, int depth) {
    size_t n = items.size() - 1;
    if (n > 255) return syntax("a call with more than 255 arguments");
    std::vector<int> regs(n);
    for (size_t i = 0; i < n; ++i) {
      Term arg = items[1 + i];
      if (is_any_symbol(arg) && name_entry(bare_symbol(arg)).ns_length == 0) {
        Resolved r = resolve_local(bare_symbol(arg).name_index());
        if (r.where == Where::kLocal) {
          regs[i] = r.index;
          continue;
        }
      }
      int reg = alloc();
      if (reg < 0 || !compile(arg, reg, false, depth + 1)) return false;
      regs[i] = reg;
    }
    // Only now: evaluating an argument may itself call, which uses the X registers.
    for (size_t i = 0; i < n; ++i) emit(instr::abc(Op::kArg, static_cast<uint32_t>(i), regs[i], 0));
    return true;
  }

  // The function and its arguments go into a block of fresh registers, after two for the
  // frame header: the callee's frame begins there (vm/bytecode).
  bool compile_call(const std::vector<Term>& items, int dest, bool tail, int depth) {
    size_t n = items.size() - 1;
    if (n > 200) return syntax("a call with more than 200 arguments");
    int mark = next_reg_;
    int block = next_reg_;
    for (size_t k = 0; k < n + 3; ++k) {
      if (alloc() < 0) return false;
    }
    for (size_t k = 0; k <= n; ++k) {
      if (!compile(items[k], block + 2 + static_cast<int>(k), false, depth + 1)) return false;
    }
    if (tail) {
      emit(instr::abc(Op::kTailCall, 0, block, static_cast<uint32_t>(n)));
    } else {
      emit(instr::abc(Op::kCall, dest, block, static_cast<uint32_t>(n)));
    }
    next_reg_ = mark;
    return true;
  }

  // A call of intrinsic `id` on the forms items[1...] (items[0] is not looked at): CallNative
  // when the id fits its 8 bits, else a general call of the native function as a constant.
  bool compile_intrinsic_call(uint32_t id, const std::vector<Term>& items, int dest, bool tail,
                              int depth) {
    if (id <= instr::kMaxCallNativeId) return compile_native_call(id, items, dest, tail, depth);
    std::vector<Term> call = items;
    call[0] = Term::native_fn(id);
    return compile_call(call, dest, tail, depth);
  }

  bool compile_native_call(uint32_t id, const std::vector<Term>& items, int dest, bool tail,
                           int depth) {
    std::string_view name = intrinsic(id).name;
    // Each with its form for a small constant second operand (kCount: none).
    static constexpr struct {
      std::string_view name;
      Op op;
      Op immediate;
    } kBinary[] = {{"+", Op::kAdd, Op::kAddI},  {"-", Op::kSub, Op::kSubI},
                   {"*", Op::kMul, Op::kCount}, {"<", Op::kLt, Op::kLtI},
                   {"<=", Op::kLe, Op::kLeI},   {">", Op::kGt, Op::kGtI},
                   {">=", Op::kGe, Op::kGeI},   {"=", Op::kNumEq, Op::kEqI}};
    int mark = next_reg_;
    if (items.size() == 3) {
      for (const auto& b : kBinary) {
        if (b.name != name) continue;
        int x = operand(items[1], depth);
        if (x < 0) return false;
        Term k = items[2];
        if (b.immediate != Op::kCount && k.is_fixnum() && k.fixnum_value() >= -128 &&
            k.fixnum_value() <= 127) {
          emit(instr::abc(b.immediate, dest, x,
                          static_cast<uint8_t>(static_cast<int8_t>(k.fixnum_value()))));
          next_reg_ = mark;
          return finish(dest, tail);
        }
        int y = operand(items[2], depth);
        if (y < 0) return false;
        emit(instr::abc(b.op, dest, x, y));
        next_reg_ = mark;
        return finish(dest, tail);
      }
    }
    const Intrinsic& in = intrinsic(id);
    int n = static_cast<int>(items.size() - 1);
    if (n < in.min_args || (in.max_args >= 0 && n > in.max_args)) {
      return fail("arity-mismatch", str_cat("wrong number of arguments to ", in.name, ": got ", n));
    }
    if (!compile_args(items, depth)) return false;
    emit(instr::abc(Op::kCallNative, dest, id, static_cast<uint32_t>(n)));
    next_reg_ = mark;
    return finish(dest, tail);
  }

  // A register holding the value of `form`: its own for a local, else a fresh one.
  int operand(Term form, int depth) {
    if (is_any_symbol(form) && name_entry(bare_symbol(form)).ns_length == 0) {
      Resolved r = resolve_local(bare_symbol(form).name_index());
      if (r.where == Where::kLocal) return r.index;
    }
    int reg = alloc();
    if (reg < 0 || !compile(form, reg, false, depth + 1)) return -1;
    return reg;
  }

 public:
  bool compile_do(const std::vector<Term>& items, size_t from, int dest, bool tail, int depth = 0) {
    if (from >= items.size()) {
      emit_constant(Term::nil(), dest);
      return finish(dest, tail);
    }
    for (size_t i = from; i + 1 < items.size(); ++i) {
      if (!compile(items[i], dest, false, depth + 1)) return false;
    }
    return compile(items.back(), dest, tail, depth + 1);
  }

 private:
  bool compile_var(const std::vector<Term>& items, int dest, bool tail) {
    if (items.size() != 2 || !is_any_symbol(items[1])) return syntax("var takes one symbol");
    Var* v = resolve_var(items[1]);
    if (v == nullptr) {
      return fail("undefined", str_cat("unable to resolve var ", symbol_name(items[1])));
    }
    emit_constant(Term::var(v->index), dest);
    return finish(dest, tail);
  }

  bool compile_def(const std::vector<Term>& items, int dest, bool tail, int depth) {
    if (items.size() < 2 || items.size() > 3) {
      return syntax("def takes a name and at most one value: (def name value)");
    }
    Term name = items[1];
    if (!is_any_symbol(name))
      return syntax(str_cat("def needs a symbol as name, got ", print(name)));
    if (name_entry(bare_symbol(name)).ns_length != 0) {
      return syntax(str_cat("def of a qualified name ", print(name), " (def names a var of *ns*)"));
    }
    Namespaces& namespaces = Namespaces::global();
    Var& v = namespaces.intern(c_.ns_, name);
    if (v.process_bound.load() && !v.get().is_unbound()) {
      // A process-bound var with a root: def sets the defining process's own value only
      // (bind-process-var*); the root and the metadata stay.
      if (items.size() == 2) {
        emit_constant(Term::var(v.index), dest);
        return finish(dest, tail);
      }
      static const uint32_t kBind = *find_intrinsic("bind-process-var*");
      return compile_intrinsic_call(kBind, {items[0], Term::var(v.index), items[2]}, dest, tail,
                                    depth);
    }
    v.intrinsic.store(false);  // whatever it was, its root is about to be the program's

    const SourcePosition& source = c_.interp_.source();
    Term meta = define_meta(c_.heap_, v, meta_of(name), source.file, source.line);
    std::optional<Term> native = map_get(meta, make_keyword("native"));
    if (native && native->truthy()) {
      std::optional<uint32_t> id = find_intrinsic(symbol_name(name));
      if (!id) {
        return fail("unknown-intrinsic", str_cat("no intrinsic named ", symbol_name(name)));
      }
      v.set(Term::native_fn(*id));
      v.intrinsic.store(true);
      emit_constant(Term::var(v.index), dest);
      return finish(dest, tail);
    }
    if (items.size() == 2) {  // (def name): declares the var
      emit_constant(Term::var(v.index), dest);
      return finish(dest, tail);
    }
    if (!compile(items[2], dest, false, depth + 1)) return false;
    emit(instr::abx(Op::kDefVar, dest, var_slot(&v)));
    return finish(dest, tail);
  }

  bool compile_fn(const std::vector<Term>& items, int dest, bool tail) {
    size_t at = 1;
    Term self = Term::nil();
    if (at < items.size() && is_any_symbol(items[at])) self = bare_symbol(items[at++]);
    if (!self.is_nil() && name_entry(self).ns_length != 0) {
      return syntax(str_cat("fn* name must be a plain symbol, got ", print(self)));
    }
    if (at >= items.size() || !is_tuple(items[at])) {
      return syntax("fn* needs a parameter tuple: (fn* name? [params] body...)");
    }
    Term params = items[at++];
    auto nested = std::make_unique<Code>();
    nested->name = self;
    FnCompiler child(c_, this, nested.get());
    child.set_error_sink(error_);
    size_t count = array_count(params);
    std::vector<std::pair<Term, int>> bindings;  // bound after the name: parameters shadow it
    for (size_t i = 0; i < count; ++i) {
      Term p = array_at(params, i);
      if (!is_any_symbol(p) || name_entry(bare_symbol(p)).ns_length != 0) {
        return syntax(str_cat("fn* parameters must be plain symbols, got ", print(p)));
      }
      if (symbol_name(p) == "&") {
        if (i + 2 != count || !is_any_symbol(array_at(params, i + 1))) {
          return syntax("& must be followed by exactly one parameter");
        }
        nested->variadic = true;
        continue;
      }
      int r = child.alloc();
      if (r < 0) return false;
      bindings.emplace_back(p, r);
    }
    nested->nparams = static_cast<uint32_t>(child.next_reg_ - 1);
    nested->exact_arity = nested->variadic ? Code::kVariadicArity : nested->nparams;
    if (!self.is_nil()) child.bind(self, 0);  // R0 is the running closure
    for (const auto& [p, r] : bindings) child.bind(p, r);
    if (!child.body(items, at)) return false;
    if (code_->nested.size() >= 0xFFFF) return syntax("too many nested functions");
    code_->nested.push_back(std::move(nested));
    emit(instr::abx(Op::kClosure, dest, static_cast<uint32_t>(code_->nested.size() - 1)));
    return finish(dest, tail);
  }

  // --- match ---------------------------------------------------------------------------------

  // A clause of match or receive: pattern [when guard] body.
  struct Clause {
    Term pattern;
    std::optional<Term> guard;
    Term body;
  };

  // Reads the clause at items[*i] (it must end before `end`) and moves *i past it.
  bool read_clause(const std::vector<Term>& items, size_t* i, size_t end, const char* form,
                   Clause* c) {
    c->pattern = items[*i];
    c->guard.reset();
    size_t body_at = *i + 1;
    if (body_at < end && is_symbol_named(items[body_at], "when")) {
      if (body_at + 2 >= end) return syntax(str_cat(form, " clause: pattern when guard body"));
      c->guard = items[body_at + 1];
      body_at += 2;
    }
    if (body_at >= end) {
      return syntax(str_cat(form, " clause without a body after ", print(c->pattern)));
    }
    c->body = items[body_at];
    *i = body_at + 1;
    return true;
  }

  // Tests clause c on register `subject`; when it matches, emits `on_match` (if any) and its body
  // into dest, then (unless in tail position or told not to) a jump to the end, added to *to_end.
  // A failed test goes on after all that, with the clause's names out of scope again.
  bool compile_clause(const Clause& c, int subject, int dest, bool tail, int depth,
                      std::optional<uint32_t> on_match, bool jump_to_end,
                      std::vector<size_t>* to_end) {
    size_t locals_mark = locals_.size();
    int clause_mark = next_reg_;
    std::vector<size_t> fails;
    std::vector<uint32_t> bound;
    if (!compile_pattern(c.pattern, subject, &fails, &bound, depth)) return false;
    if (c.guard) {
      int g = operand(*c.guard, depth);  // a bound name is tested where it is
      if (g < 0) return false;
      fails.push_back(emit_jump_unless(g));
    }
    if (on_match) emit(*on_match);
    if (!compile(c.body, dest, tail, depth + 1)) return false;
    if (!tail && jump_to_end) to_end->push_back(emit_jump());
    for (size_t f : fails) patch_to_here(f);
    locals_.resize(locals_mark);
    next_reg_ = clause_mark;
    return true;
  }

  bool compile_match(const std::vector<Term>& items, int dest, bool tail, int depth) {
    if (items.size() < 2) return syntax("match needs an expression: (match e pattern body ...)");
    int mark = next_reg_;
    int subject = operand(items[1], depth);
    if (subject < 0) return false;
    std::vector<size_t> to_end;
    bool irrefutable = false;
    for (size_t i = 2; i < items.size();) {
      Clause c;
      if (!read_clause(items, &i, items.size(), "match", &c)) return false;
      // A last clause of a name or _ always matches: no jump over the BadMatch, and no BadMatch.
      irrefutable = !c.guard && is_any_symbol(c.pattern) && i >= items.size();
      if (!compile_clause(c, subject, dest, tail, depth, std::nullopt, !irrefutable, &to_end)) {
        return false;
      }
    }
    if (!irrefutable) emit(instr::abc(Op::kBadMatch, subject, 0, 0));
    for (size_t j : to_end) patch_to_here(j);
    next_reg_ = mark;
    return true;
  }

  // (receive pattern [when guard] body ... [:after ms body]): the process's message queue is
  // scanned from its save pointer; each message is tried against the clauses in order, and the
  // first that matches is removed and its body evaluated. A message no clause matches stays, and
  // the next is tried; when none is left the process waits for more (or for the timeout):
  //
  //   loop: RecvPeek m; Jump wait          (skips the Jump when there is a message m)
  //         <clauses on m: each RecvRemove, body, Jump end>
  //         RecvNext; Jump loop
  //   wait: RecvWait; Jump loop            or: RecvWaitTimeout t; Jump loop; <timeout body>
  //   end:
  bool compile_receive(const std::vector<Term>& items, int dest, bool tail, int depth) {
    std::vector<Clause> clauses;
    std::optional<std::pair<Term, Term>> after;  // the timeout and its body
    for (size_t i = 1; i < items.size();) {
      if (items[i].is_keyword() && name_entry(items[i]).full == "after") {
        if (items.size() - i != 3) {
          return syntax("receive: :after comes last, with a timeout and a body: :after ms body");
        }
        after = {items[i + 1], items[i + 2]};
        break;
      }
      if (!read_clause(items, &i, items.size(), "receive", &clauses.emplace_back())) return false;
    }
    if (clauses.empty() && !after) {
      return syntax("receive needs a clause or :after: (receive pattern body ... :after ms body)");
    }
    int mark = next_reg_;
    int timeout = -1;
    if (after && (timeout = operand(after->first, depth)) < 0) return false;
    int msg = alloc();
    if (msg < 0) return false;
    size_t loop = code_->instrs.size();
    label_ = loop;  // a jump target: nothing before it may fuse with what follows
    emit(instr::abc(Op::kRecvPeek, msg, 0, 0));
    size_t to_wait = emit_jump();
    std::vector<size_t> to_end;
    for (const Clause& c : clauses) {
      if (!compile_clause(c, msg, dest, tail, depth, instr::abc(Op::kRecvRemove, 0, 0, 0), true,
                          &to_end)) {
        return false;
      }
    }
    emit(instr::abc(Op::kRecvNext, 0, 0, 0));
    emit_jump_to(loop);
    patch_to_here(to_wait);
    if (after) {
      emit(instr::abc(Op::kRecvWaitTimeout, timeout, 0, 0));
      emit_jump_to(loop);
      if (!compile(after->second, dest, tail, depth + 1)) return false;
    } else {
      emit(instr::abc(Op::kRecvWait, 0, 0, 0));
      emit_jump_to(loop);
    }
    for (size_t j : to_end) patch_to_here(j);
    next_reg_ = mark;
    return true;
  }

  // A jump back to the instruction at `target`.
  void emit_jump_to(size_t target) {
    int offset = static_cast<int>(target) - static_cast<int>(code_->instrs.size() + 1);
    emit(instr::asbx(Op::kJump, 0, offset));
  }

  // Emits the tests of `pattern` against register `reg`; each failed test falls through to a
  // jump recorded in *fails. Binds the pattern's names.
  bool compile_pattern(Term pattern, int reg, std::vector<size_t>* fails,
                       std::vector<uint32_t>* bound, int depth) {
    if (depth > kMaxDepth) return fail("nesting-too-deep", "pattern nested too deeply");
    if (is_any_symbol(pattern)) {
      const SymbolTable::Entry& e = name_entry(bare_symbol(pattern));
      if (e.full == "_") return true;
      if (e.ns_length != 0) return syntax(str_cat("cannot bind the qualified name ", e.full));
      uint32_t name = bare_symbol(pattern).name_index();
      for (uint32_t b : *bound) {
        if (b == name) return syntax(str_cat("the name ", e.full, " is bound twice in a pattern"));
      }
      bound->push_back(name);
      // The value stays where the match put it for the whole clause: the name just refers to
      // that register (registers are never overwritten while their clause runs).
      locals_.push_back({name, reg});
      return true;
    }
    if (pattern.is_cons()) {
      std::vector<Term> items = list_items(pattern);
      if (items.size() == 2 && is_symbol_named(items[0], "quote")) {
        return compile_literal_test(items[1], reg, fails);
      }
      // #bytes[...] and #bits[...] with names in them read as these calls (vm/reader).
      if (is_symbol_named(items[0], "lona.core/bytes") ||
          is_symbol_named(items[0], "lona.core/bits")) {
        return compile_binary_pattern(items, reg, fails, bound, depth);
      }
      if (is_symbol_named(items[0], "pid")) {
        return compile_pid_pattern(pattern, items, reg, fails, bound, depth);
      }
      return syntax(
          str_cat("a list pattern is (pid realm local), 'literal or a binary pattern, not ",
                  print(pattern)));
    }
    Kind k = kind_of(pattern);
    if (k == Kind::kTuple || k == Kind::kVector) {
      size_t n = array_count(pattern);
      size_t fixed = n;
      bool rest = n >= 2 && is_symbol_named(array_at(pattern, n - 2), "&");
      if (rest) fixed = n - 2;
      if (fixed > 255) return syntax("patterns of more than 255 elements");
      emit(instr::abc(k == Kind::kTuple ? Op::kTestTuple : Op::kTestVector, reg,
                      static_cast<uint32_t>(fixed), rest ? 1 : 0));
      fails->push_back(emit_jump());
      for (size_t i = 0; i < fixed; ++i) {
        Term sub = array_at(pattern, i);
        if (is_symbol_named(sub, "&")) {
          return syntax(
              str_cat("& must be followed by exactly one pattern, at the end: ", print(pattern)));
        }
        if (is_symbol_named(sub, "_")) continue;
        int r = alloc();
        if (r < 0) return false;
        emit(instr::abc(Op::kGetElem, r, reg, static_cast<uint32_t>(i)));
        if (!compile_pattern(sub, r, fails, bound, depth + 1)) return false;
      }
      if (rest && !is_symbol_named(array_at(pattern, n - 1), "_")) {
        int r = alloc();
        if (r < 0) return false;
        // The rest of a tuple is a tuple, of a vector a vector.
        emit(instr::abc(k == Kind::kTuple ? Op::kRestTuple : Op::kRestVector, r, reg,
                        static_cast<uint32_t>(fixed)));
        if (!compile_pattern(array_at(pattern, n - 1), r, fails, bound, depth + 1)) return false;
      }
      return true;
    }
    if (k == Kind::kMap) {
      emit(instr::abc(Op::kTestMap, reg, 0, 0));
      fails->push_back(emit_jump());
      for (size_t i = 0; i < map_count(pattern); ++i) {
        int key = alloc();
        int value = alloc();
        if (key < 0 || value < 0) return false;
        emit_constant(map_key(pattern, i), key);
        emit(instr::abc(Op::kTestMapGet, value, reg, key));
        fails->push_back(emit_jump());
        if (!compile_pattern(map_value(pattern, i), value, fails, bound, depth + 1)) return false;
      }
      return true;
    }
    if (k == Kind::kSet) return compile_set_pattern(pattern, reg, fails, bound);
    return compile_literal_test(pattern, reg, fails);
  }

  // #{...}: a set of exactly that many elements. Literal elements must be members; the names
  // (and _) take the other elements, in the set's insertion order (reference §8, row 15).
  bool compile_set_pattern(Term pattern, int reg, std::vector<size_t>* fails,
                           std::vector<uint32_t>* bound) {
    size_t n = set_count(pattern);
    if (n > 255) return syntax("set patterns of more than 255 elements");
    emit(instr::abc(Op::kTestSet, reg, static_cast<uint32_t>(n), 0));
    fails->push_back(emit_jump());
    std::vector<Term> names;
    int rest = reg;  // the set less the literals met so far
    for (size_t i = 0; i < n; ++i) {
      Term e = set_at(pattern, i);
      if (is_any_symbol(e)) {
        names.push_back(e);
        continue;
      }
      Kind ek = kind_of(e);
      if (e.is_cons() || ek == Kind::kTuple || ek == Kind::kVector || ek == Kind::kMap ||
          ek == Kind::kSet) {
        return syntax(str_cat("a set pattern holds only literals and names, not ", print(e)));
      }
      int lit = alloc();
      if (lit < 0) return false;
      emit_constant(e, lit);
      emit(instr::abc(Op::kTestSetHas, reg, lit, 0));
      fails->push_back(emit_jump());
      if (names.size() + (n - i - 1) == 0) continue;
      int smaller = alloc();
      if (smaller < 0) return false;
      static const uint32_t kSetRemove = *find_intrinsic("set-remove");
      emit_native_call(smaller, kSetRemove, {rest, lit});
      rest = smaller;
    }
    for (size_t j = 0; j < names.size(); ++j) {
      if (is_symbol_named(names[j], "_")) continue;
      int r = alloc();
      if (r < 0) return false;
      emit(instr::abc(Op::kSetElem, r, rest, static_cast<uint32_t>(j)));
      if (!compile_pattern(names[j], r, fails, bound, 0)) return false;
    }
    return true;
  }

  // (pid realm local): a pid whose realm id and local id match the two patterns (reference,
  // "PID patterns"). The tests are the functions pid?, pid-realm and pid-local, called on the
  // subject once it is known to be a pid.
  bool compile_pid_pattern(Term pattern, const std::vector<Term>& items, int reg,
                           std::vector<size_t>* fails, std::vector<uint32_t>* bound, int depth) {
    if (items.size() != 3) {
      return syntax(str_cat("a pid pattern is (pid realm local), not ", print(pattern)));
    }
    static const uint32_t kIsPid = *find_intrinsic("pid?");
    static const uint32_t kPidRealm = *find_intrinsic("pid-realm");
    static const uint32_t kPidLocal = *find_intrinsic("pid-local");
    int is_pid = alloc();
    if (is_pid < 0) return false;
    emit_native_call(is_pid, kIsPid, {reg});
    fails->push_back(emit_jump_unless(is_pid));
    for (auto [part, id] : {std::pair{items[1], kPidRealm}, std::pair{items[2], kPidLocal}}) {
      if (is_symbol_named(part, "_")) continue;
      int r = alloc();
      if (r < 0) return false;
      emit_native_call(r, id, {reg});
      if (!compile_pattern(part, r, fails, bound, depth + 1)) return false;
    }
    return true;
  }

  // dest = intrinsic `id` called on the values in registers `args` (what patterns test with).
  void emit_native_call(int dest, uint32_t id, std::initializer_list<int> args) {
    uint32_t i = 0;
    for (int a : args) emit(instr::abc(Op::kArg, i++, a, 0));
    emit(instr::abc(Op::kCallNative, dest, id, i));
  }

  // (lona.core/bytes b... & rest) and (lona.core/bits [v size mods...]... & rest): fields most
  // significant bit first, big-endian unless :le (or :native on a little-endian machine), sizes
  // in bits unless :bytes. A field's pattern is a name, _ or an integer literal; the rest (a
  // binary) a name or _.
  bool compile_binary_pattern(const std::vector<Term>& items, int reg, std::vector<size_t>* fails,
                              std::vector<uint32_t>* bound, int depth) {
    bool is_bits = is_symbol_named(items[0], "lona.core/bits");
    const char* what = is_bits ? "#bits" : "#bytes";
    struct Field {
      Term pattern;
      uint32_t nbits;
      bool is_signed;
      bool little;
    };
    std::vector<Field> fields;
    std::optional<Term> rest;
    for (size_t i = 1; i < items.size(); ++i) {
      Term item = items[i];
      if (is_symbol_named(item, "&")) {
        if (i + 2 != items.size()) {
          return syntax(str_cat("& must be followed by exactly one pattern, at the end of ", what));
        }
        rest = items[i + 1];
        if (!is_any_symbol(*rest)) {
          return syntax(
              str_cat("the rest of a ", what, " pattern binds a name, not ", print(*rest)));
        }
        break;
      }
      Field f{item, 8, false, false};
      if (is_bits) {
        if (!is_tuple(item) || array_count(item) < 2 || !array_at(item, 1).is_fixnum()) {
          return syntax(str_cat("malformed #bits field ", print(item)));
        }
        f.pattern = array_at(item, 0);
        int64_t size = array_at(item, 1).fixnum_value();
        bool in_bytes = false;
        for (size_t m = 2; m < array_count(item); ++m) {
          std::string_view mod = name_entry(array_at(item, m)).full;
          if (mod == "bytes") in_bytes = true;
          if (mod == "signed") f.is_signed = true;
          if (mod == "unsigned") f.is_signed = false;
          if (mod == "le") f.little = true;
          if (mod == "be") f.little = false;
          if (mod == "native") f.little = std::endian::native == std::endian::little;
        }
        if (in_bytes) size *= 8;
        if (size < 1 || size > 64) {
          return syntax(
              str_cat("a #bits pattern field is 1 to 64 bits, not ", size, ": ", print(item)));
        }
        f.nbits = static_cast<uint32_t>(size);
        if (f.little && f.nbits % 8 != 0) {
          return syntax(str_cat("a little-endian field is whole bytes, not ", f.nbits,
                                " bits: ", print(item)));
        }
      }
      if (!is_any_symbol(f.pattern) && !f.pattern.is_fixnum() && !is_integer(f.pattern)) {
        return syntax(str_cat("a ", what, " pattern field is a name, _ or an integer, not ",
                              print(f.pattern)));
      }
      fields.push_back(f);
    }
    uint64_t total = 0;
    for (const Field& f : fields) total += f.nbits;
    if (total % 8 != 0) {
      return syntax(str_cat("a ", what, " pattern of ", total,
                            " bits: binaries are whole bytes, so it could never match"));
    }
    if (total / 8 > 0xFFFF || total > bit_field_word::kMaxOffset) {
      return syntax(str_cat("a ", what, " pattern of more than 65535 bytes"));
    }
    uint32_t nbytes = static_cast<uint32_t>(total / 8);
    emit(instr::abx(rest ? Op::kTestBinaryAtLeast : Op::kTestBinary, reg, nbytes));
    fails->push_back(emit_jump());
    uint32_t offset = 0;
    for (const Field& f : fields) {
      if (!is_symbol_named(f.pattern, "_")) {
        int r = alloc();
        if (r < 0) return false;
        emit(instr::abc(Op::kGetBits, r, reg, 0));
        emit_word(f.nbits | (f.is_signed ? bit_field_word::kSigned : 0) |
                  (f.little ? bit_field_word::kLittle : 0) |
                  offset << bit_field_word::kOffsetShift);
        if (!compile_pattern(f.pattern, r, fails, bound, depth + 1)) return false;
      }
      offset += f.nbits;
    }
    if (rest && !is_symbol_named(*rest, "_")) {
      int r = alloc();
      if (r < 0) return false;
      emit(instr::abc(Op::kBinaryRest, r, reg, 0));
      emit_word(nbytes);
      if (!compile_pattern(*rest, r, fails, bound, depth + 1)) return false;
    }
    return true;
  }

  bool compile_literal_test(Term literal, int reg, std::vector<size_t>* fails) {
    int k = alloc();
    if (k < 0) return false;
    emit_constant(literal, k);
    emit(instr::abc(Op::kTestEq, reg, k, 0));
    fails->push_back(emit_jump());
    return true;
  }

  Compiler& c_;
  FnCompiler* parent_;
  Code* code_;
  EvalError* error_ = nullptr;
  std::vector<Local> locals_;
  std::vector<uint32_t> capture_names_;
  int next_reg_ = 1;
  size_t label_ = 0;       // the latest position a jump was patched to
  size_t last_instr_ = 0;  // where the latest instruction (not operand word) is
};

namespace {
// LONA_DISASM=1 in the environment prints the bytecode of every top-level form as it is compiled
// (a tool for working on the compiler; docs/architecture.md).
void dump(const Code& code) {
  std::fprintf(stderr, "== %s\n%s", print(code.name).c_str(), disassemble(code).c_str());
  for (const auto& nested : code.nested) dump(*nested);
}
}  // namespace

bool is_special_form(std::string_view name) {
  for (std::string_view special : {"def", "fn*", "match", "do", "quote", "var", "receive"}) {
    if (name == special) return true;
  }
  return false;
}

Var* macro_called_by(uint32_t ns, Term form) {
  if (!form.is_cons() || !is_any_symbol(list_head(form))) return nullptr;
  Term tail = form;
  while (tail.is_cons()) tail = list_tail(tail);
  if (!tail.is_empty_list()) return nullptr;
  Term head = list_head(form);
  const SymbolTable::Entry& e = name_entry(bare_symbol(head));
  if (e.ns_length == 0 && is_special_form(e.full)) return nullptr;
  Var* v = Namespaces::global().resolve(ns, head);
  return v != nullptr && v->macro.load() ? v : nullptr;
}

EvalResult expand_macro(Interpreter& interp, Var* macro, Term form) {
  if (macro->get().is_unbound()) {  // declared by a def whose value failed to compile
    return EvalResult::failure("undefined", str_cat("macro ", print(macro->name), " is unbound"));
  }
  // The arguments go into the interpreter's argument registers before the call allocates, so a
  // plain vector may hold them meanwhile.
  std::vector<Term> args;
  for (Term t = list_tail(form); t.is_cons(); t = list_tail(t)) args.push_back(list_head(t));
  EvalResult r = interp.call(macro->get(), args);
  if (!r.ok) {
    r.error.message = str_cat("in macro ", print(macro->name), ": ", r.error.message);
  }
  return r;
}

Compiler::Compiler(Heap& heap, Interpreter& interp, uint32_t ns)
    : heap_(heap), interp_(interp), ns_(ns) {}

EvalResult compile_and_run(Heap& heap, Interpreter& interp, Term form) {
  Compiler compiler(heap, interp, interp.current_ns());
  EvalError error;
  const Code* code = compiler.compile_toplevel(form, &error);
  if (code == nullptr)
    return EvalResult::failure(std::move(error.reason), std::move(error.message));
  // The closure of top-level code captures nothing; it lives beside its code.
  Word* p = LiteralArea::global().alloc(2);
  p[0] = header::make(ObjTag::kClosure, 0, 1);
  p[1] = code_term(code).raw();
  return interp.call(Term::boxed_ptr(p), {});
}

const Code* Compiler::compile_toplevel(Term form, EvalError* error) {
  *error = {};
  expansions_ = 0;
  Term literal = LiteralArea::global().copy(form);
  auto code = std::make_unique<Code>();
  FnCompiler fc(*this, nullptr, code.get());
  fc.set_error_sink(error);
  int dest = fc.alloc();
  if (!fc.compile(literal, dest, true, 0)) {
    if (error->reason.empty()) *error = {"internal-error", "compilation failed"};
    return nullptr;
  }
  if (std::getenv("LONA_DISASM") != nullptr) dump(*code);
  std::lock_guard<std::mutex> lock(toplevel_mutex);
  toplevel_code().push_back(std::move(code));
  return toplevel_code().back().get();
}

}  // namespace lona
