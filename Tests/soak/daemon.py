"""The one `modeld serve` a soak runs: its repository (the real MiniLM under two names), its
configuration file (rewritten and re-read on SIGHUP), its log and its /proc figures."""

from __future__ import annotations

import collections
import os
import pathlib
import re
import signal
import subprocess
import threading
import time

import requests

LISTENING_RE = re.compile(r'listening address="?(?P<host>[0-9.]+):(?P<port>\d+)')
RELOADED_RE = re.compile(r"msg=reloaded\b")
ADMIN_TOKEN = "soak-admin-token"
# The model that must stay ready (probes and embeddings) and the one loads, cancels and
# unloads cycle through.
STABLE, CYCLED = "minilm", "minilm2"
# The live setting SIGHUP flips: step 5's read cap, so cycled loads last a few seconds and a
# cancel can land inside them.
READ_CAPS = (40_000_000, 20_000_000)


class Daemon:
    """Sets up `workdir` (repository, config, token, state) and runs the binary there."""

    def __init__(self, binary: str, model_dir: pathlib.Path, workdir: pathlib.Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.repo = workdir / "repo"
        self.config = workdir / "modeld.yaml"
        self.token_file = workdir / "admin-token"
        self.log_path = workdir / "modeld.log"
        self.repo.mkdir()
        (self.repo / STABLE).symlink_to(model_dir, target_is_directory=True)
        # The second name gets its own manifest (not required, on demand), and links to the
        # same files.
        cycled = self.repo / CYCLED
        cycled.mkdir()
        for entry in model_dir.iterdir():
            if entry.name != "model.yaml":
                (cycled / entry.name).symlink_to(entry)
        (cycled / "model.yaml").write_text("runtime: bert-embedding\nrequired: false\nload: on_demand\n")
        self.token_file.write_text(ADMIN_TOKEN + "\n")
        self.cap_index = 0
        self.write_config()
        self.headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        self.tail: collections.deque[str] = collections.deque(maxlen=300)
        self.reloads = 0
        self._changed = threading.Condition()
        self.proc: subprocess.Popen[bytes] | None = None
        self.host = ""
        self.port = 0

    def write_config(self) -> None:
        self.config.write_text(
            f"model-repository: {self.repo}\nstate-dir: {self.workdir / 'state'}\n"
            f"admin-token-file: {self.token_file}\nload-at-startup: [{STABLE}]\n"
            f"max-read-bytes-per-second: {READ_CAPS[self.cap_index]}\n")

    def start(self, timeout_s: float = 60.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELD_")}
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--listen", "127.0.0.1:0", "--config", str(self.config)],
            cwd=self.workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        threading.Thread(target=self._read_output, daemon=True).start()
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not self.port:
                for line in self.tail:
                    if m := LISTENING_RE.search(line):
                        self.host, self.port = m["host"], int(m["port"])
                        break
                else:
                    if time.monotonic() > deadline or self.proc.poll() is not None:
                        raise RuntimeError("modeld did not log 'listening address=' "
                                           f"(exit code {self.proc.poll()}):\n" + "\n".join(self.tail))
                    self._changed.wait(0.2)

    def _read_output(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        with open(self.log_path, "w") as log:
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                log.write(line + "\n")
                with self._changed:
                    self.tail.append(line)
                    if RELOADED_RE.search(line):
                        self.reloads += 1
                    self._changed.notify_all()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def state(self, model: str) -> str:
        return requests.get(self.url(f"/v1/models/{model}"), timeout=30).json()["state"]

    def wait_state(self, model: str, wanted: set[str], timeout_s: float) -> str:
        """Polls until `model` is in one of `wanted`; returns the state (last seen on timeout)."""
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.state(model)
            if state in wanted or time.monotonic() > deadline:
                return state
            time.sleep(0.1)

    def reload(self, timeout_s: float) -> bool:
        """Flips the read cap in the file, sends SIGHUP and waits for one more `reloaded` line."""
        self.cap_index = 1 - self.cap_index
        self.write_config()
        with self._changed:
            before = self.reloads
        assert self.proc is not None
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while self.reloads == before:
                if time.monotonic() > deadline or not self.alive():
                    return False
                self._changed.wait(0.2)
        return True

    def sample(self) -> dict[str, int]:
        """VmRSS (KiB), open descriptors and threads, from /proc."""
        status = pathlib.Path(f"/proc/{self.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return {"rss_kib": int(fields["VmRSS"].split()[0]), "fds": len(os.listdir(f"/proc/{self.pid}/fd")),
                "threads": int(fields["Threads"])}

    def stop(self, timeout_s: float) -> int | None:
        """SIGTERM; the exit code, or None if still running after `timeout_s` (then killed)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def log_tail(self, lines: int = 40) -> str:
        with self._changed:
            return "\n".join(list(self.tail)[-lines:])
