#!/usr/bin/python3
"""lonactl: an operator's tool for a running Lona system, over the LMM's control socket (the
generated Python client of the Control service, docs/realms.md).

  lonactl [--control PATH] realms            every realm: tree, status, policy, usage
  lonactl [--control PATH] stats REALM       what the LMM counts of one realm
  lonactl [--control PATH] processes REALM   the processes of one realm
  lonactl [--control PATH] terminate REALM   ends a realm and its descendants (not the init realm)
  lonactl [--control PATH] resume REALM      continues a suspended realm

The socket is --control PATH, else $LONA_CONTROL, else the only one of a running lona in
$XDG_RUNTIME_DIR/lona/ or /tmp/lona-UID/. Runs with Debian's /usr/bin/python3
(python3-flatbuffers)."""

import glob
import os
import socket
import sys

PROTOCOL_PYTHON = "@LONA_PROTOCOL_PYTHON@"
sys.path.insert(0, PROTOCOL_PYTHON)

from lona_clients import ControlClient  # noqa: E402
from lona_rpc import RpcClient, RpcError  # noqa: E402
from lona.ipc.ProcessListRequest import ProcessListRequestT  # noqa: E402
from lona.ipc.RealmId import RealmIdT  # noqa: E402
from lona.ipc.RealmRequest import RealmRequestT  # noqa: E402
from lona.ipc.RealmStatus import RealmStatus  # noqa: E402

STATUS_NAMES = {v: k.lower() for k, v in vars(RealmStatus).items() if not k.startswith("_")}


class UsageError(Exception):
    pass


def find_socket(explicit=None):
    """The control socket to use (see the module's comment)."""
    if explicit:
        return explicit
    if os.environ.get("LONA_CONTROL"):
        return os.environ["LONA_CONTROL"]
    dirs = []
    if os.environ.get("XDG_RUNTIME_DIR"):
        dirs.append(os.path.join(os.environ["XDG_RUNTIME_DIR"], "lona"))
    dirs.append("/tmp/lona-%d" % os.getuid())
    live = []
    for d in dirs:
        for path in glob.glob(os.path.join(d, "*.sock")):
            pid = os.path.basename(path)[:-len(".sock")]
            if pid.isdigit() and os.path.exists("/proc/" + pid):
                live.append(path)
    if len(live) == 1:
        return live[0]
    if not live:
        raise UsageError("no running lona found (start one, or give --control PATH)")
    raise UsageError("several lona systems run; give --control PATH: " + ", ".join(sorted(live)))


def connect(path, timeout=5.0):
    """A ControlClient on the control socket at path."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(path)
    return ControlClient(RpcClient(sock, timeout=timeout)), sock


def realm_request(realm):
    request = RealmRequestT()
    request.realm = RealmIdT()
    request.realm.value = realm
    return request


def size(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0
    return str(n)


def show_realms(control, out):
    realms = control.list_realms().value.realms or []
    by_id = {r.realm.value: r for r in realms}
    depth = {}
    for r in realms:  # parents come before their children
        depth[r.realm.value] = depth.get(r.parent.value, -1) + 1 if r.parent.value in by_id else 0
    out.write("%-6s %-24s %-10s %8s %10s %12s %12s %10s\n" % (
        "REALM", "NAME", "STATUS", "PID", "PROCESSES", "MEMORY", "SUBTREE", "LIMIT"))
    for r in realms:
        limit = r.policy.memory.maxBytes if r.policy and r.policy.memory else 0
        name = "  " * depth[r.realm.value] + r.name.decode()
        out.write("%-6d %-24s %-10s %8d %10d %12s %12s %10s\n" % (
            r.realm.value, name, STATUS_NAMES.get(r.status, r.status), r.osPid, r.processCount,
            size(r.usage.memoryBytes), size(r.usage.memoryBytesSubtree), size(limit)))


def show_stats(control, realm, out):
    s = control.stats(realm_request(realm)).value
    for field in ("grants", "grantedBytes", "limitBytes", "requests", "rejected", "throttled",
                  "suspensions", "dropped"):
        out.write("%-14s %d\n" % (field, getattr(s, field)))


def process_list_request(realm):
    request = ProcessListRequestT()
    request.realm = RealmIdT()
    request.realm.value = realm
    return request


def show_processes(control, realm, out):
    listing = control.list_processes(process_list_request(realm)).value
    for p in listing.processes or []:
        out.write("#pid<%d.%d>\n" % (p.pid.realm.value, p.pid.local))
    if listing.truncated:
        out.write("(more processes than one listing holds)\n")


def main(argv, out=sys.stdout):
    args = list(argv)
    path = None
    if len(args) >= 2 and args[0] == "--control":
        path = args[1]
        args = args[2:]
    if not args:
        args = ["realms"]
    command = args[0]
    if command in ("-h", "--help"):
        out.write(__doc__)
        return 0
    try:
        control, sock = connect(find_socket(path))
    except UsageError as e:
        sys.stderr.write("lonactl: %s\n" % e)
        return 2
    except OSError as e:
        sys.stderr.write("lonactl: cannot reach the LMM: %s\n" % e)
        return 1
    try:
        if command == "realms" and len(args) == 1:
            show_realms(control, out)
        elif (command in ("stats", "processes", "terminate", "resume") and len(args) == 2
              and args[1].isdigit()):
            realm = int(args[1])
            if command == "stats":
                show_stats(control, realm, out)
            elif command == "processes":
                show_processes(control, realm, out)
            elif command == "terminate":
                control.terminate(realm_request(realm))
                out.write("realm %d terminated\n" % realm)
            else:
                status = control.resume(realm_request(realm)).value.status
                out.write("realm %d %s\n" % (realm, STATUS_NAMES.get(status, status)))
        else:
            sys.stderr.write("lonactl: unknown command line: %s\n\n%s" % (" ".join(args), __doc__))
            return 2
    except RpcError as e:
        sys.stderr.write("lonactl: %s\n" % e.message)
        return 1
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
