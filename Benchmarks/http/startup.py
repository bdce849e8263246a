#!/usr/bin/env python3
"""Time from exec to the first `200` on /livez (DESIGN §2.3 budget: under 50 ms).

usage: startup.py BINARY [--runs N] [-- extra `serve` flags...]

Each run picks a free port, records time.monotonic_ns(), spawns `BINARY serve --listen
127.0.0.1:PORT`, and polls as fast as it can with a raw connect + GET until the answer starts
with `HTTP/1.1 200`; then the server gets SIGTERM. Prints one `first_200_ms=X` line per run.
"""

from __future__ import annotations

import argparse
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from benchlib import free_port  # noqa: E402

REQUEST = b"GET /livez HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
RUN_DEADLINE_S = 20.0


def probe_once(port: int) -> bool:
    """One connect + GET; True if the answer is a 200, False if nobody listens yet."""
    with socket.socket() as s:
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(REQUEST)
            return s.recv(16).startswith(b"HTTP/1.1 200")
        except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
            return False


def one_run(binary: str, extra: list[str], cwd: str) -> float:
    port = free_port()
    t0 = time.monotonic_ns()
    proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", *extra],
                            cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while not probe_once(port):
            if proc.poll() is not None:
                sys.exit(f"startup: {binary} exited with {proc.returncode} before answering")
            if time.monotonic_ns() - t0 > RUN_DEADLINE_S * 1e9:
                sys.exit(f"startup: no 200 on /livez within {RUN_DEADLINE_S:.0f} s")
        return (time.monotonic_ns() - t0) / 1e6
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=15)
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    times = []
    with tempfile.TemporaryDirectory(prefix="modeld-startup-") as cwd:
        for _ in range(args.runs):
            times.append(one_run(args.binary, extra, cwd))
            print(f"first_200_ms={times[-1]:.2f}", flush=True)
    print(f"startup: median {statistics.median(times):.2f} ms over {len(times)} runs "
          f"[{min(times):.2f}-{max(times):.2f}]", file=sys.stderr)


if __name__ == "__main__":
    main()
