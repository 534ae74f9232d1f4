// runtime/native: starting native actors, and finding processes by name.
//
// spawn<T>(args...) makes a T (a class actor, actor.hpp) and starts it; start(p) starts any
// process made by hand (a coroutine actor from make_coroutine, coroutine.hpp). Any thread may
// spawn: the main thread, a native actor, a native function called from Lonala.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "runtime/native/terms.hpp"
#include "runtime/process/process.hpp"

namespace lona::native {

struct SpawnOptions {
  std::string_view name;  // registered under this name (a symbol: (whereis 'name) in Lonala)
  uint8_t priority = Process::kDefaultPriority;  // 0 to 255; above 100 is high, below low
};

// Makes `p` (new, not started) live and runnable, with `options`; returns its pid. When the
// name is taken, p is discarded and the result is 0.
Pid start(Process* p, const SpawnOptions& options = {});

template <typename T, typename... A>
Pid spawn(A&&... args) {
  return start(new T(std::forward<A>(args)...));
}
template <typename T, typename... A>
Pid spawn_opt(const SpawnOptions& options, A&&... args) {
  return start(new T(std::forward<A>(args)...), options);
}

// The registry of names (symbols), shared with Lonala's register and whereis.
bool register_name(std::string_view name, Pid pid);
std::optional<Pid> whereis(std::string_view name);

// True while a process `pid` lives.
bool alive(Pid pid);

// The reductions process `pid` has spent so far (0 when there is none).
uint64_t reductions_of(Pid pid);

}  // namespace lona::native
