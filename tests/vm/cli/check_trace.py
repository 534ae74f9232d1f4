"""Checks a trace written by `lona --trace FILE run tests/vm/cli/trace_program.lona`.

usage: check_trace.py TRACE_FILE WORKERS

The file must be a Chrome trace in the JSON object form that chrome://tracing and Perfetto open:
{"traceEvents": [...]} with complete ("X") events for run slices, instant ("i") events for the
scheduler's events and "M" events naming the threads. The program's four processes (main and the
three it spawns) must each have run, been spawned and exited :normal.
"""
import json
import re
import sys


def fail(message):
    print("check_trace: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    path, workers = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as f:
        trace = json.load(f)
    if not isinstance(trace, dict) or not isinstance(trace.get("traceEvents"), list):
        fail("no traceEvents array at the top level")
    other = trace.get("otherData", {})
    if other.get("workers") != workers:
        fail("otherData.workers is %r, not %d" % (other.get("workers"), workers))
    if other.get("dropped_events") != 0:
        fail("events were dropped: %r" % other.get("dropped_events"))
    pid_text = re.compile(r"^#pid<\d+\.\d+>$")
    reductions, spawned, exited, named = {}, set(), {}, set()
    for e in trace["traceEvents"]:
        ph = e.get("ph")
        if ph not in ("X", "i", "M"):
            fail("unexpected phase %r in %r" % (ph, e))
        if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int):
            fail("pid and tid must be integers: %r" % e)
        if ph == "M":
            if e["name"] == "thread_name":
                named.add((e["tid"], e["args"]["name"]))
            continue
        if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
            fail("bad ts: %r" % e)
        args = e.get("args", {})
        if ph == "X":
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0:
                fail("bad dur: %r" % e)
            if not 0 <= e["tid"] < workers:
                fail("a slice off the workers' tracks: %r" % e)
            if not pid_text.match(args.get("pid", "")) or e["name"] != args["pid"]:
                fail("a slice without its process: %r" % e)
            if args.get("end") not in ("yield", "wait", "exit"):
                fail("a slice without its end: %r" % e)
            reductions[args["pid"]] = reductions.get(args["pid"], 0) + args["reductions"]
        elif e.get("s") != "t" or e["name"] not in ("spawn", "exit", "steal", "park", "unpark"):
            fail("unexpected instant event %r" % e)
        elif e["name"] == "spawn":
            spawned.add(args["pid"])
        elif e["name"] == "exit":
            exited[args["pid"]] = args["reason"]
    for w in range(workers):
        if (w, "worker %d" % w) not in named:
            fail("worker %d has no thread_name" % w)
    # The three workers ran 50,000 calls each; main and they exited :normal.
    busy = [p for p, n in reductions.items() if n > 50000]
    if len(busy) < 3:
        fail("fewer than 3 processes with over 50,000 reductions: %r" % reductions)
    for p in busy:
        if p not in spawned or exited.get(p) != ":normal":
            fail("%s: spawned %r, exit %r" % (p, p in spawned, exited.get(p)))
    normal = [p for p, r in exited.items() if r == ":normal" and p in reductions]
    if len(normal) < 4:
        fail("main and its three processes did not all run and exit :normal: %r" % exited)
    print("check_trace: %d events, %d processes ran" % (len(trace["traceEvents"]), len(reductions)))


main()
