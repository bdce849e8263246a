"""systemd integration against the built binary (DESIGN §1.9): sd_notify datagrams and socket
activation, with Python playing systemd.

A datagram socket (a path in tmp, or an abstract `@name`) stands in for `NOTIFY_SOCKET` and
records every message with its arrival time: `READY=1` must come while the model is still
loading (`/readyz` not yet 200), `STATUS=` lines must follow the load to `1 ready`, `WATCHDOG=1`
must arrive every half `WATCHDOG_USEC`, and `STOPPING=1` on SIGTERM. For socket activation the
test binds the listening socket itself and hands it over as fd 3 with `LISTEN_FDS=1` and the
server's own pid in `LISTEN_PID`.
"""

from __future__ import annotations

import os
import pathlib
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
needs_model = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                 reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")

# Runs the server with fd FD moved to 3 and LISTEN_PID set to its own pid (exec keeps the pid).
ACTIVATION_WRAPPER = (
    "import os, sys\n"
    "fd = int(sys.argv[1])\n"
    "os.dup2(fd, 3)\n"
    "os.close(fd)\n"
    "env = dict(os.environ, LISTEN_PID=str(os.getpid()))\n"
    "os.execve(sys.argv[2], sys.argv[2:], env)\n"
)


class NotifyListener:
    """The systemd end of NOTIFY_SOCKET: records (monotonic time, message) for every datagram."""

    def __init__(self, tmp_path: pathlib.Path, abstract: bool) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        name = f"modeld-notify-{uuid.uuid4().hex[:12]}"
        if abstract:
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            path = tmp_path / "notify.sock"
            self.sock.bind(str(path))
            self.address = str(path)
        self.sock.settimeout(0.1)
        self.messages: list[tuple[float, str]] = []
        self._changed = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._closed:
            try:
                data = self.sock.recv(4096)
            except (socket.timeout, OSError):
                continue
            with self._changed:
                self.messages.append((time.monotonic(), data.decode()))
                self._changed.notify_all()

    def wait_for(self, predicate, timeout_s: float) -> tuple[float, str]:
        """The first (time, message) satisfying `predicate`, waiting at most `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                for entry in self.messages:
                    if predicate(entry[1]):
                        return entry
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching notification within {timeout_s} s; got {self.messages}")
                self._changed.wait(remaining)

    def wait_for_count(self, message: str, count: int, timeout_s: float) -> None:
        """Waits until `message` has arrived `count` times (at most `timeout_s`)."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while sum(1 for _, m in self.messages if m == message) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{message!r} not seen {count} times within {timeout_s} s; got {self.messages}")
                self._changed.wait(remaining)

    def of_kind(self, prefix: str) -> list[tuple[float, str]]:
        with self._changed:
            return [(t, m) for t, m in self.messages if m.startswith(prefix)]

    def close(self) -> None:
        self._closed = True
        self._thread.join(timeout=2)
        self.sock.close()


@needs_model
@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_ready_before_model_then_status_follows_load_then_stopping(start_modeld, repository, tmp_path, abstract):
    listener = NotifyListener(tmp_path, abstract)
    try:
        server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"),
                              "--max-read-bytes-per-second", "30000000", env={"NOTIFY_SOCKET": listener.address})
        assert server.wait_for_line(re.compile(r"systemd notify\"? socket=\S+ watchdog=off"), 5), server.output()
        listener.wait_for(lambda m: m == "READY=1", 10)
        # READY=1 means "listening", not "models ready": the load is about to start (503 for
        # the moment before it is requested) or running (425).
        assert requests.get(server.url("/readyz"), timeout=10).status_code in (425, 503)
        _, final = listener.wait_for(lambda m: m == "STATUS=idle; 1 ready, 0 failed", 120)
        assert requests.get(server.url("/readyz"), timeout=10).status_code == 200

        lines = [m.removeprefix("STATUS=") for _, m in listener.of_kind("STATUS=")]
        loading = [line for line in lines if line.startswith("loading minilm ")]
        assert len(loading) >= 3, lines
        steps = [int(re.match(r"loading minilm (\d)/9 (\d+)%", line)[1]) for line in loading]
        percents = [int(re.match(r"loading minilm (\d)/9 (\d+)%", line)[2]) for line in loading]
        assert steps == sorted(steps) and len(set(steps)) >= 2, lines
        assert percents == sorted(percents), lines
        assert all(line.endswith("; 0 ready, 0 failed") for line in loading), lines
        assert lines[-1] == "idle; 1 ready, 0 failed", lines
        assert len(lines) == len(set(lines)), f"a STATUS line was repeated: {lines}"
        times = [t for t, _ in listener.of_kind("STATUS=")]
        # The daemon sends at most one STATUS per 250 ms, so any five span at least 1 s where it
        # sends them; 0.1 s is left for the receiving side's scheduling (one late arrival
        # shortens the gap that follows it), which a throttle of 5 per second would not fit in.
        spans = [b - a for a, b in zip(times, times[4:])]
        assert not spans or min(spans) >= 0.9, f"STATUS sent faster than 4 per second: {spans}"

        assert server.stop(signal.SIGTERM) == 0, server.output()
        stopping_at, _ = listener.wait_for(lambda m: m == "STOPPING=1", 5)
        ready_at = listener.wait_for(lambda m: m == "READY=1", 0)[0]
        assert ready_at < stopping_at
    finally:
        listener.close()


def test_watchdog_pings_every_half_timeout_and_stops_after_sigterm(start_modeld, tmp_path):
    listener = NotifyListener(tmp_path, abstract=False)
    try:
        # 1 s, not less: a ping needs every event loop to have run in the last half period, and
        # with both cores saturated by other processes a loop may wait a few hundred ms for a
        # core (a 400 ms watchdog missed a ping once in 20 runs of the suite under contention).
        server = start_modeld(env={"NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "1000000"})
        assert server.wait_for_line(re.compile(r"systemd notify\"? socket=\S+ watchdog=1s"), 5), server.output()
        listener.wait_for(lambda m: m == "READY=1", 10)
        listener.wait_for_count("WATCHDOG=1", 8, 20)
        pings = [t for t, _ in listener.of_kind("WATCHDOG=1")]
        intervals = [b - a for a, b in zip(pings, pings[1:])]
        assert 0.45 <= statistics.median(intervals) <= 0.6, intervals
        assert max(intervals) < 1.0, f"a gap reached WATCHDOG_USEC: {intervals}"

        assert server.stop(signal.SIGTERM) == 0, server.output()
        stopping_at, _ = listener.wait_for(lambda m: m == "STOPPING=1", 5)
        assert all(t <= stopping_at for t, _ in listener.of_kind("WATCHDOG=1")), "pinged after STOPPING=1"
    finally:
        listener.close()


def test_no_notify_socket_means_no_systemd_line(modeld):
    assert requests.get(modeld.url("/livez"), timeout=10).status_code == 200
    assert "systemd notify" not in modeld.output()


def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def test_socket_activation_serves_the_passed_socket(start_modeld):
    sock = listening_socket()
    port = sock.getsockname()[1]
    try:
        server = start_modeld(
            "--event-loops", "2", listen=False, pass_fds=(sock.fileno(),),
            argv_prefix=[sys.executable, "-c", ACTIVATION_WRAPPER, str(sock.fileno())],
            env={"LISTEN_FDS": "1", "LISTEN_FDNAMES": "http"})
        assert server.port == port
        line = server.wait_for_line(re.compile(r"msg=listening .*"), 1)[0]
        assert "fd=3" in line and "name=http" in line, line
        for _ in range(10):
            with requests.Session() as session:
                assert session.get(server.url("/livez"), timeout=10).json() == {"status": "ok"}
        assert server.stop(signal.SIGTERM) == 0, server.output()
    finally:
        sock.close()


def test_socket_activation_for_another_pid_is_ignored(start_modeld):
    sock = listening_socket()
    try:
        # LISTEN_PID=1 is init's: the variables are not for modeld, which binds --listen instead.
        server = start_modeld(pass_fds=(sock.fileno(),),
                              env={"LISTEN_PID": "1", "LISTEN_FDS": "1"})
        assert server.port != sock.getsockname()[1]
        assert "fd=3" not in server.output()
        assert requests.get(server.url("/livez"), timeout=10).status_code == 200
    finally:
        sock.close()


def test_socket_activation_refuses_a_socket_that_is_not_listening(modeld_bin, tmp_path):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELD_")}
        env["LISTEN_FDS"] = "1"
        result = subprocess.run(
            [sys.executable, "-c", ACTIVATION_WRAPPER, str(sock.fileno()), modeld_bin, "serve"],
            cwd=tmp_path, env=env, pass_fds=(sock.fileno(),), capture_output=True, timeout=30)
        output = result.stdout.decode() + result.stderr.decode()
        assert result.returncode == 1, output
        assert "inherited fd 3 (not listening)" in output, output
        assert "msg=listening" not in output
    finally:
        sock.close()


def test_sighup_sends_reloading_with_monotonic_usec_then_ready(start_modeld, tmp_path):
    listener = NotifyListener(tmp_path, abstract=False)
    try:
        config = tmp_path / "modeld.yaml"
        config.write_text("not-ready-status: 425\n")
        server = start_modeld("--config", str(config), env={"NOTIFY_SOCKET": listener.address})
        listener.wait_for(lambda m: m == "READY=1", 10)

        for round_number, text in enumerate(["not-ready-status: 503\n", "listen: [unclosed\n"], start=1):
            config.write_text(text)
            before_us = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
            server.proc.send_signal(signal.SIGHUP)
            listener.wait_for_count("READY=1", 1 + round_number, 20)
            after_us = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
            reloading = listener.of_kind("RELOADING=1")
            assert len(reloading) == round_number, listener.messages
            fields = dict(line.split("=", 1) for line in reloading[-1][1].split("\n"))
            assert before_us <= int(fields["MONOTONIC_USEC"]) <= after_us, fields
            ready_times = [t for t, m in listener.messages if m == "READY=1"]
            assert reloading[-1][0] <= ready_times[-1], "READY=1 came before RELOADING=1"
        # The broken file was rejected (and still answered with READY=1): the server serves on.
        assert server.wait_for_line(re.compile(r"reload rejected"), 5), server.output()
        assert requests.get(server.url("/livez"), timeout=10).status_code == 200
    finally:
        listener.close()
