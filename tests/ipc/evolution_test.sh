#!/usr/bin/env bash
# The evolution tests must catch an incompatible change: this applies changes to a copy of idl/
# and runs the same checks ctest runs on the real one (flatc --conform against every frozen
# version, lona-idlc --check-evolution, the golden buffers). An unchanged copy and compatible
# changes (a field added at the end, a union member or a call appended) must pass; a retype, a
# removal and a default change must each fail.
# Usage: evolution_test.sh FLATC LONA_IDLC IDL_DIR
set -uo pipefail
flatc=$1 idlc=$2 idl=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# checks DIR: 0 when DIR's schemas pass every evolution check against every frozen version.
checks() {
  local dir=$1 failed=0 version
  "$flatc" -b --schema --bfbs-builtins -o "$work/bfbs" "$dir/lona.fbs" 2>/dev/null || return 1
  for version in "$idl"/history/v*/; do
    "$flatc" -b --schema --bfbs-builtins -o "$work/frozen" "$version/lona.fbs" || return 1
    "$flatc" --conform "$version/lona.fbs" --conform-includes "$version" -I "$dir" -o "$work" \
      "$dir/lona.fbs" >/dev/null 2>&1 || { echo "    flatc --conform $(basename "$version") caught it"; failed=1; }
    "$idlc" --check-evolution "$work/frozen/lona.bfbs" "$work/bfbs/lona.bfbs" >/dev/null 2>&1 ||
      { echo "    lona-idlc --check-evolution $(basename "$version") caught it"; failed=1; }
  done
  /usr/bin/python3 "$here/check_golden.py" "$flatc" "$dir/lona.fbs" "$idl/history" >/dev/null 2>&1 ||
    { echo "    the golden buffers caught it"; failed=1; }
  return $failed
}

# case NAME EXPECT FILE PYTHON-REPLACEMENT: copies idl/, replaces in FILE, runs the checks.
status=0
case_() {
  local name=$1 expect=$2 file=$3 old=$4 new=$5
  rm -rf "$work/idl" && mkdir -p "$work/idl" && cp "$idl"/*.fbs "$work/idl/"
  if [ -n "$file" ]; then
    /usr/bin/python3 - "$work/idl/$file" "$old" "$new" <<'PY' || { echo "FAIL $name: could not apply"; status=1; return; }
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if old not in text:
    sys.exit("not found: " + old)
open(path, "w").write(text.replace(old, new, 1))
PY
  fi
  local verdict=pass
  checks "$work/idl" || verdict=fail
  if [ "$verdict" = "$expect" ]; then
    echo "ok   $name: $verdict as expected"
  else
    echo "FAIL $name: $verdict, expected $expect"
    status=1
  fi
}

case_ "unchanged" pass "" "" ""
case_ "a field added at the end" pass memory.fbs "  size:ulong (id: 1);
}" "  size:ulong (id: 1);
  alignment:ulong (id: 2);
}"
# The union's end is where the Envelope's comment starts, whatever its last member is.
case_ "a union member appended" pass lona.fbs "
}

/// One message." "
  Pong,
}

table Pong {}

/// One message."
case_ "a call added to a service" pass memory.fbs "  Free(FreeRequest):FreeReply;" "  Free(FreeRequest):FreeReply;
  Trim(FreeRequest):FreeReply;"
case_ "retype: AllocateRequest.size ulong -> uint" fail memory.fbs "  size:ulong (id: 1);" "  size:uint (id: 1);"
case_ "removal: FreeReply.freed_bytes" fail memory.fbs "  freed_bytes:ulong (id: 0);" ""
case_ "removal: the call Memory.Free" fail memory.fbs "  Free(FreeRequest):FreeReply;" ""
case_ "default change: Fault.worker -1 -> 0" fail notification.fbs "worker:int = -1 (id: 4);" "worker:int = 0 (id: 4);"
case_ "default change: Envelope.version 1 -> 2" fail lona.fbs "version:ushort = 1 (id: 0);" "version:ushort = 2 (id: 0);"
exit $status
