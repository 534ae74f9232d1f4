// vm/namespace: the realm's namespaces and vars.
//
// A var is a realm-global slot with an atomic root, so a redefinition is seen by every caller at
// its next call. Its value lives in the literal area (def copies it there), so no process heap
// owns it. A namespace maps symbols to vars: its own and those it refers from other namespaces,
// plus aliases for other namespaces. Vars and namespaces never move and are never freed; terms
// name them by index (Term::var, Term::ns).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "runtime/term/heap.hpp"
#include "runtime/term/term.hpp"

namespace lona {

struct Var {
  uint32_t index = 0;
  uint32_t ns = 0;
  Term name;  // bare symbol
  std::atomic<Word> root{Term::unbound().raw()};
  std::atomic<Word> meta{Term::nil().raw()};  // a map in the literal area, or nil
  std::atomic<bool> macro{false};
  // The var's root is an intrinsic put there by the system (lona.core's own vars, or a
  // ^:native def). Calls through such a var compile to direct native calls; def clears it.
  std::atomic<bool> intrinsic{false};
  // ^:process-bound (reference 3): each process may have a value of its own (Process::binding),
  // which reads of the var see before the root and which def of the var sets once it has a
  // root. Once set, it stays.
  std::atomic<bool> process_bound{false};
  // lona.core/*ns*: a process's own value of it is its interpreter's current namespace, which
  // in-ns sets and spawn hands on (var-get, bind-process-var*), not a binding.
  std::atomic<bool> names_current_ns{false};

  Term get() const { return Term::from_raw(root.load(std::memory_order_acquire)); }
  void set(Term v) { root.store(v.raw(), std::memory_order_release); }
  Term get_meta() const { return Term::from_raw(meta.load(std::memory_order_acquire)); }
};

// Gives `v` the metadata of a definition (def, intern): the map `given` (nil or a map: what the
// defining symbol carried), plus :name and :ns, plus :file and :line when `line` is known (> 0;
// :file only with a file); sets the macro flag from :macro (and the process-bound flag from
// :process-bound, never clearing it). Returns the metadata, which lives in the literal area.
Term define_meta(Heap& heap, Var& v, Term given, std::string_view file, int line);

// The most words a var's root may take in the literal area (512 MiB): the copy there does not
// share, so a value built by doubling shared parts would otherwise exhaust memory.
inline constexpr size_t kMaxRootWords = size_t{1} << 26;
// Sets v's root to a literal-area copy of `value`; false, and nothing set, when the copy would
// take more than kMaxRootWords words.
bool set_root(Var& v, Term value);

struct Namespace {
  uint32_t index = 0;
  Term name;                                         // symbol
  absl::flat_hash_map<uint32_t, uint32_t> mappings;  // symbol name index -> var index
  absl::flat_hash_map<uint32_t, uint32_t> aliases;   // symbol name index -> namespace index
};

class Namespaces {
 public:
  static Namespaces& global();

  // The namespace named by the symbol `name`, created if new.
  uint32_t find_or_create(Term name);
  std::optional<uint32_t> find(Term name);
  // The var `sym` (bare, unqualified) of namespace `ns`, created unbound if new. A mapping
  // referred from another namespace is replaced by the namespace's own var.
  Var& intern(uint32_t ns, Term sym);
  // The var a symbol names from namespace `current`: ns/name through aliases or namespace names,
  // a bare name through the namespace's mappings.
  Var* resolve(uint32_t current, Term symbol);
  // Makes every var of `from` (except :private ones) visible in `to` by its name.
  void refer(uint32_t to, uint32_t from);
  // Refers what every namespace sees without asking (reference: lona.core, lona.process,
  // lona.time), those of them that exist, into `to`: `user`, and each namespace made by in-ns.
  void refer_defaults(uint32_t to);
  void alias(uint32_t in, Term alias, uint32_t target);
  // What syntax-quote makes of `sym` read in namespace `current`: ns/name of the var it names,
  // or the symbol itself when it names none.
  Term qualify(uint32_t current, Term sym);

  // (symbol name index, var index) of everything namespace `ns` maps, in no particular order.
  std::vector<std::pair<uint32_t, uint32_t>> mappings(uint32_t ns);

  Var& var(uint32_t index);
  Term ns_name(uint32_t index);

 private:
  std::mutex mutex_;
  std::deque<Var> vars_;
  std::deque<Namespace> namespaces_;
  absl::flat_hash_map<uint32_t, uint32_t> by_name_;  // symbol name index -> namespace index
};

}  // namespace lona
