"""Golden buffers written by every frozen protocol version must still decode with the current
schema, to the same values: flatc reads each idl/history/vN/golden/X.lona with the current
schema (defaults included) and every field of X.json (what vN wrote) must be there, equal.

Usage: check_golden.py FLATC CURRENT_SCHEMA HISTORY_DIR"""

import glob
import json
import os
import subprocess
import sys
import tempfile


def contains(decoded, expected, path):
    """The first difference of `expected` within `decoded`, or None."""
    if isinstance(expected, dict):
        if not isinstance(decoded, dict):
            return "%s: not a table" % path
        for key, value in expected.items():
            if key not in decoded:
                return "%s.%s: missing" % (path, key)
            problem = contains(decoded[key], value, path + "." + key)
            if problem:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(decoded, list) or len(decoded) != len(expected):
            return "%s: not a vector of %d" % (path, len(expected))
        for i, (d, e) in enumerate(zip(decoded, expected)):
            problem = contains(d, e, "%s[%d]" % (path, i))
            if problem:
                return problem
        return None
    return None if decoded == expected else "%s: %r, not %r" % (path, decoded, expected)


def main(flatc, schema, history):
    buffers = sorted(glob.glob(os.path.join(history, "v*", "golden", "*.lona")))
    if not buffers:
        print("check_golden: no golden buffers under %s" % history)
        return 1
    failures = 0
    with tempfile.TemporaryDirectory() as out:
        for buffer in buffers:
            subprocess.run([flatc, "--json", "--strict-json", "--defaults-json", "-o", out,
                            schema, "--", buffer], check=True)
            name = os.path.splitext(os.path.basename(buffer))[0]
            with open(os.path.join(out, name + ".json")) as f:
                decoded = json.load(f)
            with open(os.path.splitext(buffer)[0] + ".json") as f:
                expected = json.load(f)
            problem = contains(decoded, expected, name)
            print("%s %s%s" % ("ok  " if not problem else "FAIL", buffer,
                                "" if not problem else ": " + problem))
            failures += bool(problem)
    print("check_golden: %d buffers, %d failed" % (len(buffers), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
