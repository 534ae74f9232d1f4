#include "vm/namespace/namespaces.hpp"

#include <string>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/literal_area.hpp"
#include "runtime/term/symbol_table.hpp"
#include "runtime/term/text.hpp"

namespace lona {

Namespaces& Namespaces::global() {
  static Namespaces* namespaces = new Namespaces();  // realm-global, never destroyed
  return *namespaces;
}

uint32_t Namespaces::find_or_create(Term name) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint32_t key = bare_symbol(name).name_index();
  if (auto it = by_name_.find(key); it != by_name_.end()) return it->second;
  uint32_t index = static_cast<uint32_t>(namespaces_.size());
  Namespace& ns = namespaces_.emplace_back();
  ns.index = index;
  ns.name = bare_symbol(name);
  by_name_.emplace(key, index);
  return index;
}

std::optional<uint32_t> Namespaces::find(Term name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = by_name_.find(bare_symbol(name).name_index()); it != by_name_.end()) {
    return it->second;
  }
  return std::nullopt;
}

Var& Namespaces::intern(uint32_t ns_index, Term sym) {
  std::lock_guard<std::mutex> lock(mutex_);
  Namespace& ns = namespaces_[ns_index];
  Term bare = bare_symbol(sym);
  if (auto it = ns.mappings.find(bare.name_index()); it != ns.mappings.end()) {
    Var& existing = vars_[it->second];
    if (existing.ns == ns_index) return existing;
  }
  uint32_t index = static_cast<uint32_t>(vars_.size());
  Var& v = vars_.emplace_back();
  v.index = index;
  v.ns = ns_index;
  v.name = bare;
  ns.mappings[bare.name_index()] = index;
  return v;
}

Var* Namespaces::resolve(uint32_t current, Term symbol) {
  std::lock_guard<std::mutex> lock(mutex_);
  Term bare = bare_symbol(symbol);
  const SymbolTable::Entry& e = name_entry(bare);
  const Namespace* ns = &namespaces_[current];
  uint32_t name_index = bare.name_index();
  if (e.ns_length != 0) {
    Term ns_sym = make_symbol(e.ns());
    Term name_sym = make_symbol(e.name());
    name_index = name_sym.name_index();
    if (auto a = ns->aliases.find(ns_sym.name_index()); a != ns->aliases.end()) {
      ns = &namespaces_[a->second];
    } else if (auto n = by_name_.find(ns_sym.name_index()); n != by_name_.end()) {
      ns = &namespaces_[n->second];
    } else {
      return nullptr;
    }
    auto it = ns->mappings.find(name_index);
    if (it == ns->mappings.end() || vars_[it->second].ns != ns->index) return nullptr;
    return &vars_[it->second];
  }
  auto it = ns->mappings.find(name_index);
  return it == ns->mappings.end() ? nullptr : &vars_[it->second];
}

void Namespaces::refer(uint32_t to, uint32_t from) {
  std::lock_guard<std::mutex> lock(mutex_);
  Namespace& target = namespaces_[to];
  for (const auto& [name, var_index] : namespaces_[from].mappings) {
    const Var& v = vars_[var_index];
    if (v.ns != from) continue;  // only the namespace's own vars
    Term meta = v.get_meta();
    if (is_map(meta)) {
      std::optional<Term> priv = map_get(meta, make_keyword("private"));
      if (priv && priv->truthy()) continue;
    }
    auto it = target.mappings.find(name);
    if (it != target.mappings.end() && vars_[it->second].ns == to) continue;  // own var wins
    target.mappings[name] = var_index;
  }
}

void Namespaces::refer_defaults(uint32_t to) {
  for (const char* name : {"lona.core", "lona.process", "lona.time"}) {
    std::optional<uint32_t> from = find(make_symbol(name));
    if (from && *from != to) refer(to, *from);
  }
}

void Namespaces::alias(uint32_t in, Term alias, uint32_t target) {
  std::lock_guard<std::mutex> lock(mutex_);
  namespaces_[in].aliases[bare_symbol(alias).name_index()] = target;
}

Term Namespaces::qualify(uint32_t current, Term sym) {
  Var* v = resolve(current, sym);
  if (v == nullptr) return sym;
  return make_symbol(str_cat(name_entry(ns_name(v->ns)).full, "/", name_entry(v->name).full));
}

std::vector<std::pair<uint32_t, uint32_t>> Namespaces::mappings(uint32_t ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto& m = namespaces_[ns].mappings;
  return {m.begin(), m.end()};
}

Var& Namespaces::var(uint32_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  return vars_[index];
}

Term Namespaces::ns_name(uint32_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  return namespaces_[index].name;
}

Term define_meta(Heap& heap, Var& v, Term given, std::string_view file, int line) {
  size_t n = 0;
  if (is_map(given)) {  // read whole before anything allocates (it may be on the heap)
    for (; n < map_count(given); ++n) {
      heap.push(map_key(given, n));
      heap.push(map_value(given, n));
    }
  }
  heap.push(make_keyword("name"));
  heap.push(v.name);
  heap.push(make_keyword("ns"));
  heap.push(Term::ns(v.ns));
  n += 2;
  if (line > 0) {
    if (!file.empty()) {
      heap.push(make_keyword("file"));
      Term f = make_string(heap, file);
      heap.push(f);
      ++n;
    }
    heap.push(make_keyword("line"));
    heap.push(Term::fixnum(line));
    ++n;
  }
  Term meta = LiteralArea::global().copy(map_from_stack(heap, n));
  v.meta.store(meta.raw());
  std::optional<Term> macro = map_get(meta, make_keyword("macro"));
  v.macro.store(macro && macro->truthy());
  std::optional<Term> process_bound = map_get(meta, make_keyword("process-bound"));
  if (process_bound && process_bound->truthy()) v.process_bound.store(true);
  return meta;
}

bool set_root(Var& v, Term value) {
  if (deep_copy_words(value, kMaxRootWords) > kMaxRootWords) return false;
  v.set(LiteralArea::global().copy(value));
  return true;
}

}  // namespace lona
