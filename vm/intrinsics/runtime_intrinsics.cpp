// vm/intrinsics: what the realm's runtime says about itself: scheduler statistics and memory
// (issue 4, observability). process-info, about one process, is in process_intrinsics.cpp.
#include <unistd.h>

#include <cstdio>

#include "runtime/sched/runtime.hpp"
#include "runtime/term/collections.hpp"
#include "runtime/term/refc_binary.hpp"
#include "runtime/term/symbol_table.hpp"
#include "vm/intrinsics/intrinsic_support.hpp"

namespace lona {
namespace {

Term count(uint64_t n) { return Term::fixnum(static_cast<int64_t>(n)); }

// (scheduler-stats): a vector with a map per worker: :worker (its index), :run-queue (processes
// waiting in its queues), :reductions, :slices (time slices run), :steals (processes taken from
// other workers), :parks (times it slept for lack of work). Counters run from the start.
bool scheduler_stats(NativeContext& ctx, std::span<Term>, Term* o) {
  std::vector<WorkerStats> stats = Runtime::get().stats();
  for (size_t i = 0; i < stats.size(); ++i) {
    const WorkerStats& s = stats[i];
    const std::pair<const char*, uint64_t> fields[] = {{"worker", i},
                                                       {"run-queue", s.run_queue_length},
                                                       {"reductions", s.reductions},
                                                       {"slices", s.slices},
                                                       {"steals", s.steals},
                                                       {"parks", s.parks}};
    for (auto [key, value] : fields) {
      ctx.heap.push(make_keyword(key));
      ctx.heap.push(count(value));
    }
    ctx.heap.push(map_from_stack(ctx.heap, std::size(fields)));
  }
  *o = vector_from_stack(ctx.heap, stats.size());
  return true;
}

// The resident set of the OS process, in bytes (0 where /proc is not there).
uint64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// (memory-stats): %{:resident bytes of the realm's OS process (everything: heaps, processes,
// code, allocator slack) :processes live processes :binary bytes of the off-heap binaries alive
// (those above 64 bytes, shared by reference count)}.
bool memory_stats(NativeContext& ctx, std::span<Term>, Term* o) {
  ctx.heap.push(make_keyword("resident"));
  ctx.heap.push(count(resident_bytes()));
  ctx.heap.push(make_keyword("processes"));
  ctx.heap.push(count(Runtime::get().process_count()));
  ctx.heap.push(make_keyword("binary"));
  ctx.heap.push(count(live_refc_bytes()));
  *o = map_from_stack(ctx.heap, 3);
  return true;
}

constexpr Intrinsic kIntrinsics[] = {
    {"scheduler-stats", scheduler_stats, 0, 0},
    {"memory-stats", memory_stats, 0, 0},
};

}  // namespace

std::span<const Intrinsic> runtime_intrinsic_table() { return kIntrinsics; }

}  // namespace lona
