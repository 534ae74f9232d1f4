#!/usr/bin/env bash
# make bench: runs every benchmark binary of a release build.
set -euo pipefail
build=${1:?usage: bench.sh BUILD_DIR}
for b in "$build"/bin/*_bench; do
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.2
done
