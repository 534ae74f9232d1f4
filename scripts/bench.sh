#!/usr/bin/env bash
# make bench: runs every benchmark binary of a release build, then the side-by-side program
# benchmarks of bench/programs against their peers in ../shared/peers (medians of 5).
set -euo pipefail
build=${1:?usage: bench.sh BUILD_DIR}
for b in "$build"/bin/*_bench; do
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.2
done

# The median of the ms= field of five runs of a command that prints a `bench=... ms=...` line.
median_ms() {
  for _ in 1 2 3 4 5; do "$@" | sed -n 's/.* ms=\([0-9.]*\).*/\1/p'; done | sort -n | sed -n 3p
}

peers=$(dirname "$0")/../../shared/peers
echo "== fib(30), medians of 5"
lona_ms=$(median_ms "$build/bin/lona" run bench/programs/fib.lona 30)
echo "lona   $lona_ms ms"
if command -v lua5.4 >/dev/null && [ -f "$peers/fib.lua" ]; then
  lua_ms=$(median_ms lua5.4 "$peers/fib.lua" 30)
  echo "lua5.4 $lua_ms ms"
  awk -v a="$lona_ms" -v b="$lua_ms" 'BEGIN { printf "ratio lona/lua %.2f (goal <= 1.0)\n", a / b }'
else
  echo "(lua5.4 or $peers/fib.lua not found: no side-by-side figure)"
fi

# The generational collector: a process keeping 200,000 tuples alive while it makes 5 million
# short-lived ones (bench/programs/live_set.lona). No goal; one generation took about 1.45x the
# time (docs/runtime.md).
echo "== live_set 200000 5000000, median of 5"
echo "lona   $(median_ms "$build/bin/lona" run bench/programs/live_set.lona 200000 5000000) ms"

# Realms (docs/realms.md): creation to first message, and a round trip between realms; goals
# under 5 ms and under 20 us. The raw socket round trip of ipc_bench above bounds the second.
echo "== realms"
"$build/bin/lona" --lib bench/programs run bench/programs/realms.lona 50 20000
# The control socket while a realm floods the LMM (goal: the slowest answer under 10 ms).
/usr/bin/python3 tests/lmm/realms_test.py "$build/bin/lona" "$build/bin/lonactl" tests/lmm/lib \
  FloodTest 2>&1 | grep '^bench='

# The process benchmarks side by side with BEAM and CAF.
"$(dirname "$0")/bench_peers.sh" "$build" 5
