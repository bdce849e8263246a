#!/usr/bin/env python3
"""Send N GET requests over one keep-alive connection, one at a time, and check each answer.

usage: keepalive_client.py PORT N [--path /livez]

Used by `scripts/bench http` to count heap allocations per request under valgrind: the
difference between two runs with different N cancels the start-up and shutdown costs.
"""

from __future__ import annotations

import argparse
import socket
import sys


def read_response(sock: socket.socket, buffer: bytearray) -> int:
    """Reads one response (Content-Length framed) off `buffer`/`sock`; returns its status."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit("keepalive_client: server closed the connection")
        buffer += chunk
    end = buffer.index(b"\r\n\r\n") + 4
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    length = next((int(line.split(":", 1)[1]) for line in head[1:]
                   if line.lower().startswith("content-length:")), 0)
    while len(buffer) < end + length:
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit("keepalive_client: server closed mid-body")
        buffer += chunk
    del buffer[:end + length]
    return int(head[0].split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", type=int)
    parser.add_argument("requests", type=int)
    parser.add_argument("--path", default="/livez")
    args = parser.parse_args()
    request = f"GET {args.path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    buffer = bytearray()
    with socket.create_connection(("127.0.0.1", args.port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(args.requests):
            sock.sendall(request)
            status = read_response(sock, buffer)
            if status != 200:
                sys.exit(f"keepalive_client: request {i} got {status}")
    print(f"keepalive_client: {args.requests} requests ok", file=sys.stderr)


if __name__ == "__main__":
    main()
