#include "vm/intrinsics/reflection.hpp"

#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"
#include "vm/compiler/compiler.hpp"
#include "vm/interp/interpreter.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"
#include "vm/loader/loader.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/printer/printer.hpp"
#include "vm/reader/reader.hpp"

namespace lona::reflection {
namespace {

// A namespace designated by a namespace object or a symbol naming an existing one.
bool namespace_arg(NativeContext& ctx, Term t, const char* fn, uint32_t* ns) {
  if (t.is_ns()) {
    *ns = t.index();
    return true;
  }
  if (is_any_symbol(t)) {
    std::optional<uint32_t> found = Namespaces::global().find(t);
    if (!found) return ctx.fail("undefined", str_cat(fn, ": no namespace named ", print(t)));
    *ns = *found;
    return true;
  }
  return type_error(ctx, fn, "a namespace or a symbol", t);
}

// Reading as the interpreter's current namespace is at each form (a file's (ns ...) changes it),
// so that syntax-quote qualifies names where the form is.
ReaderOptions resolving_reader(const Interpreter& interp) {
  ReaderOptions options;
  options.resolve_symbol = [&interp](Term sym) {
    return Namespaces::global().qualify(interp.current_ns(), sym);
  };
  return options;
}

// Runs every form of `text` in the interpreter's current namespace (which the forms may change);
// *last is the value of the last form.
bool run_text(NativeContext& ctx, std::string_view text, std::string_view origin, Term* last) {
  Interpreter& interp = *ctx.interp;
  uint32_t ns_before = interp.current_ns();
  SourcePosition source_before = interp.source();
  Rooted value(ctx.heap, Term::nil());
  EvalError error;
  bool ok = for_each_form(
      ctx.heap, text, origin, resolving_reader(interp),
      [&](Term form, int line) {
        interp.set_source({std::string(origin), line});
        EvalResult r = compile_and_run(ctx.heap, interp, form);
        if (r.ok) value.set(r.value);
        return r;
      },
      &error);
  // A file's (ns ...) does not leak into its loader, nor its position into the loader's defs.
  interp.set_current_ns(ns_before);
  interp.set_source(source_before);
  if (!ok) return ctx.fail(std::move(error.reason), std::move(error.message));
  *last = value.get();
  return true;
}

}  // namespace

bool eval(NativeContext& ctx, std::span<Term> args, Term* out) {
  EvalResult r = compile_and_run(ctx.heap, *ctx.interp, args[0]);
  if (!r.ok) return ctx.fail(std::move(r.error.reason), std::move(r.error.message));
  *out = r.value;
  return true;
}

bool read_string(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!is_string(args[0])) return type_error(ctx, "read-string", "a string", args[0]);
  std::string text(byte_view(args[0]));  // the heap may move while reading
  ReadError error;
  Reader::Status s = read_one(ctx.heap, text, out, &error, resolving_reader(*ctx.interp));
  if (s == Reader::Status::kForm) return true;
  if (s == Reader::Status::kEnd) return ctx.fail("unexpected-eof", "read-string of no form");
  return ctx.fail(error.reason, error.message);
}

bool create_ns(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!is_any_symbol(args[0])) return type_error(ctx, "create-ns", "a symbol", args[0]);
  *out = Term::ns(Namespaces::global().find_or_create(args[0]));
  return true;
}

bool find_ns(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!is_any_symbol(args[0])) return type_error(ctx, "find-ns", "a symbol", args[0]);
  std::optional<uint32_t> ns = Namespaces::global().find(args[0]);
  *out = ns ? Term::ns(*ns) : Term::nil();
  return true;
}

bool ns_name(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!args[0].is_ns()) return type_error(ctx, "ns-name", "a namespace", args[0]);
  *out = Namespaces::global().ns_name(args[0].index());
  return true;
}

// (in-ns 'name): makes `name` the current namespace; one created here refers lona.core,
// lona.process and lona.time, as `user` does.
bool in_ns(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!is_any_symbol(args[0])) return type_error(ctx, "in-ns", "a symbol", args[0]);
  Namespaces& namespaces = Namespaces::global();
  bool existed = namespaces.find(args[0]).has_value();
  uint32_t ns = namespaces.find_or_create(args[0]);
  if (!existed) namespaces.refer_defaults(ns);
  ctx.interp->set_current_ns(ns);
  *out = Term::ns(ns);
  return true;
}

bool refer(NativeContext& ctx, std::span<Term> args, Term* out) {
  uint32_t from;
  if (!namespace_arg(ctx, args[0], "refer", &from)) return false;
  Namespaces::global().refer(ctx.interp->current_ns(), from);
  *out = Term::nil();
  return true;
}

bool alias(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!is_any_symbol(args[0])) return type_error(ctx, "alias", "a symbol", args[0]);
  uint32_t target;
  if (!namespace_arg(ctx, args[1], "alias", &target)) return false;
  Namespaces::global().alias(ctx.interp->current_ns(), args[0], target);
  *out = Term::nil();
  return true;
}

// (require 'a.b): loads a/b.lona from the library unless the namespace exists already.
bool require(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!is_any_symbol(args[0])) return type_error(ctx, "require", "a symbol", args[0]);
  Term name = bare_symbol(args[0]);
  *out = Term::nil();
  if (Namespaces::global().find(name)) return true;
  std::string path = namespace_path(name_entry(name).full);
  std::optional<std::string> text = library_sources().read(path);
  if (!text) {
    return ctx.fail("file-not-found", str_cat("namespace ", name_entry(name).full, ": ", path,
                                              " is in none of ", library_sources().describe()));
  }
  Term last;
  if (!run_text(ctx, *text, path, &last)) return false;
  if (!Namespaces::global().find(name)) {
    return ctx.fail("undefined",
                    str_cat(path, " did not define namespace ", name_entry(name).full));
  }
  return true;
}

// (intern ns sym) declares ns/sym; (intern ns sym value) also sets its root. The symbol's
// metadata becomes the var's (with :name and :ns). Returns the var.
bool intern(NativeContext& ctx, std::span<Term> args, Term* out) {
  uint32_t ns;
  if (!namespace_arg(ctx, args[0], "intern", &ns)) return false;
  if (!is_any_symbol(args[1])) return type_error(ctx, "intern", "a symbol", args[1]);
  if (name_entry(bare_symbol(args[1])).ns_length != 0) {
    return ctx.fail("badarg", str_cat("intern of a qualified name ", print(args[1])));
  }
  Var& v = Namespaces::global().intern(ns, args[1]);
  v.intrinsic.store(false);
  define_meta(ctx.heap, v, meta_of(args[1]), "", 0);
  if (args.size() == 3 && !set_root(v, args[2])) {
    return ctx.fail("oom", str_cat("intern: the value of ", print(v.name), " is more than ",
                                   kMaxRootWords, " words once its shared parts are copied"));
  }
  *out = Term::var(v.index);
  return true;
}

// (ns-map ns): a map from each symbol the namespace maps to its var.
bool ns_map(NativeContext& ctx, std::span<Term> args, Term* out) {
  uint32_t ns;
  if (!namespace_arg(ctx, args[0], "ns-map", &ns)) return false;
  auto entries = Namespaces::global().mappings(ns);
  for (const auto& [name, var] : entries) {
    ctx.heap.push(Term::symbol(name));
    ctx.heap.push(Term::var(var));
  }
  *out = map_from_stack(ctx.heap, entries.size());
  return true;
}

bool load_file(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!is_string(args[0])) return type_error(ctx, "load-file", "a path string", args[0]);
  std::string path(byte_view(args[0]));
  std::ifstream f(path, std::ios::binary);
  if (!f) return ctx.fail("file-not-found", str_cat("cannot open ", path));
  std::stringstream s;
  s << f.rdbuf();
  return run_text(ctx, s.str(), path, out);
}

// (macroexpand-1 form): one expansion when form is a macro call, else form itself.
bool macroexpand_1(NativeContext& ctx, std::span<Term> args, Term* out) {
  Var* macro = macro_called_by(ctx.interp->current_ns(), args[0]);
  EvalResult r =
      macro == nullptr ? EvalResult::success(args[0]) : expand_macro(*ctx.interp, macro, args[0]);
  if (!r.ok) return ctx.fail(std::move(r.error.reason), std::move(r.error.message));
  *out = r.value;
  return true;
}

// (macroexpand form): expands until the head is no longer a macro. Only the outermost form is
// expanded, as in Clojure; the subforms are left as they are.
bool macroexpand(NativeContext& ctx, std::span<Term> args, Term* out) {
  Term form = args[0];  // between expansions nothing allocates, so a plain local stays valid
  for (int steps = 0;; ++steps) {
    Var* macro = macro_called_by(ctx.interp->current_ns(), form);
    if (macro == nullptr) break;
    if (steps == kMaxMacroexpandSteps) {
      return ctx.fail("macro-expansion-limit",
                      str_cat("macroexpand: more than ", kMaxMacroexpandSteps, " expansions"));
    }
    EvalResult r = expand_macro(*ctx.interp, macro, form);
    if (!r.ok) return ctx.fail(std::move(r.error.reason), std::move(r.error.message));
    form = r.value;
  }
  *out = form;
  return true;
}

// (garbage-collect) or (garbage-collect :full): a major collection of the heap now, which frees
// everything unreachable; (garbage-collect :minor): a minor one (major when the old heap is
// full). Returns :ok.
bool garbage_collect(NativeContext& ctx, std::span<Term> args, Term* out) {
  if (!args.empty()) {
    Term kind = args[0];
    if (!kind.is_keyword()) return type_error(ctx, "garbage-collect", ":full or :minor", kind);
    std::string_view name = name_entry(kind).full;
    if (name != "full" && name != "minor") {
      return ctx.fail("badarg",
                      str_cat("garbage-collect: ", print(kind), " is neither :full nor :minor"));
    }
  }
  if (!args.empty() && name_entry(args[0]).full == "minor") {
    ctx.heap.collect();
  } else {
    ctx.heap.collect_major();
  }
  *out = ok_keyword();
  return true;
}

}  // namespace lona::reflection
