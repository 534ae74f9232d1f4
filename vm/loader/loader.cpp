#include "vm/loader/loader.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <vector>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/intrinsics/native_context.hpp"
#include "vm/namespace/namespaces.hpp"

namespace lona {
namespace {

struct Library {
  std::vector<std::string> dirs;  // searched first, in order
  std::unique_ptr<TarSource> embedded = TarSource::embedded_stdlib();
  ChainedSource chain;
  bool built = false;
};

Library& library() {
  static Library* lib = [] {
    auto* l = new Library();
    if (const char* path = std::getenv("LONA_PATH")) {
      std::string p = path;
      for (size_t start = 0; start <= p.size();) {
        size_t colon = p.find(':', start);
        if (colon == std::string::npos) colon = p.size();
        if (colon > start) l->dirs.push_back(p.substr(start, colon - start));
        start = colon + 1;
      }
    }
    return l;
  }();
  return *lib;
}

// Forwards to another source without owning it (the embedded archive stays in Library).
class Borrowed final : public NamespaceSource {
 public:
  explicit Borrowed(NamespaceSource* s) : s_(s) {}
  std::optional<std::string> read(std::string_view path) override { return s_->read(path); }
  std::string describe() const override { return s_->describe(); }

 private:
  NamespaceSource* s_;
};

}  // namespace

NamespaceSource& library_sources() {
  Library& l = library();
  if (!l.built) {
    l.chain = ChainedSource();
    for (const std::string& d : l.dirs) l.chain.add(std::make_unique<DirSource>(d));
    if (l.embedded) l.chain.add(std::make_unique<Borrowed>(l.embedded.get()));
    l.built = true;
  }
  return l.chain;
}

void add_library_dir(const std::string& dir) {
  Library& l = library();
  l.dirs.insert(l.dirs.begin(), dir);
  l.built = false;
}

bool for_each_form(Heap& heap, std::string_view text, std::string_view origin,
                   const ReaderOptions& options,
                   const std::function<EvalResult(Term form, int line)>& run, EvalError* error) {
  Reader reader(heap, text, options);
  for (;;) {
    Term form;
    Reader::Status s = reader.next(&form);
    if (s == Reader::Status::kEnd) return true;
    if (s == Reader::Status::kError) {
      const ReadError& e = reader.error();
      *error = {e.reason, str_cat(origin, ":", e.line, ":", e.column, ": ", e.message)};
      return false;
    }
    int line = reader.form_line();
    EvalResult r = run(form, line);
    if (!r.ok) {
      *error = {std::move(r.error.reason), str_cat(origin, ":", line, ": ", r.error.message)};
      return false;
    }
  }
}

bool eval_source(CompilingEvaluator& evaluator, Heap& heap, std::string_view text,
                 std::string_view origin, EvalError* error) {
  bool ok = for_each_form(
      heap, text, origin, evaluator.reader_options(),
      [&](Term form, int line) {
        evaluator.set_source(std::string(origin), line);
        return evaluator.eval(heap, form);
      },
      error);
  evaluator.set_source("", 0);  // what the evaluator runs next comes from elsewhere
  return ok;
}

namespace {
// Evaluates the library file of namespace `name` in that namespace; exits when it cannot: the
// libraries ship inside the binary, so failing to load one is a defect of the build.
void load_library(uint32_t ns, const char* name) {
  Heap heap;
  CompilingEvaluator evaluator(ns);
  std::string path = namespace_path(name);
  std::optional<std::string> text = library_sources().read(path);
  EvalError error;
  if (!text) {
    error = {"file-not-found", str_cat(path, " is in none of ", library_sources().describe())};
  }
  if (!text || !eval_source(evaluator, heap, *text, path, &error)) {
    std::cerr << "lona: cannot load " << name << ": :" << error.reason << " " << error.message
              << "\n";
    std::exit(70);
  }
}
}  // namespace

uint32_t boot_namespaces() {
  static const uint32_t user = [] {
    Namespaces& namespaces = Namespaces::global();
    install_intrinsics();
    // *ns* is process-bound from the start, so that every read of it, in the libraries too,
    // compiles to var-get, which answers with the reading process's current namespace.
    Var& current_ns =
        namespaces.intern(*namespaces.find(make_symbol("lona.core")), make_symbol("*ns*"));
    current_ns.names_current_ns.store(true);
    current_ns.process_bound.store(true);
    // lona.core first: the other two are written with it. Each library sees what those loaded
    // before it define, and every intrinsic.
    constexpr const char* kLibraries[] = {"lona.core", "lona.time", "lona.process"};
    for (const char* name : kLibraries) {
      uint32_t ns = *namespaces.find(make_symbol(name));
      namespaces.refer_defaults(ns);
      load_library(ns, name);
    }
    // Again, now that all three have their Lonala definitions and private marks (refer copies
    // the mappings of the moment).
    for (const char* name : kLibraries)
      namespaces.refer_defaults(*namespaces.find(make_symbol(name)));
    uint32_t user_ns = namespaces.find_or_create(make_symbol("user"));
    namespaces.refer_defaults(user_ns);
    current_ns.set(Term::ns(user_ns));
    return user_ns;
  }();
  return user;
}

bool require_namespace(std::string_view name, EvalError* error) {
  uint32_t user = boot_namespaces();
  if (Namespaces::global().find(make_symbol(name))) return true;
  std::string path = namespace_path(name);
  std::optional<std::string> text = library_sources().read(path);
  if (!text) {
    *error = {"file-not-found", str_cat("namespace ", name, ": ", path, " is in none of ",
                                        library_sources().describe())};
    return false;
  }
  Heap heap;
  CompilingEvaluator evaluator(user);
  if (!eval_source(evaluator, heap, *text, path, error)) return false;
  if (!Namespaces::global().find(make_symbol(name))) {
    *error = {"undefined", str_cat(path, " did not define namespace ", name)};
    return false;
  }
  return true;
}

}  // namespace lona
