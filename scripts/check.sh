#!/usr/bin/env bash
# make check: clang-format (must be clean) and clang-tidy (no warnings) over our sources.
#   scripts/check.sh BUILD_DIR   check (needs BUILD_DIR/compile_commands.json)
#   scripts/check.sh --fix       reformat in place
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' | grep -v '^build/')

if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
build=${1:?usage: check.sh BUILD_DIR | --fix}

echo "check: clang-format on ${#files[@]} files"
clang-format --dry-run --Werror "${files[@]}"

mapfile -t units < <(printf '%s\n' "${files[@]}" | grep '\.cpp$' | grep -v '^tests/fuzz/')
echo "check: clang-tidy on ${#units[@]} translation units"
printf '%s\n' "${units[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2>/dev/null
echo "check: ok"
