#include "runtime/native/spawn.hpp"

#include "runtime/sched/runtime.hpp"

namespace lona::native {

Pid start(Process* p, const SpawnOptions& options) {
  Runtime& rt = p->runtime();
  Pid pid = p->id();
  p->set_priority(options.priority);
  if (!options.name.empty()) {
    Term name = symbol(options.name);
    if (!rt.registry().add(name.name_index(), pid)) {
      p->release();
      return 0;
    }
    p->set_name(name);
  }
  rt.start(p);  // it may run, and end, at once: p is not touched again
  return pid;
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
