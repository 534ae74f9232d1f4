#!/usr/bin/python3
"""A realm that sends the LMM garbage, for tests/lmm/realms_test.py: `lona --vm` runs this in
place of lona-vm. The init realm (started with a command) is the real lona-vm
($LONA_TEST_REAL_VM); a child realm boots properly, then sends malformed messages of every kind,
then asks for one 1 MiB grant (to show it is still served), then waits to be ended.
$LONA_TEST_PROTOCOL_PYTHON is the generated Python package."""

import os
import random
import socket
import sys
import time

args = sys.argv[1:]
if any(word in ("repl", "run", "eval") for word in args):
    os.execv(os.environ["LONA_TEST_REAL_VM"], [os.environ["LONA_TEST_REAL_VM"]] + args)

sys.path.insert(0, os.environ["LONA_TEST_PROTOCOL_PYTHON"])
from lona_clients import BootClient, MemoryClient  # noqa: E402
from lona_rpc import RpcClient  # noqa: E402
from lona.ipc.AllocateRequest import AllocateRequestT  # noqa: E402
from lona.ipc.BootInfoRequest import BootInfoRequestT  # noqa: E402

sock = socket.socket(fileno=3)
rpc = RpcClient(sock, timeout=10)
BootClient(rpc).get_boot_info(BootInfoRequestT())

rng = random.Random(42)
garbage = [b"\x00", b"LONA", b"\x08\x00\x00\x00NOPE" + bytes(8), b"\xff" * 64]
garbage += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))) for _ in range(96)]
for message in garbage:
    sock.send(message)
request = AllocateRequestT()
request.size = 1 << 20
MemoryClient(rpc).allocate(request)
while True:
    time.sleep(60)
