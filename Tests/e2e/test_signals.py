"""Graceful shutdown (DESIGN §1.8): SIGTERM and SIGINT drain, close idle clients, exit 0."""

from __future__ import annotations

import signal

import pytest

from rawhttp import RawConnection

# An idle keep-alive connection has nothing in flight, so draining it is immediate; 5 s leaves
# room for a loaded machine without hiding a server that waits for its idle timeout (60 s).
PROMPT_EXIT_S = 5.0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_with_idle_keep_alive_client_exits_zero_promptly(modeld, sig):
    with RawConnection(modeld.address, timeout_s=PROMPT_EXIT_S + 5) as idle:
        assert idle.request("GET", "/livez").status == 200
        code = modeld.stop(sig, timeout_s=PROMPT_EXIT_S)
        assert code == 0, f"exit code {code} (None: still running); output:\n{modeld.output()}"
        assert idle.is_closed_by_peer()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_with_no_clients_exits_zero(modeld, sig):
    code = modeld.stop(sig, timeout_s=PROMPT_EXIT_S)
    assert code == 0, f"exit code {code}; output:\n{modeld.output()}"


def test_several_event_loops_all_stop(start_modeld):
    server = start_modeld("--event-loops", "3")
    clients = [RawConnection(server.address) for _ in range(6)]
    try:
        for client in clients:
            assert client.request("GET", "/healthz").status == 200
        assert server.stop(signal.SIGTERM, timeout_s=PROMPT_EXIT_S) == 0, server.output()
        assert all(client.is_closed_by_peer() for client in clients)
    finally:
        for client in clients:
            client.close()
