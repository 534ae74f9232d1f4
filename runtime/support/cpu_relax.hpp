// runtime/support: a hint to the CPU that the thread is spinning on a value another thread will
// change (a worker about to park, a lookup holding a process-table slot).
#pragma once

#if !defined(__x86_64__) && !defined(__i386__)
#include <thread>
#endif

namespace lona {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace lona
