"""Soak tests: nothing grows with the number of requests or connections served.

The 100k-request test is marked `long` (run by `scripts/test --long`).
"""

from __future__ import annotations

import os

import pytest

from rawhttp import RawConnection, request_bytes

BATCH = 100  # pipelined per sendall, so the client is not the bottleneck


def resident_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def serve_batches(conns: list[RawConnection], total: int) -> None:
    paths = ["/livez", "/readyz", "/nope"]
    for start in range(0, total, BATCH * len(conns)):
        for conn in conns:
            conn.send(b"".join(request_bytes("GET", paths[i % 3]) for i in range(BATCH)))
        for conn in conns:
            for i in range(BATCH):
                assert conn.read_response().status == (404 if i % 3 == 2 else 200)


@pytest.mark.long
def test_resident_memory_stays_flat_over_100k_requests(modeld):
    conns = [RawConnection(modeld.address) for _ in range(8)]
    try:
        serve_batches(conns, 10_000)  # warm-up: buffers, caches and pools reach their size
        before = resident_kib(modeld.proc.pid)
        serve_batches(conns, 100_000)
        after = resident_kib(modeld.proc.pid)
    finally:
        for conn in conns:
            conn.close()
    # A leak of even 40 bytes per request would show as ~4 MiB here.
    assert after - before < 2048, f"VmRSS grew from {before} KiB to {after} KiB"


def test_connection_churn_leaks_no_descriptors(modeld):
    fd_dir = f"/proc/{modeld.proc.pid}/fd"
    for _ in range(200):
        with RawConnection(modeld.address) as conn:
            conn.request("GET", "/livez")
    baseline = len(os.listdir(fd_dir))
    for _ in range(2000):
        with RawConnection(modeld.address) as conn:
            assert conn.request("GET", "/livez", [("Connection", "close")]).status == 200
            assert conn.is_closed_by_peer()
    # Closed connections are released at a safe point of the loop, not necessarily at once.
    assert len(os.listdir(fd_dir)) <= baseline + 8
