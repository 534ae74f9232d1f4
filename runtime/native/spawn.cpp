#include "runtime/native/spawn.hpp"

#include "runtime/sched/runtime.hpp"

namespace lona::native {

Pid start(Process* p, const SpawnOptions& options) {
  Pid pid = p->id();
  p->set_priority(options.priority);
  Term name = options.name.empty() ? Term::nil() : symbol(options.name);
  return p->runtime().start(p, {.name = name}) ? pid : 0;
}

bool register_name(std::string_view name, Pid pid) {
  Runtime& rt = Runtime::get();
  if (Process* p = rt.find(pid)) {
    p->release();
  } else {
    return false;
  }
  return rt.registry().add(symbol(name).name_index(), pid);
}

std::optional<Pid> whereis(std::string_view name) {
  Runtime& rt = Runtime::get();
  std::optional<Pid> pid = rt.registry().find(symbol(name).name_index());
  if (pid && !alive(*pid)) return std::nullopt;
  return pid;
}

bool alive(Pid pid) {
  Process* p = Runtime::get().find(pid);
  if (p == nullptr) return false;
  bool alive = !p->exited();
  p->release();
  return alive;
}

uint64_t reductions_of(Pid pid) {
  Process* p = Runtime::get().find(pid);
  if (p == nullptr) return 0;
  uint64_t n = p->reductions();
  p->release();
  return n;
}

}  // namespace lona::native
