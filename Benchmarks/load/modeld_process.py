"""One `modeld serve` process for `scripts/bench load`, and the HTTP calls the benchmark makes.

The server listens on a port picked by binding port 0 first (the `listening` line that
`--listen 127.0.0.1:0` would print is an info line, and some runs use `--log-level
warning`). Its output goes to a log file; `stop()` sends SIGTERM and waits. It gets a fresh
admin token (`admin-token` next to its state dir, passed as `--admin-token-file`): without
one load/unload answer 403 admin_disabled. `request()` sends it with every POST;
`admin_headers` is the header for other clients.
"""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from benchlib import admin_token_file, free_port  # noqa: E402

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0


class ModeldProcess:
    """A running `modeld serve --model-repository REPO --state-dir STATE ...`."""

    def __init__(self, binary: str, repository: pathlib.Path, state_dir: pathlib.Path, log_path: pathlib.Path,
                 extra: list[str]) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELD_")}
        state_dir.parent.mkdir(parents=True, exist_ok=True)
        token_path, token = admin_token_file(state_dir.parent)
        self.admin_headers = {"Authorization": f"Bearer {token}"}
        self.argv = [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--model-repository", str(repository),
                     "--state-dir", str(state_dir), "--admin-token-file", str(token_path), *extra]
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(self.argv, cwd=state_dir.parent, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if self.request("GET", "/livez")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"modeld did not start: {' '.join(self.argv)} (log: {log_path})")
            time.sleep(0.02)

    def request(self, method: str, path: str, timeout: float = 600.0) -> tuple[int, dict]:
        """One request on a fresh connection; returns the status and the JSON body ({} if none).
        A POST (load, unload: the mutating endpoints) carries the admin token."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if method == "POST":
                conn.request(method, path, body=b"", headers=self.admin_headers)
            else:
                conn.request(method, path)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        return response.status, (json.loads(body) if body.strip() else {})

    def status(self, model: str) -> dict:
        return self.request("GET", f"/v1/models/{model}")[1]

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far."""
        fields = pathlib.Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_for_state(self, model: str, states: set[str], timeout_s: float = 600.0, interval_s: float = 0.05) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.status(model)
            if status.get("state") in states:
                return status
            if time.monotonic() > deadline:
                raise RuntimeError(f"{model} never reached {states}; last: {status} (log: {self.log_path})")
            time.sleep(interval_s)

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        self._log.close()
        return code


def step_seconds(state_dir: pathlib.Path, model: str) -> list[float]:
    """The nine step durations of the model's last successful load (eta-history.json)."""
    history = json.loads((state_dir / "eta-history.json").read_text())
    return [float(s) for s in history["models"][model]["step_seconds"]]
