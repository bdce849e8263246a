"""Fixtures that run the built modeld binary ($MODELD_BIN) for the end-to-end tests.

Each test gets a fresh server on an ephemeral port (`--listen 127.0.0.1:0`), started in an
empty temporary directory with no MODELD_* variables, so nothing on the machine leaks in.
Teardown is itself a test of DESIGN §1.8: SIGTERM must make the server exit 0 within 10 s.
"""

from __future__ import annotations

import os
import pathlib
import re
import signal
import subprocess
import threading
import time

import pytest

# `listening address=127.0.0.1:PORT` (DESIGN §1.7), possibly quoted by the log formatter.
LISTENING_RE = re.compile(r'listening address="?(?P<host>[0-9.]+|\[[0-9a-fA-F:]+\]):(?P<port>\d+)')
START_TIMEOUT_S = 20.0  # a debug build on a busy 2-core machine; normally milliseconds
STOP_TIMEOUT_S = 10.0

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
# With no admin token the mutating endpoints are off (403 admin_disabled), so `start_modeld`
# gives every server this one unless the test passes its own (or a --config) or asks for none.
ADMIN_TOKEN = "e2e-admin-token"
# The real all-MiniLM-L6-v2 that scripts/fetch-model puts in models/ (scripts/test exports it).
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long: a long-running test, run only by `scripts/test --long`")
    config.addinivalue_line("markers", "modeld_args(*args): extra `modeld serve` flags for the `modeld` fixture")


def modeld_binary() -> str:
    """The binary under test: $MODELD_BIN, else the debug build of this checkout."""
    path = os.environ.get("MODELD_BIN") or str(REPO_ROOT / ".build" / "debug" / "modeld")
    if not os.access(path, os.X_OK):
        pytest.exit(f"modeld binary not found at {path}: run `swift build` or set MODELD_BIN", returncode=2)
    return path


class ModeldProcess:
    """One running `modeld serve` whose merged stdout/stderr is collected line by line."""

    def __init__(self, args: list[str], cwd: pathlib.Path, *, env: dict[str, str] | None = None,
                 pass_fds: tuple[int, ...] = (), listen: bool = True, scheme: str = "http",
                 argv_prefix: list[str] | None = None) -> None:
        """`env` adds variables to the scrubbed environment; `pass_fds` are inherited (socket
        activation); `listen=False` omits `--listen 127.0.0.1:0`; `argv_prefix` runs the binary
        through a wrapper (e.g. `["sh", "-c", 'LISTEN_PID=$$ exec "$0" "$@"']`)."""
        merged = {k: v for k, v in os.environ.items() if not k.startswith("MODELD_")}
        merged.update(env or {})
        self.scheme = scheme
        # Set by `start_modeld` when it configured the admin token: the header to send.
        self.admin_headers: dict[str, str] = {}
        self.argv = [modeld_binary(), "serve", *(["--listen", "127.0.0.1:0"] if listen else []), *args]
        self.proc = subprocess.Popen(
            [*(argv_prefix or []), *self.argv], cwd=cwd, env=merged, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, pass_fds=pass_fds,
        )
        self._lines: list[str] = []
        self._changed = threading.Condition()
        # A reader thread keeps the pipe drained so a chatty server never blocks on its log.
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()
        match = self.wait_for_line(LISTENING_RE, START_TIMEOUT_S)
        if match is None:
            exited = self.proc.poll()
            self.kill()
            why = (f"exited with code {exited} before logging" if exited is not None
                   else f"did not log within {START_TIMEOUT_S:.0f} s")
            raise AssertionError(f"`{' '.join(self.argv)}` {why} 'listening address=HOST:PORT'; "
                                 f"output:\n{self.output()}")
        self.host = match["host"].strip("[]")
        self.port = int(match["port"])

    def _read_output(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self._changed:
                self._lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def output(self) -> str:
        with self._changed:
            return "\n".join(self._lines)

    def wait_for_line(self, pattern: re.Pattern[str], timeout_s: float) -> re.Match[str] | None:
        """The first output line matching `pattern`, waiting at most `timeout_s`; None if the
        deadline passes or the process exits without printing it."""
        deadline = time.monotonic() + timeout_s
        seen = 0
        with self._changed:
            while True:
                for line in self._lines[seen:]:
                    if m := pattern.search(line):
                        return m
                seen = len(self._lines)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    return None
                self._changed.wait(min(remaining, 0.2))

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = STOP_TIMEOUT_S) -> int | None:
        """Sends `sig` and waits up to `timeout_s` for the exit; returns the exit code or None."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=5)


@pytest.fixture
def modeld_bin() -> str:
    """The path of the binary under test, for tests that run it without `serve`."""
    return modeld_binary()


@pytest.fixture
def start_modeld(tmp_path: pathlib.Path):
    """Factory: `start_modeld(*flags, admin_token=True, **options)` runs a server (options as
    for `ModeldProcess`); every one still running at teardown must exit 0 on SIGTERM within
    10 s. Unless the flags name a token file or a --config, or `admin_token=False`, the server
    gets `--admin-token-file` holding ADMIN_TOKEN and `server.admin_headers` carries it."""
    started: list[ModeldProcess] = []

    def start(*args: str, admin_token: bool = True, **options) -> ModeldProcess:
        flags = list(args)
        gives_token = admin_token and "--admin-token-file" not in flags and "--config" not in flags
        if gives_token:
            token_file = tmp_path / "e2e-admin-token"
            token_file.write_text(ADMIN_TOKEN + "\n")
            flags += ["--admin-token-file", str(token_file)]
        server = ModeldProcess(flags, cwd=tmp_path, **options)
        if gives_token:
            server.admin_headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        started.append(server)
        return server

    yield start
    failures = []
    for server in started:
        if server.proc.poll() is not None:
            continue  # the test stopped it and asserted on the exit itself
        code = server.stop(signal.SIGTERM)
        if code != 0:
            server.kill()
            failures.append(f"exit code {code} after SIGTERM (None: still running after "
                            f"{STOP_TIMEOUT_S:.0f} s); output:\n{server.output()}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def modeld(request: pytest.FixtureRequest, start_modeld) -> ModeldProcess:
    """A running server with the flags of the test's `modeld_args` marker, if any."""
    marker = request.node.get_closest_marker("modeld_args")
    return start_modeld(*(marker.args if marker else ()))


@pytest.fixture
def repository(tmp_path: pathlib.Path) -> pathlib.Path:
    """A model repository holding the real model as `minilm` (a symlink to MODEL_DIR)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "minilm").symlink_to(MODEL_DIR, target_is_directory=True)
    return repo
