"""Runs two ipc_peer processes joined by a SOCK_SEQPACKET socketpair: SERVER serves, CLIENT runs
its script against it. Exit 0 only when both exit 0. The evolution tests pair peers built from
different protocol versions. Usage: run_pair.py SERVER_PEER CLIENT_PEER"""

import socket
import subprocess
import sys


def main(server_peer, client_peer):
    server_end, client_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server = subprocess.Popen([server_peer, "serve", str(server_end.fileno())],
                              pass_fds=[server_end.fileno()])
    client = subprocess.Popen([client_peer, "client", str(client_end.fileno())],
                              pass_fds=[client_end.fileno()])
    server_end.close()
    client_end.close()
    client_status = client.wait(timeout=60)
    server_status = server.wait(timeout=60)
    print("run_pair: client %s exited %d, server %s exited %d"
          % (client_peer, client_status, server_peer, server_status))
    return 0 if client_status == 0 and server_status == 0 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
