#!/usr/bin/env bash
# Side by side: the Lonala programs of bench/programs and the native-actor benchmarks of bench/
# against their peers in ../shared/peers (BEAM and CAF), on 2 workers, medians of 5 runs, with
# the ratio and the issue's goal for each. A peer that is not installed (erlang-nox, libcaf-dev)
# is skipped with a note. Usage: bench_peers.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: bench_peers.sh BUILD_DIR [RUNS]}
runs=${2:-5}
peers=$(cd "$(dirname "$0")/../../shared/peers" 2>/dev/null && pwd || true)
lona="$build/bin/lona --workers 2 run"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The median of field $1 over $runs runs of the command that follows.
median() {
  local field=$1
  shift
  for _ in $(seq "$runs"); do
    "$@" 2>/dev/null | sed -n "s/.* $field=\([0-9.]*\).*/\1/p"
  done | sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print "nan"}'
}

have_beam=0
if command -v erlc >/dev/null && [ -n "$peers" ]; then
  erlc -o "$tmp" "$peers/beam_peer.erl" && have_beam=1
fi
beam() { erl -noshell +S 2:2 +P 4000000 -pa "$tmp" -s beam_peer main "$@" -s init stop; }
have_caf=0
if [ -n "$peers" ] && [ -f /usr/include/caf/all.hpp ]; then
  g++ -O2 -std=c++17 "$peers/caf_peer.cpp" -o "$tmp/caf_peer" -lcaf_core -pthread 2>/dev/null &&
    have_caf=1
fi

# row NAME FIELD GOAL-OP GOAL LONA-CMD... -- PEER-CMD...
row() {
  local name=$1 field=$2 op=$3 goal=$4
  shift 4
  local mine=() theirs=()
  while [ "$1" != "--" ]; do mine+=("$1"); shift; done
  shift
  theirs=("$@")
  local a b
  a=$(median "$field" "${mine[@]}")
  if [ ${#theirs[@]} -gt 0 ]; then b=$(median "$field" "${theirs[@]}"); else b=nan; fi
  awk -v n="$name" -v f="$field" -v a="$a" -v b="$b" -v op="$op" -v g="$goal" 'BEGIN {
    if (b == "nan" || b == 0) { printf "%-28s %-18s lona %10s  peer %10s\n", n, f, a, "-"; exit }
    r = a / b
    if (op == "abs<=") { ok = a <= g; goal = "lona <= " g }
    else { ok = (op == "<=") ? (r <= g) : (r >= g); goal = "ratio " op " " g }
    printf "%-28s %-18s lona %10s  peer %10s  ratio %6.2f  goal %-16s %s\n", n, f, a, b, r, goal,
           ok ? "met" : "NOT MET" }'
}

echo "== Lonala vs BEAM (2 workers, medians of $runs)"
if [ $have_beam = 0 ]; then echo "(erlang-nox not installed: lona figures only)"; fi
p=bench/programs
peer() { if [ $have_beam = 1 ]; then echo beam "$@"; fi; }
row "ring 1000x1000" ns_per_hop "<=" 0.5 $lona $p/ring.lona 1000 1000 -- $(peer ring 1000 1000)
row "spawn 100k" ns_per_spawn "<=" 0.5 $lona $p/spawn.lona 100000 -- $(peer spawn 100000)
row "spawn 100k" bytes_per_process "abs<=" 1024 $lona $p/spawn.lona 100000 -- $(peer spawn 100000)
row "spawn_exit 100k" ns_per_spawn_exit "<=" 0.5 $lona $p/spawn_exit.lona 100000 -- \
  $(peer spawn_exit 100000)
row "pingpong 1M" ns_per_round_trip "<=" 0.5 $lona $p/pingpong.lona 1000000 -- \
  $(peer pingpong 1000000)
row "fanin 2x1M" msgs_per_s ">=" 1.5 $lona $p/fanin.lona 2 1000000 -- $(peer fanin 2 1000000)
row "skynet 1M" ms "<=" 0.5 $lona $p/skynet.lona 1000000 -- $(peer skynet 1000000)
echo "(bytes_per_process: lona counts the growth of the OS process's resident memory, all in;"
echo " BEAM counts erlang:memory(processes). The goal is 1024 bytes, not a ratio.)"

echo "== native actors vs CAF (2 workers, medians of $runs)"
if [ $have_caf = 0 ]; then echo "(libcaf-dev not installed: lona figures only)"; fi
caf() { if [ $have_caf = 1 ]; then echo "$tmp/caf_peer" "$@"; fi; }
[ -x "$build/bin/native_ring" ] || echo "native_ring etc.: not built"
[ -x "$build/bin/native_ring" ] &&
  row "native ring 1000x1000" ns_per_hop "<=" 0.5 "$build/bin/native_ring" 1000 1000 -- \
    $(caf ring 1000 1000)
[ -x "$build/bin/native_pingpong" ] &&
  row "native pingpong 1M" ns_per_round_trip "<=" 0.5 "$build/bin/native_pingpong" 1000000 -- \
    $(caf pingpong 1000000)
[ -x "$build/bin/native_fanin" ] &&
  row "native fanin 2x1M" msgs_per_s ">=" 2 "$build/bin/native_fanin" 2 1000000 -- \
    $(caf fanin 2 1000000)
exit 0
