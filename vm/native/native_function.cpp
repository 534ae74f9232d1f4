#include "vm/native/native_function.hpp"

#include <array>
#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <utility>

#include "runtime/support/str_cat.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/namespace/namespaces.hpp"

namespace lona {
namespace {

// An intrinsic is a plain function pointer (NativeFn), while a registered function may carry
// state (a lambda's captures): every registered intrinsic is `call_registered`, which finds its
// function by the id the interpreter passes in the context.
struct Registry {
  std::mutex mutex;               // serializes definitions
  std::deque<std::string> names;  // guarded by mutex; stable addresses for Intrinsic::name
  std::array<native::Function, native::kMaxNativeFunctions> functions;  // written once each
  std::array<Intrinsic, native::kMaxNativeFunctions> intrinsics{};
  std::atomic<uint32_t> count{0};
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: workers may call in during exit
  return *r;
}

bool call_registered(NativeContext& ctx, std::span<Term> args, Term* result) {
  return registry().functions[ctx.id - intrinsic_count()](ctx, args, result);
}

}  // namespace

// A slot is filled before the var that names it is set (a release store), and a caller gets the
// id from that var (an acquire load): it sees the slot whole.
const Intrinsic& registered_intrinsic(uint32_t id) {
  return registry().intrinsics[id - intrinsic_count()];
}

namespace native {

std::optional<uint32_t> define_function(std::string_view ns, std::string_view name, int min_args,
                                        int max_args, Function fn) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  uint32_t slot = r.count.load(std::memory_order_relaxed);
  if (slot >= kMaxNativeFunctions) return std::nullopt;
  const std::string& full = r.names.emplace_back(str_cat(ns, "/", name));
  r.functions[slot] = std::move(fn);
  r.intrinsics[slot] = Intrinsic{full.c_str(), call_registered, min_args, max_args};
  r.count.store(slot + 1, std::memory_order_release);
  uint32_t id = intrinsic_count() + slot;
  Namespaces& namespaces = Namespaces::global();
  uint32_t ns_index = namespaces.find_or_create(make_symbol(ns));
  Var& v = namespaces.intern(ns_index, make_symbol(name));
  // Not flagged intrinsic: calls go through the var (a live redefinition is seen at the next
  // call), and the compiler's direct native calls have room for the built-in ids only.
  v.intrinsic.store(false);
  v.set(Term::native_fn(id));
  Heap heap;
  define_meta(heap, v, Term::nil(), {}, 0);  // :name and :ns, as def gives
  return id;
}

}  // namespace native
}  // namespace lona
