"""The Python side of Lona's typed IPC: calls over a SOCK_SEQPACKET socket.

RpcClient owns the calls made over one socket: request ids, waiting for the reply with the
same id, checking it, and keeping whatever else arrives meanwhile. The generated clients
(lona_ipc_clients.py, written by lona-idlc) are typed fronts on one shared RpcClient.

It runs on flatc's Python output (the package lona.ipc) and Debian's python3-flatbuffers.
That library has no Verifier: a reply is checked for its identifier, version, request id and
body type, and a reply that does not decode raises RpcError(DATA_LOSS) instead of crashing.
"""

import array
import os
import socket
import time
from collections import deque

import flatbuffers

from lona.ipc.Envelope import Envelope, EnvelopeT
from lona.ipc.Body import Body

PROTOCOL_VERSION = 1
FILE_IDENTIFIER = b"LONA"
MAX_MESSAGE_BYTES = 128 * 1024
MAX_MESSAGE_FDS = 8

# absl::StatusCode values, as the schema's ErrorCode uses them.
DEADLINE_EXCEEDED = 4
UNAVAILABLE = 14
DATA_LOSS = 15


class RpcError(Exception):
    """A call that failed: the other end's Error reply, a timeout, or a broken reply."""

    def __init__(self, code, message):
        super().__init__("%s (code %d)" % (message, code))
        self.code = code
        self.message = message


class Reply:
    """A reply's object (flatc's object API) and the fds that came beside it."""

    def __init__(self, value, fds):
        self.value = value
        self.fds = fds


def fnv1a(text):
    """The method id of "Service.Call" (FNV-1a, 32 bits), as Envelope.method carries it."""
    h = 2166136261
    for byte in text.encode():
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


class RpcClient:
    """Calls over one connected SOCK_SEQPACKET socket. One call at a time."""

    def __init__(self, sock, timeout=30.0):
        self.sock = sock
        self.timeout = timeout
        self.next_request_id = 1
        self.unsolicited = deque(maxlen=1024)
        self.stale_replies = 0

    def _send(self, request_id, method, request_type, request, fds):
        builder = flatbuffers.Builder(256)
        envelope = EnvelopeT()
        envelope.version = PROTOCOL_VERSION
        envelope.requestId = request_id
        envelope.method = method
        envelope.bodyType = request_type
        envelope.body = request
        builder.Finish(envelope.Pack(builder), file_identifier=FILE_IDENTIFIER)
        data = bytes(builder.Output())
        ancillary = []
        if fds:
            ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
        self.sock.sendmsg([data], ancillary)

    def _receive(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout()
        self.sock.settimeout(remaining)
        data, fds, flags, _ = socket.recv_fds(self.sock, MAX_MESSAGE_BYTES + 1, MAX_MESSAGE_FDS)
        if not data:
            raise RpcError(UNAVAILABLE, "the other end has closed")
        return data, fds, flags

    def call(self, name, method, request_type, reply_type, request, fds=(), timeout=None):
        """Sends `request` (an object of flatc's object API) and returns the Reply of type
        `reply_type`. Raises RpcError with the other end's code for an Error reply."""
        request_id = self.next_request_id
        self.next_request_id += 1
        self._send(request_id, method, request_type, request, fds)
        wait = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + wait
        while True:
            try:
                data, got_fds, flags = self._receive(deadline)
            except socket.timeout:
                raise RpcError(DEADLINE_EXCEEDED, "%s: no reply within %gs" % (name, wait))
            try:
                envelope = self._check(name, data)
                if envelope.RequestId() != request_id:
                    if envelope.RequestId() == 0:
                        self.unsolicited.append((bytes(data), got_fds))
                        got_fds = []
                    else:
                        self.stale_replies += 1
                    continue
                if envelope.Body() is None:
                    raise RpcError(DATA_LOSS, "%s: the reply has no body" % name)
                if envelope.BodyType() == Body.Error:
                    error = EnvelopeT.InitFromObj(envelope).body
                    message = error.message.decode() if error.message else ""
                    raise RpcError(error.code, "%s: %s" % (name, message))
                if envelope.BodyType() != reply_type:
                    raise RpcError(DATA_LOSS, "%s: the reply has body type %d, not %d"
                                   % (name, envelope.BodyType(), reply_type))
                value = EnvelopeT.InitFromObj(envelope).body
                fds_out, got_fds = got_fds, []
                return Reply(value, fds_out)
            except (IndexError, ValueError, TypeError, UnicodeDecodeError) as error:
                raise RpcError(DATA_LOSS, "%s: the reply does not decode: %s" % (name, error))
            finally:
                for fd in got_fds:
                    os.close(fd)

    def send_oneway(self, name, method, request_type, request, fds=()):
        """Sends a one-way call: nothing answers it."""
        self._send(0, method, request_type, request, fds)

    @staticmethod
    def _check(name, data):
        if len(data) > MAX_MESSAGE_BYTES:
            raise RpcError(DATA_LOSS, "%s: a reply over %d bytes" % (name, MAX_MESSAGE_BYTES))
        if len(data) < 8 or not Envelope.EnvelopeBufferHasIdentifier(data, 0):
            raise RpcError(DATA_LOSS, "%s: the reply is not a Lona message" % name)
        envelope = Envelope.GetRootAs(data, 0)
        if envelope.Version() != PROTOCOL_VERSION:
            raise RpcError(DATA_LOSS, "%s: the reply speaks protocol version %d, not %d"
                           % (name, envelope.Version(), PROTOCOL_VERSION))
        return envelope
