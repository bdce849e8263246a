"""`SIGHUP` reloads (DESIGN §1.8): the configuration file and the model repository are read
again without dropping connections. A new model folder is registered and loads, a removed one
is unloaded and forgotten, and an open WebSocket sees both; a file that does not parse is
rejected with a log line and the old settings stay; a new admin token is required at once.
Skipped when the model is missing (scripts/test fetches it)."""

from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import time

import pytest
import requests
from websockets.sync.client import connect

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")

RELOADED = re.compile(r"msg=reloaded .*models_added=(?P<added>\d+) models_removed=(?P<removed>\d+)")
REJECTED = re.compile(r"level=error msg=\"reload rejected\" .*error=")
# Long enough for a debug build on a busy 2-core machine; normally well under a second.
TIMEOUT_S = 120.0
# A read cap that keeps MiniLM's 90 MB in step 5 for minutes, so /readyz stays not ready.
SLOW_READS = "max-read-bytes-per-second: 300000\n"


class Setup:
    """A repository with one model (a symlink to MiniLM), a YAML file and a token file, all in
    the test's temporary directory."""

    def __init__(self, tmp_path: pathlib.Path) -> None:
        self.repo = tmp_path / "repo"
        self.repo.mkdir()
        self.add_model("minilm")
        self.config = tmp_path / "modeld.yaml"
        self.token = tmp_path / "admin-token"
        self.state = tmp_path / "state"

    def add_model(self, name: str) -> None:
        (self.repo / name).symlink_to(MODEL_DIR, target_is_directory=True)

    def write_config(self, extra: str = "", token: str | None = None) -> None:
        text = f"model-repository: {self.repo}\nstate-dir: {self.state}\n"
        if token is not None:
            self.token.write_text(token + "\n")
            text += f"admin-token-file: {self.token}\n"
        self.config.write_text(text + extra)

    def start(self, start_modeld):
        return start_modeld("--config", str(self.config))


def count_lines(server, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    return [m for line in server.output().splitlines() if (m := pattern.search(line))]


def sighup_and_wait(server, pattern: re.Pattern[str]) -> re.Match[str]:
    """Sends SIGHUP and waits for one more line matching `pattern` than there was before."""
    before = len(count_lines(server, pattern))
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        matches = count_lines(server, pattern)
        if len(matches) > before:
            return matches[before]
        assert server.proc.poll() is None, f"server exited after SIGHUP:\n{server.output()}"
        time.sleep(0.05)
    raise AssertionError(f"no new line matching {pattern.pattern!r} after SIGHUP:\n{server.output()}")


def models(server) -> dict[str, str]:
    body = requests.get(server.url("/v1/models"), timeout=10).json()
    return {m["id"]: m["state"] for m in body["models"]}


def wait_state(server, model: str, state: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while models(server).get(model) != state:
        assert time.monotonic() < deadline, f"{model} never became {state}:\n{server.output()}"
        time.sleep(0.1)


def events_until(ws, done) -> list[dict]:
    """Events from `ws` up to and including the first for which `done(event)` holds."""
    events = []
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"condition not met; events so far: {[e['event'] for e in events]}"
        events.append(json.loads(ws.recv(timeout=remaining)))
        if done(events[-1]):
            return events


def publish(server, token: str | None, session: requests.Session | None = None) -> int:
    """Status of an admin request (a room message), with `token` as the bearer token."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return (session or requests).post(server.url("/v1/rooms/ops/messages"), json={"hello": 1},
                                      headers=headers, timeout=10).status_code


def test_sighup_adds_and_removes_models_and_keeps_the_websocket(start_modeld, tmp_path):
    setup = Setup(tmp_path)
    setup.write_config()
    server = setup.start(start_modeld)
    wait_state(server, "minilm", "ready")
    url = f"ws://{server.host}:{server.port}/ws?room=models"
    with connect(url, open_timeout=20, ping_interval=None) as ws:
        snapshot = json.loads(ws.recv(timeout=20))
        assert snapshot["event"] == "snapshot"
        assert [m["id"] for m in snapshot["data"]["models"]] == ["minilm"]

        setup.add_model("minilm2")
        reloaded = sighup_and_wait(server, RELOADED)
        assert (reloaded["added"], reloaded["removed"]) == ("1", "0")
        events = events_until(ws, lambda e: e["event"] == "model_load_completed" and e["data"]["id"] == "minilm2")
        names = [e["event"] for e in events if e["data"].get("id") == "minilm2"]
        assert names[0] == "model_load_started" and "model_load_progress" in names, names
        assert models(server) == {"minilm": "ready", "minilm2": "ready"}

        (setup.repo / "minilm").unlink()
        reloaded = sighup_and_wait(server, RELOADED)
        assert (reloaded["added"], reloaded["removed"]) == ("0", "1")
        events = events_until(ws, lambda e: e["event"] == "model_removed")
        assert [(e["event"], e["data"]["id"]) for e in events][-2:] == [
            ("model_unloaded", "minilm"), ("model_removed", "minilm")]
        assert all(e["room"] == "models" for e in events)
        assert models(server) == {"minilm2": "ready"}
        assert requests.get(server.url("/v1/models/minilm"), timeout=10).status_code == 404

        # The same socket still answers: joining another room gets its snapshot.
        ws.send(json.dumps({"action": "subscribe", "room": "model:minilm2"}))
        joined = events_until(ws, lambda e: e["event"] == "snapshot")
        assert joined[-1]["room"] == "model:minilm2" and joined[-1]["data"]["state"] == "ready"


def test_broken_configuration_is_rejected_and_the_old_settings_stay(start_modeld, tmp_path):
    setup = Setup(tmp_path)
    setup.write_config(SLOW_READS + "not-ready-status: 503\n", token="first-token")
    server = setup.start(start_modeld)
    session = requests.Session()
    assert session.get(server.url("/readyz"), timeout=10).status_code == 503
    assert publish(server, "first-token", session) == 200

    setup.config.write_text("not-ready-status: [425\nlog: {level: debug\n")
    setup.token.write_text("second-token\n")
    rejected = sighup_and_wait(server, REJECTED)
    assert str(setup.config) in rejected.string, rejected.string

    readiness = session.get(server.url("/readyz"), timeout=10)
    assert readiness.status_code == 503 and readiness.json()["status"] == "loading"
    assert publish(server, "first-token", session) == 200
    assert publish(server, "second-token", session) == 403
    assert models(server) == {"minilm": "loading"}
    assert not count_lines(server, RELOADED)

    # A fixed file is accepted by the next SIGHUP.
    setup.write_config(SLOW_READS, token="second-token")
    reloaded = sighup_and_wait(server, RELOADED)
    assert "changes=not-ready-status,admin-token-file" in reloaded.string, reloaded.string
    assert session.get(server.url("/readyz"), timeout=10).status_code == 425


def test_a_new_admin_token_is_required_after_sighup(start_modeld, tmp_path):
    setup = Setup(tmp_path)
    setup.write_config(token="first-token")
    server = setup.start(start_modeld)
    session = requests.Session()
    assert publish(server, "first-token", session) == 200
    assert publish(server, None, session) == 401

    setup.token.write_text("second-token\n")
    reloaded = sighup_and_wait(server, RELOADED)
    assert "changes=admin-token-file" in reloaded.string, reloaded.string

    assert publish(server, "first-token", session) == 403
    assert publish(server, "second-token", session) == 200
    assert publish(server, None) == 401

    # A token file that went missing rejects the reload: the endpoints stay closed.
    setup.token.unlink()
    rejected = sighup_and_wait(server, REJECTED)
    assert "admin-token-file" in rejected.string, rejected.string
    assert publish(server, None, session) == 401
    assert publish(server, "second-token", session) == 200
