#!/usr/bin/python3
"""A realm played by a script, for tests/lmm/realms_test.py: `lona --vm` runs this in place of
lona-vm. The init realm (started with a command) is the real lona-vm ($LONA_TEST_REAL_VM); the
child realms boot as lona-vm does, then play the roles $LONA_TEST_ROLES gives their realm ids
("2:idle,3:signals"; a realm not named there is idle), and tell the test how far they got by the
grants they hold
(Control.Stats): each step passed takes one 1 MiB grant; a check that fails ends the realm.

  idle      does nothing.
  garbage   sends 100 malformed messages; then takes a grant (the LMM still serves it).
  signals   links to a process of a realm that does not exist, and takes a grant when the LMM
            answers with the exit signal :noconnection; links to a process of realm
            $LONA_TEST_SIBLING and takes a grant; takes another when the LMM tells it, with
            RealmDown, that the sibling has ended.
  refuse    answers Inbox.ListProcesses with an Error (PermissionDenied, "refused by the script").
  vanish    exits when it is asked Inbox.ListProcesses, without answering.

Then it waits to be ended. $LONA_TEST_PROTOCOL_PYTHON is the generated Python package."""

import os
import random
import socket
import sys
import time

args = sys.argv[1:]
if any(word in ("repl", "run", "eval") for word in args):
    os.execv(os.environ["LONA_TEST_REAL_VM"], [os.environ["LONA_TEST_REAL_VM"]] + args)

sys.path.insert(0, os.environ["LONA_TEST_PROTOCOL_PYTHON"])
from lona_clients import BootClient, MemoryClient, MessagingClient  # noqa: E402
from lona_rpc import RpcClient, fnv1a  # noqa: E402
from lona.ipc.AllocateRequest import AllocateRequestT  # noqa: E402
from lona.ipc.Body import Body  # noqa: E402
from lona.ipc.BootInfoRequest import BootInfoRequestT  # noqa: E402
from lona.ipc.Envelope import Envelope, EnvelopeT  # noqa: E402
from lona.ipc.Error import ErrorT  # noqa: E402
from lona.ipc.ForwardSignal import ForwardSignalT  # noqa: E402
from lona.ipc.Pid import PidT  # noqa: E402
from lona.ipc.RealmId import RealmIdT  # noqa: E402
from lona.ipc.SignalKind import SignalKind  # noqa: E402

# The exit reason :noconnection in the serialized-term format (docs/protocol.md).
NO_CONNECTION = [1, 0x0A, 12] + list(b"noconnection")

sock = socket.socket(fileno=3)
# A spare (lmm/spare_pool.hpp) waits for its boot info until realm-create takes it.
rpc = RpcClient(sock, timeout=86400 if "--spare" in args else 10)
me = BootClient(rpc).get_boot_info(BootInfoRequestT()).value.realm.value
rpc.timeout = 10


def step_passed():
    request = AllocateRequestT()
    request.size = 1 << 20
    MemoryClient(rpc).allocate(request)


def pid(realm, local):
    p = PidT()
    p.realm = RealmIdT()
    p.realm.value = realm
    p.local = local
    return p


def link_to(realm):
    signal = ForwardSignalT()
    signal.to = pid(realm, 1)
    signal.from_ = pid(me, 7)
    signal.kind = SignalKind.Link
    MessagingClient(rpc).signal(signal)


def envelope_of(data):
    return EnvelopeT.InitFromObj(Envelope.GetRootAs(data, 0))


def unsolicited(method):
    """The bodies of the one-way messages of `method` that came while the client waited."""
    found = [envelope_of(data) for data, _ in rpc.unsolicited]
    return [e.body for e in found if e.method == fnv1a(method)]


roles = dict(entry.split(":") for entry in os.environ["LONA_TEST_ROLES"].split(","))
role = roles.get(str(me), "idle")
if role == "garbage":
    rng = random.Random(42)
    garbage = [b"\x00", b"LONA", b"\x08\x00\x00\x00NOPE" + bytes(8), b"\xff" * 64]
    garbage += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
                for _ in range(96)]
    for message in garbage:
        sock.send(message)
    step_passed()
elif role == "signals":
    link_to(999999)
    step_passed()  # the LMM answers the link before it answers this call
    exits = unsolicited("Inbox.Signal")
    if not (len(exits) == 1 and exits[0].kind == SignalKind.Exit
            and exits[0].from_.realm.value == 999999 and exits[0].to.local == 7
            and list(exits[0].reason) == NO_CONNECTION):
        sys.exit("scripted_realm: no :noconnection exit for a link to a realm that is not there")
    step_passed()
    link_to(int(os.environ["LONA_TEST_SIBLING"]))
    step_passed()
    deadline = time.time() + 20
    while time.time() < deadline:
        data = sock.recv(1 << 17)
        envelope = envelope_of(data)
        if (envelope.method == fnv1a("Notifications.RealmDown")
                and envelope.body.realm.value == int(os.environ["LONA_TEST_SIBLING"])):
            step_passed()
            break
elif role in ("refuse", "vanish"):
    sock.settimeout(None)
    while True:
        envelope = envelope_of(sock.recv(1 << 17))
        if envelope.method != fnv1a("Inbox.ListProcesses"):
            continue
        if role == "vanish":
            sys.exit(3)
        error = ErrorT()
        error.code = 7  # PermissionDenied
        error.message = "refused by the script"
        rpc._send(envelope.requestId, envelope.method, Body.Error, error, ())
while True:
    time.sleep(60)
