"""The generated Python clients against the C++ reference server (ipc_peer) in another OS process,
over a real SOCK_SEQPACKET socketpair, grant fds included.

Usage: python_client_test.py IPC_PEER PYTHON_DIR (the generated package: flatc's lona.ipc,
lona_clients.py, lona_rpc.py). Run with Debian's /usr/bin/python3 (python3-flatbuffers)."""

import mmap
import os
import socket
import subprocess
import sys
import unittest

PEER, PYTHON_DIR = sys.argv[1], sys.argv[2]
del sys.argv[1:3]
sys.path.insert(0, PYTHON_DIR)

from lona_clients import ControlClient, MemoryClient, RealmsClient  # noqa: E402
from lona_rpc import RpcClient, RpcError  # noqa: E402
from lona.ipc.AllocateRequest import AllocateRequestT  # noqa: E402
from lona.ipc.FreeRequest import FreeRequestT  # noqa: E402
from lona.ipc.GrantId import GrantIdT  # noqa: E402
from lona.ipc.RealmCreateRequest import RealmCreateRequestT  # noqa: E402
from lona.ipc.RealmId import RealmIdT  # noqa: E402
from lona.ipc.RealmRequest import RealmRequestT  # noqa: E402
from lona.ipc.RealmStatus import RealmStatus  # noqa: E402
from lona.ipc.RegionType import RegionType  # noqa: E402

RESOURCE_EXHAUSTED = 8
NOT_FOUND = 5
PERMISSION_DENIED = 7


class PythonClientTest(unittest.TestCase):
    def setUp(self):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.server = subprocess.Popen([PEER, "serve", str(theirs.fileno())],
                                       pass_fds=[theirs.fileno()])
        theirs.close()
        self.sock = mine
        self.rpc = RpcClient(mine, timeout=10.0)

    def tearDown(self):
        self.sock.close()
        self.assertEqual(self.server.wait(timeout=10), 0)

    def test_allocate_brings_a_memfd_and_free_gives_it_back(self):
        memory = MemoryClient(self.rpc)
        request = AllocateRequestT()
        request.regionType = RegionType.Heap
        request.size = 5000
        reply = memory.allocate(request)
        self.assertEqual(reply.value.size, 8192)
        self.assertEqual(len(reply.fds), 1)
        fd = reply.fds[0]
        try:
            self.assertEqual(os.fstat(fd).st_size, 8192)
            with mmap.mmap(fd, 8192, prot=mmap.PROT_READ) as mapped:
                text = mapped[:32].split(b"\0")[0].decode()
            self.assertEqual(text, "lona grant %d" % reply.value.grant.value)
        finally:
            os.close(fd)
        free = FreeRequestT()
        free.grant = GrantIdT()
        free.grant.value = reply.value.grant.value
        self.assertEqual(memory.free(free).value.freedBytes, 8192)
        with self.assertRaises(RpcError) as error:
            memory.free(free)
        self.assertEqual(error.exception.code, NOT_FOUND)
        self.assertIn("Memory.Free", error.exception.message)

    def test_an_exhausted_quota_is_an_error_with_its_code(self):
        request = AllocateRequestT()
        request.size = 1 << 40
        with self.assertRaises(RpcError) as error:
            MemoryClient(self.rpc).allocate(request)
        self.assertEqual(error.exception.code, RESOURCE_EXHAUSTED)
        self.assertIn("quota", error.exception.message)

    def test_control_lists_counts_and_guards_the_init_realm(self):
        create = RealmCreateRequestT()
        create.name = "tools"
        created = RealmsClient(self.rpc).create(create).value
        control = ControlClient(self.rpc)
        realms = control.list_realms().value.realms
        self.assertEqual([r.name.decode() for r in realms], ["init", "tools"])
        self.assertEqual(realms[1].realm.value, created.realm.value)
        self.assertEqual(realms[1].status, RealmStatus.Created)
        counts = control.count_processes().value.counts
        self.assertEqual([(c.realm.value, c.processes) for c in counts], [(1, 3), (2, 0)])
        which = RealmRequestT()
        which.realm = RealmIdT()
        which.realm.value = 1
        self.assertEqual(control.stats(which).value.limitBytes, 64 << 20)
        with self.assertRaises(RpcError) as error:
            control.terminate(which)
        self.assertEqual(error.exception.code, PERMISSION_DENIED)

    def test_a_malformed_request_gets_an_error_reply(self):
        self.sock.send(b"LONA but not a flatbuffer at all")
        data = self.sock.recv(1 << 17)
        from lona.ipc.Envelope import Envelope, EnvelopeT
        from lona.ipc.Body import Body
        envelope = Envelope.GetRootAs(data, 0)
        self.assertEqual(envelope.BodyType(), Body.Error)
        self.assertIn(b"identifier", EnvelopeT.InitFromObj(envelope).body.message)


if __name__ == "__main__":
    unittest.main(verbosity=2)
