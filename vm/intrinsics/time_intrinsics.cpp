// vm/intrinsics: the native half of lona.time (reference 4.5): the clocks, in nanoseconds.
// sleep is Lonala (stdlib/lona/time.lona): a receive that only times out.
#include <chrono>

#include "vm/intrinsics/intrinsic_support.hpp"

namespace lona {
namespace {

// Nanoseconds since the first call in this realm: never decreasing.
bool monotonic_time(NativeContext& ctx, std::span<Term>, Term* o) {
  static const auto start = std::chrono::steady_clock::now();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  *o = make_integer(ctx.heap, static_cast<int64_t>(ns.count()));
  return true;
}

// Wall-clock nanoseconds since the Unix epoch: may go backwards when the clock is set.
bool system_time(NativeContext& ctx, std::span<Term>, Term* o) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  *o = make_integer(ctx.heap, static_cast<int64_t>(ns.count()));
  return true;
}

const Intrinsic kIntrinsics[] = {
    {"monotonic-time", monotonic_time, 0, 0},
    {"system-time", system_time, 0, 0},
};

}  // namespace

std::span<const Intrinsic> time_intrinsic_table() { return kIntrinsics; }

}  // namespace lona
