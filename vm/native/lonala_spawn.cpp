#include "vm/native/lonala_spawn.hpp"

#include "runtime/native/spawn.hpp"
#include "runtime/sched/runtime.hpp"
#include "runtime/term/kind.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/eval/evaluator.hpp"
#include "vm/namespace/namespaces.hpp"
#include "vm/process/lonala_process.hpp"

namespace lona::native {

Process* make_lonala(std::string_view qualified_name) {
  uint32_t user = boot_namespaces();
  Var* v = Namespaces::global().resolve(user, make_symbol(qualified_name));
  if (v == nullptr) return nullptr;
  Term fn = v->get();
  if (kind_of(fn) != Kind::kFunction) return nullptr;
  Runtime& rt = Runtime::get();
  uint64_t id = rt.try_next_pid();
  if (id == 0) return nullptr;
  auto* p = new LonalaProcess(rt, id, 512, v->ns);
  if (!p->set_entry(fn)) {
    p->release();
    return nullptr;
  }
  return p;
}

Pid spawn_lonala(std::string_view qualified_name) {
  Process* p = make_lonala(qualified_name);
  return p == nullptr ? 0 : start(p);
}

}  // namespace lona::native
